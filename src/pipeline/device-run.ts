// Runs one model on a device (WebGPU) and on the CPU (wasm) with the same seeded input and compares the outputs,
// so a device result is never shown unchecked: all-zero or NaN outputs (a GPU without float16 support can give
// those silently) are errors, not numbers.
import { realInputs } from '../onnx/graph';
import { decodeModel } from '../onnx/model-io';
import { compareOutputs, type FloatTensor } from '../quant/mixed-precision';
import type { NodePlacement } from '../runtime/ort-log';
import { ModelSession, type Device } from '../runtime/session';
import { QbError } from '../shared/errors';
import { randomInputs } from './fp16';

/** The first output of the device run, summarised (the full tensor stays in the worker). */
export interface OutputSummary {
  name: string;
  dims: number[];
  min: number;
  max: number;
  mean: number;
  /** Index of the largest value of the flattened output (the top-1 class of a classifier). */
  argmax: number;
}

export interface DeviceRunResult {
  device: Device;
  outputs: OutputSummary;
  /** First run on the device: includes WebGPU shader compilation, often most of the time. */
  firstRunMs: number;
  /** A second (warm) run on the device. */
  latencyMs: number;
  /** A warm run of the same model and input on the CPU (wasm), for comparison. */
  wasmLatencyMs: number;
  /** The device's first output against the CPU's on the same input. */
  checkedAgainstWasm: { cosine: number; maxAbsDiff: number };
  /** Where ORT placed the nodes (WebGPU only; null when ORT did not say or on wasm). */
  placement: NodePlacement | null;
  inputSeed: number;
}

export interface DeviceRunOptions {
  /** Seed of the random input (uniform in [-1, 1), the model's declared shape with open dims = 1); default 1. */
  inputSeed?: number;
  externalData?: { path: string; data: Uint8Array }[];
  /** Told which side runs now: the device first (a refusal comes before any work), then the CPU reference. */
  onStage?: (stage: 'device' | 'reference') => void;
  checkpoint?: () => void | Promise<void>;
}

function summarize(name: string, t: FloatTensor): OutputSummary {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let argmax = 0;
  t.data.forEach((v, i) => {
    if (v < min) min = v;
    if (v > max) {
      max = v;
      argmax = i;
    }
    sum += v;
  });
  return { name, dims: t.dims, min, max, mean: t.data.length > 0 ? sum / t.data.length : 0, argmax };
}

/** Runs twice (cold, then warm) and returns the warm output with both timings in ms. */
async function timedRuns(session: ModelSession, input: FloatTensor): Promise<{ output: FloatTensor; firstRunMs: number; latencyMs: number }> {
  const t0 = performance.now();
  await session.runFloat(input);
  const t1 = performance.now();
  const output = await session.runFloat(input);
  return { output, firstRunMs: t1 - t0, latencyMs: performance.now() - t1 };
}

/**
 * Runs the model on `device` and on wasm with one seeded random input and compares the first outputs.
 * @throws QbError('unsupported') when the device cannot take the model (no WebGPU; an FP16 model without
 * shader-f16: refused before running); QbError('runtime') when the device's outputs are NaN/Inf or all zero
 * where the CPU's are not, or the CPU's outputs are not finite; QbError('cancelled') from `checkpoint`.
 */
export async function runOnDevice(bytes: Uint8Array, device: Device, options: DeviceRunOptions = {}): Promise<DeviceRunResult> {
  const inputSeed = options.inputSeed ?? 1;
  const model = decodeModel(bytes);
  const inputCount = realInputs(model.graph!).length;
  if (inputCount !== 1) throw new QbError('unsupported', `Comparing devices needs a model with exactly one input; this one has ${inputCount}.`);
  const [input] = randomInputs(model, { count: 1, seed: inputSeed });
  const externalData = options.externalData ?? [];
  options.onStage?.('device');
  const onDevice = await ModelSession.create(bytes, externalData, { device });
  let run: Awaited<ReturnType<typeof timedRuns>>;
  const outputName = onDevice.outputNames[0] ?? 'output';
  try {
    await options.checkpoint?.();
    run = await timedRuns(onDevice, input!);
  } finally {
    await onDevice.release();
  }
  await options.checkpoint?.();
  options.onStage?.('reference');
  const cpu = await ModelSession.create(bytes, externalData, { device: 'wasm' });
  let reference: Awaited<ReturnType<typeof timedRuns>>;
  try {
    reference = await timedRuns(cpu, input!);
  } finally {
    await cpu.release();
  }
  if (reference.output.data.some((v) => !Number.isFinite(v))) {
    throw new QbError('runtime', 'The model gives NaN or infinite outputs on the CPU too, so the device result cannot be checked.');
  }
  const cmp = compareOutputs([reference.output.data], [run.output.data]);
  if (cmp.broken !== undefined) {
    const what = cmp.broken === 'nan' ? 'NaN or infinite values' : 'only zeros';
    throw new QbError('runtime', `On ${device === 'webgpu' ? 'WebGPU' : device} the model gave ${what} where the CPU gives real numbers, so its results are not shown. This GPU path cannot run this model correctly.`);
  }
  return {
    device,
    outputs: summarize(outputName, run.output),
    firstRunMs: run.firstRunMs,
    latencyMs: run.latencyMs,
    wasmLatencyMs: reference.latencyMs,
    checkedAgainstWasm: { cosine: cmp.cosine, maxAbsDiff: cmp.maxAbsDiff },
    placement: onDevice.placement,
    inputSeed,
  };
}
