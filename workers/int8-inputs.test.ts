// Which samples calibrate and which check an INT8 variant: spread over the whole (class-sorted) list, never shared.
import { describe, expect, it } from 'vitest';
import { INT8_CHECK_SAMPLES, splitSamples, spreadIndices } from './int8-inputs';
import { ACCURACY_VALIDATION, CHECK_INPUTS, GUARD_VALIDATION, validationCount } from '../src/pipeline/int8';

describe('spreadIndices / splitSamples', () => {
  it('spreads picks over the whole list, distinct and sorted', () => {
    expect(spreadIndices(10, 5)).toEqual([1, 3, 5, 7, 9]);
    expect(spreadIndices(4, 10)).toEqual([0, 1, 2, 3]);
    expect(spreadIndices(5, 0)).toEqual([]);
    const many = spreadIndices(1000, 300);
    expect(new Set(many).size).toBe(300);
    expect(many[0]).toBeLessThan(5);
    expect(many.at(-1)).toBeGreaterThan(995);
  });

  it('holds the check samples out of calibration, spread too', () => {
    // 10 classes x 100 sorted images: calibration and check both cover every class.
    const { calibration, check } = splitSamples(1000, 300);
    expect(calibration).toHaveLength(300);
    expect(check).toHaveLength(INT8_CHECK_SAMPLES);
    expect(check.filter((i) => calibration.includes(i))).toEqual([]);
    expect(new Set(calibration.map((i) => Math.floor(i / 100))).size).toBe(10);
    expect(new Set(check.map((i) => Math.floor(i / 125))).size).toBe(8);
  });

  it('24 images, 16 calibrate, the other 8 check; nothing left means no check samples', () => {
    const { calibration, check } = splitSamples(24, 16);
    expect(calibration).toHaveLength(16);
    expect([...calibration, ...check].sort((a, b) => a - b)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(splitSamples(48, 300)).toEqual({ calibration: Array.from({ length: 48 }, (_, i) => i), check: [] });
    expect(splitSamples(30, 0)).toEqual({ calibration: [], check: spreadIndices(30, 8) });
  });

  it('keeps validation samples apart for the guard even when the subset would take every image (a quarter at most)', () => {
    // coco128 with the guard: 96 calibrate, 32 validate, disjoint and both spread.
    const { calibration, check } = splitSamples(128, 300, GUARD_VALIDATION, GUARD_VALIDATION);
    expect(calibration).toHaveLength(96);
    expect(check).toHaveLength(32);
    expect(check.filter((i) => calibration.includes(i))).toEqual([]);
    expect(Math.min(...check)).toBeLessThan(8);
    expect(Math.max(...check)).toBeGreaterThan(120);
    // 40 images: a quarter (10) apart, never more.
    expect(splitSamples(40, 300, 32, 32).check).toHaveLength(10);
  });

  it('validation size: accuracy search 1000, guard 32, else the check; capped by memory; dynamic needs only the check', () => {
    const image224 = 4 * 3 * 224 * 224;
    expect(validationCount({ accuracy: { goal: { metric: 'top1', maxDrop: 1 } } }, 4 * 3 * 32 * 32)).toBe(ACCURACY_VALIDATION);
    expect(validationCount({ accuracy: { goal: { metric: 'top1', maxDrop: 1 } } }, image224)).toBe(445); // 256 MB of inputs
    expect(validationCount({}, image224)).toBe(GUARD_VALIDATION);
    expect(validationCount({ guard: false }, image224)).toBe(CHECK_INPUTS);
    expect(validationCount({ mode: 'dynamic' }, image224)).toBe(CHECK_INPUTS);
    expect(validationCount({}, 512 * 2 ** 20)).toBe(CHECK_INPUTS); // huge inputs: never fewer than the check needs
  });

  it('uses as many check samples as the engine takes', () => {
    expect(INT8_CHECK_SAMPLES).toBe(CHECK_INPUTS);
  });
});
