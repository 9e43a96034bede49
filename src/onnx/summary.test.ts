// Tests of summary.ts: the model card of every shared model against ../shared/data/MANIFEST.md, and of
// the fixtures (QDQ quantization, custom-domain blockers, external data).
import { readFileSync } from 'node:fs';
import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { customDomainModel, externalDataModel, qdqModel, tinyConvModel } from '../../test/fixtures';
import { hasSharedData, sharedPath } from '../../test/shared-data';
import { decodeModel } from './model-io';
import { FunctionProtoSchema } from './proto/onnx_pb';
import { summarizeModel, type ModelCard, type TensorIO } from './summary';

const HAVE_SHARED = hasSharedData();

interface ManifestFacts {
  file: string;
  sizeBytes: number;
  irVersion: number;
  opset: number;
  inputs: TensorIO[];
  outputs: TensorIO[];
  /** Main-graph node count when the manifest gives it (or it follows from a complete op list). */
  nodeCount?: number;
  /** Op counts the manifest lists; `exactOps` when that list is the whole graph. */
  ops: Record<string, number>;
  exactOps: boolean;
  /** Ops the manifest says the model contains, without a count. */
  contains?: string[];
  params: number;
  quantizable: Partial<Record<'Conv' | 'MatMul' | 'Gemm', number>>;
  weightPrecision: string;
}

const SQUEEZE_OPS = { Conv: 26, Relu: 26, Concat: 8, MaxPool: 3, Dropout: 1, GlobalAveragePool: 1, Softmax: 1 };

const MANIFEST: ManifestFacts[] = [
  {
    file: 'squeezenet1.1-7-winml-fp16.onnx',
    sizeBytes: 2_484_091,
    irVersion: 3,
    opset: 7,
    inputs: [{ name: 'data_0', dtype: 'float16', shape: [1, 3, 224, 224] }],
    outputs: [{ name: 'softmaxout_1', dtype: 'float16', shape: [1, 1000, 1, 1] }],
    nodeCount: 66,
    ops: SQUEEZE_OPS,
    exactOps: true,
    params: 1_235_496,
    quantizable: { Conv: 26 },
    weightPrecision: 'float16',
  },
  {
    file: 'squeezenet1.1-7-fp32-upcast.onnx',
    sizeBytes: 4_955_271,
    irVersion: 3,
    opset: 7,
    inputs: [{ name: 'data_0', dtype: 'float32', shape: [1, 3, 224, 224] }],
    outputs: [{ name: 'softmaxout_1', dtype: 'float32', shape: [1, 1000, 1, 1] }],
    nodeCount: 66,
    ops: SQUEEZE_OPS,
    exactOps: true,
    params: 1_235_496,
    quantizable: { Conv: 26 },
    weightPrecision: 'float32',
  },
  {
    // "Nodes: Conv 21, Relu 19, Add 9, GlobalAveragePool, Constant, Reshape, Gemm" (one of each unnumbered op).
    file: 'resnet20-cifar10-ace.onnx',
    sizeBytes: 1_096_863,
    irVersion: 5,
    opset: 10,
    inputs: [{ name: 'input', dtype: 'float32', shape: [1, 3, 32, 32] }],
    outputs: [{ name: 'output', dtype: 'float32', shape: [1, 10] }],
    nodeCount: 53,
    ops: { Conv: 21, Relu: 19, Add: 9, GlobalAveragePool: 1, Constant: 1, Reshape: 1, Gemm: 1 },
    exactOps: true,
    params: 271_690,
    quantizable: { Conv: 21, Gemm: 1 },
    weightPrecision: 'float32',
  },
  {
    file: 'silero-vad-mini-transformer.onnx',
    sizeBytes: 851_638,
    irVersion: 6,
    opset: 11,
    inputs: [{ name: 'input', dtype: 'float32', shape: ['batch', 'samples'] }],
    outputs: [{ name: 'output', dtype: 'float32', shape: ['batch', 'frames'] }],
    ops: { MatMul: 24, Softmax: 4, ReduceMean: 18 },
    exactOps: false,
    contains: ['If', 'Pad', 'Log', 'Cast', 'Shape', 'Gather', 'Concat', 'Conv', 'Sub', 'Pow', 'Sqrt', 'Div'],
    params: 102_036,
    quantizable: { MatMul: 24 },
    weightPrecision: 'float32',
  },
  {
    file: 'yolox-nano.onnx',
    sizeBytes: 3_660_092,
    irVersion: 7,
    opset: 11,
    inputs: [{ name: 'images', dtype: 'float32', shape: [1, 3, 416, 416] }],
    outputs: [{ name: 'output', dtype: 'float32', shape: [1, 3549, 85] }],
    nodeCount: 369,
    ops: { Conv: 113, Sigmoid: 110, Mul: 104, Concat: 18, Slice: 8, Add: 7, MaxPool: 3, Reshape: 3, Resize: 2, Transpose: 1 },
    exactOps: true,
    params: 904_481,
    quantizable: { Conv: 113 },
    weightPrecision: 'float32',
  },
  {
    file: 'deeplabv3-mobilenetv2-257.onnx',
    sizeBytes: 2_781_296,
    irVersion: 4,
    opset: 9,
    inputs: [{ name: 'sub_7', dtype: 'float32', shape: [1, 257, 257, 3] }],
    outputs: [{ name: 'ResizeBilinear_3', dtype: 'float32', shape: [1, 257, 257, 21] }],
    nodeCount: 108,
    ops: { Conv: 55, Clip: 34, Add: 10, Relu: 3, Transpose: 2, Upsample: 2, AveragePool: 1, Concat: 1 },
    exactOps: true,
    params: 688_365,
    quantizable: { Conv: 55 },
    weightPrecision: 'float32',
  },
];

/**
 * Independent count of the main graph's nodes straight from the wire format (ModelProto field 7 = graph,
 * GraphProto field 1 = node), so node counts are checked without protobuf-es.
 */
function rawMainGraphNodeCount(bytes: Uint8Array): number {
  const varint = (pos: number): [number, number] => {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = bytes[pos++]!;
      v += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return [v, pos];
      mul *= 128;
    }
  };
  const fields = (start: number, end: number, visit: (field: number, from: number, to: number) => void): void => {
    let pos = start;
    while (pos < end) {
      const [tag, p] = varint(pos);
      pos = p;
      const wire = tag % 8;
      const field = Math.floor(tag / 8);
      if (wire === 0) pos = varint(pos)[1];
      else if (wire === 1) pos += 8;
      else if (wire === 5) pos += 4;
      else if (wire === 2) {
        const [len, q] = varint(pos);
        visit(field, q, q + len);
        pos = q + len;
      } else throw new Error(`unexpected wire type ${wire}`);
    }
  };
  let nodes = 0;
  fields(0, bytes.length, (field, from, to) => {
    if (field === 7) fields(from, to, (f) => (nodes += f === 1 ? 1 : 0));
  });
  return nodes;
}

function cardOf(bytes: Uint8Array, name: string, external?: Record<string, number>): ModelCard {
  return summarizeModel(decodeModel(bytes, name), name, bytes.length, external);
}

describe('model cards of the shared models match MANIFEST.md', () => {
  it.skipIf(!HAVE_SHARED).each(MANIFEST)('$file', (m) => {
    const bytes = new Uint8Array(readFileSync(sharedPath('models', m.file)));
    const card = cardOf(bytes, m.file);
    expect(card.fileName).toBe(m.file);
    expect(card.fileSizeBytes).toBe(m.sizeBytes);
    expect(card.irVersion).toBe(m.irVersion);
    expect(card.opsets.find((o) => o.domain === 'ai.onnx')?.version).toBe(m.opset);
    expect(card.inputs).toEqual(m.inputs);
    expect(card.outputs).toEqual(m.outputs);

    const rawNodes = rawMainGraphNodeCount(bytes);
    expect(card.nodeCount).toBe(rawNodes);
    if (m.nodeCount !== undefined) expect(card.nodeCount).toBe(m.nodeCount);
    expect(card.totalNodeCount).toBeGreaterThanOrEqual(card.nodeCount);
    if (m.exactOps) {
      expect(card.opTypes).toEqual(m.ops);
      expect(card.totalNodeCount).toBe(card.nodeCount);
    } else {
      for (const [op, n] of Object.entries(m.ops)) expect(card.opTypes[op], op).toBe(n);
      for (const op of m.contains ?? []) expect(card.opTypes[op], op).toBeGreaterThan(0);
    }
    expect(Object.values(card.opTypes).reduce((a, b) => a + b, 0)).toBe(card.totalNodeCount);

    expect(card.params).toBe(m.params);
    const q = card.quantizable;
    for (const [op, n] of Object.entries(m.quantizable)) expect(q.byOpType[op], op).toBe(n);
    for (const op of ['Conv', 'MatMul', 'Gemm'] as const) expect(q.byOpType[op] ?? 0, op).toBe(card.opTypes[op] ?? 0);
    expect(q.count).toBe(Object.values(q.byOpType).reduce((a, b) => a + b, 0));
    expect(q.nodes).toHaveLength(q.count);
    expect(q.nodes.every((n) => ['Conv', 'MatMul', 'Gemm', 'ConvTranspose'].includes(n.opType) && n.name !== '')).toBe(true);

    expect(card.quantization.quantized).toBe(false);
    expect(card.quantization.formats).toEqual([]);
    expect(card.weightPrecision).toBe(m.weightPrecision);
    expect(card.blockers).toEqual([]);
    expect(card.externalData).toEqual([]);
    const top = card.bytesByDtype[0]!;
    expect(top.dtype).toBe(m.weightPrecision);
    expect(card.weightBytes).toBe(card.bytesByDtype.reduce((a, s) => a + s.bytes, 0));
    // Weights make up nearly all of these files.
    expect(card.weightBytes / m.sizeBytes).toBeGreaterThan(0.9);
    expect(card.weightBytes).toBeLessThan(m.sizeBytes);
  });

  it.skipIf(!HAVE_SHARED)('fp16 and fp32 squeezenet differ only in precision and weight bytes', () => {
    const [fp16, fp32] = ['squeezenet1.1-7-winml-fp16.onnx', 'squeezenet1.1-7-fp32-upcast.onnx'].map((f) =>
      cardOf(new Uint8Array(readFileSync(sharedPath('models', f))), f),
    );
    expect(fp16!.bytesByDtype).toEqual([{ dtype: 'float16', tensors: 52, elements: 1_235_496, bytes: 2 * 1_235_496 }]);
    expect(fp32!.bytesByDtype).toEqual([{ dtype: 'float32', tensors: 52, elements: 1_235_496, bytes: 4 * 1_235_496 }]);
    expect(fp16!.opTypes).toEqual(fp32!.opTypes);
  });
});

describe('model cards of the fixtures', () => {
  it('tiny conv model: float, Conv + Gemm quantizable, no blockers', () => {
    const t = tinyConvModel();
    const card = cardOf(t.bytes, 'tiny.onnx');
    expect(card.irVersion).toBe(8);
    expect(card.opsets).toEqual([{ domain: 'ai.onnx', version: 13 }]);
    expect(card.inputs).toEqual([{ name: 'input', dtype: 'float32', shape: [1, 3, 8, 8] }]);
    expect(card.outputs).toEqual([{ name: 'output', dtype: 'float32', shape: [1, 10] }]);
    expect(card.nodeCount).toBe(4);
    expect(card.opTypes).toEqual({ Conv: 1, Relu: 1, Flatten: 1, Gemm: 1 });
    expect(card.params).toBe(t.params);
    expect(card.weightBytes).toBe(4 * t.params);
    expect(card.quantizable).toEqual({ count: 2, byOpType: { Conv: 1, Gemm: 1 }, nodes: [{ name: 'conv', opType: 'Conv' }, { name: 'fc', opType: 'Gemm' }] });
    expect(card.quantization.quantized).toBe(false);
    expect(card.blockers).toEqual([]);
  });

  it('qdq model -> quantized, format qdq, int8 weights', () => {
    const card = cardOf(qdqModel().bytes, 'qdq.onnx');
    expect(card.quantization.quantized).toBe(true);
    expect(card.quantization.formats).toEqual(['qdq']);
    expect(card.quantization.ops).toEqual({ QuantizeLinear: 1, DequantizeLinear: 2 });
    expect(card.quantization.message).toMatch(/Already quantized/);
    expect(card.weightPrecision).toBe('int8');
    expect(card.quantizable.byOpType).toEqual({ Conv: 1 });
    expect(card.blockers).toEqual([]);
  });

  it('custom domain -> blocker unknown-op-domain naming the domain and op', () => {
    const c = customDomainModel();
    const card = cardOf(c.bytes, 'custom-op.onnx');
    expect(card.opTypes).toEqual({ [`${c.domain}:${c.opType}`]: 1, Relu: 1 });
    expect(card.blockers).toHaveLength(1);
    expect(card.blockers[0]!.code).toBe('unknown-op-domain');
    expect(card.blockers[0]!.message).toContain(c.domain);
    expect(card.blockers[0]!.message).toContain(c.opType);
    expect(card.opsets).toContainEqual({ domain: c.domain, version: 1 });
  });

  it('custom domain defined by a model-local function is not a blocker', () => {
    const c = customDomainModel();
    c.model.functions = [create(FunctionProtoSchema, { name: c.opType, domain: c.domain, input: ['x'], output: ['y'], node: [{ opType: 'Identity', input: ['x'], output: ['y'] }] })];
    expect(summarizeModel(c.model, 'f.onnx', 1).blockers).toEqual([]);
  });

  it('external data model -> its data file listed with byte totals', () => {
    const ext = externalDataModel();
    const inline = cardOf(tinyConvModel().bytes, 'tiny.onnx');
    const tensorBytes = Object.values(ext.spans).reduce((a, s) => a + s.length, 0);
    const card = cardOf(ext.onnxBytes, 'tiny-ext.onnx');
    expect(card.externalData).toEqual([{ location: ext.dataFileName, bytes: tensorBytes }]);
    expect(card.weightBytes).toBe(inline.weightBytes);
    expect(card.params).toBe(inline.params);
    expect(card.fileSizeBytes).toBeLessThan(1000);
    const withSize = cardOf(ext.onnxBytes, 'tiny-ext.onnx', { [ext.dataFileName]: ext.dataBytes.length });
    expect(withSize.externalData).toEqual([{ location: ext.dataFileName, bytes: ext.dataBytes.length }]);
    expect(ext.dataBytes.length).toBeGreaterThan(tensorBytes);
  });
});
