// The app's worker clients, created lazily (one per job kind). Vite bundles each worker entry as a module.
import type { Device } from '../src/runtime/session';
import type { BenchApi } from './bench-api';
import { WorkerClient, type WorkerLike } from './client';
import type { DatasetApi } from './dataset-api';
import type { ModelApi } from './model-api';
import type { OptimizeApi } from './optimize-api';
import type { RuntimeApi } from './runtime-api';

export function createModelClient(): WorkerClient<ModelApi> {
  return new WorkerClient<ModelApi>(
    () => new Worker(new URL('./model.worker.ts', import.meta.url), { type: 'module', name: 'model' }) as WorkerLike,
    { label: 'model reader' },
  );
}

export function createRuntimeClient(): WorkerClient<RuntimeApi> {
  return new WorkerClient<RuntimeApi>(
    () => new Worker(new URL('./runtime.worker.ts', import.meta.url), { type: 'module', name: 'runtime' }) as WorkerLike,
    { label: 'inference engine' },
  );
}

export function createDatasetClient(): WorkerClient<DatasetApi> {
  return new WorkerClient<DatasetApi>(
    () => new Worker(new URL('./dataset.worker.ts', import.meta.url), { type: 'module', name: 'dataset' }) as WorkerLike,
    { label: 'dataset worker' },
  );
}

/** FP16 variants and CPU runs (wasm build of onnxruntime-web). */
export function createOptimizeClient(): WorkerClient<OptimizeApi> {
  return new WorkerClient<OptimizeApi>(
    () => new Worker(new URL('./optimize.worker.ts', import.meta.url), { type: 'module', name: 'optimize' }) as WorkerLike,
    { label: 'optimizer' },
  );
}

/** WebGPU runs: spawned on the first WebGPU request, so the 27 MB WebGPU build of ORT loads only then. */
export function createGpuClient(): WorkerClient<OptimizeApi> {
  return new WorkerClient<OptimizeApi>(
    () => new Worker(new URL('./gpu.worker.ts', import.meta.url), { type: 'module', name: 'gpu' }) as WorkerLike,
    { label: 'WebGPU runner' },
  );
}

/**
 * A benchmark worker for one device and thread count: onnxruntime-web fixes its threads (and build) when it loads,
 * so make a new client, terminating the old one, when either changes. Call `api.init(threads)` at the start of each
 * job: a worker respawned after a hard cancel starts afresh. 'webgpu' loads the WebGPU build of the engine.
 */
export function createBenchClient(threads: number, device: Device): WorkerClient<BenchApi> {
  return new WorkerClient<BenchApi>(
    () =>
      (device === 'webgpu'
        ? new Worker(new URL('./bench-gpu.worker.ts', import.meta.url), { type: 'module', name: 'bench-gpu' })
        : new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module', name: 'bench' })) as WorkerLike,
    { label: device === 'webgpu' ? `WebGPU benchmark (${threads} CPU threads)` : `benchmark (${threads} threads)` },
  );
}
