// Mixed precision: a model that overflows in real FP16 (x*1e3*1e3 then scaled back) must get exactly the
// overflowing producer and its consumer kept in FP32; the pipeline reconverts and passes its own check.
import { afterAll, describe, expect, it } from 'vitest';
import { makeRng } from '../../test/fixtures';
import { makeModel, node, valueInfo } from '../onnx/build';
import { fromFloat16Bits, toFloat16Bits } from '../onnx/float16';
import { decodeModel, encodeModel } from '../onnx/model-io';
import { TensorProto_DataType as DT, type ModelProto } from '../onnx/proto/onnx_pb';
import { makeTensor, readTensor } from '../onnx/tensor-data';
import { makeFp16Variant } from '../pipeline/fp16';
import { ModelSession } from '../runtime/session';
import { convertToFloat16 } from './fp16';
import { compareOutputs, findFp32Nodes, type FloatTensor, type Fp16Runner } from './mixed-precision';

/**
 * Runs elementwise models (Mul/Add/Sub/Div/Relu/Identity/Cast, scalar or same-shape operands) the way real
 * float16 hardware stores values: every float16 tensor is rounded to float16 after each node. onnxruntime-web's
 * wasm EP cannot serve here: it runs float16 graphs through float32 kernels and removes the Casts in between
 * (measured: Mul(x,1e3)->Mul(1e3)->Mul(1e-3)->Mul(1e-3) on x = 0.3 returns 0.3, not Inf), so an FP16 overflow
 * never shows on wasm — it does on WebGPU with shader-f16, which this emulates.
 */
function emulatedRunner(bytes: Uint8Array): Fp16Runner {
  const model = decodeModel(bytes);
  const graph = model.graph!;
  const round16 = (v: Float32Array): Float32Array => v.map((x) => fromFloat16Bits(toFloat16Bits(x)));
  return {
    async runFloat(input: FloatTensor): Promise<FloatTensor> {
      const values = new Map<string, { data: Float32Array; type: number }>();
      for (const t of graph.initializer) {
        const raw = readTensor(t);
        const data = t.dataType === DT.FLOAT16 ? Float32Array.from(raw as Uint16Array, fromFloat16Bits) : Float32Array.from(raw as Float32Array);
        values.set(t.name, { data, type: t.dataType });
      }
      const inputType = graph.input[0]!.type!.value.value as { elemType: number };
      values.set(graph.input[0]!.name, { data: inputType.elemType === DT.FLOAT16 ? round16(input.data) : input.data, type: inputType.elemType });
      for (const n of graph.node) {
        const [a, b] = n.input.map((name) => values.get(name)!);
        const pair = (f: (x: number, y: number) => number): Float32Array =>
          a!.data.map((x, i) => f(x, b!.data.length === 1 ? b!.data[0]! : b!.data[i]!));
        let data: Float32Array;
        let type = a!.type;
        switch (n.opType) {
          case 'Mul': data = pair((x, y) => x * y); break;
          case 'Add': data = pair((x, y) => x + y); break;
          case 'Sub': data = pair((x, y) => x - y); break;
          case 'Div': data = pair((x, y) => x / y); break;
          case 'Relu': data = a!.data.map((x) => Math.max(0, x)); break;
          case 'Identity': data = a!.data; break;
          case 'Cast':
            type = Number(n.attribute.find((x) => x.name === 'to')!.i);
            data = a!.data;
            break;
          default: throw new Error(`The emulator does not run ${n.opType}.`);
        }
        values.set(n.output[0]!, { data: type === DT.FLOAT16 ? round16(data) : Float32Array.from(data), type });
      }
      return { data: values.get(graph.output[0]!.name)!.data, dims: input.dims };
    },
  };
}

/** y = Relu(x·1e3·1e3·1e-3·1e-3 + x): the value after mul2 reaches 1e6 > 65504 for |x| > 0.066. */
function overflowModel(): ModelProto {
  const scalar = (name: string, v: number) => makeTensor(name, DT.FLOAT, [], new Float32Array([v]));
  return makeModel({
    nodes: [
      node('Mul', ['x', 'k1000'], ['a'], {}, 'mul1'),
      node('Mul', ['a', 'k1000'], ['b'], {}, 'mul2'),
      node('Mul', ['b', 'k0001'], ['c'], {}, 'mul3'),
      node('Mul', ['c', 'k0001'], ['d'], {}, 'mul4'),
      node('Add', ['d', 'x'], ['e'], {}, 'add'),
      node('Relu', ['e'], ['y'], {}, 'relu'),
    ],
    initializers: [scalar('k1000', 1000), scalar('k0001', 0.001)],
    inputs: [valueInfo('x', DT.FLOAT, [1, 64])],
    outputs: [valueInfo('y', DT.FLOAT, [1, 64])],
  });
}

function inputs(count: number, seed: number): FloatTensor[] {
  const rng = makeRng(seed);
  return Array.from({ length: count }, () => ({ data: Float32Array.from({ length: 64 }, () => rng() * 2 - 1), dims: [1, 64] }));
}

const sessions: ModelSession[] = [];
afterAll(async () => {
  for (const s of sessions) await s.release();
});

describe('compareOutputs', () => {
  it('reports the worst cosine, top-1 agreement and broken outputs', () => {
    const r = [new Float32Array([1, 2, 3]), new Float32Array([3, 2, 1])];
    expect(compareOutputs(r, r)).toMatchObject({ cosine: 1, maxAbsDiff: 0, top1Agreement: 1, broken: undefined });
    const off = compareOutputs(r, [new Float32Array([1, 2, 3]), new Float32Array([1, 2, 3])]);
    expect(off.top1Agreement).toBe(0.5);
    expect(off.cosine).toBeCloseTo(10 / 14, 6);
    expect(compareOutputs(r, [new Float32Array([1, NaN, 3]), r[1]!]).broken).toBe('nan');
    expect(Number.isNaN(compareOutputs(r, [new Float32Array([1, Infinity, 3]), r[1]!]).cosine)).toBe(true);
    expect(compareOutputs(r, [new Float32Array(3), r[1]!]).broken).toBe('zero');
  });
});

describe('findFp32Nodes', () => {
  it('finds the overflowing Mul and its consumer, and the result meets the tolerance', async () => {
    const model = overflowModel();
    const fp32 = await ModelSession.create(encodeModel(model));
    sessions.push(fp32);
    const checks = inputs(3, 5);
    // Plain FP16 overflows on real float16 storage: Inf reaches the output.
    const plain = convertToFloat16(model).model;
    expect((await emulatedRunner(encodeModel(plain)).runFloat(checks[0]!)).data.some((v) => !Number.isFinite(v))).toBe(true);

    const result = await findFp32Nodes({ model, runFp32: fp32, makeRunner: async (b) => emulatedRunner(b), inputs: checks, cosineMin: 0.999 });
    expect(result.steps[0]).toMatchObject({ phase: 'baseline', passed: false });
    // mul2 makes the 1e6 value, mul3 consumes it: keeping only one of them still puts 1e6 in a float16 tensor.
    expect(result.keepNodes).toEqual(['mul2', 'mul3']);
    expect(result.passed).toBe(true);
    expect(result.cosine).toBeGreaterThanOrEqual(0.999);
    expect(result.candidates).toBe(6);
    expect(result.steps.length).toBeLessThanOrEqual(16);

    // The mixed model is valid for onnxruntime too, and matches FP32 there.
    const mixed = convertToFloat16(model, { keepNodes: result.keepNodes });
    expect(mixed.report.keptFp32Nodes.map((k) => [k.name, k.reason])).toEqual([['mul2', 'keep-nodes'], ['mul3', 'keep-nodes']]);
    const ort = await ModelSession.create(encodeModel(mixed.model));
    sessions.push(ort);
    const ref = await Promise.all(checks.map(async (c) => (await fp32.runFloat(c)).data));
    const got = await Promise.all(checks.map(async (c) => (await ort.runFloat(c)).data));
    expect(compareOutputs(ref, got).cosine).toBeGreaterThanOrEqual(0.999);
  });

  it('keeps nothing when plain FP16 already passes (one measurement)', async () => {
    const model = makeModel({
      nodes: [node('Mul', ['x', 'two'], ['a'], {}, 'm'), node('Relu', ['a'], ['y'], {}, 'r')],
      initializers: [makeTensor('two', DT.FLOAT, [], new Float32Array([2]))],
      inputs: [valueInfo('x', DT.FLOAT, [1, 64])],
      outputs: [valueInfo('y', DT.FLOAT, [1, 64])],
    });
    const result = await findFp32Nodes({ model, runFp32: emulatedRunner(encodeModel(model)), makeRunner: async (b) => emulatedRunner(b), inputs: inputs(2, 9) });
    expect(result.keepNodes).toEqual([]);
    expect(result.steps).toHaveLength(1);
    expect(result.passed).toBe(true);
  });
});

describe('makeFp16Variant', () => {
  it('retries with mixed precision and returns bytes whose own check passes', async () => {
    const bytes = encodeModel(overflowModel());
    const makeRunner = async (b: Uint8Array): Promise<Fp16Runner> => (b === bytes ? ModelSession.create(b) : emulatedRunner(b));
    const variant = await makeFp16Variant(bytes, { images: inputs(3, 7), makeRunner });
    expect(variant.mixedPrecision?.keepNodes).toEqual(['mul2', 'mul3']);
    expect(variant.check).toMatchObject({ passed: true, inputSource: 'images', inputs: 3 });
    expect(variant.check!.cosine).toBeGreaterThanOrEqual(0.999);
    expect(variant.report.keptFp32Nodes.map((k) => k.name)).toEqual(['mul2', 'mul3']);
  });

  it('refuses NaN outputs with a plain message instead of returning them', async () => {
    const bytes = encodeModel(overflowModel());
    const makeRunner = async (b: Uint8Array): Promise<Fp16Runner> => (b === bytes ? ModelSession.create(b) : emulatedRunner(b));
    await expect(makeFp16Variant(bytes, { images: inputs(2, 7), makeRunner, mixedPrecision: false })).rejects.toThrow(/NaN or infinite values.*not usable/);
  });
});
