// Programmatic test models: tiny Conv/Relu/Gemm (inline and external-data), custom-domain, QDQ and large
// random MatMul chains, plus the seeded PRNG and float16 helpers the tests share. Nothing here reads disk.
import { create } from '@bufbuild/protobuf';
import { makeRng } from '../src/shared/rng';
import { makeModel, node, valueInfo, type ModelSpec } from '../src/onnx/build';
import { encodeModel } from '../src/onnx/model-io';

export { fromFloat16Bits, toFloat16Bits } from '../src/onnx/float16';
export { makeRng } from '../src/shared/rng';
import {
  StringStringEntryProtoSchema,
  TensorProto_DataLocation,
  TensorProto_DataType as DT,
  type ModelProto,
  type NodeProto,
  type TensorProto,
} from '../src/onnx/proto/onnx_pb';
import { makeTensor, rawBytes } from '../src/onnx/tensor-data';

/** A built model and its encoded bytes. */
export interface BuiltModel {
  model: ModelProto;
  bytes: Uint8Array;
}

/** A model with one input to feed and one output to read. */
export interface RunnableModel extends BuiltModel {
  inputName: string;
  inputShape: number[];
  outputName: string;
}


/** Seeded random bytes. */
export function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = (seed ^ 0x9e3779b9) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** `n` floats uniform in [-scale, scale) from a seeded xorshift32 stream (about 10 ns per value). */
export function randomFloats(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let x = (seed ^ 0x2545f491) >>> 0 || 1;
  const k = (2 * scale) / 4294967296;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = (x >>> 0) * k - scale;
  }
  return out;
}

/** makeModel with the fixtures' producer name. */
function fixtureModel(spec: ModelSpec): ModelProto {
  return makeModel({ producerName: 'quantbench-fixtures', ...spec });
}

const TINY_IN = [1, 3, 8, 8];
const TINY_CONV_OUT = 4;
const TINY_CLASSES = 10;

function tinyWeights(): TensorProto[] {
  const flat = TINY_CONV_OUT * 8 * 8;
  return [
    makeTensor('conv.weight', DT.FLOAT, [TINY_CONV_OUT, 3, 3, 3], randomFloats(TINY_CONV_OUT * 27, 11, 0.5)),
    makeTensor('conv.bias', DT.FLOAT, [TINY_CONV_OUT], randomFloats(TINY_CONV_OUT, 12, 0.1)),
    makeTensor('fc.weight', DT.FLOAT, [TINY_CLASSES, flat], randomFloats(TINY_CLASSES * flat, 13, 0.2)),
    makeTensor('fc.bias', DT.FLOAT, [TINY_CLASSES], randomFloats(TINY_CLASSES, 14, 0.1)),
  ];
}

function tinyModel(initializers: TensorProto[]): ModelProto {
  return fixtureModel({
    graphName: 'tiny_conv',
    nodes: [
      node('Conv', ['input', 'conv.weight', 'conv.bias'], ['conv_out'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, 'conv'),
      node('Relu', ['conv_out'], ['relu_out'], {}, 'relu'),
      node('Flatten', ['relu_out'], ['flat'], { axis: 1 }, 'flatten'),
      node('Gemm', ['flat', 'fc.weight', 'fc.bias'], ['output'], { transB: 1 }, 'fc'),
    ],
    initializers,
    inputs: [valueInfo('input', DT.FLOAT, TINY_IN)],
    outputs: [valueInfo('output', DT.FLOAT, [1, TINY_CLASSES])],
  });
}

/** Conv(3->4, 3x3, pad 1) + Relu + Flatten + Gemm(256->10), float32, opset 13; input [1,3,8,8], output [1,10]. */
export function tinyConvModel(): RunnableModel & { params: number } {
  const model = tinyModel(tinyWeights());
  const params = TINY_CONV_OUT * 27 + TINY_CONV_OUT + TINY_CLASSES * TINY_CONV_OUT * 64 + TINY_CLASSES;
  return { model, bytes: encodeModel(model), inputName: 'input', inputShape: [...TINY_IN], outputName: 'output', params };
}

/** Where one tensor sits in the external data file. */
export interface ExternalSpan {
  offset: number;
  length: number;
}

/** The tiny model with its weights in a separate file. */
export interface ExternalModel extends RunnableModel {
  onnxBytes: Uint8Array;
  dataBytes: Uint8Array;
  dataFileName: 'tiny.onnx.data';
  /** Placement of each initializer in `dataBytes`, by tensor name. */
  spans: Record<string, ExternalSpan>;
}

/**
 * The tinyConvModel weights moved to 'tiny.onnx.data' (data_location EXTERNAL with location/offset/length).
 * Tensors are separated by 1, 2, 3, 1… byte gaps, so all offsets but the first are not 4-byte aligned.
 */
export function externalDataModel(): ExternalModel {
  const dataFileName = 'tiny.onnx.data' as const;
  const weights = tinyWeights();
  const spans: Record<string, ExternalSpan> = {};
  const chunks: Uint8Array[] = [];
  let cursor = 0;
  weights.forEach((t, i) => {
    const bytes = rawBytes(t)!;
    if (i > 0) {
      const gap = ((i - 1) % 3) + 1;
      chunks.push(new Uint8Array(gap).fill(0xee));
      cursor += gap;
    }
    spans[t.name] = { offset: cursor, length: bytes.byteLength };
    chunks.push(bytes.slice());
    cursor += bytes.byteLength;
    t.rawData = new Uint8Array(0);
    t.dataLocation = TensorProto_DataLocation.EXTERNAL;
    t.externalData = [
      create(StringStringEntryProtoSchema, { key: 'location', value: dataFileName }),
      create(StringStringEntryProtoSchema, { key: 'offset', value: String(spans[t.name]!.offset) }),
      create(StringStringEntryProtoSchema, { key: 'length', value: String(bytes.byteLength) }),
    ];
  });
  const dataBytes = new Uint8Array(cursor);
  let at = 0;
  for (const c of chunks) {
    dataBytes.set(c, at);
    at += c.byteLength;
  }
  const model = tinyModel(weights);
  const onnxBytes = encodeModel(model);
  return { model, bytes: onnxBytes, onnxBytes, dataBytes, dataFileName, spans, inputName: 'input', inputShape: [...TINY_IN], outputName: 'output' };
}

/** Input [1,4] -> com.example.custom::Swizzle -> Relu -> output [1,4]. Describable, not runnable. */
export function customDomainModel(): BuiltModel & { domain: string; opType: string } {
  const domain = 'com.example.custom';
  const model = fixtureModel({
    graphName: 'custom_op',
    nodes: [node('Swizzle', ['input'], ['swizzled'], { mode: 2 }, 'swizzle', domain), node('Relu', ['swizzled'], ['output'], {}, 'relu')],
    initializers: [],
    inputs: [valueInfo('input', DT.FLOAT, [1, 4])],
    outputs: [valueInfo('output', DT.FLOAT, [1, 4])],
    opsets: { [domain]: 1 },
  });
  return { model, bytes: encodeModel(model), domain, opType: 'Swizzle' };
}

/**
 * QDQ model, opset 13: input [1,3,8,8] -> QuantizeLinear/DequantizeLinear (uint8) -> Conv whose weight is
 * DequantizeLinear(int8 weight) -> output [1,4,8,8]. Runs in onnxruntime.
 */
export function qdqModel(): RunnableModel {
  const wq = new Int8Array(TINY_CONV_OUT * 27);
  const rng = makeRng(21);
  for (let i = 0; i < wq.length; i++) wq[i] = Math.round(rng() * 254 - 127);
  const model = fixtureModel({
    graphName: 'qdq_conv',
    nodes: [
      node('QuantizeLinear', ['input', 'x_scale', 'x_zero_point'], ['x_q'], {}, 'quant_in'),
      node('DequantizeLinear', ['x_q', 'x_scale', 'x_zero_point'], ['x_dq'], {}, 'dequant_in'),
      node('DequantizeLinear', ['w_q', 'w_scale', 'w_zero_point'], ['w_dq'], {}, 'dequant_w'),
      node('Conv', ['x_dq', 'w_dq', 'conv.bias'], ['output'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, 'conv'),
    ],
    initializers: [
      makeTensor('x_scale', DT.FLOAT, [], new Float32Array([1 / 128])),
      makeTensor('x_zero_point', DT.UINT8, [], new Uint8Array([128])),
      makeTensor('w_q', DT.INT8, [TINY_CONV_OUT, 3, 3, 3], wq),
      makeTensor('w_scale', DT.FLOAT, [], new Float32Array([0.004])),
      makeTensor('w_zero_point', DT.INT8, [], new Int8Array([0])),
      makeTensor('conv.bias', DT.FLOAT, [TINY_CONV_OUT], randomFloats(TINY_CONV_OUT, 22, 0.1)),
    ],
    inputs: [valueInfo('input', DT.FLOAT, TINY_IN)],
    outputs: [valueInfo('output', DT.FLOAT, [1, TINY_CONV_OUT, 8, 8])],
  });
  return { model, bytes: encodeModel(model), inputName: 'input', inputShape: [...TINY_IN], outputName: 'output' };
}

/**
 * A chain of MatMul layers with random float32 weights (raw_data) whose encoded size is at least
 * `sizeBytes`: [1,dim] x [dim,dim] x … with dim 1024 (4 MiB per layer) or smaller for small sizes.
 */
export function bigModel(sizeBytes: number, seed = 1): RunnableModel & { layers: number; dim: number } {
  const dim = sizeBytes >= 4 * 1024 * 1024 ? 1024 : Math.max(4, Math.floor(Math.sqrt(sizeBytes / 4)));
  const layerElems = dim * dim;
  const layers = Math.max(1, Math.ceil(sizeBytes / (layerElems * 4)));
  const all = randomFloats(layers * layerElems, seed, 1 / Math.sqrt(dim));
  const nodes: NodeProto[] = [];
  const initializers: TensorProto[] = [];
  for (let i = 0; i < layers; i++) {
    const w = `w${i}`;
    initializers.push(makeTensor(w, DT.FLOAT, [dim, dim], all.subarray(i * layerElems, (i + 1) * layerElems)));
    nodes.push(node('MatMul', [i === 0 ? 'input' : `h${i}`, w], [i === layers - 1 ? 'output' : `h${i + 1}`], {}, `matmul${i}`));
  }
  const model = fixtureModel({
    graphName: 'big_matmul_chain',
    nodes,
    initializers,
    inputs: [valueInfo('input', DT.FLOAT, [1, dim])],
    outputs: [valueInfo('output', DT.FLOAT, [1, dim])],
  });
  return { model, bytes: encodeModel(model), inputName: 'input', inputShape: [1, dim], outputName: 'output', layers, dim };
}
