// Dataset worker: a thin comlink shell over data/ (files, labels, presets) and pipeline/evaluate.
import * as Comlink from 'comlink';
import { cancelJob, runJob } from './jobs';
import type { DatasetApi } from './dataset-api';
import { previewStats, scanDataset } from './dataset-scan';
import { evaluateDataset } from './dataset-evaluate';
import { throttleProgress } from './progress';
import './transfer-errors';

const api: DatasetApi = {
  cancel: cancelJob,
  scan: (jobId, request, onProgress) => runJob(jobId, (signal) => scanDataset(request, throttleProgress(onProgress), signal)),
  preview: (request) => previewStats(request.image, request.recipe),
  evaluate: (jobId, request, onProgress) => runJob(jobId, (signal) => evaluateDataset(request, throttleProgress(onProgress), signal)),
};

Comlink.expose(api);
