// Affine quantization maths: symmetric/asymmetric parameters, round-half-even, quantizeArray bit for bit against
// onnxruntime's QuantizeLinear (onnxruntime-node: ModelSession only returns float outputs), per-channel weights,
// int32 biases and SQNR.
import * as ortNode from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { makeModel, node, valueInfo } from '../onnx/build';
import { DataType } from '../onnx/dtypes';
import { encodeModel } from '../onnx/model-io';
import { makeTensor } from '../onnx/tensor-data';
import { makeRng } from '../shared/rng';
import {
  MIN_SCALE,
  QRANGE,
  asymmetricParams,
  dequantizeArray,
  fakeQuantize,
  quantizeArray,
  quantizeBias,
  quantizeWeightsPerChannel,
  roundHalfEven,
  sqnrDb,
  symmetricParams,
  type TensorQParams,
} from './qparams';

const f32 = Math.fround;

describe('symmetricParams', () => {
  it('int8: scale = max(|min|, |max|) / 127, zero point 0', () => {
    expect(symmetricParams(-2, 1, 'int8')).toEqual({ type: 'int8', scale: f32(2 / 127), zeroPoint: 0 });
    expect(symmetricParams(-0.5, 3, 'int8')).toEqual({ type: 'int8', scale: f32(3 / 127), zeroPoint: 0 });
    // Non-negative data still uses the signed grid for int8.
    expect(symmetricParams(0, 6, 'int8')).toEqual({ type: 'int8', scale: f32(6 / 127), zeroPoint: 0 });
  });

  it('uint8 over non-negative data: scale = max / 255, zero point 0 (all 8 bits for ReLU outputs)', () => {
    expect(symmetricParams(0, 5.1, 'uint8')).toEqual({ type: 'uint8', scale: f32(5.1 / 255), zeroPoint: 0 });
    expect(symmetricParams(0.25, 2, 'uint8')).toEqual({ type: 'uint8', scale: f32(2 / 255), zeroPoint: 0 });
  });

  it('uint8 over signed data: scale = max|x| / 127.5, zero point 128', () => {
    expect(symmetricParams(-3, 2, 'uint8')).toEqual({ type: 'uint8', scale: f32(3 / 127.5), zeroPoint: 128 });
    expect(symmetricParams(-1, 4, 'uint8')).toEqual({ type: 'uint8', scale: f32(4 / 127.5), zeroPoint: 128 });
  });

  it('scales are float32 values', () => {
    for (const [lo, hi] of [[-1.1, 0.3], [0, 7.7], [-0.013, 0.021]] as const) {
      for (const type of ['int8', 'uint8'] as const) {
        const { scale } = symmetricParams(lo, hi, type);
        expect(f32(scale)).toBe(scale);
      }
    }
  });

  it('all-zero and constant ranges never give a scale below MIN_SCALE (no division by zero at run time)', () => {
    for (const type of ['int8', 'uint8'] as const) {
      const p = symmetricParams(0, 0, type);
      expect(p.scale).toBeGreaterThanOrEqual(MIN_SCALE);
      expect(Number.isFinite(p.scale)).toBe(true);
      expect(p.zeroPoint).toBe(0);
      expect(quantizeArray([0, 0, 0], p)).toEqual(type === 'int8' ? new Int8Array(3) : new Uint8Array(3));
      // A tiny (but non-zero) range is floored too.
      expect(symmetricParams(-1e-20, 1e-20, type).scale).toBeGreaterThanOrEqual(MIN_SCALE);
    }
    // NaN ranges (corrupt statistics) are floored rather than written as NaN.
    expect(symmetricParams(NaN, NaN, 'int8').scale).toBeGreaterThanOrEqual(MIN_SCALE);
  });
});

describe('asymmetricParams', () => {
  it('scale = (max - min) / 255, zeroPoint = round(qmin - min / scale)', () => {
    const u = asymmetricParams(-1, 3, 'uint8');
    expect(u.scale).toBe(f32(4 / 255));
    expect(u.zeroPoint).toBe(roundHalfEven(0 - -1 / f32(4 / 255)));
    expect(u.zeroPoint).toBe(64);
    const s = asymmetricParams(-1, 3, 'int8');
    expect(s.scale).toBe(f32(4 / 255));
    expect(s.zeroPoint).toBe(roundHalfEven(-128 + 1 / f32(4 / 255)));
    expect(s.zeroPoint).toBe(-64);
  });

  it('widens the range to include 0, so zero (padding) is exactly representable', () => {
    // One-sided positive: min is taken as 0.
    const pos = asymmetricParams(2, 10, 'uint8');
    expect(pos.scale).toBe(f32(10 / 255));
    expect(pos.zeroPoint).toBe(0);
    expect(asymmetricParams(2, 10, 'int8').zeroPoint).toBe(-128);
    // One-sided negative: max is taken as 0.
    const neg = asymmetricParams(-10, -2, 'uint8');
    expect(neg.scale).toBe(f32(10 / 255));
    expect(neg.zeroPoint).toBe(255);
    expect(asymmetricParams(-10, -2, 'int8').zeroPoint).toBe(127);
    // Zero quantizes to the zero point and dequantizes to exactly 0, for skewed ranges too.
    for (const [lo, hi] of [[-0.37, 5.3], [-7.1, 0.2], [-1, 1], [0.5, 0.6], [-3e-3, 4e-2]] as const) {
      for (const type of ['int8', 'uint8'] as const) {
        const p = asymmetricParams(lo, hi, type);
        expect(p.zeroPoint).toBeGreaterThanOrEqual(QRANGE[type].min);
        expect(p.zeroPoint).toBeLessThanOrEqual(QRANGE[type].max);
        expect(quantizeArray([0], p)[0]).toBe(p.zeroPoint);
        expect(dequantizeArray(quantizeArray([0], p), p)[0]).toBe(0);
      }
    }
  });

  it('constant and all-zero tensors give a finite scale >= MIN_SCALE', () => {
    for (const type of ['int8', 'uint8'] as const) {
      const zero = asymmetricParams(0, 0, type);
      expect(zero.scale).toBeGreaterThanOrEqual(MIN_SCALE);
      expect(zero.zeroPoint).toBe(QRANGE[type].min);
      const constant = asymmetricParams(4, 4, type);
      expect(constant.scale).toBe(f32(4 / 255));
      // The constant itself is representable (it is the range's top).
      expect(fakeQuantize([4], constant)[0]).toBeCloseTo(4, 5);
    }
  });
});

describe('roundHalfEven', () => {
  it('rounds halves to the even neighbour, like QuantizeLinear', () => {
    const cases: [number, number][] = [[0.5, 0], [1.5, 2], [2.5, 2], [3.5, 4], [-0.5, 0], [-1.5, -2], [-2.5, -2], [-3.5, -4], [254.5, 254], [255.5, 256]];
    // === rather than toBe: -0.5 may round to -0, which is the same integer.
    for (const [x, want] of cases) expect(roundHalfEven(x) === want, `roundHalfEven(${x}) = ${roundHalfEven(x)}, want ${want}`).toBe(true);
  });

  it('rounds everything else to nearest', () => {
    for (const [x, want] of [[0.49, 0], [0.51, 1], [1.4999, 1], [-0.51, -1], [-1.49, -1], [7, 7], [-7, -7], [1e9 + 0.7, 1e9 + 1]] as const) {
      expect(roundHalfEven(x) === want, `roundHalfEven(${x})`).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// quantizeArray against onnxruntime's QuantizeLinear.

/** A one-node QuantizeLinear model (opset 13) with a per-tensor scale and zero point. */
function quantizeLinearModel(n: number, p: TensorQParams): Uint8Array {
  const zpType = p.type === 'int8' ? DataType.INT8 : DataType.UINT8;
  const zp = p.type === 'int8' ? new Int8Array([p.zeroPoint]) : new Uint8Array([p.zeroPoint]);
  return encodeModel(
    makeModel({
      opset: 13,
      nodes: [node('QuantizeLinear', ['x', 'scale', 'zp'], ['y'])],
      inputs: [valueInfo('x', DataType.FLOAT, [n])],
      outputs: [valueInfo('y', zpType, [n])],
      initializers: [makeTensor('scale', DataType.FLOAT, [], new Float32Array([p.scale])), makeTensor('zp', zpType, [], zp)],
    }),
  );
}

/** 10,000 seeded values for `scale`: random in and around the range, exact halves, boundaries, far out of range. */
function probeValues(scale: number, seed: number): Float32Array {
  const rng = makeRng(seed);
  const out = new Float32Array(10_000);
  let i = 0;
  // Exact halves of the grid: (k + 0.5) · scale, from -300.5 to 299.5 steps (exact in float32 when scale is a power
  // of two; near-halves otherwise, which test the float32 division).
  for (let k = -300; k < 300; k++) out[i++] = (k + 0.5) * scale;
  // Exact grid points and the extreme steps of both types.
  for (let k = -300; k < 300; k++) out[i++] = k * scale;
  // Far out of range, infinities, zeros.
  for (const v of [1e6, -1e6, 3.4e38, -3.4e38, Infinity, -Infinity, 0, -0, 1e-30, -1e-30]) out[i++] = v;
  // Random values over ±400 steps (both types' ranges and beyond), with float32 noise.
  while (i < out.length) {
    const r = rng();
    out[i++] = r < 0.1 ? (Math.round((rng() - 0.5) * 800) + 0.5) * scale : (rng() - 0.5) * 800 * scale;
  }
  return out;
}

describe('quantizeArray matches onnxruntime QuantizeLinear bit for bit', () => {
  const cases: TensorQParams[] = [
    { type: 'uint8', scale: 0.0625, zeroPoint: 128 },
    { type: 'uint8', scale: 0.0625, zeroPoint: 0 },
    { type: 'uint8', scale: f32(0.0173), zeroPoint: 37 },
    { type: 'int8', scale: 0.0625, zeroPoint: 0 },
    { type: 'int8', scale: f32(0.0173), zeroPoint: -10 },
    { type: 'uint8', scale: f32(3 / 127.5), zeroPoint: 128 },
  ];
  it.each(cases)('$type scale $scale zero point $zeroPoint on 10,000 values', async (p) => {
    const x = probeValues(p.scale, 1000 + p.zeroPoint);
    const session = await ortNode.InferenceSession.create(quantizeLinearModel(x.length, p));
    try {
      const out = await session.run({ x: new ortNode.Tensor('float32', x, [x.length]) });
      const ort = out.y!.data as Int8Array | Uint8Array;
      expect(ort).toBeInstanceOf(p.type === 'int8' ? Int8Array : Uint8Array);
      const ours = quantizeArray(x, p);
      const mismatches: string[] = [];
      for (let i = 0; i < x.length; i++) if (ours[i] !== ort[i]) mismatches.push(`x=${x[i]} ours=${ours[i]} ort=${ort[i]}`);
      expect(mismatches.slice(0, 10)).toEqual([]);
      // The probe really covers both clamps and halves.
      expect(ours.includes(QRANGE[p.type].min) && ours.includes(QRANGE[p.type].max)).toBe(true);
    } finally {
      await session.release();
    }
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('quantizeWeightsPerChannel', () => {
  it('axis 0 (Conv [M, C, kH, kW]): one scale per output channel, max|w| / 127', () => {
    const dims = [3, 2, 2, 2];
    const w = new Float32Array(24);
    for (let i = 0; i < 24; i++) w[i] = (i % 8) * (i < 8 ? 0.1 : i < 16 ? -1 : 0.01) - 0.03;
    const q = quantizeWeightsPerChannel(w, dims, 0);
    expect(q.axis).toBe(0);
    expect(q.scales.length).toBe(3);
    for (let c = 0; c < 3; c++) {
      const channel = w.subarray(c * 8, c * 8 + 8);
      const absMax = Math.max(...channel.map(Math.abs));
      expect(q.scales[c]).toBe(f32(absMax / 127));
      for (let k = 0; k < 8; k++) expect(q.data[c * 8 + k]).toBe(roundHalfEven(f32(channel[k]! / q.scales[c]!)));
      // The largest magnitude of each channel maps to ±127.
      expect(Math.max(...q.data.subarray(c * 8, c * 8 + 8).map(Math.abs))).toBe(127);
    }
  });

  it('axis 1 (MatMul B [K, N]): one scale per column', () => {
    const dims = [4, 3];
    const w = Float32Array.from([1, -20, 0.1, -2, 10, 0.2, 0.5, 5, -0.3, 0.25, -2.5, 0.05]);
    const q = quantizeWeightsPerChannel(w, dims, 1);
    const colMax = [2, 20, 0.3];
    expect([...q.scales]).toEqual(colMax.map((m) => f32(m / 127)));
    for (let i = 0; i < w.length; i++) expect(q.data[i]).toBe(roundHalfEven(f32(w[i]! / q.scales[i % 3]!)));
    expect(q.data[1]).toBe(-127);
    expect(q.data[3]).toBe(-127);
    expect(q.data[8]).toBe(-127);
  });

  it('a middle axis of a 3-D weight ([B, K, N] along K)', () => {
    const dims = [2, 3, 2];
    const w = Float32Array.from({ length: 12 }, (_, i) => (i + 1) * (i % 2 === 0 ? 1 : -1));
    const q = quantizeWeightsPerChannel(w, dims, 1);
    // Channel k holds elements b*6 + k*2 + n.
    for (let k = 0; k < 3; k++) {
      const members = [0, 1].flatMap((b) => [0, 1].map((n) => w[b * 6 + k * 2 + n]!));
      expect(q.scales[k]).toBe(f32(Math.max(...members.map(Math.abs)) / 127));
    }
  });

  it('an all-zero channel gets a positive scale and zeros', () => {
    const w = Float32Array.from([0, 0, 0, 0, 1, -2, 0.5, 0]);
    const q = quantizeWeightsPerChannel(w, [2, 4], 0);
    expect(q.scales[0]).toBeGreaterThanOrEqual(MIN_SCALE);
    expect(Number.isFinite(q.scales[0]!)).toBe(true);
    expect([...q.data.subarray(0, 4)]).toEqual([0, 0, 0, 0]);
    expect([...q.data.subarray(4)]).toEqual([64, -127, 32, 0]);
  });

  it('values stay in [-127, 127] (symmetric: -128 never used) and dequantize within half a step', () => {
    const rng = makeRng(7);
    const w = Float32Array.from({ length: 16 * 9 }, () => (rng() - 0.5) * 10 * (rng() < 0.02 ? 50 : 1));
    const q = quantizeWeightsPerChannel(w, [16, 9], 0);
    for (let i = 0; i < w.length; i++) {
      const v = q.data[i]!;
      expect(v).toBeGreaterThanOrEqual(-127);
      expect(v).toBeLessThanOrEqual(127);
      const s = q.scales[Math.floor(i / 9)]!;
      expect(Math.abs(v * s - w[i]!)).toBeLessThanOrEqual(s / 2 + 1e-6 * s * 127);
    }
  });

  it('refuses a length/dims mismatch and an axis out of range', () => {
    expect(() => quantizeWeightsPerChannel(new Float32Array(5), [2, 3], 0)).toThrow(RangeError);
    expect(() => quantizeWeightsPerChannel(new Float32Array(6), [2, 3], 2)).toThrow(RangeError);
    expect(() => quantizeWeightsPerChannel(new Float32Array(6), [2, 3], -1)).toThrow(RangeError);
  });
});

describe('quantizeBias', () => {
  it('per channel: scale[c] = inputScale * weightScale[c], data = round(b / scale), zero point 0', () => {
    const inputScale = f32(0.02);
    const weightScales = Float32Array.from([0.01, 0.002, 0.5]);
    const b = Float32Array.from([0.3, -0.0011, 7]);
    const q = quantizeBias(b, inputScale, weightScales);
    for (let c = 0; c < 3; c++) {
      expect(q.scales[c]).toBe(f32(inputScale * weightScales[c]!));
      expect(q.data[c]).toBe(roundHalfEven(b[c]! / q.scales[c]!));
      expect(Math.abs(q.data[c]! * q.scales[c]! - b[c]!)).toBeLessThanOrEqual(q.scales[c]! / 2);
    }
    expect(q.data).toBeInstanceOf(Int32Array);
  });

  it('per tensor: one weight scale for every channel', () => {
    const q = quantizeBias([1, -1, 0.5], 0.5, [0.25]);
    expect([...q.scales]).toEqual([0.125, 0.125, 0.125]);
    expect([...q.data]).toEqual([8, -8, 4]);
  });

  it('clamps to the int32 range', () => {
    const q = quantizeBias([1e6, -1e6, 3], 1e-4, [1e-4]);
    expect(q.data[0]).toBe(2147483647);
    expect(q.data[1]).toBe(-2147483648);
    expect(q.data[2]).toBe(roundHalfEven(3 / q.scales[2]!));
  });
});

describe('sqnrDb', () => {
  it('identical signals → Infinity', () => {
    expect(sqnrDb([1, -2, 3], [1, -2, 3])).toBe(Infinity);
    expect(sqnrDb(new Float32Array(4), new Float32Array(4))).toBe(Infinity);
  });

  it('10·log10(Σref² / Σ(ref - test)²) on a hand example', () => {
    // signal 3² + 4² = 25, noise 1² = 1 → 10·log10(25).
    expect(sqnrDb([3, 4], [3, 3])).toBeCloseTo(13.979400086720377, 12);
    // signal 1 + 1 + 1 + 1 = 4, noise 4 · 0.1² = 0.04 → 20 dB.
    expect(sqnrDb([1, -1, 1, -1], [1.1, -0.9, 0.9, -1.1])).toBeCloseTo(20, 10);
  });

  it('an all-zero reference with a non-zero test → -Infinity', () => {
    expect(sqnrDb([0, 0], [0, 1])).toBe(-Infinity);
  });
});
