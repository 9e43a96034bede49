// Benchmark slice without workers: result keys, speed-up against FP32 (a slower variant is never called faster),
// default threads, what a run includes, the busy selector, page-only warnings, the histogram, and the slice's refusals.
import { describe, expect, it } from 'vitest';
import type { BenchResult } from '../../workers/bench-api';
import type { BenchEnvironment } from '../runtime/bench-types';
import {
  benchKey,
  benchPlan,
  clampThreads,
  defaultSettings,
  defaultThreads,
  describeEnvironment,
  describeSpeedUp,
  devtoolsSuspected,
  entryLabels,
  fixedBatch,
  histogramTopMs,
  latencyHistogram,
  sizeBaseline,
  sizeRatio,
  speedBaseline,
  speedUp,
  upsertEntry,
  withPageWarnings,
  type BenchAvailability,
  type BenchEntry,
  type BenchVariant,
} from './bench-view';
import { anyJobRunning, benchBlockedReason, runningJobs } from './busy';
import { useStore } from './store';

const ENV: BenchEnvironment = {
  ep: 'wasm',
  threads: 2,
  requestedThreads: 2,
  crossOriginIsolated: true,
  userAgent: 'test',
  browser: 'Chromium 156',
  hardwareConcurrency: 2,
  ortVersion: '1.30.0',
};

function entry(variant: BenchVariant, p50Ms: number, opts: { device?: 'wasm' | 'webgpu'; threads?: number; bytes?: number } = {}): BenchEntry {
  const device = opts.device ?? 'wasm';
  const threads = opts.threads ?? 2;
  const result: BenchResult = {
    run: {
      env: { ...ENV, ep: device, threads, requestedThreads: threads },
      batch: 1,
      coldStart: { sessionCreateMs: 40, firstRunMs: 5 },
      warmup: { runs: 10, stable: true, ms: 50 },
      latency: { runs: 3, meanMs: p50Ms, stdMs: 0.1, minMs: p50Ms * 0.9, maxMs: p50Ms * 1.3, p50Ms, p90Ms: p50Ms * 1.1, p99Ms: p50Ms * 1.2, fps: 1000 / p50Ms, relativeSpread: 0.1 },
      samplesMs: [p50Ms * 0.9, p50Ms, p50Ms * 1.3],
      warnings: [],
      date: '2026-01-01T00:00:00.000Z',
    },
    sweep: null,
    size: { bytes: opts.bytes ?? 1000, gzipBytes: 900, paramsByType: { float: 250 } },
  };
  return { key: benchKey(variant, device, threads), variant, fileName: `m-${variant}.onnx`, device, threads, result };
}

const ALL_THERE: BenchAvailability = {
  variants: { fp32: true, fp16: true, int8: true },
  webgpu: { available: true, shaderF16: false, reason: '' },
};

describe('result keys', () => {
  it('keys a result by variant, device and threads', () => {
    expect(benchKey('int8', 'wasm', 4)).toBe('int8|wasm|4');
    expect(benchKey('int8', 'wasm', 4)).not.toBe(benchKey('int8', 'wasm', 2));
    expect(benchKey('int8', 'wasm', 4)).not.toBe(benchKey('int8', 'webgpu', 4));
  });

  it('a re-run replaces its own row in place; a new key appends', () => {
    const a = entry('fp32', 10);
    const b = entry('int8', 5);
    const rows = upsertEntry(upsertEntry([], a), b);
    const again = entry('fp32', 12);
    const after = upsertEntry(rows, again);
    expect(after.map((e) => e.key)).toEqual([a.key, b.key]);
    expect(after[0]?.result.run.latency.p50Ms).toBe(12);
    expect(upsertEntry(after, entry('fp32', 10, { threads: 1 }))).toHaveLength(3);
  });
});

describe('speed-up against FP32', () => {
  it('compares only with FP32 on the same device and threads, at the median', () => {
    const fp32 = entry('fp32', 10);
    const int8 = entry('int8', 5);
    const int8OneThread = entry('int8', 8, { threads: 1 });
    const rows = [fp32, int8, int8OneThread];
    expect(speedBaseline(int8, rows)).toBe(fp32);
    expect(speedUp(int8, fp32)).toBeCloseTo(2);
    expect(speedBaseline(int8OneThread, rows)).toBeUndefined();
    expect(speedBaseline(entry('fp16', 9, { device: 'webgpu' }), rows)).toBeUndefined();
  });

  it('never calls a slower variant faster, and rounds down', () => {
    expect(describeSpeedUp(0.8)).toEqual({ text: '0.80x (slower)', tone: 'slower' });
    expect(describeSpeedUp(0.999)).toEqual({ text: '0.99x (slower)', tone: 'slower' });
    expect(describeSpeedUp(1 - 1e-12).tone).toBe('slower');
    expect(describeSpeedUp(1 - 1e-12).text).toBe('0.99x (slower)');
    expect(describeSpeedUp(1.004)).toEqual({ text: '1.00x (same)', tone: 'same' });
    expect(describeSpeedUp(1.15)).toEqual({ text: '1.15x (faster)', tone: 'faster' });
    expect(describeSpeedUp(1.929)).toEqual({ text: '1.92x (faster)', tone: 'faster' });
    expect(describeSpeedUp(1, true)).toEqual({ text: '1.00x (baseline)', tone: 'baseline' });
  });

  it('compares sizes with any FP32 row', () => {
    const fp32 = entry('fp32', 10, { device: 'webgpu', bytes: 4000 });
    const int8 = entry('int8', 5, { bytes: 1000 });
    expect(sizeBaseline([int8, fp32])).toBe(fp32);
    expect(sizeRatio(int8, fp32)).toBe(0.25);
    expect(sizeBaseline([int8])).toBeUndefined();
  });
});

describe('threads', () => {
  it('defaults to all cores when cross-origin isolated, else 1', () => {
    expect(defaultThreads({ hardwareConcurrency: 8, crossOriginIsolated: true })).toBe(8);
    expect(defaultThreads({ hardwareConcurrency: 8, crossOriginIsolated: false })).toBe(1);
    expect(defaultThreads({ hardwareConcurrency: 0, crossOriginIsolated: true })).toBe(1);
    expect(defaultSettings({ hardwareConcurrency: 2, crossOriginIsolated: true })).toMatchObject({ threads: 2, device: 'wasm', timeBudgetS: 3, sweep: false });
  });

  it('keeps a choice within 1..cores', () => {
    const p = { hardwareConcurrency: 4, crossOriginIsolated: true };
    expect(clampThreads(9, p)).toBe(4);
    expect(clampThreads(0, p)).toBe(1);
    expect(clampThreads(2.6, p)).toBe(3);
    expect(clampThreads(Number.NaN, p)).toBe(4);
  });
});

describe('run plan', () => {
  it('runs the chosen variants that exist, in order', () => {
    const plan = benchPlan({ variants: ['int8', 'fp32'], device: 'wasm' }, { ...ALL_THERE, variants: { fp32: true, fp16: false, int8: true } });
    expect(plan.run).toEqual(['fp32', 'int8']);
    expect(plan.skipped).toEqual([]);
  });

  it('leaves FP16 out on a GPU without shader-f16, saying why, and everything out without WebGPU', () => {
    const plan = benchPlan({ variants: ['fp32', 'fp16'], device: 'webgpu' }, ALL_THERE);
    expect(plan.run).toEqual(['fp32']);
    expect(plan.skipped[0]?.reason).toMatch(/shader-f16/);
    const none = benchPlan({ variants: ['fp32'], device: 'webgpu' }, { ...ALL_THERE, webgpu: { available: false, shaderF16: false, reason: 'No adapter.' } });
    expect(none.run).toEqual([]);
    expect(none.skipped[0]?.reason).toBe('No adapter.');
  });

  it('knows a fixed batch from a free one', () => {
    expect(fixedBatch([{ shape: [1, 3, 32, 32] }])).toBe(1);
    expect(fixedBatch([{ shape: ['batch', 3, 32, 32] }])).toBeNull();
    expect(fixedBatch([{ shape: [null, 3] }])).toBeNull();
    expect(fixedBatch([{ shape: null }])).toBeNull();
  });
});

describe('busy selector', () => {
  it('is idle at start, and names the job that runs', () => {
    const idle = useStore.getState();
    expect(anyJobRunning(idle)).toBe(false);
    expect(benchBlockedReason(idle)).toBeNull();
    const int8Running = { ...idle, int8: { ...idle.int8, status: 'running' as const } };
    expect(anyJobRunning(int8Running)).toBe(true);
    expect(benchBlockedReason(int8Running)).toMatch(/^Waiting for making the INT8 variant to finish/);
    const two = { ...int8Running, model: { ...idle.model, status: 'running' as const } };
    expect(runningJobs(two)).toEqual(['loading the model', 'making the INT8 variant']);
    const gpu = { ...idle, webgpu: { ...idle.webgpu, variant: { ...idle.webgpu.variant, status: 'running' as const } } };
    expect(runningJobs(gpu)).toEqual(['the WebGPU run']);
    for (const key of ['demo', 'dataset', 'evaluation', 'fp16', 'runtime'] as const) {
      const s = { ...idle, [key]: { ...idle[key], status: 'running' } };
      expect(anyJobRunning(s), key).toBe(true);
    }
  });
});

describe('page warnings', () => {
  it('adds hidden-tab, devtools and interference warnings once', () => {
    const run = entry('fp32', 10).result.run;
    expect(withPageWarnings(run, { hidden: false, devtools: false, interferedBy: null })).toBe(run);
    const warned = withPageWarnings(run, { hidden: true, devtools: true, interferedBy: 'loading the model' });
    expect(warned.warnings.map((w) => w.kind)).toEqual(['hidden', 'devtools', 'noisy']);
    expect(warned.warnings[2]?.message).toContain('loading the model');
    // The engine's own warning of a kind is kept, not doubled.
    const engine = { ...run, warnings: [{ kind: 'hidden' as const, message: 'engine says hidden' }] };
    expect(withPageWarnings(engine, { hidden: true, devtools: false, interferedBy: null }).warnings).toEqual(engine.warnings);
  });

  it('suspects docked developer tools from the window size', () => {
    expect(devtoolsSuspected({ outerWidth: 1366, innerWidth: 1366, outerHeight: 768, innerHeight: 680 })).toBe(false);
    expect(devtoolsSuspected({ outerWidth: 1366, innerWidth: 900, outerHeight: 768, innerHeight: 680 })).toBe(true);
    expect(devtoolsSuspected({ outerWidth: 1366, innerWidth: 1366, outerHeight: 768, innerHeight: 400 })).toBe(true);
  });
});

describe('views', () => {
  it('describes the environment a result was measured in', () => {
    expect(describeEnvironment(ENV)).toBe('Chromium 156, WebAssembly SIMD on 2 threads (cross-origin isolated), 2 cores, onnxruntime-web 1.30.0');
    expect(describeEnvironment({ ...ENV, threads: 1, requestedThreads: 4, crossOriginIsolated: false })).toContain('1 thread (not cross-origin isolated, so one thread, 4 asked)');
  });

  it('bins every series on the same ranges, as shares that sum to 1, slow outliers in the last bin', () => {
    const rows = latencyHistogram(
      [
        { key: 'a', samplesMs: [1, 1, 2, 3, 100], p50Ms: 2, p90Ms: 3, p99Ms: 3 },
        { key: 'b', samplesMs: [2, 2], p50Ms: 2, p90Ms: 2, p99Ms: 2 },
      ],
      4,
    );
    expect(rows).toHaveLength(4);
    const sum = (k: string): number => rows.reduce((s, r) => s + Number(r[k]), 0);
    expect(sum('a')).toBeCloseTo(1);
    expect(sum('b')).toBeCloseTo(1);
    expect(rows[0]?.fromMs).toBe(1);
    expect(rows[3]?.toMs).toBe(3);
    expect(rows[3]?.a).toBeCloseTo(0.4);
    expect(rows[3]?.label).toMatch(/\+$/);
    expect(latencyHistogram([])).toEqual([]);
    expect(latencyHistogram([{ key: 'c', samplesMs: [5, 5], p50Ms: 5, p90Ms: 5, p99Ms: 5 }])).toHaveLength(1);
  });

  it('ends the histogram before a long tail', () => {
    // Median 0.13 ms, p90 0.21 ms, p99 8.9 ms (timer and GC outliers on a tiny model): the body ends at 0.45 ms.
    expect(histogramTopMs({ p50Ms: 0.13, p90Ms: 0.21, p99Ms: 8.9 })).toBeCloseTo(0.45);
    expect(histogramTopMs({ p50Ms: 10, p90Ms: 11, p99Ms: 12 })).toBe(12);
    // A timer too coarse to tell p50 from p90 falls back to p99.
    expect(histogramTopMs({ p50Ms: 1, p90Ms: 1, p99Ms: 3 })).toBe(3);
  });

  it('names chart series by what tells them apart', () => {
    expect(entryLabels([entry('fp32', 1), entry('int8', 1)])).toEqual(['FP32 (original)', 'INT8']);
    expect(entryLabels([entry('fp32', 1), entry('fp32', 1, { threads: 1 })])).toEqual(['FP32 (original) · 2 threads', 'FP32 (original) · 1 thread']);
  });
});

describe('bench slice', () => {
  it('refuses to run without a model, and while another job runs, without starting a worker', async () => {
    await useStore.getState().runBenchmark();
    expect(useStore.getState().bench.status).toBe('idle');
    expect(useStore.getState().bench.error?.message).toBe('Load a model first.');
    const idle = useStore.getState();
    useStore.setState({ fp16: { ...idle.fp16, status: 'running' } });
    await useStore.getState().runBenchmark();
    expect(useStore.getState().bench.status).toBe('idle');
    expect(useStore.getState().bench.error?.message).toMatch(/Waiting for making the FP16 variant to finish/);
    useStore.setState({ fp16: idle.fp16 });
    useStore.getState().dismissBenchError();
    expect(useStore.getState().bench.error).toBeNull();
  });

  it('keeps settings within range', () => {
    const { setBenchSettings } = useStore.getState();
    setBenchSettings({ timeBudgetS: 0, threads: 99, latencyLimitMs: -5, variants: ['int8', 'fp32', 'int8'] });
    const s = useStore.getState().bench.settings;
    expect(s.timeBudgetS).toBe(1);
    expect(s.threads).toBe(useStore.getState().bench.platform.hardwareConcurrency);
    expect(s.latencyLimitMs).toBe(1);
    expect(s.variants).toEqual(['fp32', 'int8']);
  });

  it('drops results when the model changes, and a variant\'s rows when that variant is remade', () => {
    const rows = [entry('fp32', 10), entry('fp16', 12), entry('int8', 5)];
    const s0 = useStore.getState();
    useStore.setState({ bench: { ...s0.bench, status: 'done', results: rows } });
    useStore.setState({ int8: { ...s0.int8, download: { url: 'blob:x', fileName: 'm-int8.onnx', sizeBytes: 10 } } });
    expect(useStore.getState().bench.results.map((e) => e.variant)).toEqual(['fp32', 'fp16']);
    useStore.setState({ model: { ...s0.model, files: [new File([new Uint8Array(4)], 'other.onnx')] } });
    expect(useStore.getState().bench.results).toEqual([]);
    expect(useStore.getState().bench.status).toBe('idle');
  });
});
