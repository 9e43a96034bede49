// Model worker: a thin comlink shell around pipeline/inspect (decoding never runs on the UI thread).
import * as Comlink from 'comlink';
import { checkModelSize } from '../src/onnx/model-io';
import { inspectModel } from '../src/pipeline/inspect';
import { pickModelFile } from '../src/shared/files';
import { cancelJob, checkpoint, runJob } from './jobs';
import type { ModelApi } from './model-api';
import { throttleProgress } from './progress';
import { readBlob } from './read-blob';
import './transfer-errors';

const api: ModelApi = {
  cancel: cancelJob,
  inspect: (jobId, files, onProgress) =>
    runJob(jobId, async (signal) => {
      const progress = throttleProgress(onProgress);
      const { model, others } = pickModelFile(files);
      checkModelSize(model.name, model.size);
      const bytes = await readBlob(model, model.name, progress, signal);
      await checkpoint(signal);
      progress({ stage: 'decode' });
      const sizes = Object.fromEntries(others.map((f) => [f.name, f.size]));
      const card = inspectModel(model.name, bytes, sizes);
      progress({ stage: 'done' });
      return card;
    }),
};

Comlink.expose(api);
