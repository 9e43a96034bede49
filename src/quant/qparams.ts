// Affine quantization maths: scales and zero points from ranges, QuantizeLinear-exact rounding, per-channel
// int8 weights, int32 biases, and SQNR. Pure: typed arrays in, typed arrays out.

/** Integer types the engine writes: int8 [-128, 127], uint8 [0, 255]. */
export type QType = 'int8' | 'uint8';

/** One scale and zero point for a whole tensor (activations, per-tensor weights). */
export interface TensorQParams {
  type: QType;
  /** float32-representable (what QuantizeLinear stores). */
  scale: number;
  zeroPoint: number;
}

export const QRANGE: Record<QType, { min: number; max: number }> = {
  int8: { min: -128, max: 127 },
  uint8: { min: 0, max: 255 },
};

/**
 * Smallest scale written: keeps a constant or all-zero tensor from producing scale 0 (division by zero at run time).
 * A float32 value (≈1e-12), so the float32 scales actually written are never below it.
 */
export const MIN_SCALE = Math.fround(1e-12);

/** Round half to even, as QuantizeLinear does (Math.round rounds half up). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Symmetric parameters (zero point 0, or 128 for uint8 over signed data) for the range [min, max].
 * int8: scale = max(|min|, |max|) / 127. uint8 with min >= 0: scale = max / 255, zero point 0 (one-sided data such
 * as ReLU outputs keep all 8 bits); uint8 over signed data: scale = max|x| / 127.5, zero point 128.
 */
export function symmetricParams(min: number, max: number, type: QType): TensorQParams {
  const absMax = Math.max(Math.abs(min), Math.abs(max));
  if (type === 'int8') return { type, scale: safeScale(absMax / 127), zeroPoint: 0 };
  if (min >= 0) return { type, scale: safeScale(max / 255), zeroPoint: 0 };
  return { type, scale: safeScale(absMax / 127.5), zeroPoint: 128 };
}

/**
 * Asymmetric parameters for [min, max], widened to include 0 so zero (padding) is exact:
 * scale = (max - min) / (qmax - qmin), zeroPoint = round(qmin - min / scale), clamped to the type's range.
 */
export function asymmetricParams(min: number, max: number, type: QType): TensorQParams {
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  const { min: qmin, max: qmax } = QRANGE[type];
  const scale = safeScale((hi - lo) / (qmax - qmin));
  const zeroPoint = Math.min(qmax, Math.max(qmin, roundHalfEven(qmin - lo / scale)));
  return { type, scale, zeroPoint };
}

function safeScale(scale: number): number {
  return Math.fround(Number.isFinite(scale) && scale > MIN_SCALE ? scale : MIN_SCALE);
}

/** q = clamp(roundHalfEven(x / scale) + zeroPoint) for every element (x / scale in float32, as onnxruntime does). */
export function quantizeArray(x: ArrayLike<number>, p: TensorQParams): Int8Array | Uint8Array {
  const out = p.type === 'int8' ? new Int8Array(x.length) : new Uint8Array(x.length);
  const { min: qmin, max: qmax } = QRANGE[p.type];
  for (let i = 0; i < x.length; i++) {
    const q = roundHalfEven(Math.fround(x[i]! / p.scale)) + p.zeroPoint;
    out[i] = q < qmin ? qmin : q > qmax ? qmax : q;
  }
  return out;
}

/** x' = (q - zeroPoint) * scale. */
export function dequantizeArray(q: ArrayLike<number>, p: TensorQParams): Float32Array {
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = (q[i]! - p.zeroPoint) * p.scale;
  return out;
}

/** x -> dequantize(quantize(x)): what the quantized model sees instead of x. */
export function fakeQuantize(x: ArrayLike<number>, p: TensorQParams): Float32Array {
  return dequantizeArray(quantizeArray(x, p), p);
}

/** Per-channel symmetric int8 weights: one scale per slice along `axis`, zero points 0. */
export interface ChannelQuantized {
  data: Int8Array;
  /** One float32 scale per channel (dims[axis] of them). */
  scales: Float32Array;
  axis: number;
}

/**
 * Symmetric int8 per-channel quantization of a weight tensor of shape `dims` along `axis`
 * (Conv [M, C/g, kH, kW]: axis 0; MatMul B [K, N]: axis 1; Gemm with transB=1: axis 0).
 * scale[c] = max|w[c]| / 127 (MIN_SCALE for an all-zero channel).
 * @throws RangeError when the data length does not match dims or axis is out of range.
 */
export function quantizeWeightsPerChannel(w: ArrayLike<number>, dims: readonly number[], axis: number): ChannelQuantized {
  if (axis < 0 || axis >= dims.length) throw new RangeError(`axis ${axis} is outside a ${dims.length}-D weight`);
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== w.length) throw new RangeError(`weight has ${w.length} values for dims [${dims.join(', ')}]`);
  const channels = dims[axis]!;
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const absMax = new Float64Array(channels);
  for (let i = 0; i < size; i++) {
    const c = Math.floor(i / inner) % channels;
    const a = Math.abs(w[i]!);
    if (a > absMax[c]!) absMax[c] = a;
  }
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) scales[c] = safeScale(absMax[c]! / 127);
  const data = new Int8Array(size);
  for (let i = 0; i < size; i++) {
    const c = Math.floor(i / inner) % channels;
    const q = roundHalfEven(Math.fround(w[i]! / scales[c]!));
    data[i] = q < -127 ? -127 : q > 127 ? 127 : q;
  }
  return { data, scales, axis };
}

/**
 * int32 bias for Conv/Gemm: b_q = round(b / (inputScale * weightScale[c])), zero point 0, where `weightScales` has
 * one entry per output channel (or one for per-tensor weights). Values beyond int32 are clamped.
 * Returns the data and the float32 bias scales (to write as the DequantizeLinear scale).
 */
export function quantizeBias(b: ArrayLike<number>, inputScale: number, weightScales: ArrayLike<number>): { data: Int32Array; scales: Float32Array } {
  const scales = new Float32Array(b.length);
  const data = new Int32Array(b.length);
  for (let c = 0; c < b.length; c++) {
    const ws = weightScales.length === 1 ? weightScales[0]! : weightScales[c]!;
    const s = safeScale(inputScale * ws);
    scales[c] = s;
    const q = roundHalfEven(b[c]! / s);
    data[c] = Math.max(-2147483648, Math.min(2147483647, q));
  }
  return { data, scales };
}

/**
 * Signal-to-quantization-noise ratio in dB: 10·log10(Σref² / Σ(ref - test)²), in float64.
 * Infinity when the two are identical; -Infinity when ref is all zero and test is not.
 */
export function sqnrDb(ref: ArrayLike<number>, test: ArrayLike<number>): number {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i]!;
    const d = r - test[i]!;
    signal += r * r;
    noise += d * d;
  }
  if (noise === 0) return Infinity;
  return 10 * Math.log10(signal / noise);
}
