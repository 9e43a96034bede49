// Typed API of the dataset worker: scanning dropped files into a labelled dataset, and evaluating models on it.
import type { ModelCard } from '../src/onnx/summary';
import type { ClassList, DatasetProblem, EvalReport, LabelMapping, PresetId, PreprocessRecipe } from '../src/data/types';
import type { CancellableApi } from './client';
import type { ProgressSink } from './progress';

export interface DroppedFile {
  file: File;
  /** Relative path as dropped ("cat/0001.jpg"). */
  path: string;
}

export interface ScanRequest {
  files: DroppedFile[];
  /** Card of the loaded model: output class count for label mapping, input shape for the preset. */
  card: ModelCard;
  /** Forces a label offset (0, or 1 for a background class) instead of the automatic choice. */
  labelOffset?: number;
}

export interface ScanResult {
  /** Image files to evaluate (zip members become Files), each with its mapped label (-1 = none). */
  images: (DroppedFile & { label: number })[];
  labelFiles: string[];
  classList: ClassList | null;
  mapping: LabelMapping | null;
  problems: DatasetProblem[];
  presetId: PresetId;
  recipe: PreprocessRecipe;
  presetReason: string;
  preview: { channel: string; min: number; max: number; mean: number }[] | null;
}

export interface EvaluateRequest {
  model: File[];
  variant?: File[];
  images: (DroppedFile & { label: number })[];
  recipe: PreprocessRecipe;
  classNames?: string[];
  mapping: LabelMapping | null;
  problems: DatasetProblem[];
}

export interface EvaluateResult {
  report: EvalReport;
  variantReport: EvalReport | null;
}

export interface DatasetApi extends CancellableApi {
  scan(jobId: string, request: ScanRequest, onProgress: ProgressSink): Promise<ScanResult>;
  /** Recomputes the tensor preview for a recipe on the first image. */
  preview(request: { image: File; recipe: PreprocessRecipe }): Promise<ScanResult['preview']>;
  evaluate(jobId: string, request: EvaluateRequest, onProgress: ProgressSink): Promise<EvaluateResult>;
}
