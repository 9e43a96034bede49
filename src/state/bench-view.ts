// Pure parts of the benchmark: variant names, result keys, what a run plan includes, speed-up and size against FP32,
// warnings only the page can see, the environment sentence and the latency histogram the charts draw.
import type { BenchResult } from '../../workers/bench-api';
import type { BenchEnvironment, BenchRun, BenchWarning } from '../runtime/bench-types';
import type { Device } from '../runtime/session';

export type BenchVariant = 'fp32' | 'fp16' | 'int8';

/** Variants in the order they run and are listed. */
export const BENCH_VARIANTS: readonly BenchVariant[] = ['fp32', 'fp16', 'int8'];

export const VARIANT_LABEL: Record<BenchVariant, string> = { fp32: 'FP32 (original)', fp16: 'FP16', int8: 'INT8' };

export const DEVICE_LABEL: Record<Device, string> = { wasm: 'CPU (WebAssembly)', webgpu: 'WebGPU' };

/** What the user chose in the Benchmark panel. */
export interface BenchSettings {
  /** Variants to include (each runs only when it exists). */
  variants: BenchVariant[];
  device: Device;
  /** Threads asked of onnxruntime-web, 1..hardwareConcurrency. */
  threads: number;
  /** Timed runs per variant after warm-up, seconds. */
  timeBudgetS: number;
  /** Also try larger batches (models with a free batch dimension). */
  sweep: boolean;
  /** The sweep's sweet spot keeps the median latency under this, ms. */
  latencyLimitMs: number;
}

/** One measured (variant, device, threads): the key, the file it measured, and the worker's result. */
export interface BenchEntry {
  key: string;
  variant: BenchVariant;
  fileName: string;
  device: Device;
  /** Threads asked for (part of the key); result.run.env.threads is what onnxruntime-web really used. */
  threads: number;
  result: BenchResult;
}

/** Batch sizes the sweep tries. */
export const SWEEP_BATCHES: readonly number[] = [1, 2, 4, 8, 16, 32];

export const TIME_BUDGET_MIN_S = 1;
export const TIME_BUDGET_MAX_S = 60;
export const LATENCY_LIMIT_MIN_MS = 1;
export const LATENCY_LIMIT_MAX_MS = 60_000;

/** The key results are stored under: one entry per (variant, device, threads), a re-run replaces it. */
export function benchKey(variant: BenchVariant, device: Device, threads: number): string {
  return `${variant}|${device}|${threads}`;
}

/** Adds an entry, replacing the one with the same key in place (so a re-run keeps its row), else appending it. */
export function upsertEntry(entries: readonly BenchEntry[], entry: BenchEntry): BenchEntry[] {
  const at = entries.findIndex((e) => e.key === entry.key);
  if (at < 0) return [...entries, entry];
  return entries.map((e, i) => (i === at ? entry : e));
}

/** Where the page runs: what the thread choice depends on. */
export interface Platform {
  hardwareConcurrency: number;
  crossOriginIsolated: boolean;
}

/** The platform of this page (one core and no isolation in Node, where tests run). */
export function currentPlatform(): Platform {
  const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : undefined;
  return {
    hardwareConcurrency: typeof cores === 'number' && cores >= 1 ? Math.floor(cores) : 1,
    crossOriginIsolated: typeof crossOriginIsolated === 'boolean' ? crossOriginIsolated : false,
  };
}

/** All cores when the page is cross-origin isolated; 1 otherwise, as onnxruntime-web cannot use threads then. */
export function defaultThreads(p: Platform): number {
  return p.crossOriginIsolated ? Math.max(1, p.hardwareConcurrency) : 1;
}

/** Keeps a thread count within 1..hardwareConcurrency (a whole number). */
export function clampThreads(threads: number, p: Platform): number {
  if (!Number.isFinite(threads)) return defaultThreads(p);
  return Math.min(Math.max(1, p.hardwareConcurrency), Math.max(1, Math.round(threads)));
}

export function defaultSettings(p: Platform): BenchSettings {
  return { variants: [...BENCH_VARIANTS], device: 'wasm', threads: defaultThreads(p), timeBudgetS: 3, sweep: false, latencyLimitMs: 100 };
}

/** What exists to measure now, and what the chosen device can take. */
export interface BenchAvailability {
  variants: Record<BenchVariant, boolean>;
  webgpu: { available: boolean; shaderF16: boolean; reason: string };
}

/** A variant the run leaves out, and why in plain words. */
export interface BenchSkip {
  variant: BenchVariant;
  reason: string;
}

/** Why a variant cannot run with these settings, or null when it can (it may still be unchecked). */
export function variantBlocked(variant: BenchVariant, device: Device, a: BenchAvailability): string | null {
  if (!a.variants[variant]) {
    if (variant === 'fp32') return 'Load a model first.';
    return `Make the ${VARIANT_LABEL[variant]} variant in its panel above to include it.`;
  }
  if (device === 'webgpu' && !a.webgpu.available) return a.webgpu.reason || 'WebGPU is not available in this browser.';
  // The default build of onnxruntime-web returns zeros for FP16 on such a GPU instead of failing (architecture.md).
  if (device === 'webgpu' && variant === 'fp16' && !a.webgpu.shaderF16) return 'This GPU has no 16-bit float support (shader-f16), so FP16 cannot run on it.';
  return null;
}

/** The variants a run measures, in order, and the checked ones it must leave out. */
export function benchPlan(settings: Pick<BenchSettings, 'variants' | 'device'>, a: BenchAvailability): { run: BenchVariant[]; skipped: BenchSkip[] } {
  const run: BenchVariant[] = [];
  const skipped: BenchSkip[] = [];
  for (const v of BENCH_VARIANTS) {
    if (!settings.variants.includes(v)) continue;
    const reason = variantBlocked(v, settings.device, a);
    if (reason === null) run.push(v);
    else if (a.variants[v]) skipped.push({ variant: v, reason });
  }
  return { run, skipped };
}

/** The FP32 entry measured with the same device and threads: speed is compared only like for like. */
export function speedBaseline(entry: BenchEntry, entries: readonly BenchEntry[]): BenchEntry | undefined {
  return entries.find((e) => e.variant === 'fp32' && e.device === entry.device && e.threads === entry.threads);
}

/** An FP32 entry of any device: the file size does not depend on where it runs. */
export function sizeBaseline(entries: readonly BenchEntry[]): BenchEntry | undefined {
  return entries.find((e) => e.variant === 'fp32');
}

/** How many times faster than the baseline at the median (p50): above 1 is faster, below 1 slower. */
export function speedUp(entry: BenchEntry, baseline: BenchEntry): number {
  return baseline.result.run.latency.p50Ms / entry.result.run.latency.p50Ms;
}

/** File size as a fraction of the baseline's. */
export function sizeRatio(entry: BenchEntry, baseline: BenchEntry): number {
  return entry.result.size.bytes / baseline.result.size.bytes;
}

export type SpeedTone = 'baseline' | 'faster' | 'same' | 'slower';

/**
 * "1.92x (faster)", "0.80x (slower)". Rounds down, so a slower variant never reads as 1.00x or more, and a
 * variant within half a percent reads "1.00x (same)".
 */
export function describeSpeedUp(x: number, isBaseline = false): { text: string; tone: SpeedTone } {
  if (isBaseline) return { text: '1.00x (baseline)', tone: 'baseline' };
  // The epsilon keeps binary fractions (1.15 * 100 = 114.999…) from rounding a true 1.15 down to 1.14.
  const down = Math.floor(x * 100 + 1e-9) / 100;
  if (x < 1) return { text: `${Math.min(down, 0.99).toFixed(2)}x (slower)`, tone: 'slower' };
  if (down <= 1) return { text: '1.00x (same)', tone: 'same' };
  return { text: `${down.toFixed(2)}x (faster)`, tone: 'faster' };
}

/** What the page saw while a variant was measured (the worker cannot see it). */
export interface PageFlags {
  /** The tab was hidden at some point: browsers throttle background tabs. */
  hidden: boolean;
  /** The window is much larger than its page: developer tools are probably docked open. */
  devtools: boolean;
  /** Another job that started meanwhile (in plain words), or null. */
  interferedBy: string | null;
}

/** Window larger than the page by more than this (px) on either axis suggests docked developer tools. */
const DEVTOOLS_GAP_PX = 160;

export function devtoolsSuspected(w: { outerWidth: number; innerWidth: number; outerHeight: number; innerHeight: number }): boolean {
  return w.outerWidth - w.innerWidth > DEVTOOLS_GAP_PX || w.outerHeight - w.innerHeight > DEVTOOLS_GAP_PX;
}

/** Adds the warnings only the page can know of, unless the engine already gave one of that kind. */
export function withPageWarnings(run: BenchRun, flags: PageFlags): BenchRun {
  const add: BenchWarning[] = [];
  const has = (kind: BenchWarning['kind']): boolean => run.warnings.some((w) => w.kind === kind);
  if (flags.hidden && !has('hidden')) add.push({ kind: 'hidden', message: 'The tab was in the background during the benchmark. Browsers slow background tabs down, so these numbers are too slow: keep the tab in front and run it again.' });
  if (flags.devtools && !has('devtools')) add.push({ kind: 'devtools', message: 'The developer tools seem to be open. They slow the page down: close them and run the benchmark again.' });
  if (flags.interferedBy !== null) add.push({ kind: 'noisy', message: `Another job (${flags.interferedBy}) started during the benchmark and shared the processor: run the benchmark again once it has finished.` });
  return add.length === 0 ? run : { ...run, warnings: [...run.warnings, ...add] };
}

/** "Chromium 156, 2 threads (cross-origin isolated), WebAssembly SIMD, 2 cores". */
export function describeEnvironment(env: BenchEnvironment): string {
  const threads = `${env.threads} ${env.threads === 1 ? 'thread' : 'threads'}`;
  const asked = env.requestedThreads !== env.threads ? `, ${env.requestedThreads} asked` : '';
  const isolation = env.crossOriginIsolated ? 'cross-origin isolated' : 'not cross-origin isolated, so one thread';
  // onnxruntime-web 1.30 ships SIMD builds only: a wasm run is a SIMD run.
  const ep = env.ep === 'webgpu' ? `WebGPU${env.adapter ? ` (${env.adapter})` : ''}, CPU ops on` : 'WebAssembly SIMD on';
  const cores = `${env.hardwareConcurrency} ${env.hardwareConcurrency === 1 ? 'core' : 'cores'}`;
  return `${env.browser}, ${ep} ${threads} (${isolation}${asked}), ${cores}, onnxruntime-web ${env.ortVersion}`;
}

/** One histogram bar: its range and, per series key, the share of that series' runs in it (0..1). */
export type HistogramRow = { fromMs: number; toMs: number; label: string } & Record<string, number | string>;

/** Where a series' histogram range ends: p99, or closer in when a long tail would squash the body (p50 + 4 × (p90 − p50)). */
export function histogramTopMs(s: { p50Ms: number; p90Ms: number; p99Ms: number }): number {
  const body = s.p50Ms + 4 * (s.p90Ms - s.p50Ms);
  return body > s.p50Ms ? Math.min(s.p99Ms, body) : s.p99Ms;
}

/**
 * Shares of runs per latency bin for several series on one shared set of bins, from the fastest run to the furthest
 * histogramTopMs; slower runs count in the last bin (its label ends in "+"), so a long tail cannot squash the chart.
 */
export function latencyHistogram(series: readonly { key: string; samplesMs: readonly number[]; p50Ms: number; p90Ms: number; p99Ms: number }[], binCount = 24): HistogramRow[] {
  const all = series.flatMap((s) => s.samplesMs);
  if (all.length === 0 || binCount < 1) return [];
  const lo = Math.min(...all);
  const hi = Math.max(lo, ...series.map(histogramTopMs));
  const width = hi > lo ? (hi - lo) / binCount : 1;
  const bins = hi > lo ? binCount : 1;
  const digits = width >= 10 ? 0 : width >= 1 ? 1 : 2;
  const rows: HistogramRow[] = [];
  for (let i = 0; i < bins; i++) {
    const fromMs = lo + i * width;
    const toMs = fromMs + width;
    const last = i === bins - 1;
    rows.push({ fromMs, toMs, label: last ? `${fromMs.toFixed(digits)}+` : fromMs.toFixed(digits) });
  }
  for (const s of series) {
    const counts = new Array<number>(bins).fill(0);
    for (const ms of s.samplesMs) {
      const i = Math.min(bins - 1, Math.max(0, Math.floor((ms - lo) / width)));
      counts[i] = (counts[i] ?? 0) + 1;
    }
    const n = s.samplesMs.length;
    counts.forEach((c, i) => {
      const row = rows[i];
      if (row !== undefined) row[s.key] = n > 0 ? c / n : 0;
    });
  }
  return rows;
}

/**
 * Chart names of the entries: the variant alone when all share a device and thread count, else with them
 * ("INT8 · WebGPU", "FP32 (original) · 4 threads").
 */
export function entryLabels(entries: readonly BenchEntry[]): string[] {
  const devices = new Set(entries.map((e) => e.device));
  const threads = new Set(entries.map((e) => e.threads));
  return entries.map((e) => {
    const parts = [VARIANT_LABEL[e.variant]];
    if (devices.size > 1) parts.push(e.device === 'wasm' ? 'CPU' : 'WebGPU');
    if (threads.size > 1) parts.push(`${e.threads} ${e.threads === 1 ? 'thread' : 'threads'}`);
    return parts.join(' · ');
  });
}

/** The batch size a model fixes in its first input's first dimension, or null when it is free (a name, unknown). */
export function fixedBatch(inputs: readonly { shape: readonly (number | string | null)[] | null }[]): number | null {
  const first = inputs[0]?.shape?.[0];
  return typeof first === 'number' && first > 0 ? first : null;
}

/** "input float32 1×3×32×32": what the timed runs were fed, or null for results without it. */
export function describeInputs(inputs: BenchRun['inputs']): string | null {
  if (inputs === undefined || inputs.length === 0) return null;
  return inputs.map((i) => `${i.name} ${i.type} ${i.dims.join('×')}`).join(', ');
}
