// Typed API of the optimize workers (FP16 variants, running a model on a device). The CPU worker and the GPU
// worker expose the same API; they differ in the onnxruntime-web build they load (see clients.ts).
import type { DeviceRunResult } from '../src/pipeline/device-run';
import type { Fp16Check } from '../src/pipeline/fp16';
import type { Fp16Report } from '../src/quant/fp16';
import type { Device } from '../src/runtime/session';
import type { CancellableApi } from './client';
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
}
