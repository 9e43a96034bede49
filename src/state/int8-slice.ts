// INT8 part of the optimize slice: the options chosen in the panel, making and checking the INT8 variant in the CPU
// optimize worker (calibrated on the dataset, or the demo's images), and comparing it on the dataset. The variant's
// bytes live in module scope as a File and a Blob URL; state holds plain data only.
import { proxy } from 'comlink';
import type { StateCreator } from 'zustand';
import type { WorkerClient } from '../../workers/client';
import type { Int8Dataset, Int8JobResult, OptimizeApi } from '../../workers/optimize-api';
import type { InputKind } from '../data/types';
import type { ModelCard } from '../onnx/summary';
import type { Int8Options } from '../pipeline/int8';
import type { CalibrationMethod } from '../quant/observers';
import { QbError, toQbError, type QbErrorData } from '../shared/errors';
import { datasetForJobs } from './dataset-slice';
import { demoInputsFor } from './demo-inputs';
import { progressTracker, type ProgressView } from './progress-view';
import type { AppState, JobStatus } from './store';

export type { Int8Options };

/** What the user chose in the panel: every field set (the engine's own defaults, shown preselected). */
export type Int8Choices = Required<Pick<Int8Options, 'mode' | 'preset' | 'calibration' | 'perChannel' | 'subset' | 'speed'>> & {
  excludeNodes: string[];
  excludeOpTypes: string[];
};

/**
 * The panel's defaults. They mirror pipeline/int8 (DEFAULT_METHOD 'mse', DEFAULT_SUBSET 300, per-channel on;
 * int8-slice.test.ts checks they agree): state may not import the pipeline's values, which would pull the whole
 * quantizer into the page's first bundle.
 */
export const INT8_DEFAULTS: Int8Choices = {
  mode: 'auto',
  preset: 'performance',
  calibration: 'mse' satisfies CalibrationMethod,
  perChannel: true,
  subset: 300,
  speed: 'auto',
  excludeNodes: [],
  excludeOpTypes: [],
};

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
}

export interface Int8Slice {
  int8: Int8State;
  /** Makes and checks the INT8 variant of the loaded model with these options. */
  makeInt8(options: Int8Choices): Promise<void>;
  cancelInt8(): void;
  dismissInt8Error(): void;
  /** Measures the loaded model and its INT8 variant on the dataset (step 2's evaluation, with the variant as second model). */
  compareInt8(): Promise<void>;
  /** Forgets the INT8 variant (a new model or dataset was loaded); a running job is cancelled. */
  resetInt8(): void;
}

export const IDLE_INT8: Int8State = { status: 'idle', options: INT8_DEFAULTS, result: null, download: null, progress: null, error: null };

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
    return { reason: `${what} measures activation ranges on 100–300 images like the ones the model will see. Add them in step 2 (Dataset), below.`, needsImages: true };
  }
  return null;
}

/** The engine's options for the user's choices (empty ignore lists left out). */
export function toEngineOptions(c: Int8Choices): Int8Options {
  return {
    mode: c.mode,
    preset: c.preset,
    calibration: c.calibration,
    perChannel: c.perChannel,
    subset: c.subset,
    ...(c.speed === 'off' ? { speed: 'off' as const } : {}),
    ...(c.excludeNodes.length > 0 ? { excludeNodes: c.excludeNodes } : {}),
    ...(c.excludeOpTypes.length > 0 ? { excludeOpTypes: c.excludeOpTypes } : {}),
  };
}

let variantFile: File | null = null;
let int8Abort: AbortController | undefined;

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
        setInt8({ ...IDLE_INT8, options, status: 'running' });
        const onProgress = progressTracker((view) => {
          if (int8Abort === abort) setInt8({ progress: view });
        });
        try {
          const request = { model: files, inputs: card.inputs, dataset: jobDataset(state, source), options: toEngineOptions(options) };
          const { bytes, ...job } = await client.run((api, jobId) => api.makeInt8(jobId, request, proxy(onProgress)), abort.signal);
          if (int8Abort !== abort) return;
          const fileName = int8FileName(card.fileName);
          variantFile = new File([bytes as Uint8Array<ArrayBuffer>], fileName, { type: 'application/octet-stream' });
          const download = { url: URL.createObjectURL(variantFile), fileName, sizeBytes: variantFile.size };
          setInt8({ status: 'done', result: { ...job, options, source }, download, progress: null });
        } catch (err) {
          if (int8Abort !== abort) return;
          const e = toQbError(err);
          setInt8({ status: e.code === 'cancelled' ? 'idle' : 'error', progress: null, error: e.code === 'cancelled' ? null : e.toData() });
        }
      },

      cancelInt8() {
        // Settles the panel at once; the worker client stops the job (cooperatively, else by restarting the worker),
        // and the late answer of the aborted job is ignored because int8Abort moved on.
        int8Abort?.abort();
        int8Abort = undefined;
        setInt8({ status: 'idle', progress: null, error: null });
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
        dropVariant();
        // The panel keeps the user's options; only the run and its result go.
        set((s) => ({ int8: { ...IDLE_INT8, options: s.int8.options } }));
      },
    };
  };
}
