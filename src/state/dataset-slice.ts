// Dataset and evaluation slices: dropped images, tensors and labels (or random inputs) -> scanned dataset ->
// accuracy and fidelity reports. Files live in module scope (not in state); state holds plain data the UI renders.
import { isBigModel } from '../shared/files';
import { proxy } from 'comlink';
import type { StateCreator } from 'zustand';
import { createDatasetClient } from '../../workers/clients';
import type { DroppedFile, EvaluateRequest, ScanResult } from '../../workers/dataset-api';
import type { Int8Dataset } from '../../workers/optimize-api';
// Small and dependency-free, so the random-input form and rescans get it without loading data/ into the first bundle.
import { checkRandomSpec, defaultRandomSpec } from '../data/random-inputs';
import type { EvalReport, PresetId, PreprocessRecipe, RandomSamplesSpec } from '../data/types';
import type { Progress } from '../../workers/progress';
import type { ModelCard } from '../onnx/summary';
import { QbError, toQbError } from '../shared/errors';
import type { DatasetActions, DatasetState, EvaluationState } from './dataset-types';
import { progressTracker } from './progress-view';
import type { AppState } from './store';

/** Defaults of the random-input form (data/random-inputs.ts), for the UI, which does not import data/. */
export { defaultRandomSpec };
export type { OpenDim, RandomDefaults } from '../data/random-inputs';

export interface DatasetSlice extends DatasetActions {
  dataset: DatasetState;
  evaluation: EvaluationState;
  /** Re-maps labels after the model changed (its class count decides the mapping). */
  rescanDataset(): Promise<void>;
}

const EMPTY_DATASET: DatasetState = {
  status: 'idle', inputKind: 'images', images: [], samples: [], random: null, labelFiles: [], classList: null, mapping: null, problems: [],
  presetId: null, recipe: null, presetReason: '', preview: null, progress: null, error: null,
};
const EMPTY_EVALUATION: EvaluationState = { status: 'idle', variantName: null, report: null, variantReport: null, progress: null, error: null };

const client = createDatasetClient();
let dropped: DroppedFile[] = [];
let scanned: ScanResult['images'] = [];
let scannedTensors: ScanResult['tensorFiles'] = [];
/** Set while the dataset is random inputs: rescans (a new model) check it again. */
let randomSpec: RandomSamplesSpec | undefined;
let labelOffset: number | undefined;
let scanAbort: AbortController | undefined;
let evalAbort: AbortController | undefined;

/**
 * The loaded dataset as jobs take it (Files included), or null when there is none ready to run: no samples, still
 * reading, or images without a preprocessing recipe.
 */
export function datasetForJobs(state: Pick<AppState, 'dataset' | 'model'>): Int8Dataset | null {
  const { dataset } = state;
  if (dataset.status === 'running') return null;
  const kind = dataset.inputKind;
  const ready = kind === 'images' ? dataset.recipe !== null && scanned.length > 0 : kind === 'tensors' ? scannedTensors.length > 0 : dataset.random !== null;
  if (!ready) return null;
  const input = state.model.card?.inputs[0];
  return {
    inputKind: kind,
    images: kind === 'images' ? scanned : [],
    recipe: kind === 'images' ? dataset.recipe : null,
    ...(kind === 'tensors' ? { tensorFiles: scannedTensors, samples: dataset.samples } : {}),
    ...(kind === 'random' && dataset.random !== null ? { random: dataset.random } : {}),
    ...(input !== undefined ? { input } : {}),
  };
}

/**
 * Measures the loaded model and each variant on the dataset in one worker job (the Optimize run): FP32 once, each
 * variant against it. Null when no dataset is ready. Rejects with QbError('cancelled') when `signal` aborts.
 */
/** The evaluation request for the loaded model on the loaded dataset (`data` from datasetForJobs), plus variants. */
function evaluationRequest(state: Pick<AppState, 'dataset' | 'model'>, data: Int8Dataset, variants: Pick<EvaluateRequest, 'variant' | 'variants'>): EvaluateRequest {
  const { dataset, model } = state;
  return {
    model: model.files,
    ...variants,
    ...data,
    ...(dataset.classList !== null ? { classNames: dataset.classList.names } : {}),
    mapping: dataset.mapping,
    problems: dataset.problems,
  };
}

/**
 * Measures the loaded model and each variant on the dataset in one worker job (the Optimize run): FP32 once, each
 * variant against it. Null when no dataset is ready. Rejects with QbError('cancelled') when `signal` aborts.
 */
export async function evaluateVariants(
  state: Pick<AppState, 'dataset' | 'model'>,
  variants: File[][],
  signal: AbortSignal,
  onProgress: (p: Progress) => void,
): Promise<{ report: EvalReport; variantReports: EvalReport[] } | null> {
  const data = datasetForJobs(state);
  if (data === null || state.model.card === null) return null;
  const request = evaluationRequest(state, data, { variants });
  const result = await client.run((api, jobId) => api.evaluate(jobId, request, proxy(onProgress)), signal, { recycle: isBigModel(state.model.files) });
  return { report: result.report, variantReports: result.variantReports ?? [] };
}

/** A dataset file by its path (thumbnails of a dataset the store loaded itself: a reopened project, the demo). */
export function findDatasetFile(path: string): File | undefined {
  return dropped.find((d) => d.path === path)?.file;
}

/** The dropped files behind the dataset (a project saves them), empty for random inputs. */
export function droppedDatasetFiles(): readonly DroppedFile[] {
  return dropped;
}

/** The preset's recipe fitted to the model; presets load lazily so data/ stays out of the first bundle. */
async function presetRecipe(id: PresetId, card: ModelCard): Promise<PreprocessRecipe> {
  const { recipeForModel } = await import('../data/presets');
  return recipeForModel(id, card);
}

export const createDatasetSlice: StateCreator<AppState, [], [], DatasetSlice> = (set, get) => {
  const setDataset = (patch: Partial<DatasetState>): void => set((s) => ({ dataset: { ...s.dataset, ...patch } }));
  const setEvaluation = (patch: Partial<EvaluationState>): void => set((s) => ({ evaluation: { ...s.evaluation, ...patch } }));

  const scan = async (): Promise<void> => {
    const card = get().model.card;
    if (card === null) {
      setDataset({ error: new QbError('internal', 'Load a model first: Quantbench needs it to match labels and choose preprocessing.').toData() });
      return;
    }
    scanAbort?.abort();
    const abort = new AbortController();
    scanAbort = abort;
    setDataset({ status: 'running', progress: null, error: null });
    const onProgress = progressTracker((view) => {
      if (scanAbort === abort) setDataset({ progress: view });
    });
    try {
      const request = { files: dropped, card, ...(labelOffset !== undefined ? { labelOffset } : {}), ...(randomSpec !== undefined ? { random: randomSpec } : {}) };
      const result = await client.run((api, jobId) => api.scan(jobId, request, proxy(onProgress)), abort.signal);
      if (scanAbort !== abort) return;
      scanned = result.images;
      scannedTensors = result.tensorFiles;
      setDataset({
        status: 'done',
        inputKind: result.inputKind,
        images: result.images.map((i) => ({ path: i.path, sizeBytes: i.file.size, label: i.label })),
        samples: result.samples,
        random: result.random,
        labelFiles: result.labelFiles,
        classList: result.classList,
        mapping: result.mapping,
        problems: result.problems,
        presetId: result.presetId,
        recipe: result.recipe,
        presetReason: result.presetReason,
        preview: result.preview,
        progress: null,
        error: null,
      });
    } catch (err) {
      if (scanAbort !== abort) return;
      const e = toQbError(err);
      const { images, samples } = get().dataset;
      setDataset({ status: images.length > 0 || samples.length > 0 ? 'done' : 'idle', progress: null, error: e.code === 'cancelled' ? null : e.toData() });
    }
  };

  const refreshPreview = async (recipe: PreprocessRecipe): Promise<void> => {
    const first = scanned[0];
    if (first === undefined) return;
    try {
      const preview = await client.run((api) => api.preview({ image: first.file, recipe }));
      if (get().dataset.recipe === recipe) setDataset({ preview });
    } catch (err) {
      setDataset({ preview: null, error: toQbError(err).toData() });
    }
  };

  return {
    dataset: EMPTY_DATASET,
    evaluation: EMPTY_EVALUATION,

    async loadDataset(files) {
      dropped = files;
      randomSpec = undefined;
      labelOffset = undefined;
      set({ evaluation: EMPTY_EVALUATION });
      // An INT8 variant was calibrated on the previous samples.
      get().resetInt8();
      await scan();
    },

    async loadRandomInputs(spec) {
      dropped = [];
      randomSpec = spec;
      labelOffset = undefined;
      set({ evaluation: EMPTY_EVALUATION });
      get().resetInt8();
      await scan();
    },

    rescanDataset: async () => {
      const card = get().model.card;
      if (randomSpec !== undefined && card !== null) {
        // Random inputs follow the new model: sizes it does not accept become its defaults; count, range and seed stay.
        try {
          checkRandomSpec(randomSpec, card.inputs[0]);
        } catch {
          randomSpec = { ...randomSpec, dims: defaultRandomSpec(card.inputs[0]).spec.dims };
        }
      }
      if (dropped.length > 0 || randomSpec !== undefined) await scan();
    },

    clearDataset() {
      scanAbort?.abort();
      dropped = [];
      scanned = [];
      scannedTensors = [];
      randomSpec = undefined;
      set({ dataset: EMPTY_DATASET, evaluation: EMPTY_EVALUATION });
      get().resetInt8();
    },

    choosePreset(id) {
      const card = get().model.card;
      if (card === null) return;
      void presetRecipe(id, card).then((recipe) => {
        setDataset({ presetId: id, recipe });
        // Calibration saw the samples through the previous preprocessing.
        get().resetInt8();
        void refreshPreview(recipe);
      });
    },

    setRecipe(recipe) {
      setDataset({ presetId: null, recipe });
      get().resetInt8();
      void refreshPreview(recipe);
    },

    async setLabelOffset(offset) {
      labelOffset = offset;
      // A rescan suggests a preset again; keep the user's own choice of preprocessing.
      const { presetId, recipe, presetReason, preview } = get().dataset;
      await scan();
      if (recipe !== null && get().dataset.status === 'done') setDataset({ presetId, recipe, presetReason, preview });
    },

    async runEvaluation(variant) {
      const { model } = get();
      if (model.card === null) return;
      const data = datasetForJobs(get());
      if (data === null) return;
      evalAbort?.abort();
      const abort = new AbortController();
      evalAbort = abort;
      setEvaluation({ status: 'running', progress: null, error: null, report: null, variantReport: null, variantName: variant?.find((f) => /\.onnx$/i.test(f.name))?.name ?? null });
      const onProgress = progressTracker((view) => {
        if (evalAbort === abort) setEvaluation({ progress: view });
      });
      try {
        const request = evaluationRequest(get(), data, variant !== undefined && variant.length > 0 ? { variant } : {});
        const result = await client.run((api, jobId) => api.evaluate(jobId, request, proxy(onProgress)), abort.signal, { recycle: isBigModel(model.files) });
        if (evalAbort !== abort) return;
        setEvaluation({ status: 'done', report: result.report, variantReport: result.variantReport, progress: null });
      } catch (err) {
        if (evalAbort !== abort) return;
        const e = toQbError(err);
        setEvaluation({ status: e.code === 'cancelled' ? 'idle' : 'error', progress: null, error: e.code === 'cancelled' ? null : e.toData() });
      }
    },

    dismissDatasetError() {
      setDataset({ error: null });
    },

    dismissEvaluationError() {
      setEvaluation({ error: null, status: get().evaluation.report !== null ? 'done' : 'idle' });
    },

    cancelEvaluation() {
      evalAbort?.abort();
      evalAbort = undefined;
      setEvaluation({ status: 'idle', progress: null });
    },
  };
};
