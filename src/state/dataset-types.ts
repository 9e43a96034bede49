// Plain-data shapes of the dataset and evaluation slices (what the UI reads; no File contents, no workers).
import type { DatasetFacts, EvalReport, PresetId, PreprocessRecipe, RandomSamplesSpec, SampleInfo } from '../data/types';
import type { QbErrorData } from '../shared/errors';
import type { JobStatus } from './store';
import type { ProgressView } from './progress-view';

/** One dropped image as the UI lists it. */
export interface DatasetImage {
  /** Relative path as dropped ("cat/0001.jpg"), unique within the dataset. */
  path: string;
  sizeBytes: number;
  /** Output index of its label, or -1 when it has none. */
  label: number;
}

/** One tensor or random sample as the UI lists it. */
export interface DatasetSample extends SampleInfo {
  /** Output index of its label, or -1 when it has none. */
  label: number;
}

export interface DatasetState extends DatasetFacts {
  status: JobStatus;
  images: DatasetImage[];
  /** Tensors and random inputs: every sample with its dims; empty for images. */
  samples: DatasetSample[];
  progress: ProgressView | null;
  error: QbErrorData | null;
}

export interface EvaluationState {
  status: JobStatus;
  /** File name of the optional second model compared against the loaded (reference) model. */
  variantName: string | null;
  report: EvalReport | null;
  /** Report of the variant, with fidelity against the reference, when a variant was given. */
  variantReport: EvalReport | null;
  progress: ProgressView | null;
  error: QbErrorData | null;
}

/** Actions the UI calls. */
export interface DatasetActions {
  /** Images or .npy/.npz tensors, folders (relative paths from webkitRelativePath or directory entries), zips, label files. */
  loadDataset(files: { file: File; path: string }[]): Promise<void>;
  /** Replaces the dataset with seeded random inputs for the loaded model (speed and agreement only). */
  loadRandomInputs(spec: RandomSamplesSpec): Promise<void>;
  clearDataset(): void;
  choosePreset(id: PresetId): void;
  setRecipe(recipe: PreprocessRecipe): void;
  /** Overrides the label offset (0, or 1 for a background class) and re-maps. */
  setLabelOffset(offset: number): void;
  /** Evaluates the loaded model on the dataset; with `variant` files, also that model against it. */
  runEvaluation(variant?: File[]): Promise<void>;
  cancelEvaluation(): void;
  dismissDatasetError(): void;
  dismissEvaluationError(): void;
}
