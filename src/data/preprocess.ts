// Preprocessing recipes as pure functions on RGBA bytes: resize (stretch, shorter-side + centre crop, letterbox),
// channel order, scale/mean/std and layout, reproducing the reference tools (PIL/torchvision, OpenCV/YOLOX) pixel for pixel.
import { floatsToFloat16Bits } from '../onnx/float16';
import { QbError } from '../shared/errors';
import type { PreprocessRecipe } from './types';

export type { PreprocessRecipe } from './types';

/*
 * Resampling filters, and why there are two.
 *
 * 'pil' is PIL's BILINEAR resize, which torchvision's Resize uses on PIL images (the classic ImageNet
 * evaluation pipeline): a separable triangle filter with half-pixel centres whose support grows with the
 * downscale factor (support = max(1, in/out) source pixels each side), so a strong downscale averages every
 * source pixel instead of aliasing. When upscaling it is exactly bilinear interpolation with half-pixel
 * centres and edge clamping. It is computed the way PIL computes it: 22-bit fixed-point weights, a
 * horizontal pass rounded to 8 bits, then a vertical pass rounded to 8 bits, so the output bytes equal
 * PIL's (checked against Pillow 9.4 in preprocess.test.ts).
 *
 * 'linear' is OpenCV's cv2.resize(INTER_LINEAR), which YOLOX and Ultralytics use for their letterbox:
 * 2x2 bilinear taps with half-pixel centres, no antialiasing, rounded once to 8 bits (OpenCV's own
 * fixed-point rounding can differ by one level). Aliasing gets bad beyond a 2x downscale, so a letterbox
 * that shrinks an image more than that uses 'pil' instead: it departs from OpenCV only where OpenCV's output
 * is poor (e.g. a 4000x3000 photo into 416x416).
 *
 * 'stretch' and 'shorter-side-crop' use 'pil'; 'letterbox' uses 'linear' (or 'pil' below a 0.5 scale).
 */

/** Resampling filter used for one image. */
export type ResizeFilter = 'pil' | 'linear';

/** Where the source image lands in the model's input: resized size, offset of the output window, filter. */
export interface ResizeGeometry {
  /** Size of the whole resized image, in pixels, before cropping or padding. */
  resizedWidth: number;
  resizedHeight: number;
  /**
   * Output pixel (x, y) shows resized pixel (x + offsetX, y + offsetY). Positive offsets crop (centre crop),
   * negative ones pad (centred letterbox); pixels outside the resized image are padding.
   */
  offsetX: number;
  offsetY: number;
  /** Resized size / source size per axis: divide model-space coordinates by it to get source pixels. */
  scaleX: number;
  scaleY: number;
  filter: ResizeFilter;
  /** Pixel value (0-255, every channel) of padding, before scale/mean/std. */
  padValue: number;
}

/** Python's round(): halves go to the even neighbour (torchvision's CenterCrop and Ultralytics use it). */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

function checkPositiveInt(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new QbError('bad-image', `The ${what} must be a whole number of pixels above zero (got ${value}).`);
  }
}

/**
 * Where a srcWidth x srcHeight image lands in the recipe's input window.
 * - stretch: resized to width x height.
 * - shorter-side-crop: like torchvision Resize(resizeShorterTo) + CenterCrop: the shorter side becomes
 *   resizeShorterTo and the longer one int(resizeShorterTo * long / short); the crop's top-left is
 *   round((resized - crop) / 2) with Python's rounding. Without resizeShorterTo, round(max(w, h) * 256 / 224).
 * - letterbox: r = min(width / srcWidth, height / srcHeight). Top-left (YOLOX): int(src * r) per side, pasted at
 *   (0, 0). Centre (Ultralytics): round(src * r), padded by round(d / 2 -+ 0.1) on each side. Default pad 114.
 * @throws QbError('bad-image') for non-positive sizes.
 */
export function resizeGeometry(srcWidth: number, srcHeight: number, recipe: PreprocessRecipe): ResizeGeometry {
  checkPositiveInt(srcWidth, 'image width');
  checkPositiveInt(srcHeight, 'image height');
  checkPositiveInt(recipe.width, 'model input width');
  checkPositiveInt(recipe.height, 'model input height');
  const { width, height } = recipe;
  if (recipe.resize === 'shorter-side-crop') {
    const shorterTo = recipe.resizeShorterTo ?? Math.round((Math.max(width, height) * 256) / 224);
    checkPositiveInt(shorterTo, 'shorter-side size');
    const short = Math.min(srcWidth, srcHeight);
    const long = Math.max(srcWidth, srcHeight);
    // torchvision: new_long = int(size * long / short), evaluated left to right in doubles like Python.
    const newLong = Math.max(1, Math.floor((shorterTo * long) / short));
    const resizedWidth = srcWidth <= srcHeight ? shorterTo : newLong;
    const resizedHeight = srcWidth <= srcHeight ? newLong : shorterTo;
    // torchvision CenterCrop pads with zeros (left/top by floor(diff / 2)) when the image is smaller than the crop.
    const offset = (resized: number, crop: number): number =>
      resized >= crop ? roundHalfEven((resized - crop) / 2) : -Math.floor((crop - resized) / 2);
    return {
      resizedWidth,
      resizedHeight,
      offsetX: offset(resizedWidth, width),
      offsetY: offset(resizedHeight, height),
      scaleX: resizedWidth / srcWidth,
      scaleY: resizedHeight / srcHeight,
      filter: 'pil',
      padValue: 0,
    };
  }
  if (recipe.resize === 'letterbox') {
    const padValue = recipe.letterbox?.padValue ?? 114;
    const centre = recipe.letterbox?.placement === 'center';
    const r = Math.min(height / srcHeight, width / srcWidth);
    const toSize = (src: number, limit: number): number => Math.min(limit, Math.max(1, centre ? roundHalfEven(src * r) : Math.floor(src * r)));
    const resizedWidth = toSize(srcWidth, width);
    const resizedHeight = toSize(srcHeight, height);
    const padBefore = (d: number): number => (centre ? Math.round(d / 2 - 0.1) : 0);
    return {
      resizedWidth,
      resizedHeight,
      offsetX: 0 - padBefore(width - resizedWidth), // 0 - x, not -x: no -0
      offsetY: 0 - padBefore(height - resizedHeight),
      scaleX: r,
      scaleY: r,
      filter: r < 0.5 ? 'pil' : 'linear',
      padValue,
    };
  }
  return { resizedWidth: width, resizedHeight: height, offsetX: 0, offsetY: 0, scaleX: width / srcWidth, scaleY: height / srcHeight, filter: 'pil', padValue: 0 };
}

/** For each output index along one axis: the source window start, its weights, or count 0 for padding. */
interface AxisPlan {
  start: Int32Array;
  count: Int32Array;
  /** `taps` weights per output index (PIL: 22-bit fixed-point integers; linear: fractions). */
  weights: Float64Array;
  taps: number;
}

const PIL_PRECISION_BITS = 22;
const PIL_ONE = 1 << PIL_PRECISION_BITS;

/** PIL's precompute_coeffs + normalize_coeffs_8bpc for the BILINEAR (triangle) filter, per output index. */
function pilAxis(inSize: number, resizedSize: number, outSize: number, offset: number): AxisPlan {
  const scale = inSize / resizedSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale; // triangle support 1, widened by the downscale factor
  const invFilterScale = 1 / filterScale; // PIL multiplies by this (not divides): same last bits as PIL
  const taps = Math.ceil(support) * 2 + 1;
  const plan: AxisPlan = { start: new Int32Array(outSize), count: new Int32Array(outSize), weights: new Float64Array(outSize * taps), taps };
  const raw = new Float64Array(taps);
  for (let i = 0; i < outSize; i++) {
    const r = i + offset;
    if (r < 0 || r >= resizedSize) continue;
    const center = (r + 0.5) * scale;
    // C's (int) truncates toward zero; PIL clamps afterwards.
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const n = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let sum = 0;
    for (let k = 0; k < n; k++) {
      const d = Math.abs((k + xmin - center + 0.5) * invFilterScale);
      const w = d < 1 ? 1 - d : 0;
      raw[k] = w;
      sum += w;
    }
    for (let k = 0; k < n; k++) {
      const w = sum !== 0 ? raw[k]! / sum : raw[k]!;
      plan.weights[i * taps + k] = Math.trunc(0.5 + w * PIL_ONE);
    }
    plan.start[i] = xmin;
    plan.count[i] = n;
  }
  return plan;
}

/** OpenCV INTER_LINEAR taps per output index: sx = floor((i + 0.5) * scale - 0.5), clamped at the edges. */
function linearAxis(inSize: number, resizedSize: number, outSize: number, offset: number): AxisPlan {
  const scale = inSize / resizedSize;
  const plan: AxisPlan = { start: new Int32Array(outSize), count: new Int32Array(outSize), weights: new Float64Array(outSize * 2), taps: 2 };
  for (let i = 0; i < outSize; i++) {
    const r = i + offset;
    if (r < 0 || r >= resizedSize) continue;
    // OpenCV computes the coordinate in single precision.
    let f = Math.fround((r + 0.5) * scale - 0.5);
    let sx = Math.floor(f);
    f -= sx;
    if (sx < 0) {
      sx = 0;
      f = 0;
    }
    if (sx >= inSize - 1) {
      sx = inSize - 1;
      f = 0;
    }
    plan.start[i] = sx;
    plan.count[i] = f === 0 ? 1 : 2;
    plan.weights[i * 2] = 1 - f;
    plan.weights[i * 2 + 1] = f;
  }
  return plan;
}

/** PIL resample: horizontal pass on the rows the vertical pass reads (rounded to 8 bits), then vertical. */
function resamplePil(rgba: Uint8ClampedArray | Uint8Array, srcWidth: number, xs: AxisPlan, ys: AxisPlan, out: Uint8Array, outWidth: number, outHeight: number): void {
  let firstRow = Number.POSITIVE_INFINITY;
  let lastRow = -1;
  for (let y = 0; y < outHeight; y++) {
    if (ys.count[y]! === 0) continue;
    firstRow = Math.min(firstRow, ys.start[y]!);
    lastRow = Math.max(lastRow, ys.start[y]! + ys.count[y]! - 1);
  }
  if (lastRow < 0) return;
  const rows = lastRow - firstRow + 1;
  const mid = new Uint8Array(rows * outWidth * 3);
  const half = PIL_ONE / 2;
  for (let row = 0; row < rows; row++) {
    const srcRow = (firstRow + row) * srcWidth * 4;
    const midRow = row * outWidth * 3;
    for (let x = 0; x < outWidth; x++) {
      const n = xs.count[x]!;
      if (n === 0) continue;
      const s = xs.start[x]!;
      const wBase = x * xs.taps;
      let r = half;
      let g = half;
      let b = half;
      for (let k = 0; k < n; k++) {
        const w = xs.weights[wBase + k]!;
        const p = srcRow + (s + k) * 4;
        r += rgba[p]! * w;
        g += rgba[p + 1]! * w;
        b += rgba[p + 2]! * w;
      }
      const m = midRow + x * 3;
      mid[m] = clip8(r);
      mid[m + 1] = clip8(g);
      mid[m + 2] = clip8(b);
    }
  }
  for (let y = 0; y < outHeight; y++) {
    const n = ys.count[y]!;
    if (n === 0) continue;
    const s = ys.start[y]! - firstRow;
    const wBase = y * ys.taps;
    for (let x = 0; x < outWidth; x++) {
      if (xs.count[x]! === 0) continue;
      for (let c = 0; c < 3; c++) {
        let acc = half;
        for (let k = 0; k < n; k++) acc += mid[((s + k) * outWidth + x) * 3 + c]! * ys.weights[wBase + k]!;
        out[(y * outWidth + x) * 3 + c] = clip8(acc);
      }
    }
  }
}

/** PIL's clip8: a 22-bit fixed-point sum to a byte. */
function clip8(fixed: number): number {
  const v = Math.floor(fixed / PIL_ONE);
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** OpenCV-style bilinear: 2x2 taps in floating point, rounded once. */
function resampleLinear(rgba: Uint8ClampedArray | Uint8Array, srcWidth: number, xs: AxisPlan, ys: AxisPlan, out: Uint8Array, outWidth: number, outHeight: number): void {
  for (let y = 0; y < outHeight; y++) {
    const ny = ys.count[y]!;
    if (ny === 0) continue;
    const y0 = ys.start[y]!;
    const wy0 = ys.weights[y * 2]!;
    const wy1 = ys.weights[y * 2 + 1]!;
    for (let x = 0; x < outWidth; x++) {
      const nx = xs.count[x]!;
      if (nx === 0) continue;
      const x0 = xs.start[x]!;
      const wx0 = xs.weights[x * 2]!;
      const wx1 = xs.weights[x * 2 + 1]!;
      const p00 = (y0 * srcWidth + x0) * 4;
      const p01 = nx === 2 ? p00 + 4 : p00;
      const p10 = ny === 2 ? p00 + srcWidth * 4 : p00;
      const p11 = nx === 2 ? p10 + 4 : p10;
      for (let c = 0; c < 3; c++) {
        const top = rgba[p00 + c]! * wx0 + rgba[p01 + c]! * wx1;
        const bottom = rgba[p10 + c]! * wx0 + rgba[p11 + c]! * wx1;
        const v = Math.round(top * wy0 + bottom * wy1);
        out[(y * outWidth + x) * 3 + c] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
}

/**
 * The image the model sees, in pixel space: width x height x 3 bytes, RGB, row-major, after resize, crop
 * and padding (padding = the geometry's padValue) but before channel order, scale/mean/std and layout.
 * Use it for previews ("what the model sees") and as the first half of every preprocess* function.
 * @param rgba srcWidth x srcHeight x 4 bytes (alpha ignored; grayscale decoders give R = G = B)
 * @throws QbError('bad-image') when the pixel buffer is shorter than the stated size, or sizes are not positive.
 */
export function resizeToRgb(rgba: Uint8ClampedArray | Uint8Array, srcWidth: number, srcHeight: number, recipe: PreprocessRecipe): Uint8Array {
  const geometry = resizeGeometry(srcWidth, srcHeight, recipe);
  if (rgba.length < srcWidth * srcHeight * 4) {
    throw new QbError('bad-image', `The decoded image has fewer pixels than its size says (${srcWidth}x${srcHeight}); it may be damaged.`);
  }
  const { width, height } = recipe;
  const out = new Uint8Array(width * height * 3);
  if (geometry.padValue !== 0) out.fill(Math.min(255, Math.max(0, Math.round(geometry.padValue))));
  const { resizedWidth: rw, resizedHeight: rh, offsetX, offsetY } = geometry;
  if (rw === srcWidth && rh === srcHeight) {
    // No resampling: every filter is the identity at scale 1, so copy the window.
    for (let y = 0; y < height; y++) {
      const sy = y + offsetY;
      if (sy < 0 || sy >= srcHeight) continue;
      for (let x = 0; x < width; x++) {
        const sx = x + offsetX;
        if (sx < 0 || sx >= srcWidth) continue;
        const p = (sy * srcWidth + sx) * 4;
        const o = (y * width + x) * 3;
        out[o] = rgba[p]!;
        out[o + 1] = rgba[p + 1]!;
        out[o + 2] = rgba[p + 2]!;
      }
    }
    return out;
  }
  if (geometry.filter === 'pil') {
    resamplePil(rgba, srcWidth, pilAxis(srcWidth, rw, width, offsetX), pilAxis(srcHeight, rh, height, offsetY), out, width, height);
  } else {
    resampleLinear(rgba, srcWidth, linearAxis(srcWidth, rw, width, offsetX), linearAxis(srcHeight, rh, height, offsetY), out, width, height);
  }
  return out;
}

/** Channel k of the model's order reads RGB channel ORDER[k]. */
function channelIndices(recipe: PreprocessRecipe): readonly [number, number, number] {
  return recipe.channelOrder === 'RGB' ? [0, 1, 2] : [2, 1, 0];
}

/**
 * Turns an RGBA image (srcWidth x srcHeight, 4 bytes per pixel) into the model's float32 input tensor:
 * 3 x height x width values (NCHW) or height x width x 3 (NHWC), each ((pixel * scale) - mean[k]) / std[k]
 * in the recipe's channel order. Resizing follows resizeGeometry/resizeToRgb. Alpha is ignored.
 * @throws QbError('bad-image') for a short pixel buffer or non-positive sizes.
 */
export function preprocessRgba(rgba: Uint8ClampedArray | Uint8Array, srcWidth: number, srcHeight: number, recipe: PreprocessRecipe): Float32Array {
  const rgb = resizeToRgb(rgba, srcWidth, srcHeight, recipe);
  const { width, height } = recipe;
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  const order = channelIndices(recipe);
  // A lookup table per channel: 256 values instead of a multiply-subtract-divide per element.
  const tables = order.map((_, k) => {
    const t = new Float32Array(256);
    for (let v = 0; v < 256; v++) t[v] = (v * recipe.scale - recipe.mean[k]!) / recipe.std[k]!;
    return t;
  });
  for (let k = 0; k < 3; k++) {
    const c = order[k]!;
    const table = tables[k]!;
    if (recipe.layout === 'NCHW') {
      const base = k * plane;
      for (let i = 0; i < plane; i++) out[base + i] = table[rgb[i * 3 + c]!]!;
    } else {
      for (let i = 0; i < plane; i++) out[i * 3 + k] = table[rgb[i * 3 + c]!]!;
    }
  }
  return out;
}

/**
 * The input tensor of a uint8-input model: the resized pixels (0-255) in the recipe's channel order and layout.
 * A uint8 input cannot hold scaled or mean-subtracted values, so the recipe must have scale 1, mean 0, std 1.
 * @throws QbError('unsupported') when the recipe normalises; QbError('bad-image') as preprocessRgba.
 */
export function preprocessToUint8(rgba: Uint8ClampedArray | Uint8Array, srcWidth: number, srcHeight: number, recipe: PreprocessRecipe): Uint8Array {
  if (recipe.scale !== 1 || recipe.mean.some((m) => m !== 0) || recipe.std.some((s) => s !== 1)) {
    throw new QbError(
      'unsupported',
      'This model takes 8-bit pixels (uint8), which cannot be scaled or have a mean subtracted. Set scale 1, mean 0 and std 1 in the preprocessing recipe.',
    );
  }
  const rgb = resizeToRgb(rgba, srcWidth, srcHeight, recipe);
  const plane = recipe.width * recipe.height;
  const order = channelIndices(recipe);
  const out = new Uint8Array(3 * plane);
  for (let k = 0; k < 3; k++) {
    const c = order[k]!;
    for (let i = 0; i < plane; i++) out[recipe.layout === 'NCHW' ? k * plane + i : i * 3 + k] = rgb[i * 3 + c]!;
  }
  return out;
}

/** A model input ready for a runtime: element type, data (float16 as raw IEEE half bits) and dims. */
export interface PreprocessedTensor {
  dtype: 'float32' | 'float16' | 'uint8';
  data: Float32Array | Uint16Array | Uint8Array;
  dims: number[];
}

/**
 * Preprocesses for the recipe's dtype (float32 when absent): float32 -> preprocessRgba, float16 -> the same
 * values as IEEE half bits (Uint16Array), uint8 -> preprocessToUint8.
 * @throws as preprocessRgba / preprocessToUint8.
 */
export function preprocessToTensor(rgba: Uint8ClampedArray | Uint8Array, srcWidth: number, srcHeight: number, recipe: PreprocessRecipe): PreprocessedTensor {
  const dims = recipeDims(recipe);
  const dtype = recipe.dtype ?? 'float32';
  if (dtype === 'uint8') return { dtype, data: preprocessToUint8(rgba, srcWidth, srcHeight, recipe), dims };
  const floats = preprocessRgba(rgba, srcWidth, srcHeight, recipe);
  return dtype === 'float16' ? { dtype, data: floatsToFloat16Bits(floats), dims } : { dtype, data: floats, dims };
}

/** Per-channel summary of a preprocessed tensor, channels in the model's order. */
export interface ChannelStats {
  /** 'R', 'G' or 'B'. */
  channel: string;
  min: number;
  max: number;
  mean: number;
}

/**
 * Min, max and mean of each of the 3 channels of a tensor made by preprocessRgba/preprocessToUint8 with `recipe`
 * (NCHW planes or NHWC interleaved), in the recipe's channel order — the preview table next to the recipe.
 * Empty channels report zeros.
 */
export function tensorStats(tensor: ArrayLike<number>, recipe: Pick<PreprocessRecipe, 'layout' | 'channelOrder'>): ChannelStats[] {
  const names = recipe.channelOrder === 'RGB' ? ['R', 'G', 'B'] : ['B', 'G', 'R'];
  const plane = Math.floor(tensor.length / 3);
  return names.map((channel, k) => {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    let sum = 0;
    for (let i = 0; i < plane; i++) {
      const v = tensor[recipe.layout === 'NCHW' ? k * plane + i : i * 3 + k]!;
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
    return plane === 0 ? { channel, min: 0, max: 0, mean: 0 } : { channel, min, max, mean: sum / plane };
  });
}

/** Input dims the recipe produces, batch 1: [1, 3, H, W] (NCHW) or [1, H, W, 3] (NHWC). */
export function recipeDims(recipe: PreprocessRecipe): number[] {
  return recipe.layout === 'NCHW' ? [1, 3, recipe.height, recipe.width] : [1, recipe.height, recipe.width, 3];
}
