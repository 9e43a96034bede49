// float16 conversion edge cases: signed zeros, subnormals, overflow to Inf, NaN, ties to even, round trips.
import { describe, expect, it } from 'vitest';
import { float16BitsToFloats, floatsToFloat16Bits, fromFloat16Bits, toFloat16Bits } from './float16';

describe('float16', () => {
  it('encodes well-known values exactly', () => {
    expect(toFloat16Bits(0)).toBe(0x0000);
    expect(toFloat16Bits(-0)).toBe(0x8000);
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(2 ** -14)).toBe(0x0400); // smallest normal
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(toFloat16Bits(Infinity)).toBe(0x7c00);
    expect(toFloat16Bits(-Infinity)).toBe(0xfc00);
    expect(toFloat16Bits(NaN) & 0x7c00).toBe(0x7c00);
    expect(toFloat16Bits(NaN) & 0x03ff).not.toBe(0);
  });

  it('overflows to Inf past the largest finite half and underflows to signed zero', () => {
    expect(toFloat16Bits(65520)).toBe(0x7c00); // halfway between 65504 and 65536 rounds to even = Inf
    expect(toFloat16Bits(65519)).toBe(0x7bff);
    expect(toFloat16Bits(2 ** -26)).toBe(0x0000);
    expect(toFloat16Bits(-(2 ** -26))).toBe(0x8000);
  });

  it('rounds ties to even', () => {
    // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: even mantissa (1) wins.
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    // 1 + 3 * 2^-11 is halfway between 1+2^-10 (odd) and 1+2^-9 (even).
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    // subnormal tie: 1.5 * 2^-24 -> 2 * 2^-24 (even)
    expect(toFloat16Bits(1.5 * 2 ** -24)).toBe(0x0002);
    expect(toFloat16Bits(2.5 * 2 ** -24)).toBe(0x0002);
  });

  it('round-trips every finite half exactly', () => {
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00) continue;
      expect(toFloat16Bits(fromFloat16Bits(h))).toBe(h);
    }
  });

  it('converts arrays both ways', () => {
    const values = new Float32Array([0.1, -3.5, 1000, 1e-5]);
    const back = float16BitsToFloats(floatsToFloat16Bits(values));
    values.forEach((v, i) => expect(back[i]!).toBeCloseTo(v, 2));
  });
});
