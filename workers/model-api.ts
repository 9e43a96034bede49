// Typed API of the model worker (reading and describing models). Shared by the worker and its client.
import type { ModelCard } from '../src/onnx/summary';
import type { CancellableApi } from './client';
import type { ProgressSink } from './progress';

export interface ModelApi extends CancellableApi {
  /**
   * Reads the dropped files (the .onnx model and any external-data files) and returns the model card.
   * @throws QbError with a plain-language message for every kind of bad input.
   */
  inspect(jobId: string, files: File[], onProgress: ProgressSink): Promise<ModelCard>;
}
