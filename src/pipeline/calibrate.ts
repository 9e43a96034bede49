// Calibration run: streams inputs one at a time through the calibration model and keeps only per-tensor
// streaming statistics (observers), so memory does not grow with the number of images.
import { runnerFor, type RunnerFactory } from '../onnx/weight-views';
import type { FloatTensor } from '../quant/mixed-precision';
import { calibrationModel, reductionOutputs, sampleOutput } from '../quant/calibration-graph';
import { TensorObserver, type ObserverOptions } from '../quant/observers';
import type { ModelProto } from '../onnx/proto/onnx_pb';
import { QbError } from '../shared/errors';

/** Port to a runtime session that returns every float output by name (runtime/ModelSession). */
export interface OutputsRunner {
  runFloat(input: FloatTensor): Promise<FloatTensor>;
  runOutputs(input: FloatTensor): Promise<Map<string, FloatTensor>>;
  release?(): Promise<void>;
}

export interface CalibrateOptions {
  /** The float model (already at the opset the quantized model will have). */
  model: ModelProto;
  /** Activation tensors to observe (QdqPlan.tensors). */
  tensors: readonly string[];
  /** Graph inputs among them: observed from the feed itself. */
  graphInputs: readonly string[];
  observer: ObserverOptions;
  /** Inputs, pulled one at a time; at most `limit` are used. */
  inputs: AsyncIterable<FloatTensor> | Iterable<FloatTensor>;
  limit: number;
  makeRunner: RunnerFactory<OutputsRunner>;
  onStep?: (done: number, total: number) => void;
  checkpoint?: () => void | Promise<void>;
  /** Keeps the first `keep` inputs (for a check when no held-out inputs were given). */
  keep?: number;
}

export interface CalibrateResult {
  observers: Map<string, TensorObserver>;
  images: number;
  /** Wall time of the loop (runs and statistics, not the session creation), ms. */
  elapsedMs: number;
  /** Inference-only part of elapsedMs. */
  runMs: number;
  kept: FloatTensor[];
}

/** Values per tensor and image the histogram methods bin at most; larger tensors are sampled with a stride. */
export const SAMPLE_VALUES = 65_536;

/** Odd strides (so a stride never lines up with power-of-two rows) for tensors larger than SAMPLE_VALUES. */
function samplingStrides(tensors: readonly string[], outputs: Map<string, FloatTensor>, graphInputs: ReadonlySet<string>): Map<string, number> {
  const strides = new Map<string, number>();
  for (const t of tensors) {
    const n = graphInputs.has(t) ? 0 : (outputs.get(t)?.data.length ?? 0);
    if (n <= 2 * SAMPLE_VALUES) continue;
    let k = Math.ceil(n / SAMPLE_VALUES);
    if (k % 2 === 0) k++;
    strides.set(t, k);
  }
  return strides;
}

/**
 * Runs calibration. MinMax reduces every tensor to two scalars inside the graph; the histogram methods take
 * whole tensors out, or for tensors over 2·SAMPLE_VALUES values (seen on the first image) every k-th value plus the exact
 * min and max, computed in the graph. Either way each image's outputs are dropped as soon as the observers have seen them.
 * @throws QbError('runtime') when an output is missing or a run fails; whatever checkpoint() throws.
 */
export async function calibrate(options: CalibrateOptions): Promise<CalibrateResult> {
  const full = TensorObserver.needsFullTensor(options.observer.method);
  const calib = calibrationModel(options.model, options.tensors, full ? 'full' : 'minmax');
  // Observers first: invalid observer options throw here, before a runner exists that would need releasing.
  const observers = new Map(options.tensors.map((t) => [t, new TensorObserver(options.observer)]));
  let runner = await runnerFor(options.makeRunner, calib);
  let strides: Map<string, number> | null = null;
  const graphInputs = new Set(options.graphInputs);
  const kept: FloatTensor[] = [];
  let images = 0;
  let runMs = 0;
  const started = performance.now();
  try {
    for await (const input of options.inputs) {
      if (images >= options.limit) break;
      await options.checkpoint?.();
      const t0 = performance.now();
      const outputs = await runner.runOutputs(input);
      runMs += performance.now() - t0;
      for (const [name, obs] of observers) {
        if (graphInputs.has(name)) {
          obs.observe(input.data);
          continue;
        }
        if (full && (strides?.get(name) ?? 1) > 1) {
          const sample = outputs.get(sampleOutput(name))?.data;
          const r = reductionOutputs(name);
          const lo = outputs.get(r.min)?.data[0];
          const hi = outputs.get(r.max)?.data[0];
          if (sample === undefined || lo === undefined || hi === undefined) throw new QbError('runtime', 'Calibration could not read an intermediate tensor of the model.', `missing sample of ${name}`);
          obs.observe(sample);
          obs.observe(Float32Array.of(lo, hi));
        } else if (full) {
          const t = outputs.get(name);
          if (t === undefined) throw new QbError('runtime', 'Calibration could not read an intermediate tensor of the model.', `missing output ${name}`);
          obs.observe(t.data);
        } else {
          const r = reductionOutputs(name);
          const lo = outputs.get(r.min)?.data[0];
          const hi = outputs.get(r.max)?.data[0];
          if (lo === undefined || hi === undefined) throw new QbError('runtime', 'Calibration could not read an intermediate tensor of the model.', `missing min/max of ${name}`);
          obs.observeMinMax(lo, hi);
        }
      }
      if (kept.length < (options.keep ?? 0)) kept.push({ data: input.data.slice(), dims: [...input.dims] });
      images++;
      options.onStep?.(images, options.limit);
      if (full && strides === null) {
        // Sizes are known after the first image: large tensors switch to in-graph strided samples.
        strides = samplingStrides(options.tensors, outputs, graphInputs);
        if (strides.size > 0) {
          await runner.release?.();
          runner = await runnerFor(options.makeRunner, calibrationModel(options.model, options.tensors, 'full', strides));
        }
      }
      // Stop before pulling another input: with a decoding source that would decode one image for nothing.
      if (images >= options.limit) break;
    }
  } finally {
    await runner.release?.();
  }
  return { observers, images, elapsedMs: performance.now() - started, runMs, kept };
}
