// INT8 part of the optimize slice: the options chosen in the panel, making and checking the INT8 variant in the CPU
// optimize worker (calibrated on the dataset, or the demo's images), the live log of the accuracy-aware search and its
// "Stop and keep best", and comparing the variant on the dataset. The variant's bytes live in module scope as a File
// and a Blob URL; state holds plain data only.
import { isBigModel } from '../shared/files';
import { proxy } from 'comlink';
import type { StateCreator } from 'zustand';
import type { WorkerClient } from '../../workers/client';
import type { Int8Dataset, Int8JobResult, OptimizeApi } from '../../workers/optimize-api';
import type { Progress } from '../../workers/progress';
import type { InputKind } from '../data/types';
import type { ModelCard } from '../onnx/summary';
import type { Int8Options } from '../pipeline/int8';
import type { AccuracyGoal, AccuracyMetric, AccuracyStep } from '../pipeline/int8-accuracy';
import type { CalibrationMethod } from '../quant/observers';
import { QbError, toQbError, type QbErrorData } from '../shared/errors';
import { datasetForJobs } from './dataset-slice';
import { demoInputsFor } from './demo-inputs';
import { progressTracker, type ProgressView } from './progress-view';
import type { AppState, JobStatus } from './store';

export type { AccuracyGoal, AccuracyMetric, AccuracyStep, Int8Options };

/** What the user chose in the panel: every field set (the engine's own defaults, shown preselected). */
export type Int8Choices = Required<Pick<Int8Options, 'mode' | 'calibration' | 'perChannel' | 'subset' | 'speed' | 'guard'>> & {
  /** 'auto': the engine picks (Performance for CNNs, Mixed for transformers; Mixed when a CNN's INT8 collapses). */
  preset: NonNullable<Int8Options['preset']> | 'auto';
  excludeNodes: string[];
  excludeOpTypes: string[];
  /** Accuracy-aware INT8 (static only): put the most sensitive layers back to float until the budget is met. */
  accuracyAware: boolean;
  /** top1 / agreement: the drop allowed against FP32, in points ('absolute') or percent of the FP32 value ('relative'). */
  maxDrop: number;
  dropKind: 'absolute' | 'relative';
  /** 'top1' needs labelled samples: without them the run uses 'agreement' (resolveMetric). */
  metric: AccuracyMetric;
  /** sqnr: the lowest acceptable output SQNR, dB. */
  minSqnrDb: number;
  /** The search stops after this long and keeps the best model found, minutes. */
  timeBudgetMin: number;
  /** Rank every layer by its share of the error even when nothing needs to go back to float. */
  sensitivity: boolean;
};

/**
 * The panel's defaults. They mirror pipeline/int8 (DEFAULT_METHOD 'mse', DEFAULT_SUBSET 300, per-channel on;
 * int8-slice.test.ts checks they agree): state may not import the pipeline's values, which would pull the whole
 * quantizer into the page's first bundle.
 */
export const INT8_DEFAULTS: Int8Choices = {
  mode: 'auto',
  preset: 'auto',
  calibration: 'mse' satisfies CalibrationMethod,
  perChannel: true,
  subset: 300,
  speed: 'auto',
  excludeNodes: [],
  excludeOpTypes: [],
  accuracyAware: false,
  maxDrop: 1,
  dropKind: 'absolute',
  metric: 'top1',
  minSqnrDb: 25,
  timeBudgetMin: 10,
  sensitivity: false,
  guard: true,
};

/**
 * What the collapse guard aims for (pipeline/int8 GUARD_GOAL, mirrored for the live log: state may not import the
 * pipeline's values; int8-slice.test.ts checks they agree).
 */
export const GUARD_GOAL_MIRROR: AccuracyGoal = { metric: 'agreement', maxDrop: 8 };

/** Where the samples of an INT8 run come from. */
export type Int8Source =
  | { kind: 'dataset'; inputKind: InputKind; count: number }
  | { kind: 'demo'; inputKind: 'images'; count: number }
  | { kind: 'none' };

/** The finished run, without its bytes (see download). */
export type Int8Outcome = Omit<Int8JobResult, 'bytes'> & {
  /** The options it was made with, and the samples it was calibrated and checked on. */
  options: Int8Choices;
  source: Int8Source;
};

export interface Int8State {
  status: JobStatus;
  /** The options of the last run (the panel starts from them). */
  options: Int8Choices;
  result: Int8Outcome | null;
  /** `<model>-int8.onnx` to save; null until a variant exists. */
  download: { url: string; fileName: string; sizeBytes: number } | null;
  progress: ProgressView | null;
  error: QbErrorData | null;
  /** The running job's accuracy search, one entry per model tried (reset when a job starts). */
  accuracySteps: AccuracyStep[];
  /** What that search aims for: the user's budget, or the collapse guard's; null when neither can run. */
  liveGoal: AccuracyGoal | null;
  /** "Stop and keep best" was pressed: the search ends after the model it is measuring. */
  stopping: boolean;
}

export interface Int8Slice {
  int8: Int8State;
  /** Makes and checks the INT8 variant of the loaded model with these options. */
  makeInt8(options: Int8Choices): Promise<void>;
  cancelInt8(): void;
  /** Stops the running job's accuracy search; the job still ends with the best model found so far. */
  stopInt8Search(): void;
  /** Re-makes the INT8 variant with the last run's options plus these nodes (and the layers it kept) in float. */
  keepInFloat(nodes: readonly string[]): Promise<void>;
  /** Runs the last INT8 job again with the sensitivity analysis on (every layer ranked). */
  measureSensitivity(): Promise<void>;
  dismissInt8Error(): void;
  /** Measures the loaded model and its INT8 variant on the dataset (step 2's evaluation, with the variant as second model). */
  compareInt8(): Promise<void>;
  /** Forgets the INT8 variant (a new model or dataset was loaded); a running job is cancelled. */
  resetInt8(): void;
}

export const IDLE_INT8: Int8State = {
  status: 'idle', options: INT8_DEFAULTS, result: null, download: null, progress: null, error: null, accuracySteps: [], liveGoal: null, stopping: false,
};

/** "resnet20.onnx" -> "resnet20-int8.onnx". */
export function int8FileName(modelName: string): string {
  return `${modelName.replace(/\.onnx$/i, '')}-int8.onnx`;
}

/** "a, b ,,c" -> ["a", "b", "c"]. */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const NORM_OPS = ['LayerNormalization', 'SimplifiedLayerNormalization', 'SkipLayerNormalization', 'SkipSimplifiedLayerNormalization', 'RMSNormalization'];

/**
 * What 'Automatic' will most likely pick, from the card alone: dynamic for transformer-like graphs (a LayerNorm-family
 * op, or Softmax with several MatMuls as attention has), static otherwise. The worker decides for real with the
 * quantizer's own graph test; this guess only tells the panel whether images will be needed.
 */
export function likelyAutoMode(card: ModelCard): 'static' | 'dynamic' {
  const ops = card.opTypes;
  const count = (op: string): number => ops[op] ?? ops[`com.microsoft:${op}`] ?? 0;
  const norm = NORM_OPS.some((op) => count(op) > 0);
  const attention = count('Softmax') > 0 && count('MatMul') >= 2;
  return norm || attention ? 'dynamic' : 'static';
}

/** Samples an INT8 run would use now: the dataset when one is ready, else the demo's images for the demo model. */
export function int8Source(state: Pick<AppState, 'dataset' | 'model'>): Int8Source {
  const data = datasetForJobs(state);
  if (data !== null) {
    const count = data.inputKind === 'images' ? data.images.length : data.inputKind === 'random' ? (data.random?.count ?? 0) : (data.samples?.length ?? 0);
    return { kind: 'dataset', inputKind: data.inputKind, count };
  }
  const demo = demoInputsFor(state.model.files[0]);
  if (demo !== null) return { kind: 'demo', inputKind: 'images', count: demo.images.length };
  return { kind: 'none' };
}

/** The job's dataset for a source (null: none, dynamic INT8 checks on random inputs). */
function jobDataset(state: AppState, source: Int8Source): Int8Dataset | null {
  if (source.kind === 'dataset') return datasetForJobs(state);
  if (source.kind === 'demo') {
    const demo = demoInputsFor(state.model.files[0]);
    if (demo !== null) return { inputKind: 'images', images: demo.images, recipe: demo.recipe };
  }
  return null;
}

/** True when some sample an INT8 run would use has a label (the top-1 budget needs them). */
export function int8Labelled(state: Pick<AppState, 'dataset' | 'model'>): boolean {
  const data = datasetForJobs(state);
  if (data !== null) {
    if (data.inputKind === 'images') return state.dataset.images.some((i) => i.label >= 0);
    if (data.inputKind === 'tensors') return state.dataset.samples.some((s) => s.label >= 0);
    return false;
  }
  return demoInputsFor(state.model.files[0])?.images.some((i) => i.label >= 0) ?? false;
}

/** The metric a run uses: top-1 needs labels, so without them it measures agreement with FP32. */
export function resolveMetric(metric: AccuracyMetric, labelled: boolean): AccuracyMetric {
  return metric === 'top1' && !labelled ? 'agreement' : metric;
}

/** The engine's goal for the user's budget. */
export function accuracyGoal(c: Int8Choices, labelled: boolean): AccuracyGoal {
  const metric = resolveMetric(c.metric, labelled);
  if (metric === 'sqnr') return { metric, maxDrop: c.maxDrop, minSqnrDb: c.minSqnrDb };
  return { metric, maxDrop: c.maxDrop, ...(c.dropKind === 'relative' ? { relative: true } : {}) };
}

/** The goal in words, as pipeline/int8-accuracy describeGoal says it ("top-1 accuracy within 0.5 points of FP32"). */
export function goalWords(goal: AccuracyGoal): string {
  if (goal.metric === 'sqnr') return `output SQNR at least ${goal.minSqnrDb ?? INT8_DEFAULTS.minSqnrDb} dB`;
  const what = goal.metric === 'top1' ? 'top-1 accuracy' : 'agreement with FP32';
  return `${what} within ${goal.maxDrop}${goal.relative === true ? '%' : ` point${goal.maxDrop === 1 ? '' : 's'}`} of FP32`;
}

/**
 * The lowest value within the goal while the search runs (pipeline Evaluator.threshold); null for top-1, whose
 * threshold depends on FP32's own accuracy, measured in the worker.
 */
export function liveThreshold(goal: AccuracyGoal): number | null {
  if (goal.metric === 'sqnr') return goal.minSqnrDb ?? INT8_DEFAULTS.minSqnrDb;
  if (goal.metric === 'top1') return null;
  // FP32 agrees with itself 100%: a drop in points and one in percent of 100 are the same.
  return 100 - goal.maxDrop;
}

/**
 * Validation samples a static run wants apart from calibration: the accuracy search, the collapse guard, or the check
 * alone (pipeline/int8 ACCURACY_VALIDATION, GUARD_VALIDATION, CHECK_INPUTS; the test checks they agree).
 */
const VALIDATION_WANTED = { accuracy: 1000, guard: 32, check: 8 } as const;

/**
 * How a static run will split `count` samples (workers/int8-inputs splitSamples): calibration takes up to `subset`,
 * but a quarter of the dataset at most stays apart for the search or guard; validation is what is left, up to what
 * they want (pipeline/int8 validationCount takes fewer for large inputs, to hold them in memory).
 */
export function int8Split(count: number, c: Pick<Int8Choices, 'subset' | 'accuracyAware' | 'guard'>): { calibration: number; validation: number } {
  const wanted = c.accuracyAware ? VALIDATION_WANTED.accuracy : c.guard ? VALIDATION_WANTED.guard : VALIDATION_WANTED.check;
  const apart = wanted > VALIDATION_WANTED.check ? Math.min(wanted, Math.floor(count / 4)) : 0;
  const calibration = Math.min(c.subset, count - apart);
  return { calibration, validation: Math.min(wanted, count - calibration) };
}

/** Why the INT8 button cannot run now, in plain words; `needsImages` when adding samples would unblock it. */
export interface Int8Block {
  reason: string;
  needsImages: boolean;
}

/** What stops an INT8 run now, or null when it can run. */
export function int8Blocked(card: ModelCard, source: Int8Source, mode: Int8Choices['mode']): Int8Block | null {
  if (card.quantization.quantized) return { reason: 'This model is already quantized.', needsImages: false };
  if (card.blockers.length > 0) return { reason: 'This model cannot run in the browser (see its card above).', needsImages: false };
  const resolved = mode === 'auto' ? likelyAutoMode(card) : mode;
  if (resolved === 'static' && source.kind === 'none') {
    const what = mode === 'auto' ? 'For this model, Automatic means static INT8, which' : 'Static INT8';
    return { reason: `${what} measures activation ranges on 100–300 images like the ones the model will see. Add them in step 2 (Data), below.`, needsImages: true };
  }
  return null;
}

/**
 * The engine's options for the user's choices (empty ignore lists left out; the accuracy budget only when chosen).
 * `labelled`: the samples have labels, so a top-1 budget can be measured (int8Labelled).
 */
export function toEngineOptions(c: Int8Choices, labelled = false): Int8Options {
  return {
    mode: c.mode,
    ...(c.preset !== 'auto' ? { preset: c.preset } : {}),
    calibration: c.calibration,
    perChannel: c.perChannel,
    subset: c.subset,
    ...(c.speed === 'off' ? { speed: 'off' as const } : {}),
    ...(c.excludeNodes.length > 0 ? { excludeNodes: c.excludeNodes } : {}),
    ...(c.excludeOpTypes.length > 0 ? { excludeOpTypes: c.excludeOpTypes } : {}),
    ...(c.accuracyAware ? { accuracy: { goal: accuracyGoal(c, labelled), timeBudgetMs: Math.round(c.timeBudgetMin * 60_000) } } : {}),
    guard: c.guard,
    ...(c.sensitivity ? { sensitivity: true } : {}),
  };
}

/** `a` followed by the names of `b` it does not hold yet. */
function union(a: readonly string[], b: readonly string[]): string[] {
  const seen = new Set(a);
  return [...a, ...b.filter((n) => !seen.has(n) && (seen.add(n), true))];
}

let variantFile: File | null = null;
let int8Abort: AbortController | undefined;
/** Asks the running INT8 job to stop its accuracy search (set while a job runs). */
let stopSearch: (() => void) | undefined;

/** The INT8 variant's file while one exists (the benchmark measures it), else null. */
export function int8VariantFile(): File | null {
  return variantFile;
}

/** The INT8 slice, running its jobs on the optimize worker `client` (shared with FP16: one job at a time). */
export function createInt8Slice(client: WorkerClient<OptimizeApi>): StateCreator<AppState, [], [], Int8Slice> {
  return (set, get) => {
    const setInt8 = (patch: Partial<Int8State>): void => set((s) => ({ int8: { ...s.int8, ...patch } }));
    const dropVariant = (): void => {
      const url = get().int8.download?.url;
      if (url !== undefined) URL.revokeObjectURL(url);
      variantFile = null;
    };

    return {
      int8: IDLE_INT8,

      async makeInt8(options) {
        const state = get();
        const { card, files } = state.model;
        if (card === null) return;
        int8Abort?.abort();
        const abort = new AbortController();
        int8Abort = abort;
        dropVariant();
        const source = int8Source(state);
        const blocked = int8Blocked(card, source, options.mode);
        if (blocked !== null) {
          // The panel offers no Make button in these cases; a call anyway gets the same words, and no worker runs.
          const message = blocked.needsImages ? `Add images first: ${blocked.reason}` : blocked.reason;
          setInt8({ ...IDLE_INT8, options, status: 'error', error: new QbError('unsupported', message).toData() });
          return;
        }
        const labelled = int8Labelled(state);
        const engine = toEngineOptions(options, labelled);
        // Which search can run: the user's budget, else the collapse guard (runs only if the INT8 model collapses).
        const liveGoal = engine.accuracy?.goal ?? (options.guard ? GUARD_GOAL_MIRROR : null);
        setInt8({ ...IDLE_INT8, options, status: 'running', liveGoal });
        const track = progressTracker((view) => {
          if (int8Abort === abort) setInt8({ progress: view });
        });
        const onProgress = (p: Progress): void => {
          if (int8Abort !== abort) return;
          // Each model the search tries is one line of the live log.
          if (p.stage === 'accuracy-search') set((s) => ({ int8: { ...s.int8, accuracySteps: [...s.int8.accuracySteps, p.step] } }));
          track(p);
        };
        try {
          const request = { model: files, inputs: card.inputs, dataset: jobDataset(state, source), options: engine };
          const { bytes, ...job } = await client.run((api, jobId) => {
            stopSearch = () => void Promise.resolve(api.stopSearch(jobId)).catch(() => undefined);
            return api.makeInt8(jobId, request, proxy(onProgress));
          }, abort.signal, { recycle: isBigModel(files) });
          if (int8Abort !== abort) return;
          stopSearch = undefined;
          const fileName = int8FileName(card.fileName);
          variantFile = new File([bytes as Uint8Array<ArrayBuffer>], fileName, { type: 'application/octet-stream' });
          const download = { url: URL.createObjectURL(variantFile), fileName, sizeBytes: variantFile.size };
          setInt8({ status: 'done', result: { ...job, options, source }, download, progress: null, stopping: false });
        } catch (err) {
          if (int8Abort !== abort) return;
          stopSearch = undefined;
          const e = toQbError(err);
          setInt8({ status: e.code === 'cancelled' ? 'idle' : 'error', progress: null, error: e.code === 'cancelled' ? null : e.toData(), stopping: false });
        }
      },

      stopInt8Search() {
        if (get().int8.status !== 'running' || stopSearch === undefined) return;
        stopSearch();
        setInt8({ stopping: true });
      },

      async keepInFloat(nodes) {
        const { options, result } = get().int8;
        // The layers the last model kept in float stay there: the new model is that one plus these nodes.
        const kept = result?.report.accuracy?.floatNodes ?? [];
        await get().makeInt8({ ...options, excludeNodes: union(union(options.excludeNodes, kept), nodes) });
      },

      async measureSensitivity() {
        await get().makeInt8({ ...get().int8.options, sensitivity: true });
      },

      cancelInt8() {
        // Settles the panel at once; the worker client stops the job (cooperatively, else by restarting the worker),
        // and the late answer of the aborted job is ignored because int8Abort moved on.
        int8Abort?.abort();
        int8Abort = undefined;
        stopSearch = undefined;
        setInt8({ status: 'idle', progress: null, error: null, stopping: false });
      },

      dismissInt8Error() {
        setInt8({ error: null, status: get().int8.result !== null ? 'done' : 'idle' });
      },

      async compareInt8() {
        if (variantFile === null || datasetForJobs(get()) === null) return;
        await get().runEvaluation([variantFile]);
      },

      resetInt8() {
        int8Abort?.abort();
        int8Abort = undefined;
        stopSearch = undefined;
        dropVariant();
        // The panel keeps the user's options; only the run and its result go.
        set((s) => ({ int8: { ...IDLE_INT8, options: s.int8.options } }));
      },
    };
  };
}
