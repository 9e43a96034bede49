// Dynamic INT8 for MatMul/Gemm-heavy models (transformers): constant weights become int8 offline (symmetric, one
// scale per output column), activations are quantized at run time by DynamicQuantizeLinear. Only standard ONNX ops
// that onnxruntime-web's wasm build implements. Pure: ModelProto in, new ModelProto + report out.
import { node as makeNode, valueInfo } from '../onnx/build';
import { DataType, dtypeName } from '../onnx/dtypes';
import { forEachNode, forEachWeight } from '../onnx/graph';
import { encodeModel } from '../onnx/model-io';
import { type GraphProto, type ModelProto, type NodeProto, type TensorProto } from '../onnx/proto/onnx_pb';
import { isExternal, makeTensor, readTensor, tensorByteSize, type ExternalDataResolver } from '../onnx/tensor-data';
import { QbError } from '../shared/errors';
import { nodeKey } from './fp16';
import { quantizeWeightsPerChannel } from './qparams';
import { cloneModel } from '../onnx/weight-views';

/*
 * The rewrite of Y = MatMul(A, W), W a float32 constant [K, N]:
 *
 *   DynamicQuantizeLinear(A)                  -> A_q (uint8), A_scale, A_zp   (one per activation, shared)
 *   MatMulInteger(A_q, W_q, A_zp, W_zp)       -> int32                        (W_q int8 [K, N], W_zp int8 zeros [N])
 *   Cast(to=FLOAT)                            -> float
 *   Mul(A_scale, W_scale)                     -> scale product [N]            (W_scale float [N])
 *   Mul(float, scale product)                 -> Y                            (+ Add(bias) for Gemm's C)
 *
 * This is the layout onnxruntime's own Python quantizer writes (QOperator, dynamic), so ORT's graph optimizer
 * recognises it: onnxruntime-node 1.30 fuses each chain (silero VAD: all 16) into com.microsoft
 * DynamicQuantizeMatMul; the unfused graph is plain ONNX and runs anywhere.
 * Checked in onnxruntime-web 1.30 (wasm EP, Node) and onnxruntime-node 1.30: MatMulInteger with uint8 A x int8 B
 * and a per-column int8 zero-point vector both load and compute exactly (a K=64 case with A_q = 255 and
 * W_q = +-127 gives 255 * 127 * 63 with no int16 saturation), so the int8 variant is used rather than uint8
 * weights with zero point 128. The zero points are all zero (symmetric weights), so per-column and scalar zero
 * points are equivalent; the [N] vector only mirrors the per-column scales.
 * DynamicQuantizeLinear (opset 11) only produces uint8: that fixes A's type.
 */

/** The default-domain opset DynamicQuantizeLinear needs. */
export const DYNAMIC_INT8_MIN_OPSET = 11;

/** Prefix of every name (node, value, initializer) this rewrite adds. */
export const DYNAMIC_INT8_PREFIX = 'qb_dq_';

export interface DynamicInt8Options {
  /** Node names (or first output name for unnamed nodes) to leave in float. */
  excludeNodes?: readonly string[];
  /** Op types to leave in float (e.g. ['Gemm']). */
  excludeOpTypes?: readonly string[];
  /** Weights with fewer elements than this stay float (default 0 — quantize all). */
  minWeightElements?: number;
  /** One scale per output column (default true); false: one scale for the whole weight. */
  perChannel?: boolean;
  /**
   * Encode the model before and after to report their sizes (default true). Callers that encode the result
   * anyway pass false (sizes then read 0): each measurement is a throw-away encode, 346 MB for DeiT-Base.
   */
  measureSizes?: boolean;
}

export interface DynamicInt8Report {
  /** Nodes rewritten to integer MatMul: the weight's name, its dims as stored in the source (Gemm transB=1: [N, K]) and the int8 weight's SQNR (dB). */
  quantizedNodes: { name: string; opType: string; weight: string; dims: number[]; weightSqnrDb: number }[];
  /** MatMul/Gemm nodes left in float, with a plain-language reason (activation x activation, excluded, weight not constant, ...). */
  skippedNodes: { name: string; opType: string; reason: string }[];
  /** Encoded model size (plus external-data weights) before and after, in bytes. */
  sizeBeforeBytes: number;
  sizeAfterBytes: number;
}

const FLOAT: number = DataType.FLOAT;
const INT8: number = DataType.INT8;

function isDefaultDomain(domain: string): boolean {
  return domain === '' || domain === 'ai.onnx';
}

function defaultOpset(model: ModelProto): number {
  const entry = model.opsetImport.find((o) => isDefaultDomain(o.domain));
  return entry === undefined ? 0 : Number(entry.version);
}

function intAttr(n: NodeProto, name: string, fallback: number): number {
  const a = n.attribute.find((x) => x.name === name);
  return a === undefined ? fallback : Number(a.i);
}

function floatAttr(n: NodeProto, name: string, fallback: number): number {
  const a = n.attribute.find((x) => x.name === name);
  return a === undefined ? fallback : a.f;
}

/**
 * Constant tensors of the main graph by value name: initializers and Constant nodes holding a `value` tensor.
 * An initializer also listed in graph.input counts as constant: IR < 4 requires that listing, and IR >= 4 exports
 * made with keep_initializers_as_inputs list weights nobody overrides; the rewrite drops the input entry with it.
 */
function constantTensors(graph: GraphProto): Map<string, { tensor: TensorProto; constantNode?: NodeProto }> {
  const out = new Map<string, { tensor: TensorProto; constantNode?: NodeProto }>();
  for (const t of graph.initializer) out.set(t.name, { tensor: t });
  for (const n of graph.node) {
    if (n.opType !== 'Constant' || !isDefaultDomain(n.domain) || n.output[0] === undefined) continue;
    const value = n.attribute.find((a) => a.name === 'value' && a.t !== undefined)?.t;
    if (value !== undefined) out.set(n.output[0], { tensor: value, constantNode: n });
  }
  return out;
}

/** Every name the model uses (values, nodes, initializers), in the main graph and all subgraphs. */
function usedNames(graph: GraphProto, names = new Set<string>()): Set<string> {
  for (const v of [...graph.input, ...graph.output, ...graph.valueInfo]) names.add(v.name);
  for (const t of graph.initializer) names.add(t.name);
  for (const n of graph.node) {
    names.add(n.name);
    for (const x of [...n.input, ...n.output]) names.add(x);
    for (const a of n.attribute) {
      if (a.g !== undefined) usedNames(a.g, names);
      for (const g of a.graphs) usedNames(g, names);
    }
  }
  return names;
}

/** Value names read by any node (subgraph nodes included: they may read outer-scope values) or by a graph output. */
function referencedValues(graph: GraphProto): Set<string> {
  const refs = new Set<string>(graph.output.map((o) => o.name));
  forEachNode(graph, (n) => n.input.forEach((x) => refs.add(x)));
  return refs;
}

function externalBytes(graph: GraphProto): number {
  let bytes = 0;
  forEachWeight(graph, (t) => (bytes += isExternal(t) ? tensorByteSize(t) : 0));
  return bytes;
}

function encodedSize(model: ModelProto): number {
  try {
    return encodeModel(model).byteLength + externalBytes(model.graph!);
  } catch (err) {
    throw new QbError('too-large', 'The quantized model would be larger than one ONNX file can hold (2 GB).', err instanceof Error ? err.message : String(err));
  }
}

/** A MatMul/Gemm that will be rewritten. */
interface Candidate {
  node: NodeProto;
  key: string;
  activation: string;
  weightName: string;
  weight: TensorProto;
  /** Gemm with transB=1: the stored weight is [N, K]. */
  transposed: boolean;
  alpha: number;
  beta: number;
  /** Gemm's C input ('' when absent). */
  bias: string;
}

type Classified = { candidate: Candidate } | { reason: string; constantWeight: boolean };

function classify(n: NodeProto, consts: ReturnType<typeof constantTensors>, options: DynamicInt8Options): Classified {
  const key = nodeKey(n);
  const [a = '', b = ''] = n.input;
  const aConst = consts.has(a);
  const weight = consts.get(b)?.tensor;
  if (weight === undefined) {
    const reason = aConst
      ? 'its first input is the constant and the second is computed at run time; only a constant second input (the weight) is quantized'
      : 'activation x activation: both inputs are computed at run time (e.g. attention scores), so there is no weight to quantize offline';
    return { reason, constantWeight: false };
  }
  if (aConst) return { reason: 'both inputs are constants (a constant-folding pass removes this node)', constantWeight: true };
  if (options.excludeNodes?.includes(key)) return { reason: 'excluded by name', constantWeight: true };
  if (options.excludeOpTypes?.includes(n.opType)) return { reason: `excluded by op type (${n.opType})`, constantWeight: true };
  if (weight.dataType !== FLOAT) return { reason: `its weight is ${dtypeName(weight.dataType)}; only float32 weights are quantized`, constantWeight: true };
  if (weight.dims.length !== 2) return { reason: `its weight is ${weight.dims.length}-D; only 2-D [K, N] weights are quantized`, constantWeight: true };
  const elements = Number(weight.dims[0]) * Number(weight.dims[1]);
  const minElements = options.minWeightElements ?? 0;
  if (elements < minElements) return { reason: `its weight has ${elements} elements, fewer than the minimum of ${minElements}`, constantWeight: true };
  let transposed = false;
  let alpha = 1;
  let beta = 1;
  let bias = '';
  if (n.opType === 'Gemm') {
    // transA=1 would need a Transpose of the activation before DynamicQuantizeLinear: rare in exports, left float.
    if (intAttr(n, 'transA', 0) !== 0) return { reason: 'Gemm with transA=1 (transposed activation) is not rewritten', constantWeight: true };
    transposed = intAttr(n, 'transB', 0) !== 0;
    alpha = floatAttr(n, 'alpha', 1);
    beta = floatAttr(n, 'beta', 1);
    bias = n.input[2] ?? '';
  }
  return { candidate: { node: n, key, activation: a, weightName: b, weight, transposed, alpha, beta, bias } };
}

/** A weight quantized once and shared by every node that reads it the same way. */
interface QuantizedWeight {
  qName: string;
  zpName: string;
  scales: Float32Array;
  sqnr: number;
}

/** Float32 [K, N] data of a [N, K] weight. */
function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c]!;
  return out;
}

/**
 * Rewrites every MatMul/Gemm of the main graph whose second input is a float32 2-D constant to
 * DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul(scale product) (-> Add for Gemm's C): weights int8,
 * symmetric, one scale per output column (or per tensor); activations uint8, asymmetric, per tensor at run time.
 * One DynamicQuantizeLinear serves every rewritten node reading the same activation (Q, K, V projections).
 * Gemm: transB=1 weights are transposed offline to [K, N]; alpha is folded into the weight scales; beta * C is
 * added after (precomputed when C is constant). MatMuls of two run-time values (attention), Gemm with transA=1,
 * non-float32 or non-2-D weights, excluded nodes and nodes inside If/Loop/Scan bodies stay float and are listed
 * with a reason. Float weights nothing reads any more are removed, with their graph.input and value_info
 * entries; graph inputs and outputs stay float; the opset is unchanged. External-data weights are read through
 * `external` and written inline. The input model is not modified.
 * @returns a new ModelProto (a clone of `model`) and a report.
 * @throws QbError('unsupported') when the default-domain opset is < 11 (DynamicQuantizeLinear needs 11; upgrade
 * first) or no MatMul/Gemm of the main graph has a constant weight; QbError('not-onnx') without a graph;
 * QbError('missing-external-data') when an external weight cannot be read.
 */
export function quantizeDynamicInt8(
  model: ModelProto,
  options: DynamicInt8Options = {},
  external?: ExternalDataResolver,
): { model: ModelProto; report: DynamicInt8Report } {
  if (model.graph === undefined) throw new QbError('not-onnx', 'This file has no computation graph to quantize.');
  const opset = defaultOpset(model);
  if (opset < DYNAMIC_INT8_MIN_OPSET) {
    throw new QbError(
      'unsupported',
      `This model uses ONNX opset ${opset}; dynamic INT8 needs opset ${DYNAMIC_INT8_MIN_OPSET} or newer (for DynamicQuantizeLinear). Upgrade the model's opset first.`,
    );
  }
  const measure = options.measureSizes !== false;
  const sizeBeforeBytes = measure ? encodedSize(model) : 0;
  const out = cloneModel(model);
  const graph = out.graph!;
  const consts = constantTensors(graph);
  const report: DynamicInt8Report = { quantizedNodes: [], skippedNodes: [], sizeBeforeBytes, sizeAfterBytes: sizeBeforeBytes };

  // Pass 1: decide for every MatMul/Gemm.
  const candidates = new Map<NodeProto, Candidate>();
  let constantWeights = 0;
  let matmuls = 0;
  for (const n of graph.node) {
    if ((n.opType !== 'MatMul' && n.opType !== 'Gemm') || !isDefaultDomain(n.domain)) continue;
    matmuls++;
    const c = classify(n, consts, options);
    if ('candidate' in c) {
      constantWeights++;
      candidates.set(n, c.candidate);
    } else {
      if (c.constantWeight) constantWeights++;
      report.skippedNodes.push({ name: nodeKey(n), opType: n.opType, reason: c.reason });
    }
  }
  for (const n of graph.node) {
    for (const a of n.attribute) {
      for (const sub of [...(a.g === undefined ? [] : [a.g]), ...a.graphs]) {
        forEachNode(sub, (inner) => {
          if ((inner.opType === 'MatMul' || inner.opType === 'Gemm') && isDefaultDomain(inner.domain)) {
            report.skippedNodes.push({ name: nodeKey(inner), opType: inner.opType, reason: `inside the body of ${n.opType} "${nodeKey(n)}"; only the main graph is rewritten` });
          }
        });
      }
    }
  }
  if (constantWeights === 0) {
    throw new QbError(
      'unsupported',
      matmuls === 0
        ? 'This model has no MatMul or Gemm in its main graph, so dynamic INT8 has nothing to quantize. Use static INT8 for convolutional models.'
        : `None of the model's ${matmuls} MatMul/Gemm nodes has a constant weight (each multiplies two values computed at run time), so dynamic INT8 has nothing to quantize.`,
    );
  }

  // Pass 2: rewrite in node order. A DynamicQuantizeLinear goes right before the first rewritten consumer of its
  // activation, so every later consumer (which the topological order puts after it) can reuse it.
  const used = usedNames(graph);
  const fresh = (base: string): string => {
    let name = `${DYNAMIC_INT8_PREFIX}${base}`;
    for (let k = 1; used.has(name); k++) name = `${DYNAMIC_INT8_PREFIX}${base}_${k}`;
    used.add(name);
    return name;
  };
  const perChannel = options.perChannel ?? true;
  const newInitializers: TensorProto[] = [];
  const quantizedActivations = new Map<string, { q: string; scale: string; zp: string }>();
  const quantizedWeights = new Map<string, QuantizedWeight>();
  const scaleInitializers = new Map<string, string>();
  const replacedConstants = new Set<string>();
  const nodes: NodeProto[] = [];

  const quantizeWeight = (c: Candidate): QuantizedWeight => {
    const cacheKey = `${c.transposed ? 'T' : 'N'}:${c.weightName}`;
    const cached = quantizedWeights.get(cacheKey);
    if (cached !== undefined) return cached;
    const [d0, d1] = c.weight.dims.map(Number) as [number, number];
    const stored = readTensor(c.weight, external) as Float32Array;
    const [k, n] = c.transposed ? [d1, d0] : [d0, d1];
    const w = c.transposed ? transpose(stored, d0, d1) : stored;
    // Per tensor: the whole [K, N] weight as one "channel" ([1, K*N] along axis 0) — the same maths, one scale.
    const q = perChannel ? quantizeWeightsPerChannel(w, [k, n], 1) : quantizeWeightsPerChannel(w, [1, k * n], 0);
    // SQNR of the weight as stored, summed in one pass: a dequantized copy would be another float32 weight of garbage
    // per layer (346 MB over DeiT-Base) waiting for the collector.
    let signal = 0;
    let noise = 0;
    for (let i = 0; i < w.length; i++) {
      const r = w[i]!;
      const d = r - Math.fround(q.data[i]! * q.scales[perChannel ? i % n : 0]!);
      signal += r * r;
      noise += d * d;
    }
    const qName = fresh(`${c.weightName}_int8`);
    const zpName = fresh(`${c.weightName}_zero_point`);
    newInitializers.push(makeTensor(qName, INT8, [k, n], q.data));
    newInitializers.push(perChannel ? makeTensor(zpName, INT8, [n], new Int8Array(n)) : makeTensor(zpName, INT8, [], new Int8Array(1)));
    const entry = { qName, zpName, scales: q.scales, sqnr: noise === 0 ? Infinity : 10 * Math.log10(signal / noise) };
    quantizedWeights.set(cacheKey, entry);
    return entry;
  };

  /** The weight-scale initializer, alpha folded in (Gemm: alpha * A * B = A * (alpha * scale) * B_q). */
  const scaleInitializer = (c: Candidate, qw: QuantizedWeight): string => {
    const cacheKey = `${c.transposed ? 'T' : 'N'}:${c.alpha}:${c.weightName}`;
    const cached = scaleInitializers.get(cacheKey);
    if (cached !== undefined) return cached;
    const name = fresh(`${c.weightName}_scale`);
    const scales = c.alpha === 1 ? qw.scales : qw.scales.map((s) => Math.fround(s * c.alpha));
    newInitializers.push(makeTensor(name, FLOAT, perChannel ? [scales.length] : [], scales));
    scaleInitializers.set(cacheKey, name);
    return name;
  };

  for (const n of graph.node) {
    const c = candidates.get(n);
    if (c === undefined) {
      nodes.push(n);
      continue;
    }
    let act = quantizedActivations.get(c.activation);
    if (act === undefined) {
      act = { q: fresh(`${c.activation}_quantized`), scale: fresh(`${c.activation}_scale`), zp: fresh(`${c.activation}_zero_point`) };
      nodes.push(makeNode('DynamicQuantizeLinear', [c.activation], [act.q, act.scale, act.zp], {}, fresh(`${c.activation}_DynamicQuantizeLinear`)));
      quantizedActivations.set(c.activation, act);
    }
    const qw = quantizeWeight(c);
    const wScale = scaleInitializer(c, qw);
    const y = n.output[0]!;
    const int32 = fresh(`${c.key}_int32`);
    const asFloat = fresh(`${c.key}_float`);
    const scaleProduct = fresh(`${c.key}_scale_product`);
    nodes.push(makeNode('MatMulInteger', [act.q, qw.qName, act.zp, qw.zpName], [int32], {}, fresh(`${c.key}_MatMulInteger`)));
    nodes.push(makeNode('Cast', [int32], [asFloat], { to: FLOAT }, fresh(`${c.key}_Cast`)));
    nodes.push(makeNode('Mul', [act.scale, wScale], [scaleProduct], {}, fresh(`${c.key}_ScaleProduct`)));
    const hasBias = c.bias !== '' && c.beta !== 0;
    const product = hasBias ? fresh(`${c.key}_matmul`) : y;
    nodes.push(makeNode('Mul', [asFloat, scaleProduct], [product], {}, fresh(`${c.key}_Rescale`)));
    if (hasBias) nodes.push(makeNode('Add', [product, biasInput(c)], [y], {}, fresh(`${c.key}_AddBias`)));
    replacedConstants.add(c.weightName);
    report.quantizedNodes.push({ name: c.key, opType: n.opType, weight: c.weightName, dims: c.weight.dims.map(Number), weightSqnrDb: qw.sqnr });
  }

  /** Gemm's beta * C: C itself when beta = 1, a precomputed constant when C is constant, else a Mul node. */
  function biasInput(c: Candidate): string {
    if (c.beta === 1) return c.bias;
    const constC = consts.get(c.bias)?.tensor;
    if (constC !== undefined && constC.dataType === FLOAT) {
      const scaled = (readTensor(constC, external) as Float32Array).map((v) => Math.fround(v * c.beta));
      const name = fresh(`${c.key}_bias`);
      newInitializers.push(makeTensor(name, FLOAT, constC.dims.map(Number), scaled));
      replacedConstants.add(c.bias);
      return name;
    }
    const beta = fresh(`${c.key}_beta`);
    const scaled = fresh(`${c.key}_scaled_bias`);
    newInitializers.push(makeTensor(beta, FLOAT, [], new Float32Array([c.beta])));
    nodes.push(makeNode('Mul', [c.bias, beta], [scaled], {}, fresh(`${c.key}_ScaleBias`)));
    return scaled;
  }

  graph.node = nodes;
  graph.initializer.push(...newInitializers);
  // IR < 4 requires every initializer to be declared as a graph input as well.
  if (out.irVersion < 4n) {
    for (const t of newInitializers) graph.input.push(valueInfo(t.name, t.dataType, t.dims.map(Number)));
  }

  // Drop the float constants the rewrite made unused (never ones that were unused before), with their
  // graph.input entries (IR < 4 lists every initializer as an input; leaving it would make it a required input)
  // and value_info entries.
  const refs = referencedValues(graph);
  const removed = new Set([...replacedConstants].filter((name) => !refs.has(name)));
  graph.initializer = graph.initializer.filter((t) => !removed.has(t.name));
  graph.node = graph.node.filter((n) => !(n.opType === 'Constant' && n.output.length === 1 && removed.has(n.output[0]!)));
  graph.input = graph.input.filter((v) => !removed.has(v.name));
  graph.valueInfo = graph.valueInfo.filter((v) => !removed.has(v.name));

  report.sizeAfterBytes = measure ? encodedSize(out) : 0;
  return { model: out, report };
}

/** Ops that normalise over the last axis: built-in or contrib LayerNorm / RMSNorm. */
const NORM_OPS = new Set(['LayerNormalization', 'SimplifiedLayerNormalization', 'SkipLayerNormalization', 'SkipSimplifiedLayerNormalization', 'RMSNormalization']);

/** Ops that pass a tensor on unchanged in value (exports put them between Softmax and the attention MatMul). */
const PASS_THROUGH = new Set(['Dropout', 'Cast', 'Identity', 'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze']);

/** Share of float parameters the constant-weight MatMul/Gemm nodes must hold. */
const TRANSFORMER_MATMUL_SHARE = 0.1;

/**
 * True when the graph looks transformer-like, so the UI can offer dynamic INT8 automatically: constant-weight
 * MatMul/Gemm nodes hold at least 10% of the float parameters, and there is attention (a Softmax whose output —
 * possibly through Dropout/Cast/Reshape/Transpose — is multiplied by another run-time value in a MatMul) or
 * LayerNorm-like structure (a LayerNormalization-family op, or Sub(x, ReduceMean(x)) written out).
 * Why 10% and not "most": hybrid audio/vision transformers have a large Conv front end (silero VAD mini: its
 * 16 projection MatMuls hold 24% of 102k parameters). CNNs fail the structure test even when an FC head holds
 * most parameters (VGG), and hold far less in MatMul/Gemm anyway (resnet20: 0.2%, squeezenet: none).
 */
export function looksTransformerLike(model: ModelProto): boolean {
  const graph = model.graph;
  if (graph === undefined) return false;
  const consts = constantTensors(graph);
  let total = 0;
  forEachWeight(graph, (t) => {
    if (t.dataType === FLOAT || t.dataType === DataType.FLOAT16 || t.dataType === DataType.BFLOAT16) {
      total += t.dims.reduce((a, d) => a * Number(d), 1);
    }
  });
  const counted = new Set<string>();
  let matmul = 0;
  const producer = new Map<string, NodeProto>();
  const consumers = new Map<string, NodeProto[]>();
  forEachNode(graph, (n) => {
    for (const o of n.output) producer.set(o, n);
    for (const x of n.input) consumers.set(x, [...(consumers.get(x) ?? []), n]);
    if ((n.opType === 'MatMul' || n.opType === 'Gemm') && n.input[1] !== undefined) {
      const w = consts.get(n.input[1])?.tensor;
      if (w !== undefined && !counted.has(n.input[1])) {
        counted.add(n.input[1]);
        matmul += w.dims.reduce((a, d) => a * Number(d), 1);
      }
    }
  });
  if (total === 0 || matmul / total < TRANSFORMER_MATMUL_SHARE) return false;

  let norm = false;
  let attention = false;
  forEachNode(graph, (n) => {
    if (NORM_OPS.has(n.opType)) norm = true;
    if (n.opType === 'Sub' && n.input.length === 2) {
      const mean = producer.get(n.input[1]!);
      if (mean?.opType === 'ReduceMean' && mean.input[0] === n.input[0]) norm = true;
    }
    if (n.opType === 'Softmax' && n.output[0] !== undefined) {
      // Follow the probabilities a few pass-through ops deep to an activation x activation MatMul.
      let frontier = [n.output[0]];
      for (let depth = 0; depth < 4 && !attention && frontier.length > 0; depth++) {
        const next: string[] = [];
        for (const v of frontier) {
          for (const c of consumers.get(v) ?? []) {
            if (c.opType === 'MatMul' && c.input.every((x) => !consts.has(x))) attention = true;
            else if (PASS_THROUGH.has(c.opType) && c.output[0] !== undefined) next.push(c.output[0]);
          }
        }
        frontier = next;
      }
    }
  });
  return norm || attention;
}
