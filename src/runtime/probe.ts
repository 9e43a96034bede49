// Capability probe: threads, cross-origin isolation, WebGPU adapter and shader-f16, recorded with every result.
import { loadOrt } from './ort';
import { probeModelBytes } from './probe-model';

export interface RuntimeInfo {
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  /** Threads onnxruntime-web really uses (it silently drops to 1 without cross-origin isolation). */
  ortThreads: number;
  ortVersion: string;
  backend: 'wasm';
  webgpu: { available: boolean; adapter: string; isFallbackAdapter: boolean; shaderF16: boolean; reason: string };
  userAgent: string;
}

interface GpuAdapterLike {
  features: { has(name: string): boolean };
  info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

async function probeWebGpu(): Promise<RuntimeInfo['webgpu']> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }).gpu;
  if (gpu === undefined) {
    return { available: false, adapter: '', isFallbackAdapter: false, shaderF16: false, reason: 'This browser has no WebGPU; models run on the CPU (WebAssembly).' };
  }
  try {
    const adapter = await gpu.requestAdapter();
    if (adapter === null) {
      return { available: false, adapter: '', isFallbackAdapter: false, shaderF16: false, reason: 'WebGPU is present but found no usable GPU; models run on the CPU.' };
    }
    const info = adapter.info ?? {};
    const name = [info.vendor, info.architecture, info.description].filter((s) => s !== undefined && s !== '').join(' ');
    const fallback = info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false;
    const f16 = adapter.features.has('shader-f16');
    return {
      available: true,
      adapter: name || 'unnamed adapter',
      isFallbackAdapter: fallback,
      shaderF16: f16,
      reason: fallback ? 'Only a software (fallback) GPU adapter is available: it is slower than the CPU path.' : f16 ? '' : 'This GPU lacks shader-f16, so FP16 cannot run on WebGPU here.',
    };
  } catch (err) {
    return { available: false, adapter: '', isFallbackAdapter: false, shaderF16: false, reason: `WebGPU failed to start: ${String(err)}` };
  }
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
