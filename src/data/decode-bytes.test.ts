// Node image decoding: JPEG/PNG colour types, bit depths, palette, EXIF orientation and plain errors.
import { readFileSync } from 'node:fs';
import { encode as encodePng } from 'fast-png';
import { encode as encodeJpeg } from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { hasSharedData, sharedPath } from '../../test/shared-data';
import { decodeImageBytes, exifOrientation, upsampleH2V1, upsampleH2V2 } from './decode-bytes';

/** 16x8 RGBA: left half red, right half blue. */
function halves(): Uint8Array {
  const rgba = new Uint8Array(16 * 8 * 4);
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 16; x++) rgba.set(x < 8 ? [255, 0, 0, 255] : [0, 0, 255, 255], (y * 16 + x) * 4);
  }
  return rgba;
}

const pixel = (img: { width: number; rgba: Uint8Array }, x: number, y: number): number[] => [...img.rgba.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4)];

/** Inserts an APP1 EXIF segment (big-endian TIFF, one IFD entry: Orientation) right after SOI. */
function withOrientation(jpeg: Uint8Array, orientation: number): Uint8Array {
  const tiff = [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0, 0, 0];
  const payload = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
  const length = payload.length + 2;
  const app1 = [0xff, 0xe1, length >> 8, length & 0xff, ...payload];
  return new Uint8Array([...jpeg.subarray(0, 2), ...app1, ...jpeg.subarray(2)]);
}

describe('decodeImageBytes', () => {
  it('decodes a JPEG to RGBA', () => {
    const jpeg = new Uint8Array(encodeJpeg({ width: 16, height: 8, data: halves() }, 95).data);
    const img = decodeImageBytes(jpeg, 'h.jpg');
    expect([img.width, img.height]).toEqual([16, 8]);
    const red = pixel(img, 2, 4);
    expect(red[0]).toBeGreaterThan(230);
    expect(red[2]).toBeLessThan(25);
    expect(red[3]).toBe(255);
  });

  it('applies EXIF orientation like browsers (6 = rotate 90° clockwise)', () => {
    const jpeg = new Uint8Array(encodeJpeg({ width: 16, height: 8, data: halves() }, 95).data);
    expect(exifOrientation(jpeg)).toBe(1);
    const rotated = withOrientation(jpeg, 6);
    expect(exifOrientation(rotated)).toBe(6);
    const img = decodeImageBytes(rotated, 'r.jpg');
    expect([img.width, img.height]).toEqual([8, 16]);
    // The left (red) half is now on top.
    expect(pixel(img, 4, 2)[0]).toBeGreaterThan(230);
    expect(pixel(img, 4, 13)[2]).toBeGreaterThan(230);
    const ccw = decodeImageBytes(withOrientation(jpeg, 8), 'l.jpg');
    expect(pixel(ccw, 4, 13)[0]).toBeGreaterThan(230);
    const mirrored = decodeImageBytes(withOrientation(jpeg, 2), 'm.jpg');
    expect([mirrored.width, mirrored.height]).toEqual([16, 8]);
    expect(pixel(mirrored, 2, 4)[2]).toBeGreaterThan(230);
  });

  it('decodes PNG RGBA, grayscale+alpha and 16-bit exactly', () => {
    const rgba = new Uint8Array([10, 20, 30, 40, 250, 240, 230, 220]);
    expect([...decodeImageBytes(encodePng({ width: 2, height: 1, data: rgba, channels: 4, depth: 8 }), 'a.png').rgba]).toEqual([...rgba]);
    const ga = decodeImageBytes(encodePng({ width: 2, height: 1, data: new Uint8Array([7, 100, 200, 255]), channels: 2, depth: 8 }), 'ga.png');
    expect([...ga.rgba]).toEqual([7, 7, 7, 100, 200, 200, 200, 255]);
    const deep = decodeImageBytes(encodePng({ width: 1, height: 1, data: new Uint16Array([65535, 32768, 0]), channels: 3, depth: 16 }), 'd.png');
    expect([...deep.rgba]).toEqual([255, 128, 0, 255]);
  });

  it('unpacks 1-, 2- and 4-bit grayscale rows (rows start on a byte)', () => {
    // 3x2 image at 2 bits: values 0,1,2 / 3,0,1 -> 0, 85, 170 / 255, 0, 85. Each row is one byte.
    const twoBit = decodeImageBytes(encodePng({ width: 3, height: 2, data: new Uint8Array([0b00011000, 0b11000100]), channels: 1, depth: 2 }), 'g2.png');
    expect([...twoBit.rgba].filter((_, i) => i % 4 === 0)).toEqual([0, 85, 170, 255, 0, 85]);
    const oneBit = decodeImageBytes(encodePng({ width: 9, height: 1, data: new Uint8Array([0b10100000, 0b10000000]), channels: 1, depth: 1 }), 'g1.png');
    expect([...oneBit.rgba].filter((_, i) => i % 4 === 0)).toEqual([255, 0, 255, 0, 0, 0, 0, 0, 255]);
    const fourBit = decodeImageBytes(encodePng({ width: 2, height: 1, data: new Uint8Array([0x3f]), channels: 1, depth: 4 }), 'g4.png');
    expect([...fourBit.rgba]).toEqual([51, 51, 51, 255, 255, 255, 255, 255]);
  });

  it('looks up palette colours with their tRNS alpha', () => {
    // Translucent entries first: fast-png's encoder writes only the non-opaque alphas, in order.
    const palette = [[255, 0, 0, 128], [0, 255, 0, 0], [0, 0, 255, 255]];
    const png = encodePng({ width: 3, height: 1, data: new Uint8Array([0b00011000]), channels: 1, depth: 2, palette });
    expect([...decodeImageBytes(png, 'p.png').rgba]).toEqual(palette.flat());
  });

  it('upsamples chroma like libjpeg (fancy upsampling), worked by hand', () => {
    // 2x2 plane -> 4x4. Row 0 column sums (edge row repeated): 0*3+0 = 0, 160*3+160 = 640, so
    // (0*4+8)>>4 = 0, (0*3+640+7)>>4 = 40, (640*3+0+8)>>4 = 120, (640*4+7)>>4 = 160; and so on.
    const up = upsampleH2V2(new Uint8Array([0, 160, 16, 0]), 2, 2, 4, 4);
    expect([...up]).toEqual([0, 40, 120, 160, 4, 33, 91, 120, 12, 19, 33, 40, 16, 12, 4, 0]);
    // Odd output width drops the last computed column.
    expect([...upsampleH2V2(new Uint8Array([0, 160, 16, 0]), 2, 2, 3, 3)]).toEqual([0, 40, 120, 4, 33, 91, 12, 19, 33]);
    // 4:2:2: (3*100 + 0 + 1) >> 2 = 75, (3*100 + 200 + 2) >> 2 = 125; edges repeat.
    expect([...upsampleH2V1(new Uint8Array([0, 100, 200]), 3, 1, 6, 1)]).toEqual([0, 25, 75, 125, 175, 200]);
  });

  it('explains files that are not images, are empty or are damaged', () => {
    expect(() => decodeImageBytes(new TextEncoder().encode('hello'), 'notes.jpg')).toThrow(/not a JPEG or PNG/);
    expect(() => decodeImageBytes(new Uint8Array(0), 'empty.jpg')).toThrow(/empty/);
    const jpeg = new Uint8Array(encodeJpeg({ width: 16, height: 8, data: halves() }, 95).data);
    try {
      decodeImageBytes(jpeg.subarray(0, 40), 'cut.jpg');
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ code: 'bad-image' });
      expect((err as Error).message).toContain('"cut.jpg" could not be decoded as a JPEG');
    }
  });

  it.skipIf(!hasSharedData())('expands the grayscale ImageNet sample JPEGs to R = G = B', () => {
    const img = decodeImageBytes(new Uint8Array(readFileSync(sharedPath('images', 'imagenet-sample', 'n04372370_switch.JPEG'))), 'switch');
    expect([img.width, img.height]).toEqual([492, 369]);
    for (let i = 0; i < img.rgba.length; i += 4 * 997) {
      expect(img.rgba[i]).toBe(img.rgba[i + 1]);
      expect(img.rgba[i]).toBe(img.rgba[i + 2]);
      expect(img.rgba[i + 3]).toBe(255);
    }
  });
});
