// WebGPU adapter probe: is there an adapter, is it a software fallback, does it offer shader-f16, and its
// limits. Works in a window or a worker; never throws (a missing GPU is a fact to report, not an error).

/** What this browser's WebGPU adapter offers. All fields are plain data (safe to post between threads). */
export interface WebGpuInfo {
  available: boolean;
  /** "vendor architecture description" of the adapter, or '' when none. */
  adapter: string;
  /** A software adapter (e.g. SwiftShader): it runs, but slower than the CPU path. */
  isFallbackAdapter: boolean;
  /** The adapter can run float16 shaders; without it FP16 models cannot run on WebGPU. */
  shaderF16: boolean;
  /** Every optional feature the adapter offers (e.g. 'shader-f16', 'timestamp-query'), sorted. */
  features: string[];
  /** The adapter's limits by name (e.g. maxBufferSize in bytes, maxComputeWorkgroupSizeX). */
  limits: Record<string, number>;
  /** Plain-language note for the user ('' when nothing needs saying). */
  reason: string;
}

interface GpuAdapterLike {
  features: Iterable<string> & { has(name: string): boolean };
  limits: object;
  info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

/** The limits that decide whether a model fits; GPUSupportedLimits is an interface object, not a plain one. */
const LIMIT_NAMES = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
] as const;

function unavailable(reason: string): WebGpuInfo {
  return { available: false, adapter: '', isFallbackAdapter: false, shaderF16: false, features: [], limits: {}, reason };
}

function readLimits(limits: object): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of LIMIT_NAMES) {
    const v = (limits as Record<string, unknown>)[name];
    if (typeof v === 'number') out[name] = v;
  }
  return out;
}

let cached: Promise<WebGpuInfo> | undefined;

/**
 * Requests the default WebGPU adapter (as onnxruntime-web does) and describes it. Cached per realm: the
 * adapter does not change while the page lives. Headless Chromium offers WebGPU only with
 * --enable-unsafe-webgpu, as a SwiftShader fallback adapter without shader-f16.
 */
export function probeWebGpu(): Promise<WebGpuInfo> {
  cached ??= requestInfo();
  return cached;
}

async function requestInfo(): Promise<WebGpuInfo> {
  const gpu = typeof navigator === 'undefined' ? undefined : (navigator as unknown as { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }).gpu;
  if (gpu === undefined) return unavailable('This browser has no WebGPU; models run on the CPU (WebAssembly).');
  try {
    const adapter = await gpu.requestAdapter();
    if (adapter === null) return unavailable('WebGPU is present but found no usable GPU; models run on the CPU.');
    const info = adapter.info ?? {};
    const name = [info.vendor, info.architecture, info.description].filter((s) => s !== undefined && s !== '').join(' ');
    const fallback = info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false;
    const shaderF16 = adapter.features.has('shader-f16');
    return {
      available: true,
      adapter: name || 'unnamed adapter',
      isFallbackAdapter: fallback,
      shaderF16,
      features: [...adapter.features].sort(),
      limits: readLimits(adapter.limits),
      reason: fallback
        ? `Only a software (fallback) GPU adapter is available: it is slower than the CPU path${shaderF16 ? '' : ', and it cannot run FP16 models (no shader-f16)'}.`
        : shaderF16
          ? ''
          : 'This GPU lacks shader-f16, so FP16 cannot run on WebGPU here.',
    };
  } catch (err) {
    return unavailable(`WebGPU failed to start: ${String(err)}`);
  }
}
