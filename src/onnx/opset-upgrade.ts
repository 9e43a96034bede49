// Opset upgrade of the default ONNX domain ("" / "ai.onnx"): moves every node, If/Loop/Scan subgraphs included,
// from the model's opset to a target (default 13, the first with per-channel DequantizeLinear) through exact
// per-operator adapters, and refuses, naming the operator, whatever it cannot move without changing results.
import { create } from '@bufbuild/protobuf';
import { QbError } from '../shared/errors';
import { attribute, node as buildNode, type AttrValue } from './build';
import { DataType as DT } from './dtypes';
import { floatsToFloat16Bits } from './float16';
import { describeType, type Dim } from './graph';
import {
  AttributeProto_AttributeType as AT,
  OperatorSetIdProtoSchema,
  type AttributeProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
} from './proto/onnx_pb';
import { makeTensor, readTensor } from './tensor-data';
import { cloneModel } from './weight-views';

/** What upgradeOpset did: the default-domain opset and IR version before and after, and every node it rewrote. */
export interface OpsetUpgradeReport {
  fromVersion: number;
  toVersion: number;
  /** Nodes whose form changed (attributes moved to inputs, ops replaced...); `name` is the node name or, when it has none, its first output. */
  changedNodes: { name: string; opType: string; change: string }[];
  irVersionFrom: number;
  irVersionTo: number;
}

/** Highest target accepted: the newest opset Quantbench's reference checker (onnx 1.12) validates. */
const MAX_TARGET = 17;

const DEFAULT_DOMAINS = new Set(['', 'ai.onnx']);

/**
 * Every default-domain operator up to opset 17 with the opset versions that changed its schema (from the onnx
 * operator changelog). A version with no adapter in STEPS was checked to be compatible: it only widened the type
 * lists, allowed negative axes/indices, or added optional attributes/inputs whose defaults keep the old behaviour.
 * An operator missing here (an experimental op such as ImageScaler, or a typo) is refused, never passed through.
 */
const VERSIONS: ReadonlyMap<string, readonly number[]> = new Map(
  [
    'Abs 1 6 13 | Acos 7 | Acosh 9 | Add 1 6 7 13 14 | And 1 7 | ArgMax 1 11 12 13 | ArgMin 1 11 12 13 | Asin 7',
    'Asinh 9 | Atan 7 | Atanh 9 | AveragePool 1 7 10 11 | BatchNormalization 1 6 7 9 14 15 | Bernoulli 15',
    'BitShift 11 | BlackmanWindow 17 | Cast 1 6 9 13 | CastLike 15 | Ceil 1 6 13 | Celu 12 | Clip 1 6 11 12 13',
    'Compress 9 11 | Concat 1 4 11 13 | ConcatFromSequence 11 | Constant 1 9 11 12 13 | ConstantOfShape 9',
    'Conv 1 11 | ConvInteger 10 | ConvTranspose 1 11 | Cos 7 | Cosh 9 | CumSum 11 14 | DFT 17',
    'DepthToSpace 1 11 13 | DequantizeLinear 10 13 | Det 11 | Div 1 6 7 13 14 | Dropout 1 6 7 10 12 13',
    'DynamicQuantizeLinear 11 | Einsum 12 | Elu 1 6 | Equal 1 7 11 13 | Erf 9 13 | Exp 1 6 13 | Expand 8 13',
    'EyeLike 9 | Flatten 1 9 11 13 | Floor 1 6 13 | GRU 1 3 7 14 | Gather 1 11 13 | GatherElements 11 13',
    'GatherND 11 12 13 | Gemm 1 6 7 9 11 13 | GlobalAveragePool 1 | GlobalLpPool 1 2 | GlobalMaxPool 1',
    'Greater 1 7 9 13 | GreaterOrEqual 12 16 | GridSample 16 | HammingWindow 17 | HannWindow 17 | HardSigmoid 1 6',
    'HardSwish 14 | Hardmax 1 11 13 | Identity 1 13 14 16 | If 1 11 13 16 | InstanceNormalization 1 6 | IsInf 10',
    'IsNaN 9 13 | LRN 1 13 | LSTM 1 7 14 | LayerNormalization 17 | LeakyRelu 1 6 16 | Less 1 7 9 13',
    'LessOrEqual 12 16 | Log 1 6 13 | LogSoftmax 1 11 13 | Loop 1 11 13 16 | LpNormalization 1 | LpPool 1 2 11',
    'MatMul 1 9 13 | MatMulInteger 10 | Max 1 6 8 12 13 | MaxPool 1 8 10 11 12 | MaxRoiPool 1 | MaxUnpool 9 11',
    'Mean 1 6 8 13 | MeanVarianceNormalization 9 13 | MelWeightMatrix 17 | Min 1 6 8 12 13 | Mod 10 13',
    'Mul 1 6 7 13 14 | Multinomial 7 | Neg 1 6 13 | NegativeLogLikelihoodLoss 12 13 | NonMaxSuppression 10 11',
    'NonZero 9 13 | Not 1 | OneHot 9 11 | Optional 15 | OptionalGetElement 15 | OptionalHasElement 15 | Or 1 7',
    'PRelu 1 6 7 9 16 | Pad 1 2 11 13 | Pow 1 7 12 13 15 | QLinearConv 10 | QLinearMatMul 10 | QuantizeLinear 10 13',
    'RNN 1 7 14 | RandomNormal 1 | RandomNormalLike 1 | RandomUniform 1 | RandomUniformLike 1 | Range 11',
    'Reciprocal 1 6 13 | ReduceL1 1 11 13 | ReduceL2 1 11 13 | ReduceLogSum 1 11 13 | ReduceLogSumExp 1 11 13',
    'ReduceMax 1 11 12 13 | ReduceMean 1 11 13 | ReduceMin 1 11 12 13 | ReduceProd 1 11 13 | ReduceSum 1 11 13',
    'ReduceSumSquare 1 11 13 | Relu 1 6 13 14 | Reshape 1 5 13 14 | Resize 10 11 13 | ReverseSequence 10',
    'RoiAlign 10 16 | Round 11 | STFT 17 | Scan 8 9 11 16 | Scatter 9 11 | ScatterElements 11 13 16',
    'ScatterND 11 13 16 | Selu 1 6 | SequenceAt 11 | SequenceConstruct 11 | SequenceEmpty 11 | SequenceErase 11',
    'SequenceInsert 11 | SequenceLength 11 | SequenceMap 17 | Shape 1 13 15 | Shrink 9 | Sigmoid 1 6 13 | Sign 9 13',
    'Sin 7 | Sinh 9 | Size 1 13 | Slice 1 10 11 13 | Softmax 1 11 13 | SoftmaxCrossEntropyLoss 12 13 | Softplus 1',
    'Softsign 1 | SpaceToDepth 1 13 | Split 1 2 11 13 | SplitToSequence 11 | Sqrt 1 6 13 | Squeeze 1 11 13',
    'StringNormalizer 10 | Sub 1 6 7 13 14 | Sum 1 6 8 13 | Tan 7 | Tanh 1 6 13 | TfIdfVectorizer 9',
    'ThresholdedRelu 10 | Tile 1 6 13 | TopK 1 10 11 | Transpose 1 13 | Trilu 14 | Unique 11 | Unsqueeze 1 11 13',
    'Upsample 1 7 9 10 | Where 9 16 | Xor 1 7',
  ]
    .join(' | ')
    .split('|')
    .map((entry): [string, number[]] => {
      const [op, ...versions] = entry.trim().split(/\s+/);
      return [op!, versions.map(Number)];
    }),
);

/** Operators removed from the opset, with the version that removed them (its step replaces the op). */
const REMOVED_AT: Readonly<Record<string, number>> = { Upsample: 10, Scatter: 11 };

/** Minimum IR version for an opset (onnx release table: opset 13 came with IR 7, opset 15 with IR 8). */
function minIrVersion(opset: number): number {
  if (opset >= 15) return 8;
  if (opset >= 12) return 7;
  if (opset === 11) return 6;
  if (opset === 10) return 5;
  if (opset === 9) return 4;
  return 3;
}

// ---------------------------------------------------------------------------------------------------------------
// Facts about the model that adapters need: used names, element types, declared shapes, readers, constants.

interface Upgrade {
  from: number;
  target: number;
  /** Every name in the model (values and nodes, all graphs), so new names never collide or shadow. */
  names: Set<string>;
  types: Map<string, number>;
  shapes: Map<string, Dim[]>;
  /** Values read by some node or listed as some graph's output. */
  consumed: Set<string>;
  /** Initializers and Constant node tensors by value name (for scale factors known before run time). */
  constants: Map<string, TensorProto>;
  /** Resize nodes made from Upsample, whose scales the spec requires to be >= 1. */
  fromUpsample: WeakSet<NodeProto>;
  /** Initializers added so far. */
  added: number;
  changed: OpsetUpgradeReport['changedNodes'];
}

function forEachGraph(graph: GraphProto, visit: (g: GraphProto) => void): void {
  visit(graph);
  for (const n of graph.node) {
    for (const a of n.attribute) {
      if (a.g !== undefined) forEachGraph(a.g, visit);
      for (const g of a.graphs) forEachGraph(g, visit);
    }
  }
}

/** Ops whose first output has the element type of their first input (enough to type Clip/Pad constants). */
const SAME_TYPE_OPS = new Set(
  (
    'Abs Add AveragePool BatchNormalization Ceil Celu Clip Concat Conv ConvTranspose DepthToSpace Div Dropout Elu Erf Exp ' +
    'Expand Flatten Floor Gather GatherElements GatherND Gemm GlobalAveragePool GlobalMaxPool HardSigmoid HardSwish ' +
    'Hardmax Identity InstanceNormalization LRN LeakyRelu Log LogSoftmax MatMul Max MaxPool Mean Min Mul Neg PRelu Pad ' +
    'Pow Reciprocal ReduceL1 ReduceL2 ReduceLogSum ReduceLogSumExp ReduceMax ReduceMean ReduceMin ReduceProd ReduceSum ' +
    'ReduceSumSquare Relu Reshape Resize Round Selu Sigmoid Sign Sin Cos Slice Softmax Softplus Softsign SpaceToDepth ' +
    'Split Sqrt Squeeze Sub Sum Tanh Tile TopK Transpose Unsqueeze Upsample LayerNormalization'
  ).split(' '),
);
const INT64_OPS = new Set(['Shape', 'Size', 'NonZero', 'ArgMax', 'ArgMin']);
const BOOL_OPS = new Set(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf']);

function collectFacts(model: ModelProto, from: number, target: number): Upgrade {
  const u: Upgrade = {
    from,
    target,
    names: new Set(),
    types: new Map(),
    shapes: new Map(),
    consumed: new Set(),
    constants: new Map(),
    fromUpsample: new WeakSet(),
    added: 0,
    changed: [],
  };
  const graph = model.graph!;
  forEachGraph(graph, (g) => {
    for (const v of [...g.input, ...g.output, ...g.valueInfo]) {
      u.names.add(v.name);
      const vt = v.type?.value;
      if (vt?.case === 'tensorType' && vt.value.elemType !== 0 && !u.types.has(v.name)) u.types.set(v.name, vt.value.elemType);
      const shape = describeType(v.type).shape;
      if (shape !== null && !u.shapes.has(v.name)) u.shapes.set(v.name, shape);
    }
    for (const o of g.output) u.consumed.add(o.name);
    for (const t of g.initializer) {
      u.names.add(t.name);
      u.types.set(t.name, t.dataType);
      u.shapes.set(t.name, t.dims.map(Number));
      if (!u.constants.has(t.name)) u.constants.set(t.name, t);
    }
    for (const s of g.sparseInitializer) if (s.values !== undefined) u.names.add(s.values.name);
    for (const n of g.node) {
      if (n.name !== '') u.names.add(n.name);
      for (const i of n.input) {
        u.names.add(i);
        u.consumed.add(i);
      }
      for (const o of n.output) u.names.add(o);
      const value = n.opType === 'Constant' ? n.attribute.find((a) => a.name === 'value')?.t : undefined;
      if (value !== undefined && n.output[0] !== undefined && !u.constants.has(n.output[0])) u.constants.set(n.output[0], value);
    }
  });
  // Element types of intermediate values, forward through the graphs in node order (subgraphs before the node
  // that owns them, which is when their outer-scope inputs are already typed).
  const typeOf = (name: string | undefined): number | undefined => (name === undefined || name === '' ? undefined : u.types.get(name));
  const walk = (g: GraphProto): void => {
    for (const n of g.node) {
      for (const a of n.attribute) {
        if (a.g !== undefined) walk(a.g);
        for (const sub of a.graphs) walk(sub);
      }
      if (!DEFAULT_DOMAINS.has(n.domain)) continue;
      const out = n.output[0];
      if (out === undefined || out === '' || u.types.has(out)) continue;
      let t: number | undefined;
      if (n.opType === 'Cast') t = Number(n.attribute.find((a) => a.name === 'to')?.i ?? 0) || undefined;
      else if (n.opType === 'Constant') {
        const a = n.attribute[0];
        if (a?.t !== undefined) t = a.t.dataType;
        else if (a?.name === 'value_float' || a?.name === 'value_floats') t = DT.FLOAT;
        else if (a?.name === 'value_int' || a?.name === 'value_ints') t = DT.INT64;
      } else if (INT64_OPS.has(n.opType)) t = DT.INT64;
      else if (BOOL_OPS.has(n.opType)) t = DT.BOOL;
      else if (n.opType === 'Where') t = typeOf(n.input[1]);
      else if (SAME_TYPE_OPS.has(n.opType)) t = typeOf(n.input[0]);
      if (t !== undefined) u.types.set(out, t);
      if (n.opType === 'Split' && t !== undefined) for (const o of n.output) if (o !== '') u.types.set(o, t);
    }
  };
  walk(graph);
  return u;
}

// ---------------------------------------------------------------------------------------------------------------
// Node-level helpers.

interface NodeContext {
  u: Upgrade;
  /** The graph holding the node: new initializers go there so subgraph nodes find them in scope. */
  graph: GraphProto;
  node: NodeProto;
  /** The op type the node had in the source model (adapters may change node.opType). */
  opType: string;
  notes: string[];
}

/** Nodes an adapter adds around the node it rewrites, already in their target-opset form. */
interface Inserted {
  before?: NodeProto[];
  after?: NodeProto[];
}

/** Rewrites `n` (in place) across one schema change at opset `step`; may return nodes to insert around it. */
type Adapter = (n: NodeProto, c: NodeContext, step: number) => Inserted | void;

function nodeLabel(n: NodeProto): string {
  return n.name !== '' ? n.name : (n.output[0] ?? n.opType);
}

function fail(c: NodeContext, reason: string): never {
  const { from, target } = c.u;
  throw new QbError(
    'unsupported',
    `"${c.opType}" cannot be moved from opset ${from} to ${target} yet, because ${reason}. ` +
      `Export the model again at opset ${target} or newer, then load that file.`,
    `node "${nodeLabel(c.node)}" (${c.opType}), opset ${from} -> ${target}`,
  );
}

function freshName(u: Upgrade, base: string): string {
  const clean = base.replace(/[^A-Za-z0-9_]/g, '_');
  let name = `qb_upgrade_${clean}`;
  for (let i = 2; u.names.has(name); i++) name = `qb_upgrade_${clean}_${i}`;
  u.names.add(name);
  return name;
}

function getAttr(n: NodeProto, name: string): AttributeProto | undefined {
  return n.attribute.find((a) => a.name === name);
}

/** Removes and returns an attribute. */
function takeAttr(n: NodeProto, name: string): AttributeProto | undefined {
  const i = n.attribute.findIndex((a) => a.name === name);
  return i < 0 ? undefined : n.attribute.splice(i, 1)[0];
}

function setAttr(n: NodeProto, name: string, value: AttrValue): void {
  takeAttr(n, name);
  n.attribute.push(attribute(name, value));
}

function attrString(a: AttributeProto | undefined): string | undefined {
  return a === undefined ? undefined : new TextDecoder().decode(a.s);
}

/** Adds an initializer to the node's graph and returns its (unique) name. */
function addInitializer(c: NodeContext, what: string, dataType: number, dims: number[], data: Parameters<typeof makeTensor>[3]): string {
  const name = freshName(c.u, `${nodeLabel(c.node)}_${what}`);
  c.graph.initializer.push(makeTensor(name, dataType, dims, data));
  c.u.types.set(name, dataType);
  c.u.added++;
  return name;
}

function int64Input(c: NodeContext, what: string, values: readonly bigint[]): string {
  return addInitializer(c, what, DT.INT64, [values.length], BigInt64Array.from(values));
}

/** A scalar of the node input's float type (Clip-11 bounds and Pad-11 constant_value must match the data type). */
function floatScalar(c: NodeContext, what: string, value: number): string {
  const x = c.node.input[0] ?? '';
  const dataType = c.u.types.get(x) ?? c.u.types.get(c.node.output[0] ?? '');
  if (dataType === DT.FLOAT) return addInitializer(c, what, DT.FLOAT, [], new Float32Array([value]));
  if (dataType === DT.DOUBLE) return addInitializer(c, what, DT.DOUBLE, [], new Float64Array([value]));
  if (dataType === DT.FLOAT16) return addInitializer(c, what, DT.FLOAT16, [], floatsToFloat16Bits(new Float32Array([value])));
  return fail(c, `the element type of its input "${x}" is ${dataType === undefined ? 'not declared in the model' : 'not a float type'}, and its ${what} must be stored in that type`);
}

/** Float values of a tensor known before run time (initializer or Constant), or undefined. */
function constantFloats(u: Upgrade, name: string | undefined): number[] | undefined {
  const t = name === undefined ? undefined : u.constants.get(name);
  if (t === undefined || (t.dataType !== DT.FLOAT && t.dataType !== DT.DOUBLE)) return undefined;
  try {
    return Array.from(readTensor(t) as Float32Array | Float64Array);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Adapters, one per schema change that is not a pure extension.

/** consumed_inputs (opsets 1-5) only told old runtimes which inputs they could overwrite: no effect on results. */
const dropConsumedInputs: Adapter = (n, c) => {
  if (takeAttr(n, 'consumed_inputs') !== undefined) c.notes.push('dropped the legacy consumed_inputs attribute');
};

function refuse(reason: string): Adapter {
  return (_n, c) => fail(c, reason);
}

const OLD_BROADCAST = 'opsets before 7 broadcast with the "broadcast"/"axis" attributes, which differ from numpy-style broadcasting';

/** An int64 list attribute that became an input (Squeeze/Unsqueeze/ReduceSum axes, Split split at 13). */
function attrToInput(name: string, required: boolean): Adapter {
  return (n, c) => {
    const a = takeAttr(n, name);
    if (a === undefined || (a.ints.length === 0 && !required)) {
      // Absent (or empty) keeps meaning "all axes" / "equal parts" with the input omitted.
      if (required) fail(c, `its required "${name}" attribute is missing`);
      return;
    }
    n.input = [n.input[0] ?? '', int64Input(c, name, a.ints)];
    c.notes.push(`${name} attribute [${a.ints.join(', ')}] moved to an int64 input`);
  };
}

/**
 * Softmax/LogSoftmax/Hardmax 13: before, the input was coerced to 2-D at `axis` (default 1) and normalised over
 * all trailing dims together; from 13 only the single `axis` (default -1) is. They agree when axis is the last
 * dim or every dim after it is 1; otherwise Flatten -> op(axis=1) -> Reshape(Shape(x)) reproduces the old form.
 */
const softmaxAxis: Adapter = (n, c) => {
  const axis = Number(getAttr(n, 'axis')?.i ?? 1n);
  const x = n.input[0] ?? '';
  const y = n.output[0] ?? '';
  const shape = c.u.shapes.get(x) ?? c.u.shapes.get(y);
  if (shape !== undefined) {
    const a = axis < 0 ? axis + shape.length : axis;
    if (a >= 0 && a < shape.length && shape.slice(a + 1).every((d) => d === 1)) {
      setAttr(n, 'axis', axis);
      c.notes.push(`axis ${axis} set explicitly (input rank ${shape.length}, nothing to normalise after it)`);
      return;
    }
  }
  const base = nodeLabel(n);
  const shapeOut = freshName(c.u, `${base}_shape`);
  const flat = freshName(c.u, `${base}_flat`);
  const normalised = freshName(c.u, `${base}_2d`);
  const before = [
    buildNode('Shape', [x], [shapeOut], {}, freshName(c.u, `${base}_Shape`)),
    buildNode('Flatten', [x], [flat], { axis }, freshName(c.u, `${base}_Flatten`)),
  ];
  // allowzero (opset 14+) keeps a 0-sized dim of x from being read as "copy this dim" by Reshape.
  const after = [buildNode('Reshape', [normalised, shapeOut], [y], c.u.target >= 14 ? { allowzero: 1 } : {}, freshName(c.u, `${base}_Reshape`))];
  n.input = [flat];
  n.output = [normalised];
  setAttr(n, 'axis', 1);
  c.notes.push(`old 2-D coercion at axis ${axis} kept as Flatten -> ${n.opType}(axis=1) -> Reshape to the input shape`);
  return { before, after };
};

/** Clip 11: min/max attributes became optional scalar inputs of the data type. */
const clipToInputs: Adapter = (n, c) => {
  const lo = takeAttr(n, 'min');
  const hi = takeAttr(n, 'max');
  const x = n.input[0] ?? '';
  const isHalf = (c.u.types.get(x) ?? c.u.types.get(n.output[0] ?? '')) === DT.FLOAT16;
  // Clip-6 defaulted absent bounds to -/+FLT_MAX (so it clamped infinities); an explicit bound keeps that exactly.
  // In float16 FLT_MAX is infinity, i.e. no bound, so there the input is simply left out.
  const bound = (a: AttributeProto | undefined, what: string, dflt: number): string =>
    a !== undefined ? floatScalar(c, what, a.f) : isHalf ? '' : floatScalar(c, what, dflt);
  const FLT_MAX = 3.4028234663852886e38;
  const inputs = [x, bound(lo, 'min', -FLT_MAX), bound(hi, 'max', FLT_MAX)];
  while (inputs.length > 1 && inputs[inputs.length - 1] === '') inputs.pop();
  n.input = inputs;
  c.notes.push(`min/max attributes (${lo?.f ?? 'none'}, ${hi?.f ?? 'none'}) moved to inputs`);
};

/** Pad 2 renamed `paddings` to `pads`. */
const padRename: Adapter = (n, c) => {
  const a = takeAttr(n, 'paddings');
  if (a !== undefined) {
    a.name = 'pads';
    n.attribute.push(a);
    c.notes.push('paddings attribute renamed pads');
  }
};

/** Pad 11: pads became an int64 input and value an optional constant_value input. */
const padToInputs: Adapter = (n, c) => {
  const mode = attrString(getAttr(n, 'mode')) ?? 'constant';
  const pads = takeAttr(n, 'pads');
  const value = takeAttr(n, 'value');
  if (pads === undefined) fail(c, 'its required "pads" attribute is missing');
  n.input = [n.input[0] ?? '', int64Input(c, 'pads', pads.ints)];
  // value is read only in constant mode, and 0 is also the default of the new input.
  if (mode === 'constant' && value !== undefined && value.f !== 0) n.input.push(floatScalar(c, 'constant_value', value.f));
  c.notes.push(`pads${value !== undefined ? '/value' : ''} attributes moved to inputs`);
};

/** Slice 10: starts/ends/axes became int64 inputs (same clamping and negative-index rules). */
const sliceToInputs: Adapter = (n, c) => {
  const starts = takeAttr(n, 'starts');
  const ends = takeAttr(n, 'ends');
  const axes = takeAttr(n, 'axes');
  if (starts === undefined || ends === undefined) fail(c, 'its required "starts"/"ends" attributes are missing');
  n.input = [n.input[0] ?? '', int64Input(c, 'starts', starts.ints), int64Input(c, 'ends', ends.ints)];
  if (axes !== undefined) n.input.push(int64Input(c, 'axes', axes.ints));
  c.notes.push(`starts/ends${axes !== undefined ? '/axes' : ''} attributes moved to int64 inputs`);
};

/** TopK 10: k became a 1-element int64 input. */
const topkToInput: Adapter = (n, c) => {
  const k = takeAttr(n, 'k');
  if (k === undefined) fail(c, 'its required "k" attribute is missing');
  n.input = [n.input[0] ?? '', int64Input(c, 'k', [k.i])];
  c.notes.push(`k=${k.i} moved to an int64 input`);
};

/** Reshape 5: the shape attribute became an int64 input. */
const reshapeToInput: Adapter = (n, c) => {
  takeAttr(n, 'consumed_inputs');
  const shape = takeAttr(n, 'shape');
  if (shape === undefined) fail(c, 'its "shape" attribute is missing');
  n.input = [n.input[0] ?? '', int64Input(c, 'shape', shape.ints)];
  c.notes.push(`shape [${shape.ints.join(', ')}] moved to an int64 input`);
};

/** Upsample 9: scales became a float input. */
const upsampleScalesToInput: Adapter = (n, c) => {
  const scales = takeAttr(n, 'scales');
  if (scales === undefined) fail(c, 'its required "scales" attribute is missing');
  n.input = [n.input[0] ?? '', addInitializer(c, 'scales', DT.FLOAT, [scales.floats.length], Float32Array.from(scales.floats))];
  c.notes.push(`scales [${scales.floats.join(', ')}] moved to an input`);
};

/** Upsample was removed at 10; Upsample-9 is exactly Resize-10 (same inputs, same modes). */
const upsampleToResize: Adapter = (n, c) => {
  const mode = attrString(getAttr(n, 'mode')) ?? 'nearest';
  if (mode !== 'nearest' && mode !== 'linear') fail(c, `its mode "${mode}" has no Resize equivalent`);
  n.opType = 'Resize';
  c.u.fromUpsample.add(n);
  c.notes.push(`replaced by Resize (mode ${mode})`);
};

/**
 * Resize 11 added roi and the coordinate/rounding attributes, defaulting to half_pixel and round_prefer_floor.
 * Resize-10 (and Upsample) map output pixel i to input coordinate i / scale ("asymmetric"); in nearest mode ONNX
 * Runtime truncates that coordinate when enlarging and rounds it up when shrinking (per axis: scale < 1), which is
 * nearest_mode floor / ceil. One nearest_mode covers every axis, so scales that enlarge one axis and shrink
 * another, or nearest scales computed at run time (unless they come from Upsample, which requires >= 1), are refused.
 */
const resize10To11: Adapter = (n, c) => {
  const mode = attrString(getAttr(n, 'mode')) ?? 'nearest';
  if (mode !== 'nearest' && mode !== 'linear') fail(c, `its mode "${mode}" is not one Resize-10 defines`);
  const scales = n.input[1] ?? '';
  // From opset 13 roi is optional; at 11-12 it must be given, and an empty tensor means "no roi".
  const roi = c.u.target >= 13 ? '' : addInitializer(c, 'roi', DT.FLOAT, [0], new Float32Array(0));
  n.input = [n.input[0] ?? '', roi, scales];
  setAttr(n, 'coordinate_transformation_mode', 'asymmetric');
  let rounding = '';
  if (mode === 'nearest') {
    const values = constantFloats(c.u, scales);
    let nearest: 'floor' | 'ceil';
    if (values !== undefined) {
      const moving = values.filter((v) => v !== 1);
      if (moving.some((v) => v > 1) && moving.some((v) => v < 1)) {
        fail(c, `its nearest-neighbour scales [${values.join(', ')}] enlarge some axes and shrink others, which round differently`);
      }
      nearest = moving.some((v) => v < 1) ? 'ceil' : 'floor';
    } else if (c.u.fromUpsample.has(n)) {
      nearest = 'floor';
    } else {
      return fail(c, 'its nearest-neighbour scales are computed at run time, and rounding differs between enlarging and shrinking');
    }
    setAttr(n, 'nearest_mode', nearest);
    rounding = `, nearest_mode ${nearest}`;
  }
  c.notes.push(`${roi === '' ? 'empty roi input' : 'empty roi tensor'} added, coordinate_transformation_mode asymmetric${rounding}`);
};

/**
 * Dropout only matters for training. With its mask unused it becomes Identity (whatever the version). A mask that
 * is read cannot cross opset 10 (its type changed from the data type to bool) or 12: ONNX Runtime's Dropout-7..11
 * returns an all-false mask at inference and Dropout-12+ an all-true one (measured), so readers would see the
 * opposite values. Below those steps only the legacy attributes go.
 */
const dropout: Adapter = (n, c, step) => {
  const mask = n.output[1];
  if (mask === undefined || mask === '' || !c.u.consumed.has(mask)) {
    const data = n.input[0] ?? '';
    n.opType = 'Identity';
    n.input = [data];
    n.output = [n.output[0] ?? ''];
    n.attribute = [];
    if (mask !== undefined && mask !== '') {
      c.u.types.delete(mask);
      c.graph.valueInfo = c.graph.valueInfo.filter((v) => v.name !== mask);
    }
    c.notes.push('replaced by Identity (inference: dropout does nothing and its mask is unused)');
    return;
  }
  if (step >= 10) fail(c, `its mask output "${mask}" is read, and the mask changed type at opset 10 and value at opset 12`);
  if (step === 6) dropConsumedInputs(n, c, step);
  if (step === 7 && takeAttr(n, 'is_test') !== undefined) c.notes.push('dropped is_test');
};

/** BatchNormalization 6/7/9/14; any output beyond Y means training-mode statistics, which are refused. */
const batchNorm: Adapter = (n, c, step) => {
  if (n.output.slice(1).some((o) => o !== '')) fail(c, 'it has training-mode outputs (running mean/variance), whose meaning changed between these versions');
  if (step === 6) dropConsumedInputs(n, c, step);
  if (step === 7 && takeAttr(n, 'is_test') !== undefined) c.notes.push('dropped is_test (only Y is computed, which is test mode)');
  if (step === 9) {
    const spatial = takeAttr(n, 'spatial');
    if (spatial !== undefined && spatial.i !== 1n) fail(c, 'it normalises per activation (spatial=0), which opset 9 removed');
    if (spatial !== undefined) c.notes.push('dropped spatial=1 (the only behaviour from opset 9)');
  }
};

/** Concat 4 made axis required; before, it defaulted to 1. */
const concatAxis: Adapter = (n, c) => {
  if (getAttr(n, 'axis') === undefined) {
    setAttr(n, 'axis', 1);
    c.notes.push('axis 1 (the old default) set explicitly');
  }
};

/** Cast 6 changed `to` from a type name ("FLOAT") to the TensorProto.DataType number. */
const castTo: Adapter = (n, c) => {
  const to = getAttr(n, 'to');
  if (to?.type !== AT.STRING) return;
  const name = attrString(to)!.toUpperCase();
  const value = (DT as unknown as Record<string, number | undefined>)[name];
  if (typeof value !== 'number' || value === 0) fail(c, `its target type "${name}" is not an ONNX type`);
  setAttr(n, 'to', value);
  c.notes.push(`to "${name}" written as type number ${value}`);
};

/** Selu 6 changed the default alpha/gamma (more digits); an old node without them keeps its old constants. */
const seluDefaults: Adapter = (n, c, step) => {
  dropConsumedInputs(n, c, step);
  for (const [name, old] of [['alpha', 1.6732], ['gamma', 1.0507]] as const) {
    if (getAttr(n, name) !== undefined) continue;
    setAttr(n, name, { f: old });
    c.notes.push(`old default ${name} ${old} set explicitly`);
  }
};

/** RoiAlign 16 added coordinate_transformation_mode defaulting to half_pixel; the old behaviour is output_half_pixel. */
const roiAlignMode: Adapter = (n, c) => {
  if (getAttr(n, 'coordinate_transformation_mode') === undefined) {
    setAttr(n, 'coordinate_transformation_mode', 'output_half_pixel');
    c.notes.push('coordinate_transformation_mode output_half_pixel (the old behaviour) set explicitly');
  }
};

/** Scatter was removed at 11 in favour of ScatterElements, which has the same inputs and meaning. */
const scatterToElements: Adapter = (n, c) => {
  n.opType = 'ScatterElements';
  c.notes.push('replaced by ScatterElements');
};

const STEPS: Readonly<Record<string, Readonly<Record<number, Adapter>>>> = {
  Softmax: { 13: softmaxAxis },
  LogSoftmax: { 13: softmaxAxis },
  Hardmax: { 13: softmaxAxis },
  Unsqueeze: { 13: attrToInput('axes', true) },
  Squeeze: { 13: attrToInput('axes', false) },
  ReduceSum: { 13: attrToInput('axes', false) },
  Split: { 2: refuse('the opset 1 form of Split (split as an input, no default axis) is not supported'), 13: attrToInput('split', false) },
  Clip: { 6: dropConsumedInputs, 11: clipToInputs },
  Pad: { 2: padRename, 11: padToInputs },
  Slice: { 10: sliceToInputs },
  TopK: { 10: topkToInput },
  Reshape: { 5: reshapeToInput },
  Upsample: { 7: refuse('the experimental opset 1 Upsample (height_scale/width_scale) is not supported'), 9: upsampleScalesToInput, 10: upsampleToResize },
  Resize: { 11: resize10To11 },
  Dropout: { 6: dropout, 7: dropout, 10: dropout, 12: dropout },
  BatchNormalization: { 6: batchNorm, 7: batchNorm, 9: batchNorm, 14: batchNorm },
  Scatter: { 11: scatterToElements },
  Concat: { 4: concatAxis },
  Cast: { 6: castTo },
  Selu: { 6: seluDefaults },
  RoiAlign: { 16: roiAlignMode },
  Add: { 6: dropConsumedInputs, 7: refuse(OLD_BROADCAST) },
  Sub: { 6: dropConsumedInputs, 7: refuse(OLD_BROADCAST) },
  Mul: { 6: dropConsumedInputs, 7: refuse(OLD_BROADCAST) },
  Div: { 6: dropConsumedInputs, 7: refuse(OLD_BROADCAST) },
  Pow: { 7: refuse(OLD_BROADCAST) },
  And: { 7: refuse(OLD_BROADCAST) },
  Or: { 7: refuse(OLD_BROADCAST) },
  Xor: { 7: refuse(OLD_BROADCAST) },
  Equal: { 7: refuse(OLD_BROADCAST) },
  Greater: { 7: refuse(OLD_BROADCAST) },
  Less: { 7: refuse(OLD_BROADCAST) },
  Gemm: { 7: refuse(`${OLD_BROADCAST} (for C)`) },
  PRelu: { 6: dropConsumedInputs, 7: refuse('slope broadcasting changed at opset 7') },
  Sum: { 6: dropConsumedInputs },
  Max: { 6: dropConsumedInputs },
  Min: { 6: dropConsumedInputs },
  Mean: { 6: dropConsumedInputs },
  Tile: { 6: refuse('opset 6 replaced its tiles/axis inputs with one repeats input') },
  Scan: { 9: refuse('opset 9 removed its batch axis and sequence_lens input') },
  GRU: { 3: refuse('opset 3 changed its outputs and attributes'), 7: refuse('opset 7 removed output_sequence') },
  LSTM: { 7: refuse('opset 7 removed output_sequence') },
  RNN: { 7: refuse('opset 7 removed output_sequence') },
  LpPool: { 2: refuse('opset 2 changed p from a float to an integer') },
  GlobalLpPool: { 2: refuse('opset 2 changed p from a float to an integer') },
  ...Object.fromEntries(
    ['Abs', 'Ceil', 'Elu', 'Exp', 'Floor', 'HardSigmoid', 'InstanceNormalization', 'LeakyRelu', 'Log', 'Neg', 'Reciprocal', 'Relu', 'Sigmoid', 'Sqrt', 'Tanh'].map(
      (op) => [op, { 6: dropConsumedInputs }],
    ),
  ),
};

// ---------------------------------------------------------------------------------------------------------------
// The walk.

/** Moves one node from u.from to u.target, step by step through the op's schema versions. */
function upgradeNode(u: Upgrade, graph: GraphProto, n: NodeProto): { before: NodeProto[]; after: NodeProto[] } {
  const c: NodeContext = { u, graph, node: n, opType: n.opType, notes: [] };
  let op = n.opType;
  let versions = VERSIONS.get(op);
  if (versions === undefined) fail(c, 'Quantbench does not know how this operator changed between those versions');
  if (!versions.some((v) => v <= u.from)) fail(c, `it is not part of opset ${u.from}, the opset the model declares`);
  const before: NodeProto[] = [];
  const after: NodeProto[] = [];
  // A removed op still used at or after its removal (an invalid model some exporters wrote) is read as its last
  // version and replaced now; target > from >= removedAt, so the replacing step is in range.
  const removedAt = REMOVED_AT[op];
  let at = removedAt !== undefined && u.from >= removedAt ? removedAt - 1 : u.from;
  for (;;) {
    const step = versions.find((v) => v > at && v <= u.target);
    if (step === undefined) break;
    const inserted = STEPS[op]?.[step]?.(n, c, step);
    if (inserted) {
      before.push(...(inserted.before ?? []));
      after.push(...(inserted.after ?? []));
    }
    at = step;
    if (n.opType !== op) {
      op = n.opType;
      versions = VERSIONS.get(op)!;
    }
  }
  if (c.notes.length > 0) u.changed.push({ name: nodeLabel(n), opType: c.opType, change: c.notes.join('; ') });
  return { before, after };
}

function upgradeGraph(u: Upgrade, graph: GraphProto): void {
  const out: NodeProto[] = [];
  for (const n of graph.node) {
    for (const a of n.attribute) {
      if (a.g !== undefined) upgradeGraph(u, a.g);
      for (const g of a.graphs) upgradeGraph(u, g);
    }
    if (!DEFAULT_DOMAINS.has(n.domain)) {
      out.push(n);
      continue;
    }
    const { before, after } = upgradeNode(u, graph, n);
    out.push(...before, n, ...after);
  }
  graph.node = out;
}

function hasDefaultDomainNode(graph: GraphProto): boolean {
  let found = false;
  forEachGraph(graph, (g) => (found ||= g.node.some((n) => DEFAULT_DOMAINS.has(n.domain))));
  return found;
}

function refuseModel(message: string, detail?: string): never {
  throw new QbError('unsupported', message, detail);
}

/**
 * Returns a new ModelProto (a protobuf-es clone: the input is never mutated) whose default-domain ("" /
 * "ai.onnx") opset is `target`, with ir_version raised to what that opset needs (7 for 13); other domains are left
 * alone. Every node, including those in If/Loop/Scan subgraphs, is rewritten for each schema change between the
 * two opsets: attributes that became inputs get `qb_upgrade_*` initializers, old Softmax semantics become
 * Flatten/Softmax/Reshape where needed, Upsample becomes an equivalent Resize, unused-mask Dropout becomes Identity.
 * A model that declared IR < 4 has its initializers removed from the graph inputs, since IR 3 treated them as
 * constants while IR 4+ would make them overridable inputs. When the model's opset is already >= target the
 * clone is returned unchanged (same opset and IR) with an empty changedNodes.
 * @throws QbError('unsupported', plain-language message naming the op) when an op's semantics between the
 *         versions cannot be carried over exactly, the op is unknown, or target is above 17.
 */
export function upgradeOpset(model: ModelProto, target = 13): { model: ModelProto; report: OpsetUpgradeReport } {
  const irFrom = Number(model.irVersion);
  const imports = model.opsetImport.filter((o) => DEFAULT_DOMAINS.has(o.domain));
  const graph = model.graph;
  if (graph === undefined) refuseModel('This model has no graph, so there is nothing to upgrade.');
  const from = imports.length > 0 ? Math.max(...imports.map((o) => Number(o.version))) : undefined;
  if (from !== undefined && from >= target) {
    return { model: cloneModel(model), report: { fromVersion: from, toVersion: from, changedNodes: [], irVersionFrom: irFrom, irVersionTo: irFrom } };
  }
  if (!Number.isInteger(target) || target < 1 || target > MAX_TARGET) {
    refuseModel(`Quantbench can upgrade models to ONNX opsets 1 to ${MAX_TARGET}; opset ${target} was asked for.`);
  }
  if (from === undefined && hasDefaultDomainNode(graph)) {
    refuseModel('This model uses standard ONNX operators but does not say which opset version they follow, so they cannot be upgraded safely.');
  }
  for (const f of model.functions) {
    const fnImport = f.opsetImport.find((o) => DEFAULT_DOMAINS.has(o.domain));
    if (fnImport !== undefined && Number(fnImport.version) < target) {
      refuseModel(
        `The model-local function "${f.name}" uses opset ${fnImport.version}, and Quantbench cannot upgrade functions yet. Export the model again at opset ${target} or newer.`,
      );
    }
  }
  const out = cloneModel(model);
  const u = collectFacts(out, from ?? 0, target);
  if (from !== undefined) upgradeGraph(u, out.graph!);
  if (from === undefined) out.opsetImport.unshift(create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(target) }));
  for (const o of out.opsetImport) if (DEFAULT_DOMAINS.has(o.domain)) o.version = BigInt(target);
  // IR 3 required every initializer to be a graph input too; rather than list ours there, go to IR 4 (which
  // any opset may use) so they stay constants.
  const irTo = Math.max(irFrom, minIrVersion(target), u.added > 0 ? 4 : 0);
  if (irFrom < 4 && irTo >= 4) {
    const init = new Set(out.graph!.initializer.map((t) => t.name));
    out.graph!.input = out.graph!.input.filter((i) => !init.has(i.name));
  }
  out.irVersion = BigInt(irTo);
  return {
    model: out,
    report: { fromVersion: from ?? 0, toVersion: target, changedNodes: u.changed, irVersionFrom: irFrom, irVersionTo: irTo },
  };
}

/** Whether upgradeOpset(model, target) would succeed (no throw), for callers choosing a fallback; reason is its message. */
export function canUpgradeOpset(model: ModelProto, target = 13): { ok: true } | { ok: false; reason: string } {
  try {
    upgradeOpset(model, target);
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}
