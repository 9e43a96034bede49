// Which samples calibrate and which check an INT8 variant: spread over the whole (class-sorted) list, never shared.
import { describe, expect, it } from 'vitest';
import { INT8_CHECK_SAMPLES, splitSamples, spreadIndices } from './int8-inputs';
import { CHECK_INPUTS } from '../src/pipeline/int8';

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

  it('uses as many check samples as the engine takes', () => {
    expect(INT8_CHECK_SAMPLES).toBe(CHECK_INPUTS);
  });
});
