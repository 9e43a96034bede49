// Static INT8 planning: which nodes of a float model become integer, which activation tensors get a
// QuantizeLinear/DequantizeLinear pair (and so need calibration), which share one scale, and what stays float.
import type { GraphProto, ModelProto, NodeProto } from '../onnx/proto/onnx_pb';
import { DataType } from '../onnx/dtypes';

/** Plain-word activation presets: 'performance' = symmetric activations, 'mixed' = asymmetric activations. */
export type ActivationPreset = 'performance' | 'mixed';

/**
 * 'cnn': Conv/MatMul/Gemm, Add/Mul, pooling, fused Relu/Clip and data-movement ops become integer, with outputs
 * quantized so onnxruntime fuses whole chains. 'transformer': only the inputs of MatMul/Gemm (and Conv) are
 * quantized; Softmax, LayerNorm, GELU, residual Adds and every output stay float.
 */
export type ModelType = 'cnn' | 'transformer';

export interface QdqOptions {
  /** Default 'performance'. */
  preset?: ActivationPreset;
  /** Default 'cnn'. */
  modelType?: ModelType;
  /** One scale per output channel for weights (default true; needs opset 13). */
  perChannel?: boolean;
  /** Node names (or first output name for unnamed nodes) kept in float. */
  excludeNodes?: readonly string[];
  /** Op types kept in float. */
  excludeOpTypes?: readonly string[];
  /** Concat inputs and output share one scale so the runtime concatenates integers directly (default true). */
  shareConcatScales?: boolean;
  /**
   * Quantize the outputs of integer nodes even when only float ops read them (default false). onnxruntime fuses a
   * Conv into an integer kernel only when its output is quantized too: the runtime-aware INT8 search keeps a
   * fast Conv integer next to a float neighbour this way (the neighbour reads it through a DequantizeLinear).
   */
  keepOutputsQuantized?: boolean;
  /**
   * Excluded Conv/MatMul/Gemm nodes that still store int8 weights (behind a DequantizeLinear) while computing in
   * float: the runtime-aware search keeps the size win of layers that run faster in float.
   */
  weightOnlyNodes?: readonly string[];
}

/** A node left in float, and why, in plain words. */
export interface SkippedNode {
  name: string;
  opType: string;
  reason: string;
}

/** A constant weight of a quantized node: quantized int8, per channel along `axis` (or per tensor). */
export interface WeightUse {
  node: string;
  input: number;
  tensor: string;
  axis: number;
}

export interface QdqPlan {
  /** Activation tensors that get a Q/DQ pair, in graph order: exactly the tensors to calibrate. */
  tensors: string[];
  /** Tensors sharing one scale and zero point; every planned tensor is in exactly one group. */
  groups: string[][];
  /** Graph inputs among `tensors` (calibration observes the fed input directly). */
  graphInputs: string[];
  quantizedNodes: { name: string; opType: string }[];
  /** Quantizable nodes (Conv, MatMul, Gemm, …) left in float, with the reason. */
  skippedNodes: SkippedNode[];
  /** Ops not quantized by design (Softmax, Sigmoid, …), counted by type. */
  floatOps: Record<string, number>;
  weights: WeightUse[];
  /** Conv/Gemm biases to store as int32: node name -> bias input index. */
  biases: { node: string; input: number; tensor: string; weight: string; activation: string }[];
}

const WEIGHTED = new Set(['Conv', 'MatMul', 'Gemm']);
const ARITH = new Set(['Add', 'Mul']);
const POOL = new Set(['AveragePool', 'GlobalAveragePool']);
const FUSED_ACT = new Set(['Relu', 'Clip']);
/** Ops that move or select data without changing values: the output shares the input's scale. */
const SHARED = new Set(['MaxPool', 'Reshape', 'Flatten', 'Transpose', 'Squeeze', 'Unsqueeze', 'Identity', 'Dropout', 'Resize', 'Concat', 'Slice', 'Split', 'DepthToSpace', 'SpaceToDepth', 'Gather']);
/** Ops whose data input is input 0 only (the others are shapes, indices, scales…). */
const FIRST_INPUT_ONLY = new Set(['Reshape', 'Squeeze', 'Unsqueeze', 'Resize', 'Slice', 'Split', 'Gather', 'Dropout', 'Clip']);
/** Quantizable by type but not by this engine yet: listed as skipped with this reason. */
const NOT_YET: Record<string, string> = {
  ConvTranspose: 'ConvTranspose is kept in float (not quantized by Quantbench yet).',
};

/** Display name of a node: its name, or its first output for unnamed nodes. */
export function nodeName(node: NodeProto): string {
  return node.name !== '' ? node.name : (node.output[0] ?? node.opType);
}

function attrInt(node: NodeProto, name: string, fallback: number): number {
  const a = node.attribute.find((x) => x.name === name);
  return a === undefined ? fallback : Number(a.i);
}

function attrFloat(node: NodeProto, name: string, fallback: number): number {
  const a = node.attribute.find((x) => x.name === name);
  return a === undefined ? fallback : a.f;
}

/**
 * Element type of every tensor of the main graph that can be told: declared types (inputs, value_info,
 * initializers, Constant values), then propagated through nodes in graph order by simple op rules. Shape logic
 * (Shape -> Gather -> Concat) comes out int64, so it is never quantized.
 */
export function tensorTypes(graph: GraphProto): Map<string, number> {
  const types = new Map<string, number>();
  for (const t of graph.initializer) types.set(t.name, t.dataType);
  for (const v of [...graph.input, ...graph.valueInfo, ...graph.output]) {
    if (v.type?.value.case === 'tensorType' && v.type.value.value.elemType !== 0) types.set(v.name, v.type.value.value.elemType);
  }
  const INT64 = DataType.INT64 as number;
  const BOOL = DataType.BOOL as number;
  for (const n of graph.node) {
    const first = types.get(n.input[0] ?? '');
    let out: number | undefined;
    switch (n.opType) {
      case 'Constant': {
        const v = n.attribute.find((a) => a.name === 'value');
        out = v?.t?.dataType ?? (n.attribute.some((a) => a.name === 'value_float' || a.name === 'value_floats') ? (DataType.FLOAT as number) : INT64);
        break;
      }
      case 'Shape': case 'Size': case 'NonZero': case 'ArgMax': case 'ArgMin': case 'NonMaxSuppression':
        out = INT64;
        break;
      case 'Cast':
        out = attrInt(n, 'to', 0);
        break;
      case 'ConstantOfShape': {
        const v = n.attribute.find((a) => a.name === 'value');
        out = v?.t?.dataType ?? (DataType.FLOAT as number);
        break;
      }
      case 'Equal': case 'Less': case 'Greater': case 'LessOrEqual': case 'GreaterOrEqual': case 'Not': case 'And': case 'Or': case 'Xor': case 'IsNaN': case 'IsInf':
        out = BOOL;
        break;
      case 'Where':
        out = types.get(n.input[1] ?? '');
        break;
      default:
        out = first;
    }
    n.output.forEach((o, i) => {
      if (o === '' || types.has(o)) return;
      if (n.opType === 'TopK' && i === 1) types.set(o, INT64);
      else if (out !== undefined) types.set(o, out);
    });
  }
  return types;
}

/** Minimal union-find over tensor names. */
class Groups {
  private parent = new Map<string, string>();
  find(x: string): string {
    let p = this.parent.get(x) ?? x;
    if (p !== x) {
      p = this.find(p);
      this.parent.set(x, p);
    }
    return p;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
}

/**
 * Decides what static INT8 quantizes (see QdqPlan). Only the main graph is quantized: nodes inside If/Loop
 * subgraphs stay float. Graph outputs are never quantized (consumers outside the model get exact floats).
 */
export function planQdq(model: ModelProto, options: QdqOptions = {}): QdqPlan {
  const graph = model.graph!;
  const modelType = options.modelType ?? 'cnn';
  const excludeNames = new Set(options.excludeNodes ?? []);
  const excludeOps = new Set(options.excludeOpTypes ?? []);
  const weightOnly = new Set(options.weightOnlyNodes ?? []);
  const types = tensorTypes(graph);
  const FLOAT = DataType.FLOAT as number;
  const isFloat = (t: string): boolean => t !== '' && types.get(t) === FLOAT;
  const initializers = new Set(graph.initializer.map((t) => t.name));
  const constantOutputs = new Set(graph.node.filter((n) => n.opType === 'Constant').flatMap((n) => n.output));
  const isConst = (t: string): boolean => initializers.has(t) || constantOutputs.has(t);
  const graphOutputs = new Set(graph.output.map((o) => o.name));
  const inputNames = new Set(graph.input.map((i) => i.name).filter((n) => !initializers.has(n)));
  const consumers = new Map<string, NodeProto[]>();
  const producer = new Map<string, NodeProto>();
  for (const n of graph.node) {
    for (const i of n.input) if (i !== '') consumers.set(i, [...(consumers.get(i) ?? []), n]);
    for (const o of n.output) if (o !== '') producer.set(o, n);
  }

  const quantized = new Set<NodeProto>();
  const skipped: SkippedNode[] = [];
  const floatOps: Record<string, number> = {};
  const weights: WeightUse[] = [];
  const biases: QdqPlan['biases'] = [];
  const excluded = (n: NodeProto): boolean => excludeNames.has(nodeName(n)) || excludeOps.has(n.opType);
  const dataInputs = (n: NodeProto): string[] => (FIRST_INPUT_ONLY.has(n.opType) ? n.input.slice(0, 1) : [...n.input]).filter((t) => isFloat(t) && !isConst(t));

  // 1. Nodes with weights, arithmetic and pooling.
  for (const n of graph.node) {
    const name = nodeName(n);
    if (n.domain !== '' && n.domain !== 'ai.onnx') continue;
    if (NOT_YET[n.opType] !== undefined) {
      skipped.push({ name, opType: n.opType, reason: NOT_YET[n.opType]! });
      continue;
    }
    const weighted = WEIGHTED.has(n.opType);
    const cnnOnly = ARITH.has(n.opType) || POOL.has(n.opType);
    if (!weighted && !(cnnOnly && modelType === 'cnn')) continue;
    if (excluded(n)) {
      if (weighted) skipped.push({ name, opType: n.opType, reason: 'Excluded by you (ignored scope).' });
      const w = n.input[1] ?? '';
      if (weighted && weightOnly.has(name) && initializers.has(w) && isFloat(w) && isFloat(n.input[0] ?? '')) {
        const dims = graph.initializer.find((t) => t.name === w)!.dims.length;
        const axis = n.opType === 'MatMul' ? dims - 1 : n.opType === 'Gemm' ? (attrInt(n, 'transB', 0) === 1 ? 0 : 1) : 0;
        if (dims >= 1) weights.push({ node: name, input: 1, tensor: w, axis });
      }
      continue;
    }
    if (!isFloat(n.input[0] ?? '') || (n.opType !== 'Conv' && n.input.slice(0, 2).some((t) => t !== '' && !isFloat(t)))) {
      if (weighted) skipped.push({ name, opType: n.opType, reason: 'Its inputs are not float32.' });
      continue;
    }
    if (n.opType === 'Conv' && !initializers.has(n.input[1] ?? '')) {
      skipped.push({ name, opType: n.opType, reason: 'Its weights are computed at run time, not stored in the model.' });
      continue;
    }
    if (n.opType === 'Gemm' && attrInt(n, 'transA', 0) !== 0) {
      skipped.push({ name, opType: n.opType, reason: 'Gemm with a transposed first input is kept in float.' });
      continue;
    }
    if (cnnOnly && n.input.some((t) => t !== '' && isConst(t))) continue; // Adds a constant: nothing to fuse.
    quantized.add(n);
    if (weighted) {
      const w = n.input[1] ?? '';
      if (initializers.has(w)) {
        const dims = graph.initializer.find((t) => t.name === w)!.dims.length;
        let axis = 0;
        if (n.opType === 'MatMul') axis = dims - 1;
        if (n.opType === 'Gemm') axis = attrInt(n, 'transB', 0) === 1 ? 0 : 1;
        if (dims >= 1) weights.push({ node: name, input: 1, tensor: w, axis });
        const b = n.input[2] ?? '';
        const biasOk = n.opType === 'Conv' || (attrFloat(n, 'beta', 1) === 1 && attrFloat(n, 'alpha', 1) === 1);
        const biasInit = graph.initializer.find((t) => t.name === b);
        if (b !== '' && biasOk && biasInit !== undefined && biasInit.dims.length === 1 && isFloat(b)) {
          biases.push({ node: name, input: 2, tensor: b, weight: w, activation: n.input[0]! });
        }
      }
    }
  }

  // 2. Relu/Clip right after a quantized node (onnxruntime folds them into the integer op), then data-movement ops
  //    next to quantized nodes, in graph order so chains (Relu -> MaxPool -> Concat) join up.
  const fusedActs = new Set<NodeProto>();
  if (modelType === 'cnn') {
    for (const n of graph.node) {
      if (excluded(n) || (n.domain !== '' && n.domain !== 'ai.onnx')) continue;
      const src = producer.get(n.input[0] ?? '');
      if (FUSED_ACT.has(n.opType) && src !== undefined && quantized.has(src) && !SHARED.has(src.opType) && (consumers.get(n.input[0]!) ?? []).length === 1 && !graphOutputs.has(n.input[0]!)) {
        if (n.opType === 'Clip' && n.input.slice(1).some((t) => t !== '' && !isConst(t))) continue;
        quantized.add(n);
        fusedActs.add(n);
        continue;
      }
      if (!SHARED.has(n.opType) || dataInputs(n).length === 0) continue;
      const fromQuantized = dataInputs(n).some((t) => {
        const p = producer.get(t);
        return p !== undefined && quantized.has(p);
      });
      const toQuantized = n.output.some((o) => (consumers.get(o) ?? []).some((c) => quantized.has(c)));
      if (fromQuantized || toQuantized) quantized.add(n);
    }
  }

  // 3. Tensors: data inputs of every quantized node, and (cnn) outputs that are not graph outputs. A node whose
  //    only consumer is a fused Relu/Clip leaves its output alone: the Relu's output is quantized instead.
  const marked = new Set<string>();
  const mark = (t: string): void => {
    if (t !== '' && isFloat(t) && !isConst(t) && !graphOutputs.has(t)) marked.add(t);
  };
  for (const n of graph.node) {
    if (!quantized.has(n)) continue;
    const src = producer.get(n.input[0] ?? '');
    const isFusedInput = (t: string): boolean => fusedActs.has(n) && t === n.input[0] && src !== undefined && quantized.has(src);
    for (const t of dataInputs(n)) if (!isFusedInput(t)) mark(t);
    if (modelType !== 'cnn') continue;
    for (const o of n.output) {
      const only = consumers.get(o) ?? [];
      if (only.length === 1 && fusedActs.has(only[0]!)) continue;
      mark(o);
    }
  }

  // 3b. A tensor is worth quantizing only when some integer op downstream reads it. Tensors that lead only to
  //     float ops or outputs (a classifier's pooled logits before Softmax, a segmentation head before Resize)
  //     stay float: quantizing them would round the model's answer and speed nothing up.
  const feedsInteger = new Map<string, boolean>();
  const reads = (c: NodeProto, t: string): boolean => quantized.has(c) && !SHARED.has(c.opType) && dataInputs(c).includes(t) && !(fusedActs.has(c) && t === c.input[0]);
  for (let i = graph.node.length - 1; i >= -1; i--) {
    const outs = i >= 0 ? graph.node[i]!.output : [...inputNames];
    for (const t of outs) {
      const cs = consumers.get(t) ?? [];
      feedsInteger.set(t, cs.some((c) => reads(c, t) || c.output.some((o) => feedsInteger.get(o) === true)));
    }
  }
  const integerOutput = (t: string): boolean => {
    const p = producer.get(t);
    return p !== undefined && quantized.has(p) && !SHARED.has(p.opType);
  };
  for (const t of [...marked]) if (feedsInteger.get(t) !== true && !(options.keepOutputsQuantized === true && integerOutput(t))) marked.delete(t);

  // 4. Scale sharing across data-movement ops.
  const groups = new Groups();
  for (const n of graph.node) {
    if (!quantized.has(n) || !SHARED.has(n.opType)) continue;
    if (n.opType === 'Concat' && options.shareConcatScales === false) continue;
    const members = [...dataInputs(n), ...n.output].filter((t) => marked.has(t));
    for (let i = 1; i < members.length; i++) groups.union(members[0]!, members[i]!);
  }

  const order: string[] = [];
  const seen = new Set<string>();
  const add = (t: string): void => {
    if (marked.has(t) && !seen.has(t)) {
      seen.add(t);
      order.push(t);
    }
  };
  for (const i of graph.input) add(i.name);
  for (const n of graph.node) {
    for (const i of n.input) add(i);
    for (const o of n.output) add(o);
  }
  const byRoot = new Map<string, string[]>();
  for (const t of order) {
    const r = groups.find(t);
    byRoot.set(r, [...(byRoot.get(r) ?? []), t]);
  }

  for (const n of graph.node) {
    if (quantized.has(n) || WEIGHTED.has(n.opType) || NOT_YET[n.opType] !== undefined || n.opType === 'Constant') continue;
    floatOps[n.opType] = (floatOps[n.opType] ?? 0) + 1;
  }
  return {
    tensors: order,
    groups: [...byRoot.values()],
    graphInputs: order.filter((t) => inputNames.has(t)),
    quantizedNodes: graph.node.filter((n) => quantized.has(n)).map((n) => ({ name: nodeName(n), opType: n.opType })),
    skippedNodes: skipped,
    floatOps,
    weights,
    biases: biases.filter((b) => marked.has(b.activation)),
  };
}
