// buildRunReport: variant order, speed-up / shrink math, quality sources, notes, layers and JSON safety.
import { describe, expect, it } from 'vitest';
import { buildRunReport, describeDataset } from './build';
import { EXACT_SQNR_DB } from './format';
import { benchEntry, checkOnlyRun, fakeCard, FP16_BYTES, FP32_BYTES, fp16Result, fullRun, INT8_BYTES, int8Outcome } from './report-fixtures';
import type { RunReport } from './types';

/** Every number in the value, with its path, so a test can say where a non-finite one sits. */
function numbers(value: unknown, path = '$'): [string, number][] {
  if (typeof value === 'number') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => numbers(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => numbers(v, `${path}.${k}`));
  return [];
}

function expectJsonSafe(r: RunReport): void {
  expect(numbers(r).filter(([, n]) => !Number.isFinite(n))).toEqual([]);
  expect(JSON.parse(JSON.stringify(r))).toEqual(r);
}

describe('buildRunReport', () => {
  it('lists FP32 first, then FP16 and INT8, with sizes, gzip and the ratios against FP32', () => {
    const r = buildRunReport(fullRun());
    expect(r.variants.map((v) => v.id)).toEqual(['fp32', 'fp16', 'int8']);
    const [fp32, fp16, int8] = r.variants;
    expect(fp32!.sizeBytes).toBe(FP32_BYTES);
    expect(fp32!.shrink).toBe(1);
    expect(fp32!.speedup).toBe(1);
    expect(fp16!.shrink).toBeCloseTo(FP32_BYTES / FP16_BYTES, 9);
    expect(fp16!.shrink).toBeCloseTo(1.9988, 3);
    expect(int8!.shrink).toBeCloseTo(3.8063, 3);
    expect(fp16!.speedup).toBeCloseTo(8.0 / 8.4, 9);
    expect(int8!.speedup).toBeCloseTo(8.0 / 5.6, 9);
    expect(int8!.gzipBytes).toBe(Math.round(INT8_BYTES * 0.92));
    expect(int8!.speed!.p50Ms).toBe(5.6);
    expect(int8!.speed!.fps).toBeCloseTo(1000 / 5.6, 6);
    expect(int8!.speed!.samplesMs).toHaveLength(40);
    expect(int8!.speed!.coldStart).toEqual({ sessionCreateMs: 41.5, firstRunMs: 12.25 });
  });

  it('adds the external-data files to the FP32 size', () => {
    const inputs = { ...fullRun(), card: fakeCard('big.onnx', [1_000_000, 2_500_000]) };
    const r = buildRunReport(inputs);
    expect(r.model.sizeBytes).toBe(FP32_BYTES + 3_500_000);
    expect(r.variants[0]!.sizeBytes).toBe(FP32_BYTES + 3_500_000);
    expect(r.variants[2]!.shrink).toBeCloseTo((FP32_BYTES + 3_500_000) / INT8_BYTES, 9);
  });

  it('takes quality from the dataset when it was evaluated', () => {
    const r = buildRunReport(fullRun());
    const [fp32, fp16, int8] = r.variants;
    expect(fp32!.quality).toEqual({ source: 'dataset', samples: 250, top1: 0.7, top5: expect.closeTo(0.88, 9) as number, agreement: 1, sqnrDb: null, cosine: 1 });
    expect(fp16!.quality!.agreement).toBe(0.996);
    expect(int8!.quality).toMatchObject({ source: 'dataset', samples: 250, top1: 0.696, agreement: 0.972, sqnrDb: 24.3, cosine: 0.991 });
  });

  it('falls back on the variants\' own checks without a dataset (FP32 quality then unknown)', () => {
    const r = buildRunReport(checkOnlyRun());
    const [fp32, fp16, int8] = r.variants;
    expect(fp32!.quality).toBeNull();
    expect(fp16!.quality).toEqual({ source: 'check', samples: 3, top1: null, top5: null, agreement: 1, sqnrDb: null, cosine: 0.99998 });
    expect(int8!.quality).toEqual({ source: 'check', samples: 8, top1: null, top5: null, agreement: 1, sqnrDb: 23.1, cosine: 0.9952 });
    expect(int8!.verdict).toContain('agrees with FP32 on 8 of 8 test inputs');
    expect(r.dataset.description).toBe('no dataset');
  });

  it('writes an infinite SQNR as null and keeps the whole report JSON-safe', () => {
    const inputs = fullRun();
    inputs.evaluation.fp16 = { ...inputs.evaluation.fp16!, fidelity: { ...inputs.evaluation.fp16!.fidelity!, sqnrDb: Infinity } };
    inputs.int8 = { ...inputs.int8!, outcome: int8Outcome({ check: { top1Agreement: 1, top5Overlap: 1, sqnrDb: Infinity, cosine: 1, inputs: 8, heldOut: true, maxAbsDiff: 0 } }) };
    inputs.bench = [...inputs.bench.slice(0, 2), { ...benchEntry('int8', 'squeezenet1.1-int8.onnx', 5.6) }];
    inputs.bench[2]!.result.run.samplesMs.push(NaN);
    const r = buildRunReport(inputs);
    expect(r.variants[1]!.quality!.sqnrDb).toBeNull();
    expectJsonSafe(r);
    expectJsonSafe(buildRunReport(checkOnlyRun()));
  });

  it('turns the per-layer dB into finite numbers (exact layers at EXACT_SQNR_DB)', () => {
    const r = buildRunReport(fullRun());
    expect(r.layers).toHaveLength(5);
    expect(r.layers[0]).toEqual({ tensor: 'data', producer: 'input', localSqnrDb: 41.2, cumulativeSqnrDb: EXACT_SQNR_DB, clippedShare: 0 });
    expect(r.layers[3]!.cumulativeSqnrDb).toBeCloseTo(19.7, 9);
    expect(r.layers[4]).toEqual({ tensor: 'bad_tensor', producer: 'Conv', localSqnrDb: 0, cumulativeSqnrDb: -EXACT_SQNR_DB, clippedShare: 0 });
  });

  it('leaves speed-up out when the variant was measured on another device than FP32', () => {
    const inputs = fullRun();
    inputs.bench = [inputs.bench[0]!, benchEntry('int8', 'squeezenet1.1-int8.onnx', 5.6, { device: 'webgpu' })];
    const r = buildRunReport(inputs);
    expect(r.variants[2]!.speed!.p50Ms).toBe(5.6);
    expect(r.variants[2]!.speedup).toBeNull();
    expect(r.variants[1]!.speed).toBeNull();
    expect(r.variants[1]!.speedup).toBeNull();
    expect(r.variants[1]!.gzipBytes).toBeNull();
  });

  it('describes the environment, dataset, settings and notes in plain words', () => {
    const inputs = fullRun();
    inputs.fp16 = { ...inputs.fp16!, result: fp16Result(['conv_a', 'conv_b']) };
    const r = buildRunReport(inputs);
    expect(r.environment).toEqual({ browser: 'Chromium 156', device: 'wasm', threads: 2, cores: 8, ortVersion: '1.30.0', crossOriginIsolated: true, description: "this computer's CPU (WebAssembly, 2 threads)" });
    expect(r.dataset.description).toBe('250 images, 250 labelled (imagenet-sample-labels.csv)');
    expect(r.model).toEqual({ fileName: 'squeezenet1.1.onnx', sizeBytes: FP32_BYTES, parameters: 1_235_496, opset: 13, inputs: ['data: float32 [1, 3, 224, 224]'], kind: 'cnn' });
    expect(r.settings.int8).toEqual({ mode: 'static', calibration: 'mse', preset: 'performance', perChannel: true, subset: 300, excludeNodes: [], excludeOpTypes: [], maxDrop: null });
    expect(r.settings.bench).toEqual({ device: 'wasm', threads: 2, timeBudgetS: 3 });
    expect(r.variants[2]!.notes[0]).toBe('static INT8, MSE calibration on 240 images');
    expect(r.variants[2]!.notes).toContain('kept 3 layers in float (1 excluded by you, 2 not supported as INT8)');
    expect(r.variants[1]!.notes).toContain('mixed precision: kept 2 nodes in FP32 (plain FP16 drifted)');
    expect(r.cli.length).toBeGreaterThan(3);
  });

  it('counts layers kept for accuracy and for speed from the searches', () => {
    const inputs = fullRun();
    const outcome = int8Outcome({
      speed: { device: 'wasm', fp32Ms: 8, plainInt8Ms: 6.5, chosen: 'runtime-aware', chosenMs: 5.6, speedup: 8 / 5.6, faster: true, floatNodes: ['squeezenet0_conv1_fwd'], candidates: [], layers: [], rates: {} as never },
      accuracy: {
        goal: { metric: 'top1', maxDrop: 0.5 }, trigger: 'max-drop', validationInputs: 200, fp32Value: 70, threshold: 69.5, initial: { value: 68, proxyDb: 20 }, final: { value: 69.6, proxyDb: 24 },
        met: true, stoppedBy: 'met', ranking: [], steps: [], floatUnits: ['conv25'], floatNodes: ['squeezenet0_conv25_fwd'], floatCostBytes: 1000, elapsedMs: 30_000,
        explanation: 'Kept 1 layer in float to stay within 0.5 points.', presetSwitch: null,
      },
    }, { accuracyAware: true, maxDrop: 0.5 });
    inputs.int8 = { ...inputs.int8!, outcome };
    const r = buildRunReport(inputs);
    expect(r.variants[2]!.notes).toContain('kept 3 layers in float (1 for accuracy, 1 faster in float, 1 excluded by you)');
    expect(r.variants[2]!.notes).toContain('accuracy-aware search: Kept 1 layer in float to stay within 0.5 points.');
    expect(r.settings.int8!.maxDrop).toEqual({ value: 0.5, kind: 'absolute', metric: 'top1' });
    expectJsonSafe(r);
  });

  it('says what a dynamic INT8 variant is', () => {
    const inputs = fullRun();
    inputs.int8 = { ...inputs.int8!, outcome: int8Outcome({ mode: 'dynamic', preset: null, method: null, calibration: null, skippedNodes: [] }) };
    const r = buildRunReport(inputs);
    expect(r.variants[2]!.notes).toEqual(['dynamic INT8 (weights int8, activations quantized at run time)']);
    expect(r.settings.int8).toMatchObject({ mode: 'dynamic', calibration: 'none', preset: 'none' });
  });

  it('describes the other dataset kinds', () => {
    expect(describeDataset({ kind: 'random', samples: 8, labelled: 0, labelFiles: [], source: null })).toBe('8 random inputs');
    expect(describeDataset({ kind: 'images', samples: 1, labelled: 0, labelFiles: [], source: null })).toBe('1 image, no labels');
    expect(describeDataset({ kind: 'tensors', samples: 40, labelled: 40, labelFiles: [], source: 'clips' })).toBe('40 tensor samples, 40 labelled');
  });

  it('describes a WebGPU environment with its adapter', () => {
    const inputs = fullRun();
    inputs.bench = inputs.bench.map((e) => benchEntry(e.variant, e.fileName, e.result.run.latency.p50Ms, { device: 'webgpu', threads: 2 }));
    inputs.benchSettings = { device: 'webgpu', threads: 2, timeBudgetS: 3 };
    const r = buildRunReport(inputs);
    expect(r.environment!.description).toBe("this computer's GPU (WebGPU, Apple M2)");
    expect(r.variants[2]!.verdict).toContain("faster on this computer's GPU");
  });
});
