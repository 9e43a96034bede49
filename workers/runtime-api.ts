// Typed API of the runtime worker (onnxruntime-web: capability probe and running models).
import type { PreprocessRecipe } from '../src/data/preprocess';
import type { ClassifyReport } from '../src/pipeline/classify';
import type { RuntimeInfo } from '../src/runtime/probe';
import type { CancellableApi } from './client';
import type { ProgressSink } from './progress';

export interface ClassifyRequest {
  model: File;
  images: { file: File; label: number }[];
  recipe: PreprocessRecipe;
}

export interface RuntimeApi extends CancellableApi {
  /** Starts ORT (threads as configured) and reports what this browser can do. */
  probe(): Promise<RuntimeInfo>;
  /** Decodes and preprocesses images, runs the model on each, scores top-1. */
  classify(jobId: string, request: ClassifyRequest, onProgress: ProgressSink): Promise<ClassifyReport>;
}
