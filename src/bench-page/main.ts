// The benchmark harness page: `window.quantbench` runs the app's own bench worker on model URLs, for the CLI and
// scripts driving Chromium (src/cli/browser.ts). No React, no store: a title and this object.
import { proxy } from 'comlink';
import type { BenchOptions } from '../runtime/bench-types';
import type { ModelProfile, PairedTiming } from '../runtime/profile';
import type { Device } from '../runtime/session';
import type { BenchRequest, BenchResult } from '../../workers/bench-api';
import type { WorkerClient } from '../../workers/client';
import { createBenchClient } from '../../workers/clients';
import type { BenchApi } from '../../workers/bench-api';
import type { Progress } from '../../workers/progress';

/** What `quantbench.bench` takes besides the model: the worker's threads, the benchmark options and a batch sweep. */
export interface PageBenchRequest {
  /** Threads onnxruntime-web starts with (default: every core up to 8 when cross-origin isolated, else 1). */
  threads?: number;
  options: BenchOptions;
  sweep?: BenchRequest['sweep'];
}

/** The harness API on `window.quantbench`. Model URLs: the .onnx file, or it and its external-data files. */
export interface QuantbenchPage {
  bench(modelUrl: string | string[], request: PageBenchRequest): Promise<BenchResult>;
  /** Per-node timings on the CPU (runs default 12), in the bench worker. */
  profile(modelUrl: string, runs?: number, threads?: number): Promise<ModelProfile>;
  /** Paired timing of several models (one file each), alternating runs, in the bench worker. */
  compare(modelUrls: string[], budgetMs: number, threads?: number): Promise<PairedTiming>;
}

declare global {
  interface Window {
    quantbench: QuantbenchPage;
    /** Set by a driver (Playwright's exposeFunction) to receive progress events. */
    quantbenchProgress?: (p: Progress) => void;
  }
}

/** The app's default thread count (runtime/ort preferredThreads, which this page may not import). */
function defaultThreads(): number {
  return crossOriginIsolated ? Math.max(1, Math.min(8, navigator.hardwareConcurrency || 1)) : 1;
}

let client: WorkerClient<BenchApi> | undefined;
let clientKey = '';

/** One bench worker per device and thread count: ORT fixes them at start-up, so a change means a new worker. */
function clientFor(threads: number, device: Device): WorkerClient<BenchApi> {
  const key = `${device}|${threads}`;
  if (client !== undefined && key === clientKey) return client;
  client?.terminate();
  client = createBenchClient(threads, device);
  clientKey = key;
  return client;
}

/** Fetches model files as File objects (named by the last URL segment) for the worker to read itself. */
async function fetchFiles(urls: string[]): Promise<File[]> {
  return Promise.all(
    urls.map(async (url) => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`Could not fetch ${url}: HTTP ${response.status}`);
      const name = decodeURIComponent(new URL(url, location.href).pathname.split('/').pop() ?? 'model.onnx');
      return new File([await response.blob()], name);
    }),
  );
}

const onProgress = (p: Progress): void => window.quantbenchProgress?.(p);

window.quantbench = {
  async bench(modelUrl, request) {
    const threads = request.threads ?? defaultThreads();
    const files = await fetchFiles(Array.isArray(modelUrl) ? modelUrl : [modelUrl]);
    const pageFlags = { pageHidden: document.hidden };
    const benchRequest: BenchRequest = { model: files, options: { ...request.options, ...pageFlags }, ...(request.sweep !== undefined ? { sweep: request.sweep } : {}) };
    return clientFor(threads, request.options.device ?? 'wasm').run(async (api, jobId) => {
      await api.init(threads);
      return api.bench(jobId, benchRequest, proxy(onProgress));
    });
  },
  async compare(modelUrls, budgetMs, threads) {
    const files = await fetchFiles(modelUrls);
    const t = threads ?? (client !== undefined ? Number(clientKey.split('|')[1]) : defaultThreads());
    return clientFor(t, 'wasm').run(async (api, jobId) => {
      await api.init(t);
      return api.compare(jobId, files, budgetMs);
    });
  },
  async profile(modelUrl, runs, threads) {
    const files = await fetchFiles([modelUrl]);
    // Reuse the current worker when there is one: its engine is already loaded.
    const t = threads ?? (client !== undefined ? Number(clientKey.split('|')[1]) : defaultThreads());
    const device: Device = client !== undefined && clientKey.startsWith('webgpu') ? 'webgpu' : 'wasm';
    return clientFor(t, device).run(async (api, jobId) => {
      await api.init(t);
      return api.profile(jobId, files, runs);
    });
  },
};
