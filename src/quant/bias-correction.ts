// Bias correction (as NNCF's FastBiasCorrection): the shift that int8 weights and clipped/rounded inputs add to
// the mean of each output channel of Conv/Gemm/MatMul is measured on calibration data and folded into the bias.
import { DataType } from '../onnx/dtypes';
import { type ModelProto, type NodeProto } from '../onnx/proto/onnx_pb';
import { makeTensor, readTensor, type ExternalDataResolver } from '../onnx/tensor-data';
import { nodeName, type QdqPlan } from './qdq-plan';
import { quantizeWeightsPerChannel } from './qparams';
import { cloneModel } from '../onnx/weight-views';

/** Per-channel means of one activation tensor over the calibration samples: as it is, and after its Q/DQ. */
export interface ChannelMeans {
  mean: Float64Array;
  quantMean: Float64Array;
  /** Spatial dims of the tensor (after batch and channel), for the border-aware Conv shift. */
  spatial: number[];
}

/** Channel axis of a weighted node's activation input: 1 for Conv (NCHW), the last axis for Gemm/MatMul. */
export function inputChannelAxis(opType: string, rank: number): number {
  return opType === 'Conv' ? 1 : rank - 1;
}

/** Streaming per-channel sums for ChannelMeans (float64). */
export class ChannelMeanAccumulator {
  private sum: Float64Array = new Float64Array(0);
  private qsum: Float64Array = new Float64Array(0);
  private count = 0;
  private spatial: number[] = [];

  /** Adds one sample: `x` and its fake-quantized copy `q`, shape `dims`, channels along `axis`. */
  add(x: ArrayLike<number>, q: ArrayLike<number>, dims: readonly number[], axis: number): void {
    const channels = dims[axis] ?? 1;
    const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
    if (this.sum.length === 0) {
      this.sum = new Float64Array(channels);
      this.qsum = new Float64Array(channels);
      this.spatial = dims.slice(axis + 1);
    }
    if (this.sum.length !== channels) return;
    for (let i = 0; i < x.length; i++) {
      const c = Math.floor(i / inner) % channels;
      this.sum[c]! += x[i]!;
      this.qsum[c]! += q[i]!;
    }
    this.count += x.length / channels;
  }

  result(): ChannelMeans | null {
    if (this.count === 0) return null;
    return { mean: this.sum.map((s) => s / this.count), quantMean: this.qsum.map((s) => s / this.count), spatial: this.spatial };
  }
}

function attrInt(node: NodeProto, name: string, fallback: number): number {
  const a = node.attribute.find((x) => x.name === name);
  return a === undefined ? fallback : Number(a.i);
}

function attrInts(node: NodeProto, name: string): number[] | undefined {
  const a = node.attribute.find((x) => x.name === name);
  return a === undefined ? undefined : a.ints.map(Number);
}

/**
 * For each kernel tap, the share of output positions where it reads inside the input (not padding): a 3x3
 * kernel on an 8x8 map with padding 1 has its corner taps inside on only (7/8)² of the positions. Product over
 * spatial axes, in row-major tap order. All ones when the geometry is unknown (auto_pad other than NOTSET).
 */
export function tapCoverage(node: NodeProto, kernel: readonly number[], spatial: readonly number[]): Float64Array {
  const taps = kernel.reduce((a, b) => a * b, 1);
  const out = new Float64Array(taps).fill(1);
  const autoPad = node.attribute.find((a) => a.name === 'auto_pad');
  const autoPadText = autoPad === undefined ? 'NOTSET' : new TextDecoder().decode(autoPad.s);
  if ((autoPadText !== 'NOTSET' && autoPadText !== 'VALID') || spatial.length !== kernel.length) return out;
  const n = kernel.length;
  const pads = autoPadText === 'VALID' ? new Array<number>(2 * n).fill(0) : (attrInts(node, 'pads') ?? new Array<number>(2 * n).fill(0));
  const strides = attrInts(node, 'strides') ?? new Array<number>(n).fill(1);
  const dil = attrInts(node, 'dilations') ?? new Array<number>(n).fill(1);
  const perAxis: number[][] = [];
  for (let d = 0; d < n; d++) {
    const size = spatial[d]!;
    const k = kernel[d]!;
    const outSize = Math.floor((size + pads[d]! + pads[d + n]! - dil[d]! * (k - 1) - 1) / strides[d]!) + 1;
    const frac: number[] = [];
    for (let t = 0; t < k; t++) {
      let inside = 0;
      for (let o = 0; o < outSize; o++) {
        const i = o * strides[d]! - pads[d]! + t * dil[d]!;
        if (i >= 0 && i < size) inside++;
      }
      frac.push(outSize > 0 ? inside / outSize : 1);
    }
    perAxis.push(frac);
  }
  for (let t = 0; t < taps; t++) {
    let rest = t;
    let f = 1;
    for (let d = n - 1; d >= 0; d--) {
      const k = kernel[d]!;
      f *= perAxis[d]![rest % k]!;
      rest = Math.floor(rest / k);
    }
    out[t] = f;
  }
  return out;
}

/**
 * Output-channel shift of a weighted node: E[W x] - E[Wq Q(x)] per output channel, from input channel means
 * (exact for Gemm/MatMul; for Conv each tap sees the channel mean on the share of positions where it is inside
 * the input, tapCoverage, which leaves only the correlation of values with position unmodelled). Conv weights [M, C/g, kH, kW]; Gemm B [N, K] (transB=1) or [K, N]; MatMul B [K, N].
 */
export function outputShift(opType: string, node: NodeProto, w: Float32Array, wq: Float32Array, dims: readonly number[], means: ChannelMeans): Float64Array | null {
  if (opType === 'Conv') {
    const [m, cg] = [dims[0]!, dims[1]!];
    const taps = dims.slice(2).reduce((a, b) => a * b, 1);
    const coverage = tapCoverage(node, dims.slice(2), means.spatial);
    const groups = attrInt(node, 'group', 1);
    if (means.mean.length !== cg * groups) return null;
    const perGroup = m / groups;
    const shift = new Float64Array(m);
    for (let o = 0; o < m; o++) {
      const g = Math.floor(o / perGroup);
      let s = 0;
      for (let c = 0; c < cg; c++) {
        const ch = g * cg + c;
        let ws = 0;
        let qs = 0;
        const base = (o * cg + c) * taps;
        for (let k = 0; k < taps; k++) {
          ws += w[base + k]! * coverage[k]!;
          qs += wq[base + k]! * coverage[k]!;
        }
        s += ws * means.mean[ch]! - qs * means.quantMean[ch]!;
      }
      shift[o] = s;
    }
    return shift;
  }
  if (dims.length !== 2) return null;
  const transB = opType === 'Gemm' && attrInt(node, 'transB', 0) === 1;
  const [k, n] = transB ? [dims[1]!, dims[0]!] : [dims[0]!, dims[1]!];
  if (means.mean.length !== k) return null;
  const shift = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < k; i++) {
      const idx = transB ? j * k + i : i * n + j;
      s += w[idx]! * means.mean[i]! - wq[idx]! * means.quantMean[i]!;
    }
    shift[j] = s;
  }
  return shift;
}

export interface BiasCorrectionReport {
  /** Nodes whose bias was corrected, with the largest |shift| added. */
  corrected: { node: string; maxShift: number }[];
}

/**
 * Returns a copy of the float `model` whose Conv/Gemm biases absorb the measured shift (a bias is added where a
 * Conv or Gemm had none). `means` is keyed by each weighted node's activation input tensor. Re-plan and re-apply
 * QDQ on the result: the activation ranges stay valid (only means of pre-activation outputs move, slightly).
 */
export function correctBiases(model: ModelProto, plan: QdqPlan, means: ReadonlyMap<string, ChannelMeans>, perChannel: boolean, external?: ExternalDataResolver): { model: ModelProto; report: BiasCorrectionReport } {
  const out = cloneModel(model);
  const graph = out.graph!;
  const inits = new Map(graph.initializer.map((t) => [t.name, t]));
  const byName = new Map(graph.node.map((n) => [nodeName(n), n]));
  const corrected: BiasCorrectionReport['corrected'] = [];
  for (const w of plan.weights) {
    const node = byName.get(w.node);
    const m = node === undefined ? undefined : means.get(node.input[0] ?? '');
    const init = inits.get(w.tensor);
    if (node === undefined || m === undefined || init === undefined || node.opType === 'MatMul') continue;
    if (node.opType === 'Gemm' && (node.attribute.find((a) => a.name === 'beta')?.f ?? 1) !== 1) continue;
    const dims = init.dims.map(Number);
    const values = readTensor(init, external) as Float32Array;
    const q = quantizeWeightsPerChannel(values, perChannel ? dims : [1, values.length], perChannel ? w.axis : 0);
    const channels = q.scales.length;
    const inner = perChannel ? dims.slice(w.axis + 1).reduce((a, b) => a * b, 1) : values.length;
    const wq = new Float32Array(values.length);
    for (let i = 0; i < values.length; i++) wq[i] = q.data[i]! * q.scales[Math.floor(i / inner) % channels]!;
    const shift = outputShift(node.opType, node, values, wq, dims, m);
    if (shift === null) continue;
    const biasName = node.input[2] ?? '';
    const old = biasName !== '' ? inits.get(biasName) : undefined;
    if (biasName !== '' && old === undefined) continue;
    const bias = old !== undefined ? Float32Array.from(readTensor(old, external) as Float32Array) : new Float32Array(shift.length);
    if (bias.length !== shift.length) continue;
    let maxShift = 0;
    for (let c = 0; c < bias.length; c++) {
      bias[c] = bias[c]! + shift[c]!;
      maxShift = Math.max(maxShift, Math.abs(shift[c]!));
    }
    const name = `${w.node}_qb_corrected_bias`;
    graph.initializer.push(makeTensor(name, DataType.FLOAT, [bias.length], bias));
    while (node.input.length < 3) node.input.push('');
    node.input[2] = name;
    corrected.push({ node: w.node, maxShift });
  }
  // The replaced float biases are left for applyQdq's clean-up of unused initializers.
  return { model: out, report: { corrected } };
}
