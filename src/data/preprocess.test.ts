// Preprocessing maths: channel order, scale/mean/std, layouts and bilinear resize, checked by hand-made pixels.
import { describe, expect, it } from 'vitest';
import { preprocessRgba, recipeDims, type PreprocessRecipe } from './preprocess';

const base: PreprocessRecipe = { width: 2, height: 1, layout: 'NCHW', channelOrder: 'RGB', scale: 1, mean: [0, 0, 0], std: [1, 1, 1], resize: 'stretch' };
// Two pixels: pure red and pure blue (alpha ignored).
const img = new Uint8ClampedArray([255, 0, 0, 255, 0, 0, 255, 7]);

describe('preprocessRgba', () => {
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
  });

  it('resizes bilinearly with half-pixel centres', () => {
    // 4x1 gradient 0, 100, 200, 255 -> 2x1 samples at x = 1 and 3 (source centres 0.5 / 2.5): 50 and 227.5
    const grad = new Uint8ClampedArray([0, 0, 0, 255, 100, 0, 0, 255, 200, 0, 0, 255, 255, 0, 0, 255]);
    const out = preprocessRgba(grad, 4, 1, base);
    expect(out[0]).toBeCloseTo(50, 5);
    expect(out[1]).toBeCloseTo(227.5, 5);
  });
});
