// Benchmark slice: the Benchmark panel's settings, measuring each selected variant (FP32, FP16, INT8) one after the
// other on the bench worker, and the results, one per (variant, device, threads). The benchmark runs alone (busy.ts).
// A bench worker serves one thread count and device, so a new one replaces it when they change. Plain data only here.
import { isBigModel } from '../shared/files';
import { proxy } from 'comlink';
import type { StateCreator } from 'zustand';
import type { BenchApi, BenchRequest } from '../../workers/bench-api';
import type { WorkerClient } from '../../workers/client';
import { createBenchClient } from '../../workers/clients';
import type { BenchOptions } from '../runtime/bench-types';
import type { Device } from '../runtime/session';
import { QbError, toQbError, type QbErrorData } from '../shared/errors';
import {
  benchKey,
  benchPlan,
  BENCH_VARIANTS,
  clampThreads,
  currentPlatform,
  defaultSettings,
  devtoolsSuspected,
  fixedBatch,
  LATENCY_LIMIT_MAX_MS,
  LATENCY_LIMIT_MIN_MS,
  SWEEP_BATCHES,
  TIME_BUDGET_MAX_S,
  TIME_BUDGET_MIN_S,
  upsertEntry,
  VARIANT_LABEL,
  withPageWarnings,
  type BenchAvailability,
  type BenchEntry,
  type BenchSettings,
  type BenchVariant,
  type PageFlags,
  type Platform,
} from './bench-view';
import { benchBlockedReason, runningJobs } from './busy';
import { int8VariantFile } from './int8-slice';
import { fp16VariantFile } from './optimize-slice';
import { progressTracker, type ProgressView } from './progress-view';
import type { AppState, JobStatus } from './store';

export type { BenchEntry, BenchSettings, BenchVariant };

/** A variant that could not be measured in the last run, and why. */
export interface BenchFailure {
  variant: BenchVariant;
  device: Device;
  error: QbErrorData;
}

export interface BenchState {
  status: JobStatus;
  settings: BenchSettings;
  /** Threads the thread picker offers (1..cores) and whether they can really be used. */
  platform: Platform;
  /** The variant being measured now: `index` (0-based) of `count`. */
  current: { variant: BenchVariant; index: number; count: number } | null;
  progress: ProgressView | null;
  /** One per (variant, device, threads), in the order first measured; a re-run replaces its entry. */
  results: BenchEntry[];
  /** Variants of the last run that failed or were left out (e.g. FP16 on a GPU without shader-f16). */
  failures: BenchFailure[];
  /** Why the last run could not start (another job runs, nothing to measure). */
  error: QbErrorData | null;
}

export interface BenchSlice {
  bench: BenchState;
  /** Changes settings (ignored while a run is going: the panel's fields are locked then). */
  setBenchSettings(patch: Partial<BenchSettings>): void;
  /** Measures each selected variant that exists, one after the other. Refuses while another job runs. */
  runBenchmark(): Promise<void>;
  /** Stops the run now; variants already measured keep their results, and the next run starts clean. */
  cancelBenchmark(): void;
  clearBenchResults(): void;
  dismissBenchError(): void;
}

let client: WorkerClient<BenchApi> | undefined;
let clientKey = '';
let benchAbort: AbortController | undefined;

/** The bench worker for this device and thread count: onnxruntime-web fixes its threads at start-up. */
function clientFor(device: Device, threads: number): WorkerClient<BenchApi> {
  const key = `${device}|${threads}`;
  if (client !== undefined && key === clientKey) return client;
  client?.terminate();
  const next = createBenchClient(threads, device);
  client = next;
  clientKey = key;
  return next;
}

/** Stops the bench worker (frees its memory); the next run makes a new one. */
function dropClient(): void {
  client?.terminate();
  client = undefined;
  clientKey = '';
}

/** The files of a variant as they are now: the loaded model, or the FP16 / INT8 variant file. */
function variantFiles(state: Pick<AppState, 'model'>, variant: BenchVariant): File[] {
  if (variant === 'fp32') return state.model.card !== null ? state.model.files : [];
  const file = variant === 'fp16' ? fp16VariantFile() : int8VariantFile();
  return file !== null ? [file] : [];
}

/** Which variants exist now and what WebGPU can take, from state and the variants' files. */
export function benchAvailability(state: Pick<AppState, 'model' | 'runtime'>): BenchAvailability {
  const gpu = state.runtime.info?.webgpu;
  const variants = Object.fromEntries(BENCH_VARIANTS.map((v) => [v, variantFiles(state, v).length > 0])) as Record<BenchVariant, boolean>;
  return {
    variants,
    webgpu: {
      available: gpu?.available === true,
      shaderF16: gpu?.shaderF16 === true,
      reason: gpu === undefined ? 'The inference engine check has not finished yet.' : gpu.reason,
    },
  };
}

/** Watches the tab while a variant is measured: hidden at any moment, developer tools, another job starting. */
function watchPage(): { flags: () => PageFlags; reset: () => void; interfered: (job: string) => void; stop: () => void } {
  const hasDom = typeof document !== 'undefined' && typeof window !== 'undefined';
  const hiddenNow = (): boolean => hasDom && document.visibilityState === 'hidden';
  const devtoolsNow = (): boolean => hasDom && devtoolsSuspected(window);
  let hidden = hiddenNow();
  let devtools = devtoolsNow();
  let interferedBy: string | null = null;
  const onVisibility = (): void => {
    if (hiddenNow()) hidden = true;
  };
  if (hasDom) document.addEventListener('visibilitychange', onVisibility);
  return {
    flags: () => ({ hidden: hidden || hiddenNow(), devtools: devtools || devtoolsNow(), interferedBy }),
    reset: () => {
      hidden = hiddenNow();
      devtools = devtoolsNow();
      interferedBy = null;
    },
    interfered: (job) => {
      interferedBy ??= job;
    },
    stop: () => {
      if (hasDom) document.removeEventListener('visibilitychange', onVisibility);
    },
  };
}

let page: ReturnType<typeof watchPage> | undefined;

/** Keeps a setting within what the panel offers. */
function cleanSettings(s: BenchSettings, platform: Platform): BenchSettings {
  const within = (v: number, lo: number, hi: number, fallback: number): number => (Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : fallback);
  return {
    variants: BENCH_VARIANTS.filter((v) => s.variants.includes(v)),
    device: s.device,
    threads: clampThreads(s.threads, platform),
    timeBudgetS: within(s.timeBudgetS, TIME_BUDGET_MIN_S, TIME_BUDGET_MAX_S, 3),
    sweep: s.sweep,
    latencyLimitMs: within(s.latencyLimitMs, LATENCY_LIMIT_MIN_MS, LATENCY_LIMIT_MAX_MS, 100),
  };
}

export const createBenchSlice: StateCreator<AppState, [], [], BenchSlice> = (set, get, store) => {
  const setBench = (patch: Partial<BenchState>): void => set((s) => ({ bench: { ...s.bench, ...patch } }));
  const platform = currentPlatform();

  // Results belong to the files they measured: a new model drops them all, a new or dropped FP16 / INT8 variant
  // drops that variant's rows. Another job starting mid-run is recorded against the variant being measured.
  store.subscribe((s, prev) => {
    if (s.model.files !== prev.model.files && s.model.files.length > 0) {
      benchAbort?.abort();
      benchAbort = undefined;
      dropClient();
      if (s.bench.results.length > 0 || s.bench.status !== 'idle') setBench({ status: 'idle', current: null, progress: null, results: [], failures: [], error: null });
      return;
    }
    const gone = new Set<BenchVariant>();
    if (s.fp16.download !== prev.fp16.download) gone.add('fp16');
    if (s.int8.download !== prev.int8.download) gone.add('int8');
    if (gone.size > 0 && s.bench.results.some((e) => gone.has(e.variant))) setBench({ results: s.bench.results.filter((e) => !gone.has(e.variant)) });
    if (s.bench.status === 'running') {
      const jobs = runningJobs(s);
      if (jobs.length > 0 && runningJobs(prev).length === 0) page?.interfered(jobs.join(' and '));
    }
  });

  return {
    bench: { status: 'idle', settings: defaultSettings(platform), platform, current: null, progress: null, results: [], failures: [], error: null },

    setBenchSettings(patch) {
      const { bench } = get();
      if (bench.status === 'running') return;
      const settings = cleanSettings({ ...bench.settings, ...patch }, bench.platform);
      // A worker serves one device and thread count: free the old one now rather than at the next run.
      if (settings.device !== bench.settings.device || settings.threads !== bench.settings.threads) dropClient();
      setBench({ settings });
    },

    async runBenchmark() {
      const state = get();
      if (state.bench.status === 'running') return;
      const blocked = benchBlockedReason(state);
      if (blocked !== null) {
        setBench({ error: new QbError('unsupported', blocked).toData() });
        return;
      }
      const settings = state.bench.settings;
      const plan = benchPlan(settings, benchAvailability(state));
      // Variants the device cannot take (plan.skipped) are shown unchecked with their reason in the panel.
      if (plan.run.length === 0) {
        const available = benchAvailability(state).variants;
        const message =
          state.model.card === null
            ? 'Load a model first.'
            : settings.variants.some((v) => available[v])
              ? 'None of the chosen variants can run on this device.'
              : 'Choose at least one variant to measure.';
        setBench({ failures: [], error: new QbError('unsupported', message).toData() });
        return;
      }
      // A fixed batch dimension leaves nothing to sweep (the panel says so and locks the option).
      const sweep = settings.sweep && state.model.card !== null && fixedBatch(state.model.card.inputs) === null;

      benchAbort?.abort();
      const abort = new AbortController();
      benchAbort = abort;
      const bench = clientFor(settings.device, settings.threads);
      const watch = watchPage();
      page = watch;
      setBench({ status: 'running', current: null, progress: null, failures: [], error: null });
      const failures: BenchFailure[] = [];
      try {
        for (const [index, variant] of plan.run.entries()) {
          const files = variantFiles(get(), variant);
          if (files.length === 0) continue;
          watch.reset();
          setBench({ current: { variant, index, count: plan.run.length }, progress: null });
          const onProgress = progressTracker((view) => {
            if (benchAbort === abort) setBench({ progress: view });
          });
          const flags = watch.flags();
          // The worker cannot see the page: the flags at the start go to the engine, and withPageWarnings adds
          // what happened during the run (the tab hidden later, another job starting).
          const options: BenchOptions = {
            device: settings.device,
            batch: 1,
            timeBudgetMs: settings.timeBudgetS * 1000,
            pageHidden: flags.hidden,
            devtoolsSuspected: flags.devtools,
          };
          const request: BenchRequest = {
            model: files,
            options,
            ...(sweep ? { sweep: { batches: [...SWEEP_BATCHES], latencyLimitMs: settings.latencyLimitMs } } : {}),
          };
          try {
            const result = await bench.run(async (api, jobId) => {
              await api.init(settings.threads);
              return api.bench(jobId, request, proxy(onProgress));
            }, abort.signal, { recycle: isBigModel(files) });
            if (benchAbort !== abort) return;
            // The variant was remade or dropped while it was measured: these numbers describe a file that is gone.
            if (variantFiles(get(), variant)[0] !== files[0]) continue;
            const entry: BenchEntry = {
              key: benchKey(variant, settings.device, settings.threads),
              variant,
              fileName: files[0]?.name ?? VARIANT_LABEL[variant],
              device: settings.device,
              threads: settings.threads,
              result: { ...result, run: withPageWarnings(result.run, watch.flags()) },
            };
            setBench({ results: upsertEntry(get().bench.results, entry) });
          } catch (err) {
            if (benchAbort !== abort) return;
            const e = toQbError(err);
            if (e.code === 'cancelled') throw e;
            // One variant failing (e.g. an op WebGPU lacks) does not stop the others.
            failures.push({ variant, device: settings.device, error: e.toData() });
            setBench({ failures: [...failures] });
          }
        }
        if (benchAbort !== abort) return;
        benchAbort = undefined;
        const { results } = get().bench;
        setBench({ status: results.length > 0 ? 'done' : failures.length > 0 ? 'error' : 'idle', current: null, progress: null });
      } catch (err) {
        if (benchAbort !== abort) return;
        benchAbort = undefined;
        const e = toQbError(err);
        const { results } = get().bench;
        setBench({ status: results.length > 0 ? 'done' : 'idle', current: null, progress: null, error: e.code === 'cancelled' ? null : e.toData() });
      } finally {
        watch.stop();
        if (page === watch) page = undefined;
      }
    },

    cancelBenchmark() {
      // Settles the panel at once; the worker client stops the job (cooperatively, else by restarting the worker),
      // and the aborted job's late answer is ignored because benchAbort moved on.
      benchAbort?.abort();
      benchAbort = undefined;
      setBench({ status: get().bench.results.length > 0 ? 'done' : 'idle', current: null, progress: null });
    },

    clearBenchResults() {
      if (get().bench.status === 'running') return;
      setBench({ status: 'idle', results: [], failures: [], error: null });
    },

    dismissBenchError() {
      setBench({ error: null, failures: [] });
    },
  };
};
