// The bench API, implemented once for both bench workers (CPU and WebGPU build): reads the dropped files, runs the
// benchmark loop (runtime/bench), the optional batch sweep and the size measurement, with cancel and progress.
import { create } from '@bufbuild/protobuf';
import { checkModelSize, decodeModel } from '../src/onnx/model-io';
import { ModelProtoSchema, type ModelProto } from '../src/onnx/proto/onnx_pb';
import { modelSize } from '../src/onnx/size';
import { batchSweep, benchmarkModel, hasFreeBatch, SWEEP_DEFAULTS, startRuntime } from '../src/runtime/bench';
import type { BatchSweep, BenchOptions } from '../src/runtime/bench-types';
import { preferredThreads } from '../src/runtime/ort';
import { compareModelsMs, profileModel } from '../src/runtime/profile';
import { QbError } from '../src/shared/errors';
import { pickModelFile } from '../src/shared/files';
import type { BenchApi, BenchResult } from './bench-api';
import { cancelJob, checkpoint, runJob } from './jobs';
import { throttleProgress, type ProgressSink } from './progress';
import { readBlob } from './read-blob';

interface ModelFiles {
  name: string;
  bytes: Uint8Array;
  externalData: { path: string; data: Uint8Array }[];
}

async function readModelFiles(files: File[], progress: ProgressSink, signal: AbortSignal): Promise<ModelFiles> {
  const { model, others } = pickModelFile(files);
  checkModelSize(model.name, model.size);
  const bytes = await readBlob(model, model.name, progress, signal);
  const externalData = [];
  for (const f of others) externalData.push({ path: f.name, data: await readBlob(f, f.name, progress, signal) });
  return { name: model.name, bytes, externalData };
}

/**
 * The decoded model, for its size and batch facts; decoding first also turns a broken file into a plain message
 * before onnxruntime sees it. An .ort file (onnxruntime's own format) is not a protobuf: an empty model stands in.
 */
function decodeOrEmpty(f: ModelFiles): ModelProto {
  return /\.ort$/i.test(f.name) ? create(ModelProtoSchema) : decodeModel(f.bytes, f.name);
}

/** Per-batch time budget of a sweep: a third of the main budget, within 100 ms - SWEEP_DEFAULTS.timeBudgetMs. */
export function sweepBudgetMs(options: BenchOptions): number {
  const main = options.timeBudgetMs ?? 3 * SWEEP_DEFAULTS.timeBudgetMs;
  return Math.max(100, Math.min(SWEEP_DEFAULTS.timeBudgetMs, main / 3));
}

/**
 * The API both bench workers expose. onnxruntime-web fixes its threads when it loads, so the first init (or the
 * first job, with the realm's preferred count) decides them for the worker's life; the client respawns the worker
 * to change them.
 */
export function createBenchApi(): BenchApi {
  let started: { asked: number; real: Promise<number> } | undefined;

  const start = (threads: number): Promise<number> => {
    if (!Number.isSafeInteger(threads) || threads < 1) return Promise.reject(new QbError('internal', `The thread count must be a whole number of at least 1 (got ${threads}).`));
    if (started !== undefined && started.asked !== threads) {
      return Promise.reject(
        new QbError('internal', `This benchmark worker already runs the engine with ${started.asked} thread(s); it cannot switch to ${threads}. Start a new benchmark worker.`),
      );
    }
    started ??= { asked: threads, real: startRuntime(threads) };
    return started.real;
  };
  const ensureStarted = async (): Promise<number> => {
    await start(started?.asked ?? preferredThreads());
    return started!.asked;
  };

  return {
    cancel: cancelJob,
    init: async (threads) => ({ threads: await start(threads) }),
    bench: (jobId, request, onProgress) =>
      runJob(jobId, async (signal): Promise<BenchResult> => {
        const progress = throttleProgress(onProgress);
        const requestedThreads = await ensureStarted();
        const files = await readModelFiles(request.model, progress, signal);
        const model = decodeOrEmpty(files);
        const hooks = { checkpoint: () => checkpoint(signal), onProgress: progress, requestedThreads };
        const run = await benchmarkModel(files.bytes, files.externalData, { ...request.options, ...hooks });
        let sweep: BatchSweep | null = null;
        if (request.sweep !== undefined) {
          if (hasFreeBatch(model)) {
            sweep = await batchSweep(files.bytes, files.externalData, request.sweep, {
              ...(request.options.device !== undefined ? { device: request.options.device } : {}),
              timeBudgetMs: sweepBudgetMs(request.options),
              maxWarmupRuns: Math.min(request.options.maxWarmupRuns ?? SWEEP_DEFAULTS.maxWarmupRuns, SWEEP_DEFAULTS.maxWarmupRuns),
              ...hooks,
            });
          } else if (!run.warnings.some((w) => w.kind === 'fixed-batch')) {
            run.warnings.push({
              kind: 'fixed-batch',
              message: `This model fixes its batch size at ${run.batch}, so the batch sweep was skipped. Export the model with a dynamic batch dimension to compare batch sizes.`,
            });
          }
        }
        progress({ stage: 'size' });
        const size = await modelSize(files.bytes, model, { external: files.externalData, checkpoint: () => checkpoint(signal) });
        progress({ stage: 'done' });
        return { run, sweep, size };
      }),
    profile: (jobId, modelFiles, runs) =>
      runJob(jobId, async (signal) => {
        await ensureStarted();
        const files = await readModelFiles(modelFiles, () => undefined, signal);
        if (files.externalData.length > 0) {
          throw new QbError('unsupported', `Per-layer timing needs the weights inside "${files.name}"; this model keeps them in ${files.externalData.map((f) => `"${f.path}"`).join(', ')}.`);
        }
        await checkpoint(signal);
        return profileModel(files.bytes, runs !== undefined ? { runs } : {});
      }),
    compare: (jobId, modelFiles, budgetMs) =>
      runJob(jobId, async (signal) => {
        await ensureStarted();
        const bytes = await Promise.all(modelFiles.map(async (f) => new Uint8Array(await f.arrayBuffer())));
        return compareModelsMs(bytes, { budgetMs, checkpoint: () => checkpoint(signal) });
      }),
  };
}
