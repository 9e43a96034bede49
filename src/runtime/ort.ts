// The one place onnxruntime-web is loaded and configured (self-hosted wasm, explicit thread count, no proxy).
// Each worker loads exactly one ORT build: the CPU-only wasm build by default, the WebGPU build only in the GPU worker.
import type * as Ort from 'onnxruntime-web';
import { installEngineMemoryWatch } from './engine-memory';
import { installOrtLogCapture } from './ort-log';
import { installProfileCapture } from './profile';

export type OrtModule = typeof Ort;

/**
 * Which onnxruntime-web build this realm uses. 'wasm' is the CPU-only build (14 MB wasm); 'webgpu' adds the
 * WebGPU execution provider (27 MB asyncify wasm) and still runs the CPU ('wasm') provider.
 */
export type OrtBuild = 'wasm' | 'webgpu';

let build: OrtBuild = 'wasm';
let loaded: Promise<OrtModule> | undefined;

/**
 * Chooses the build before the first loadOrt(). ORT's `env` (threads, log level) is global per module, so a
 * realm keeps one build: the GPU worker selects 'webgpu' at start-up, everything else keeps 'wasm'.
 * @throws Error when another build was already loaded in this realm.
 */
export function selectOrtBuild(next: OrtBuild): void {
  if (loaded !== undefined && next !== build) throw new Error(`onnxruntime-web (${build} build) is already loaded in this worker; it cannot switch to ${next}.`);
  build = next;
}

/** The build loadOrt() loads (or loaded) in this realm. */
export function ortBuild(): OrtBuild {
  return build;
}

/** Threads we ask for: every core when cross-origin isolated (capped at 8), else 1 (threads need isolation). */
export function preferredThreads(): number {
  const isolated = typeof crossOriginIsolated === 'boolean' ? crossOriginIsolated : false;
  const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency || 1 : 1;
  return isolated ? Math.max(1, Math.min(8, cores)) : 1;
}

/**
 * Loads the selected onnxruntime-web build once (see selectOrtBuild; the wasm build by default). The thread
 * count must be set before the first session: ORT's default is min(4, ceil(cores/2)), i.e. 1 on a 2-core
 * machine, and later changes are ignored.
 */
export function loadOrt(numThreads = preferredThreads()): Promise<OrtModule> {
  // The wasm module binds console.log when it starts; per-node profiles are read through it (profile.ts).
  if (loaded === undefined) {
    installProfileCapture();
    installEngineMemoryWatch();
  }
  loaded ??= (build === 'webgpu' ? loadWebGpuBuild() : import('onnxruntime-web/wasm')).then((ort) => {
    ort.env.wasm.numThreads = numThreads;
    // Our own workers already keep ORT off the UI thread; ORT's proxy worker would add a copy per run.
    ort.env.wasm.proxy = false;
    return ort as unknown as OrtModule;
  });
  return loaded;
}

async function loadWebGpuBuild(): Promise<typeof import('onnxruntime-web/webgpu')> {
  // The WebGPU build writes its log through console.error, bound when its wasm starts: the capture must be in
  // place first (it turns ORT's log lines into node-placement facts instead of console errors).
  installOrtLogCapture();
  return import('onnxruntime-web/webgpu');
}
