// Procedural demo data: a seeded PRNG, labelled 32x32 shape images (circle/square/triangle/cross), a
// minimal PNG encoder/decoder (8-bit RGB/RGBA, filter 0 only) and RGBA -> NCHW float conversion.
// Pure functions shared by scripts/make-demo.ts and test/demo-model.test.ts.
import { deflateSync, inflateSync } from 'node:zlib';
import { makeRng, type Rng } from '../src/shared/rng';

export { makeRng, type Rng };

/** The demo classes, in the order of the model's logits. */
export const SHAPE_CLASSES = ['circle', 'square', 'triangle', 'cross'] as const;
export type ShapeClass = (typeof SHAPE_CLASSES)[number];

/** Side of every demo image, in pixels. */
export const IMAGE_SIZE_PX = 32;

/** A uniform random number generator returning values in [0, 1). */


function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng();
}

/** Approximately normal noise (Irwin-Hall with 4 terms): cheap and bounded, so no pixel explodes. */
function gaussianish(rng: Rng): number {
  return (rng() + rng() + rng() + rng() - 2) * Math.sqrt(3);
}

type Rgb = [number, number, number];

function luma(c: Rgb): number {
  return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
}

/** Random foreground/background pair whose brightness differs enough that the shape is always visible. */
function contrastingColours(rng: Rng): { fg: Rgb; bg: Rgb } {
  const minLumaGap = 70;
  for (;;) {
    const fg: Rgb = [rng() * 255, rng() * 255, rng() * 255];
    const bg: Rgb = [rng() * 255, rng() * 255, rng() * 255];
    if (Math.abs(luma(fg) - luma(bg)) >= minLumaGap) return { fg, bg };
  }
}

/**
 * Inside-test for a shape in its own frame (u, v relative to the centre, already rotated), with
 * `radiusPx` the circumscribed radius so every class covers a comparable extent.
 */
function insideShape(cls: ShapeClass, u: number, v: number, radiusPx: number): boolean {
  switch (cls) {
    case 'circle':
      return u * u + v * v <= radiusPx * radiusPx;
    case 'square': {
      const half = radiusPx / Math.SQRT2;
      return Math.abs(u) <= half && Math.abs(v) <= half;
    }
    case 'triangle': {
      // Equilateral, apex up (v grows downwards as image rows do).
      // Apex at (0, -r), base corners at (+-r*sqrt(3)/2, r/2): inside the base and both slanted edges.
      return v <= radiusPx / 2 && v >= -radiusPx + Math.sqrt(3) * Math.abs(u);
    }
    case 'cross': {
      const armHalfWidth = radiusPx * 0.3;
      return (Math.abs(u) <= radiusPx && Math.abs(v) <= armHalfWidth) || (Math.abs(v) <= radiusPx && Math.abs(u) <= armHalfWidth);
    }
  }
}

/**
 * Renders one labelled image: a filled shape with random contrasting colours, random position and size,
 * a small random rotation (not for circles, where it means nothing), 4x4 supersampled edges and mild noise.
 * Returns 32x32 RGBA (alpha 255), row-major.
 */
export function renderShape(cls: ShapeClass, rng: Rng): Uint8ClampedArray {
  const size = IMAGE_SIZE_PX;
  const { fg, bg } = contrastingColours(rng);
  const radiusPx = uniform(rng, 6, 12.5);
  const marginPx = radiusPx + 0.5;
  const cx = uniform(rng, marginPx, size - marginPx);
  const cy = uniform(rng, marginPx, size - marginPx);
  const maxRotationRad = (20 * Math.PI) / 180;
  const angleRad = cls === 'circle' ? 0 : uniform(rng, -maxRotationRad, maxRotationRad);
  const cos = Math.cos(angleRad);
  const sin = Math.sin(angleRad);
  const noiseSigma = uniform(rng, 2, 8);
  const subsamples = 4;
  const out = new Uint8ClampedArray(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let hits = 0;
      for (let sy = 0; sy < subsamples; sy++) {
        for (let sx = 0; sx < subsamples; sx++) {
          const dx = x + (sx + 0.5) / subsamples - cx;
          const dy = y + (sy + 0.5) / subsamples - cy;
          const u = cos * dx + sin * dy;
          const v = -sin * dx + cos * dy;
          if (insideShape(cls, u, v, radiusPx)) hits++;
        }
      }
      const coverage = hits / (subsamples * subsamples);
      const o = (y * size + x) * 4;
      for (let c = 0; c < 3; c++) {
        out[o + c] = bg[c]! + (fg[c]! - bg[c]!) * coverage + noiseSigma * gaussianish(rng);
      }
      out[o + 3] = 255;
    }
  }
  return out;
}

/**
 * RGBA pixels -> NCHW float32 [3, height, width] in RGB order, scaled by 1/255 (the demo model's
 * preprocessing: mean 0, std 1). Written into `out` at `offset` when given, to fill batches without copies.
 */
export function rgbaToNchw(rgba: Uint8ClampedArray | Uint8Array, widthPx: number, heightPx: number, out?: Float32Array, offset = 0): Float32Array {
  const plane = widthPx * heightPx;
  const dst = out ?? new Float32Array(3 * plane);
  const scale = 1 / 255;
  for (let i = 0; i < plane; i++) {
    dst[offset + i] = rgba[i * 4]! * scale;
    dst[offset + plane + i] = rgba[i * 4 + 1]! * scale;
    dst[offset + 2 * plane + i] = rgba[i * 4 + 2]! * scale;
  }
  return dst;
}

const CRC_TABLE = ((): Uint32Array => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const PNG_SIGNATURE = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const chunk = new Uint8Array(12 + data.length);
  const dv = new DataView(chunk.buffer);
  dv.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) chunk[4 + i] = type.charCodeAt(i);
  chunk.set(data, 8);
  dv.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
  return chunk;
}

/** Encodes RGBA pixels as an 8-bit PNG, RGB (alpha dropped, the demo images are opaque) or RGBA. */
export function encodePng(rgba: Uint8ClampedArray | Uint8Array, widthPx: number, heightPx: number, channels: 3 | 4 = 3): Uint8Array {
  const stride = widthPx * channels + 1;
  const scanlines = new Uint8Array(stride * heightPx);
  for (let y = 0; y < heightPx; y++) {
    scanlines[y * stride] = 0; // filter type 0 (None): simplest, and tiny images gain little from filtering
    for (let x = 0; x < widthPx; x++) {
      for (let c = 0; c < channels; c++) scanlines[y * stride + 1 + x * channels + c] = rgba[(y * widthPx + x) * 4 + c]!;
    }
  }
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, widthPx);
  hv.setUint32(4, heightPx);
  header[8] = 8; // bit depth
  header[9] = channels === 4 ? 6 : 2; // colour type: 6 = RGBA, 2 = RGB
  const parts = [PNG_SIGNATURE, pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(scanlines, { level: 9 })), pngChunk('IEND', new Uint8Array(0))];
  const total = parts.reduce((sum, p) => sum + p.length, 0);
  const png = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    png.set(p, at);
    at += p.length;
  }
  return png;
}

/**
 * Decodes the PNGs encodePng writes (8-bit RGB or RGBA, non-interlaced, every row filter 0) to RGBA.
 * @throws Error for any other PNG form or a bad signature/CRC.
 */
export function decodePng(png: Uint8Array): { widthPx: number; heightPx: number; rgba: Uint8ClampedArray } {
  for (let i = 0; i < PNG_SIGNATURE.length; i++) if (png[i] !== PNG_SIGNATURE[i]) throw new Error('Not a PNG file.');
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let at = PNG_SIGNATURE.length;
  let widthPx = 0;
  let heightPx = 0;
  let channels = 0;
  const idat: Uint8Array[] = [];
  while (at + 12 <= png.length) {
    const length = dv.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + length);
    if (crc32(png.subarray(at + 4, at + 8 + length)) !== dv.getUint32(at + 8 + length)) throw new Error(`PNG chunk ${type} has a bad CRC.`);
    if (type === 'IHDR') {
      widthPx = dv.getUint32(at + 8);
      heightPx = dv.getUint32(at + 12);
      const bitDepth = data[8];
      const colourType = data[9];
      const interlace = data[12];
      if (bitDepth !== 8 || (colourType !== 2 && colourType !== 6) || interlace !== 0) {
        throw new Error(`Unsupported PNG form (bit depth ${bitDepth}, colour type ${colourType}, interlace ${interlace}).`);
      }
      channels = colourType === 6 ? 4 : 3;
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
    at += 12 + length;
  }
  if (channels === 0) throw new Error('PNG has no IHDR chunk.');
  const compressed = new Uint8Array(idat.reduce((sum, d) => sum + d.length, 0));
  let o = 0;
  for (const d of idat) {
    compressed.set(d, o);
    o += d.length;
  }
  const scanlines = inflateSync(compressed);
  const stride = widthPx * channels + 1;
  if (scanlines.length < stride * heightPx) throw new Error('PNG image data is truncated.');
  const rgba = new Uint8ClampedArray(widthPx * heightPx * 4);
  for (let y = 0; y < heightPx; y++) {
    if (scanlines[y * stride] !== 0) throw new Error(`PNG row ${y} uses filter ${scanlines[y * stride]}; only filter 0 is supported.`);
    for (let x = 0; x < widthPx; x++) {
      const src = y * stride + 1 + x * channels;
      const dst = (y * widthPx + x) * 4;
      rgba[dst] = scanlines[src]!;
      rgba[dst + 1] = scanlines[src + 1]!;
      rgba[dst + 2] = scanlines[src + 2]!;
      rgba[dst + 3] = channels === 4 ? scanlines[src + 3]! : 255;
    }
  }
  return { widthPx, heightPx, rgba };
}
