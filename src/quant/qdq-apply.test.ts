// Static INT8 rewrite on the synthetic CNN with ranges from a real calibration run: onnx.checker, onnxruntime-web
// (ModelSession) and onnxruntime-node, SQNR against FP32, int8 per-channel weights, int32 biases, per-tensor mode
// at opset 10, no mutation of the input, unused float weights dropped, shared weights quantized once.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ortNode from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { inputs, syntheticCnn, weight } from '../../test/int8-synthetic';
import { checkerPython, onnxCheck } from '../../test/onnx-checker';
import { makeModel, node, valueInfo } from '../onnx/build';
import { DataType } from '../onnx/dtypes';
import { encodeModel } from '../onnx/model-io';
import type { ModelProto, NodeProto, TensorProto } from '../onnx/proto/onnx_pb';
import { makeTensor, readTensor } from '../onnx/tensor-data';
import { calibrate } from '../pipeline/calibrate';
import { loadOrt } from '../runtime/ort';
import { ModelSession, type FloatTensor } from '../runtime/session';
import { isQbError } from '../shared/errors';
import { activationParams, applyQdq, type Range } from './qdq-apply';
import { planQdq, type ActivationPreset, type QdqOptions, type QdqPlan } from './qdq-plan';
import { sqnrDb } from './qparams';

const dir = mkdtempSync(join(tmpdir(), 'qb-qdq-apply-'));
const CALIB = inputs(24, 100);
const TEST = inputs(6, 5000);

beforeAll(async () => {
  await loadOrt(1);
});

function check(name: string, model: ModelProto): string {
  const path = join(dir, name);
  writeFileSync(path, encodeModel(model));
  return onnxCheck(path);
}

/** Ranges of every planned tensor from a MinMax calibration in onnxruntime-web. */
async function calibratedRanges(model: ModelProto, plan: QdqPlan, preset: ActivationPreset = 'performance'): Promise<Map<string, Range>> {
  const cal = await calibrate({
    model,
    tensors: plan.tensors,
    graphInputs: plan.graphInputs,
    observer: { method: 'minmax' },
    inputs: CALIB,
    limit: CALIB.length,
    makeRunner: (b, e) => ModelSession.create(b, e),
  });
  return new Map([...cal.observers].map(([t, o]) => [t, o.range(preset === 'performance' ? 'symmetric' : 'asymmetric', 'uint8')]));
}

async function runWeb(model: ModelProto, xs: readonly FloatTensor[]): Promise<Float32Array> {
  const session = await ModelSession.create(encodeModel(model));
  try {
    const out: number[] = [];
    for (const x of xs) out.push(...(await session.runFloat(x)).data);
    return Float32Array.from(out);
  } finally {
    await session.release();
  }
}

async function runNode(model: ModelProto, xs: readonly FloatTensor[]): Promise<Float32Array> {
  const session = await ortNode.InferenceSession.create(encodeModel(model));
  try {
    const out: number[] = [];
    for (const x of xs) {
      const r = await session.run({ [session.inputNames[0]!]: new ortNode.Tensor('float32', x.data, x.dims) });
      out.push(...(r[session.outputNames[0]!]!.data as Float32Array));
    }
    return Float32Array.from(out);
  } finally {
    await session.release();
  }
}

const init = (m: ModelProto, name: string): TensorProto | undefined => m.graph!.initializer.find((t) => t.name === name);
const producerOf = (m: ModelProto, t: string): NodeProto | undefined => m.graph!.node.find((n) => n.output.includes(t));
const nodeNamed = (m: ModelProto, name: string): NodeProto => m.graph!.node.find((n) => n.name === name)!;
const attrI = (n: NodeProto, name: string): number | undefined => {
  const a = n.attribute.find((x) => x.name === name);
  return a === undefined ? undefined : Number(a.i);
};
const floats = (t: TensorProto | undefined): Float32Array => readTensor(t!) as Float32Array;
const stringify = (m: ModelProto): string => JSON.stringify(m, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

async function quantized(options: QdqOptions & { opset?: number; cnn?: Parameters<typeof syntheticCnn>[0] } = {}) {
  const model = syntheticCnn({ ...options.cnn, opset: options.opset ?? 13 });
  const plan = planQdq(model, options);
  const ranges = await calibratedRanges(model, plan, options.preset);
  const result = applyQdq(model, plan, ranges, { preset: options.preset, perChannel: options.perChannel });
  return { model, plan, ranges, tensors: result.tensors, q: result.model };
}

describe('applyQdq on the synthetic CNN (per-channel, opset 13)', () => {
  let r: Awaited<ReturnType<typeof quantized>>;
  beforeAll(async () => {
    r = await quantized();
  });

  it.skipIf(checkerPython === undefined)('passes onnx.checker full_check', () => {
    expect(check('cnn-int8.onnx', r.q)).toBe('');
  });

  it('runs in onnxruntime-web and onnxruntime-node with SQNR >= 30 dB against FP32 on held-out inputs', async () => {
    const fp = await runWeb(r.model, TEST);
    const web = await runWeb(r.q, TEST);
    const nat = await runNode(r.q, TEST);
    const sWeb = sqnrDb(fp, web);
    const sNode = sqnrDb(fp, nat);
    console.info(`[qdq-apply] CNN per-channel SQNR: web ${sWeb.toFixed(2)} dB, node ${sNode.toFixed(2)} dB`);
    expect(sWeb).toBeGreaterThanOrEqual(30);
    expect(sNode).toBeGreaterThanOrEqual(30);
    expect(Number.isFinite(sWeb)).toBe(true);
  });

  it('puts a uint8 Q -> DQ pair on every planned tensor and rewires every consumer to the DQ output', () => {
    for (const t of r.plan.tensors) {
      const q = r.q.graph!.node.find((n) => n.opType === 'QuantizeLinear' && n.input[0] === t);
      expect(q, t).toBeDefined();
      const dq = r.q.graph!.node.find((n) => n.opType === 'DequantizeLinear' && n.input[0] === q!.output[0]);
      expect(dq, t).toBeDefined();
      expect(init(r.q, q!.input[2]!)!.dataType).toBe(DataType.UINT8);
      expect(init(r.q, q!.input[1]!)!.dims).toEqual([]);
      // Only the Q node reads the float tensor now.
      expect(r.q.graph!.node.filter((n) => n.input.includes(t))).toEqual([q]);
    }
    expect(r.q.graph!.node.filter((n) => n.opType === 'QuantizeLinear')).toHaveLength(r.plan.tensors.length);
    // Unplanned tensors (a fused Relu's input, the shape logic, the output) keep their float consumers.
    expect(nodeNamed(r.q, 'relu1').input).toEqual(['c1']);
    expect(nodeNamed(r.q, 'shape_concat').input).toEqual(['batch', 'minus1']);
    expect(r.q.graph!.output.map((o) => o.name)).toEqual(['output']);
  });

  it('gives every tensor of a group one scale and zero point, from the union of their ranges', () => {
    const scale = (t: string): number => floats(init(r.q, `${t}_qb_scale`))[0]!;
    const zp = (t: string): number => (readTensor(init(r.q, `${t}_qb_zp`)!) as Uint8Array)[0]!;
    for (const group of r.plan.groups) {
      const lo = Math.min(...group.map((t) => r.ranges.get(t)!.min));
      const hi = Math.max(...group.map((t) => r.ranges.get(t)!.max));
      const p = activationParams({ min: lo, max: hi }, 'performance');
      for (const t of group) {
        expect(scale(t), t).toBe(p.scale);
        expect(zp(t), t).toBe(p.zeroPoint);
      }
    }
    // Relu -> MaxPool: one-sided, so all 8 bits above zero.
    expect(zp('r1')).toBe(0);
    expect(scale('r1')).toBe(scale('p1'));
    // The graph input is signed: zero point 128.
    expect(zp('input')).toBe(128);
  });

  it('stores weights as int8 behind a per-channel DequantizeLinear with the planned axis', () => {
    expect(r.plan.weights).toHaveLength(4);
    for (const w of r.plan.weights) {
      const base = `${w.tensor}_qb_c${w.axis}`;
      const q8 = init(r.q, `${base}_int8`)!;
      const original = init(r.model, w.tensor)!;
      expect(q8.dataType).toBe(DataType.INT8);
      expect(q8.dims).toEqual(original.dims);
      const channels = Number(original.dims[w.axis]);
      expect(init(r.q, `${base}_scale`)!.dims).toEqual([BigInt(channels)]);
      const zp = init(r.q, `${base}_zp`)!;
      expect(zp.dataType).toBe(DataType.INT8);
      expect([...(readTensor(zp) as Int8Array)]).toEqual(new Array<number>(channels).fill(0));
      const dq = producerOf(r.q, `${base}_dq`)!;
      expect(dq.opType).toBe('DequantizeLinear');
      expect(attrI(dq, 'axis')).toBe(w.axis);
      expect(nodeNamed(r.q, w.node).input[1]).toBe(`${base}_dq`);
      // Values are symmetric int8: -128 never used.
      expect((readTensor(q8) as Int8Array).every((v) => v >= -127)).toBe(true);
    }
    const weights = r.tensors.filter((t) => t.kind === 'weight');
    expect(weights.map((t) => t.tensor)).toEqual(['w1', 'w2', 'w3', 'wg']);
    expect(weights.every((t) => t.type === 'int8' && t.weightSqnrDb! > 35 && t.channels === (t.tensor === 'wg' ? 10 : 8))).toBe(true);
  });

  it('Gemm with transB=0 gets its weight DQ along axis 1', async () => {
    const t = await quantized({ cnn: { transB: 0 } });
    const dq = producerOf(t.q, 'wg_qb_c1_dq')!;
    expect(attrI(dq, 'axis')).toBe(1);
    expect(init(t.q, 'wg_qb_c1_scale')!.dims).toEqual([10n]);
    const fp = await runWeb(t.model, TEST);
    expect(sqnrDb(fp, await runWeb(t.q, TEST))).toBeGreaterThanOrEqual(30);
  });

  it('stores biases as int32 whose DQ scale is the activation scale times the weight scale, zero point 0', () => {
    expect(r.plan.biases).toHaveLength(4);
    for (const b of r.plan.biases) {
      const base = `${b.tensor}_qb_${b.node}_int32`;
      const data = init(r.q, base)!;
      expect(data.dataType).toBe(DataType.INT32);
      const actScale = floats(init(r.q, `${b.activation}_qb_scale`))[0]!;
      const w = r.plan.weights.find((x) => x.node === b.node)!;
      const wScales = floats(init(r.q, `${b.weight}_qb_c${w.axis}_scale`));
      const bScales = floats(init(r.q, `${base}_scale`));
      expect(bScales.length).toBe(wScales.length);
      for (let c = 0; c < bScales.length; c++) expect(bScales[c]).toBe(Math.fround(actScale * wScales[c]!));
      const zp = init(r.q, `${base}_zp`)!;
      expect(zp.dataType).toBe(DataType.INT32);
      expect((readTensor(zp) as Int32Array).every((v) => v === 0)).toBe(true);
      // round(b / scale), within half a step of the float bias.
      const original = floats(init(r.model, b.tensor));
      const q = readTensor(data) as Int32Array;
      for (let c = 0; c < q.length; c++) expect(Math.abs(q[c]! * bScales[c]! - original[c]!)).toBeLessThanOrEqual(bScales[c]! / 2 + 1e-12);
      const dq = producerOf(r.q, `${base}_dq`)!;
      expect(attrI(dq, 'axis')).toBe(0);
      expect(nodeNamed(r.q, b.node).input[2]).toBe(`${base}_dq`);
    }
    expect(r.tensors.filter((t) => t.kind === 'bias').map((t) => [t.tensor, t.type])).toEqual([['b1', 'int32'], ['b2', 'int32'], ['b3', 'int32'], ['bg', 'int32']]);
  });

  it('removes the float weights and biases nothing reads any more, and keeps the rest', () => {
    const left = r.q.graph!.initializer.map((t) => t.name);
    for (const t of ['w1', 'w2', 'w3', 'wg', 'b1', 'b2', 'b3', 'bg']) expect(left).not.toContain(t);
    expect(left).toEqual(expect.arrayContaining(['idx0', 'minus1']));
    // The only float initializers left are the scales of the Q/DQ pairs.
    expect(r.q.graph!.initializer.filter((t) => t.dataType === DataType.FLOAT && !t.name.endsWith('_scale')).map((t) => t.name)).toEqual([]);
    // Every initializer is read by some node.
    const read = new Set(r.q.graph!.node.flatMap((n) => n.input));
    expect(left.filter((t) => !read.has(t))).toEqual([]);
  });

  it('lists the nodes in a valid order (every input produced before it is read)', () => {
    const known = new Set([...r.q.graph!.input.map((i) => i.name), ...r.q.graph!.initializer.map((t) => t.name)]);
    for (const n of r.q.graph!.node) {
      for (const i of n.input) if (i !== '') expect(known.has(i), `${n.name} reads ${i}`).toBe(true);
      for (const o of n.output) known.add(o);
    }
  });
});

describe('applyQdq: options and edge cases', () => {
  it('does not mutate the input model', async () => {
    const model = syntheticCnn();
    const before = stringify(model);
    const plan = planQdq(model);
    const ranges = new Map(plan.tensors.map((t) => [t, { min: -2, max: 2 }]));
    applyQdq(model, plan, ranges);
    applyQdq(model, plan, ranges, { perChannel: false, preset: 'mixed' });
    expect(stringify(model)).toBe(before);
  });

  it('per-tensor weights (perChannel false) work at opset 10, where QuantizeLinear first exists', async () => {
    const t = await quantized({ opset: 10, perChannel: false });
    for (const w of t.plan.weights) {
      const dq = producerOf(t.q, `${w.tensor}_qb_t_dq`)!;
      expect(dq.opType).toBe('DequantizeLinear');
      expect(attrI(dq, 'axis')).toBeUndefined();
      expect(init(t.q, `${w.tensor}_qb_t_scale`)!.dims).toEqual([]);
      expect(init(t.q, `${w.tensor}_qb_t_zp`)!.dims).toEqual([]);
      expect(init(t.q, `${w.tensor}_qb_t_int8`)!.dims).toEqual(init(t.model, w.tensor)!.dims);
    }
    for (const b of t.plan.biases) {
      expect(init(t.q, `${b.tensor}_qb_${b.node}_int32_scale`)!.dims).toEqual([]);
      expect(attrI(producerOf(t.q, `${b.tensor}_qb_${b.node}_int32_dq`)!, 'axis')).toBeUndefined();
    }
    expect(Number(t.q.opsetImport[0]!.version)).toBe(10);
    if (checkerPython !== undefined) expect(check('cnn-int8-opset10.onnx', t.q)).toBe('');
    const fp = await runNode(t.model, TEST);
    const sNode = sqnrDb(fp, await runNode(t.q, TEST));
    const sWeb = sqnrDb(fp, await runWeb(t.q, TEST));
    console.info(`[qdq-apply] CNN per-tensor opset 10 SQNR: web ${sWeb.toFixed(2)} dB, node ${sNode.toFixed(2)} dB`);
    expect(sNode).toBeGreaterThanOrEqual(25);
    expect(sWeb).toBeGreaterThanOrEqual(25);
  });

  it('refuses per-channel weights below opset 13, and QuantizeLinear below opset 10, with a QbError', () => {
    const plan = planQdq(syntheticCnn({ opset: 12 }));
    const ranges = new Map(plan.tensors.map((t) => [t, { min: -1, max: 1 }]));
    let err: unknown;
    try {
      applyQdq(syntheticCnn({ opset: 12 }), plan, ranges);
    } catch (e) {
      err = e;
    }
    expect(isQbError(err)).toBe(true);
    expect((err as { code: string }).code).toBe('internal');
    expect((err as Error).message).toMatch(/opset 13/);
    expect(() => applyQdq(syntheticCnn({ opset: 9 }), plan, ranges, { perChannel: false })).toThrow(/opset 10/);
    expect(() => applyQdq(syntheticCnn({ opset: 12 }), plan, ranges, { perChannel: false })).not.toThrow();
  });

  it('refuses a planned tensor without a calibrated range', () => {
    const model = syntheticCnn();
    const plan = planQdq(model);
    const ranges = new Map(plan.tensors.filter((t) => t !== 'c3').map((t) => [t, { min: -1, max: 1 }]));
    expect(() => applyQdq(model, plan, ranges)).toThrow(/No calibrated range for tensor "c3"/);
  });

  it('quantizes a weight shared by two Convs once (one int8 copy, one DQ read by both)', async () => {
    const t = await quantized({ cnn: { sharedWeight: true } });
    expect(t.q.graph!.initializer.filter((x) => x.name.startsWith('w_shared')).map((x) => x.name)).toEqual(['w_shared_qb_c0_int8', 'w_shared_qb_c0_scale', 'w_shared_qb_c0_zp']);
    expect(t.q.graph!.node.filter((n) => n.input[0] === 'w_shared_qb_c0_int8')).toHaveLength(1);
    expect(nodeNamed(t.q, 'conv2').input[1]).toBe('w_shared_qb_c0_dq');
    expect(nodeNamed(t.q, 'conv3').input[1]).toBe('w_shared_qb_c0_dq');
    expect(t.tensors.filter((x) => x.kind === 'weight' && x.tensor === 'w_shared')).toHaveLength(1);
    // Each Conv still gets its own int32 bias.
    expect(init(t.q, 'b2_qb_conv2_int32')).toBeDefined();
    expect(init(t.q, 'b3_qb_conv3_int32')).toBeDefined();
    if (checkerPython !== undefined) expect(check('cnn-int8-shared.onnx', t.q)).toBe('');
    expect(sqnrDb(await runNode(t.model, TEST), await runNode(t.q, TEST))).toBeGreaterThanOrEqual(30);
  });

  it('the mixed preset (asymmetric uint8 activations) also stays within 30 dB', async () => {
    const t = await quantized({ preset: 'mixed' });
    if (checkerPython !== undefined) expect(check('cnn-int8-mixed.onnx', t.q)).toBe('');
    expect(sqnrDb(await runWeb(t.model, TEST), await runWeb(t.q, TEST))).toBeGreaterThanOrEqual(30);
  });

  it('drops float weights listed as graph inputs (IR < 4 style) from graph.input as well', () => {
    const model = syntheticCnn();
    model.graph!.input.push(valueInfo('w1', DataType.FLOAT, [8, 3, 3, 3]), valueInfo('b1', DataType.FLOAT, [8]));
    const plan = planQdq(model);
    expect(plan.graphInputs).toEqual(['input']);
    const q = applyQdq(model, plan, new Map(plan.tensors.map((t) => [t, { min: -1, max: 1 }]))).model;
    expect(q.graph!.input.map((i) => i.name)).toEqual(['input']);
    if (checkerPython !== undefined) expect(check('cnn-int8-ir3-inputs.onnx', q)).toBe('');
  });

  it('keeps a bias float when int32 cannot hold it (a Conv fed an activation that was all zero in calibration)', async () => {
    // conv1's bias of -100 kills every ReLU output, so r1's range is the observers' floor (1e-6) and conv2's bias
    // scale (r1 scale × weight scale) is ~1e-11: 0.5 / 1e-11 is far beyond int32.
    const model = makeModel({
      nodes: [
        node('Conv', ['input', 'w1', 'b1'], ['c1'], { kernel_shape: [1, 1] }, 'conv1'),
        node('Relu', ['c1'], ['r1'], {}, 'relu1'),
        node('Conv', ['r1', 'w2', 'b2'], ['output'], { kernel_shape: [1, 1] }, 'conv2'),
      ],
      inputs: [valueInfo('input', DataType.FLOAT, [1, 3, 8, 8])],
      outputs: [valueInfo('output', DataType.FLOAT, [1, 4, 8, 8])],
      initializers: [
        weight('w1', [4, 3, 1, 1], 1),
        makeTensor('b1', DataType.FLOAT, [4], new Float32Array(4).fill(-100)),
        weight('w2', [4, 4, 1, 1], 2),
        makeTensor('b2', DataType.FLOAT, [4], new Float32Array([0.5, -0.25, 1, 2])),
      ],
    });
    const plan = planQdq(model);
    expect(plan.biases.map((b) => b.tensor)).toEqual(['b1', 'b2']);
    const ranges = await calibratedRanges(model, plan);
    expect(ranges.get('r1')).toEqual({ min: 0, max: 1e-6 });
    const q = applyQdq(model, plan, ranges);
    expect(init(q.model, 'b1_qb_conv1_int32')).toBeDefined();
    expect(init(q.model, 'b2_qb_conv2_int32')).toBeUndefined();
    expect(nodeNamed(q.model, 'conv2').input[2]).toBe('b2');
    expect(floats(init(q.model, 'b2'))).toEqual(Float32Array.from([0.5, -0.25, 1, 2]));
    expect(q.tensors.filter((t) => t.kind === 'bias').map((t) => t.tensor)).toEqual(['b1']);
    const x = TEST.slice(0, 2);
    expect(await runNode(q.model, x)).toEqual(await runNode(model, x));
  });
});
