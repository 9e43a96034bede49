// Preprocessing recipes as pure functions on RGBA bytes: resize, channel order, scale/mean/std, layout.
import type { PreprocessRecipe } from './types';

export type { PreprocessRecipe } from './types';

/** Bilinear sample (half-pixel centres, like most resize ops) of channel `c` of an RGBA image. */
function sample(rgba: Uint8ClampedArray | Uint8Array, w: number, h: number, x: number, y: number, c: number): number {
  const fx = Math.min(Math.max(x - 0.5, 0), w - 1);
  const fy = Math.min(Math.max(y - 0.5, 0), h - 1);
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const x1 = Math.min(x0 + 1, w - 1);
  const y1 = Math.min(y0 + 1, h - 1);
  const ax = fx - x0;
  const ay = fy - y0;
  const p = (xx: number, yy: number): number => rgba[(yy * w + xx) * 4 + c]!;
  const top = p(x0, y0) * (1 - ax) + p(x1, y0) * ax;
  const bottom = p(x0, y1) * (1 - ax) + p(x1, y1) * ax;
  return top * (1 - ay) + bottom * ay;
}

/**
 * Turns an RGBA image (srcWidth x srcHeight, 4 bytes per pixel) into the model's float32 input tensor
 * of 3 x height x width values (NCHW) or height x width x 3 (NHWC). Alpha is ignored.
 */
export function preprocessRgba(rgba: Uint8ClampedArray | Uint8Array, srcWidth: number, srcHeight: number, recipe: PreprocessRecipe): Float32Array {
  const { width, height } = recipe;
  const out = new Float32Array(3 * width * height);
  const sx = srcWidth / width;
  const sy = srcHeight / height;
  const order = recipe.channelOrder === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  const same = srcWidth === width && srcHeight === height;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let k = 0; k < 3; k++) {
        const c = order[k]!;
        const v = same ? rgba[(y * srcWidth + x) * 4 + c]! : sample(rgba, srcWidth, srcHeight, (x + 0.5) * sx, (y + 0.5) * sy, c);
        const value = (v * recipe.scale - recipe.mean[k]!) / recipe.std[k]!;
        const at = recipe.layout === 'NCHW' ? k * width * height + y * width + x : (y * width + x) * 3 + k;
        out[at] = value;
      }
    }
  }
  return out;
}

/** Input dims the recipe produces, batch 1. */
export function recipeDims(recipe: PreprocessRecipe): number[] {
  return recipe.layout === 'NCHW' ? [1, 3, recipe.height, recipe.width] : [1, recipe.height, recipe.width, 3];
}
