// FP16 conversion: every shared model converts, passes onnx.checker, runs in onnxruntime-web and matches FP32;
// clamp/flush counts, Cast fixes, If/Loop subgraphs, shape arithmetic, and a fuzz of 50 random graphs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { externalDataModel, makeRng, tinyConvModel } from '../../test/fixtures';
import { checkerPython } from '../../test/onnx-checker';
import { hasSharedData, sharedPath, SHARED_MODELS } from '../../test/shared-data';
import { runQuantize } from '../cli/quantize';
import { makeModel, node, valueInfo, type AttrValue } from '../onnx/build';
import { float16BitsToFloats, floatsToFloat16Bits, fromFloat16Bits } from '../onnx/float16';
import { realInputs } from '../onnx/graph';
import { decodeModel, encodeModel } from '../onnx/model-io';
import {
  AttributeProto_AttributeType,
  AttributeProtoSchema,
  TensorProto_DataType as DT,
  type AttributeProto,
  type GraphProto, type ModelProto, type NodeProto, type TensorProto } from '../onnx/proto/onnx_pb';
import { makeTensor, readTensor } from '../onnx/tensor-data';
import { convertToFloat16, isAlreadyFp16, type Fp16Options } from './fp16';
import { compareOutputs } from './mixed-precision';

beforeAll(() => {
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
});

const dir = mkdtempSync(join(tmpdir(), 'qb-fp16-'));

/**
 * onnx.checker (full check) on many files in one Python process: path -> "" when valid, else the message.
 * Note: onnx 1.12's check_model(path, full_check=True) writes inferred value_info back into the file, so
 * checked files are never read again.
 */
function checkAll(paths: readonly string[]): Record<string, string> {
  const script = [
    'import sys, json, onnx',
    'out = {}',
    'for p in sys.argv[1:]:',
    '    try:',
    '        onnx.checker.check_model(p, full_check=True)',
    '        out[p] = ""',
    '    except Exception as e:',
    '        out[p] = str(e)[:2000]',
    'print(json.dumps(out))',
  ].join('\n');
  return JSON.parse(execFileSync(checkerPython!, ['-c', script, ...paths], { encoding: 'utf8', maxBuffer: 1 << 24 })) as Record<string, string>;
}

function write(name: string, model: ModelProto): string {
  const path = join(dir, name);
  writeFileSync(path, encodeModel(model));
  return path;
}

type Feed = Record<string, { data: Float32Array | Uint8Array | BigInt64Array | Int32Array; dims: number[] }>;

/** Runs a model in onnxruntime-web; float feeds become float16 where the model wants it; outputs as float32. */
async function run(model: ModelProto | Uint8Array, feeds: Feed): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(model instanceof Uint8Array ? model : encodeModel(model));
  try {
    const inputs: Record<string, ort.Tensor> = {};
    for (const [name, { data, dims }] of Object.entries(feeds)) {
      const meta = session.inputMetadata.find((m) => m.name === name);
      const type = meta !== undefined && meta.isTensor ? meta.type : 'float32';
      if (data instanceof Float32Array) inputs[name] = type === 'float16' ? new ort.Tensor('float16', floatsToFloat16Bits(data), dims) : new ort.Tensor('float32', data, dims);
      else if (data instanceof BigInt64Array) inputs[name] = new ort.Tensor('int64', data, dims);
      else if (data instanceof Int32Array) inputs[name] = new ort.Tensor('int32', data, dims);
      else inputs[name] = new ort.Tensor('bool', data, dims);
    }
    const out = await session.run(inputs);
    const result: Record<string, Float32Array> = {};
    for (const [name, t] of Object.entries(out)) {
      result[name] = t.type === 'float16' && t.data instanceof Uint16Array ? float16BitsToFloats(t.data) : Float32Array.from(t.data as ArrayLike<number>);
    }
    return result;
  } finally {
    await session.release();
  }
}

function uniform(n: number, seed: number, min: number, max: number): Float32Array {
  const rng = makeRng(seed);
  return Float32Array.from({ length: n }, () => min + (max - min) * rng());
}

const graphAttr = (name: string, g: GraphProto): AttributeProto => create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.GRAPH, g });
const fp16Values = (t: TensorProto): number[] => Array.from(readTensor(t) as Uint16Array, fromFloat16Bits);
const nodeNamed = (g: GraphProto, name: string): NodeProto => g.node.find((n) => n.name === name)!;
const toAttr = (n: NodeProto): number => Number(n.attribute.find((a) => a.name === 'to')!.i);
const scalar = (name: string, v: number): TensorProto => makeTensor(name, DT.FLOAT, [], new Float32Array([v]));
const i64 = (name: string, values: number[]): TensorProto => makeTensor(name, DT.INT64, [values.length], BigInt64Array.from(values.map(BigInt)));

/** Converts, checks, runs FP32 and FP16 on `feeds` and returns the worst cosine over the float outputs. */
async function convertAndCompare(model: ModelProto, feeds: Feed, options: Fp16Options = {}): Promise<{ model: ModelProto; cosine: number; report: ReturnType<typeof convertToFloat16>['report'] }> {
  const { model: fp16, report } = convertToFloat16(model, options);
  const [ref, got] = [await run(model, feeds), await run(fp16, feeds)];
  const names = Object.keys(ref).filter((k) => ref[k]!.length > 0);
  return { model: fp16, report, cosine: compareOutputs(names.map((k) => ref[k]!), names.map((k) => got[k]!)).cosine };
}

// ---------------------------------------------------------------------------------------------------------

/** Seeded check inputs in each model's real value range (uniform noise in [-1,1] is not an image to YOLOX). */
const SHARED_INPUTS: Record<string, { dims: number[]; range: [number, number] }> = {
  'squeezenet1.1-7-fp32-upcast.onnx': { dims: [1, 3, 224, 224], range: [-123, 151] },
  'squeezenet1.1-7-winml-fp16.onnx': { dims: [1, 3, 224, 224], range: [-123, 151] },
  'resnet20-cifar10-ace.onnx': { dims: [1, 3, 32, 32], range: [-2.1, 2.6] },
  'silero-vad-mini-transformer.onnx': { dims: [1, 4096], range: [-1, 1] },
  'yolox-nano.onnx': { dims: [1, 3, 416, 416], range: [0, 255] },
  'deeplabv3-mobilenetv2-257.onnx': { dims: [1, 257, 257, 3], range: [-1, 1] },
};

describe.skipIf(!hasSharedData())('FP16 conversion of the shared models', () => {
  const written: string[] = [];

  it.each(SHARED_MODELS)('%s', async (file) => {
    const bytes = new Uint8Array(readFileSync(sharedPath('models', file)));
    const model = decodeModel(bytes, file);
    const { model: fp16, report } = convertToFloat16(model);
    const spec = SHARED_INPUTS[file]!;
    const size = spec.dims.reduce((a, b) => a * b, 1);
    const feeds = [1, 2].map((seed) => uniform(size, seed, ...spec.range));
    const inputName = realInputs(model.graph!)[0]!.name;

    if (file === 'squeezenet1.1-7-winml-fp16.onnx') {
      // Recognised, returned untouched (same object), and it still runs.
      expect(report.alreadyFp16).toBe(true);
      expect(fp16).toBe(model);
      const out = await run(fp16, { [inputName]: { data: feeds[0]!, dims: spec.dims } });
      expect(Object.values(out)[0]!.every(Number.isFinite)).toBe(true);
      return;
    }
    expect(report.alreadyFp16).toBe(false);
    const ratio = report.sizeAfterBytes / report.sizeBeforeBytes;
    expect(ratio).toBeLessThanOrEqual(0.52);
    expect(report.sizeAfterBytes).toBe(encodeModel(fp16).byteLength);
    // Never converted twice: the result is recognised as FP16 (even with its float32 Resize scales).
    expect(isAlreadyFp16(fp16)).toBe(true);
    expect(convertToFloat16(fp16).report.alreadyFp16).toBe(true);
    // Graph I/O stay float32 by default.
    expect(realInputs(fp16.graph!)[0]!.type!.value.value).toMatchObject({ elemType: DT.FLOAT });

    const ref: Float32Array[] = [];
    const got: Float32Array[] = [];
    for (const data of feeds) {
      ref.push(Object.values(await run(model, { [inputName]: { data, dims: spec.dims } }))[0]!);
      got.push(Object.values(await run(fp16, { [inputName]: { data, dims: spec.dims } }))[0]!);
    }
    const cmp = compareOutputs(ref, got);
    expect(cmp.broken).toBeUndefined();
    expect(cmp.cosine).toBeGreaterThanOrEqual(0.999);
    console.log(
      `[fp16] ${file}: size ${(100 * ratio).toFixed(1)}%, cosine ${cmp.cosine.toFixed(6)}, max|diff| ${cmp.maxAbsDiff.toPrecision(3)}, ` +
        `kept FP32 ${report.keptFp32Nodes.map((k) => `${k.name}(${k.opType})`).join(' ') || 'none'}, casts ${report.castsInserted}, ` +
        `clamped ${report.clampedValues}, flushed ${report.flushedValues}`,
    );
    written.push(write(file, fp16));
  });

  it.skipIf(checkerPython === undefined)('every converted model passes onnx.checker (full check)', () => {
    expect(written.length).toBe(SHARED_MODELS.length - 1);
    for (const [path, message] of Object.entries(checkAll(written))) expect(message, path).toBe('');
  });
});

describe('convertToFloat16 on hand-made models', () => {
  it('clamps beyond ±65504 and flushes below 2^-24, counting both', async () => {
    const w = new Float32Array([1e6, -1e6, 70000, 65510, 65504, 1e-9, -1e-9, 1e-7, 0, 1]);
    const model = makeModel({
      nodes: [
        node('Mul', ['x', 'w'], ['a'], {}, 'mul'),
        node('Constant', [], ['c'], { value_float: { f: 1e6 } }, 'const'),
        node('Add', ['a', 'c'], ['b'], {}, 'add'),
        node('ConstantOfShape', ['shape'], ['z'], { value: { t: makeTensor('value', DT.FLOAT, [1], new Float32Array([1e-9])) } }, 'zeros'),
        node('Add', ['b', 'z'], ['y'], {}, 'add2'),
      ],
      initializers: [makeTensor('w', DT.FLOAT, [10], w), i64('shape', [10])],
      inputs: [valueInfo('x', DT.FLOAT, [10])],
      outputs: [valueInfo('y', DT.FLOAT, [10])],
    });
    const { model: fp16, report } = convertToFloat16(model);
    expect(report).toMatchObject({ clampedValues: 5, flushedValues: 3, convertedInitializers: 1, convertedConstants: 2 });
    const g = fp16.graph!;
    expect(fp16Values(g.initializer.find((t) => t.name === 'w')!)).toEqual([65504, -65504, 65504, 65504, 65504, 0, -0, 2 ** -23, 0, 1]); // 1e-7 rounds to 2 subnormal steps
    expect(g.initializer.find((t) => t.name === 'shape')!.dataType).toBe(DT.INT64);
    expect(fp16Values(nodeNamed(g, 'const').attribute[0]!.t!)).toEqual([65504]);
    expect(fp16Values(nodeNamed(g, 'zeros').attribute[0]!.t!)).toEqual([0]);
    const out = await run(fp16, { x: { data: new Float32Array(10).fill(0.5), dims: [10] } });
    expect(out.y![8]).toBe(65504); // 0.5·0 + clamped 1e6 + flushed 1e-9
  });

  it('retargets Cast(to=FLOAT) inside the converted region, not before an FP32 consumer', async () => {
    const model = makeModel({
      nodes: [
        node('Cast', ['ids'], ['idsf'], { to: DT.FLOAT }, 'cast_ids'),
        node('Mul', ['idsf', 'w'], ['a'], {}, 'mul'),
        node('Relu', ['x'], ['r'], {}, 'relu'),
        node('Cast', ['r'], ['rf'], { to: DT.FLOAT }, 'cast_redundant'),
        node('Add', ['a', 'rf'], ['s'], {}, 'add'),
        node('Cast', ['s'], ['t'], { to: DT.FLOAT }, 'cast_to_kept'),
        node('TopK', ['t', 'k'], ['v', 'idx'], {}, 'topk'),
      ],
      initializers: [makeTensor('w', DT.FLOAT, [4], new Float32Array([0.5, -1, 2, 0.25])), i64('k', [2])],
      inputs: [valueInfo('ids', DT.INT32, [4]), valueInfo('x', DT.FLOAT, [4])],
      outputs: [valueInfo('v', DT.FLOAT, [2]), valueInfo('s', DT.FLOAT, [4])],
    });
    const feeds: Feed = { ids: { data: Int32Array.from([3, 1, 4, 1]), dims: [4] }, x: { data: Float32Array.from([-1, 2, 0.5, 3]), dims: [4] } };
    const { model: fp16, report, cosine } = await convertAndCompare(model, feeds);
    const g = fp16.graph!;
    expect(toAttr(nodeNamed(g, 'cast_ids'))).toBe(DT.FLOAT16);
    expect(toAttr(nodeNamed(g, 'cast_redundant'))).toBe(DT.FLOAT16);
    expect(toAttr(nodeNamed(g, 'cast_to_kept'))).toBe(DT.FLOAT); // its consumer TopK stays FP32
    expect(report.fixedCasts).toBe(2);
    expect(report.keptFp32Nodes).toEqual([{ name: 'topk', opType: 'TopK', reason: 'block-list' }]);
    // "s" is a graph output computed in float16: the Add writes an alias and a Cast restores the name.
    expect(g.output.map((o) => o.name)).toEqual(['v', 's']);
    expect(g.node.at(-1)).toMatchObject({ opType: 'Cast', output: ['s'] });
    expect(cosine).toBeGreaterThanOrEqual(0.999);
    expect(checkerPython === undefined || checkAll([write('casts.onnx', fp16)])[join(dir, 'casts.onnx')] === '').toBe(true);
  });

  it('keeps float shape arithmetic (Cast(Shape) -> Div -> Cast) in FP32: 4098 is not a float16 integer', async () => {
    const model = makeModel({
      nodes: [
        node('Shape', ['x'], ['shp'], {}, 'shape'),
        node('Gather', ['shp', 'one'], ['len'], { axis: 0 }, 'gather'),
        node('Cast', ['len'], ['lenf'], { to: DT.FLOAT }, 'cast_f'),
        node('Div', ['lenf', 'two'], ['half'], {}, 'div'),
        node('Cast', ['half'], ['halfi'], { to: DT.INT64 }, 'cast_i'),
        node('Concat', ['two_i', 'halfi'], ['newshape'], { axis: 0 }, 'concat'),
        node('Reshape', ['x', 'newshape'], ['r'], {}, 'reshape'),
        node('Relu', ['r'], ['y'], {}, 'relu'),
      ],
      initializers: [i64('one', [1]), scalar('two', 2), i64('two_i', [2])],
      inputs: [valueInfo('x', DT.FLOAT, [1, 4098])],
      outputs: [valueInfo('y', DT.FLOAT, [2, 2049])],
    });
    const { model: fp16, report, cosine } = await convertAndCompare(model, { x: { data: uniform(4098, 3, -1, 1), dims: [1, 4098] } });
    expect(report.keptFp32Nodes.map((k) => `${k.name}:${k.reason}`)).toEqual(['cast_f:shape-computation', 'div:shape-computation', 'cast_i:shape-computation']);
    expect(toAttr(nodeNamed(fp16.graph!, 'cast_f'))).toBe(DT.FLOAT);
    expect(fp16.graph!.initializer.find((t) => t.name === 'two')!.dataType).toBe(DT.FLOAT);
    expect(cosine).toBeGreaterThanOrEqual(0.999);
  });

  it('keeps graph I/O in float16 with keepIO false, and honours keepNodes', async () => {
    const tiny = tinyConvModel();
    const feeds: Feed = { input: { data: uniform(3 * 64, 4, -1, 1), dims: tiny.inputShape } };
    const noIO = await convertAndCompare(tiny.model, feeds, { keepIO: false });
    expect(noIO.model.graph!.input[0]!.type!.value.value).toMatchObject({ elemType: DT.FLOAT16 });
    expect(noIO.model.graph!.output[0]!.type!.value.value).toMatchObject({ elemType: DT.FLOAT16 });
    expect(noIO.report.castsInserted).toBe(0);
    expect(noIO.cosine).toBeGreaterThanOrEqual(0.999);

    const kept = await convertAndCompare(tiny.model, feeds, { keepNodes: ['fc'] });
    expect(kept.report.keptFp32Nodes).toEqual([{ name: 'fc', opType: 'Gemm', reason: 'keep-nodes' }]);
    const g = kept.model.graph!;
    expect(g.initializer.find((t) => t.name === 'fc.weight')!.dataType).toBe(DT.FLOAT);
    expect(g.initializer.find((t) => t.name === 'conv.weight')!.dataType).toBe(DT.FLOAT16);
    // input -> fp16 for the Conv, Flatten output -> fp32 for the kept Gemm, which writes the float32 output itself.
    expect(kept.report.castsInserted).toBe(2);
    expect(kept.cosine).toBeGreaterThanOrEqual(0.999);
  });

  it('reads external-data weights through the resolver and writes them inline; the input model is untouched', async () => {
    const ext = externalDataModel();
    const model = decodeModel(ext.onnxBytes);
    const before = encodeModel(model);
    const { model: fp16, report } = convertToFloat16(model, {}, (location) => (location === ext.dataFileName ? ext.dataBytes : undefined));
    expect(encodeModel(model)).toEqual(before);
    expect(report.convertedInitializers).toBe(4);
    expect(report.sizeAfterBytes / report.sizeBeforeBytes).toBeLessThan(0.55);
    expect(fp16.graph!.initializer.every((t) => t.externalData.length === 0 && t.dataType === DT.FLOAT16)).toBe(true);
    const feeds: Feed = { input: { data: uniform(3 * 64, 8, -1, 1), dims: ext.inputShape } };
    const reference = await run(tinyConvModel().model, feeds);
    const got = await run(fp16, feeds);
    expect(compareOutputs([reference.output!], [got.output!]).cosine).toBeGreaterThanOrEqual(0.999);
    expect(() => convertToFloat16(model)).toThrow(/separate file, "tiny.onnx.data"/);
  });

  describe('If subgraphs', () => {
    /** cond ? x * w_then : x + w_else (w_else lives inside the else branch), then Relu. */
    function ifModel(): ModelProto {
      const branch = (name: string, nodes: NodeProto[], out: string, initializers: TensorProto[] = []): GraphProto =>
        makeModel({ nodes, inputs: [], outputs: [valueInfo(out, DT.FLOAT, [1, 4])], initializers, graphName: name }).graph!;
      const thenG = branch('then', [node('Mul', ['x', 'w_then'], ['t_out'], {}, 'then_mul')], 't_out');
      const elseG = branch('else', [node('Add', ['x', 'w_else'], ['e_out'], {}, 'else_add')], 'e_out', [makeTensor('w_else', DT.FLOAT, [4], new Float32Array([1, 2, 3, 4]))]);
      const ifNode = node('If', ['cond'], ['z'], {}, 'if');
      ifNode.attribute.push(graphAttr('then_branch', thenG), graphAttr('else_branch', elseG));
      return makeModel({
        nodes: [node('Sigmoid', ['x'], ['sx'], {}, 'sig'), ifNode, node('Add', ['z', 'sx'], ['y'], {}, 'add_out')],
        initializers: [makeTensor('w_then', DT.FLOAT, [4], new Float32Array([0.5, -1, 2, 3]))],
        inputs: [valueInfo('x', DT.FLOAT, [1, 4]), valueInfo('cond', DT.BOOL, [])],
        outputs: [valueInfo('y', DT.FLOAT, [1, 4])],
      });
    }
    const feeds = (cond: boolean): Feed => ({ x: { data: Float32Array.from([0.1, -0.2, 0.3, 2]), dims: [1, 4] }, cond: { data: Uint8Array.from([cond ? 1 : 0]), dims: [] } });

    it('converts both branches consistently and shares one Cast of the outer input', async () => {
      const model = ifModel();
      for (const cond of [true, false]) {
        const { model: fp16, cosine } = await convertAndCompare(model, feeds(cond));
        expect(cosine).toBeGreaterThanOrEqual(0.999);
        if (!cond) continue;
        const g = fp16.graph!;
        const ifNode = nodeNamed(g, 'if');
        const [thenG, elseG] = ifNode.attribute.map((a) => a.g!);
        expect(thenG!.output[0]!.type!.value.value).toMatchObject({ elemType: DT.FLOAT16 });
        expect(elseG!.initializer[0]!.dataType).toBe(DT.FLOAT16);
        expect(g.initializer[0]!.dataType).toBe(DT.FLOAT16);
        // x is cast once, in the main graph, and both branches and the Sigmoid read that Cast.
        const casts = g.node.filter((n) => n.opType === 'Cast' && n.input[0] === 'x');
        expect(casts).toHaveLength(1);
        expect(thenG!.node[0]!.input[0]).toBe(casts[0]!.output[0]);
        expect(elseG!.node[0]!.input[0]).toBe(casts[0]!.output[0]);
        expect(checkerPython === undefined || checkAll([write('if.onnx', fp16)])[join(dir, 'if.onnx')] === '').toBe(true);
      }
    });

    it('keeps a node inside a branch, or the whole If, in FP32', async () => {
      const inner = await convertAndCompare(ifModel(), feeds(true), { keepNodes: ['then_mul'] });
      expect(inner.cosine).toBeGreaterThanOrEqual(0.999);
      const thenG = nodeNamed(inner.model.graph!, 'if').attribute[0]!.g!;
      expect(thenG.node.map((n) => n.opType)).toEqual(['Mul', 'Cast']); // FP32 Mul, then Cast to the If's float16 output
      expect(inner.model.graph!.initializer[0]!.dataType).toBe(DT.FLOAT); // w_then only feeds the kept Mul

      const whole = await convertAndCompare(ifModel(), feeds(false), { keepNodes: ['if'] });
      expect(whole.cosine).toBeGreaterThanOrEqual(0.999);
      expect(whole.report.keptFp32Nodes.map((k) => `${k.name}:${k.reason}`)).toEqual(['if:keep-nodes', 'then_mul:inside-kept-subgraph', 'else_add:inside-kept-subgraph']);
      const elseG = nodeNamed(whole.model.graph!, 'if').attribute[1]!.g!;
      expect(elseG.initializer[0]!.dataType).toBe(DT.FLOAT);
      expect(checkerPython === undefined || checkAll([write('if-kept.onnx', whole.model)])[join(dir, 'if-kept.onnx')] === '').toBe(true);
    });
  });

  it('converts a Loop body with a float loop-carried value', async () => {
    const body = makeModel({
      nodes: [node('Mul', ['v_in', 'w_loop'], ['v_mul'], {}, 'loop_mul'), node('Add', ['v_mul', 'x'], ['v_out'], {}, 'loop_add'), node('Identity', ['cond_in'], ['cond_out'], {}, 'loop_cond')],
      inputs: [valueInfo('iter', DT.INT64, []), valueInfo('cond_in', DT.BOOL, []), valueInfo('v_in', DT.FLOAT, [1, 4])],
      outputs: [valueInfo('cond_out', DT.BOOL, []), valueInfo('v_out', DT.FLOAT, [1, 4])],
    }).graph!;
    const loop = node('Loop', ['trip', 'keep_going', 'x'], ['v_final'], {}, 'loop');
    loop.attribute.push(graphAttr('body', body));
    const model = makeModel({
      nodes: [loop, node('Relu', ['v_final'], ['y'], {}, 'relu')],
      initializers: [makeTensor('trip', DT.INT64, [], BigInt64Array.from([3n])), makeTensor('keep_going', DT.BOOL, [], Uint8Array.from([1])), makeTensor('w_loop', DT.FLOAT, [4], new Float32Array([0.5, 1.5, -1, 2]))],
      inputs: [valueInfo('x', DT.FLOAT, [1, 4])],
      outputs: [valueInfo('y', DT.FLOAT, [1, 4])],
    });
    const { model: fp16, cosine } = await convertAndCompare(model, { x: { data: Float32Array.from([0.1, 0.2, 0.3, 0.4]), dims: [1, 4] } });
    expect(cosine).toBeGreaterThanOrEqual(0.999);
    const b = nodeNamed(fp16.graph!, 'loop').attribute[0]!.g!;
    expect(b.input.map((i) => (i.type!.value.value as { elemType: number }).elemType)).toEqual([DT.INT64, DT.BOOL, DT.FLOAT16]);
    expect(b.output.map((i) => (i.type!.value.value as { elemType: number }).elemType)).toEqual([DT.BOOL, DT.FLOAT16]);
    expect(checkerPython === undefined || checkAll([write('loop.onnx', fp16)])[join(dir, 'loop.onnx')] === '').toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------------

/** A random chain of Conv/MatMul/Add/Mul/Relu/Sigmoid/Concat/Reshape/Transpose/Cast on [1,C,H,W] tensors. */
function randomGraph(seed: number): { model: ModelProto; dims: number[]; options: Fp16Options } {
  const rng = makeRng(seed);
  const int = (a: number, b: number): number => a + Math.floor(rng() * (b - a + 1));
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  let shape = [1, int(1, 6), int(2, 6), int(2, 6)];
  const inputDims = [...shape];
  const nodes: NodeProto[] = [];
  const inits: TensorProto[] = [];
  const values: { name: string; shape: number[] }[] = [{ name: 'x', shape: [...shape] }];
  let cur = 'x';
  const weight = (dims: number[], scale: number): string => {
    const name = `w${inits.length}`;
    inits.push(makeTensor(name, DT.FLOAT, dims, uniform(dims.reduce((a, b) => a * b, 1), int(1, 1e6), -scale, scale)));
    return name;
  };
  const sameShape = (): string | undefined => {
    const others = values.filter((v) => v.name !== cur && v.shape.join() === shape.join());
    return others.length > 0 && rng() < 0.6 ? pick(others).name : undefined;
  };
  const count = int(3, 10);
  for (let i = 0; i < count; i++) {
    const out = `t${i}`;
    const [, c, h, w] = shape as [number, number, number, number];
    const op = pick(['Conv', 'MatMul', 'Add', 'Mul', 'Relu', 'Sigmoid', 'Concat', 'Reshape', 'Transpose', 'Cast'] as const);
    let attrs: Record<string, AttrValue> = {};
    let inputs: string[];
    switch (op) {
      case 'Conv': {
        const k = pick([1, 3]);
        const cout = int(1, 8);
        inputs = [cur, weight([cout, c, k, k], 1 / Math.sqrt(c * k * k)), weight([cout], 0.1)];
        attrs = { kernel_shape: [k, k], pads: k === 3 ? [1, 1, 1, 1] : [0, 0, 0, 0] };
        shape = [1, cout, h, w];
        break;
      }
      case 'MatMul': {
        const wout = int(2, 6);
        inputs = [cur, weight([w, wout], 1 / Math.sqrt(w))];
        shape = [1, c, h, wout];
        break;
      }
      case 'Add':
      case 'Mul': {
        const other = sameShape() ?? weight(pick([[c, 1, 1], [w], [1, c, h, w]]), op === 'Add' ? 1 : 1.5);
        inputs = [cur, other];
        break;
      }
      case 'Concat': {
        const axis = c * 2 <= 12 ? 1 : 3;
        inputs = [cur, sameShape() ?? cur];
        attrs = { axis };
        shape = axis === 1 ? [1, c * 2, h, w] : [1, c, h, w * 2];
        break;
      }
      case 'Reshape': {
        const target = pick([[1, c, w, h], [1, c * h, 1, w]]);
        const name = `s${inits.length}`;
        inits.push(i64(name, target));
        inputs = [cur, name];
        shape = target;
        break;
      }
      case 'Transpose': {
        const perm = pick([[0, 1, 3, 2], [0, 2, 1, 3]]);
        attrs = { perm };
        inputs = [cur];
        shape = perm.map((p) => shape[p]!);
        break;
      }
      case 'Cast':
        attrs = { to: DT.FLOAT };
        inputs = [cur];
        break;
      default:
        inputs = [cur];
    }
    nodes.push(node(op, inputs, [out], attrs, `n${i}_${op}`));
    values.push({ name: out, shape: [...shape] });
    cur = out;
  }
  const model = makeModel({ nodes, initializers: inits, inputs: [valueInfo('x', DT.FLOAT, inputDims)], outputs: [valueInfo(cur, DT.FLOAT, shape)] });
  const options: Fp16Options = {
    keepIO: rng() > 0.25,
    keepNodes: rng() < 0.3 ? [pick(nodes).name, pick(nodes).name] : [],
  };
  return { model, dims: inputDims, options };
}

describe('fuzz: 50 random graphs convert, pass onnx.checker and match FP32 in onnxruntime', () => {
  it('every graph within cosine 0.999', async () => {
    const paths: string[] = [];
    const failures: string[] = [];
    const ops = new Set<string>();
    const modes = new Set<string>();
    for (let seed = 1; seed <= 50; seed++) {
      const { model, dims, options } = randomGraph(seed);
      for (const n of model.graph!.node) ops.add(n.opType);
      modes.add(`keepIO=${options.keepIO}`).add(`keepNodes=${options.keepNodes!.length > 0}`);
      const size = dims.reduce((a, b) => a * b, 1);
      const { model: fp16, cosine } = await convertAndCompare(model, { x: { data: uniform(size, seed, -1, 1), dims } }, options);
      if (!(cosine >= 0.999)) failures.push(`seed ${seed}: cosine ${cosine} (${model.graph!.node.map((n) => n.opType).join(' ')})`);
      paths.push(write(`fuzz-${seed}.onnx`, fp16));
    }
    expect(failures).toEqual([]);
    expect([...ops].sort()).toEqual(['Add', 'Cast', 'Concat', 'Conv', 'MatMul', 'Mul', 'Relu', 'Reshape', 'Sigmoid', 'Transpose']);
    expect(modes.size).toBe(4);
    if (checkerPython !== undefined) {
      const checked = checkAll(paths);
      expect(Object.keys(checked)).toHaveLength(50);
      for (const [path, message] of Object.entries(checked)) expect(message, path).toBe('');
    }
  });
});

describe('quantbench quantize --precision fp16 (CLI, end to end)', () => {
  it('writes a checked FP16 model and refuses to convert it twice', async () => {
    const source = join(dir, 'tiny.onnx');
    writeFileSync(source, tinyConvModel().bytes);
    let out = '';
    const target = join(dir, 'tiny-fp16.onnx');
    const code = await runQuantize([source, '--precision', 'fp16', '--out', target, '--json'], (s) => (out += s), () => undefined);
    expect(code).toBe(0);
    const result = JSON.parse(out);
    expect(result.check).toMatchObject({ passed: true, inputSource: 'random', inputs: 3 });
    expect(result.report.convertedInitializers).toBe(4);
    const written = decodeModel(new Uint8Array(readFileSync(target)));
    expect(isAlreadyFp16(written)).toBe(true);

    let text = '';
    expect(await runQuantize([target, '--precision', 'fp16', '--out', join(dir, 'again.onnx')], (s) => (text += s), () => undefined)).toBe(0);
    expect(text).toContain('already stores its weights in float16');

    let err = '';
    expect(await runQuantize([source, '--precision', 'int3', '--out', target], () => undefined, (s) => (err += s))).toBe(2);
    expect(err).toContain('not supported yet');
  });
});
