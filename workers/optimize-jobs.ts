// The optimize API, implemented once for both optimize workers: reads the dropped files, calls pipeline/fp16,
// pipeline/int8 and pipeline/device-run, reports progress and hands the model bytes back transferred.
import * as Comlink from 'comlink';
import { checkModelSize, decodeModel } from '../src/onnx/model-io';
import { runOnDevice } from '../src/pipeline/device-run';
import { makeFp16Variant } from '../src/pipeline/fp16';
import { DEFAULT_SUBSET, makeInt8Variant, validationCount } from '../src/pipeline/int8';
import { looksTransformerLike } from '../src/quant/dynamic-int8';
import { cpuSpeedProbe } from '../src/runtime/profile';
import { ModelSession } from '../src/runtime/session';
import { pickModelFile } from '../src/shared/files';
import { int8Inputs } from './int8-inputs';
import { cancelJob, checkpoint, runJob, stopJob, stopRequested } from './jobs';
import type { OptimizeApi } from './optimize-api';
import type { TensorIO } from '../src/onnx/summary';
import { throttleProgress, type Progress, type ProgressSink } from './progress';
import { engineMemoryBytes } from '../src/runtime/engine-memory';
import { StageTimer, type JobStats } from '../src/shared/job-stats';
import { readBlob } from './read-blob';

interface ModelBytes {
  bytes: Uint8Array;
  externalData: { path: string; data: Uint8Array }[];
}

async function readModelFiles(files: File[], progress: ProgressSink, signal: AbortSignal): Promise<ModelBytes> {
  const { model, others } = pickModelFile(files);
  checkModelSize(model.name, model.size);
  const bytes = await readBlob(model, model.name, progress, signal);
  const externalData = [];
  for (const f of others) externalData.push({ path: f.name, data: await readBlob(f, f.name, progress, signal) });
  return { bytes, externalData };
}

/** Elements of the model's first input (open dims count 224: an image side). */
function inputElements(inputs: readonly TensorIO[]): number {
  return (inputs[0]?.shape ?? []).reduce<number>((a, d) => a * (typeof d === 'number' && d > 0 ? d : 224), 1);
}

/** Progress that also times each stage (marked before throttling, so no stage change is lost). */
function timedProgress(onProgress: ProgressSink): { progress: ProgressSink; timer: StageTimer } {
  const timer = new StageTimer();
  const throttled = throttleProgress(onProgress);
  return { timer, progress: (p: Progress) => (timer.mark(p.stage), throttled(p)) };
}

/** The job's stats: its stages' times, and the files, output and engine heap it held. */
function finishStats(timer: StageTimer, files: ModelBytes, outputBytes: number): JobStats {
  const fileBytes = files.bytes.byteLength + files.externalData.reduce((s, f) => s + f.data.byteLength, 0);
  const engineBytes = engineMemoryBytes();
  return timer.finish({ engineBytes, fileBytes, outputBytes, peakBytes: engineBytes + fileBytes + outputBytes });
}

/** `bytes` alone in its buffer, so transferring the buffer hands over exactly this model and nothing else. */
function ownBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}

/** The API both optimize workers expose. */
export function createOptimizeApi(): OptimizeApi {
  return {
    cancel: cancelJob,
    stopSearch: stopJob,
    makeFp16: (jobId, modelFiles, onProgress) =>
      runJob(jobId, async (signal) => {
        const { progress, timer } = timedProgress(onProgress);
        const files = await readModelFiles(modelFiles, progress, signal);
        const { bytes, externalData } = files;
        await checkpoint(signal);
        let trials = 0;
        const variant = await makeFp16Variant(bytes, {
          external: (location) => externalData.find((f) => f.path === location)?.data,
          // The original needs its external-data files; converted variants hold their weights inline.
          makeRunner: (b, e) => ModelSession.create(b, e ?? (b === bytes ? externalData : [])),
          onStage: (stage) => progress(stage === 'convert' ? { stage: 'convert' } : stage === 'check' ? { stage: 'check-fp16' } : { stage: 'mixed-precision', trials }),
          onStep: () => progress({ stage: 'mixed-precision', trials: ++trials }),
          checkpoint: () => checkpoint(signal),
        });
        progress({ stage: 'done' });
        const m = variant.mixedPrecision;
        const out = ownBuffer(variant.bytes);
        return Comlink.transfer(
          {
            bytes: out,
            report: variant.report,
            check: variant.check,
            mixedPrecision: m === undefined ? null : { keepNodes: m.keepNodes, candidates: m.candidates, trials: m.steps.length, passed: m.passed },
            stats: finishStats(timer, files, out.byteLength),
          },
          [out.buffer],
        );
      }),
    runOnDevice: (jobId, modelFiles, device, inputSeed, onProgress) =>
      runJob(jobId, async (signal) => {
        const progress = throttleProgress(onProgress);
        const { bytes, externalData } = await readModelFiles(modelFiles, progress, signal);
        const result = await runOnDevice(bytes, device, {
          inputSeed,
          externalData,
          onStage: (stage) => progress(stage === 'device' && device === 'webgpu' ? { stage: 'run-webgpu' } : { stage: 'run-wasm' }),
          checkpoint: () => checkpoint(signal),
        });
        progress({ stage: 'done' });
        return result;
      }),
    makeInt8: (jobId, request, onProgress) =>
      runJob(jobId, async (signal) => {
        const { progress, timer } = timedProgress(onProgress);
        const files = await readModelFiles(request.model, progress, signal);
        const { bytes, externalData } = files;
        await checkpoint(signal);
        // 'auto' resolves as the engine will resolve it, to know whether samples go to calibration or all to the check.
        const chosen = request.options.mode ?? 'auto';
        const mode = chosen !== 'auto' ? chosen : looksTransformerLike(decodeModel(bytes)) ? 'dynamic' : 'static';
        const keepApart = validationCount({ ...request.options, mode }, 4 * inputElements(request.inputs));
        const inputs = await int8Inputs(request.dataset, request.inputs, mode, request.options.subset ?? DEFAULT_SUBSET, progress, signal, keepApart);
        const variant = await makeInt8Variant({
          bytes,
          ...(externalData.length > 0 ? { external: (location: string) => externalData.find((f) => f.path === location)?.data } : {}),
          options: { ...request.options, mode },
          ...(inputs.calibration !== undefined ? { calibration: inputs.calibration } : {}),
          ...(inputs.validation !== undefined ? { validation: inputs.validation } : {}),
          ...(inputs.validationLabels !== undefined ? { validationLabels: inputs.validationLabels } : {}),
          shouldStop: () => stopRequested(jobId),
          // The original needs its external-data files; the engine's own models hold their weights inline.
          makeRunner: (b, e) => ModelSession.create(b, e ?? (b === bytes ? externalData : [])),
          // Layers are timed in this worker: the same onnxruntime-web build and threads the model will run with.
          speedProbe: cpuSpeedProbe(),
          onProgress: progress,
          checkpoint: () => checkpoint(signal),
        });
        progress({ stage: 'done' });
        const report = { ...variant.report, warnings: [...inputs.warnings(), ...variant.report.warnings] };
        const out = ownBuffer(variant.bytes);
        return Comlink.transfer({ bytes: out, report, checkSource: inputs.checkSource, stats: finishStats(timer, files, out.byteLength) }, [out.buffer]);
      }),
  };
}
