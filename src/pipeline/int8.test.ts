// makeInt8Variant end to end in onnxruntime-web: the static report on the synthetic CNN, warnings, refusals,
// cancellation, progress order, dynamic mode on a small MLP, and ResNet20 (shared data) on random inputs.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { inputs, syntheticCnn, uniform, weight } from '../../test/int8-synthetic';
import { hasSharedData, sharedPath } from '../../test/shared-data';
import { makeModel, node, valueInfo } from '../onnx/build';
import { DataType } from '../onnx/dtypes';
import { decodeModel, encodeModel } from '../onnx/model-io';
import { makeTensor } from '../onnx/tensor-data';
import { loadOrt } from '../runtime/ort';
import { ModelSession, type FloatTensor } from '../runtime/session';
import { QbError } from '../shared/errors';
import type { OutputsRunner } from './calibrate';
import { CHECK_INPUTS, DEFAULT_METHOD, FEW_CALIBRATION_IMAGES, makeInt8Variant, type Int8Progress, type Int8Request } from './int8';

const hasData = hasSharedData();

beforeAll(async () => {
  await loadOrt(1);
});

const CNN = encodeModel(syntheticCnn());
const CALIB = inputs(20, 100);
const VALID = inputs(4, 9000);

/** ModelSession factory that counts sessions made and released. */
function sessions(): { makeRunner: Int8Request['makeRunner']; made: number; released: number } {
  const state = {
    made: 0,
    released: 0,
    makeRunner: async (bytes: Uint8Array, externalData?: { path: string; data: Uint8Array }[]): Promise<OutputsRunner> => {
      const s = await ModelSession.create(bytes, externalData);
      state.made++;
      return {
        runFloat: (x) => s.runFloat(x),
        runOutputs: (x) => s.runOutputs(x),
        release: async () => {
          state.released++;
          await s.release();
        },
      };
    },
  };
  return state;
}

async function rejection(p: Promise<unknown>): Promise<QbError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(QbError);
    return err as QbError;
  }
  throw new Error('expected a rejection');
}

describe('makeInt8Variant: static INT8 on the synthetic CNN', () => {
  let result: Awaited<ReturnType<typeof makeInt8Variant>>;
  const progress: Int8Progress[] = [];
  const runners = sessions();
  beforeAll(async () => {
    result = await makeInt8Variant({
      bytes: CNN,
      calibration: { inputs: CALIB, total: CALIB.length },
      validation: VALID,
      makeRunner: runners.makeRunner,
      onProgress: (p) => progress.push(p),
    });
  });

  it('fills the report', () => {
    const r = result.report;
    expect(r.mode).toBe('static');
    expect(r.preset).toBe('performance');
    expect(r.modelType).toBe('cnn');
    expect(r.method).toBe(DEFAULT_METHOD);
    expect(r.perChannel).toBe(true);
    expect(r.opsetUpgrade).toBeNull();
    expect(r.dynamic).toBeNull();
    expect(r.calibration).toMatchObject({ images: 20, available: 20 });
    expect(r.calibration!.imagesPerSecond).toBeGreaterThan(0);
    expect(r.calibration!.elapsedMs).toBeGreaterThanOrEqual(r.calibration!.runMs);
    expect(r.calibration!.bytesHeld).toBeGreaterThan(0);
    expect(r.quantizedNodes.map((n) => n.name)).toEqual(['conv1', 'relu1', 'pool', 'conv2', 'conv3', 'add', 'relu2', 'gap', 'reshape', 'gemm']);
    expect(r.skippedNodes).toEqual([]);
    expect(r.floatOps).toEqual({ Shape: 1, Gather: 1, Concat: 1 });
    expect(r.tensors.filter((t) => t.kind === 'activation').map((t) => t.tensor)).toEqual(['input', 'r1', 'p1', 'c2', 'c3', 'r2', 'g', 'flat']);
    expect(r.tensors.filter((t) => t.kind === 'weight')).toHaveLength(4);
    expect(r.tensors.filter((t) => t.kind === 'bias')).toHaveLength(4);
    expect(r.sizeBeforeBytes).toBe(CNN.length);
    expect(r.sizeAfterBytes).toBe(result.bytes.length);
    expect(r.sizeAfterBytes).toBeGreaterThan(0);
  });

  it('reports per-layer errors with finite local SQNR for every quantized activation', () => {
    const layers = result.report.layers;
    expect(layers.map((l) => l.tensor)).toEqual(['input', 'r1', 'p1', 'c2', 'c3', 'r2', 'g', 'flat']);
    for (const l of layers) {
      expect(Number.isFinite(l.localSqnrDb), l.tensor).toBe(true);
      expect(l.localSqnrDb, l.tensor).toBeGreaterThan(20);
      expect(l.cumulativeSqnrDb, l.tensor).toBeGreaterThan(20);
      expect(l.clippedShare).toBeGreaterThanOrEqual(0);
      expect(l.clippedShare).toBeLessThan(0.05);
    }
    expect(layers.find((l) => l.tensor === 'input')!.producer).toBe('input');
    expect(layers.find((l) => l.tensor === 'input')!.cumulativeSqnrDb).toBe(Infinity);
    expect(layers.find((l) => l.tensor === 'p1')!.producer).toBe('MaxPool');
  });

  it('checks the INT8 model on the held-out inputs', () => {
    const c = result.report.check;
    expect(c.inputs).toBe(VALID.length);
    expect(c.heldOut).toBe(true);
    expect(c.sqnrDb).toBeGreaterThanOrEqual(30);
    expect(c.top1Agreement).toBeGreaterThanOrEqual(0.75);
    expect(c.maxAbsDiff).toBeGreaterThan(0);
    // The written model is a QDQ model at opset 13 with the same input and output.
    const m = decodeModel(result.bytes);
    expect(m.graph!.node.some((n) => n.opType === 'QuantizeLinear')).toBe(true);
    expect(m.graph!.input.map((i) => i.name)).toEqual(['input']);
    expect(m.graph!.output.map((o) => o.name)).toEqual(['output']);
  });

  it('warns about fewer than 50 calibration images', () => {
    expect(FEW_CALIBRATION_IMAGES).toBe(50);
    expect(result.report.warnings.some((w) => w.includes('Calibrated on only 20 images'))).toBe(true);
    expect(result.report.warnings.some((w) => w.includes('reused calibration images'))).toBe(false);
  });

  it('sends progress in order: prepare -> calibrate -> quantize -> validate -> layer-report', () => {
    const stages = progress.map((p) => p.stage).filter((s, i, a) => i === 0 || a[i - 1] !== s);
    // Optional stages (bias correction) may come between calibrate and quantize, and the collapse guard's
    // measurement between quantize and validate; the main ones keep this order.
    const main = ['prepare', 'calibrate', 'quantize', 'validate', 'layer-report'];
    expect(stages.filter((s) => main.includes(s))).toEqual(main);
    type Stage = Int8Progress['stage'];
    const between = (s: Stage, a: Stage, b: Stage): boolean => stages.indexOf(s) > stages.indexOf(a) && stages.indexOf(s) < stages.indexOf(b);
    expect(stages.every((s) => main.includes(s) || (s === 'bias-correction' && between(s, 'calibrate', 'quantize')) || (s.startsWith('accuracy') && between(s, 'quantize', 'validate')))).toBe(true);
    expect(stages).toContain('accuracy-baseline'); // the guard measured the model (and found it fine: no search)
    expect(stages).not.toContain('sensitivity');
    const counted = (stage: Int8Progress['stage']): [number, number][] => progress.flatMap((p) => (p.stage === stage && 'done' in p ? [[p.done, p.total] as [number, number]] : []));
    expect(counted('calibrate')).toEqual(CALIB.map((_, i) => [i + 1, CALIB.length]));
    // 0 when the check starts (loading FP32 is part of it), then one per run.
    expect(counted('validate')).toEqual(Array.from({ length: 2 * VALID.length + 1 }, (_, i) => [i, 2 * VALID.length]));
    expect(counted('layer-report')).toEqual(VALID.map((_, i) => [i + 1, VALID.length]));
  });

  it('releases every runtime session it made', () => {
    expect(runners.made).toBeGreaterThanOrEqual(4);
    expect(runners.released).toBe(runners.made);
  });
});

describe('makeInt8Variant: warnings and refusals', () => {
  it('without validation inputs, checks on calibration inputs and says so', async () => {
    const r = await makeInt8Variant({ bytes: CNN, calibration: { inputs: CALIB.slice(0, 10), total: 10 }, makeRunner: (b, e) => ModelSession.create(b, e) });
    expect(r.report.check.heldOut).toBe(false);
    expect(r.report.check.inputs).toBe(Math.min(CHECK_INPUTS, 10));
    expect(r.report.warnings.some((w) => w.includes('reused calibration images'))).toBe(true);
    expect(r.report.warnings.some((w) => w.includes('Calibrated on only 10 images'))).toBe(true);
  });

  it('refuses an already quantized model (its own output)', async () => {
    const first = await makeInt8Variant({ bytes: CNN, calibration: { inputs: CALIB.slice(0, 4), total: 4 }, validation: VALID.slice(0, 1), makeRunner: (b, e) => ModelSession.create(b, e) });
    const err = await rejection(makeInt8Variant({ bytes: first.bytes, calibration: { inputs: CALIB, total: CALIB.length }, makeRunner: (b, e) => ModelSession.create(b, e) }));
    expect(err.code).toBe('unsupported');
    expect(err.message).toMatch(/already quantized/);
  });

  it('refuses static mode without calibration inputs, in plain words', async () => {
    const message = 'Static INT8 needs calibration images: add a dataset (100–300 images like the ones the model will see).';
    const none = await rejection(makeInt8Variant({ bytes: CNN, validation: VALID, makeRunner: (b, e) => ModelSession.create(b, e) }));
    expect(none.code).toBe('unsupported');
    expect(none.message).toBe(message);
    const empty = await rejection(makeInt8Variant({ bytes: CNN, calibration: { inputs: [], total: 0 }, validation: VALID, makeRunner: (b, e) => ModelSession.create(b, e) }));
    expect(empty.message).toBe(message);
  });

  it('stops with code cancelled when checkpoint throws, releasing every session', async () => {
    const runners = sessions();
    let calls = 0;
    const progress: Int8Progress[] = [];
    const err = await rejection(
      makeInt8Variant({
        bytes: CNN,
        calibration: { inputs: CALIB, total: CALIB.length },
        validation: VALID,
        makeRunner: runners.makeRunner,
        onProgress: (p) => progress.push(p),
        checkpoint: () => {
          calls++;
          if (calls > 3) throw new QbError('cancelled', 'Cancelled.');
        },
      }),
    );
    expect(err.code).toBe('cancelled');
    const calibrated = progress.filter((p) => p.stage === 'calibrate');
    expect(calibrated).toHaveLength(3);
    expect(progress.some((p) => p.stage === 'quantize')).toBe(false);
    expect(runners.released).toBe(runners.made);
  });
});

describe('makeInt8Variant: dynamic INT8', () => {
  /** x [1, 16] -> MatMul (W1 [16, 32]) -> Add (b1) -> Relu -> MatMul (W2 [32, 8]) -> y. */
  const mlp = (): Uint8Array =>
    encodeModel(
      makeModel({
        opset: 13,
        nodes: [
          node('MatMul', ['x', 'w1'], ['h'], {}, 'mm1'),
          node('Add', ['h', 'b1'], ['hb'], {}, 'add1'),
          node('Relu', ['hb'], ['r'], {}, 'relu'),
          node('MatMul', ['r', 'w2'], ['y'], {}, 'mm2'),
        ],
        inputs: [valueInfo('x', DataType.FLOAT, [1, 16])],
        outputs: [valueInfo('y', DataType.FLOAT, [1, 8])],
        initializers: [weight('w1', [16, 32], 21, 16), makeTensor('b1', DataType.FLOAT, [32], uniform(32, 22, -0.1, 0.1)), weight('w2', [32, 8], 23, 32)],
      }),
    );

  it('quantizes MatMul weights and checks on the (unseen) calibration inputs, held out', async () => {
    const xs: FloatTensor[] = Array.from({ length: 5 }, (_, i) => ({ data: uniform(16, 700 + i, -2, 2), dims: [1, 16] }));
    const progress: Int8Progress[] = [];
    const r = await makeInt8Variant({ bytes: mlp(), options: { mode: 'dynamic' }, calibration: { inputs: xs, total: xs.length }, makeRunner: (b, e) => ModelSession.create(b, e), onProgress: (p) => progress.push(p) });
    const rep = r.report;
    expect(rep.mode).toBe('dynamic');
    expect(rep.preset).toBeNull();
    expect(rep.method).toBeNull();
    expect(rep.calibration).toBeNull();
    expect(rep.dynamic).not.toBeNull();
    expect(rep.quantizedNodes.map((n) => n.name)).toEqual(['mm1', 'mm2']);
    expect(rep.layers).toEqual([]);
    expect(rep.check.inputs).toBe(5);
    expect(rep.check.heldOut).toBe(true);
    expect(rep.check.sqnrDb).toBeGreaterThan(25);
    expect(rep.warnings).toEqual([]);
    expect(progress.some((p) => p.stage === 'calibrate' || p.stage === 'layer-report')).toBe(false);
    expect(decodeModel(r.bytes).graph!.node.some((n) => n.opType === 'MatMul' && n.input.includes('w1'))).toBe(false);
  });
});

describe.skipIf(!hasData)('makeInt8Variant on ResNet20 (CIFAR-10, opset 10)', () => {
  it('upgrades to opset 13 and keeps SQNR > 15 dB on random inputs', async () => {
    const bytes = new Uint8Array(readFileSync(sharedPath('models', 'resnet20-cifar10-ace.onnx')));
    const random = (count: number, seed: number): FloatTensor[] => Array.from({ length: count }, (_, i) => ({ data: uniform(3 * 32 * 32, seed + 31 * i, -2, 2), dims: [1, 3, 32, 32] }));
    const runners = sessions();
    const r = await makeInt8Variant({ bytes, calibration: { inputs: random(16, 4242), total: 16 }, validation: random(4, 777), makeRunner: runners.makeRunner });
    const rep = r.report;
    console.info(`[int8] resnet20 random inputs: SQNR ${rep.check.sqnrDb.toFixed(2)} dB, ${rep.sizeBeforeBytes} -> ${rep.sizeAfterBytes} B`);
    expect(rep.mode).toBe('static');
    expect(rep.opsetUpgrade?.fromVersion).toBe(10);
    expect(rep.opsetUpgrade?.toVersion).toBe(13);
    expect(rep.calibration?.images).toBe(16);
    expect(rep.check.inputs).toBe(4);
    expect(rep.check.heldOut).toBe(true);
    expect(rep.check.sqnrDb).toBeGreaterThan(15);
    expect(rep.quantizedNodes.filter((n) => n.opType === 'Conv')).toHaveLength(21);
    expect(rep.sizeAfterBytes).toBeLessThan(rep.sizeBeforeBytes * 0.4);
    expect(rep.layers.length).toBeGreaterThan(10);
    expect(runners.released).toBe(runners.made);
  });
});

describe('makeInt8Variant: accuracy-aware on the synthetic CNN', () => {
  it('an unreachable SQNR goal: Mixed preset tried, layers back to float by sensitivity, never all, and all of it reported', async () => {
    const runners = sessions();
    const steps: string[] = [];
    const { bytes, report } = await makeInt8Variant({
      bytes: CNN,
      options: { accuracy: { goal: { metric: 'sqnr', maxDrop: 0, minSqnrDb: 200 } } },
      calibration: { inputs: CALIB, total: CALIB.length },
      validation: VALID,
      makeRunner: runners.makeRunner,
      onProgress: (p) => { if (p.stage === 'accuracy-search') steps.push(`${p.step.floatUnits}:${p.step.met}`); },
    });
    const a = report.accuracy!;
    expect(a.trigger).toBe('max-drop');
    expect(a.validationInputs).toBe(VALID.length);
    expect(a.met).toBe(false);
    expect(a.stoppedBy).toBe('no-layers');
    expect(a.ranking.length).toBeGreaterThanOrEqual(3);
    expect(a.floatUnits).toHaveLength(a.ranking.length - 1); // one layer always stays INT8
    expect(steps.at(-1)).toBe(`${a.ranking.length - 1}:false`);
    expect(a.presetSwitch?.to ?? 'mixed').toBe('mixed'); // tried; kept only when it helped
    expect(report.preset).toBe(a.presetSwitch === null ? 'performance' : 'mixed');
    const kept = report.skippedNodes.filter((s) => s.reason.startsWith('Kept in float for accuracy'));
    expect(kept.map((s) => s.name).sort()).toEqual(a.floatNodes.filter((n) => report.skippedNodes.some((s) => s.name === n)).sort());
    expect(kept.length).toBeGreaterThan(0);
    expect(report.quantizedNodes.length).toBeGreaterThan(0);
    expect(a.explanation).toMatch(/budget \(output SQNR at least 200 dB\) was not met/);
    // The kept model is the one the report describes: it loads and matches the check.
    const s = await ModelSession.create(bytes);
    await s.release();
    expect(report.check.sqnrDb).toBeGreaterThan(a.initial.value - 3);
    expect(runners.released).toBe(runners.made);
  }, 60_000);

  it('sensitivity on a fine model: every layer ranked, nothing reverted', async () => {
    const { report } = await makeInt8Variant({
      bytes: CNN, options: { sensitivity: true }, calibration: { inputs: CALIB, total: CALIB.length }, validation: VALID, makeRunner: sessions().makeRunner,
    });
    const a = report.accuracy!;
    expect(a.stoppedBy).toBe('already-met');
    expect(a.ranking.length).toBeGreaterThanOrEqual(3);
    expect(a.ranking.reduce((s, u) => s + u.errorShare, 0)).toBeCloseTo(1, 6);
    expect(a.ranking.map((u) => u.errorShare)).toEqual([...a.ranking.map((u) => u.errorShare)].sort((x, y) => y - x));
    expect(a.floatUnits).toEqual([]);
    expect(a.presetSwitch).toBeNull();
    expect(a.explanation).toMatch(/share of the error is measured below/);
  }, 60_000);

  it('guard off: no accuracy report; top1 without labels is refused in plain words', async () => {
    const base = { bytes: CNN, calibration: { inputs: CALIB, total: CALIB.length }, validation: VALID, makeRunner: sessions().makeRunner };
    const off = await makeInt8Variant({ ...base, options: { guard: false } });
    expect(off.report.accuracy).toBeNull();
    const err = await rejection(makeInt8Variant({ ...base, options: { accuracy: { goal: { metric: 'top1', maxDrop: 1 } } } }));
    expect(err.message).toMatch(/needs labelled images/);
  }, 60_000);
});
