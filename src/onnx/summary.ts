// The model card: what a model is (I/O, opsets, ops, parameters, bytes, quantizable nodes, quantization state).
import type { QbErrorData } from '../shared/errors';
import { dtypeName } from './dtypes';
import { estimateActivations, type ActivationEstimate } from './shapes';
import { describeType, forEachNode, forEachWeight, realInputs, type Dim } from './graph';
import type { ModelProto } from './proto/onnx_pb';
import { elementCount, externalDataRef, isExternal, tensorByteSize } from './tensor-data';

/** A graph input or output as the user sees it. */
export interface TensorIO {
  name: string;
  dtype: string;
  /** Declared shape: numbers, symbolic names ("batch"), null for unknown dims; null when undeclared. */
  shape: Dim[] | null;
}

/** Weights of one element type. */
export interface DtypeStats {
  dtype: string;
  tensors: number;
  elements: number;
  bytes: number;
}

/** Whether and how a model is already quantized, with what that means for the user. */
export interface QuantizationState {
  quantized: boolean;
  /** 'qdq' QuantizeLinear/DequantizeLinear pairs; 'qoperator' QLinear* ops; 'dynamic' integer MatMul/Conv
   *  with run-time activation quantization; 'weight-only' low-bit weights dequantized at run time. */
  formats: ('qdq' | 'qoperator' | 'dynamic' | 'weight-only')[];
  /** Count of each quantization-related op found. */
  ops: Record<string, number>;
  message: string;
}

export interface ModelCard {
  fileName: string;
  fileSizeBytes: number;
  /** Files the weights live in besides the .onnx file (ONNX external data), with their byte totals. */
  externalData: { location: string; bytes: number }[];
  irVersion: number;
  producerName: string;
  producerVersion: string;
  modelVersion: number;
  docString: string;
  graphName: string;
  opsets: { domain: string; version: number }[];
  inputs: TensorIO[];
  outputs: TensorIO[];
  /** Nodes of the main graph. */
  nodeCount: number;
  /** Nodes including those inside If/Loop/Scan subgraphs. */
  totalNodeCount: number;
  /** Node count per op type over all graphs; ops outside the default domain are keyed "domain:Op". */
  opTypes: Record<string, number>;
  /** Elements in the main graph's initializers, every dtype (the convention of onnx tools and MANIFEST.md). */
  params: number;
  /** Weight bytes by element type, largest first. */
  bytesByDtype: DtypeStats[];
  weightBytes: number;
  /** Element type holding most weight bytes ("float32", "float16", "int8"…), or "none". */
  weightPrecision: string;
  quantizable: { count: number; byOpType: Record<string, number>; nodes: { name: string; opType: string }[] };
  quantization: QuantizationState;
  /** Problems that stop the model from running in the browser (unknown op domains, …). */
  blockers: QbErrorData[];
  /** Activation memory of one run at the declared input size (static shapes; lower bounds when shapes are unknown). */
  activations: ActivationEstimate;
}

/** Ops the quantizer can make integer (weights and activations). */
export const QUANTIZABLE_OPS: ReadonlySet<string> = new Set(['Conv', 'ConvTranspose', 'MatMul', 'Gemm']);

const QDQ_OPS = new Set(['QuantizeLinear', 'DequantizeLinear']);
const QOPERATOR_OPS = new Set([
  'QLinearConv', 'QLinearMatMul', 'QLinearAdd', 'QLinearMul', 'QLinearSigmoid', 'QLinearLeakyRelu', 'QLinearAveragePool',
  'QLinearGlobalAveragePool', 'QLinearConcat', 'QLinearSoftmax', 'QLinearReduceMean', 'QGemm', 'QAttention', 'QLinearWhere',
]);
const DYNAMIC_OPS = new Set(['MatMulInteger', 'ConvInteger', 'DynamicQuantizeLinear', 'DynamicQuantizeMatMul', 'MatMulIntegerToFloat', 'DynamicQuantizeLSTM']);
const WEIGHT_ONLY_OPS = new Set(['MatMulNBits', 'GatherBlockQuantized', 'MatMulBnb4']);

/** Operator domains onnxruntime-web implements. Others (custom ops) cannot run in the browser. */
export const RUNTIME_DOMAINS: ReadonlySet<string> = new Set(['', 'ai.onnx', 'ai.onnx.ml', 'com.microsoft', 'com.microsoft.nchwc', 'com.ms.internal.nhwc']);

const MAX_LISTED_NODES = 500;

/** Element count, or 0 for damaged dims: the card still describes the rest (readTensor reports the damage). */
function countOrZero(dims: readonly bigint[]): number {
  try {
    return elementCount(dims);
  } catch {
    return 0;
  }
}

function quantizationState(ops: Record<string, number>): QuantizationState {
  const found: Record<string, number> = {};
  const formats: QuantizationState['formats'] = [];
  const take = (set: Set<string>, format: QuantizationState['formats'][number]): void => {
    let any = false;
    for (const [op, n] of Object.entries(ops)) {
      const bare = op.includes(':') ? op.slice(op.indexOf(':') + 1) : op;
      if (set.has(bare)) {
        found[op] = n;
        any = true;
      }
    }
    if (any) formats.push(format);
  };
  take(QDQ_OPS, 'qdq');
  take(QOPERATOR_OPS, 'qoperator');
  take(DYNAMIC_OPS, 'dynamic');
  take(WEIGHT_ONLY_OPS, 'weight-only');
  if (formats.length === 0) {
    return { quantized: false, formats, ops: found, message: 'A floating-point model: Quantbench can make FP16 and INT8 variants of it.' };
  }
  const names: Record<QuantizationState['formats'][number], string> = {
    qdq: 'QDQ (QuantizeLinear/DequantizeLinear pairs)',
    qoperator: 'QOperator (QLinear* integer ops)',
    dynamic: 'dynamic INT8 (integer MatMul/Conv, activations quantized at run time)',
    'weight-only': 'weight-only low-bit (weights dequantized at run time)',
  };
  return {
    quantized: true,
    formats,
    ops: found,
    message:
      `Already quantized: ${formats.map((f) => names[f]).join(' + ')}. ` +
      'You can benchmark and evaluate it as it is, but quantizing it again would stack rounding errors: ' +
      'start from the original floating-point model to make new variants.',
  };
}

/**
 * Builds the model card of a decoded model. Pure and cheap: it reads dims and types, never weight values.
 * @param fileSizeBytes size of the .onnx file itself
 * @param externalSizes byte size of each supplied external-data file, by location
 */
export function summarizeModel(model: ModelProto, fileName: string, fileSizeBytes: number, externalSizes: Record<string, number> = {}): ModelCard {
  const graph = model.graph!;
  const opTypes: Record<string, number> = {};
  const quantByOp: Record<string, number> = {};
  const quantNodes: { name: string; opType: string }[] = [];
  const functionDomains = new Set(model.functions.map((f) => f.domain));
  const unknownDomainOps = new Map<string, Set<string>>();
  let totalNodeCount = 0;
  let quantCount = 0;
  forEachNode(graph, (node) => {
    totalNodeCount++;
    const domain = node.domain === 'ai.onnx' ? '' : node.domain;
    const key = domain === '' ? node.opType : `${domain}:${node.opType}`;
    opTypes[key] = (opTypes[key] ?? 0) + 1;
    if (domain === '' && QUANTIZABLE_OPS.has(node.opType)) {
      quantCount++;
      quantByOp[node.opType] = (quantByOp[node.opType] ?? 0) + 1;
      if (quantNodes.length < MAX_LISTED_NODES) quantNodes.push({ name: node.name || `${node.opType} #${quantCount}`, opType: node.opType });
    }
    if (!RUNTIME_DOMAINS.has(domain) && !functionDomains.has(node.domain)) {
      const ops = unknownDomainOps.get(node.domain) ?? new Set<string>();
      ops.add(node.opType);
      unknownDomainOps.set(node.domain, ops);
    }
  });

  const byDtype = new Map<number, DtypeStats>();
  const external = new Map<string, number>();
  let params = 0;
  forEachWeight(graph, (t) => {
    const elements = countOrZero(t.dims);
    const bytes = tensorByteSize(t);
    const s = byDtype.get(t.dataType) ?? { dtype: dtypeName(t.dataType), tensors: 0, elements: 0, bytes: 0 };
    s.tensors++;
    s.elements += elements;
    s.bytes += bytes;
    byDtype.set(t.dataType, s);
    if (isExternal(t)) {
      const loc = externalDataRef(t).location;
      external.set(loc, (external.get(loc) ?? 0) + bytes);
    }
  });
  for (const t of graph.initializer) params += countOrZero(t.dims);
  const bytesByDtype = [...byDtype.values()].sort((a, b) => b.bytes - a.bytes);
  const weightBytes = bytesByDtype.reduce((sum, s) => sum + s.bytes, 0);

  const blockers: QbErrorData[] = [];
  for (const [domain, ops] of unknownDomainOps) {
    blockers.push({
      code: 'unknown-op-domain',
      message:
        `This model uses custom operators from "${domain}" (${[...ops].slice(0, 5).join(', ')}) that the browser runtime does not have. ` +
        'Quantbench can describe it, but cannot run, benchmark or quantize it. Re-export the model with standard ONNX operators.',
    });
  }

  return {
    fileName,
    fileSizeBytes,
    externalData: [...external.entries()].map(([location, bytes]) => ({ location, bytes: externalSizes[location] ?? bytes })),
    irVersion: Number(model.irVersion),
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    modelVersion: Number(model.modelVersion),
    docString: model.docString.slice(0, 2000),
    graphName: graph.name,
    opsets: model.opsetImport.map((o) => ({ domain: o.domain === '' ? 'ai.onnx' : o.domain, version: Number(o.version) })),
    inputs: realInputs(graph).map((v) => ({ name: v.name, ...describeType(v.type) })),
    outputs: graph.output.map((v) => ({ name: v.name, ...describeType(v.type) })),
    nodeCount: graph.node.length,
    totalNodeCount,
    opTypes,
    params,
    bytesByDtype,
    weightBytes,
    weightPrecision: bytesByDtype[0]?.dtype ?? 'none',
    quantizable: { count: quantCount, byOpType: quantByOp, nodes: quantNodes },
    quantization: quantizationState(opTypes),
    blockers,
    activations: estimateActivations(model),
  };
}
