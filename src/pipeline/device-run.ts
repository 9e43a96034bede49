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
  /** Median of the warm runs on the device (1-5 runs, see timedRuns). */
  latencyMs: number;
  /** Median warm run of the same model and input on the CPU (wasm execution provider of the same ORT module). */
  wasmLatencyMs: number;
  /** How many warm runs each median is over. */
  warmRuns: { device: number; wasm: number };
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

/** Warm runs per side at most, and the time after which no further warm run starts (SwiftShader: ~0.5-5 s a run). */
const WARM_RUNS = 5;
const WARM_BUDGET_MS = 3000;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * One cold run, then warm runs (at least one; up to WARM_RUNS while under WARM_BUDGET_MS). Returns the last
 * output, the cold time and the median warm time in ms: single runs on a shared 2-core machine vary 2-3x.
 */
async function timedRuns(session: ModelSession, input: FloatTensor, checkpoint?: () => void | Promise<void>): Promise<{ output: FloatTensor; firstRunMs: number; latencyMs: number; warmRuns: number }> {
  const t0 = performance.now();
  await session.runFloat(input);
  const firstRunMs = performance.now() - t0;
  let output: FloatTensor;
  const warm: number[] = [];
  const started = performance.now();
  do {
    await checkpoint?.();
    const t = performance.now();
    output = await session.runFloat(input);
    warm.push(performance.now() - t);
  } while (warm.length < WARM_RUNS && performance.now() - started < WARM_BUDGET_MS);
  return { output, firstRunMs, latencyMs: median(warm), warmRuns: warm.length };
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
    run = await timedRuns(onDevice, input!, options.checkpoint);
  } finally {
    await onDevice.release();
  }
  await options.checkpoint?.();
  options.onStage?.('reference');
  const cpu = await ModelSession.create(bytes, externalData, { device: 'wasm' });
  let reference: Awaited<ReturnType<typeof timedRuns>>;
  try {
    reference = await timedRuns(cpu, input!, options.checkpoint);
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
    warmRuns: { device: run.warmRuns, wasm: reference.warmRuns },
    checkedAgainstWasm: { cosine: cmp.cosine, maxAbsDiff: cmp.maxAbsDiff },
    placement: onDevice.placement,
    inputSeed,
  };
}
