// Typed API of the dataset worker: scanning dropped files (images or .npy/.npz tensors), or a random-input spec, into
// a labelled dataset, and evaluating models on it.
import type { ModelCard, TensorIO } from '../src/onnx/summary';
import type { DatasetFacts, DatasetProblem, EvalReport, InputKind, LabelMapping, PreprocessRecipe, RandomSamplesSpec, SampleInfo } from '../src/data/types';
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
  /** Random-input mode: `files` is ignored and samples are drawn from this spec (checked against the card). */
  random?: RandomSamplesSpec;
}

/** A tensor or random sample as the scan lists it: name, dims fed to the model, mapped label (-1 = none). */
export type ScannedSample = SampleInfo & { label: number };

export interface ScanResult extends DatasetFacts {
  /** Image files to evaluate (zip members become Files), each with its mapped label (-1 = none); empty unless images. */
  images: (DroppedFile & { label: number })[];
  /** Tensors and random inputs: every sample, in order; empty for images. */
  samples: ScannedSample[];
  /** Tensors: the files that gave samples, read again at evaluation (zip members become Files). */
  tensorFiles: DroppedFile[];
}

export interface EvaluateRequest {
  model: File[];
  variant?: File[];
  /** Several variants, each compared against the model in turn (the one-button Optimize run); reports in this order. */
  variants?: File[][];
  inputKind: InputKind;
  images: (DroppedFile & { label: number })[];
  /** Images only. */
  recipe: PreprocessRecipe | null;
  /** Tensors: the files to read; `samples` gives each sample's label and the total. */
  tensorFiles?: DroppedFile[];
  samples?: ScannedSample[];
  random?: RandomSamplesSpec;
  /** Tensors and random inputs: the model input they are fed to (for reading the files and for messages). */
  input?: TensorIO;
  classNames?: string[];
  mapping: LabelMapping | null;
  problems: DatasetProblem[];
}

export interface EvaluateResult {
  report: EvalReport;
  variantReport: EvalReport | null;
  /** One per request.variants entry, in order (absent without `variants`). */
  variantReports?: EvalReport[];
}

export interface DatasetApi extends CancellableApi {
  scan(jobId: string, request: ScanRequest, onProgress: ProgressSink): Promise<ScanResult>;
  /** Recomputes the tensor preview for a recipe on the first image. */
  preview(request: { image: File; recipe: PreprocessRecipe }): Promise<ScanResult['preview']>;
  evaluate(jobId: string, request: EvaluateRequest, onProgress: ProgressSink): Promise<EvaluateResult>;
}
