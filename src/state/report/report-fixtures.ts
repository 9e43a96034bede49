// Hand-built RunInputs of a realistic SqueezeNet run (FP32, FP16, static INT8, benchmarked on the CPU) for the report tests.
import type { Fp16Result } from '../../../workers/optimize-api';
import type { EvalReport } from '../../data/types';
import type { ModelCard } from '../../onnx/summary';
import type { Int8Report, LayerError } from '../../pipeline/int8';
import type { BenchEntry, BenchVariant } from '../bench-view';
import { INT8_DEFAULTS, type Int8Choices, type Int8Outcome } from '../int8-slice';
import type { RunInputs } from './types';

export const FP32_BYTES = 4_955_271;
export const FP16_BYTES = 2_479_104;
export const INT8_BYTES = 1_301_844;

export function fakeCard(fileName = 'squeezenet1.1.onnx', externalBytes: number[] = []): ModelCard {
  const card = {
    fileName,
    fileSizeBytes: FP32_BYTES,
    externalData: externalBytes.map((bytes, i) => ({ location: `weights-${i}.bin`, bytes })),
    opsets: [{ domain: 'ai.onnx', version: 13 }],
    inputs: [{ name: 'data', dtype: 'float32', shape: [1, 3, 224, 224] }],
    outputs: [{ name: 'squeezenet0_flatten0_reshape0', dtype: 'float32', shape: [1, 1000] }],
    params: 1_235_496,
    opTypes: { Conv: 26, Relu: 26, MaxPool: 3, Concat: 8, Dropout: 1, GlobalAveragePool: 1, Reshape: 1 },
  };
  return card as unknown as ModelCard;
}

/** A benchmark entry with a plausible spread around `p50Ms` (p90 +8%, p99 +25%) and 40 samples. */
export function benchEntry(variant: BenchVariant, fileName: string, p50Ms: number, o: { device?: 'wasm' | 'webgpu'; threads?: number; gzipBytes?: number; bytes?: number } = {}): BenchEntry {
  const device = o.device ?? 'wasm';
  const threads = o.threads ?? 2;
  const samplesMs = Array.from({ length: 40 }, (_, i) => p50Ms * (0.95 + (i % 10) * 0.012));
  return {
    key: `${variant}|${device}|${threads}`,
    variant,
    fileName,
    device,
    threads,
    result: {
      run: {
        env: { ep: device, threads, requestedThreads: threads, crossOriginIsolated: true, userAgent: 'Mozilla/5.0', browser: 'Chromium 156', hardwareConcurrency: 8, ortVersion: '1.30.0', ...(device === 'webgpu' ? { adapter: 'Apple M2' } : {}) },
        batch: 1,
        coldStart: { sessionCreateMs: 41.5, firstRunMs: 12.25 },
        warmup: { runs: 12, stable: true, ms: 120 },
        latency: { runs: 40, meanMs: p50Ms * 1.03, stdMs: p50Ms * 0.05, minMs: p50Ms * 0.95, maxMs: p50Ms * 1.4, p50Ms, p90Ms: p50Ms * 1.08, p99Ms: p50Ms * 1.25, fps: 1000 / p50Ms, relativeSpread: 0.08 },
        samplesMs,
        warnings: [],
        date: '2026-11-22T14:05:00.000Z',
      },
      sweep: null,
      size: { bytes: o.bytes ?? FP32_BYTES, gzipBytes: o.gzipBytes ?? Math.round((o.bytes ?? FP32_BYTES) * 0.92), paramsByType: { float: 1_235_496 } },
    },
  };
}

export function evalReport(top1: number | null, fidelity: { agreement: number; sqnrDb: number; cosine: number } | null, images = 250): EvalReport {
  return {
    images,
    labelled: top1 === null ? 0 : images,
    top1,
    top5: top1 === null ? null : Math.min(1, top1 + 0.18),
    perClass: [],
    fidelity: fidelity === null ? null : { top1Agreement: fidelity.agreement, top5Overlap: 0.97, sqnrDb: fidelity.sqnrDb, cosine: fidelity.cosine },
    disagreements: [],
    imagesPerSecond: 90,
    inferenceMsMean: 8.2,
    mapping: null,
    problems: [],
  };
}

export const DEFAULT_CHOICES: Int8Choices = { ...INT8_DEFAULTS };

const LAYERS: LayerError[] = [
  { tensor: 'data', producer: 'input', localSqnrDb: 41.2, cumulativeSqnrDb: Infinity, clippedShare: 0 },
  { tensor: 'squeezenet0_conv0_fwd', producer: 'Conv', localSqnrDb: 35.5, cumulativeSqnrDb: 33.1, clippedShare: 0.001 },
  { tensor: 'squeezenet0_relu0_fwd', producer: 'Relu', localSqnrDb: 31.0, cumulativeSqnrDb: 28.4, clippedShare: 0.002 },
  { tensor: 'squeezenet0_conv25_fwd', producer: 'Conv', localSqnrDb: 22.9, cumulativeSqnrDb: 19.7, clippedShare: 0.004 },
  { tensor: 'bad_tensor', producer: 'Conv', localSqnrDb: NaN, cumulativeSqnrDb: -Infinity, clippedShare: NaN },
];

export function int8Report(over: Partial<Int8Report> = {}): Int8Report {
  return {
    mode: 'static',
    preset: 'performance',
    modelType: 'cnn',
    method: 'mse',
    perChannel: true,
    opsetUpgrade: null,
    calibration: { images: 240, available: 250, elapsedMs: 9_800, imagesPerSecond: 24.5, runMs: 9_000, bytesHeld: 1_000_000 },
    warnings: [],
    quantizedNodes: [{ name: 'squeezenet0_conv0_fwd', opType: 'Conv' }],
    skippedNodes: [
      { name: 'squeezenet0_conv25_fwd', opType: 'Conv', reason: 'Kept in float for accuracy: as INT8 it caused 41.0% of the output error (measured).' },
      { name: 'squeezenet0_conv1_fwd', opType: 'Conv', reason: 'Faster in float on wasm (measured); its weights are still stored as int8.' },
      { name: 'fc_gemm', opType: 'Gemm', reason: 'Excluded by you (ignored scope).' },
    ],
    floatOps: {},
    biasCorrected: 12,
    tensors: [],
    layers: LAYERS,
    dynamic: null,
    speed: null,
    accuracy: null,
    sizeBeforeBytes: FP32_BYTES,
    sizeAfterBytes: INT8_BYTES,
    check: { top1Agreement: 1, top5Overlap: 0.975, sqnrDb: 23.1, cosine: 0.9952, inputs: 8, heldOut: true, maxAbsDiff: 0.31 },
    ...over,
  };
}

export function int8Outcome(over: Partial<Int8Report> = {}, options: Partial<Int8Choices> = {}): Int8Outcome {
  return {
    report: int8Report(over),
    checkSource: 'held-out',
    stats: { wallMs: 14_000, stages: [], memory: null },
    options: { ...DEFAULT_CHOICES, ...options },
    source: { kind: 'dataset', inputKind: 'images', count: 250 },
  };
}

export function fp16Result(mixedKeep: string[] | null = null): Omit<Fp16Result, 'bytes'> {
  return {
    report: {
      alreadyFp16: false,
      convertedInitializers: 52,
      convertedConstants: 0,
      clampedValues: 0,
      flushedValues: 3,
      castsInserted: 2,
      fixedCasts: 0,
      keptFp32Nodes: [],
      sizeBeforeBytes: FP32_BYTES,
      sizeAfterBytes: FP16_BYTES,
    },
    check: { cosine: 0.99998, top1Agreement: 1, maxAbsDiff: 0.004, inputs: 3, inputSource: 'random', passed: true },
    mixedPrecision: mixedKeep === null ? null : { keepNodes: mixedKeep, candidates: 10, trials: 4, passed: true },
    stats: { wallMs: 2_000, stages: [], memory: null },
  };
}

/**
 * The full run: FP32 8.0 ms, FP16 8.4 ms (about as fast), INT8 5.6 ms (1.43x faster) on the CPU with 2 threads;
 * 250 labelled images: FP32 top-1 70.0%, FP16 70.0%, INT8 69.6% (agreement 97.2%).
 */
export function fullRun(): RunInputs {
  return {
    id: 'run-1',
    createdAt: '2026-11-22T14:05:00.000Z',
    card: fakeCard(),
    dataset: { kind: 'images', samples: 250, labelled: 250, labelFiles: ['imagenet-sample-labels.csv'], source: 'imagenet-sample' },
    fp16: { fileName: 'squeezenet1.1-fp16.onnx', sizeBytes: FP16_BYTES, result: fp16Result() },
    int8: { fileName: 'squeezenet1.1-int8.onnx', sizeBytes: INT8_BYTES, outcome: int8Outcome() },
    bench: [
      benchEntry('fp32', 'squeezenet1.1.onnx', 8.0),
      benchEntry('fp16', 'squeezenet1.1-fp16.onnx', 8.4, { bytes: FP16_BYTES }),
      benchEntry('int8', 'squeezenet1.1-int8.onnx', 5.6, { bytes: INT8_BYTES }),
    ],
    benchSettings: { device: 'wasm', threads: 2, timeBudgetS: 3 },
    evaluation: {
      fp32: evalReport(0.7, null),
      fp16: evalReport(0.7, { agreement: 0.996, sqnrDb: 61.2, cosine: 0.99999 }),
      int8: evalReport(0.696, { agreement: 0.972, sqnrDb: 24.3, cosine: 0.991 }),
    },
    problems: [],
  };
}

/** The same run without a dataset: quality from each variant's own check. */
export function checkOnlyRun(): RunInputs {
  const r = fullRun();
  return {
    ...r,
    dataset: { kind: 'none', samples: 0, labelled: 0, labelFiles: [], source: null },
    int8: { ...r.int8!, outcome: { ...int8Outcome(), source: { kind: 'none' } } },
    evaluation: { fp32: null, fp16: null, int8: null },
  };
}
