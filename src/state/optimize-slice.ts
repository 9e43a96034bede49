// Optimize slice: the FP16 variant of the loaded model (made and checked in the CPU optimize worker), its INT8
// variant (int8-slice.ts, same worker) and runs on WebGPU (GPU worker) checked against the CPU. The variant's bytes live in module scope as a File and a Blob URL;
// state holds plain data only.
import { isBigModel } from '../shared/files';
import { proxy } from 'comlink';
import type { StateCreator } from 'zustand';
import { createGpuClient, createOptimizeClient } from '../../workers/clients';
import type { Fp16Result } from '../../workers/optimize-api';
import type { DeviceRunResult } from '../pipeline/device-run';
import { toQbError, type QbErrorData } from '../shared/errors';
import { createInt8Slice, type Int8Slice } from './int8-slice';
import { progressTracker, type ProgressView } from './progress-view';
import type { AppState, JobStatus } from './store';

/** Cosine vs the CPU below which a WebGPU result is flagged as not matching. */
export const DEVICE_COSINE_MIN = 0.999;

export interface Fp16State {
  status: JobStatus;
  /** What the worker measured; `bytes` stay out of state (see download). */
  result: Omit<Fp16Result, 'bytes'> | null;
  /** The variant file to save; null until a variant exists (never for an already-FP16 model). */
  download: { url: string; fileName: string; sizeBytes: number } | null;
  progress: ProgressView | null;
  error: QbErrorData | null;
}

/**
 * ok: ran on WebGPU and matches the CPU; mismatch: ran but the outputs differ (cosine < DEVICE_COSINE_MIN);
 * refused: the GPU path declined the model before running it (e.g. FP16 without shader-f16);
 * unavailable: no WebGPU adapter; error: it failed (NaN/zero outputs, crash).
 */
export type WebGpuRunStatus = 'idle' | 'running' | 'ok' | 'mismatch' | 'refused' | 'unavailable' | 'error';

export interface WebGpuRunState {
  status: WebGpuRunStatus;
  result: DeviceRunResult | null;
  /** Why it was refused / unavailable / failed, in plain words. */
  message: string;
  error: QbErrorData | null;
  progress: ProgressView | null;
}

/** Which model to run on WebGPU: the loaded one, or its FP16 variant. */
export type WebGpuTarget = 'model' | 'variant';

export interface OptimizeSlice extends Int8Slice {
  fp16: Fp16State;
  webgpu: Record<WebGpuTarget, WebGpuRunState>;
  /** Makes and checks the FP16 variant of the loaded model. */
  makeFp16(): Promise<void>;
  cancelFp16(): void;
  dismissFp16Error(): void;
  /** Runs the target on WebGPU and compares it with the CPU; refuses without running when WebGPU cannot take it. */
  runOnWebGpu(target: WebGpuTarget): Promise<void>;
  cancelWebGpu(target: WebGpuTarget): void;
  /** Forgets the variants and device results (a new model was loaded). */
  resetOptimize(): void;
}

const IDLE_FP16: Fp16State = { status: 'idle', result: null, download: null, progress: null, error: null };
const IDLE_RUN: WebGpuRunState = { status: 'idle', result: null, message: '', error: null, progress: null };

const optimizeClient = createOptimizeClient();
const gpuClient = createGpuClient();
let variantFile: File | null = null;
let fp16Abort: AbortController | undefined;
const gpuAbort: Partial<Record<WebGpuTarget, AbortController>> = {};

/** The FP16 variant's file while one exists (the benchmark measures it), else null. */
export function fp16VariantFile(): File | null {
  return variantFile;
}

/** "resnet20.onnx" -> "resnet20-fp16.onnx". */
export function fp16FileName(modelName: string): string {
  return `${modelName.replace(/\.onnx$/i, '')}-fp16.onnx`;
}

const createInt8 = createInt8Slice(optimizeClient);

export const createOptimizeSlice: StateCreator<AppState, [], [], OptimizeSlice> = (set, get, store) => {
  const setFp16 = (patch: Partial<Fp16State>): void => set((s) => ({ fp16: { ...s.fp16, ...patch } }));
  const setRun = (target: WebGpuTarget, patch: Partial<WebGpuRunState>): void =>
    set((s) => ({ webgpu: { ...s.webgpu, [target]: { ...s.webgpu[target], ...patch } } }));
  const dropVariant = (): void => {
    const url = get().fp16.download?.url;
    if (url !== undefined) URL.revokeObjectURL(url);
    variantFile = null;
  };

  return {
    ...createInt8(set, get, store),
    fp16: IDLE_FP16,
    webgpu: { model: IDLE_RUN, variant: IDLE_RUN },

    async makeFp16() {
      const { card, files } = get().model;
      if (card === null) return;
      fp16Abort?.abort();
      const abort = new AbortController();
      fp16Abort = abort;
      dropVariant();
      set((s) => ({ fp16: { ...IDLE_FP16, status: 'running' }, webgpu: { ...s.webgpu, variant: IDLE_RUN } }));
      const onProgress = progressTracker((view) => {
        if (fp16Abort === abort) setFp16({ progress: view });
      });
      try {
        const { bytes, ...result } = await optimizeClient.run((api, jobId) => api.makeFp16(jobId, files, proxy(onProgress)), abort.signal, { recycle: isBigModel(files) });
        if (fp16Abort !== abort) return;
        let download: Fp16State['download'] = null;
        if (!result.report.alreadyFp16) {
          const fileName = fp16FileName(card.fileName);
          variantFile = new File([bytes as Uint8Array<ArrayBuffer>], fileName, { type: 'application/octet-stream' });
          download = { url: URL.createObjectURL(variantFile), fileName, sizeBytes: variantFile.size };
        }
        setFp16({ status: 'done', result, download, progress: null });
      } catch (err) {
        if (fp16Abort !== abort) return;
        const e = toQbError(err);
        setFp16({ status: e.code === 'cancelled' ? 'idle' : 'error', progress: null, error: e.code === 'cancelled' ? null : e.toData() });
      }
    },

    cancelFp16() {
      fp16Abort?.abort();
      fp16Abort = undefined;
      setFp16({ status: 'idle', progress: null });
    },

    dismissFp16Error() {
      setFp16({ error: null, status: get().fp16.result !== null ? 'done' : 'idle' });
    },

    async runOnWebGpu(target) {
      const gpu = get().runtime.info?.webgpu;
      if (gpu === undefined || !gpu.available) {
        setRun(target, { ...IDLE_RUN, status: 'unavailable', message: gpu?.reason || 'WebGPU is not available in this browser.' });
        return;
      }
      const files = target === 'variant' ? (variantFile !== null ? [variantFile] : []) : get().model.files;
      if (files.length === 0) return;
      gpuAbort[target]?.abort();
      const abort = new AbortController();
      gpuAbort[target] = abort;
      setRun(target, { ...IDLE_RUN, status: 'running' });
      const onProgress = progressTracker((view) => {
        if (gpuAbort[target] === abort) setRun(target, { progress: view });
      });
      try {
        const result = await gpuClient.run((api, jobId) => api.runOnDevice(jobId, files, 'webgpu', 1, proxy(onProgress)), abort.signal, { recycle: isBigModel(files) });
        if (gpuAbort[target] !== abort) return;
        const matches = result.checkedAgainstWasm.cosine >= DEVICE_COSINE_MIN;
        setRun(target, {
          status: matches ? 'ok' : 'mismatch',
          result,
          message: matches ? '' : `WebGPU's outputs differ from the CPU's (cosine ${result.checkedAgainstWasm.cosine.toFixed(4)}): do not trust this GPU path for this model.`,
          progress: null,
        });
      } catch (err) {
        if (gpuAbort[target] !== abort) return;
        const e = toQbError(err);
        if (e.code === 'cancelled') setRun(target, { ...IDLE_RUN });
        // 'unsupported' is the GPU path declining the model before running it: a refusal, not a crash.
        else if (e.code === 'unsupported') setRun(target, { ...IDLE_RUN, status: 'refused', message: e.message, error: e.toData() });
        else setRun(target, { ...IDLE_RUN, status: 'error', message: e.message, error: e.toData() });
      }
    },

    cancelWebGpu(target) {
      gpuAbort[target]?.abort();
      delete gpuAbort[target];
      setRun(target, { ...IDLE_RUN });
    },

    resetOptimize() {
      fp16Abort?.abort();
      fp16Abort = undefined;
      for (const t of ['model', 'variant'] as const) {
        gpuAbort[t]?.abort();
        delete gpuAbort[t];
      }
      dropVariant();
      set({ fp16: IDLE_FP16, webgpu: { model: IDLE_RUN, variant: IDLE_RUN } });
      get().resetInt8();
    },
  };
};
