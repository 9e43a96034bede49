// Dynamic INT8: synthetic MLP and Gemm models run in onnxruntime-web (ModelSession) and onnxruntime-node within int8
// error of FP32 and of a JS emulation of the integer maths; onnx.checker; options, IR 3, value_info, sharing;
// silero VAD (real transformer) speech probabilities on synthetic audio; looksTransformerLike; errors.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import * as ortNode from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { checkerPython, onnxCheck } from '../../test/onnx-checker';
import { hasSharedData, sharedPath } from '../../test/shared-data';
import { makeModel, node, valueInfo, type AttrValue } from '../onnx/build';
import { describeType, realInputs } from '../onnx/graph';
import { decodeModel, encodeModel } from '../onnx/model-io';
import {
  AttributeProto_AttributeType,
  AttributeProtoSchema,
  TensorProto_DataType as DT,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
} from '../onnx/proto/onnx_pb';
import { makeTensor, readTensor } from '../onnx/tensor-data';
import { ModelSession, type FloatTensor } from '../runtime/session';
import { isQbError } from '../shared/errors';
import { makeRng } from '../shared/rng';
import { DYNAMIC_INT8_PREFIX, looksTransformerLike, quantizeDynamicInt8 } from './dynamic-int8';
import { QRANGE, roundHalfEven, sqnrDb } from './qparams';

const dir = mkdtempSync(join(tmpdir(), 'qb-dyn-int8-'));

function check(name: string, model: ModelProto): string {
  const path = join(dir, name);
  writeFileSync(path, encodeModel(model));
  return onnxCheck(path);
}

// ---------------------------------------------------------------------------------------------------------
// Helpers: seeded data, runners, JS emulation of the integer graph.

/** Roughly normal values (sum of 4 uniforms), mean 0, standard deviation `std`, from seed. */
function gaussian(n: number, seed: number, std = 1): Float32Array {
  const rng = makeRng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (rng() + rng() + rng() + rng() - 2) * std * Math.sqrt(3);
  return out;
}

function weight(name: string, dims: number[], seed: number, std?: number): TensorProto {
  const n = dims.reduce((a, b) => a * b, 1);
  return makeTensor(name, DT.FLOAT, dims, gaussian(n, seed, std ?? 1 / Math.sqrt(dims[0]!)));
}

function floats(t: TensorProto): Float32Array {
  return readTensor(t) as Float32Array;
}

/** First output of each input in onnxruntime-web, through the product's session wrapper. */
async function runWeb(bytes: Uint8Array, inputs: readonly FloatTensor[]): Promise<Float32Array[]> {
  const session = await ModelSession.create(bytes);
  try {
    const out: Float32Array[] = [];
    for (const x of inputs) out.push((await session.runFloat(x)).data);
    return out;
  } finally {
    await session.release();
  }
}

/** Every output (by name) of each feed set in onnxruntime-node. */
async function runNode(bytes: Uint8Array, feeds: readonly Record<string, FloatTensor>[]): Promise<Record<string, Float32Array>[]> {
  const session = await ortNode.InferenceSession.create(bytes);
  try {
    const out: Record<string, Float32Array>[] = [];
    for (const feed of feeds) {
      const tensors = Object.fromEntries(Object.entries(feed).map(([k, v]) => [k, new ortNode.Tensor('float32', v.data, v.dims)]));
      const result = await session.run(tensors);
      out.push(Object.fromEntries(Object.entries(result).map(([k, v]) => [k, v.data as Float32Array])));
    }
    return out;
  } finally {
    await session.release();
  }
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** DynamicQuantizeLinear as the ONNX spec defines it (range widened to include 0, uint8, round half to even). */
function emulateDql(x: Float32Array): { q: Uint8Array; scale: number; zp: number } {
  let lo = 0;
  let hi = 0;
  for (const v of x) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const { min: qmin, max: qmax } = QRANGE.uint8;
  const scale = Math.fround((hi - lo) / (qmax - qmin));
  const zp = Math.min(qmax, Math.max(qmin, roundHalfEven(qmin - lo / scale)));
  const q = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) q[i] = Math.min(qmax, Math.max(qmin, roundHalfEven(Math.fround(x[i]! / scale)) + zp));
  return { q, scale, zp };
}

/** What the rewritten MatMul computes for A [M, K] from the model's int8 weight, zero point and scale initializers. */
function emulateIntMatMul(a: Float32Array, m: number, model: ModelProto, weight: string): Float32Array {
  const init = (suffix: string): TensorProto => model.graph!.initializer.find((t) => t.name === `${DYNAMIC_INT8_PREFIX}${weight}_${suffix}`)!;
  const wq = readTensor(init('int8')) as Int8Array;
  const [k, n] = init('int8').dims.map(Number) as [number, number];
  const scales = floats(init('scale'));
  const { q, scale, zp } = emulateDql(a);
  const out = new Float32Array(m * n);
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < n; c++) {
      let acc = 0;
      for (let i = 0; i < k; i++) acc += (q[r * k + i]! - zp) * wq[i * n + c]!;
      out[r * n + c] = Math.fround(acc * Math.fround(scale * scales[scales.length === 1 ? 0 : c]!));
    }
  }
  return out;
}

function initializerNames(model: ModelProto): string[] {
  return model.graph!.initializer.map((t) => t.name);
}

function opCount(model: ModelProto, opType: string): number {
  return model.graph!.node.filter((n) => n.opType === opType).length;
}

// ---------------------------------------------------------------------------------------------------------
// Synthetic models.

const IN = 64;
const HIDDEN = 128;
const OUT = 32;
const BATCH = 8;

/**
 * x [batch, 64] -> MatMul W1 [64,128] (+b1) -> Relu -> MatMul W2 [128,32] (+b2) -> + MatMul(x, Ws [64,32]) -> y.
 * x feeds two MatMuls (one shared DynamicQuantizeLinear expected).
 */
function mlpModel(opts: { irVersion?: number; opset?: number; initializersAsInputs?: boolean; valueInfo?: boolean } = {}): ModelProto {
  const initializers = [
    weight('W1', [IN, HIDDEN], 101),
    weight('b1', [HIDDEN], 102, 0.1),
    weight('W2', [HIDDEN, OUT], 103),
    weight('b2', [OUT], 104, 0.1),
    weight('Ws', [IN, OUT], 105),
  ];
  const model = makeModel({
    nodes: [
      node('MatMul', ['x', 'W1'], ['h1'], {}, 'mm1'),
      node('Add', ['h1', 'b1'], ['h1b'], {}, 'add1'),
      node('Relu', ['h1b'], ['r1'], {}, 'relu1'),
      node('MatMul', ['r1', 'W2'], ['h2'], {}, 'mm2'),
      node('Add', ['h2', 'b2'], ['h2b'], {}, 'add2'),
      node('MatMul', ['x', 'Ws'], ['skip'], {}, 'mm_skip'),
      node('Add', ['h2b', 'skip'], ['y'], {}, 'add_out'),
    ],
    inputs: [valueInfo('x', DT.FLOAT, ['batch', IN]), ...(opts.initializersAsInputs === true ? initializers.map((t) => valueInfo(t.name, DT.FLOAT, t.dims.map(Number))) : [])],
    outputs: [valueInfo('y', DT.FLOAT, ['batch', OUT])],
    initializers,
    opset: opts.opset ?? 13,
    irVersion: opts.irVersion ?? 8,
  });
  if (opts.valueInfo === true) model.graph!.valueInfo.push(valueInfo('h1', DT.FLOAT, ['batch', HIDDEN]), valueInfo('W2', DT.FLOAT, [HIDDEN, OUT]));
  return model;
}

/** JS float reference of mlpModel with the int8 MatMuls emulated from the quantized model's initializers. */
function emulateMlp(q: ModelProto, src: ModelProto, x: Float32Array, m: number): Float32Array {
  const t = (name: string): Float32Array => floats(src.graph!.initializer.find((i) => i.name === name)!);
  const b1 = t('b1');
  const b2 = t('b2');
  const h1 = emulateIntMatMul(x, m, q, 'W1');
  const r1 = h1.map((v, i) => Math.max(0, Math.fround(v + b1[i % HIDDEN]!)));
  const h2 = emulateIntMatMul(r1, m, q, 'W2');
  const skip = emulateIntMatMul(x, m, q, 'Ws');
  return h2.map((v, i) => Math.fround(Math.fround(v + b2[i % OUT]!) + skip[i]!));
}

function mlpInputs(count: number): FloatTensor[] {
  return Array.from({ length: count }, (_, k) => ({ data: gaussian(BATCH * IN, 500 + k), dims: [BATCH, IN] }));
}

const GEMM_M = 6;
const GEMM_K = 48;
const GEMM_N = 24;

/**
 * a [M, 48]:
 *   y1 = Gemm(a, B1 [24,48], C1 [24], transB=1, alpha=0.5, beta=2)          -> quantized (C constant)
 *   y3 = Gemm(a, B3 [48,24], C=y1, beta=0.75)                               -> quantized (C at run time)
 *   y2 = Gemm(y1, Transpose(y1))                                            -> skipped: activation x activation
 *   y4 = Gemm(Transpose(a), B4 [48,8], transA=1)                            -> skipped: transA=1
 * Outputs y3 (first: what ModelSession reads), y1, y2, y4.
 */
function gemmModel(): ModelProto {
  const attrs = (a: Record<string, AttrValue>): Record<string, AttrValue> => a;
  return makeModel({
    nodes: [
      node('Gemm', ['a', 'B1', 'C1'], ['y1'], attrs({ transB: 1, alpha: { f: 0.5 }, beta: { f: 2 } }), 'gemm1'),
      node('Gemm', ['a', 'B3', 'y1'], ['y3'], attrs({ beta: { f: 0.75 } }), 'gemm3'),
      node('Transpose', ['y1'], ['y1t'], { perm: [1, 0] }, 'transpose_y1'),
      node('Gemm', ['y1', 'y1t'], ['y2'], {}, 'gemm_act'),
      node('Transpose', ['a'], ['at'], { perm: [1, 0] }, 'transpose_a'),
      node('Gemm', ['at', 'B4'], ['y4'], { transA: 1 }, 'gemm_transA'),
    ],
    inputs: [valueInfo('a', DT.FLOAT, ['m', GEMM_K])],
    outputs: [valueInfo('y3', DT.FLOAT, ['m', GEMM_N]), valueInfo('y1', DT.FLOAT, ['m', GEMM_N]), valueInfo('y2', DT.FLOAT, ['m', 'm']), valueInfo('y4', DT.FLOAT, ['m', 8])],
    initializers: [weight('B1', [GEMM_N, GEMM_K], 201, 1 / Math.sqrt(GEMM_K)), weight('C1', [GEMM_N], 202, 0.2), weight('B3', [GEMM_K, GEMM_N], 203), weight('B4', [GEMM_K, 8], 204)],
    opset: 11,
    irVersion: 6,
  });
}

// ---------------------------------------------------------------------------------------------------------

describe('quantizeDynamicInt8 on a 2-layer MLP', () => {
  const src = mlpModel();
  const srcBytes = encodeModel(src);
  const { model: q, report } = quantizeDynamicInt8(src);
  const qBytes = encodeModel(q);
  const inputs = mlpInputs(4);

  it('rewrites every constant-weight MatMul and shares the DynamicQuantizeLinear of a shared activation', () => {
    expect(report.quantizedNodes.map((n) => n.name)).toEqual(['mm1', 'mm2', 'mm_skip']);
    expect(report.skippedNodes).toEqual([]);
    expect(report.quantizedNodes[0]).toMatchObject({ opType: 'MatMul', weight: 'W1', dims: [IN, HIDDEN] });
    // Per-column int8 of a Gaussian weight: ~40 dB or better.
    for (const n of report.quantizedNodes) expect(n.weightSqnrDb).toBeGreaterThan(38);
    expect(opCount(q, 'DynamicQuantizeLinear')).toBe(2); // x (mm1 + mm_skip) and r1
    expect(opCount(q, 'MatMulInteger')).toBe(3);
    expect(opCount(q, 'MatMul')).toBe(0);
    const dqlOfX = q.graph!.node.filter((n) => n.opType === 'DynamicQuantizeLinear' && n.input[0] === 'x');
    expect(dqlOfX).toHaveLength(1);
    expect(q.graph!.node.filter((n) => n.opType === 'MatMulInteger' && n.input[0] === dqlOfX[0]!.output[0])).toHaveLength(2);
  });

  it('writes int8 [K,N] weights with per-column scales and zero points, removes the float weights, keeps everything else', () => {
    const names = initializerNames(q);
    for (const w of ['W1', 'W2', 'Ws']) expect(names).not.toContain(w);
    expect(names).toEqual(expect.arrayContaining(['b1', 'b2']));
    const w1 = q.graph!.initializer.find((t) => t.name === 'qb_dq_W1_int8')!;
    expect(w1.dataType).toBe(DT.INT8);
    expect(w1.dims.map(Number)).toEqual([IN, HIDDEN]);
    const zp = q.graph!.initializer.find((t) => t.name === 'qb_dq_W1_zero_point')!;
    expect([zp.dataType, zp.dims.map(Number), [...(readTensor(zp) as Int8Array)].every((v) => v === 0)]).toEqual([DT.INT8, [HIDDEN], true]);
    expect(q.graph!.initializer.find((t) => t.name === 'qb_dq_W1_scale')!.dims.map(Number)).toEqual([HIDDEN]);
    // Every added name carries the prefix; graph I/O, opset and IR version are unchanged.
    const before = new Set([...src.graph!.node.flatMap((n) => [n.name, ...n.output]), ...initializerNames(src)]);
    const added = [...q.graph!.node.flatMap((n) => [n.name, ...n.output]), ...names].filter((n) => !before.has(n));
    expect(added.length).toBeGreaterThan(10);
    for (const n of added) expect(n.startsWith(DYNAMIC_INT8_PREFIX)).toBe(true);
    expect(new Set(added).size).toBe(added.length);
    expect(q.graph!.input).toEqual(src.graph!.input);
    expect(q.graph!.output).toEqual(src.graph!.output);
    expect(q.opsetImport).toEqual(src.opsetImport);
    expect(q.irVersion).toBe(src.irVersion);
    expect(report.sizeAfterBytes).toBe(qBytes.byteLength);
    expect(report.sizeBeforeBytes).toBe(srcBytes.byteLength);
    // 4 bytes -> 1 byte per weight: the model shrinks to about 30%.
    expect(report.sizeAfterBytes / report.sizeBeforeBytes).toBeLessThan(0.32);
  });

  it('leaves the input model untouched', () => {
    expect(encodeModel(src)).toEqual(srcBytes);
    expect(encodeModel(mlpModel())).toEqual(srcBytes);
  });

  it.skipIf(checkerPython === undefined)('passes onnx.checker (full check)', () => {
    expect(check('mlp-int8.onnx', q)).toBe('');
  });

  it('runs in onnxruntime-web and onnxruntime-node within int8 error of FP32 and matches the integer maths', async () => {
    const fp = await runWeb(srcBytes, inputs);
    const web = await runWeb(qBytes, inputs);
    const node = (await runNode(qBytes, inputs.map((x) => ({ x })))).map((o) => o.y!);
    const emulated = inputs.map((x) => emulateMlp(q, src, x.data, BATCH));
    const sqnrWeb = sqnrDb(concat(fp), concat(web));
    const sqnrNode = sqnrDb(concat(fp), concat(node));
    console.log(`[dynamic-int8] MLP output SQNR vs FP32: web ${sqnrWeb.toFixed(1)} dB, node ${sqnrNode.toFixed(1)} dB`);
    // Two int8 layers (weights ~40 dB, uint8 activations per tensor ~35-40 dB): 30 dB leaves margin for the noise
    // of two quantized layers adding up.
    expect(sqnrWeb).toBeGreaterThan(30);
    expect(sqnrNode).toBeGreaterThan(30);
    // Both runtimes compute the same integer graph; the JS emulation agrees up to float32 rounding (an off-by-one
    // activation code where x/scale lands on .5 would move an output by ~scale_a*scale_w*|w|, far below 1e-3).
    const scale = maxAbs(concat(fp));
    expect(maxAbsDiff(concat(web), concat(node)) / scale).toBeLessThan(1e-5);
    expect(maxAbsDiff(concat(web), concat(emulated)) / scale).toBeLessThan(1e-3);
  });
});

describe('quantizeDynamicInt8 on Gemm', () => {
  const src = gemmModel();
  const { model: q, report } = quantizeDynamicInt8(src);
  const qBytes = encodeModel(q);

  it('rewrites transB=1 with alpha, beta and a constant or run-time C; skips activation x activation and transA=1', () => {
    expect(report.quantizedNodes.map((n) => [n.name, n.weight, n.dims])).toEqual([
      ['gemm1', 'B1', [GEMM_N, GEMM_K]],
      ['gemm3', 'B3', [GEMM_K, GEMM_N]],
    ]);
    expect(report.skippedNodes.map((n) => n.name)).toEqual(['gemm_act', 'gemm_transA']);
    expect(report.skippedNodes[0]!.reason).toMatch(/activation x activation/);
    expect(report.skippedNodes[1]!.reason).toMatch(/transA=1/);
    // B1 [N,K] was transposed offline to [K,N]; alpha 0.5 sits in its scales.
    const b1 = q.graph!.initializer.find((t) => t.name === 'qb_dq_B1_int8')!;
    expect(b1.dims.map(Number)).toEqual([GEMM_K, GEMM_N]);
    expect(initializerNames(q)).not.toContain('C1'); // replaced by beta * C1
    expect(initializerNames(q)).not.toContain('B1');
    expect(initializerNames(q)).toContain('B4'); // the skipped Gemm still reads it
    expect(opCount(q, 'Gemm')).toBe(2);
    expect(opCount(q, 'DynamicQuantizeLinear')).toBe(1);
  });

  it.skipIf(checkerPython === undefined)('passes onnx.checker (full check)', () => {
    expect(check('gemm-int8.onnx', q)).toBe('');
  });

  it('runs in onnxruntime-web and onnxruntime-node within int8 error of FP32', async () => {
    const inputs = [0, 1, 2].map((k) => ({ data: gaussian(GEMM_M * GEMM_K, 300 + k), dims: [GEMM_M, GEMM_K] }));
    const fpBytes = encodeModel(src);
    const fpWeb = await runWeb(fpBytes, inputs);
    const qWeb = await runWeb(qBytes, inputs);
    const fpNode = await runNode(fpBytes, inputs.map((a) => ({ a })));
    const qNode = await runNode(qBytes, inputs.map((a) => ({ a })));
    const sqnr: Record<string, number> = { 'web y3': sqnrDb(concat(fpWeb), concat(qWeb)) };
    for (const out of ['y1', 'y2', 'y3', 'y4']) sqnr[`node ${out}`] = sqnrDb(concat(fpNode.map((o) => o[out]!)), concat(qNode.map((o) => o[out]!)));
    console.log(`[dynamic-int8] Gemm output SQNR vs FP32 (dB): ${Object.entries(sqnr).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);
    // The float reference itself: gemm1 = 0.5 * a B1^T + 2 C1, checked in JS so alpha/beta/transB are right in FP32 too.
    const a = inputs[0]!.data;
    const [B1, C1] = ['B1', 'C1'].map((n) => floats(src.graph!.initializer.find((t) => t.name === n)!)) as [Float32Array, Float32Array];
    let ref00 = 2 * C1[0]!;
    for (let k = 0; k < GEMM_K; k++) ref00 += 0.5 * a[k]! * B1[k]!;
    expect(fpNode[0]!.y1![0]).toBeCloseTo(ref00, 4);
    expect(sqnr['web y3']).toBeGreaterThan(30);
    for (const out of ['y1', 'y2', 'y3']) expect(sqnr[`node ${out}`]).toBeGreaterThan(30);
    expect(sqnr['node y4']).toBe(Infinity); // untouched float Gemm
    expect(maxAbsDiff(concat(qWeb), concat(qNode.map((o) => o.y3!)))).toBeLessThan(1e-5 * maxAbs(concat(fpWeb)));
  });
});

describe('quantizeDynamicInt8 options and graph hygiene', () => {
  it('excludeNodes, excludeOpTypes and minWeightElements leave nodes in float with a reason', () => {
    const src = mlpModel();
    const byName = quantizeDynamicInt8(src, { excludeNodes: ['mm2'] });
    expect(byName.report.quantizedNodes.map((n) => n.name)).toEqual(['mm1', 'mm_skip']);
    expect(byName.report.skippedNodes).toEqual([{ name: 'mm2', opType: 'MatMul', reason: 'excluded by name' }]);
    expect(initializerNames(byName.model)).toContain('W2');

    const byOp = quantizeDynamicInt8(src, { excludeOpTypes: ['MatMul'] });
    expect(byOp.report.quantizedNodes).toEqual([]);
    expect(byOp.report.skippedNodes.map((n) => n.reason)).toEqual(Array(3).fill('excluded by op type (MatMul)'));
    expect(encodeModel(byOp.model)).toEqual(encodeModel(src));

    const bySize = quantizeDynamicInt8(src, { minWeightElements: IN * OUT + 1 });
    expect(bySize.report.quantizedNodes.map((n) => n.name)).toEqual(['mm1', 'mm2']);
    expect(bySize.report.skippedNodes[0]).toMatchObject({ name: 'mm_skip', reason: `its weight has ${IN * OUT} elements, fewer than the minimum of ${IN * OUT + 1}` });
  });

  it('perChannel: false writes one scale and a scalar zero point per weight and still runs within int8 error', async () => {
    const src = mlpModel();
    const { model: q, report } = quantizeDynamicInt8(src, { perChannel: false });
    const scale = q.graph!.initializer.find((t) => t.name === 'qb_dq_W1_scale')!;
    const zp = q.graph!.initializer.find((t) => t.name === 'qb_dq_W1_zero_point')!;
    expect([scale.dims.length, zp.dims.length]).toEqual([0, 0]);
    for (const n of report.quantizedNodes) expect(n.weightSqnrDb).toBeGreaterThan(33);
    const inputs = mlpInputs(2);
    const fp = concat(await runWeb(encodeModel(src), inputs));
    const web = concat(await runWeb(encodeModel(q), inputs));
    expect(sqnrDb(fp, web)).toBeGreaterThan(28);
    expect(maxAbsDiff(web, concat(inputs.map((x) => emulateMlp(q, src, x.data, BATCH)))) / maxAbs(fp)).toBeLessThan(1e-3);
    if (checkerPython !== undefined) expect(check('mlp-int8-per-tensor.onnx', q)).toBe('');
  });

  it('IR 3 (initializers listed as graph inputs): removes the float weights from the inputs and declares the new ones', async () => {
    const src = mlpModel({ irVersion: 3, opset: 11, initializersAsInputs: true });
    const { model: q } = quantizeDynamicInt8(src);
    const inputs = q.graph!.input.map((i) => i.name);
    for (const w of ['W1', 'W2', 'Ws']) expect(inputs).not.toContain(w);
    expect(new Set(inputs)).toEqual(new Set(initializerNames(q).concat('x')));
    expect(realInputs(q.graph!).map((i) => i.name)).toEqual(['x']);
    if (checkerPython !== undefined) expect(check('mlp-ir3-int8.onnx', q)).toBe('');
    const x = mlpInputs(1);
    expect(sqnrDb(concat(await runWeb(encodeModel(src), x)), concat(await runWeb(encodeModel(q), x)))).toBeGreaterThan(30);
  });

  it('removes value_info of deleted weights and keeps the rest', () => {
    const { model: q } = quantizeDynamicInt8(mlpModel({ valueInfo: true }));
    expect(q.graph!.valueInfo.map((v) => v.name)).toEqual(['h1']);
    expect(describeType(q.graph!.valueInfo[0]!.type)).toEqual({ dtype: 'float32', shape: ['batch', HIDDEN] });
    if (checkerPython !== undefined) expect(check('mlp-vi-int8.onnx', q)).toBe('');
  });

  it('quantizes a weight shared by two MatMuls once, reads Constant-node weights, and avoids name clashes', async () => {
    const w = weight('W', [16, 16], 7);
    const constW = node('Constant', [], ['Wc'], { value: { t: weight('unused', [16, 8], 8) } }, 'const_w');
    const src = makeModel({
      nodes: [
        constW,
        node('MatMul', ['x', 'W'], ['h'], {}, 'first'),
        node('MatMul', ['h', 'W'], ['h2'], {}, 'second'),
        node('MatMul', ['h2', 'Wc'], ['y'], {}, ''),
        // Occupies the name the rewrite would pick first for W's int8 tensor.
        node('Identity', ['x'], ['qb_dq_W_int8'], {}, 'clash'),
      ],
      inputs: [valueInfo('x', DT.FLOAT, [4, 16])],
      outputs: [valueInfo('y', DT.FLOAT, [4, 8]), valueInfo('qb_dq_W_int8', DT.FLOAT, [4, 16])],
      initializers: [w],
    });
    const { model: q, report } = quantizeDynamicInt8(src);
    expect(report.quantizedNodes.map((n) => [n.name, n.weight])).toEqual([['first', 'W'], ['second', 'W'], ['y', 'Wc']]);
    expect(q.graph!.initializer.filter((t) => t.dataType === DT.INT8 && t.dims.length === 2).map((t) => t.name)).toEqual(['qb_dq_W_int8_1', 'qb_dq_Wc_int8']);
    expect(q.graph!.node.some((n: NodeProto) => n.opType === 'Constant')).toBe(false);
    expect(initializerNames(q)).not.toContain('W');
    if (checkerPython !== undefined) expect(check('shared-int8.onnx', q)).toBe('');
    const x = [{ data: gaussian(64, 9), dims: [4, 16] }];
    expect(sqnrDb(concat(await runWeb(encodeModel(src), x)), concat(await runWeb(encodeModel(q), x)))).toBeGreaterThan(30);
  });

  it('keeps a float weight that an If body still reads, and reports the MatMul inside the body as skipped', () => {
    const body = (name: string): GraphProto | undefined =>
      makeModel({ nodes: [node('MatMul', ['x', 'W'], [`${name}_out`], {}, `${name}_mm`)], inputs: [], outputs: [valueInfo(`${name}_out`, DT.FLOAT, [2, 8])] }).graph;
    const src = makeModel({
      nodes: [
        node('MatMul', ['x', 'W'], ['h'], {}, 'main_mm'),
        node('If', ['cond'], ['branch'], {}, 'if'),
        node('Add', ['h', 'branch'], ['y'], {}, 'add'),
      ],
      inputs: [valueInfo('x', DT.FLOAT, [2, 8]), valueInfo('cond', DT.BOOL, [])],
      outputs: [valueInfo('y', DT.FLOAT, [2, 8])],
      initializers: [weight('W', [8, 8], 12)],
    });
    src.graph!.node[1]!.attribute = ['then', 'else'].map((b) => create(AttributeProtoSchema, { name: `${b}_branch`, type: AttributeProto_AttributeType.GRAPH, g: body(b) }));
    const { model: q, report } = quantizeDynamicInt8(src);
    expect(report.quantizedNodes.map((n) => n.name)).toEqual(['main_mm']);
    expect(report.skippedNodes.map((n) => [n.name, n.reason])).toEqual([
      ['then_mm', 'inside the body of If "if"; only the main graph is rewritten'],
      ['else_mm', 'inside the body of If "if"; only the main graph is rewritten'],
    ]);
    expect(initializerNames(q)).toContain('W');
    if (checkerPython !== undefined) expect(check('if-int8.onnx', q)).toBe('');
  });
});

describe('quantizeDynamicInt8 errors', () => {
  const expectUnsupported = (fn: () => unknown, message: RegExp): void => {
    let err: unknown;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(isQbError(err) && err.code === 'unsupported').toBe(true);
    expect((err as Error).message).toMatch(message);
  };

  it('refuses opset < 11 (DynamicQuantizeLinear needs 11)', () => {
    expectUnsupported(() => quantizeDynamicInt8(mlpModel({ opset: 10 })), /opset 10.*opset 11/);
  });

  it('refuses a model without a constant-weight MatMul/Gemm', () => {
    const actOnly = makeModel({
      nodes: [node('MatMul', ['a', 'b'], ['y'], {}, 'mm')],
      inputs: [valueInfo('a', DT.FLOAT, [2, 3]), valueInfo('b', DT.FLOAT, [3, 4])],
      outputs: [valueInfo('y', DT.FLOAT, [2, 4])],
    });
    expectUnsupported(() => quantizeDynamicInt8(actOnly), /None of the model's 1 MatMul\/Gemm/);
    const noMatMul = makeModel({ nodes: [node('Relu', ['a'], ['y'])], inputs: [valueInfo('a', DT.FLOAT, [2])], outputs: [valueInfo('y', DT.FLOAT, [2])] });
    expectUnsupported(() => quantizeDynamicInt8(noMatMul), /no MatMul or Gemm/);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Silero VAD mini: a real (pretrained) transformer encoder.

const SR = 16000;

/** A named test waveform. */
interface Wave {
  name: string;
  data: Float32Array;
}

function tone(n: number, f: number, amp: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * f * i) / SR));
}

/** Linear chirp f0 -> f1 over the clip. */
function chirp(n: number, f0: number, f1: number, amp: number): Float32Array {
  const dur = n / SR;
  return Float32Array.from({ length: n }, (_, i) => {
    const t = i / SR;
    return amp * Math.sin(2 * Math.PI * (f0 * t + ((f1 - f0) * t * t) / (2 * dur)));
  });
}

function noise(n: number, amp: number, seed: number): Float32Array {
  const rng = makeRng(seed);
  return Float32Array.from({ length: n }, () => amp * (2 * rng() - 1));
}

/** Formants (Hz) of a few vowels: /a/, /i/, /u/, /e/. */
const VOWELS = [
  [730, 1090, 2440],
  [270, 2290, 3010],
  [300, 870, 2240],
  [530, 1840, 2480],
];

/**
 * Voiced speech-like signal: a harmonic series on a pitch f0 (with 5% vibrato at 5 Hz) up to 4 kHz, each harmonic
 * weighted by formant resonances of a vowel that changes every syllable and by a 1/h spectral tilt, under a 4 Hz
 * syllable envelope that falls to zero between syllables; normalised to peak `amp`, plus a white-noise floor of
 * `floor` x amp (a recording's background). Silero needs that floor: with digital silence between syllables the
 * same signal scores < 0.05 (measured), with a 1% floor 0.6-0.9.
 */
function speechLike(n: number, f0: number, amp: number, seed: number, floor = 0.01): Float32Array {
  const rng = makeRng(seed);
  const vowelOrder = Array.from({ length: 8 }, () => Math.floor(rng() * VOWELS.length));
  const out = new Float32Array(n);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / SR;
    const f = f0 * (1 + 0.05 * Math.sin(2 * Math.PI * 5 * t));
    phase += (2 * Math.PI * f) / SR;
    const formants = VOWELS[vowelOrder[Math.floor(t * 4) % vowelOrder.length]!]!;
    let s = 0;
    for (let h = 1; h * f < 4000; h++) {
      const fh = h * f;
      let g = 0;
      for (const [k, F] of formants.entries()) g += 1 / (1 + ((fh - F) / (60 + 40 * k)) ** 2);
      s += (g / h) * Math.sin(h * phase);
    }
    out[i] = s * Math.sin(Math.PI * ((t * 4) % 1)) ** 2;
  }
  const peak = maxAbs(out);
  return add(
    out.map((v) => (v / peak) * amp),
    noise(n, floor * amp, seed + 1000),
  );
}

function add(a: Float32Array, b: Float32Array): Float32Array {
  return a.map((v, i) => v + b[i]!);
}

/** 18 deterministic waveforms, 1536..8000 samples: silence, noise, tones, chirps and voiced speech-like signals. */
function testWaves(): Wave[] {
  return [
    { name: 'silence 1536', data: new Float32Array(1536) },
    { name: 'white noise 0.003', data: noise(4000, 0.003, 1) },
    { name: 'white noise 0.05', data: noise(6000, 0.05, 2) },
    { name: 'white noise 0.5', data: noise(8000, 0.5, 3) },
    { name: 'tone 150 Hz 0.1', data: tone(1536, 150, 0.1) },
    { name: 'tone 440 Hz 0.3', data: tone(3000, 440, 0.3) },
    { name: 'tone 1 kHz 0.8', data: tone(8000, 1000, 0.8) },
    { name: 'chirp 100-4000 Hz', data: chirp(6000, 100, 4000, 0.5) },
    { name: 'chirp 3000-200 Hz', data: chirp(8000, 3000, 200, 0.3) },
    { name: 'speech f0 110', data: speechLike(8000, 110, 0.5, 11) },
    { name: 'speech f0 150', data: speechLike(3000, 150, 0.3, 12) },
    { name: 'speech f0 200', data: speechLike(8000, 200, 0.6, 13) },
    { name: 'speech f0 200 short', data: speechLike(1536, 200, 0.4, 14) },
    { name: 'speech f0 250', data: speechLike(4800, 250, 0.5, 15) },
    { name: 'speech f0 120 quiet', data: speechLike(8000, 120, 0.05, 16) },
    { name: 'speech f0 180 noisy', data: speechLike(8000, 180, 0.4, 17, 0.05) },
    { name: 'speech f0 140 noisier', data: speechLike(6400, 140, 0.4, 18, 0.1) },
    { name: 'speech f0 220 clean', data: speechLike(8000, 220, 0.5, 19, 0) },
  ];
}

describe.skipIf(!hasSharedData())('dynamic INT8 on silero VAD (real transformer)', () => {
  const path = sharedPath('models', 'silero-vad-mini-transformer.onnx');
  const srcBytes = new Uint8Array(readFileSync(path));
  const src = decodeModel(srcBytes);
  const { model: q, report } = quantizeDynamicInt8(src);
  const qBytes = encodeModel(q);

  it('quantizes the 16 projection MatMuls and skips the 8 attention MatMuls (activation x activation)', () => {
    expect(report.quantizedNodes).toHaveLength(16);
    expect(report.skippedNodes).toHaveLength(8);
    for (const s of report.skippedNodes) expect(s.reason).toMatch(/activation x activation/);
    const minSqnr = Math.min(...report.quantizedNodes.map((n) => n.weightSqnrDb));
    expect(minSqnr).toBeGreaterThan(40);
    // Only the 24,576 MatMul weights (24% of the parameters) shrink; the Conv front end stays float.
    expect(report.sizeAfterBytes).toBeLessThan(report.sizeBeforeBytes - 50_000);
    console.log(
      `[dynamic-int8] silero: ${report.quantizedNodes.length} MatMuls quantized, ${report.skippedNodes.length} skipped ` +
        `(activation x activation); weight SQNR >= ${minSqnr.toFixed(1)} dB; size ${report.sizeBeforeBytes} -> ${report.sizeAfterBytes} bytes`,
    );
  });

  it.skipIf(checkerPython === undefined)('passes onnx.checker (full check) at its opset 11', () => {
    expect(q.opsetImport.find((o) => o.domain === '')?.version).toBe(11n);
    expect(check('silero-int8.onnx', q)).toBe('');
  });

  it('keeps speech probabilities within 0.05 and every confident decision, in onnxruntime-web and onnxruntime-node', async () => {
    const inputs = realInputs(src.graph!);
    expect(inputs.map((i) => i.name)).toEqual(['input']); // the mini model has no recurrent state input
    const waves = testWaves();
    const feeds = waves.map((w) => ({ data: w.data, dims: [1, w.data.length] }));
    const speech = (outs: Float32Array[]): number[] => outs.map((o) => o[1]!);
    const fp = speech(await runWeb(srcBytes, feeds));
    const web = speech(await runWeb(qBytes, feeds));
    const fpNode = speech((await runNode(srcBytes, feeds.map((input) => ({ input })))).map((o) => o.output!));
    const node = speech((await runNode(qBytes, feeds.map((input) => ({ input })))).map((o) => o.output!));

    const rows = waves.map((w, i) => `  ${w.name.padEnd(22)} fp32 ${fp[i]!.toFixed(4)}  int8 web ${web[i]!.toFixed(4)}  int8 node ${node[i]!.toFixed(4)}`);
    const dWeb = fp.map((p, i) => Math.abs(p - web[i]!));
    const dNode = fpNode.map((p, i) => Math.abs(p - node[i]!));
    const agree = (a: number[], b: number[]): number => a.filter((p, i) => p >= 0.5 === b[i]! >= 0.5).length;
    console.log(
      `[dynamic-int8] silero speech probability, FP32 vs dynamic INT8:\n${rows.join('\n')}\n` +
        `  max |dp| web ${Math.max(...dWeb).toFixed(4)}, node ${Math.max(...dNode).toFixed(4)}; ` +
        `decisions (p >= 0.5) agree web ${agree(fp, web)}/${fp.length}, node ${agree(fpNode, node)}/${fp.length}`,
    );

    // The set must exercise both decisions, or agreement would mean little.
    expect(fp.some((p) => p > 0.6) && fp.some((p) => p < 0.4)).toBe(true);
    // TOLERANCE, from the measured table (onnxruntime-web 1.30 / onnxruntime-node 1.30): max |dp| is 0.014 (the
    // noisiest speech clip, p 0.46 -> 0.45), under 0.01 everywhere else, identical decisions 18/18 in both
    // runtimes. We allow max |dp| <= 0.05 — about 3.5x the measured worst case, so a runtime or kernel change does
    // not trip it, yet a tenth of the distance to a VAD's 0.5 threshold from a confident 0.4/0.6 — and no decision
    // flip where FP32 is confident (outside [0.4, 0.6]); inside that band a 0.05 move may legitimately cross 0.5.
    for (const d of [dWeb, dNode]) expect(Math.max(...d)).toBeLessThanOrEqual(0.05);
    for (const [ref, test] of [[fp, web], [fpNode, node]] as const) {
      ref.forEach((p, i) => {
        if (p < 0.4 || p > 0.6) expect(test[i]! >= 0.5).toBe(p >= 0.5);
      });
    }
    // FP32 in the two runtimes differs by 4e-4 at most (different float kernels), far below the INT8 effect, so
    // both comparisons measure quantization, not the runtime.
    expect(maxAbsDiff(fp, fpNode)).toBeLessThan(2e-3);
  });
});

describe.skipIf(!hasSharedData())('looksTransformerLike', () => {
  const load = (name: string): ModelProto => decodeModel(new Uint8Array(readFileSync(sharedPath('models', name))));

  it('is true for silero VAD (attention + written-out LayerNorm) and false for CNNs', () => {
    expect(looksTransformerLike(load('silero-vad-mini-transformer.onnx'))).toBe(true);
    expect(looksTransformerLike(load('resnet20-cifar10-ace.onnx'))).toBe(false);
    expect(looksTransformerLike(load('squeezenet1.1-7-fp32-upcast.onnx'))).toBe(false);
  });
});

describe('looksTransformerLike on synthetic graphs', () => {
  it('needs the structure (attention or LayerNorm), not just MatMul weights', () => {
    expect(looksTransformerLike(mlpModel())).toBe(false);
    const withNorm = mlpModel();
    withNorm.graph!.node.push(node('ReduceMean', ['y'], ['mean'], { axes: [-1] }), node('Sub', ['y', 'mean'], ['centered']));
    expect(looksTransformerLike(withNorm)).toBe(true);
    const withAttention = mlpModel();
    withAttention.graph!.node.push(node('Softmax', ['y'], ['p']), node('Transpose', ['p'], ['pt']), node('MatMul', ['pt', 'y'], ['ctx']));
    expect(looksTransformerLike(withAttention)).toBe(true);
  });
});
