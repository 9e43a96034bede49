// Image decoding in pure JS for Node (CLI, tests): JPEG via jpeg-js (finished like libjpeg), PNG via fast-png.
// The browser uses its own codecs (decode-image.ts); this mirrors them: EXIF orientation applied, alpha kept.
import { decode as decodeJpeg } from 'jpeg-js';
import { decode as decodePng, type DecodedPng } from 'fast-png';
import { QbError } from '../shared/errors';

export interface DecodedBytes {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel, row-major. Grayscale is replicated to R=G=B; no alpha means 255. */
  rgba: Uint8Array;
}

/** Largest image we decode, in megapixels: a 100 MP RGBA image already takes 400 MB. */
const MAX_MEGAPIXELS = 100;

const isJpeg = (b: Uint8Array): boolean => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
const isPng = (b: Uint8Array): boolean => b.length > 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;

/**
 * Decodes JPEG or PNG bytes to RGBA (8 bits per channel).
 * JPEG: baseline and progressive; grayscale, YCbCr, RGB and CMYK/YCCK (Adobe) as jpeg-js reads them; EXIF
 * orientation applied as browsers do. Plain YCbCr files get libjpeg's chroma upsampling and colour
 * conversion (yccToRgba), so pixels match Pillow/Chromium closely. 12-bit and arithmetic-coded JPEGs are
 * not supported by jpeg-js.
 * PNG: every colour type and bit depth (16-bit rounded to 8), palette and tRNS transparency; APNG gives its
 * first frame. Colour profiles are ignored, as the browser path does with colorSpaceConversion 'none'.
 * @throws QbError('bad-image') with a plain message when the bytes are not a readable JPEG/PNG.
 */
export function decodeImageBytes(bytes: Uint8Array, name: string): DecodedBytes {
  if (bytes.length === 0) throw new QbError('bad-image', `"${name}" is empty (0 bytes).`);
  if (isJpeg(bytes)) return decodeJpegBytes(bytes, name);
  if (isPng(bytes)) return decodePngBytes(bytes, name);
  throw new QbError('bad-image', `"${name}" is not a JPEG or PNG image, so it cannot be read here. Convert it to JPEG or PNG.`);
}

function decodeJpegBytes(bytes: Uint8Array, name: string): DecodedBytes {
  const header = readJpegHeader(bytes);
  const ycc = plainYcc(header);
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    // For plain YCbCr files we take jpeg-js's raw Y/Cb/Cr samples and finish like libjpeg (see yccToRgba).
    decoded = decodeJpeg(bytes, {
      useTArray: true,
      formatAsRGBA: !ycc,
      colorTransform: ycc ? false : undefined,
      maxResolutionInMP: MAX_MEGAPIXELS,
      maxMemoryUsageInMB: 1024,
    });
  } catch (err) {
    throw new QbError('bad-image', `"${name}" could not be decoded as a JPEG image. It may be damaged, cut short, or use a JPEG variant that is not supported.`, String(err));
  }
  const { width, height } = decoded;
  if (width === 0 || height === 0) throw new QbError('bad-image', `"${name}" has no pixels.`);
  const rgba = ycc ? yccToRgba(decoded.data, width, height, header.components) : decoded.data;
  return orient({ width, height, rgba }, header.orientation);
}

interface JpegComponent {
  id: number;
  /** Horizontal and vertical sampling factors from the frame header. */
  h: number;
  v: number;
}

interface JpegHeader {
  components: JpegComponent[];
  /** An Adobe APP14 segment is present (it decides the colour transform itself). */
  adobe: boolean;
  /** EXIF orientation 1-8 (1 when absent). */
  orientation: number;
}

/** Reads the markers before the first scan: frame components, Adobe APP14, EXIF orientation. Never throws. */
function readJpegHeader(bytes: Uint8Array): JpegHeader {
  const header: JpegHeader = { components: [], adobe: false, orientation: exifOrientation(bytes) };
  let at = 2;
  while (at + 4 <= bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1]!;
    if (marker === 0xda || marker === 0xd9) break;
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    const start = at + 4;
    // SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc && start + 6 <= bytes.length) {
      const count = bytes[start + 5]!;
      for (let i = 0; i < count && start + 8 + i * 3 < bytes.length; i++) {
        const hv = bytes[start + 7 + i * 3]!;
        header.components.push({ id: bytes[start + 6 + i * 3]!, h: hv >> 4, v: hv & 15 });
      }
    }
    if (marker === 0xee && start + 5 <= bytes.length && String.fromCharCode(...bytes.subarray(start, start + 5)) === 'Adobe') header.adobe = true;
    at = start + length - 2;
  }
  return header;
}

/** Three components, no Adobe marker and not tagged R/G/B: JFIF YCbCr, which we convert ourselves. */
function plainYcc(header: JpegHeader): boolean {
  const ids = header.components.map((c) => c.id);
  const rgbIds = ids[0] === 0x52 && ids[1] === 0x47 && ids[2] === 0x42;
  return header.components.length === 3 && !header.adobe && !rgbIds;
}

// libjpeg's fixed-point YCbCr -> RGB tables (jdcolor.c, SCALEBITS = 16).
const ONE_HALF = 1 << 15;
const fix = (x: number): number => Math.round(x * 65536);
const CR_R = new Int32Array(256);
const CB_B = new Int32Array(256);
const CR_G = new Int32Array(256);
const CB_G = new Int32Array(256);
for (let i = 0; i < 256; i++) {
  const x = i - 128;
  CR_R[i] = (fix(1.402) * x + ONE_HALF) >> 16;
  CB_B[i] = (fix(1.772) * x + ONE_HALF) >> 16;
  CR_G[i] = -fix(0.71414) * x;
  CB_G[i] = -fix(0.34414) * x + ONE_HALF;
}

const clamp8 = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

/**
 * Finishes a YCbCr JPEG the way libjpeg(-turbo) does by default, as Pillow, OpenCV and Chromium decode it:
 * "fancy" (triangle-filter) chroma upsampling for 4:2:0 and 4:2:2, then fixed-point colour conversion.
 * jpeg-js itself repeats chroma samples (nearest) and truncates its float conversion. On SqueezeNet and the
 * 1,300 ImageNet val images of ../shared/data (all 4:2:0) that alone put top-1 at ~70.9-71.0% against the
 * reference 70.00% (onnxruntime on Pillow-decoded images); with this path it is 70.31% (see the golden test).
 * `ycc` is jpeg-js's output with colorTransform off: Y, Cb, Cr per pixel, chroma repeated from its plane,
 * so chroma sample (j, i) of an h2 / v2 plane sits at pixel (2j, 2i).
 */
function yccToRgba(ycc: Uint8Array, width: number, height: number, components: readonly JpegComponent[]): Uint8Array {
  const [y, cb, cr] = components;
  const h2 = y !== undefined && cb !== undefined && cr !== undefined && cb.h === cr.h && cb.v === cr.v && cb.h === 1 && cb.v === 1 ? y.h : 1;
  const v2 = y !== undefined && cb !== undefined && cr !== undefined && cb.h === 1 && cb.v === 1 ? y.v : 1;
  const n = width * height;
  // Full-resolution chroma; null means "read it from ycc as is" (4:4:4, or layouts we do not filter).
  let cbFull: Uint8Array | null = null;
  let crFull: Uint8Array | null = null;
  if (h2 === 2 && (v2 === 1 || v2 === 2)) {
    const planeW = Math.ceil(width / 2);
    const planeH = Math.ceil(height / v2);
    const plane = (offset: number): Uint8Array => {
      const out = new Uint8Array(planeW * planeH);
      for (let i = 0; i < planeH; i++) for (let j = 0; j < planeW; j++) out[i * planeW + j] = ycc[(i * v2 * width + 2 * j) * 3 + offset]!;
      return out;
    };
    const up = v2 === 2 ? upsampleH2V2 : upsampleH2V1;
    cbFull = up(plane(1), planeW, planeH, width, height);
    crFull = up(plane(2), planeW, planeH, width, height);
  }
  // 4:4:0 and 4:1:1 are rare; they keep jpeg-js's repeated samples.
  const rgba = new Uint8Array(n * 4);
  for (let p = 0; p < n; p++) {
    const luma = ycc[p * 3]!;
    const b = cbFull !== null ? cbFull[p]! : ycc[p * 3 + 1]!;
    const r = crFull !== null ? crFull[p]! : ycc[p * 3 + 2]!;
    rgba[p * 4] = clamp8(luma + CR_R[r]!);
    rgba[p * 4 + 1] = clamp8(luma + ((CB_G[b]! + CR_G[r]!) >> 16));
    rgba[p * 4 + 2] = clamp8(luma + CB_B[b]!);
    rgba[p * 4 + 3] = 255;
  }
  return rgba;
}

/**
 * libjpeg's h2v1_fancy_upsample of a planeW x planeH chroma plane to width x height (4:2:2): each output
 * sample is 3/4 of the nearer input plus 1/4 of the further one, rounding biases 1 and 2 (in quarters).
 */
export function upsampleH2V1(plane: Uint8Array, planeW: number, planeH: number, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let row = 0; row < Math.min(planeH, height); row++) {
    const inRow = row * planeW;
    const outRow = row * width;
    for (let j = 0; j < planeW; j++) {
      const here = plane[inRow + j]! * 3;
      const left = j > 0 ? (here + plane[inRow + j - 1]! + 1) >> 2 : plane[inRow]!;
      const right = j < planeW - 1 ? (here + plane[inRow + j + 1]! + 2) >> 2 : plane[inRow + j]!;
      if (2 * j < width) out[outRow + 2 * j] = left;
      if (2 * j + 1 < width) out[outRow + 2 * j + 1] = right;
    }
  }
  return out;
}

/**
 * libjpeg's h2v2_fancy_upsample of a planeW x planeH chroma plane to width x height (4:2:0): a triangle filter in both directions (9/16, 3/16, 3/16, 1/16) with the
 * edge rows and columns repeated, and the same alternating rounding biases (8 and 7, in sixteenths).
 */
export function upsampleH2V2(plane: Uint8Array, planeW: number, planeH: number, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const colSums = new Int32Array(planeW);
  for (let oy = 0; oy < height; oy++) {
    const row = oy >> 1;
    const near = row * planeW;
    const far = ((oy & 1) === 0 ? Math.max(row - 1, 0) : Math.min(row + 1, planeH - 1)) * planeW;
    for (let j = 0; j < planeW; j++) colSums[j] = plane[near + j]! * 3 + plane[far + j]!;
    const outRow = oy * width;
    for (let j = 0; j < planeW; j++) {
      const here = colSums[j]!;
      const left = j > 0 ? (here * 3 + colSums[j - 1]! + 8) >> 4 : (here * 4 + 8) >> 4;
      const right = j < planeW - 1 ? (here * 3 + colSums[j + 1]! + 7) >> 4 : (here * 4 + 7) >> 4;
      if (2 * j < width) out[outRow + 2 * j] = left;
      if (2 * j + 1 < width) out[outRow + 2 * j + 1] = right;
    }
  }
  return out;
}

function decodePngBytes(bytes: Uint8Array, name: string): DecodedBytes {
  let png: DecodedPng;
  try {
    png = decodePng(bytes);
  } catch (err) {
    throw new QbError('bad-image', `"${name}" could not be decoded as a PNG image. It may be damaged or cut short.`, String(err));
  }
  const { width, height } = png;
  if (width === 0 || height === 0) throw new QbError('bad-image', `"${name}" has no pixels.`);
  if (width * height > MAX_MEGAPIXELS * 1e6) throw new QbError('bad-image', `"${name}" is too large to decode (${width}x${height} pixels).`);
  return { width, height, rgba: pngToRgba(png) };
}

/** PNG samples of any depth/colour type to RGBA8. Depths below 8 are bit-packed per row (rows start on a byte). */
function pngToRgba(png: DecodedPng): Uint8Array {
  const { width, height, depth, channels, data, palette, transparency } = png;
  const out = new Uint8Array(width * height * 4);
  const maxValue = (1 << depth) - 1;
  const rowSamples = width * channels;
  const rowBytes = depth < 8 ? Math.ceil((rowSamples * depth) / 8) : rowSamples;
  /** Raw sample s (0..channels-1) of pixel (x, y), in 0..maxValue. */
  const raw = (x: number, y: number, s: number): number => {
    if (depth >= 8) return data[y * rowSamples + x * channels + s]!;
    const bit = (x * channels + s) * depth;
    const byte = data[y * rowBytes + (bit >> 3)]!;
    return (byte >> (8 - depth - (bit & 7))) & maxValue;
  };
  const to8 = (v: number): number => (depth === 8 ? v : Math.round((v * 255) / maxValue));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      if (palette !== undefined) {
        const entry = palette[raw(x, y, 0)] ?? [0, 0, 0, 0];
        out[o] = entry[0] ?? 0;
        out[o + 1] = entry[1] ?? 0;
        out[o + 2] = entry[2] ?? 0;
        out[o + 3] = entry[3] ?? 255;
        continue;
      }
      const gray = channels <= 2;
      const r = raw(x, y, 0);
      const g = gray ? r : raw(x, y, 1);
      const b = gray ? r : raw(x, y, 2);
      let a = channels === 2 ? to8(raw(x, y, 1)) : channels === 4 ? to8(raw(x, y, 3)) : 255;
      // tRNS on gray/RGB images names one colour (in raw sample values) that is fully transparent.
      if (transparency !== undefined && (channels === 1 || channels === 3)) {
        const clear = gray ? r === transparency[0] : r === transparency[0] && g === transparency[1] && b === transparency[2];
        if (clear) a = 0;
      }
      out[o] = to8(r);
      out[o + 1] = to8(g);
      out[o + 2] = to8(b);
      out[o + 3] = a;
    }
  }
  return out;
}

/** EXIF orientation (1-8) from a JPEG's APP1 segment; 1 when absent or unreadable. */
export function exifOrientation(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 2;
  while (at + 4 <= bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1]!;
    // Start of scan or end of image: EXIF comes before the pixel data.
    if (marker === 0xda || marker === 0xd9) break;
    const length = view.getUint16(at + 2);
    const start = at + 4;
    if (marker === 0xe1 && start + 14 <= bytes.length && view.getUint32(start) === 0x45786966 /* "Exif" */) {
      const tiff = start + 6;
      const little = view.getUint16(tiff) === 0x4949;
      const u16 = (p: number): number => view.getUint16(p, little);
      const u32 = (p: number): number => view.getUint32(p, little);
      if (tiff + 8 > bytes.length) return 1;
      const ifd = tiff + u32(tiff + 4);
      if (ifd + 2 > bytes.length) return 1;
      const entries = u16(ifd);
      for (let i = 0; i < entries; i++) {
        const entry = ifd + 2 + i * 12;
        if (entry + 12 > bytes.length) return 1;
        if (u16(entry) === 0x0112) {
          const value = u16(entry + 8);
          return value >= 1 && value <= 8 ? value : 1;
        }
      }
      return 1;
    }
    at = start + length - 2;
  }
  return 1;
}

/** Applies an EXIF orientation to RGBA pixels (5-8 swap width and height). */
export function orient(image: DecodedBytes, orientation: number): DecodedBytes {
  if (orientation <= 1 || orientation > 8) return image;
  const { width: w, height: h, rgba } = image;
  const swap = orientation >= 5;
  const outW = swap ? h : w;
  const outH = swap ? w : h;
  const out = new Uint8Array(rgba.length);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      // Source pixel shown at (x, y) after the transform EXIF asks for.
      let sx: number;
      let sy: number;
      switch (orientation) {
        case 2: [sx, sy] = [w - 1 - x, y]; break; // mirror horizontally
        case 3: [sx, sy] = [w - 1 - x, h - 1 - y]; break; // rotate 180
        case 4: [sx, sy] = [x, h - 1 - y]; break; // mirror vertically
        case 5: [sx, sy] = [y, x]; break; // transpose
        case 6: [sx, sy] = [y, h - 1 - x]; break; // rotate 90 clockwise
        case 7: [sx, sy] = [w - 1 - y, h - 1 - x]; break; // transverse
        default: [sx, sy] = [w - 1 - y, x]; break; // 8: rotate 90 counter-clockwise
      }
      const s = (sy * w + sx) * 4;
      const o = (y * outW + x) * 4;
      out[o] = rgba[s]!;
      out[o + 1] = rgba[s + 1]!;
      out[o + 2] = rgba[s + 2]!;
      out[o + 3] = rgba[s + 3]!;
    }
  }
  return { width: outW, height: outH, rgba: out };
}
