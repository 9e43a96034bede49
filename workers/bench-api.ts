// Typed API of the benchmark worker. It runs alone (the state layer starts no other job meanwhile), and a worker
// serves one thread count: onnxruntime-web fixes its threads at start-up, so the client respawns it to change them.
import type { BatchSweep, BenchOptions, BenchRun, ModelSize } from '../src/runtime/bench-types';
import type { ModelProfile, PairedTiming } from '../src/runtime/profile';
import type { CancellableApi } from './client';
import type { ProgressSink } from './progress';

export interface BenchRequest {
  /** The .onnx file first, then its external-data files. */
  model: File[];
  options: BenchOptions;
  /** Also sweep batch sizes (free batch dimension only): these sizes, at a shorter time budget each. */
  sweep?: { batches: number[]; latencyLimitMs: number };
}

export interface BenchResult {
  run: BenchRun;
  sweep: BatchSweep | null;
  size: ModelSize;
}

export interface BenchApi extends CancellableApi {
  /** Loads onnxruntime-web with this many threads (the first call wins; later calls with another count throw). */
  init(threads: number): Promise<{ threads: number }>;
  /**
   * Benchmarks the model: cold start, warm-up until stable, timed runs for the time budget, optional batch sweep,
   * and its size. Progress stages: 'cold-start', 'warm-up', 'timed', 'sweep', 'size'.
   * @throws QbError: unreadable model, unsupported op, no WebGPU, cancelled.
   */
  bench(jobId: string, request: BenchRequest, onProgress: ProgressSink): Promise<BenchResult>;
  /**
   * Per-node timings from onnxruntime-web's profiler on the CPU (wasm): `runs` runs (default 12, at least 3), the
   * first two left out of the medians. The weights must be inside the .onnx file.
   * @throws QbError: unreadable model, external-data files, runtime failure.
   */
  profile(jobId: string, model: File[], runs?: number): Promise<ModelProfile>;
  /**
   * Times models against each other on the CPU, one run of each in turn (A, B, C, A, B, C …) for `budgetMs`:
   * ratios that hold on a noisy machine. Each model is one .onnx file with its weights inside.
   */
  compare(jobId: string, models: File[], budgetMs: number): Promise<PairedTiming>;
}
