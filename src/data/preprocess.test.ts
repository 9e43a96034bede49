// Preprocessing maths: channel order, scale/mean/std, layouts, each resize mode on hand-computed pixels, and
// byte equality with Pillow 9.4 / torchvision (Resize + CenterCrop) on generated images.
import { describe, expect, it } from 'vitest';
import { fromFloat16Bits } from '../onnx/float16';
import { QbError } from '../shared/errors';
import {
  preprocessRgba,
  preprocessToTensor,
  preprocessToUint8,
  recipeDims,
  resizeGeometry,
  resizeToRgb,
  tensorStats,
  type PreprocessRecipe,
} from './preprocess';

const base: PreprocessRecipe = { width: 2, height: 1, layout: 'NCHW', channelOrder: 'RGB', scale: 1, mean: [0, 0, 0], std: [1, 1, 1], resize: 'stretch' };
// Two pixels: pure red and pure blue (alpha ignored).
const img = new Uint8ClampedArray([255, 0, 0, 255, 0, 0, 255, 7]);

/** RGBA image from per-pixel gray levels (R = G = B). */
function gray(values: number[]): Uint8ClampedArray {
  const out = new Uint8ClampedArray(values.length * 4);
  values.forEach((v, i) => out.set([v, v, v, 255], i * 4));
  return out;
}

/**
 * Deterministic RGB noise (xorshift32). The goldens below came from Pillow 9.4 (Debian python3-pil) on the same noise:
 *   im = Image.frombytes('RGB', (w, h), noise); short, long = sorted((w, h)); long_to = int(size * long / short)
 *   r = im.resize((size, long_to) if w <= h else (long_to, size), Image.BILINEAR)
 *   left, top = int(round((r.width - crop) / 2.0)), int(round((r.height - crop) / 2.0)); r.crop((left, top, left + crop, top + crop))
 */
function noise(width: number, height: number, seed: number): { rgba: Uint8Array; rgb: Uint8Array } {
  let x = seed >>> 0;
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < rgb.length; i++) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    rgb[i] = x & 255;
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) rgba.set([rgb[i * 3]!, rgb[i * 3 + 1]!, rgb[i * 3 + 2]!, 255], i * 4);
  return { rgba, rgb };
}

const hex = (s: string): number[] => s.match(/../g)!.map((h) => parseInt(h, 16));

describe('preprocessRgba: values and layout', () => {
  it('writes NCHW planes in RGB order', () => {
    expect([...preprocessRgba(img, 2, 1, base)]).toEqual([255, 0, 0, 0, 0, 255]);
  });

  it('swaps to BGR and applies scale, mean and std per channel', () => {
    const out = preprocessRgba(img, 2, 1, { ...base, channelOrder: 'BGR', scale: 1 / 255, mean: [0.5, 0, 0.5], std: [0.5, 1, 0.25] });
    // B plane: (0 - .5)/.5, (1 - .5)/.5 ; G plane: 0, 0 ; R plane: (1 - .5)/.25, (0 - .5)/.25
    const expected = [-1, 1, 0, 0, 2, -2];
    out.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  });

  it('writes NHWC interleaved', () => {
    expect([...preprocessRgba(img, 2, 1, { ...base, layout: 'NHWC' })]).toEqual([255, 0, 0, 0, 0, 255]);
    expect(recipeDims({ ...base, layout: 'NHWC' })).toEqual([1, 1, 2, 3]);
    expect(recipeDims(base)).toEqual([1, 3, 1, 2]);
  });

  it('rejects a pixel buffer shorter than the stated size, and zero sizes', () => {
    expect(() => preprocessRgba(img, 3, 1, base)).toThrow(QbError);
    expect(() => preprocessRgba(img, 0, 1, base)).toThrow(/whole number of pixels/);
    expect(() => preprocessRgba(img, 2, 1, { ...base, width: 0 })).toThrow(QbError);
  });
});

describe('stretch resize', () => {
  it('antialiases a 2x downscale like PIL (triangle filter, support 2 source pixels)', () => {
    // 4x1 -> 2x1. Output 0: centre 1, taps 0..2, weights .75 .75 .25 (/1.75) -> (0*.75 + 100*.75 + 200*.25)/1.75 = 71.43
    // Output 1: centre 3, taps 1..3, weights .25 .75 .75 -> (25 + 150 + 191.25)/1.75 = 209.29
    const out = preprocessRgba(gray([0, 100, 200, 255]), 4, 1, base);
    expect([out[0], out[1]]).toEqual([71, 209]);
  });

  it('upscales with exact bilinear interpolation, half-pixel centres and clamped edges', () => {
    // 2x1 -> 4x1: centres at source x 0.25, 0.75, 1.25, 1.75 -> 0 (clamped), 25, 75, 100 (clamped)
    const out = preprocessRgba(gray([0, 100]), 2, 1, { ...base, width: 4 });
    expect([...out.subarray(0, 4)]).toEqual([0, 25, 75, 100]);
  });

  it('equals Pillow 9.4 Image.resize(BILINEAR) byte for byte (13x9 noise -> 4x3)', () => {
    const { rgba } = noise(13, 9, 2463534242);
    const rgb = resizeToRgb(rgba, 13, 9, { ...base, width: 4, height: 3 });
    expect([...rgb]).toEqual(hex('718b7c8291627e718a6e62765775818774867980817671954562646c6e61a06a88736f82'));
  });
});

/** torchvision Resize(shorter) + CenterCrop, written the slow, obvious way: a float 2-D filter over the whole resized image, then a slice. */
function torchvisionReference(rgb: Uint8Array, w: number, h: number, shorter: number, crop: number): number[] {
  const rw = w <= h ? shorter : Math.trunc((shorter * w) / h);
  const rh = w <= h ? Math.trunc((shorter * h) / w) : shorter;
  const weights = (inSize: number, outSize: number, j: number): Map<number, number> => {
    const scale = inSize / outSize;
    const support = Math.max(1, scale);
    const centre = (j + 0.5) * scale;
    const m = new Map<number, number>();
    let sum = 0;
    for (let s = 0; s < inSize; s++) {
      const d = Math.abs(s + 0.5 - centre) / support;
      if (d < 1) {
        m.set(s, 1 - d);
        sum += 1 - d;
      }
    }
    for (const [s, v] of m) m.set(s, v / sum);
    return m;
  };
  const pyRound = (v: number): number => (Math.abs(v - Math.trunc(v)) === 0.5 ? 2 * Math.round(v / 2) : Math.round(v));
  const left = pyRound((rw - crop) / 2);
  const top = pyRound((rh - crop) / 2);
  const out: number[] = [];
  for (let y = top; y < top + crop; y++) {
    const wy = weights(h, rh, y);
    for (let x = left; x < left + crop; x++) {
      const wx = weights(w, rw, x);
      for (let c = 0; c < 3; c++) {
        let v = 0;
        for (const [sy, a] of wy) for (const [sx, b] of wx) v += a * b * rgb[(sy * w + sx) * 3 + c]!;
        out.push(v);
      }
    }
  }
  return out;
}

describe('shorter-side-crop resize (torchvision Resize + CenterCrop)', () => {
  const crop = (size: number, shorter: number): PreprocessRecipe => ({ ...base, width: size, height: size, resize: 'shorter-side-crop', resizeShorterTo: shorter });

  it('computes torchvision sizes and crop offsets, Python rounding included', () => {
    // 500x375, Resize(256): long side int(256 * 500 / 375) = 341; crop left round(58.5) = 58 (half to even), top 16
    expect(resizeGeometry(500, 375, crop(224, 256))).toMatchObject({ resizedWidth: 341, resizedHeight: 256, offsetX: 58, offsetY: 16, filter: 'pil' });
    // portrait 375x500 -> 256x341
    expect(resizeGeometry(375, 500, crop(224, 256))).toMatchObject({ resizedWidth: 256, resizedHeight: 341, offsetX: 16, offsetY: 58 });
    // 227x227 (imagenet-val-1300) -> 256x256, crop at 16,16
    expect(resizeGeometry(227, 227, crop(224, 256))).toMatchObject({ resizedWidth: 256, resizedHeight: 256, offsetX: 16, offsetY: 16 });
    // (5 - 2) / 2 = 1.5 -> 2 ; (7 - 2) / 2 = 2.5 -> 2
    expect(resizeGeometry(5, 2, crop(2, 2)).offsetX).toBe(2);
    expect(resizeGeometry(7, 2, crop(2, 2)).offsetX).toBe(2);
  });

  it('crops the centre without resampling when the shorter side already has the size', () => {
    // 4x2 gray 0..7, shorter side 2 -> unchanged; crop 2x2 at left round(1) = 1: columns 1 and 2
    const out = preprocessRgba(gray([0, 1, 2, 3, 4, 5, 6, 7]), 4, 2, crop(2, 2));
    expect([...out.subarray(0, 4)]).toEqual([1, 2, 5, 6]);
  });

  it('pads with zeros like torchvision CenterCrop when the resized image is smaller than the crop', () => {
    // 2x2 stays 2x2 (shorter side 2); crop 4x4: pad left/top floor(2 / 2) = 1
    const out = preprocessRgba(gray([10, 20, 30, 40]), 2, 2, crop(4, 2));
    expect([...out.subarray(0, 16)]).toEqual([0, 0, 0, 0, 0, 10, 20, 0, 0, 30, 40, 0, 0, 0, 0, 0]);
  });

  const { rgba: small, rgb: smallRgb } = noise(13, 9, 2463534242);

  it('equals Pillow 9.4 + torchvision byte for byte on a downscale (13x9 -> Resize(7) 10x7 -> crop 6 at 2,0)', () => {
    expect(resizeGeometry(13, 9, crop(6, 7))).toMatchObject({ resizedWidth: 10, resizedHeight: 7, offsetX: 2, offsetY: 0 });
    const rgb = resizeToRgb(small, 13, 9, crop(6, 7));
    expect([...rgb]).toEqual(
      hex(
        '717d5a858a2769662fa4956f976d966638b388935990cf67727674845b7f6e789e856e9783977fb0a1ac785b877ca5625f677a3677978b66d7784658b6887b8b968666a450a25fa47aa1b544575d7c81958ca0976460989354ae694a3b4a725d9e8873cd75a6ce7ca4a53fb2',
      ),
    );
  });

  it('equals Pillow 9.4 + torchvision byte for byte on an upscale (13x9 -> Resize(20) 28x20 -> crop 16 at 6,2)', () => {
    expect(resizeGeometry(13, 9, crop(16, 20))).toMatchObject({ resizedWidth: 28, resizedHeight: 20, offsetX: 6, offsetY: 2 });
    const rgb = resizeToRgb(small, 13, 9, crop(16, 20));
    expect([...rgb]).toEqual(
      hex(
        '65978161c54570c8457fc84873b73761a021698f2e80824c9a7e67b7857ec18494a976ab936ac28b66d78463ea9263c053b48a7bee5e79f26275f56764ee504fe33369b93e9c7d5cb56575b37087ac759f9870c78e6ee7ac81e4c892e1a78ad58b7b5d959e389cbf53a3e0708cbe6f6d8c676d70777f5f928357937a58796f607163748b5e82a07d7898996e90746489c34230b04e13c08b44d1ca79b48e8d8a359c7227b06241c85149b140406c324a432d794f2f96584e6f4b6a4a40403f3c9478619a7b5db09f84c6c3acad8c9b883f7e76418e706cb76b82a568845962803455715a4b677a4a78804887863657725fb59781b0af9db6c8b8bde1a48da8834f5b7b6067809ca18ac09696ce4597ba288268696c34a24882bd28cad52e73af6598b69493d39a8fc49d8ab3996f83934e4d997162a7b79ea6d19a96bd5887a43a7c7e5e726781688aa35faac35a6fba8359ccb858e69c50a37c475e8e464caa4847c27c6ad7cba1c2d0a6838a7a5c6f5861a14a6dc145939168b7648b995fb38559dead65f2834c9256302e6d3333953c53b37777cccc9db8cca27877894e596c4da44b59d3379e8f58de4f79a953b26c9aed72bcf84e8490294723383439532b706d628886b99088c58f7383855c64773e8562369c56898371d56c8e894bb964b8e45be4e0399f8716552c233b493c2c83505d9463b08f71c18c7a8e88716d83426c7d2d6b7b837090d074a57549b88d80a0a4927678726e48506765506e945a79a084909ac0ac9ac7b19e9b9e967597785fa66b4cb3a549b9d947c07f58a4b04b5fe44414af4755754c9c9f6590e28470e7a78cceccc5c2cad2c1a3b3bb7ca9ad55caa732e4c627dfe11ed9896492705444862f27654f4741726a5a776a817661a08872bca38fcb9ca2cc74aacb61aec779a6c783a5d553c2e027dc8a4a9f305c29281a3b1b57390e9938158a432068525a6858ab7a58d56e71d744a2da46b2e29d82e8d466e480a5df30df8c2fad4c613c6431343a6b2e0daa29228a4646556c7a4b65b65846c3514ca23876943f87aa8567bfb457d18092e14fc88f5592',
      ),
    );
  });

  it.each([
    // Pillow sums over all bytes (sum, sum of squares) and the first/last 4 pixels.
    { name: '300x200 -> Resize(73) 109x73 -> crop 64 at 22,4 (4x downscale)', w: 300, h: 200, seed: 88172645, size: 64, shorter: 73, sum: 1567470, sq: 203919280, first: [117, 114, 140, 106, 100, 139, 120, 163, 117, 116, 112, 120], last: [112, 166, 128, 144, 132, 141, 141, 144, 116, 128, 129, 114] },
    { name: '61x45 -> Resize(256) 347x256 -> crop 224 at 62,16 (upscale)', w: 61, h: 45, seed: 12345, size: 224, shorter: 256, sum: 19160300, sq: 2803934108, first: [98, 109, 151, 119, 139, 147, 139, 171, 144, 158, 198, 141], last: [93, 161, 183, 113, 149, 149, 133, 136, 113, 153, 124, 78] },
  ])('equals Pillow 9.4 + torchvision on $name', ({ w, h, seed, size, shorter, sum, sq, first, last }) => {
    const rgb = resizeToRgb(noise(w, h, seed).rgba, w, h, crop(size, shorter));
    let s = 0;
    let s2 = 0;
    for (const v of rgb) {
      s += v;
      s2 += v * v;
    }
    expect({ s, s2 }).toEqual({ s: sum, s2: sq });
    expect([...rgb.subarray(0, 12)]).toEqual(first);
    expect([...rgb.subarray(rgb.length - 12)]).toEqual(last);
  });

  it('agrees within one 8-bit level with an independent float torchvision reference (down, up, 4x down)', () => {
    const cases = [
      { w: 13, h: 9, seed: 2463534242, size: 6, shorter: 7 },
      { w: 13, h: 9, seed: 2463534242, size: 16, shorter: 20 },
      { w: 40, h: 30, seed: 7, size: 7, shorter: 8 },
      { w: 9, h: 14, seed: 99, size: 5, shorter: 6 },
    ];
    for (const c of cases) {
      const { rgba, rgb } = noise(c.w, c.h, c.seed);
      const mine = resizeToRgb(rgba, c.w, c.h, crop(c.size, c.shorter));
      const expected = torchvisionReference(rgb, c.w, c.h, c.shorter, c.size);
      // PIL rounds to 8 bits after the horizontal and after the vertical pass: at most ~1 level apart.
      const worst = expected.reduce((m, v, i) => Math.max(m, Math.abs(v - mine[i]!)), 0);
      expect(worst).toBeLessThanOrEqual(1.01);
    }
    expect(smallRgb.length).toBe(13 * 9 * 3);
  });

  it('applies BGR and the Caffe mean after the crop', () => {
    const out = preprocessRgba(new Uint8Array([10, 20, 30, 255]), 1, 1, { ...crop(1, 1), channelOrder: 'BGR', mean: [104, 117, 123] });
    expect([...out]).toEqual([30 - 104, 20 - 117, 10 - 123]);
  });
});

describe('letterbox resize', () => {
  const box = (w: number, h: number, placement: 'top-left' | 'center'): PreprocessRecipe => ({ ...base, width: w, height: h, resize: 'letterbox', letterbox: { padValue: 114, placement } });

  it('sizes like YOLOX (int(side * r)) at the top-left and like Ultralytics (round) in the centre', () => {
    // r = min(5/6, 5/8) = 0.625; 6 * r = 3.75 -> 3 (YOLOX int()) or 4 (round)
    expect(resizeGeometry(8, 6, box(5, 5, 'top-left'))).toMatchObject({ resizedWidth: 5, resizedHeight: 3, offsetX: 0, offsetY: 0, scaleX: 0.625, filter: 'linear', padValue: 114 });
    // centre: dh = (5 - 4) / 2 = 0.5 -> top round(0.4) = 0, bottom round(0.6) = 1
    expect(resizeGeometry(8, 6, box(5, 5, 'center'))).toMatchObject({ resizedWidth: 5, resizedHeight: 4, offsetX: 0, offsetY: 0 });
    // 640x480 into 416: r = 0.65 -> 416x312
    expect(resizeGeometry(640, 480, box(416, 416, 'top-left'))).toMatchObject({ resizedWidth: 416, resizedHeight: 312, offsetY: 0 });
    expect(resizeGeometry(640, 480, box(416, 416, 'center'))).toMatchObject({ resizedWidth: 416, resizedHeight: 312, offsetY: -52 });
    // strong downscale (r < 0.5): antialiased filter
    expect(resizeGeometry(4000, 3000, box(416, 416, 'top-left')).filter).toBe('pil');
  });

  it('pastes at the top-left and pads with 114 in pixel space, before normalisation', () => {
    // 4x2 into 4x4 (r = 1): rows 0-1 are the image, rows 2-3 are 114, then / 2 by the scale
    const out = preprocessRgba(gray([0, 10, 20, 30, 40, 50, 60, 70]), 4, 2, { ...box(4, 4, 'top-left'), scale: 0.5 });
    expect([...out.subarray(0, 16)]).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 57, 57, 57, 57, 57, 57, 57, 57]);
  });

  it('centres the image between pad bands', () => {
    // 4x2 into 4x4: dh = 1 -> one pad row above, one below
    const out = preprocessRgba(gray([0, 10, 20, 30, 40, 50, 60, 70]), 4, 2, box(4, 4, 'center'));
    expect([...out.subarray(0, 16)]).toEqual([114, 114, 114, 114, 0, 10, 20, 30, 40, 50, 60, 70, 114, 114, 114, 114]);
  });

  it('resamples like cv2.resize(INTER_LINEAR): a 2x downscale averages 2x2 blocks', () => {
    // 4x4 -> r = 0.5 into 2x2: sx = floor((i + .5) * 2 - .5) = 2i with fraction .5
    const src = gray([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30]);
    const out = preprocessRgba(src, 4, 4, box(2, 2, 'top-left'));
    expect([...out.subarray(0, 4)]).toEqual([5, 9, 21, 25]);
  });

  it('upscales bilinearly with clamped edges (cv2)', () => {
    // 2x1 [0, 100] into 4x4: r = 2 -> 4x2, rows 2-3 padded; row values at x = -.25 (clamped), .25, .75, 1.25 (clamped)
    const out = preprocessRgba(gray([0, 100]), 2, 1, box(4, 4, 'top-left'));
    expect([...out.subarray(0, 8)]).toEqual([0, 25, 75, 100, 0, 25, 75, 100]);
    expect(out[8]).toBe(114);
  });
});

describe('uint8 / float16 tensors and stats', () => {
  it('preprocessToUint8 keeps pixels in the recipe order and layout, and refuses normalising recipes', () => {
    expect([...preprocessToUint8(img, 2, 1, { ...base, channelOrder: 'BGR', layout: 'NHWC' })]).toEqual([0, 0, 255, 255, 0, 0]);
    expect(() => preprocessToUint8(img, 2, 1, { ...base, scale: 1 / 255 })).toThrow(/8-bit pixels/);
  });

  it('preprocessToTensor dispatches on dtype', () => {
    const f16 = preprocessToTensor(img, 2, 1, { ...base, scale: 1 / 255, dtype: 'float16' });
    expect(f16.dtype).toBe('float16');
    expect(f16.data).toBeInstanceOf(Uint16Array);
    expect([...f16.data].map((b) => fromFloat16Bits(b))).toEqual([1, 0, 0, 0, 0, 1]);
    expect(preprocessToTensor(img, 2, 1, { ...base, dtype: 'uint8' }).data).toBeInstanceOf(Uint8Array);
    const f32 = preprocessToTensor(img, 2, 1, base);
    expect(f32).toMatchObject({ dtype: 'float32', dims: [1, 3, 1, 2] });
  });

  it('tensorStats gives min/max/mean per channel in model order, NCHW and NHWC', () => {
    const recipe = { ...base, channelOrder: 'BGR' as const };
    const tensor = preprocessRgba(img, 2, 1, recipe);
    expect(tensorStats(tensor, recipe)).toEqual([
      { channel: 'B', min: 0, max: 255, mean: 127.5 },
      { channel: 'G', min: 0, max: 0, mean: 0 },
      { channel: 'R', min: 0, max: 255, mean: 127.5 },
    ]);
    const nhwc = { ...base, layout: 'NHWC' as const };
    expect(tensorStats(preprocessRgba(img, 2, 1, nhwc), nhwc)[0]).toEqual({ channel: 'R', min: 0, max: 255, mean: 127.5 });
    expect(tensorStats(new Float32Array(0), base)[0]).toEqual({ channel: 'R', min: 0, max: 0, mean: 0 });
  });
});
