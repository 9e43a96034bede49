// Static shape propagation over an ONNX graph (no onnxruntime) for the ops of common vision models, and the
// activation-memory estimate shown before a big job: largest activation tensor and the heaviest single node.
import type { AttributeProto, ModelProto, NodeProto, TensorProto, TypeProto } from './proto/onnx_pb';
import { DataType as DT, dtypeBytes } from './dtypes';
import { fromFloat16Bits } from './float16';
import { realInputs } from './graph';
import { readTensor } from './tensor-data';

/** A tensor's inferred shape and the bytes one of its elements takes. */
export interface InferredShape {
  dims: number[];
  elemBytes: number;
}

export interface ActivationEstimate {
  /** Largest single activation tensor in bytes and its name (null when no shape could be inferred). */
  largestBytes: number;
  largestName: string | null;
  /** max over nodes of (bytes of its non-constant inputs + bytes of its outputs): a lower bound of the run-time activation peak. */
  peakNodeBytes: number;
  peakNodeName: string | null;
  /** Sum of every activation tensor's bytes: what one run produces in all (calibration takes them all out). */
  totalBytes: number;
  /** Tensors whose shape could not be inferred (unknown op, dynamic shapes) — the estimate then is a lower bound. */
  unknownTensors: number;
  /** Op types met that the propagation does not know ("Op", or "domain:Op" outside the default domain). */
  unknownOps: string[];
}

/** What the propagation knows about one tensor. */
interface Info {
  dims: number[];
  dtype: number;
  /** Element values of a small computed tensor (shape arithmetic: Shape -> Gather -> Concat -> Reshape). */
  values?: number[];
  /** Initializer, Constant, or computed from constants only: a weight, not an activation. */
  constant: boolean;
}

/** A rule's result for one output: null when it cannot be inferred. */
type Out = { dims: number[]; dtype: number; values?: number[] } | null;

/** Values are only tracked for tensors this small: shape tensors have a handful of elements. */
const MAX_TRACKED_VALUES = 64;
/** Constant tensors larger than this are never read for values (a shape or axes list is never this long). */
const MAX_READ_VALUES = 4096;
/** Used when a tensor's element type is missing or unknown. */
const DEFAULT_ELEM_BYTES = 4;
/** Assumed for the default domain when the model does not import it (opset only picks Resize's input layout). */
const DEFAULT_OPSET = 21;

const INTEGER_TYPES = new Set<number>([DT.INT8, DT.UINT8, DT.INT16, DT.UINT16, DT.INT32, DT.UINT32, DT.INT64, DT.UINT64, DT.BOOL]);

/** Bytes per element for memory accounting: 4-bit types count half a byte, unknown types as float32. */
function elemBytesOf(dtype: number): number {
  const b = dtypeBytes(dtype);
  if (b > 0) return b;
  return dtype === DT.STRING ? 0 : DEFAULT_ELEM_BYTES;
}

function product(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

function tensorBytes(info: Info): number {
  return Math.ceil(product(info.dims) * elemBytesOf(info.dtype));
}

/** Dims a tensor can really have: non-negative safe integers whose product is a safe integer. */
function validDims(dims: readonly number[]): boolean {
  for (const d of dims) if (!Number.isSafeInteger(d) || d < 0) return false;
  return Number.isSafeInteger(product(dims));
}

/** Axis `a` of a rank-`rank` tensor, negative counted from the end; null when out of range. */
function normAxis(a: number, rank: number): number | null {
  const k = a < 0 ? a + rank : a;
  return Number.isInteger(k) && k >= 0 && k < rank ? k : null;
}

function normAxes(axes: readonly number[], rank: number): number[] | null {
  const out: number[] = [];
  for (const a of axes) {
    const k = normAxis(a, rank);
    if (k === null || out.includes(k)) return null;
    out.push(k);
  }
  return out;
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);

// --- attributes -------------------------------------------------------------------------------------------

const UTF8 = new TextDecoder();

function attr(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute.find((a) => a.name === name);
}
function attrInt(node: NodeProto, name: string, fallback: number): number {
  const a = attr(node, name);
  return a === undefined ? fallback : Number(a.i);
}
function attrInts(node: NodeProto, name: string): number[] | undefined {
  const a = attr(node, name);
  return a === undefined ? undefined : a.ints.map(Number);
}
function attrFloats(node: NodeProto, name: string): number[] | undefined {
  const a = attr(node, name);
  return a === undefined ? undefined : [...a.floats];
}
function attrString(node: NodeProto, name: string, fallback: string): string {
  const a = attr(node, name);
  return a === undefined ? fallback : UTF8.decode(a.s);
}

// --- shape arithmetic -------------------------------------------------------------------------------------

/** Numpy (multidirectional) broadcasting; null when two dims differ and neither is 1. */
function broadcast(shapes: readonly (readonly number[])[]): number[] | null {
  let rank = 0;
  for (const s of shapes) rank = Math.max(rank, s.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const e = s[s.length - rank + i];
      if (e === undefined || e === 1) continue;
      if (d !== 1 && d !== e) return null;
      d = e;
    }
    out.push(d);
  }
  return out;
}

/** Output of a matrix product with numpy semantics (1-D operands promoted, then the added axis dropped). */
function matmulDims(a: readonly number[], b: readonly number[]): number[] | null {
  if (a.length === 0 || b.length === 0) return null;
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  if (a2[a2.length - 1] !== b2[b2.length - 2]) return null;
  const batch = broadcast([a2.slice(0, -2), b2.slice(0, -2)]);
  if (batch === null) return null;
  if (a.length !== 1) batch.push(a2[a2.length - 2]!);
  if (b.length !== 1) batch.push(b2[b2.length - 1]!);
  return batch;
}

/** Spatial output of a sliding window (Conv, pools): pads/strides/dilations/auto_pad, floor or ceil mode. */
function windowDims(node: NodeProto, input: readonly number[], kernel: readonly number[], ceilMode: boolean): number[] | null {
  const n = kernel.length;
  if (input.length !== n) return null;
  const strides = attrInts(node, 'strides') ?? [];
  const dilations = attrInts(node, 'dilations') ?? [];
  const pads = attrInts(node, 'pads') ?? [];
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const size = input[i]!;
    const stride = strides[i] ?? 1;
    const extent = (kernel[i]! - 1) * (dilations[i] ?? 1) + 1;
    if (stride <= 0 || extent <= 0) return null;
    let o: number;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') o = Math.ceil(size / stride);
    else if (autoPad === 'VALID') o = Math.floor((size - extent) / stride) + 1;
    else {
      const begin = pads[i] ?? 0;
      const span = size + begin + (pads[i + n] ?? 0) - extent;
      o = (ceilMode ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
      // In ceil mode the last window must start inside the input or its left padding (ONNX/PyTorch rule).
      if (ceilMode && (o - 1) * stride >= size + begin) o--;
    }
    if (o < 0) return null;
    out.push(o);
  }
  return out;
}

function convDims(node: NodeProto, x: Info, w: Info): number[] | null {
  if (x.dims.length < 3 || w.dims.length !== x.dims.length) return null;
  const kernel = attrInts(node, 'kernel_shape') ?? w.dims.slice(2);
  const spatial = windowDims(node, x.dims.slice(2), kernel, false);
  return spatial === null ? null : [x.dims[0]!, w.dims[0]!, ...spatial];
}

function convTransposeDims(node: NodeProto, x: Info, w: Info): number[] | null {
  if (x.dims.length < 3 || w.dims.length !== x.dims.length) return null;
  const n = x.dims.length - 2;
  const channels = w.dims[1]! * attrInt(node, 'group', 1);
  const given = attrInts(node, 'output_shape');
  if (given !== undefined && given.length >= n) return [x.dims[0]!, channels, ...given.slice(given.length - n)];
  const kernel = attrInts(node, 'kernel_shape') ?? w.dims.slice(2);
  const strides = attrInts(node, 'strides') ?? [];
  const dilations = attrInts(node, 'dilations') ?? [];
  const outPad = attrInts(node, 'output_padding') ?? [];
  const pads = attrInts(node, 'pads') ?? [];
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const out = [x.dims[0]!, channels];
  for (let i = 0; i < n; i++) {
    const size = x.dims[i + 2]!;
    const stride = strides[i] ?? 1;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') out.push(size * stride);
    else {
      const extent = ((kernel[i] ?? 1) - 1) * (dilations[i] ?? 1) + 1;
      const padding = autoPad === 'VALID' ? 0 : (pads[i] ?? 0) + (pads[i + n] ?? 0);
      out.push(stride * (size - 1) + (outPad[i] ?? 0) + extent - padding);
    }
  }
  return out;
}

function poolDims(node: NodeProto, x: Info): number[] | null {
  const kernel = attrInts(node, 'kernel_shape');
  if (kernel === undefined || x.dims.length !== kernel.length + 2) return null;
  const spatial = windowDims(node, x.dims.slice(2), kernel, attrInt(node, 'ceil_mode', 0) === 1);
  return spatial === null ? null : [x.dims[0]!, x.dims[1]!, ...spatial];
}

/** Reshape target resolution: 0 copies the input dim (unless allowzero), one -1 takes what is left. */
function reshapeDims(input: readonly number[], target: readonly number[], allowZero: boolean): number[] | null {
  const out: number[] = [];
  let inferred = -1;
  let known = 1;
  for (let i = 0; i < target.length; i++) {
    const t = target[i]!;
    const d = t === 0 && !allowZero ? input[i] : t;
    if (d === undefined) return null;
    if (d === -1) {
      if (inferred >= 0) return null;
      inferred = i;
    } else if (d < 0) return null;
    else known *= d;
    out.push(d);
  }
  const total = product(input);
  if (inferred >= 0) {
    if (known === 0 || total % known !== 0) return null;
    out[inferred] = total / known;
  } else if (known !== total) return null;
  return out;
}

/** Per-axis (start, step, length) of a Slice, with ONNX's clamping of negative and out-of-range bounds. */
function sliceDims(
  dims: readonly number[],
  starts: readonly number[],
  ends: readonly number[],
  axes: readonly number[] | undefined,
  steps: readonly number[] | undefined,
): { dims: number[]; first: number[]; step: number[] } | null {
  if (starts.length !== ends.length) return null;
  const out = [...dims];
  const first = dims.map(() => 0);
  const stepOf = dims.map(() => 1);
  for (let j = 0; j < starts.length; j++) {
    const axis = normAxis(axes?.[j] ?? j, dims.length);
    if (axis === null) return null;
    const d = dims[axis]!;
    const step = steps?.[j] ?? 1;
    if (step === 0) return null;
    let s = starts[j]!;
    let e = ends[j]!;
    if (s < 0) s += d;
    if (e < 0) e += d;
    if (step > 0) {
      s = clamp(s, 0, d);
      e = clamp(e, 0, d);
    } else {
      s = clamp(s, 0, d - 1);
      e = clamp(e, -1, d - 1);
    }
    out[axis] = Math.max(0, Math.ceil((e - s) / step));
    first[axis] = s;
    stepOf[axis] = step;
  }
  return { dims: out, first, step: stepOf };
}

/** Applies `f` elementwise with broadcasting to inputs whose values are known (small tensors only). */
function broadcastValues(outDims: readonly number[], ins: readonly { dims: number[]; values: number[] }[], f: (xs: number[]) => number): number[] {
  const rank = outDims.length;
  const strides = ins.map(({ dims }) => {
    const s = new Array<number>(rank).fill(0);
    let acc = 1;
    for (let k = dims.length - 1; k >= 0; k--) {
      const axis = rank - dims.length + k;
      if (dims[k] !== 1) s[axis] = acc;
      acc *= dims[k]!;
    }
    return s;
  });
  const n = product(outDims);
  const out: number[] = [];
  const args = new Array<number>(ins.length);
  for (let flat = 0; flat < n; flat++) {
    let rest = flat;
    const offsets = ins.map(() => 0);
    for (let axis = rank - 1; axis >= 0; axis--) {
      const d = outDims[axis]!;
      const i = rest % d;
      rest = Math.floor(rest / d);
      for (let k = 0; k < ins.length; k++) offsets[k]! += i * strides[k]![axis]!;
    }
    for (let k = 0; k < ins.length; k++) args[k] = ins[k]!.values[offsets[k]!]!;
    out.push(f(args));
  }
  return out;
}

/** Values of a small rearranged tensor: `source` maps an output multi-index to the input multi-index it reads. */
function rearrangeValues(outDims: readonly number[], inDims: readonly number[], values: readonly number[], source: (at: number[]) => number[]): number[] {
  const n = product(outDims);
  const at = outDims.map(() => 0);
  const out: number[] = [];
  for (let flat = 0; flat < n; flat++) {
    let rest = flat;
    for (let axis = outDims.length - 1; axis >= 0; axis--) {
      at[axis] = rest % outDims[axis]!;
      rest = Math.floor(rest / outDims[axis]!);
    }
    const from = source(at);
    let offset = 0;
    for (let axis = 0; axis < inDims.length; axis++) offset = offset * inDims[axis]! + from[axis]!;
    out.push(values[offset]!);
  }
  return out;
}

const VALUE_FNS: Record<string, (xs: number[]) => number> = {
  Add: ([a, b]) => a! + b!,
  Sub: ([a, b]) => a! - b!,
  Mul: ([a, b]) => a! * b!,
  Div: ([a, b]) => a! / b!,
  Max: (xs) => Math.max(...xs),
  Min: (xs) => Math.min(...xs),
  Equal: ([a, b]) => (a === b ? 1 : 0),
  Less: ([a, b]) => (a! < b! ? 1 : 0),
  Greater: ([a, b]) => (a! > b! ? 1 : 0),
  Where: ([c, a, b]) => (c !== 0 ? a! : b!),
  Neg: ([a]) => -a!,
  Abs: ([a]) => Math.abs(a!),
  Floor: ([a]) => Math.floor(a!),
  Ceil: ([a]) => Math.ceil(a!),
  Sqrt: ([a]) => Math.sqrt(a!),
  Not: ([a]) => (a === 0 ? 1 : 0),
};

// --- op tables --------------------------------------------------------------------------------------------

/** Output = first input's shape and type. */
const UNARY = new Set([
  'Relu', 'Sigmoid', 'Tanh', 'Erf', 'Exp', 'Log', 'Sqrt', 'Neg', 'Abs', 'Clip', 'LeakyRelu', 'HardSigmoid', 'HardSwish', 'Gelu',
  'Softmax', 'LogSoftmax', 'Hardmax', 'InstanceNormalization', 'Identity', 'Elu', 'Selu', 'Celu', 'Mish', 'Softplus', 'Softsign',
  'ThresholdedRelu', 'Shrink', 'Floor', 'Ceil', 'Round', 'Reciprocal', 'Sign', 'Sin', 'Cos', 'Tan', 'Asin', 'Acos', 'Atan', 'Sinh',
  'Cosh', 'Asinh', 'Acosh', 'Atanh', 'Not', 'LpNormalization', 'MeanVarianceNormalization', 'GroupNormalization', 'LRN', 'Trilu',
  'CumSum', 'ScatterND', 'ScatterElements', 'Scatter', 'ReverseSequence', 'BitwiseNot',
]);
/** Output = broadcast of all inputs; the type is the first input's unless the op compares. */
const ELEMENTWISE = new Set([
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Mean', 'Sum', 'Mod', 'PRelu', 'BitShift', 'BitwiseAnd', 'BitwiseOr', 'BitwiseXor',
  'Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor',
]);
const COMPARISONS = new Set(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor', 'Not', 'IsNaN', 'IsInf']);
const REDUCTIONS = new Set([
  'ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp',
  'ReduceSumSquare',
]);
/** com.microsoft contrib ops that onnxruntime's fusions leave in optimized vision models. */
const MS_ELEMENTWISE = new Set(['Gelu', 'FastGelu', 'QuickGelu', 'BiasGelu']);

function isDefaultDomain(domain: string): boolean {
  return domain === '' || domain === 'ai.onnx';
}

// --- propagation ------------------------------------------------------------------------------------------

class Propagation {
  readonly infos = new Map<string, Info>();
  /** Constant tensors (initializers, Constant values) whose values are read only when a rule needs them. */
  readonly tensors = new Map<string, TensorProto>();
  private readonly readCache = new Map<string, number[] | null>();
  readonly unknownOps = new Set<string>();
  unknownTensors = 0;

  constructor(readonly opset: number) {}

  /** Values of a tensor: tracked for small computed ones, read lazily from constants; undefined when unknown. */
  values(name: string): number[] | undefined {
    const info = this.infos.get(name);
    if (info?.values !== undefined) return info.values;
    const cached = this.readCache.get(name);
    if (cached !== undefined) return cached ?? undefined;
    const t = this.tensors.get(name);
    let vals: number[] | null = null;
    if (t !== undefined && info !== undefined && product(info.dims) <= MAX_READ_VALUES) {
      try {
        // readTensor throws for external data without its file, or damaged data: the value is then unknown.
        const arr = readTensor(t);
        if (t.dataType === DT.FLOAT16) vals = Array.from(arr as Uint16Array, fromFloat16Bits);
        else if (t.dataType === DT.BFLOAT16 || t.dataType === DT.STRING || dtypeBytes(t.dataType) < 1) vals = null;
        else vals = Array.from(arr as ArrayLike<number | bigint>, Number);
      } catch {
        vals = null;
      }
    }
    this.readCache.set(name, vals);
    return vals ?? undefined;
  }
}

/** Declared type of a value: dtype and dims (symbolic or missing dims as null); dims null when no shape. */
function declared(type: TypeProto | undefined): { dtype: number; dims: (number | null)[] | null } | undefined {
  const v = type?.value;
  if (v?.case !== 'tensorType') return undefined;
  const dims = v.value.shape?.dim.map((d) => (d.value.case === 'dimValue' && d.value.value >= 0n ? Number(d.value.value) : null)) ?? null;
  return { dtype: v.value.elemType, dims };
}

/** Outputs of a Constant node from whichever value attribute it carries. */
function constantOut(node: NodeProto, p: Propagation): Out {
  const a = node.attribute[0];
  if (a === undefined) return null;
  const out = node.output[0] ?? '';
  switch (a.name) {
    case 'value':
      if (a.t === undefined) return null;
      p.tensors.set(out, a.t);
      return { dims: a.t.dims.map(Number), dtype: a.t.dataType };
    case 'sparse_value':
      return a.sparseTensor === undefined ? null : { dims: a.sparseTensor.dims.map(Number), dtype: a.sparseTensor.values?.dataType ?? DT.FLOAT };
    case 'value_int':
      return { dims: [], dtype: DT.INT64, values: [Number(a.i)] };
    case 'value_ints':
      return { dims: [a.ints.length], dtype: DT.INT64, values: a.ints.map(Number) };
    case 'value_float':
      return { dims: [], dtype: DT.FLOAT, values: [a.f] };
    case 'value_floats':
      return { dims: [a.floats.length], dtype: DT.FLOAT, values: [...a.floats] };
    case 'value_string':
      return { dims: [], dtype: DT.STRING };
    case 'value_strings':
      return { dims: [a.strings.length], dtype: DT.STRING };
    default:
      return null;
  }
}

/**
 * Shapes of a node's outputs from its inputs, or undefined when the op has no rule (an unknown op).
 * An entry is null when the rule applies but cannot resolve (an input unknown, a value not readable).
 */
function inferNode(node: NodeProto, p: Propagation): Out[] | undefined {
  const name = (i: number): string => node.input[i] ?? '';
  const has = (i: number): boolean => name(i) !== '';
  const inp = (i: number): Info | undefined => (has(i) ? p.infos.get(name(i)) : undefined);
  const vals = (i: number): number[] | undefined => (has(i) ? p.values(name(i)) : undefined);
  const op = node.opType;
  const x = inp(0);
  /** Values of input 0 when it is small enough to be shape data (computed, or read from a constant). */
  const xValues = (): number[] | undefined => (x !== undefined && product(x.dims) <= MAX_TRACKED_VALUES ? vals(0) : undefined);

  if (!isDefaultDomain(node.domain)) {
    if (node.domain !== 'com.microsoft') return undefined;
    if (MS_ELEMENTWISE.has(op)) {
      const ins = node.input.filter((n) => n !== '').map((n) => p.infos.get(n));
      if (x === undefined || ins.some((i) => i === undefined)) return [null];
      const dims = broadcast(ins.map((i) => i!.dims));
      return [dims === null ? null : { dims, dtype: x.dtype }];
    }
    if (op === 'FusedConv') {
      const w = inp(1);
      const dims = x && w ? convDims(node, x, w) : null;
      return [dims === null || x === undefined ? null : { dims, dtype: x.dtype }];
    }
    return undefined;
  }

  /** Same shape as input 0 with type `dtype`. */
  const like = (dtype: number | undefined = x?.dtype): Out => (x === undefined || dtype === undefined ? null : { dims: x.dims, dtype });

  if (op === 'Constant') return [constantOut(node, p)];
  if (UNARY.has(op)) {
    const out = like(COMPARISONS.has(op) ? DT.BOOL : x?.dtype);
    const f = op === 'Identity' ? ([v]: number[]) => v! : VALUE_FNS[op];
    const v = f === undefined ? undefined : xValues();
    return [out !== null && v !== undefined && f !== undefined ? { ...out, values: v.map((e) => f([e])) } : out];
  }
  if (COMPARISONS.has(op) && !ELEMENTWISE.has(op)) return [like(DT.BOOL)];
  if (ELEMENTWISE.has(op) || op === 'Where') {
    const ins = node.input.filter((n) => n !== '').map((n) => p.infos.get(n));
    if (ins.length === 0 || ins.some((i) => i === undefined)) return [null];
    const dims = broadcast(ins.map((i) => i!.dims));
    if (dims === null) return [null];
    const dtype = COMPARISONS.has(op) ? DT.BOOL : op === 'Where' ? ins[1]!.dtype : ins[0]!.dtype;
    return [{ dims, dtype, values: elementwiseValues(op, node, p, dims, dtype) }];
  }
  if (REDUCTIONS.has(op)) {
    if (x === undefined) return [null];
    const axes = attrInts(node, 'axes') ?? (has(1) ? vals(1) : []);
    if (axes === undefined) return [null];
    const keep = attrInt(node, 'keepdims', 1) === 1;
    if (axes.length === 0 && attrInt(node, 'noop_with_empty_axes', 0) === 1) return [like()];
    const reduced = axes.length === 0 ? x.dims.map((_, i) => i) : normAxes(axes, x.dims.length);
    if (reduced === null) return [null];
    const dims: number[] = [];
    x.dims.forEach((d, i) => {
      if (!reduced.includes(i)) dims.push(d);
      else if (keep) dims.push(1);
    });
    return [{ dims, dtype: x.dtype }];
  }

  switch (op) {
    case 'Cast': {
      const to = attrInt(node, 'to', DT.FLOAT);
      const v = xValues();
      const values = v === undefined ? undefined : INTEGER_TYPES.has(to) ? v.map((e) => (to === DT.BOOL ? (e !== 0 ? 1 : 0) : Math.trunc(e))) : v;
      return [x === undefined ? null : { dims: x.dims, dtype: to, values }];
    }
    case 'CastLike':
      return [like(inp(1)?.dtype)];
    case 'IsNaN':
    case 'IsInf':
      return [like(DT.BOOL)];
    case 'Dropout':
      return [like(), like(DT.BOOL)];
    case 'BatchNormalization': {
      const c = x?.dims[1];
      const stat: Out = x === undefined || c === undefined ? null : { dims: [c], dtype: x.dtype };
      return [like(), stat, stat, stat, stat];
    }
    case 'LayerNormalization': {
      if (x === undefined) return [null];
      const axis = normAxis(attrInt(node, 'axis', -1), x.dims.length);
      const stat: Out = axis === null ? null : { dims: x.dims.map((d, i) => (i < axis ? d : 1)), dtype: DT.FLOAT };
      return [like(), stat, stat];
    }
    case 'QuantizeLinear': {
      const outType = attrInt(node, 'output_dtype', 0);
      return [like(outType !== 0 ? outType : (inp(2)?.dtype ?? DT.UINT8))];
    }
    case 'DequantizeLinear':
      return [like(inp(1)?.dtype ?? DT.FLOAT)];
    case 'DynamicQuantizeLinear':
      return [like(DT.UINT8), { dims: [], dtype: DT.FLOAT }, { dims: [], dtype: DT.UINT8 }];
    case 'Conv':
    case 'ConvInteger':
    case 'QLinearConv': {
      const w = inp(op === 'QLinearConv' ? 3 : 1);
      const dims = x && w ? convDims(node, x, w) : null;
      const dtype = op === 'ConvInteger' ? DT.INT32 : op === 'QLinearConv' ? (inp(7)?.dtype ?? DT.UINT8) : x?.dtype;
      return [dims === null || dtype === undefined ? null : { dims, dtype }];
    }
    case 'ConvTranspose': {
      const w = inp(1);
      const dims = x && w ? convTransposeDims(node, x, w) : null;
      return [dims === null || x === undefined ? null : { dims, dtype: x.dtype }];
    }
    case 'MaxPool':
    case 'AveragePool':
    case 'LpPool': {
      const dims = x ? poolDims(node, x) : null;
      return [dims === null || x === undefined ? null : { dims, dtype: x.dtype }, dims === null ? null : { dims, dtype: DT.INT64 }];
    }
    case 'GlobalAveragePool':
    case 'GlobalMaxPool':
    case 'GlobalLpPool':
      return [x === undefined || x.dims.length < 2 ? null : { dims: x.dims.map((d, i) => (i < 2 ? d : 1)), dtype: x.dtype }];
    case 'MatMul':
    case 'MatMulInteger':
    case 'QLinearMatMul': {
      const b = inp(op === 'QLinearMatMul' ? 3 : 1);
      const dims = x && b ? matmulDims(x.dims, b.dims) : null;
      const dtype = op === 'MatMulInteger' ? DT.INT32 : op === 'QLinearMatMul' ? (inp(7)?.dtype ?? DT.UINT8) : x?.dtype;
      return [dims === null || dtype === undefined ? null : { dims, dtype }];
    }
    case 'Gemm': {
      const b = inp(1);
      if (x === undefined || b === undefined || x.dims.length !== 2 || b.dims.length !== 2) return [null];
      const m = attrInt(node, 'transA', 0) === 1 ? x.dims[1]! : x.dims[0]!;
      const n = attrInt(node, 'transB', 0) === 1 ? b.dims[0]! : b.dims[1]!;
      return [{ dims: [m, n], dtype: x.dtype }];
    }
    case 'Reshape': {
      const target = attrInts(node, 'shape') ?? vals(1);
      const dims = x && target ? reshapeDims(x.dims, target, attrInt(node, 'allowzero', 0) === 1) : null;
      return [dims === null || x === undefined ? null : { dims, dtype: x.dtype, values: xValues() }];
    }
    case 'Flatten': {
      if (x === undefined) return [null];
      const r = x.dims.length;
      let axis = attrInt(node, 'axis', 1);
      if (axis < 0) axis += r;
      if (axis < 0 || axis > r) return [null];
      return [{ dims: [product(x.dims.slice(0, axis)), product(x.dims.slice(axis))], dtype: x.dtype, values: xValues() }];
    }
    case 'Transpose': {
      if (x === undefined) return [null];
      const perm = attrInts(node, 'perm') ?? x.dims.map((_, i) => x.dims.length - 1 - i);
      const axes = normAxes(perm, x.dims.length);
      if (axes === null || axes.length !== x.dims.length) return [null];
      const dims = axes.map((a) => x.dims[a]!);
      const v = xValues();
      const values = v === undefined ? undefined : rearrangeValues(dims, x.dims, v, (at) => x.dims.map((_, i) => at[axes.indexOf(i)]!));
      return [{ dims, dtype: x.dtype, values }];
    }
    case 'Squeeze': {
      if (x === undefined) return [null];
      const axes = attrInts(node, 'axes') ?? (has(1) ? vals(1) : []);
      if (axes === undefined) return [null];
      const drop = axes.length === 0 ? x.dims.flatMap((d, i) => (d === 1 ? [i] : [])) : normAxes(axes, x.dims.length);
      if (drop === null || drop.some((a) => x.dims[a] !== 1)) return [null];
      return [{ dims: x.dims.filter((_, i) => !drop.includes(i)), dtype: x.dtype, values: xValues() }];
    }
    case 'Unsqueeze': {
      if (x === undefined) return [null];
      const axes = attrInts(node, 'axes') ?? vals(1);
      if (axes === undefined) return [null];
      const rank = x.dims.length + axes.length;
      const added = normAxes(axes, rank);
      if (added === null) return [null];
      const dims: number[] = [];
      let k = 0;
      for (let i = 0; i < rank; i++) dims.push(added.includes(i) ? 1 : x.dims[k++]!);
      return [{ dims, dtype: x.dtype, values: xValues() }];
    }
    case 'Concat': {
      const ins = node.input.filter((n) => n !== '').map((n) => p.infos.get(n));
      const first = ins[0];
      if (first === undefined || ins.some((i) => i === undefined || i.dims.length !== first.dims.length)) return [null];
      const axis = normAxis(attrInt(node, 'axis', 0), first.dims.length);
      if (axis === null) return [null];
      const dims = [...first.dims];
      dims[axis] = ins.reduce((s, i) => s + i!.dims[axis]!, 0);
      for (const i of ins) if (i!.dims.some((d, k) => k !== axis && d !== first.dims[k])) return [null];
      const parts = dims.length === 1 && dims[0]! <= MAX_TRACKED_VALUES ? node.input.filter((n) => n !== '').map((n) => p.values(n)) : [];
      const values = parts.length > 0 && parts.every((v) => v !== undefined) ? parts.flatMap((v) => v!) : undefined;
      return [{ dims, dtype: first.dtype, values }];
    }
    case 'Split': {
      const count = node.output.length;
      if (x === undefined) return new Array<Out>(count).fill(null);
      const axis = normAxis(attrInt(node, 'axis', 0), x.dims.length);
      if (axis === null) return new Array<Out>(count).fill(null);
      const d = x.dims[axis]!;
      let sizes = attrInts(node, 'split') ?? (has(1) ? vals(1) : undefined);
      if (sizes === undefined && has(1)) return new Array<Out>(count).fill(null);
      if (sizes === undefined) {
        const parts = attrInt(node, 'num_outputs', 0);
        if (parts > 0) {
          // opset 18: equal chunks of ceil(d / n), the last one smaller.
          const chunk = Math.ceil(d / parts);
          sizes = Array.from({ length: parts }, (_, i) => clamp(d - i * chunk, 0, chunk));
        } else if (d % count === 0) sizes = new Array<number>(count).fill(d / count);
      }
      if (sizes === undefined || sizes.length !== count || sizes.reduce((s, v) => s + v, 0) !== d) return new Array<Out>(count).fill(null);
      return sizes.map((s) => ({ dims: x.dims.map((e, i) => (i === axis ? s : e)), dtype: x.dtype }));
    }
    case 'Slice': {
      if (x === undefined) return [null];
      const starts = attrInts(node, 'starts') ?? vals(1);
      const ends = attrInts(node, 'ends') ?? vals(2);
      const axes = attrInts(node, 'axes') ?? (has(3) ? vals(3) : undefined);
      const steps = has(4) ? vals(4) : undefined;
      if (starts === undefined || ends === undefined || (has(3) && axes === undefined) || (has(4) && steps === undefined)) return [null];
      const s = sliceDims(x.dims, starts, ends, axes, steps);
      if (s === null) return [null];
      const v = xValues();
      const values = v === undefined ? undefined : rearrangeValues(s.dims, x.dims, v, (at) => at.map((i, a) => s.first[a]! + i * s.step[a]!));
      return [{ dims: s.dims, dtype: x.dtype, values }];
    }
    case 'Gather': {
      const idx = inp(1);
      if (x === undefined || idx === undefined) return [null];
      const axis = normAxis(attrInt(node, 'axis', 0), x.dims.length);
      if (axis === null) return [null];
      const dims = [...x.dims.slice(0, axis), ...idx.dims, ...x.dims.slice(axis + 1)];
      const data = x.dims.length === 1 && x.dims[0]! <= MAX_TRACKED_VALUES ? vals(0) : undefined;
      const at = data === undefined ? undefined : vals(1);
      const values = data && at ? at.map((i) => data[i < 0 ? i + data.length : i]!) : undefined;
      return [{ dims, dtype: x.dtype, values: values?.some((v) => v === undefined) ? undefined : values }];
    }
    case 'GatherElements':
      return [x === undefined || inp(1) === undefined ? null : { dims: inp(1)!.dims, dtype: x.dtype }];
    case 'GatherND': {
      const idx = inp(1);
      if (x === undefined || idx === undefined || idx.dims.length === 0) return [null];
      const batch = attrInt(node, 'batch_dims', 0);
      const last = idx.dims[idx.dims.length - 1]!;
      if (batch + last > x.dims.length) return [null];
      return [{ dims: [...idx.dims.slice(0, -1), ...x.dims.slice(batch + last)], dtype: x.dtype }];
    }
    case 'Pad': {
      if (x === undefined) return [null];
      const pads = attrInts(node, 'pads') ?? attrInts(node, 'paddings') ?? vals(1);
      const axesIn = has(3) ? vals(3) : x.dims.map((_, i) => i);
      if (pads === undefined || axesIn === undefined) return [null];
      const axes = normAxes(axesIn, x.dims.length);
      const n = axes?.length ?? 0;
      if (axes === null || pads.length !== 2 * n) return [null];
      const dims = [...x.dims];
      axes.forEach((a, j) => (dims[a]! += pads[j]! + pads[j + n]!));
      return [dims.some((d) => d < 0) ? null : { dims, dtype: x.dtype }];
    }
    case 'Expand': {
      const shape = vals(1);
      const dims = x && shape ? broadcast([x.dims, shape]) : null;
      return [dims === null || x === undefined ? null : { dims, dtype: x.dtype }];
    }
    case 'Tile': {
      const repeats = vals(1);
      if (x === undefined || repeats === undefined || repeats.length !== x.dims.length) return [null];
      return [{ dims: x.dims.map((d, i) => d * repeats[i]!), dtype: x.dtype }];
    }
    case 'ArgMax':
    case 'ArgMin': {
      if (x === undefined) return [null];
      const axis = normAxis(attrInt(node, 'axis', 0), x.dims.length);
      if (axis === null) return [null];
      const keep = attrInt(node, 'keepdims', 1) === 1;
      return [{ dims: x.dims.flatMap((d, i) => (i !== axis ? [d] : keep ? [1] : [])), dtype: DT.INT64 }];
    }
    case 'TopK': {
      const kAttr = attr(node, 'k'); // opset 1 holds k as an attribute, later opsets as input 1
      const k = kAttr !== undefined ? Number(kAttr.i) : vals(1)?.[0];
      if (x === undefined || k === undefined) return [null, null];
      const axis = normAxis(attrInt(node, 'axis', -1), x.dims.length);
      if (axis === null) return [null, null];
      const dims = x.dims.map((d, i) => (i === axis ? k : d));
      return [{ dims, dtype: x.dtype }, { dims, dtype: DT.INT64 }];
    }
    case 'Shape': {
      if (x === undefined) return [null];
      const r = x.dims.length;
      const norm = (v: number): number => clamp(v < 0 ? v + r : v, 0, r);
      const values = x.dims.slice(norm(attrInt(node, 'start', 0)), norm(attrInt(node, 'end', r)));
      return [{ dims: [values.length], dtype: DT.INT64, values }];
    }
    case 'Size':
      return [x === undefined ? null : { dims: [], dtype: DT.INT64, values: [product(x.dims)] }];
    case 'ConstantOfShape': {
      const shape = vals(0);
      const t = attr(node, 'value')?.t;
      if (shape === undefined || !validDims(shape)) return [null];
      const dtype = t?.dataType ?? DT.FLOAT; // the default value is a float32 0
      if (product(shape) > MAX_TRACKED_VALUES) return [{ dims: shape, dtype }];
      let fill = 0;
      try {
        if (t !== undefined) fill = Number(readTensor(t)[0] ?? 0);
      } catch {
        return [{ dims: shape, dtype }];
      }
      return [{ dims: shape, dtype, values: new Array<number>(product(shape)).fill(fill) }];
    }
    case 'Range': {
      const [start, limit, delta] = [vals(0)?.[0], vals(1)?.[0], vals(2)?.[0]];
      if (x === undefined || start === undefined || limit === undefined || delta === undefined || delta === 0) return [null];
      const n = Math.max(0, Math.ceil((limit - start) / delta));
      const values = n <= MAX_TRACKED_VALUES ? Array.from({ length: n }, (_, i) => start + i * delta) : undefined;
      return [{ dims: [n], dtype: x.dtype, values }];
    }
    case 'Resize':
    case 'Upsample':
      return [resizeOut(node, p, x)];
    case 'DepthToSpace':
    case 'SpaceToDepth': {
      const b = attrInt(node, 'blocksize', 1);
      if (x === undefined || x.dims.length !== 4 || b <= 0) return [null];
      const [n, c, h, w] = x.dims as [number, number, number, number];
      const dims = op === 'DepthToSpace' ? [n, c / (b * b), h * b, w * b] : [n, c * b * b, h / b, w / b];
      return [dims.every(Number.isInteger) ? { dims, dtype: x.dtype } : null];
    }
    case 'GridSample': {
      const grid = inp(1);
      if (x === undefined || grid === undefined || grid.dims.length !== x.dims.length) return [null];
      return [{ dims: [x.dims[0]!, x.dims[1]!, ...grid.dims.slice(1, -1)], dtype: x.dtype }];
    }
    default:
      // If/Loop/Scan land here too: their subgraphs are not entered, so their outputs are not known.
      return undefined;
  }
}

/** Values of a small elementwise result when all inputs' values are known (shape arithmetic). */
function elementwiseValues(op: string, node: NodeProto, p: Propagation, dims: number[], dtype: number): number[] | undefined {
  const f = VALUE_FNS[op];
  if (f === undefined || product(dims) > MAX_TRACKED_VALUES) return undefined;
  const ins: { dims: number[]; values: number[] }[] = [];
  for (const n of node.input) {
    const info = p.infos.get(n);
    const values = n === '' ? undefined : p.values(n);
    if (info === undefined || values === undefined) return undefined;
    ins.push({ dims: info.dims, values });
  }
  const out = broadcastValues(dims, ins, f);
  return INTEGER_TYPES.has(dtype) ? out.map(Math.trunc) : out;
}

/** Resize (scales or sizes, opset 10 and 11+, `axes` of opset 18) and the older Upsample. */
function resizeOut(node: NodeProto, p: Propagation, x: Info | undefined): Out {
  if (x === undefined) return null;
  const input = (i: number): string => node.input[i] ?? '';
  const vals = (i: number): number[] | undefined => (input(i) === '' ? undefined : p.values(input(i)));
  const r = x.dims.length;
  const axes = normAxes(attrInts(node, 'axes') ?? x.dims.map((_, i) => i), r);
  if (axes === null) return null;
  let sizes: number[] | undefined;
  let scales: number[] | undefined;
  if (node.opType === 'Upsample') scales = attrFloats(node, 'scales') ?? vals(1);
  else if (p.opset < 11) scales = vals(1);
  else {
    sizes = vals(3);
    scales = vals(2);
  }
  const dims = [...x.dims];
  if (sizes !== undefined && sizes.length > 0) {
    if (sizes.length !== axes.length) return null;
    const policy = attrString(node, 'keep_aspect_ratio_policy', 'stretch');
    if (policy === 'stretch') axes.forEach((a, j) => (dims[a] = sizes[j]!));
    else {
      const ratios = axes.map((a, j) => sizes[j]! / x.dims[a]!);
      const scale = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
      axes.forEach((a) => (dims[a] = Math.round(scale * x.dims[a]!)));
    }
  } else if (scales !== undefined && scales.length > 0) {
    if (scales.length !== axes.length) return null;
    axes.forEach((a, j) => (dims[a] = Math.floor(x.dims[a]! * scales[j]!)));
  } else return null;
  return { dims, dtype: x.dtype };
}

function defaultOpset(model: ModelProto): number {
  const entry = model.opsetImport.find((o) => isDefaultDomain(o.domain));
  return entry === undefined ? DEFAULT_OPSET : Number(entry.version);
}

/** Runs the propagation over the main graph. Never throws: anything it cannot follow is counted as unknown. */
function propagate(model: ModelProto, inputDims: Record<string, number[]> = {}): Propagation {
  const p = new Propagation(defaultOpset(model));
  const graph = model.graph;
  if (graph === undefined) return p;

  for (const t of graph.initializer) {
    const dims = t.dims.map(Number);
    if (!validDims(dims)) continue;
    p.infos.set(t.name, { dims, dtype: t.dataType, constant: true });
    p.tensors.set(t.name, t);
  }
  for (const input of realInputs(graph)) {
    const decl = declared(input.type);
    const given = inputDims[input.name];
    let dims: number[] | null = null;
    if (given !== undefined && validDims(given)) dims = [...given];
    else if (decl?.dims) dims = decl.dims.map((d) => d ?? 1); // symbolic or missing dims: batch 1
    if (dims === null || !validDims(dims)) {
      p.unknownTensors++;
      continue;
    }
    p.infos.set(input.name, { dims, dtype: decl?.dtype || DT.FLOAT, constant: false });
  }

  // Fully known declared shapes (value_info, graph outputs): the fallback for what the rules cannot infer.
  const fallback = new Map<string, { dims: number[]; dtype: number }>();
  for (const v of [...graph.valueInfo, ...graph.output]) {
    const decl = declared(v.type);
    if (decl?.dims && decl.dims.every((d) => d !== null) && validDims(decl.dims as number[])) fallback.set(v.name, { dims: decl.dims as number[], dtype: decl.dtype });
  }

  for (const node of graph.node) {
    let outs: Out[] | undefined;
    try {
      outs = inferNode(node, p);
    } catch {
      outs = []; // a rule tripped on a malformed node: its outputs are unknown, the op itself is not
    }
    if (outs === undefined) p.unknownOps.add(isDefaultDomain(node.domain) ? node.opType : `${node.domain}:${node.opType}`);
    const present = node.input.filter((n) => n !== '');
    const constant = node.opType === 'Constant' || (present.length > 0 && present.every((n) => p.infos.get(n)?.constant === true));
    node.output.forEach((out, k) => {
      if (out === '') return;
      let o: Out = outs?.[k] ?? null;
      if (o !== null && !validDims(o.dims)) o = null;
      o ??= fallback.get(out) ?? null;
      if (o === null) {
        p.unknownTensors++;
        return;
      }
      const values = o.values !== undefined && o.values.length === product(o.dims) && o.values.length <= MAX_TRACKED_VALUES ? o.values : undefined;
      p.infos.set(out, { dims: o.dims, dtype: o.dtype || DT.FLOAT, constant, ...(values !== undefined ? { values } : {}) });
    });
  }
  return p;
}

/**
 * Shapes of every tensor of the main graph it can infer (inputs, initializers, Constants and node outputs),
 * by name. Symbolic or missing input dims are 1 unless `inputDims` gives that input's full dims.
 */
export function inferShapes(model: ModelProto, inputDims?: Record<string, number[]>): Map<string, InferredShape> {
  const out = new Map<string, InferredShape>();
  for (const [name, info] of propagate(model, inputDims).infos) out.set(name, { dims: info.dims, elemBytes: elemBytesOf(info.dtype) });
  return out;
}

/**
 * Activation memory of one run: the largest activation tensor and the heaviest node (its non-constant inputs
 * plus its outputs live together while it runs). Weights and tensors computed from weights only are excluded.
 * Everything it cannot infer is left out, so both numbers are lower bounds when `unknownTensors` > 0.
 */
export function estimateActivations(model: ModelProto, inputDims?: Record<string, number[]>): ActivationEstimate {
  const p = propagate(model, inputDims);
  let largestBytes = 0;
  let largestName: string | null = null;
  let totalBytes = 0;
  for (const [name, info] of p.infos) {
    if (info.constant) continue;
    const bytes = tensorBytes(info);
    totalBytes += bytes;
    if (largestName === null || bytes > largestBytes) {
      largestBytes = bytes;
      largestName = name;
    }
  }
  let peakNodeBytes = 0;
  let peakNodeName: string | null = null;
  for (const node of model.graph?.node ?? []) {
    const outputs = node.output.filter((n) => n !== '');
    // A node computed from weights only is folded away at session creation: it is not part of a run.
    if (outputs.length > 0 && outputs.every((n) => p.infos.get(n)?.constant === true)) continue;
    let bytes = 0;
    let any = false;
    const names = [...node.input, ...outputs];
    for (let i = 0; i < names.length; i++) {
      const n = names[i]!;
      if (n === '' || names.indexOf(n) !== i) continue; // a tensor read twice (x * x) is held once
      const info = p.infos.get(n);
      if (info === undefined || info.constant) continue;
      bytes += tensorBytes(info);
      any = true;
    }
    if (any && (peakNodeName === null || bytes > peakNodeBytes)) {
      peakNodeBytes = bytes;
      peakNodeName = node.name !== '' ? node.name : (outputs[0] ?? node.opType);
    }
  }
  return { largestBytes, largestName, peakNodeBytes, peakNodeName, totalBytes, unknownTensors: p.unknownTensors, unknownOps: [...p.unknownOps].sort() };
}
