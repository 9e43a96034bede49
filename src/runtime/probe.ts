// Capability probe: threads, cross-origin isolation, WebGPU adapter and shader-f16, recorded with every result.
import { loadOrt } from './ort';
import { probeModelBytes } from './probe-model';
import { probeWebGpu, type WebGpuInfo } from './webgpu';

export interface RuntimeInfo {
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  /** Threads onnxruntime-web really uses (it silently drops to 1 without cross-origin isolation). */
  ortThreads: number;
  ortVersion: string;
  backend: 'wasm';
  /** WebGPU adapter, its features (shader-f16) and limits; probed in the worker, as the GPU worker sees it. */
  webgpu: WebGpuInfo;
  userAgent: string;
}

/**
 * Starts onnxruntime-web with a one-node model so its real thread count is known, and probes WebGPU.
 * ORT writes the effective count back into env.wasm.numThreads during initialisation.
 */
export async function probeRuntime(): Promise<RuntimeInfo> {
  const ort = await loadOrt();
  const session = await ort.InferenceSession.create(probeModelBytes(), { executionProviders: ['wasm'] });
  await session.release();
  return {
    crossOriginIsolated: typeof crossOriginIsolated === 'boolean' ? crossOriginIsolated : false,
    hardwareConcurrency: navigator.hardwareConcurrency || 1,
    ortThreads: ort.env.wasm.numThreads ?? 1,
    ortVersion: ort.env.versions.web ?? 'unknown',
    backend: 'wasm',
    webgpu: await probeWebGpu(),
    userAgent: navigator.userAgent,
  };
}
