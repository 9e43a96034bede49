// Image decoding in pure JS for Node (CLI, tests): JPEG via jpeg-js, PNG via fast-png, to RGBA bytes.
// The browser uses its own codecs (decode-image.ts); this mirrors it: EXIF orientation applied, alpha kept.
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
 * Decodes JPEG or PNG bytes to RGBA (8 bits per channel). JPEG: baseline and progressive, grayscale,
 * RGB/YCbCr and CMYK/YCCK (Adobe), EXIF orientation applied like browsers do; 12-bit and arithmetic-coded
 * JPEGs are not supported by jpeg-js. PNG: every colour type and bit depth (16-bit is rounded to 8),
 * palette and tRNS transparency; APNG gives its first frame. Colour profiles are ignored (as the browser
 * path does with colorSpaceConversion 'none').
 * @throws QbError('bad-image') with a plain message when the bytes are not a readable JPEG/PNG.
 */
export function decodeImageBytes(bytes: Uint8Array, name: string): DecodedBytes {
  if (bytes.length === 0) throw new QbError('bad-image', `"${name}" is empty (0 bytes).`);
  if (isJpeg(bytes)) return decodeJpegBytes(bytes, name);
  if (isPng(bytes)) return decodePngBytes(bytes, name);
  throw new QbError('bad-image', `"${name}" is not a JPEG or PNG image, so it cannot be read here. Convert it to JPEG or PNG.`);
}

function decodeJpegBytes(bytes: Uint8Array, name: string): DecodedBytes {
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_MEGAPIXELS, maxMemoryUsageInMB: 1024 });
  } catch (err) {
    throw new QbError('bad-image', `"${name}" could not be decoded as a JPEG image. It may be damaged, cut short, or use a JPEG variant that is not supported.`, String(err));
  }
  if (decoded.width === 0 || decoded.height === 0) throw new QbError('bad-image', `"${name}" has no pixels.`);
  const image = { width: decoded.width, height: decoded.height, rgba: decoded.data };
  return orient(image, exifOrientation(bytes));
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
