// Tests of the opset upgrade (src/onnx/opset-upgrade.ts): every shared model moved to opset 13 passes
// onnx.checker and computes the same outputs as the original in onnxruntime-node and in onnxruntime-web; one
// small model per adaptation is compared before/after in onnxruntime-node; subgraphs, refusals, names, IR.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomFloats } from '../../test/fixtures';
import { checkerPython, onnxCheck } from '../../test/onnx-checker';
import { hasSharedData, sharedPath, SHARED_MODELS } from '../../test/shared-data';
import { loadOrt } from '../runtime/ort';
import { ModelSession } from '../runtime/session';
import { isQbError } from '../shared/errors';
import { makeModel, node, valueInfo, type AttrValue } from './build';
import { floatsToFloat16Bits, float16BitsToFloats } from './float16';
import { realInputs } from './graph';
import { decodeModel, encodeModel } from './model-io';
import { upgradeOpset, canUpgradeOpset, type OpsetUpgradeReport } from './opset-upgrade';
import {
  AttributeProtoSchema,
  AttributeProto_AttributeType as AT,
  TensorProto_DataType as DT,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type TypeProto_Tensor,
  type ValueInfoProto,
} from './proto/onnx_pb';
import { makeTensor, readTensor } from './tensor-data';

const dir = mkdtempSync(join(tmpdir(), 'qb-opset-'));
/** Upgraded synthetic models, checked together by onnx.checker at the end (one Python process). */
const written: string[] = [];

beforeAll(async () => {
  // One thread, set before the first onnxruntime-web session (Node has no cross-origin isolation).
  await loadOrt(1);
});

// ---------------------------------------------------------------------------------------------------------------
// Helpers

type Feeds = Record<string, ort.Tensor>;

/** A declared graph output of the given rank with symbolic dims (onnx 1.12's checker requires a shape there). */
function outInfo(name: string, rank: number, elemType: number = DT.FLOAT): ValueInfoProto {
  return valueInfo(name, elemType, Array.from({ length: rank }, (_, i) => `${name}_d${i}`));
}

const f32 = (dims: number[], seed: number, scale = 1): ort.Tensor => new ort.Tensor('float32', randomFloats(dims.reduce((a, b) => a * b, 1), seed, scale), dims);
const i64Init = (name: string, values: number[]): TensorProto => makeTensor(name, DT.INT64, [values.length], BigInt64Array.from(values.map(BigInt)));
const f32Init = (name: string, values: number[], dims = [values.length]): TensorProto => makeTensor(name, DT.FLOAT, dims, Float32Array.from(values));

async function runOrt(bytes: Uint8Array, feeds: Feeds): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

/** Largest |a - b| (Infinity when shapes or integer/bool values differ) and the largest |a|. */
function difference(a: ort.Tensor, b: ort.Tensor): { diff: number; scale: number } {
  if (a.dims.join(',') !== b.dims.join(',') || a.type !== b.type) return { diff: Infinity, scale: 0 };
  const x = a.data as ArrayLike<number | bigint | boolean>;
  const y = b.data as ArrayLike<number | bigint | boolean>;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < x.length; i++) {
    if (typeof x[i] !== 'number') {
      if (x[i] !== y[i]) return { diff: Infinity, scale };
      continue;
    }
    const p = a.type === 'float16' ? float16BitsToFloats(Uint16Array.of(x[i] as number))[0]! : (x[i] as number);
    const q = a.type === 'float16' ? float16BitsToFloats(Uint16Array.of(y[i] as number))[0]! : (y[i] as number);
    if (Number.isNaN(p) !== Number.isNaN(q)) return { diff: Infinity, scale };
    if (!Number.isNaN(p)) diff = Math.max(diff, Math.abs(p - q));
    scale = Math.max(scale, Math.abs(p));
  }
  return { diff, scale };
}

/** The tolerance of the task: 1e-5 relative to the output's scale (absolute below 1). */
const tolerance = (scale: number): number => 1e-5 * Math.max(1, scale);

/**
 * Upgrades `model`, checks the input model was not touched, queues the result for onnx.checker and asserts every
 * output matches the original in onnxruntime-node for each feed set. Returns the upgraded model and report.
 */
async function upgradeAndCompare(name: string, model: ModelProto, feedSets: Feeds[], target = 13): Promise<{ up: ModelProto; report: OpsetUpgradeReport; maxDiff: number }> {
  const original = encodeModel(model);
  const { model: up, report } = upgradeOpset(model, target);
  expect(encodeModel(model)).toEqual(original);
  const bytes = encodeModel(up);
  const path = join(dir, `${name}.onnx`);
  writeFileSync(path, bytes);
  written.push(path);
  let maxDiff = 0;
  for (const feeds of feedSets) {
    const [a, b] = await Promise.all([runOrt(original, feeds), runOrt(bytes, feeds)]);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const key of Object.keys(a)) {
      const { diff, scale } = difference(a[key]!, b[key]!);
      expect(diff, `${name}: output ${key}`).toBeLessThanOrEqual(tolerance(scale));
      maxDiff = Math.max(maxDiff, diff);
    }
  }
  return { up, report, maxDiff };
}

const ops = (g: GraphProto): string[] => g.node.map((n) => n.opType);
const attrOf = (n: NodeProto, name: string) => n.attribute.find((a) => a.name === name);
const attrText = (n: NodeProto, name: string): string | undefined => {
  const a = attrOf(n, name);
  return a === undefined ? undefined : new TextDecoder().decode(a.s);
};
const initValues = (g: GraphProto, name: string): number[] => {
  const t = g.initializer.find((i) => i.name === name);
  if (t === undefined) throw new Error(`no initializer ${name}`);
  return Array.from(readTensor(t) as ArrayLike<number | bigint>, Number);
};

/** A one-node model on one float input. */
function oneNode(opset: number, op: string, inputDims: (number | string)[], attrs: Record<string, AttrValue> = {}, extra: { inputs?: string[]; initializers?: TensorProto[]; outputs?: ValueInfoProto[] } = {}): ModelProto {
  const outputs = extra.outputs ?? [outInfo('y', inputDims.length)];
  return makeModel({
    opset,
    nodes: [node(op, ['x', ...(extra.inputs ?? [])], outputs.map((o) => o.name), attrs, `${op.toLowerCase()}_node`)],
    inputs: [valueInfo('x', DT.FLOAT, inputDims)],
    outputs,
    initializers: extra.initializers ?? [],
  });
}

function expectUnsupported(fn: () => unknown, op: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(isQbError(caught), 'throws a QbError').toBe(true);
  const err = caught as { code: string; message: string };
  expect(err.code).toBe('unsupported');
  expect(err.message).toContain(`"${op}"`);
}

// ---------------------------------------------------------------------------------------------------------------
// Shared real models

/** Input dims per shared model (the CNNs at their native resolution, silero on one 1536-sample window). */
const INPUT_DIMS: Record<(typeof SHARED_MODELS)[number], number[]> = {
  'squeezenet1.1-7-fp32-upcast.onnx': [1, 3, 224, 224],
  'squeezenet1.1-7-winml-fp16.onnx': [1, 3, 224, 224],
  'resnet20-cifar10-ace.onnx': [1, 3, 32, 32],
  'silero-vad-mini-transformer.onnx': [1, 1536],
  'yolox-nano.onnx': [1, 3, 416, 416],
  'deeplabv3-mobilenetv2-257.onnx': [1, 257, 257, 3],
};

const measured: string[] = [];

describe.skipIf(!hasSharedData())('shared models upgraded to opset 13', () => {
  afterAll(() => {
    if (measured.length > 0) console.log(`opset 13 upgrade, max |original - upgraded| per model:\n${measured.join('\n')}`);
  });

  it.each(SHARED_MODELS)('%s: valid, and the same outputs in onnxruntime-node and onnxruntime-web', async (name) => {
    const bytes = new Uint8Array(readFileSync(sharedPath('models', name)));
    const model = decodeModel(bytes, name);
    const { model: up, report } = upgradeOpset(model, 13);
    expect(report.toVersion).toBe(13);
    expect(report.irVersionTo).toBeGreaterThanOrEqual(7);
    expect(up.opsetImport.find((o) => o.domain === '')!.version).toBe(13n);
    // Other domains (deeplab imports ai.onnx.ml) keep their version.
    for (const o of model.opsetImport.filter((o) => o.domain !== '' && o.domain !== 'ai.onnx')) {
      expect(up.opsetImport.find((p) => p.domain === o.domain)!.version).toBe(o.version);
    }
    const upBytes = encodeModel(up);
    if (checkerPython !== undefined) {
      const path = join(dir, name);
      writeFileSync(path, upBytes);
      expect(onnxCheck(path)).toBe('');
    }

    const inputs = realInputs(model.graph!);
    expect(inputs).toHaveLength(1);
    const inputName = inputs[0]!.name;
    const half = (inputs[0]!.type!.value.value as TypeProto_Tensor).elemType === DT.FLOAT16;
    const dims = INPUT_DIMS[name];
    const count = dims.reduce((a, b) => a * b, 1);
    const seeds = [11, 12];

    // onnxruntime-node, every output (float16 models get float16 bits in and out).
    let nodeDiff = 0;
    const [a, b] = await Promise.all([ort.InferenceSession.create(bytes), ort.InferenceSession.create(upBytes)]);
    try {
      for (const seed of seeds) {
        const data = randomFloats(count, seed);
        const x = half ? new ort.Tensor('float16', floatsToFloat16Bits(data), dims) : new ort.Tensor('float32', data, dims);
        const [ra, rb] = await Promise.all([a.run({ [inputName]: x }), b.run({ [inputName]: x })]);
        for (const key of a.outputNames) {
          const { diff, scale } = difference(ra[key]!, rb[key]!);
          expect(diff, `${name} ${key} (node)`).toBeLessThanOrEqual(tolerance(scale));
          nodeDiff = Math.max(nodeDiff, diff);
        }
      }
    } finally {
      await Promise.all([a.release(), b.release()]);
    }

    // onnxruntime-web through our runtime (first output, float16 handled by ModelSession).
    let webDiff = 0;
    const [wa, wb] = await Promise.all([ModelSession.create(bytes), ModelSession.create(upBytes)]);
    try {
      for (const seed of seeds) {
        const input = { data: randomFloats(count, seed), dims };
        const ra = await wa.runFloat(input);
        const rb = await wb.runFloat(input);
        expect(rb.dims).toEqual(ra.dims);
        let scale = 0;
        for (let i = 0; i < ra.data.length; i++) {
          webDiff = Math.max(webDiff, Math.abs(ra.data[i]! - rb.data[i]!));
          scale = Math.max(scale, Math.abs(ra.data[i]!));
        }
        expect(webDiff, `${name} (web)`).toBeLessThanOrEqual(tolerance(scale));
      }
    } finally {
      await Promise.all([wa.release(), wb.release()]);
    }
    measured.push(`  ${name}: opset ${report.fromVersion} -> 13, ${report.changedNodes.length} nodes changed; node ${nodeDiff}, web ${webDiff}`);
  });

  it('squeezenet: Dropout becomes Identity and the rank-4 Softmax keeps axis 1 explicitly; IR 3 initializers leave the inputs', () => {
    const model = decodeModel(new Uint8Array(readFileSync(sharedPath('models', 'squeezenet1.1-7-fp32-upcast.onnx'))));
    const { model: up, report } = upgradeOpset(model);
    expect(report.changedNodes.map((c) => c.opType).sort()).toEqual(['Dropout', 'Softmax']);
    expect(ops(up.graph!)).not.toContain('Dropout');
    const softmax = up.graph!.node.find((n) => n.opType === 'Softmax')!;
    expect(attrOf(softmax, 'axis')!.i).toBe(1n);
    expect(report.irVersionFrom).toBe(3);
    expect(up.graph!.input.map((i) => i.name)).toEqual(['data_0']);
  });

  it('deeplab: Clip bounds become inputs, Upsample becomes an asymmetric linear Resize', () => {
    const model = decodeModel(new Uint8Array(readFileSync(sharedPath('models', 'deeplabv3-mobilenetv2-257.onnx'))));
    const { model: up, report } = upgradeOpset(model);
    const g = up.graph!;
    expect(ops(g)).not.toContain('Upsample');
    const resizes = g.node.filter((n) => n.opType === 'Resize');
    expect(resizes).toHaveLength(2);
    for (const r of resizes) {
      expect(attrText(r, 'coordinate_transformation_mode')).toBe('asymmetric');
      expect(attrText(r, 'mode')).toBe('linear');
      expect(r.input[1]).toBe('');
    }
    const clip = g.node.find((n) => n.opType === 'Clip')!;
    expect(clip.attribute).toHaveLength(0);
    expect([initValues(g, clip.input[1]!), initValues(g, clip.input[2]!)]).toEqual([[0], [6]]);
    expect(report.changedNodes.filter((c) => c.opType === 'Clip')).toHaveLength(34);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// One synthetic model per adaptation, compared before/after in onnxruntime-node.

describe('Softmax family (opset < 13 coerced to 2-D at axis)', () => {
  it.each(['Softmax', 'LogSoftmax', 'Hardmax'])('%s axis=1 on [2,3,4] at opset 11: Flatten -> op -> Reshape, same outputs', async (op) => {
    const model = oneNode(11, op, [2, 3, 4], { axis: 1 });
    const { up, report } = await upgradeAndCompare(`softmax-${op}`, model, [{ x: f32([2, 3, 4], 1, 3) }, { x: f32([2, 3, 4], 2, 3) }]);
    expect(ops(up.graph!)).toEqual(['Shape', 'Flatten', op, 'Reshape']);
    const core = up.graph!.node[2]!;
    expect(core.name).toBe(`${op.toLowerCase()}_node`);
    expect(attrOf(core, 'axis')!.i).toBe(1n);
    expect(attrOf(up.graph!.node[1]!, 'axis')!.i).toBe(1n);
    expect(report.changedNodes).toHaveLength(1);
    expect(report.changedNodes[0]!.opType).toBe(op);
  });

  it('the old semantics really differ: a plain axis=1 Softmax-13 would not match', async () => {
    // Guards the test above: if both versions agreed on this input, it would prove nothing.
    const x = f32([2, 3, 4], 1, 3);
    const old = await runOrt(encodeModel(oneNode(11, 'Softmax', [2, 3, 4], { axis: 1 })), { x });
    const naive = await runOrt(encodeModel(oneNode(13, 'Softmax', [2, 3, 4], { axis: 1 })), { x });
    expect(difference(old['y']!, naive['y']!).diff).toBeGreaterThan(0.01);
  });

  it('last axis, or only size-1 dims after it: the axis is set explicitly, no extra nodes', async () => {
    const last = await upgradeAndCompare('softmax-last', oneNode(11, 'Softmax', [2, 3, 4], { axis: -1 }), [{ x: f32([2, 3, 4], 3, 3) }]);
    expect(ops(last.up.graph!)).toEqual(['Softmax']);
    expect(attrOf(last.up.graph!.node[0]!, 'axis')!.i).toBe(-1n);
    // Opset 7 default axis (1) on [2,5,1,1]: the coerced block is just axis 1.
    const ones = await upgradeAndCompare('softmax-ones', oneNode(7, 'LogSoftmax', [2, 5, 1, 1]), [{ x: f32([2, 5, 1, 1], 4, 3) }]);
    expect(ops(ones.up.graph!)).toEqual(['LogSoftmax']);
    expect(attrOf(ones.up.graph!.node[0]!, 'axis')!.i).toBe(1n);
  });

  it('unknown rank: the Flatten form, still the same outputs', async () => {
    const model = oneNode(9, 'Softmax', ['a', 'b', 'c']);
    const { up } = await upgradeAndCompare('softmax-symbolic', model, [{ x: f32([3, 2, 5], 5, 3) }, { x: f32([2, 4, 3], 6, 3) }]);
    expect(ops(up.graph!)).toEqual(['Shape', 'Flatten', 'Softmax', 'Reshape']);
  });
});

describe('attributes that became inputs', () => {
  it('Unsqueeze / Squeeze (with and without axes) at opset 11', async () => {
    const model = makeModel({
      opset: 11,
      nodes: [
        node('Unsqueeze', ['x'], ['u'], { axes: [0, 3] }, 'unsq'),
        node('Squeeze', ['u'], ['s'], { axes: [0] }, 'sq'),
        node('Squeeze', ['u'], ['all'], {}, 'sq_all'),
      ],
      inputs: [valueInfo('x', DT.FLOAT, [2, 3])],
      outputs: [outInfo('u', 4), outInfo('s', 3), outInfo('all', 2)],
    });
    const { up, report } = await upgradeAndCompare('unsqueeze-squeeze', model, [{ x: f32([2, 3], 7) }]);
    const g = up.graph!;
    expect(initValues(g, g.node[0]!.input[1]!)).toEqual([0, 3]);
    expect(initValues(g, g.node[1]!.input[1]!)).toEqual([0]);
    expect(g.node[2]!.input).toEqual(['u']);
    expect(g.node.every((n) => n.attribute.length === 0)).toBe(true);
    expect(report.changedNodes.map((c) => c.name)).toEqual(['unsq', 'sq']);
  });

  it('Split with and without `split`, ReduceSum with and without axes', async () => {
    const model = makeModel({
      opset: 11,
      nodes: [
        node('Split', ['x'], ['p', 'q'], { axis: 1, split: [1, 3] }, 'split'),
        node('Split', ['x'], ['h1', 'h2'], { axis: 1 }, 'halves'),
        node('ReduceSum', ['x'], ['r'], { axes: [1], keepdims: 0 }, 'rsum'),
        node('ReduceSum', ['x'], ['rall'], {}, 'rsum_all'),
      ],
      inputs: [valueInfo('x', DT.FLOAT, [2, 4])],
      outputs: ['p', 'q', 'h1', 'h2', 'r', 'rall'].map((n) => outInfo(n, n === 'r' ? 1 : 2)),
    });
    const { up } = await upgradeAndCompare('split-reducesum', model, [{ x: f32([2, 4], 8) }]);
    const g = up.graph!;
    expect(initValues(g, g.node[0]!.input[1]!)).toEqual([1, 3]);
    expect(g.node[1]!.input).toHaveLength(1);
    expect(initValues(g, g.node[2]!.input[1]!)).toEqual([1]);
    expect(g.node[3]!.input).toHaveLength(1);
  });

  it('Clip at opset 9 (both bounds, one bound) becomes Clip with scalar inputs', async () => {
    const model = makeModel({
      opset: 9,
      nodes: [node('Clip', ['x'], ['relu6'], { min: { f: 0 }, max: { f: 6 } }, 'relu6'), node('Clip', ['x'], ['floor'], { min: { f: -1.5 } }, 'floor_only')],
      inputs: [valueInfo('x', DT.FLOAT, [4, 5])],
      outputs: [outInfo('relu6', 2), outInfo('floor', 2)],
    });
    const { up } = await upgradeAndCompare('clip', model, [{ x: f32([4, 5], 9, 10) }]);
    const g = up.graph!;
    expect(initValues(g, g.node[0]!.input[1]!)).toEqual([0]);
    expect(initValues(g, g.node[0]!.input[2]!)).toEqual([6]);
    expect(initValues(g, g.node[1]!.input[1]!)).toEqual([-1.5]);
    // The absent max keeps Clip-6's default, +FLT_MAX, so an infinite input is still clamped as before.
    expect(initValues(g, g.node[1]!.input[2]!)).toEqual([3.4028234663852886e38]);
    const extreme = new ort.Tensor('float32', Float32Array.from([-Infinity, Infinity, 3, 7, -2, 0.5, 100, -100, 1e30, -1e30, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]), [4, 5]);
    const [a, b] = await Promise.all([runOrt(encodeModel(model), { x: extreme }), runOrt(encodeModel(up), { x: extreme })]);
    for (const k of ['relu6', 'floor']) expect(difference(a[k]!, b[k]!).diff).toBe(0);
  });

  it('Clip on float16 data gets float16 bounds', () => {
    const model = makeModel({
      opset: 9,
      nodes: [node('Clip', ['x'], ['y'], { min: { f: 0 }, max: { f: 6 } }, 'clip16')],
      inputs: [valueInfo('x', DT.FLOAT16, [4])],
      outputs: [outInfo('y', 1, DT.FLOAT16)],
    });
    const { model: up } = upgradeOpset(model);
    const g = up.graph!;
    expect(g.initializer.map((t) => t.dataType)).toEqual([DT.FLOAT16, DT.FLOAT16]);
    expect(float16BitsToFloats(readTensor(g.initializer[1]!) as Uint16Array)[0]).toBe(6);
    const path = join(dir, 'clip16.onnx');
    writeFileSync(path, encodeModel(up));
    written.push(path);
  });

  it('Pad at opset 9 (constant with a value, reflect) becomes Pad with int64 pads and constant_value inputs', async () => {
    const model = makeModel({
      opset: 9,
      nodes: [
        node('Pad', ['x'], ['c'], { pads: [0, 1, 2, 0, 0, 3], value: { f: 1.5 } }, 'pad_const'),
        node('Pad', ['x'], ['r'], { pads: [0, 0, 1, 0, 0, 2], mode: 'reflect' }, 'pad_reflect'),
        node('Pad', ['x'], ['z'], { pads: [1, 0, 0, 0, 0, -1] }, 'pad_crop'),
      ],
      inputs: [valueInfo('x', DT.FLOAT, [2, 3, 4])],
      outputs: [outInfo('c', 3), outInfo('r', 3), outInfo('z', 3)],
    });
    const { up } = await upgradeAndCompare('pad', model, [{ x: f32([2, 3, 4], 10) }]);
    const g = up.graph!;
    expect(initValues(g, g.node[0]!.input[1]!)).toEqual([0, 1, 2, 0, 0, 3]);
    expect(initValues(g, g.node[0]!.input[2]!)).toEqual([1.5]);
    expect(g.node[1]!.input).toHaveLength(2);
    expect(attrText(g.node[1]!, 'mode')).toBe('reflect');
  });

  it('Slice at opset 9 (negative starts, ends past the end, with and without axes) becomes Slice with inputs', async () => {
    const model = makeModel({
      opset: 9,
      nodes: [
        node('Slice', ['x'], ['a'], { starts: [1, -3], ends: [1000, -1], axes: [0, 2] }, 'slice_axes'),
        // INT64_MAX as "to the end", as PyTorch exports it (attribute() takes bigints too).
        node('Slice', ['x'], ['b'], { starts: [0, 1], ends: [1, 9223372036854775807n as unknown as number] }, 'slice_noaxes'),
      ],
      inputs: [valueInfo('x', DT.FLOAT, [3, 4, 5])],
      outputs: [outInfo('a', 3), outInfo('b', 3)],
    });
    const { up } = await upgradeAndCompare('slice', model, [{ x: f32([3, 4, 5], 11) }]);
    const g = up.graph!;
    expect(g.node[0]!.input).toHaveLength(4);
    expect(initValues(g, g.node[0]!.input[3]!)).toEqual([0, 2]);
    expect(g.node[1]!.input).toHaveLength(3);
  });

  it('TopK at opset 9: k becomes an int64 input; values and indices match', async () => {
    const model = oneNode(9, 'TopK', [3, 6], { k: 3, axis: -1 }, { outputs: [outInfo('values', 2), outInfo('indices', 2, DT.INT64)] });
    const { up } = await upgradeAndCompare('topk', model, [{ x: f32([3, 6], 12) }]);
    expect(initValues(up.graph!, up.graph!.node[0]!.input[1]!)).toEqual([3]);
  });

  it('BatchNormalization at opset 7 with spatial=1 drops it; spatial=0 is refused', async () => {
    const params = ['scale', 'bias', 'mean', 'var'].map((n, i) => f32Init(n, Array.from(randomFloats(3, 20 + i, 1), (v) => (n === 'var' ? 0.5 + Math.abs(v) : v))));
    const bn = (spatial: number): ModelProto =>
      oneNode(7, 'BatchNormalization', [2, 3, 4, 4], { spatial, epsilon: { f: 1e-3 } }, { inputs: ['scale', 'bias', 'mean', 'var'], initializers: params });
    const { up } = await upgradeAndCompare('batchnorm', bn(1), [{ x: f32([2, 3, 4, 4], 13) }]);
    expect(attrOf(up.graph!.node[0]!, 'spatial')).toBeUndefined();
    expectUnsupported(() => upgradeOpset(bn(0)), 'BatchNormalization');
  });

  it('Scatter at opset 9 becomes ScatterElements', async () => {
    const model = oneNode(9, 'Scatter', [3, 3], { axis: 1 }, { inputs: ['idx', 'upd'], initializers: [makeTensor('idx', DT.INT64, [1, 2], BigInt64Array.from([1n, 2n])), f32Init('upd', [10, 20], [1, 2])] });
    const { up } = await upgradeAndCompare('scatter', model, [{ x: f32([3, 3], 14) }]);
    expect(ops(up.graph!)).toEqual(['ScatterElements']);
  });
});

describe('Upsample and Resize-10 become Resize-13 (asymmetric coordinates)', () => {
  const x = [{ x: f32([1, 2, 3, 4], 15) }, { x: f32([1, 2, 3, 4], 16) }];

  it.each(['nearest', 'linear'])('Upsample-7 (scales attribute), mode %s', async (mode) => {
    const model = oneNode(7, 'Upsample', [1, 2, 3, 4], { mode, scales: { floats: [1, 1, 2, 3] } });
    const { up } = await upgradeAndCompare(`upsample7-${mode}`, model, x);
    const r = up.graph!.node[0]!;
    expect(r.opType).toBe('Resize');
    expect(attrText(r, 'coordinate_transformation_mode')).toBe('asymmetric');
    expect(attrText(r, 'nearest_mode')).toBe(mode === 'nearest' ? 'floor' : undefined);
    expect(initValues(up.graph!, r.input[2]!)).toEqual([1, 1, 2, 3]);
  });

  it.each(['nearest', 'linear'])('Upsample-9 (scales input, fractional 1.5 and 2.5), mode %s', async (mode) => {
    const model = oneNode(9, 'Upsample', [1, 2, 3, 4], { mode }, { inputs: ['scales'], initializers: [f32Init('scales', [1, 1, 1.5, 2.5])] });
    const { up } = await upgradeAndCompare(`upsample9-${mode}`, model, x);
    expect(up.graph!.node[0]!.input).toEqual(['x', '', 'scales']);
  });

  it.each([
    ['nearest', [1, 1, 2, 2.5], 'floor'],
    ['nearest', [1, 1, 0.6, 0.5], 'ceil'],
    ['linear', [1, 1, 2, 2.5], undefined],
    ['linear', [1, 1, 0.6, 0.5], undefined],
  ] as const)('Resize-10 %s with scales %j (nearest_mode %s)', async (mode, scales, nearest) => {
    const model = oneNode(10, 'Resize', [1, 2, 5, 6], { mode }, { inputs: ['scales'], initializers: [f32Init('scales', [...scales])] });
    const { up } = await upgradeAndCompare(`resize10-${mode}-${scales.join('_')}`, model, [{ x: f32([1, 2, 5, 6], 17) }]);
    const r = up.graph!.node[0]!;
    expect(attrText(r, 'nearest_mode')).toBe(nearest);
    expect(attrText(r, 'coordinate_transformation_mode')).toBe('asymmetric');
  });

  it('shrinking in nearest mode rounds up in ONNX Runtime: floor there would change the output', async () => {
    // Guards the ceil choice above with a model where floor and ceil pick different pixels.
    const model = oneNode(10, 'Resize', [1, 1, 2, 4], { mode: 'nearest' }, { inputs: ['scales'], initializers: [f32Init('scales', [1, 1, 0.6, 0.6])] });
    const input = { x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), [1, 1, 2, 4]) };
    const old = await runOrt(encodeModel(model), input);
    expect(Array.from(old['y']!.data as Float32Array)).toEqual([1, 3]);
    const { up } = await upgradeAndCompare('resize10-ceil-guard', model, [input]);
    const wrong = upgradeOpset(model).model;
    wrong.graph!.node[0]!.attribute.find((a) => a.name === 'nearest_mode')!.s = new TextEncoder().encode('floor');
    const floorOut = await runOrt(encodeModel(wrong), input);
    expect(Array.from(floorOut['y']!.data as Float32Array)).toEqual([1, 2]);
    expect(attrText(up.graph!.node[0]!, 'nearest_mode')).toBe('ceil');
  });

  it('Resize-10 to opset 11 gets an empty roi tensor (roi is required there)', async () => {
    const model = oneNode(10, 'Resize', [1, 2, 3, 4], { mode: 'linear' }, { inputs: ['scales'], initializers: [f32Init('scales', [1, 1, 2, 2])] });
    model.irVersion = 5n;
    const { up, report } = await upgradeAndCompare('resize10-to-11', model, x, 11);
    const r = up.graph!.node[0]!;
    expect(r.input[1]).toMatch(/^qb_upgrade_/);
    expect(up.graph!.initializer.find((t) => t.name === r.input[1])!.dims).toEqual([0n]);
    expect(report.irVersionTo).toBe(6);
  });

  it('an Upsample left in an opset 11 model (removed at 10) still becomes Resize', async () => {
    // ONNX Runtime refuses such a model, so the reference is the same node in an opset 9 model.
    const model = (opset: number): ModelProto => oneNode(opset, 'Upsample', [1, 2, 3, 4], { mode: 'nearest' }, { inputs: ['scales'], initializers: [f32Init('scales', [1, 1, 2, 2])] });
    const { model: up } = upgradeOpset(model(11));
    expect(ops(up.graph!)).toEqual(['Resize']);
    expect(attrText(up.graph!.node[0]!, 'nearest_mode')).toBe('floor');
    const [a, b] = await Promise.all([runOrt(encodeModel(model(9)), x[0]!), runOrt(encodeModel(up), x[0]!)]);
    expect(difference(a['y']!, b['y']!).diff).toBe(0);
  });

  it('refuses nearest scales that enlarge one axis and shrink another, and nearest scales computed at run time', () => {
    const mixed = oneNode(10, 'Resize', [1, 2, 5, 6], { mode: 'nearest' }, { inputs: ['scales'], initializers: [f32Init('scales', [1, 1, 2, 0.5])] });
    expectUnsupported(() => upgradeOpset(mixed), 'Resize');
    const dynamic = makeModel({
      opset: 10,
      nodes: [node('Resize', ['x', 's'], ['y'], { mode: 'nearest' })],
      inputs: [valueInfo('x', DT.FLOAT, [1, 2, 5, 6]), valueInfo('s', DT.FLOAT, [4])],
      outputs: [outInfo('y', 4)],
    });
    expectUnsupported(() => upgradeOpset(dynamic), 'Resize');
    // Linear interpolation does not round, so run-time scales are fine there.
    dynamic.graph!.node[0]!.attribute[0]!.s = new TextEncoder().encode('linear');
    expect(canUpgradeOpset(dynamic)).toEqual({ ok: true });
  });
});

describe('Dropout', () => {
  it('with its mask unused becomes Identity (opset 7 and 10)', async () => {
    for (const opset of [7, 10]) {
      const model = makeModel({
        opset,
        nodes: [node('Dropout', ['x'], ['d', 'mask'], { ratio: { f: 0.3 } }, 'drop'), node('Relu', ['d'], ['y'], {}, 'relu')],
        inputs: [valueInfo('x', DT.FLOAT, [2, 8])],
        outputs: [outInfo('y', 2)],
      });
      const { up, report } = await upgradeAndCompare(`dropout-${opset}`, model, [{ x: f32([2, 8], 18) }]);
      expect(ops(up.graph!)).toEqual(['Identity', 'Relu']);
      expect(up.graph!.node[0]!.output).toEqual(['d']);
      expect(report.changedNodes).toEqual([{ name: 'drop', opType: 'Dropout', change: expect.stringContaining('Identity') }]);
    }
  });

  it('with its mask read it is refused across opset 10 or 12, because ONNX Runtime flips the mask values there', async () => {
    const model = (opset: number): ModelProto =>
      makeModel({
        opset,
        nodes: [node('Dropout', ['x'], ['y', 'mask'], opset < 12 ? { ratio: { f: 0.25 } } : {}, 'drop')],
        inputs: [valueInfo('x', DT.FLOAT, [2, 8])],
        outputs: [outInfo('y', 2), outInfo('mask', 2, opset >= 10 ? DT.BOOL : DT.FLOAT)],
      });
    expectUnsupported(() => upgradeOpset(model(7)), 'Dropout');
    expectUnsupported(() => upgradeOpset(model(10)), 'Dropout');
    // The reason, measured: Dropout-10 answers an all-false mask at inference, Dropout-13 an all-true one.
    const x = { x: f32([2, 8], 19) };
    const [old, now] = await Promise.all([runOrt(encodeModel(model(10)), x), runOrt(encodeModel(model(13)), x)]);
    expect(new Set(old['mask']!.data as Uint8Array)).toEqual(new Set([0]));
    expect(new Set(now['mask']!.data as Uint8Array)).toEqual(new Set([1]));
    // Within opset 10..11 nothing about it changes.
    const { up } = await upgradeAndCompare('dropout-mask-11', model(10), [x], 11);
    expect(ops(up.graph!)).toEqual(['Dropout']);
  });
});

describe('subgraphs, names, refusals, unchanged models', () => {
  function ifModel(): ModelProto {
    const branch = (name: string, op: string): GraphProto =>
      makeModel({
        graphName: name,
        nodes: [node(op, ['x'], [`${name}_t`], {}, `${name}_op`), node('Unsqueeze', [`${name}_t`], [`${name}_out`], { axes: [0] }, `${name}_unsq`)],
        inputs: [],
        outputs: [outInfo(`${name}_out`, 3)],
      }).graph!;
    const ifNode = node('If', ['cond'], ['y'], {}, 'if');
    ifNode.attribute.push(create(AttributeProtoSchema, { name: 'then_branch', type: AT.GRAPH, g: branch('then', 'Neg') }));
    ifNode.attribute.push(create(AttributeProtoSchema, { name: 'else_branch', type: AT.GRAPH, g: branch('else', 'Relu') }));
    return makeModel({ opset: 11, nodes: [ifNode], inputs: [valueInfo('cond', DT.BOOL, []), valueInfo('x', DT.FLOAT, [2, 3])], outputs: [outInfo('y', 3)] });
  }

  it('If branches containing Unsqueeze are upgraded, initializers live in the branch', async () => {
    const x = f32([2, 3], 20);
    const cond = (v: boolean): ort.Tensor => new ort.Tensor('bool', Uint8Array.from([v ? 1 : 0]), []);
    const { up, report } = await upgradeAndCompare('if-unsqueeze', ifModel(), [{ cond: cond(true), x }, { cond: cond(false), x }]);
    const then = up.graph!.node[0]!.attribute.find((a) => a.name === 'then_branch')!.g!;
    expect(then.node[1]!.input[1]).toMatch(/^qb_upgrade_then_unsq_axes/);
    expect(initValues(then, then.node[1]!.input[1]!)).toEqual([0]);
    expect(up.graph!.initializer).toHaveLength(0);
    expect(report.changedNodes.map((c) => c.name).sort()).toEqual(['else_unsq', 'then_unsq']);
  });

  it('new names never collide with existing ones', () => {
    const model = makeModel({
      opset: 11,
      nodes: [node('Unsqueeze', ['qb_upgrade_u_axes'], ['y'], { axes: [1] }, 'u')],
      inputs: [valueInfo('qb_upgrade_u_axes', DT.FLOAT, [3])],
      outputs: [outInfo('y', 2)],
    });
    const { model: up } = upgradeOpset(model);
    const axesName = up.graph!.node[0]!.input[1]!;
    expect(axesName).toBe('qb_upgrade_u_axes_2');
  });

  it('an operator it does not know, or one with old broadcasting, is refused with its name', () => {
    const unknown = oneNode(8, 'ImageScaler', [1, 3, 4, 4], { scale: { f: 2 } });
    expectUnsupported(() => upgradeOpset(unknown), 'ImageScaler');
    const reason = canUpgradeOpset(unknown);
    expect(reason.ok).toBe(false);
    expect(!reason.ok && reason.reason).toMatch(/"ImageScaler" cannot be moved from opset 8 to 13 yet/);
    const oldAdd = makeModel({ opset: 6, nodes: [node('Add', ['x', 'x'], ['y'], { broadcast: 1 }, 'add')], inputs: [valueInfo('x', DT.FLOAT, [2])], outputs: [outInfo('y', 1)] });
    expectUnsupported(() => upgradeOpset(oldAdd), 'Add');
    expectUnsupported(() => upgradeOpset(oneNode(6, 'Gemm', [2, 2], {}, { inputs: ['x', 'x'] })), 'Gemm');
  });

  it('a target above 17 (what the reference checker knows) is refused', () => {
    const result = canUpgradeOpset(oneNode(11, 'Relu', [2]), 18);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/opsets 1 to 17/);
  });

  it('a model already at or above the target comes back unchanged, as a copy', () => {
    const model = oneNode(13, 'Unsqueeze', [2], {}, { inputs: ['axes'], initializers: [i64Init('axes', [0])] });
    const { model: same, report } = upgradeOpset(model, 13);
    expect(same).not.toBe(model);
    expect(encodeModel(same)).toEqual(encodeModel(model));
    expect(report).toEqual({ fromVersion: 13, toVersion: 13, changedNodes: [], irVersionFrom: 8, irVersionTo: 8 });
    expect(upgradeOpset(model, 11).report.changedNodes).toEqual([]);
  });

  it('an IR 3 model: IR raised to 7, initializers dropped from the inputs, extra domains kept', async () => {
    const model = makeModel({
      opset: 8,
      opsets: { 'ai.onnx.ml': 1 },
      irVersion: 3,
      nodes: [node('Mul', ['x', 'w'], ['y'], {}, 'mul')],
      inputs: [valueInfo('x', DT.FLOAT, [2]), valueInfo('w', DT.FLOAT, [2])],
      outputs: [outInfo('y', 1)],
      initializers: [f32Init('w', [2, 3])],
    });
    const { up, report } = await upgradeAndCompare('ir3', model, [{ x: f32([2], 21) }]);
    expect(report).toMatchObject({ fromVersion: 8, toVersion: 13, irVersionFrom: 3, irVersionTo: 7, changedNodes: [] });
    expect(up.irVersion).toBe(7n);
    expect(up.graph!.input.map((i) => i.name)).toEqual(['x']);
    expect(up.opsetImport.map((o) => [o.domain, o.version])).toEqual([
      ['', 13n],
      ['ai.onnx.ml', 1n],
    ]);
  });

  it('opset 1 forms that only need renaming: Reshape shape attribute, Pad paddings, Cast "to" names, Concat axis, consumed_inputs', () => {
    // ONNX Runtime does not run opsets below 7, so these are checked by structure and onnx.checker only.
    const model = makeModel({
      opset: 1,
      irVersion: 3,
      nodes: [
        node('Relu', ['x'], ['r'], { consumed_inputs: [0] }, 'relu'),
        node('Reshape', ['r'], ['s'], { shape: [3, 2] }, 'reshape'),
        node('Pad', ['s'], ['p'], { paddings: [0, 1, 0, 1], mode: 'constant' }, 'pad'),
        node('Cast', ['p'], ['c'], { to: 'DOUBLE' }, 'cast'),
        node('Concat', ['c', 'c'], ['y'], {}, 'concat'),
      ],
      inputs: [valueInfo('x', DT.FLOAT, [2, 3])],
      outputs: [valueInfo('y', DT.DOUBLE, [3, 8])],
    });
    const { model: up, report } = upgradeOpset(model);
    const g = up.graph!;
    expect(g.node[0]!.attribute).toHaveLength(0);
    expect(initValues(g, g.node[1]!.input[1]!)).toEqual([3, 2]);
    expect(initValues(g, g.node[2]!.input[1]!)).toEqual([0, 1, 0, 1]);
    expect(attrOf(g.node[3]!, 'to')!.i).toBe(BigInt(DT.DOUBLE));
    expect(attrOf(g.node[4]!, 'axis')!.i).toBe(1n);
    expect(report.changedNodes.map((c) => c.opType)).toEqual(['Relu', 'Reshape', 'Pad', 'Cast', 'Concat']);
    const path = join(dir, 'opset4.onnx');
    writeFileSync(path, encodeModel(up));
    written.push(path);
  });
});

describe('IR version', () => {
  it('an IR 3 model that gains an initializer goes to IR 4, where initializers need not be inputs', () => {
    const model = makeModel({
      opset: 4,
      irVersion: 3,
      nodes: [node('Reshape', ['x'], ['y'], { shape: [3, 2] }, 'reshape')],
      inputs: [valueInfo('x', DT.FLOAT, [2, 3])],
      outputs: [valueInfo('y', DT.FLOAT, [3, 2])],
    });
    const { model: up, report } = upgradeOpset(model, 5);
    expect(report).toMatchObject({ fromVersion: 4, toVersion: 5, irVersionFrom: 3, irVersionTo: 4 });
    expect(up.graph!.input.map((i) => i.name)).toEqual(['x']);
    expect(up.graph!.initializer).toHaveLength(1);
    const path = join(dir, 'ir3-to-4.onnx');
    writeFileSync(path, encodeModel(up));
    written.push(path);
  });
});

describe.skipIf(checkerPython === undefined)('onnx.checker', () => {
  it('accepts every upgraded synthetic model (full check)', () => {
    expect(written.length).toBeGreaterThan(20);
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
    const results = JSON.parse(execFileSync(checkerPython!, ['-c', script, ...written], { encoding: 'utf8', maxBuffer: 1 << 24 })) as Record<string, string>;
    expect(Object.entries(results).filter(([, msg]) => msg !== '')).toEqual([]);
  });
});
