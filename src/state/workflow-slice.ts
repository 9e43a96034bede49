// The one-button Optimize run: FP16 and INT8 variants (their slices), each measured on the dataset against FP32,
// then all benchmarked side by side; the results become a RunReport that Compare shows and the project keeps.
// Each stage is the slice's own job (same workers, same progress), so Cancel stops whichever is running.
import type { StateCreator } from 'zustand';
import type { EvalReport } from '../data/types';
import { toQbError, QbError } from '../shared/errors';
import { currentPlatform } from './bench-view';
import { evaluateVariants } from './dataset-slice';
import { int8Labelled, int8Source, int8VariantFile } from './int8-slice';
import { fp16VariantFile } from './optimize-slice';
import { progressTracker } from './progress-view';
import { buildRunReport } from './report/build';
import type { RunInputs, RunReport, VariantId } from './report/types';
import { runningJobs } from './busy';
import type { AppState } from './store';
import { defaultChoices, optimizePlan } from './workflow-plan';
import type { OptimizeChoices, OptimizePlan, VariantDownload, WorkflowStage, WorkflowState } from './workflow-types';
import type { Int8Choices } from './int8-slice';

export interface WorkflowSlice {
  workflow: WorkflowState;
  /** The Advanced panel's choices; null = the defaults for this model and browser. */
  optimizeChoices: OptimizeChoices | null;
  setOptimizeChoices(patch: Partial<OptimizeChoices>): void;
  setOptimizeInt8(patch: Partial<Int8Choices>): void;
  resetOptimizeChoices(): void;
  /** Makes the variants, measures and benchmarks them, and shows the result in Compare (and saves it). */
  runOptimize(): Promise<void>;
  /** Stops the run at once; finished stages keep their variants, the app stays usable. */
  cancelOptimize(): void;
  /** Shows a (saved) run in Compare with its variant files. */
  showRun(report: RunReport, runId: string | null, files: Partial<Record<VariantId, Blob>>): void;
  setPresenting(on: boolean): void;
  dismissWorkflowError(): void;
}

const IDLE: WorkflowState = { status: 'idle', stages: [], current: 0, progress: null, startedAtMs: 0, report: null, runId: null, downloads: {}, presenting: false, error: null };

let runAbort: AbortController | undefined;
let urls: string[] = [];

function dropUrls(): void {
  for (const u of urls) URL.revokeObjectURL(u);
  urls = [];
}

function downloadFor(blob: Blob, fileName: string): VariantDownload {
  const url = URL.createObjectURL(blob);
  urls.push(url);
  return { url, fileName, sizeBytes: blob.size };
}

/** The plan for the current state (the UI shows it above the button). Null without a model. */
export function currentPlan(s: AppState): OptimizePlan | null {
  const card = s.model.card;
  if (card === null) return null;
  const platform = currentPlatform();
  const jobs = runningJobs(s);
  return optimizePlan({
    card,
    runtime: s.runtime.info,
    platform,
    choices: s.optimizeChoices ?? defaultChoices(platform),
    source: int8Source(s),
    hasDataset: int8Source(s).kind !== 'none',
    labelled: int8Labelled(s),
    busy: s.workflow.status === 'running' ? 'the Optimize run' : s.bench.status === 'running' ? 'the benchmark' : jobs.length > 0 ? jobs.join(' and ') : null,
  });
}

/** The data source in words for the report: the folder name of the first image path, when there is one. */
function datasetFacts(s: AppState): RunInputs['dataset'] {
  const d = s.dataset;
  const source = int8Source(s);
  if (source.kind === 'none') return { kind: 'none', samples: 0, labelled: 0, labelFiles: [], source: null };
  if (source.kind === 'demo') return { kind: 'images', samples: source.count, labelled: source.count, labelFiles: [], source: null };
  // The demo's images are served with the app: there is no folder on disk to name in the CLI command.
  const demo = s.demo.modelFile !== null && s.model.files[0] === s.demo.modelFile;
  const items = d.inputKind === 'images' ? d.images : d.samples;
  const folder = d.inputKind === 'images' ? (d.images[0]?.path.split('/')[0] ?? null) : null;
  return {
    kind: d.inputKind,
    samples: source.count,
    labelled: items.filter((i) => i.label >= 0).length,
    labelFiles: [...d.labelFiles],
    source: !demo && folder !== null && d.images[0]?.path.includes('/') ? folder : null,
  };
}

export const createWorkflowSlice: StateCreator<AppState, [], [], WorkflowSlice> = (set, get, store) => {
  const setWorkflow = (patch: Partial<WorkflowState>): void => set((s) => ({ workflow: { ...s.workflow, ...patch } }));

  // A new model: its defaults apply again, and a run of another model is no longer "the" result (a reopened
  // project shows its own last run again right after its model loads).
  store.subscribe((s, prev) => {
    if (s.model.files !== prev.model.files && s.model.files.length > 0 && s.model.card !== null) {
      if (s.optimizeChoices !== null) set({ optimizeChoices: null });
      if (s.workflow.report !== null && s.workflow.status !== 'running') {
        dropUrls();
        setWorkflow({ report: null, runId: null, downloads: {}, presenting: false });
      }
    }
  });

  return {
    workflow: IDLE,
    optimizeChoices: null,

    setOptimizeChoices(patch) {
      if (get().workflow.status === 'running') return;
      set((s) => ({ optimizeChoices: { ...(s.optimizeChoices ?? defaultChoices(currentPlatform())), ...patch } }));
    },

    setOptimizeInt8(patch) {
      if (get().workflow.status === 'running') return;
      set((s) => {
        const base = s.optimizeChoices ?? defaultChoices(currentPlatform());
        return { optimizeChoices: { ...base, int8: { ...base.int8, ...patch } } };
      });
    },

    resetOptimizeChoices() {
      set({ optimizeChoices: null });
    },

    async runOptimize() {
      const plan = currentPlan(get());
      if (plan === null || plan.blocked !== null) {
        if (plan?.blocked) setWorkflow({ error: new QbError('unsupported', plan.blocked).toData() });
        return;
      }
      const { choices } = plan;
      const card = get().model.card!;
      runAbort?.abort();
      const abort = new AbortController();
      runAbort = abort;
      const stages: WorkflowStage[] = [];
      if (choices.makeFp16) stages.push('fp16');
      if (choices.makeInt8 && !card.quantization.quantized) stages.push('int8');
      const source = int8Source(get());
      if (choices.evaluate && source.kind === 'dataset') stages.push('evaluate');
      stages.push('bench', 'save');
      setWorkflow({ status: 'running', stages, current: 0, progress: null, startedAtMs: performance.now(), error: null, presenting: false });
      const problems: string[] = [];
      if (choices.makeInt8 && card.quantization.quantized) problems.push('INT8: the model is already quantized, so no INT8 variant was made.');
      const evaluation: Record<VariantId, EvalReport | null> = { fp32: null, fp16: null, int8: null };
      const cancelled = (): boolean => runAbort !== abort || abort.signal.aborted;

      try {
        for (const [index, stage] of stages.entries()) {
          if (cancelled()) return;
          setWorkflow({ current: index, progress: null });
          if (stage === 'fp16') {
            await get().makeFp16();
            if (cancelled()) return;
            const f = get().fp16;
            if (f.status === 'error' && f.error !== null) problems.push(`FP16 could not be made: ${f.error.message}`);
          } else if (stage === 'int8') {
            await get().makeInt8({ ...choices.int8, mode: plan.int8Mode });
            if (cancelled()) return;
            const i = get().int8;
            if (i.status === 'error' && i.error !== null) problems.push(`INT8 could not be made: ${i.error.message}`);
          } else if (stage === 'evaluate') {
            const made: { id: VariantId; file: File }[] = [];
            const fp16 = fp16VariantFile();
            const int8 = int8VariantFile();
            if (fp16 !== null && stages.includes('fp16')) made.push({ id: 'fp16', file: fp16 });
            if (int8 !== null && stages.includes('int8')) made.push({ id: 'int8', file: int8 });
            const onProgress = progressTracker((view) => {
              if (!cancelled()) setWorkflow({ progress: view });
            });
            try {
              const result = await evaluateVariants(get(), made.map((m) => [m.file]), abort.signal, onProgress);
              if (cancelled()) return;
              if (result !== null) {
                evaluation.fp32 = result.report;
                made.forEach((m, k) => (evaluation[m.id] = result.variantReports[k] ?? null));
              }
            } catch (err) {
              if (cancelled()) return;
              const e = toQbError(err);
              if (e.code === 'cancelled') return;
              problems.push(`Measuring on your data failed: ${e.message}`);
            }
          } else if (stage === 'bench') {
            const variants = (['fp32', 'fp16', 'int8'] as const).filter((v) => v === 'fp32' || (v === 'fp16' ? fp16VariantFile() !== null && stages.includes('fp16') : int8VariantFile() !== null && stages.includes('int8')));
            get().setBenchSettings({ variants: [...variants], device: plan.device, threads: choices.threads, timeBudgetS: choices.benchTimeS, sweep: false });
            await get().runBenchmark();
            if (cancelled()) return;
            const b = get().bench;
            if (b.error !== null) problems.push(`The benchmark could not run: ${b.error.message}`);
            for (const f of b.failures) problems.push(`${f.variant.toUpperCase()} could not be benchmarked: ${f.error.message}`);
          } else {
            const s = get();
            const bs = s.bench.settings;
            const fp16 = s.fp16.result !== null && s.fp16.download !== null && stages.includes('fp16') ? s.fp16 : null;
            const int8 = s.int8.result !== null && s.int8.download !== null && stages.includes('int8') ? s.int8 : null;
            const inputs: RunInputs = {
              id: crypto.randomUUID(),
              createdAt: new Date().toISOString(),
              card,
              dataset: datasetFacts(s),
              fp16: fp16 !== null ? { fileName: fp16.download!.fileName, sizeBytes: fp16.download!.sizeBytes, result: fp16.result! } : null,
              int8: int8 !== null ? { fileName: int8.download!.fileName, sizeBytes: int8.download!.sizeBytes, outcome: int8.result! } : null,
              bench: s.bench.results.filter((e) => e.device === bs.device && e.threads === bs.threads && bs.variants.includes(e.variant)),
              benchSettings: { device: bs.device, threads: bs.threads, timeBudgetS: bs.timeBudgetS },
              evaluation,
              problems,
            };
            const report = buildRunReport(inputs);
            const files: Partial<Record<VariantId, Blob>> = {};
            const model = s.model.files.find((f) => /\.onnx$/i.test(f.name)) ?? s.model.files[0];
            if (model !== undefined && s.model.files.length === 1) files.fp32 = model;
            const fp16File = fp16VariantFile();
            const int8File = int8VariantFile();
            if (inputs.fp16 !== null && fp16File !== null) files.fp16 = fp16File;
            if (inputs.int8 !== null && int8File !== null) files.int8 = int8File;
            let runId: string | null = null;
            try {
              runId = await get().saveRunToProject(report, files);
            } catch (err) {
              report.problems.push(`The results could not be saved in this browser: ${toQbError(err).message}`);
            }
            if (cancelled()) return;
            get().showRun(report, runId, files);
          }
        }
        runAbort = undefined;
        setWorkflow({ status: 'done', progress: null });
      } catch (err) {
        if (cancelled()) return;
        runAbort = undefined;
        const e = toQbError(err);
        setWorkflow({ status: e.code === 'cancelled' ? 'idle' : 'error', progress: null, error: e.code === 'cancelled' ? null : e.toData() });
      }
    },

    cancelOptimize() {
      const { workflow } = get();
      if (workflow.status !== 'running') return;
      runAbort?.abort();
      runAbort = undefined;
      const stage = workflow.stages[workflow.current];
      if (stage === 'fp16') get().cancelFp16();
      else if (stage === 'int8') get().cancelInt8();
      else if (stage === 'bench') get().cancelBenchmark();
      setWorkflow({ status: 'idle', progress: null });
    },

    showRun(report, runId, files) {
      dropUrls();
      const downloads: Partial<Record<VariantId, VariantDownload>> = {};
      for (const v of report.variants) {
        const blob = files[v.id];
        if (blob !== undefined) downloads[v.id] = downloadFor(blob, v.fileName);
      }
      setWorkflow({ report, runId, downloads });
    },

    setPresenting(on) {
      setWorkflow({ presenting: on && get().workflow.report !== null });
    },

    dismissWorkflowError() {
      setWorkflow({ error: null, status: get().workflow.report !== null ? 'done' : 'idle' });
    },
  };
};

