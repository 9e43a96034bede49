// FP32 -> FP16 rewrite of an ONNX model: float weights, constants and value types become float16; FP32 islands
// (block-listed ops, shape arithmetic, user-kept nodes) are fenced by deduplicated Casts; If/Loop/Scan bodies
// are converted consistently with their parent node. Pure: ModelProto in, new ModelProto + report out.
import { attribute, node as makeNode } from '../onnx/build';
import { toFloat16Bits } from '../onnx/float16';
import { forEachWeight } from '../onnx/graph';
import { encodeModel } from '../onnx/model-io';
import {
  TensorProto_DataType as DT,
  type AttributeProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from '../onnx/proto/onnx_pb';
import { inlineExternalTensor, isExternal, makeTensor, readTensor, tensorByteSize, writeTensor, type ExternalDataResolver } from '../onnx/tensor-data';
import { QbError } from '../shared/errors';
import { cloneModel } from '../onnx/weight-views';

const FLOAT = DT.FLOAT;
const FLOAT16 = DT.FLOAT16;

/** Largest finite float16 value. */
export const FP16_MAX = 65504;
/** Smallest positive (subnormal) float16 value, 2^-24; non-zero magnitudes below it are flushed to 0. */
export const FP16_MIN_SUBNORMAL = 2 ** -24;

/**
 * Ops kept in FP32 by default (Casts around them), each with why. Checked with onnxruntime-web 1.30 (wasm EP) in
 * Node on one-node float16 models: every op here except Range, CumSum-11 and NonMaxSuppression (no float16 in
 * their ONNX type constraints: the session is refused) loads and runs in float16, because ORT's CPU EP runs a
 * float16 node that lacks a float16 kernel through float32 with inserted Casts. So the list is about values
 * and portability (WebGPU computes in real float16), not about wasm refusing the graph.
 */
export const DEFAULT_FP16_BLOCK_OPS: readonly string[] = [
  // Coordinate maths on pixel positions: float16 has 11 significant bits, so source coordinates beyond 2048 and
  // fractional positions round (scales/roi inputs must be float32 by the ONNX spec and stay so in any case).
  'Resize',
  'Upsample',
  // ONNX Range has no float16 type (ORT refuses the session); float16 also loses integers above 2048.
  'Range',
  // Ranking: float16 ties between near-equal scores change which k elements (and indices) come out.
  'TopK',
  // Boxes/scores are float32-only in ONNX; float16 rounding would also change which boxes survive.
  'NonMaxSuppression',
  // No float16 before opset 14 (ORT refuses CumSum-11); running sums past 2048 absorb small addends.
  'CumSum',
  // Random generators: distributions and seeds are specified for float32 streams.
  'RandomNormal',
  'RandomUniform',
  'RandomNormalLike',
  'RandomUniformLike',
  'Multinomial',
  'Bernoulli',
  // Output dtype comes from an attribute the converter would have to rewrite; tiny outputs, no gain in float16.
  'EyeLike',
  'HannWindow',
  'HammingWindow',
  'BlackmanWindow',
  'MelWeightMatrix',
  // Float32-only type constraints in ONNX (Celu; IsInf before opset 20).
  'Celu',
  'IsInf',
  // Scales of (de)quantization must be float32 before opset 19; an INT8 model stays INT8 around them.
  'QuantizeLinear',
  'DequantizeLinear',
  'DynamicQuantizeLinear',
  // Sequences carry element types the converter does not retype; they are plumbing, not arithmetic.
  'SequenceConstruct',
  'SequenceInsert',
  'SequenceAt',
  'SequenceErase',
  'SequenceEmpty',
  'SplitToSequence',
  'ConcatFromSequence',
  // Einsum is deliberately NOT here: it is a MatMul in disguise (float16 is the point) and ORT runs it in float16.
];

/** Why a node stays FP32. */
export type KeepReason = 'block-list' | 'keep-nodes' | 'custom-domain' | 'shape-computation' | 'inside-kept-subgraph';

export interface KeptNode {
  /** Node name, or the name of its first output when the node has none (see nodeKey). */
  name: string;
  opType: string;
  reason: KeepReason;
}

export interface Fp16Options {
  /**
   * Encode the model before and after to report their sizes (default true). Callers that encode the result
   * anyway pass false (sizes then read 0): each measurement is a throw-away encode of the whole model.
   */
  measureSizes?: boolean;
  /** Graph inputs/outputs stay float32 with Casts at the edges (default true). */
  keepIO?: boolean;
  /** Op types kept in FP32 (default DEFAULT_FP16_BLOCK_OPS); replaces the default list. */
  blockOps?: readonly string[];
  /** Nodes kept in FP32 (mixed precision), by node name or, for unnamed nodes, by first output name. */
  keepNodes?: readonly string[];
}

export interface Fp16Report {
  /** The model already stores its float weights in float16: it was returned unchanged. */
  alreadyFp16: boolean;
  /** Initializers whose data went from float32 to float16. */
  convertedInitializers: number;
  /** Constant / ConstantOfShape tensors that went from float32 to float16. */
  convertedConstants: number;
  /** Weight values beyond ±65504 set to ±65504 (they would be ±Inf in float16). */
  clampedValues: number;
  /** Non-zero weight values with |x| < 2^-24 set to 0 (below float16's smallest subnormal). */
  flushedValues: number;
  /** Cast nodes added at FP32/FP16 boundaries (graph edges, kept nodes, subgraph edges). */
  castsInserted: number;
  /** Existing Cast(to=FLOAT) nodes inside the converted region retargeted to FLOAT16. */
  fixedCasts: number;
  /** Nodes that handle float values and stay FP32, with why (only nodes that touch float tensors). */
  keptFp32Nodes: KeptNode[];
  /** Encoded model size before (plus its external-data weights) and after, in bytes. */
  sizeBeforeBytes: number;
  sizeAfterBytes: number;
}

/** The identifier keepNodes and reports use: the node's name, or its first output's name when unnamed. */
export function nodeKey(n: NodeProto): string {
  return n.name !== '' ? n.name : (n.output[0] ?? '');
}

// ---------------------------------------------------------------------------------------------------------
// Element-type inference (value_info is often missing: PyTorch and tf2onnx exports rarely declare it).

const BOOL_OUT = new Set(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf', 'RegexFullMatch']);
const INT64_OUT = new Set(['Shape', 'Size', 'NonZero', 'ArgMax', 'ArgMin', 'NonMaxSuppression', 'SequenceLength']);
const SEQUENCE_OUT = new Set(['SequenceConstruct', 'SequenceInsert', 'SequenceErase', 'SequenceEmpty', 'SplitToSequence']);
/** Ops whose float input is only inspected for its shape or re-typed, so any element type is fine. */
const ANY_TYPE_INPUT = new Set(['Shape', 'Size', 'Cast']);

function attr(n: NodeProto, name: string): AttributeProto | undefined {
  return n.attribute.find((a) => a.name === name);
}

function intAttr(n: NodeProto, name: string): number | undefined {
  const a = attr(n, name);
  return a === undefined ? undefined : Number(a.i);
}

/** Inputs that stay float32 even when the node runs in float16 (they are coordinates, not data). */
function fp32OnlyInput(n: NodeProto, index: number): boolean {
  if (n.domain !== '' && n.domain !== 'ai.onnx') return false;
  // Resize-10: (X, scales); Resize-11+: (X, roi, scales, sizes); Upsample: (X, scales).
  if (n.opType === 'Resize') return index === 1 || index === 2;
  if (n.opType === 'Upsample') return index === 1;
  return false;
}

/** Outputs that are float32 whatever the input precision (LayerNormalization's Mean/InvStdDev are type U). */
function fp32OnlyOutput(n: NodeProto, index: number): boolean {
  return n.opType === 'LayerNormalization' && index > 0;
}

/** Element type of a Constant node's value ('value', 'value_float(s)', 'value_int(s)', 'sparse_value'). */
function constantType(n: NodeProto): number {
  for (const a of n.attribute) {
    if (a.name === 'value' && a.t !== undefined) return a.t.dataType;
    if (a.name === 'value_float' || a.name === 'value_floats') return FLOAT;
    if (a.name === 'value_int' || a.name === 'value_ints') return DT.INT64;
    if (a.name === 'value_string' || a.name === 'value_strings') return DT.STRING;
    if (a.name === 'sparse_value' && a.sparseTensor?.values !== undefined) return a.sparseTensor.values.dataType;
  }
  return 0;
}

/** Output element types of a node by the op's type rules (0 = unknown); `t(i)` is input i's type. */
function inferOutputTypes(n: NodeProto, t: (i: number) => number, sub: GraphInfo[]): number[] {
  const outs = n.output.length;
  const all = (type: number): number[] => new Array<number>(outs).fill(type);
  const op = n.opType;
  const dtypeAttr = (name: string, fallback: number): number => intAttr(n, name) ?? fallback;
  if (n.domain !== '' && n.domain !== 'ai.onnx') return all(t(0));
  if (BOOL_OUT.has(op)) return all(DT.BOOL);
  if (INT64_OUT.has(op)) return all(DT.INT64);
  switch (op) {
    case 'Constant':
      return [constantType(n)];
    case 'Cast':
      return [dtypeAttr('to', 0)];
    case 'CastLike':
      return [t(1)];
    case 'ConstantOfShape':
      return [attr(n, 'value')?.t?.dataType ?? FLOAT];
    case 'EyeLike':
    case 'RandomNormalLike':
    case 'RandomUniformLike':
    case 'Bernoulli':
      return [dtypeAttr('dtype', t(0))];
    case 'RandomNormal':
    case 'RandomUniform':
      return [dtypeAttr('dtype', FLOAT)];
    case 'Multinomial':
      return [dtypeAttr('dtype', DT.INT32)];
    case 'HannWindow':
    case 'HammingWindow':
    case 'BlackmanWindow':
    case 'MelWeightMatrix':
      return [dtypeAttr('output_datatype', FLOAT)];
    case 'SequenceEmpty':
      return [dtypeAttr('dtype', FLOAT)];
    case 'TopK':
    case 'MaxPool':
      return [t(0), DT.INT64];
    case 'Unique':
      return [t(0), DT.INT64, DT.INT64, DT.INT64];
    case 'Dropout':
      return [t(0), DT.BOOL];
    case 'LayerNormalization':
      return [t(0), FLOAT, FLOAT];
    case 'DynamicQuantizeLinear':
      return [DT.UINT8, FLOAT, DT.UINT8];
    case 'QuantizeLinear':
      return [n.input[2] ? t(2) : DT.UINT8];
    case 'DequantizeLinear':
      return [t(1)];
    case 'MatMulInteger':
    case 'ConvInteger':
      return all(DT.INT32);
    case 'QLinearConv':
      return [t(7)];
    case 'QLinearMatMul':
      return [t(7)];
    case 'OneHot':
      return [t(2)];
    case 'Where':
      return [t(1)];
    case 'If':
      return (sub[0]?.graph.output ?? []).map((o) => elemTypeOf(o) || origType(sub[0]!.scope, o.name));
    case 'Loop': {
      const body = sub[0];
      if (body === undefined) return all(0);
      return body.graph.output.slice(1).map((o) => elemTypeOf(o) || origType(body.scope, o.name));
    }
    case 'Scan': {
      const body = sub[0];
      if (body === undefined) return all(0);
      return body.graph.output.map((o) => elemTypeOf(o) || origType(body.scope, o.name));
    }
    default: {
      // Most ops: outputs have the element type of their (first typed) input — Conv, Add, Reshape, Concat, Gather…
      for (let i = 0; i < n.input.length; i++) if (n.input[i] !== '' && t(i) !== 0) return all(t(i));
      return all(0);
    }
  }
}

function elemTypeOf(v: ValueInfoProto | undefined): number {
  const value = v?.type?.value;
  if (value?.case === 'tensorType') return value.value.elemType;
  if (value?.case === 'sequenceType' && value.value.elemType?.value.case === 'tensorType') return value.value.elemType.value.value.elemType;
  return 0;
}

function setElemType(v: ValueInfoProto, elemType: number): void {
  const value = v.type?.value;
  if (value?.case === 'tensorType') value.value.elemType = elemType;
}

// ---------------------------------------------------------------------------------------------------------
// Analysis: one Scope per graph (values defined there), one NodeState per node.

interface Scope {
  parent: Scope | undefined;
  /** Element type in the source model of every value defined in this graph (0 = unknown). */
  orig: Map<string, number>;
  /** Values that are sequences (never Cast). */
  seq: Set<string>;
  /** Values derived from Shape/Size through integer or float arithmetic (shape computation). */
  shapeLike: Set<string>;
  /** Node producing each value; initializers and graph inputs have none. */
  producer: Map<string, NodeProto>;
  initializers: Map<string, TensorProto>;
  /** Required element types of this graph's float values, collected from every consumer. */
  demand: Map<string, Set<number>>;
  /** Element type after conversion of every float value defined here. */
  next: Map<string, number>;
  /** Casts made for this graph's values ("to\0name" -> Cast output), reused by this graph and its subgraphs. */
  casts: Map<string, string>;
}

interface GraphInfo {
  graph: GraphProto;
  scope: Scope;
  /** The If/Loop/Scan node owning this subgraph, undefined for the main graph. */
  owner: NodeProto | undefined;
}

interface NodeState {
  keep: KeepReason | undefined;
  scope: Scope;
  subgraphs: GraphInfo[];
}

interface Ctx {
  keepIO: boolean;
  blockOps: ReadonlySet<string>;
  keepNodes: ReadonlySet<string>;
  nodes: Map<NodeProto, NodeState>;
  graphs: GraphInfo[];
}

function newScope(parent: Scope | undefined): Scope {
  return {
    parent,
    orig: new Map(),
    seq: new Set(),
    shapeLike: new Set(),
    producer: new Map(),
    initializers: new Map(),
    demand: new Map(),
    next: new Map(),
    casts: new Map(),
  };
}

/** The scope defining `name`, searching outward (subgraphs see their ancestors' values). */
function lookup(scope: Scope, name: string): Scope | undefined {
  for (let s: Scope | undefined = scope; s !== undefined; s = s.parent) if (s.orig.has(name)) return s;
  return undefined;
}

function origType(scope: Scope, name: string): number {
  return lookup(scope, name)?.orig.get(name) ?? 0;
}

function isDefaultDomain(n: NodeProto): boolean {
  return n.domain === '' || n.domain === 'ai.onnx';
}

/** Float tensor (not sequence) values only take part in the rewrite. */
function isFloatValue(scope: Scope, name: string): boolean {
  const s = lookup(scope, name);
  return s !== undefined && s.orig.get(name) === FLOAT && !s.seq.has(name);
}

function keepReasonOf(n: NodeProto, ctx: Ctx, inherited: KeepReason | undefined): KeepReason | undefined {
  if (inherited !== undefined) return inherited;
  if (ctx.keepNodes.has(n.name) || (n.name === '' && n.output[0] !== undefined && ctx.keepNodes.has(n.output[0]))) return 'keep-nodes';
  if (!isDefaultDomain(n)) return 'custom-domain';
  if (ctx.blockOps.has(n.opType)) return 'block-list';
  return undefined;
}

/** Types of a Loop/Scan body's formal inputs, from their declarations or the owner node's inputs. */
function bodyInputTypes(owner: NodeProto, body: GraphProto, scope: Scope): number[] {
  return body.input.map((inp, j) => {
    const declared = elemTypeOf(inp);
    if (declared !== 0) return declared;
    if (owner.opType === 'Loop') return j === 0 ? DT.INT64 : j === 1 ? DT.BOOL : origType(scope, owner.input[j] ?? '');
    if (owner.opType === 'Scan') return origType(scope, owner.input[j + owner.input.length - body.input.length] ?? '');
    return 0;
  });
}

function analyseGraph(graph: GraphProto, parent: Scope | undefined, owner: NodeProto | undefined, inherited: KeepReason | undefined, ctx: Ctx): GraphInfo {
  const scope = newScope(parent);
  const info: GraphInfo = { graph, scope, owner };
  ctx.graphs.push(info);
  const inputTypes = owner !== undefined && parent !== undefined ? bodyInputTypes(owner, graph, parent) : graph.input.map(elemTypeOf);
  graph.input.forEach((inp, j) => scope.orig.set(inp.name, inputTypes[j] ?? 0));
  for (const t of graph.initializer) {
    scope.orig.set(t.name, t.dataType);
    scope.initializers.set(t.name, t);
  }
  for (const sp of graph.sparseInitializer) if (sp.values !== undefined) scope.orig.set(sp.values.name, sp.values.dataType);
  const declared = new Map<string, number>();
  for (const v of [...graph.valueInfo, ...graph.output]) {
    const t = elemTypeOf(v);
    if (t !== 0) declared.set(v.name, t);
    if (v.type?.value.case === 'sequenceType') scope.seq.add(v.name);
  }
  for (const n of graph.node) {
    const keep = keepReasonOf(n, ctx, inherited);
    const subgraphs: GraphInfo[] = [];
    for (const a of n.attribute) {
      const inner = keep !== undefined ? 'inside-kept-subgraph' : undefined;
      if (a.g !== undefined) subgraphs.push(analyseGraph(a.g, scope, n, inner, ctx));
      for (const g of a.graphs) subgraphs.push(analyseGraph(g, scope, n, inner, ctx));
    }
    ctx.nodes.set(n, { keep, scope, subgraphs });
    const inferred = inferOutputTypes(n, (i) => origType(scope, n.input[i] ?? ''), subgraphs);
    n.output.forEach((out, j) => {
      if (out === '') return;
      scope.orig.set(out, declared.get(out) ?? inferred[j] ?? 0);
      scope.producer.set(out, n);
      if (SEQUENCE_OUT.has(n.opType)) scope.seq.add(out);
    });
  }
  return info;
}

/**
 * Marks shape arithmetic done in float (PyTorch exports compute sizes as Cast(Shape) -> Div -> Floor -> Cast):
 * float16 cannot hold integers above 2048 exactly, so a size 3549 would become 3548. Values derived from
 * Shape/Size become shape-like; a float node whose float inputs are all shape-like or small constants stays
 * FP32 with reason 'shape-computation'.
 */
function markShapeComputation(ctx: Ctx): void {
  const small = (scope: Scope, name: string): boolean => {
    const s = lookup(scope, name);
    if (s === undefined) return false;
    const init = s.initializers.get(name);
    if (init !== undefined) return init.dims.reduce((a, d) => a * Number(d), 1) <= 16;
    const p = s.producer.get(name);
    if (p?.opType !== 'Constant') return false;
    const t = attr(p, 'value')?.t;
    return t === undefined ? true : t.dims.reduce((a, d) => a * Number(d), 1) <= 16;
  };
  const shapeLike = (scope: Scope, name: string): boolean => lookup(scope, name)?.shapeLike.has(name) ?? false;
  for (const g of ctx.graphs) {
    for (const n of g.graph.node) {
      const state = ctx.nodes.get(n)!;
      const scope = state.scope;
      const inputs = n.input.filter((x) => x !== '');
      let derived: boolean;
      if (n.opType === 'Shape' || n.opType === 'Size') derived = true;
      else if (n.opType === 'Constant' || inputs.length === 0 || state.subgraphs.length > 0) derived = false;
      else derived = inputs.some((x) => shapeLike(scope, x)) && inputs.every((x) => shapeLike(scope, x) || small(scope, x));
      if (!derived) continue;
      for (const out of n.output) if (out !== '') scope.shapeLike.add(out);
      const touchesFloat = n.output.some((o) => o !== '' && scope.orig.get(o) === FLOAT) || inputs.some((x) => isFloatValue(scope, x));
      if (touchesFloat && state.keep === undefined && n.opType !== 'Shape' && n.opType !== 'Size') state.keep = 'shape-computation';
    }
  }
}

/** What element type a consumer needs for its input `index` (a float value): FLOAT, FLOAT16, or any. */
function inputRequirement(n: NodeProto, index: number, state: NodeState): number | 'any' {
  if (ANY_TYPE_INPUT.has(n.opType) && index === 0 && isDefaultDomain(n)) return 'any';
  if (state.keep !== undefined || fp32OnlyInput(n, index)) return FLOAT;
  return FLOAT16;
}

/** Required element type of a graph's float outputs: the main graph by keepIO, subgraphs by their owner. */
function outputRequirement(g: GraphInfo, ctx: Ctx): number {
  if (g.owner === undefined) return ctx.keepIO ? FLOAT : FLOAT16;
  return ctx.nodes.get(g.owner)!.keep !== undefined ? FLOAT : FLOAT16;
}

function addDemand(scope: Scope, name: string, type: number): void {
  const s = lookup(scope, name);
  if (s === undefined) return;
  let set = s.demand.get(name);
  if (set === undefined) s.demand.set(name, (set = new Set()));
  set.add(type);
}

function collectDemands(ctx: Ctx): void {
  for (const g of ctx.graphs) {
    for (const n of g.graph.node) {
      const state = ctx.nodes.get(n)!;
      n.input.forEach((name, i) => {
        if (name === '' || !isFloatValue(state.scope, name)) return;
        const req = inputRequirement(n, i, state);
        if (req !== 'any') addDemand(state.scope, name, req);
      });
    }
    const req = outputRequirement(g, ctx);
    for (const o of g.graph.output) if (isFloatValue(g.scope, o.name)) addDemand(g.scope, o.name, req);
  }
}

/**
 * Element type after conversion of every float value, by who produces it: graph inputs follow keepIO (subgraph
 * inputs their owner); initializers, Constants and existing Cast(to=FLOAT) become float16 only when some
 * consumer runs in float16 (a weight read only by FP32 nodes stays float32, no Cast needed); outputs of kept
 * nodes stay float32; every other node output becomes float16.
 */
function decideTypes(ctx: Ctx): void {
  for (const g of ctx.graphs) {
    const { scope, graph } = g;
    const mainOutputs = g.owner === undefined ? new Set(graph.output.map((o) => o.name)) : new Set<string>();
    const ownerConverted = g.owner !== undefined && ctx.nodes.get(g.owner)!.keep === undefined;
    const graphInputs = new Set(graph.input.map((i) => i.name));
    const outputReq = outputRequirement(g, ctx);
    for (const [name, type] of scope.orig) {
      if (type !== FLOAT || scope.seq.has(name)) continue;
      const wantsFp16 = scope.demand.get(name)?.has(FLOAT16) ?? false;
      const producer = scope.producer.get(name);
      let next: number;
      if (scope.initializers.has(name)) {
        next = mainOutputs.has(name) ? outputReq : wantsFp16 ? FLOAT16 : FLOAT;
      } else if (graphInputs.has(name)) {
        next = g.owner === undefined ? (ctx.keepIO ? FLOAT : FLOAT16) : ownerConverted ? FLOAT16 : FLOAT;
      } else if (producer === undefined) {
        next = FLOAT; // sparse initializer or an undefined name: left as it is
      } else {
        const state = ctx.nodes.get(producer)!;
        const index = producer.output.indexOf(name);
        const sourceLike =
          (producer.opType === 'Constant' && attr(producer, 'sparse_value') === undefined) || (producer.opType === 'Cast' && isDefaultDomain(producer));
        if (state.keep !== undefined || fp32OnlyOutput(producer, index)) next = FLOAT;
        else if (sourceLike) next = mainOutputs.has(name) ? outputReq : wantsFp16 ? FLOAT16 : FLOAT;
        else if (producer.opType === 'Constant') next = FLOAT;
        else next = FLOAT16;
      }
      scope.next.set(name, next);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Rewrite.

interface Counters {
  castsInserted: number;
  fixedCasts: number;
  convertedInitializers: number;
  convertedConstants: number;
  clampedValues: number;
  flushedValues: number;
}

/** Every name used anywhere in the model, so new names never collide. */
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

function uniqueName(base: string, used: Set<string>): string {
  let name = base;
  for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
  used.add(name);
  return name;
}

/** Renames every reference to `from` (node inputs and subgraph outputs, in this graph and below) to `to`. */
function renameReferences(graph: GraphProto, from: string, to: string): void {
  for (const n of graph.node) {
    n.input = n.input.map((x) => (x === from ? to : x));
    for (const a of n.attribute) {
      const subs = a.g !== undefined ? [a.g, ...a.graphs] : a.graphs;
      for (const g of subs) {
        for (const o of g.output) if (o.name === from) o.name = to;
        renameReferences(g, from, to);
      }
    }
  }
}

/**
 * Main-graph outputs computed in float16 but declared float32 (or the reverse): the producer's output is
 * renamed and a Cast writes the original name, because a model's output names are its interface.
 */
function renameMismatchedOutputs(main: GraphInfo, ctx: Ctx, used: Set<string>): Map<string, string> {
  const aliases = new Map<string, string>();
  const req = outputRequirement(main, ctx);
  for (const o of main.graph.output) {
    const name = o.name;
    const { scope } = main;
    if (!isFloatValue(scope, name) || scope.next.get(name) === req) continue;
    const producer = scope.producer.get(name);
    if (producer === undefined) continue; // graph inputs and initializers already follow the output requirement
    const alias = uniqueName(`${name}_${scope.next.get(name) === FLOAT16 ? 'fp16' : 'fp32'}`, used);
    producer.output = producer.output.map((x) => (x === name ? alias : x));
    renameReferences(main.graph, name, alias);
    for (const v of main.graph.valueInfo) if (v.name === name) v.name = alias;
    scope.orig.set(alias, FLOAT);
    scope.next.set(alias, scope.next.get(name)!);
    scope.producer.set(alias, producer);
    scope.next.set(name, req);
    aliases.set(name, alias);
  }
  return aliases;
}

function nextType(scope: Scope, name: string): number {
  const s = lookup(scope, name);
  return s?.next.get(name) ?? s?.orig.get(name) ?? 0;
}

/** Calls `visit` for every consumer edge (node input, or graph output) inside `sub` and its nested subgraphs. */
function forEachNestedUse(sub: GraphInfo, ctx: Ctx, visit: (scope: Scope, name: string, req: number | 'any') => void): void {
  for (const m of sub.graph.node) {
    const state = ctx.nodes.get(m)!;
    m.input.forEach((name, i) => {
      if (name !== '' && isFloatValue(state.scope, name)) visit(state.scope, name, inputRequirement(m, i, state));
    });
    for (const inner of state.subgraphs) forEachNestedUse(inner, ctx, visit);
  }
  const req = outputRequirement(sub, ctx);
  for (const o of sub.graph.output) if (isFloatValue(sub.scope, o.name)) visit(sub.scope, o.name, req);
}

/**
 * Inserts the boundary Casts of one graph, each right before its first consumer, one per (value, type).
 * A value consumed inside a subgraph is cast in the graph that defines it, just before the If/Loop/Scan node,
 * so both branches of an If and the outer graph share one Cast.
 */
function rewriteGraph(g: GraphInfo, ctx: Ctx, used: Set<string>, counters: Counters, aliases: Map<string, string>): void {
  const nodes: NodeProto[] = [];
  // Casts of outer values that the outer graph did not provide (should not happen: kept as a safety net).
  const local = new Map<string, string>();
  const castTo = (name: string, to: number): string => {
    const key = `${to}\u0000${name}`;
    const owner = lookup(g.scope, name);
    const known = owner?.casts.get(key) ?? local.get(key);
    if (known !== undefined) return known;
    const out = uniqueName(`${name}_${to === FLOAT16 ? 'fp16' : 'fp32'}`, used);
    nodes.push(makeNode('Cast', [name], [out], { to }, uniqueName(`Cast_${out}`, used)));
    counters.castsInserted++;
    (owner === g.scope ? g.scope.casts : local).set(key, out);
    return out;
  };
  for (const n of g.graph.node) {
    const state = ctx.nodes.get(n)!;
    for (const sub of state.subgraphs) {
      forEachNestedUse(sub, ctx, (scope, name, req) => {
        if (req !== 'any' && lookup(scope, name) === g.scope && nextType(g.scope, name) !== req) castTo(name, req);
      });
    }
    n.input = n.input.map((name, i) => {
      if (name === '' || !isFloatValue(state.scope, name)) return name;
      const req = inputRequirement(n, i, state);
      return req === 'any' || nextType(state.scope, name) === req ? name : castTo(name, req);
    });
    nodes.push(n);
  }
  const req = outputRequirement(g, ctx);
  if (g.owner === undefined) {
    for (const [name, alias] of aliases) {
      nodes.push(makeNode('Cast', [alias], [name], { to: req }, uniqueName(`Cast_${name}`, used)));
      counters.castsInserted++;
    }
  } else {
    // Subgraph outputs are matched by position, so they may simply be renamed to a Cast's output.
    for (const o of g.graph.output) {
      if (!isFloatValue(g.scope, o.name) || nextType(g.scope, o.name) === req) continue;
      o.name = castTo(o.name, req);
    }
  }
  g.graph.node = nodes;
}

/** float32 values -> float16 bits with clamping to ±65504 and flushing below 2^-24, counted. */
function toFloat16Counted(values: Float32Array, counters: Counters): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    let v = values[i]!;
    if (v > FP16_MAX && v !== Infinity) {
      v = FP16_MAX;
      counters.clampedValues++;
    } else if (v < -FP16_MAX && v !== -Infinity) {
      v = -FP16_MAX;
      counters.clampedValues++;
    } else if (v !== 0 && Math.abs(v) < FP16_MIN_SUBNORMAL) {
      v = v < 0 ? -0 : 0;
      counters.flushedValues++;
    }
    out[i] = toFloat16Bits(v);
  }
  return out;
}

/** Converts a FLOAT tensor in place to FLOAT16 (raw_data). */
function convertTensor(t: TensorProto, counters: Counters, external: ExternalDataResolver | undefined): void {
  const values = readTensor(t, external) as Float32Array;
  const bits = toFloat16Counted(values, counters);
  t.dataType = FLOAT16;
  writeTensor(t, bits);
}

function convertValues(ctx: Ctx, counters: Counters, external: ExternalDataResolver | undefined): void {
  for (const g of ctx.graphs) {
    const { scope, graph } = g;
    for (const t of graph.initializer) {
      if (t.dataType === FLOAT && scope.next.get(t.name) === FLOAT16) {
        convertTensor(t, counters, external);
        counters.convertedInitializers++;
      } else {
        inlineExternalTensor(t, external);
      }
    }
    for (const n of graph.node) {
      const state = ctx.nodes.get(n);
      const out = n.output[0] ?? '';
      if (state === undefined || !isDefaultDomain(n)) continue; // Casts this rewrite inserted
      if (n.opType === 'Constant' && scope.next.get(out) === FLOAT16) {
        const a = n.attribute[0];
        if (a?.t !== undefined && a.t.dataType === FLOAT) convertTensor(a.t, counters, external);
        else if (a?.name === 'value_float' || a?.name === 'value_floats') {
          const values = a.name === 'value_float' ? new Float32Array([a.f]) : Float32Array.from(a.floats);
          const dims = a.name === 'value_float' ? [] : [values.length];
          n.attribute = [attribute('value', { t: makeTensor(out, FLOAT16, dims, toFloat16Counted(values, counters)) })];
        }
        counters.convertedConstants++;
      } else if (n.opType === 'Cast' && state.keep === undefined && intAttr(n, 'to') === FLOAT && scope.next.get(out) === FLOAT16) {
        attr(n, 'to')!.i = BigInt(FLOAT16);
        counters.fixedCasts++;
      } else if (n.opType === 'ConstantOfShape' && state.keep === undefined && scope.next.get(out) === FLOAT16) {
        const a = attr(n, 'value');
        if (a?.t !== undefined) convertTensor(a.t, counters, external);
        else n.attribute.push(attribute('value', { t: makeTensor('value', FLOAT16, [1], new Uint16Array(1)) }));
        counters.convertedConstants++;
      } else if (n.opType === 'Constant') {
        const t = n.attribute[0]?.t;
        if (t !== undefined) inlineExternalTensor(t, external);
      }
    }
  }
}

function updateDeclaredTypes(ctx: Ctx): void {
  for (const g of ctx.graphs) {
    const { scope, graph } = g;
    const req = outputRequirement(g, ctx);
    for (const v of graph.valueInfo) {
      const s = lookup(scope, v.name);
      const next = s?.next.get(v.name);
      if (elemTypeOf(v) === FLOAT && next !== undefined) setElemType(v, next);
    }
    for (const v of graph.input) {
      const next = scope.next.get(v.name);
      if (elemTypeOf(v) === FLOAT && next !== undefined) setElemType(v, next);
    }
    for (const v of graph.output) if (elemTypeOf(v) === FLOAT) setElemType(v, req);
  }
}

function touchesFloat(n: NodeProto, state: NodeState): boolean {
  const scope = state.scope;
  return n.input.some((x) => x !== '' && isFloatValue(scope, x)) || n.output.some((x) => x !== '' && isFloatValue(scope, x));
}

/** Analyses a (cloned) model: types, kept nodes, demands and the element type each float value will get. */
function plan(model: ModelProto, options: Fp16Options): { ctx: Ctx; main: GraphInfo } {
  if (model.graph === undefined) throw new QbError('not-onnx', 'This model has no computation graph to convert.');
  const ctx: Ctx = {
    keepIO: options.keepIO ?? true,
    blockOps: new Set(options.blockOps ?? DEFAULT_FP16_BLOCK_OPS),
    keepNodes: new Set(options.keepNodes ?? []),
    nodes: new Map(),
    graphs: [],
  };
  const main = analyseGraph(model.graph, undefined, undefined, undefined, ctx);
  markShapeComputation(ctx);
  collectDemands(ctx);
  decideTypes(ctx);
  return { ctx, main };
}

/** Counts float weight elements by storage type (initializers and Constant tensors, every graph). */
function weightElementsByType(graph: GraphProto, counts = { fp32: 0, fp16: 0 }): { fp32: number; fp16: number } {
  const add = (t: TensorProto): void => {
    const n = t.dims.reduce((a, d) => a * Number(d), 1);
    if (t.dataType === FLOAT) counts.fp32 += n;
    else if (t.dataType === FLOAT16) counts.fp16 += n;
  };
  graph.initializer.forEach(add);
  for (const n of graph.node) {
    for (const a of n.attribute) {
      if (a.t !== undefined && n.opType === 'Constant') add(a.t);
      if (a.g !== undefined) weightElementsByType(a.g, counts);
      for (const g of a.graphs) weightElementsByType(g, counts);
    }
  }
  return counts;
}

/**
 * True when the model already stores its float weights mostly in float16 (e.g. the WinML FP16 SqueezeNet, or
 * a model this converter produced, whose Resize scales and mixed-precision nodes keep a few float32 tensors).
 */
export function isAlreadyFp16(model: ModelProto): boolean {
  if (model.graph === undefined) return false;
  const { fp32, fp16 } = weightElementsByType(model.graph);
  return fp16 > 0 && fp16 >= fp32;
}

/**
 * Float nodes of the main graph that the conversion would run in float16, in graph (topological) order:
 * the candidates a mixed-precision search can move back to FP32 (keys as in nodeKey).
 */
export function fp16Candidates(model: ModelProto, options: Fp16Options = {}): { key: string; opType: string }[] {
  const { ctx, main } = plan(model, options);
  const out: { key: string; opType: string }[] = [];
  for (const n of main.graph.node) {
    const state = ctx.nodes.get(n)!;
    if (state.keep !== undefined || n.opType === 'Constant' || !touchesFloat(n, state)) continue;
    const requiresFloat = n.output.some((o) => o !== '' && isFloatValue(state.scope, o)) || n.input.some((x, i) => x !== '' && isFloatValue(state.scope, x) && inputRequirement(n, i, state) !== 'any');
    if (requiresFloat) out.push({ key: nodeKey(n), opType: n.opType });
  }
  return out;
}

/**
 * Converts a float32 model to float16: float32 initializers, Constant/ConstantOfShape tensors, value_info and
 * graph I/O types become float16; nodes of `blockOps`, `keepNodes`, custom domains and float shape arithmetic
 * stay float32 behind deduplicated Cast nodes; existing Cast(to=FLOAT) inside the converted region become
 * Cast(to=FLOAT16) unless only FP32 consumers read them; If/Loop/Scan bodies follow their node. Integer and
 * bool tensors are untouched. Weights beyond ±65504 are clamped and non-zero weights below 2^-24 flushed to
 * zero (counted in the report). External-data tensors are read through `external` and written inline.
 * A model whose weights are already mostly float16 is returned as it is, with report.alreadyFp16 = true.
 * The input model is not modified.
 * @throws QbError('not-onnx') without a graph, QbError('unsupported') for default-domain opset < 6,
 * QbError('missing-external-data') when external weights cannot be read, QbError('too-large') when the result
 * would exceed protobuf's 2 GiB.
 */
export function convertToFloat16(
  model: ModelProto,
  options: Fp16Options = {},
  external?: ExternalDataResolver,
): { model: ModelProto; report: Fp16Report } {
  // The weights of an external-data model count too: the result holds them inline.
  let externalBytes = 0;
  if (model.graph !== undefined) forEachWeight(model.graph, (t) => (externalBytes += isExternal(t) ? tensorByteSize(t) : 0));
  const measure = options.measureSizes !== false;
  const sizeBeforeBytes = measure ? encodedSize(model) + externalBytes : 0;
  const report: Fp16Report = {
    alreadyFp16: false,
    convertedInitializers: 0,
    convertedConstants: 0,
    clampedValues: 0,
    flushedValues: 0,
    castsInserted: 0,
    fixedCasts: 0,
    keptFp32Nodes: [],
    sizeBeforeBytes,
    sizeAfterBytes: sizeBeforeBytes,
  };
  if (isAlreadyFp16(model)) return { model, report: { ...report, alreadyFp16: true } };
  const opset = model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0n;
  if (opset > 0n && opset < 6n) {
    // Before opset 6, Cast's `to` was a string and most ops had no float16 type constraint.
    throw new QbError('unsupported', `This model uses ONNX opset ${opset}, older than 6; FP16 conversion needs opset 6 or newer. Upgrade the model's opset first.`);
  }

  const out = cloneModel(model);
  const { ctx, main } = plan(out, options);
  for (const g of ctx.graphs) {
    for (const n of g.graph.node) {
      const state = ctx.nodes.get(n)!;
      if (state.keep !== undefined && touchesFloat(n, state)) report.keptFp32Nodes.push({ name: nodeKey(n), opType: n.opType, reason: state.keep });
    }
  }
  const used = usedNames(out.graph!);
  const aliases = renameMismatchedOutputs(main, ctx, used);
  for (const g of ctx.graphs) rewriteGraph(g, ctx, used, report, aliases);
  convertValues(ctx, report, external);
  updateDeclaredTypes(ctx);
  report.sizeAfterBytes = measure ? encodedSize(out) : 0;
  return { model: out, report };
}

function encodedSize(model: ModelProto): number {
  try {
    return encodeModel(model).byteLength;
  } catch (err) {
    throw new QbError('too-large', 'The converted model would be larger than one ONNX file can hold (2 GB).', err instanceof Error ? err.message : String(err));
  }
}

