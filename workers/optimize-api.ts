// Typed API of the optimize workers (FP16 and INT8 variants, running a model on a device). The CPU worker and the
// GPU worker expose the same API; they differ in the onnxruntime-web build they load (see clients.ts).
import type { TensorIO } from '../src/onnx/summary';
import type { DeviceRunResult } from '../src/pipeline/device-run';
import type { Fp16Check } from '../src/pipeline/fp16';
import type { Int8Options, Int8Report } from '../src/pipeline/int8';
import type { Fp16Report } from '../src/quant/fp16';
import type { Device } from '../src/runtime/session';
import type { JobStats } from '../src/shared/job-stats';
import type { CancellableApi } from './client';
import type { EvaluateRequest } from './dataset-api';
import type { ProgressSink } from './progress';

/** An FP16 variant as it crosses to the UI thread: the model bytes (transferred) and what was checked. */
export interface Fp16Result {
  /** The encoded FP16 model (the input unchanged when it was already FP16). Transferred, not copied. */
  bytes: Uint8Array;
  report: Fp16Report;
  /** Null when the model was already FP16 (nothing to compare with). */
  check: Fp16Check | null;
  /** Present when plain FP16 drifted and nodes were moved back to FP32. */
  mixedPrecision: { keepNodes: string[]; candidates: number; trials: number; passed: boolean } | null;
  /** Time per stage and the memory the job held. */
  stats: JobStats;
}

/** The user's dataset as INT8 takes it: the same shapes as an evaluation request, without the models and labels. */
export type Int8Dataset = Pick<EvaluateRequest, 'inputKind' | 'images' | 'recipe' | 'tensorFiles' | 'samples' | 'random' | 'input'>;

export interface Int8JobRequest {
  /** The .onnx file first or anywhere, plus its external-data files. */
  model: File[];
  /** The model card's inputs (seeded random check inputs are drawn for the first when there is no dataset). */
  inputs: TensorIO[];
  /** Calibration and check samples; null when no dataset is loaded (dynamic INT8 is then checked on random inputs). */
  dataset: Int8Dataset | null;
  options: Int8Options;
}

/** Where the check inputs came from: held-out dataset samples, seeded random inputs, or the calibration samples again. */
export type Int8CheckSource = 'held-out' | 'random' | 'calibration';

export interface Int8JobResult {
  /** The encoded INT8 model. Transferred, not copied. */
  bytes: Uint8Array;
  report: Int8Report;
  checkSource: Int8CheckSource;
  /** Time per stage and the memory the job held. */
  stats: JobStats;
}

export interface OptimizeApi extends CancellableApi {
  /**
   * Converts the model (first .onnx of `modelFiles`, the rest are its external-data files) to FP16 and checks
   * it against FP32 on seeded random inputs, with the mixed-precision search when plain FP16 drifts.
   * @throws QbError: unreadable model, several inputs, NaN/all-zero FP16 outputs, cancelled.
   */
  makeFp16(jobId: string, modelFiles: File[], onProgress: ProgressSink): Promise<Fp16Result>;
  /**
   * Runs the model on `device` and on the CPU with one seeded random input and compares the outputs.
   * 'webgpu' works only on the GPU worker.
   * @throws QbError('unsupported') when the device cannot take the model (no WebGPU, FP16 without shader-f16),
   * QbError('runtime') for NaN/all-zero device outputs.
   */
  runOnDevice(jobId: string, modelFiles: File[], device: Device, inputSeed: number, onProgress: ProgressSink): Promise<DeviceRunResult>;
  /**
   * Makes the INT8 variant (static QDQ with calibration, or dynamic) and checks it against FP32 in the runtime.
   * Calibration takes up to `options.subset` samples spread evenly over the dataset; validation takes others
   * (validationCount(options); when too few are left, a quarter of the dataset at most is kept apart from
   * calibration; none left: the engine reuses calibration samples and says so). Without a dataset, dynamic INT8 is checked on
   * seeded random inputs.
   * @throws QbError: unreadable model, already quantized, static without samples, broken INT8 outputs, cancelled.
   */
  makeInt8(jobId: string, request: Int8JobRequest, onProgress: ProgressSink): Promise<Int8JobResult>;
  /**
   * Stops the accuracy search (or collapse guard) of a running INT8 job at its next model: the job then finishes
   * with the best model found so far (report.accuracy.stoppedBy 'cancelled'). Unknown ids are ignored.
   */
  stopSearch(jobId: string): void;
}
