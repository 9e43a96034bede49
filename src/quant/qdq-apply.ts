// Static INT8 rewrite: given a QdqPlan and calibrated ranges, inserts QuantizeLinear -> DequantizeLinear on
// activations (uint8), stores weights as per-channel int8 and biases as int32 behind DequantizeLinear. Pure.
import { node } from '../onnx/build';
import { DataType } from '../onnx/dtypes';
import { type ModelProto, type NodeProto, type TensorProto } from '../onnx/proto/onnx_pb';
import { makeTensor, readTensor, type ExternalDataResolver } from '../onnx/tensor-data';
import { QbError } from '../shared/errors';
import { nodeName, type ActivationPreset, type QdqPlan } from './qdq-plan';
import { asymmetricParams, quantizeBias, quantizeWeightsPerChannel, sqnrDb, symmetricParams, type TensorQParams } from './qparams';
import { cloneModel } from '../onnx/weight-views';

/** A calibrated clipping range, in the tensor's units. */
export interface Range {
  min: number;
  max: number;
}

/** What one quantized tensor became: for the per-layer report. */
export interface QuantizedTensor {
  tensor: string;
  kind: 'activation' | 'weight' | 'bias';
  type: 'uint8' | 'int8' | 'int32';
  /** Activation: the single scale; weight/bias: the smallest and largest channel scale. */
  scale: number;
  scaleMax: number;
  zeroPoint: number;
  /** Activation: the clipping range used (group range); weight: [-max|w|, max|w|]. */
  range: Range;
  channels: number;
  /** Weights: SQNR of the int8 weights against the float ones, dB. */
  weightSqnrDb?: number;
}

export interface QdqResult {
  model: ModelProto;
  tensors: QuantizedTensor[];
}

/** Activation parameters of a group's range: uint8 everywhere so onnxruntime's U8S8 kernels fuse every chain. */
export function activationParams(range: Range, preset: ActivationPreset): TensorQParams {
  return preset === 'performance' ? symmetricParams(range.min, range.max, 'uint8') : asymmetricParams(range.min, range.max, 'uint8');
}

/**
 * The range each planned tensor is quantized with: the union of its group's calibrated ranges (min of mins, max
 * of maxes), so a shared scale never clips a member. In plan.groups order.
 * @throws QbError('internal') when a planned tensor has no range.
 */
export function groupRanges(plan: QdqPlan, ranges: ReadonlyMap<string, Range>): Map<string, Range> {
  const out = new Map<string, Range>();
  for (const group of plan.groups) {
    let min = Infinity;
    let max = -Infinity;
    for (const t of group) {
      const r = ranges.get(t);
      if (r === undefined) throw new QbError('internal', `No calibrated range for tensor "${t}".`);
      min = Math.min(min, r.min);
      max = Math.max(max, r.max);
    }
    for (const t of group) out.set(t, { min, max });
  }
  return out;
}

function scalar(name: string, dataType: number, value: number): TensorProto {
  const data = dataType === DataType.FLOAT ? new Float32Array([value]) : dataType === DataType.UINT8 ? new Uint8Array([value]) : new Int8Array([value]);
  return makeTensor(name, dataType, [], data);
}

/**
 * Applies `plan` to a copy of `model`. `ranges` holds a calibrated range for every tensor in plan.tensors; a
 * group uses the union of its members' ranges (min of mins, max of maxes), so shared scales never clip.
 * Weights quantized per channel need opset >= 13 (the caller upgrades first).
 * @throws QbError('internal') when a planned tensor has no range or per-channel weights meet an opset < 13.
 */
export function applyQdq(model: ModelProto, plan: QdqPlan, ranges: ReadonlyMap<string, Range>, options: { preset?: ActivationPreset; perChannel?: boolean; external?: ExternalDataResolver } = {}): QdqResult {
  const preset = options.preset ?? 'performance';
  const perChannel = options.perChannel ?? true;
  const out = cloneModel(model);
  const graph = out.graph!;
  const opset = Number(out.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0n);
  if (opset < 10) throw new QbError('internal', `QuantizeLinear needs opset 10 or later; this model is at opset ${opset}.`);
  if (perChannel && opset < 13) throw new QbError('internal', `Per-channel weights need opset 13; this model is at opset ${opset}. Upgrade it first.`);

  const report: QuantizedTensor[] = [];
  const params = new Map<string, TensorQParams>();
  for (const [t, range] of groupRanges(plan, ranges)) {
    const p = activationParams(range, preset);
    params.set(t, p);
    report.push({ tensor: t, kind: 'activation', type: 'uint8', scale: p.scale, scaleMax: p.scale, zeroPoint: p.zeroPoint, range, channels: 1 });
  }

  const newInits: TensorProto[] = [];
  const before = new Map<string, NodeProto[]>(); // nodes to emit before a node (weights' DQ)
  const after = new Map<string, NodeProto[]>(); // nodes to emit after the producer of a tensor
  const leading: NodeProto[] = [];
  const rename = new Map<string, string>(); // activation tensor -> its DQ output

  for (const t of plan.tensors) {
    const p = params.get(t)!;
    const scaleName = `${t}_qb_scale`;
    const zpName = `${t}_qb_zp`;
    newInits.push(scalar(scaleName, DataType.FLOAT, p.scale), scalar(zpName, DataType.UINT8, p.zeroPoint));
    const q = node('QuantizeLinear', [t, scaleName, zpName], [`${t}_qb_q`], {}, `${t}_qb_QuantizeLinear`);
    const dq = node('DequantizeLinear', [`${t}_qb_q`, scaleName, zpName], [`${t}_qb_dq`], {}, `${t}_qb_DequantizeLinear`);
    rename.set(t, `${t}_qb_dq`);
    if (plan.graphInputs.includes(t)) leading.push(q, dq);
    else after.set(t, [q, dq]);
  }

  // Weights: one int8 copy (and DQ) per (initializer, axis), shared by every node that uses it.
  const inits = new Map(graph.initializer.map((t) => [t.name, t]));
  const weightDq = new Map<string, { output: string; scales: Float32Array }>();
  const weightInput = new Map<string, Map<number, string>>(); // node name -> input index -> new name
  const setInput = (nodeKey: string, index: number, name: string): void => {
    const m = weightInput.get(nodeKey) ?? new Map<number, string>();
    m.set(index, name);
    weightInput.set(nodeKey, m);
  };
  for (const w of plan.weights) {
    const key = `${w.tensor}@${perChannel ? w.axis : 'tensor'}`;
    let made = weightDq.get(key);
    if (made === undefined) {
      const init = inits.get(w.tensor)!;
      const dims = init.dims.map(Number);
      const values = readTensor(init, options.external) as Float32Array;
      const axis = perChannel ? w.axis : 0;
      const flatDims = perChannel ? dims : [1, values.length];
      const qw = quantizeWeightsPerChannel(values, flatDims, perChannel ? axis : 0);
      const base = `${w.tensor}_qb_${perChannel ? `c${axis}` : 't'}`;
      newInits.push(makeTensor(`${base}_int8`, DataType.INT8, dims, qw.data));
      const channels = qw.scales.length;
      newInits.push(makeTensor(`${base}_scale`, DataType.FLOAT, perChannel ? [channels] : [], qw.scales));
      newInits.push(makeTensor(`${base}_zp`, DataType.INT8, perChannel ? [channels] : [], new Int8Array(channels)));
      const attrs: Record<string, number> = perChannel ? { axis } : {};
      leading.push(node('DequantizeLinear', [`${base}_int8`, `${base}_scale`, `${base}_zp`], [`${base}_dq`], attrs, `${base}_DequantizeLinear`));
      made = { output: `${base}_dq`, scales: qw.scales };
      weightDq.set(key, made);
      let lo = Infinity;
      let hi = -Infinity;
      let absMax = 0;
      for (const s of qw.scales) {
        lo = Math.min(lo, s);
        hi = Math.max(hi, s);
      }
      for (const v of values) absMax = Math.max(absMax, Math.abs(v));
      const deq = new Float32Array(values.length);
      const inner = values.length / (perChannel ? dims[axis]! : 1) / (perChannel ? dims.slice(0, axis).reduce((a, b) => a * b, 1) : 1);
      for (let i = 0; i < values.length; i++) deq[i] = qw.data[i]! * qw.scales[perChannel ? Math.floor(i / inner) % channels : 0]!;
      report.push({ tensor: w.tensor, kind: 'weight', type: 'int8', scale: lo, scaleMax: hi, zeroPoint: 0, range: { min: -absMax, max: absMax }, channels, weightSqnrDb: sqnrDb(values, deq) });
    }
    setInput(w.node, w.input, made.output);
  }

  // Biases: int32 with scale = activation scale × weight scale (per channel), as the integer kernels expect.
  for (const b of plan.biases) {
    const w = plan.weights.find((x) => x.node === b.node && x.tensor === b.weight);
    const act = params.get(b.activation);
    const init = inits.get(b.tensor);
    if (w === undefined || act === undefined || init === undefined) continue;
    const made = weightDq.get(`${w.tensor}@${perChannel ? w.axis : 'tensor'}`)!;
    const values = readTensor(init, options.external) as Float32Array;
    if (made.scales.length !== 1 && made.scales.length !== values.length) continue;
    const qb = quantizeBias(values, act.scale, made.scales);
    // A bias beyond int32 at this scale (a Conv fed an all-zero or tiny-range activation: inputScale * weightScale
    // is tiny) would be clipped, changing the model's answer: it stays float instead.
    if (values.some((v, c) => !(Math.abs(v / qb.scales[c]!) <= 2147483647))) continue;
    const base = `${b.tensor}_qb_${b.node}_int32`;
    newInits.push(makeTensor(base, DataType.INT32, [values.length], qb.data));
    newInits.push(makeTensor(`${base}_scale`, DataType.FLOAT, perChannel ? [values.length] : [], perChannel ? qb.scales : qb.scales.subarray(0, 1)));
    newInits.push(makeTensor(`${base}_zp`, DataType.INT32, perChannel ? [values.length] : [], new Int32Array(perChannel ? values.length : 1)));
    const dq = node('DequantizeLinear', [base, `${base}_scale`, `${base}_zp`], [`${base}_dq`], perChannel ? { axis: 0 } : {}, `${base}_DequantizeLinear`);
    before.set(b.node, [...(before.get(b.node) ?? []), dq]);
    setInput(b.node, b.input, `${base}_dq`);
    report.push({ tensor: b.tensor, kind: 'bias', type: 'int32', scale: Math.min(...qb.scales), scaleMax: Math.max(...qb.scales), zeroPoint: 0, range: { min: Math.min(...values), max: Math.max(...values) }, channels: values.length });
  }

  // Rewire every consumer (not the Q nodes themselves, not graph outputs) and lay the nodes out in order.
  const nodes: NodeProto[] = [...leading];
  for (const t of plan.graphInputs) after.delete(t);
  for (const n of graph.node) {
    const key = nodeName(n);
    const moved = weightInput.get(key);
    n.input.forEach((name, i) => {
      const w = moved?.get(i);
      if (w !== undefined) n.input[i] = w;
      else if (rename.has(name)) n.input[i] = rename.get(name)!;
    });
    nodes.push(...(before.get(key) ?? []), n);
    for (const o of n.output) nodes.push(...(after.get(o) ?? []));
  }
  graph.node = nodes;

  // Drop float initializers nothing reads any more (and their graph.input entries in IR < 4 style models).
  const used = new Set<string>();
  const collect = (g: typeof graph): void => {
    for (const n of g.node) {
      for (const i of n.input) used.add(i);
      for (const a of n.attribute) {
        if (a.g !== undefined) collect(a.g);
        for (const s of a.graphs) collect(s);
      }
    }
  };
  collect(graph);
  for (const o of graph.output) used.add(o.name);
  const dropped = new Set(graph.initializer.filter((t) => !used.has(t.name)).map((t) => t.name));
  graph.initializer = [...graph.initializer.filter((t) => !dropped.has(t.name)), ...newInits];
  graph.input = graph.input.filter((i) => !dropped.has(i.name));
  return { model: out, tensors: report };
}
