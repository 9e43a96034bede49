// The one place onnxruntime-web is loaded and configured (self-hosted wasm, explicit thread count, no proxy).
import type * as Ort from 'onnxruntime-web';

export type OrtModule = typeof Ort;

let loaded: Promise<OrtModule> | undefined;

/** Threads we ask for: every core when cross-origin isolated (capped at 8), else 1 (threads need isolation). */
export function preferredThreads(): number {
  const isolated = typeof crossOriginIsolated === 'boolean' ? crossOriginIsolated : false;
  const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency || 1 : 1;
  return isolated ? Math.max(1, Math.min(8, cores)) : 1;
}

/**
 * Loads the CPU (wasm) build of onnxruntime-web once. The thread count must be set before the first
 * session: ORT's default is min(4, ceil(cores/2)), i.e. 1 on a 2-core machine, and later changes are ignored.
 */
export function loadOrt(numThreads = preferredThreads()): Promise<OrtModule> {
  loaded ??= import('onnxruntime-web/wasm').then((ort) => {
    ort.env.wasm.numThreads = numThreads;
    // Our own workers already keep ORT off the UI thread; ORT's proxy worker would add a copy per run.
    ort.env.wasm.proxy = false;
    return ort as unknown as OrtModule;
  });
  return loaded;
}
