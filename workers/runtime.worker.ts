// Runtime worker: a thin comlink shell over runtime/ (onnxruntime-web) and pipeline/classify.
import * as Comlink from 'comlink';
import { decodeImage } from '../src/data/decode-image';
import { preprocessRgba, recipeDims } from '../src/data/preprocess';
import { classifyInputs, type LabelledInput } from '../src/pipeline/classify';
import { probeRuntime } from '../src/runtime/probe';
import { ModelSession } from '../src/runtime/session';
import { cancelJob, checkpoint, runJob } from './jobs';
import { throttleProgress } from './progress';
import { readBlob } from './read-blob';
import type { RuntimeApi } from './runtime-api';
import './transfer-errors';

const api: RuntimeApi = {
  cancel: cancelJob,
  probe: () => probeRuntime(),
  classify: (jobId, request, onProgress) =>
    runJob(jobId, async (signal) => {
      const progress = throttleProgress(onProgress);
      const modelBytes = await readBlob(request.model, request.model.name, progress, signal);
      const inputs: LabelledInput[] = [];
      for (const [i, { file, label }] of request.images.entries()) {
        await checkpoint(signal);
        const image = await decodeImage(file, file.name);
        inputs.push({ name: file.name, label, tensor: preprocessRgba(image.rgba, image.width, image.height, request.recipe) });
        progress({ stage: 'decode-images', done: i + 1, total: request.images.length });
      }
      progress({ stage: 'create-session' });
      const session = await ModelSession.create(modelBytes);
      try {
        const report = await classifyInputs(
          session,
          inputs,
          recipeDims(request.recipe),
          (done, total) => progress({ stage: 'infer', done, total }),
          () => checkpoint(signal),
        );
        progress({ stage: 'done' });
        return report;
      } finally {
        await session.release();
      }
    }),
};

Comlink.expose(api);
