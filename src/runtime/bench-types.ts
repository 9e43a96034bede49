// Types of a benchmark run (the contract between the benchmark loop, the bench worker, the UI and the CLI). No code.
import type { Device } from './session';

/** Where and how a result was measured: recorded with every result so numbers are never compared blind. */
export interface BenchEnvironment {
  /** Execution provider: 'wasm' (CPU, WebAssembly SIMD) or 'webgpu'. */
  ep: Device;
  /** Threads onnxruntime-web really used (1 without cross-origin isolation, whatever was asked). */
  threads: number;
  /** Threads that were asked for. */
  requestedThreads: number;
  crossOriginIsolated: boolean;
  /** navigator.userAgent ('node' in Node). */
  userAgent: string;
  /** Short browser name and version, e.g. "Chromium 156" ("Node 20.19" in Node). */
  browser: string;
  hardwareConcurrency: number;
  ortVersion: string;
  /** WebGPU adapter description, when ep is 'webgpu'. */
  adapter?: string;
}

export interface BenchOptions {
  /** Device, default 'wasm'. */
  device?: Device;
  /** Batch size fed to a free batch dimension (default 1; ignored, with a warning, when the batch is fixed). */
  batch?: number;
  /** Time budget of the timed runs after warm-up (default 3000 ms); stops early at maxRuns. */
  timeBudgetMs?: number;
  /** Timed runs at least (default 10, even past the budget) and at most (default 1000). */
  minRuns?: number;
  maxRuns?: number;
  /** Warm-up stops when the median of the last 5 runs is within 5% of the 5 before, or at this many runs (default 40). */
  maxWarmupRuns?: number;
  /** The page was hidden during the run (workers cannot read document.hidden): adds a 'hidden' warning. */
  pageHidden?: boolean;
  /** The page suspects open developer tools: adds a 'devtools' warning. */
  devtoolsSuspected?: boolean;
}

export interface LatencyStats {
  runs: number;
  meanMs: number;
  stdMs: number;
  minMs: number;
  maxMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  /** Inferences (images) per second at the median: batch * 1000 / p50Ms. */
  fps: number;
  /** Spread used for the noise verdict: (p90 - p50) / p50. */
  relativeSpread: number;
}

export type BenchWarning =
  | { kind: 'hidden'; message: string }
  | { kind: 'devtools'; message: string }
  | { kind: 'noisy'; message: string }
  | { kind: 'not-isolated'; message: string }
  | { kind: 'fixed-batch'; message: string }
  | { kind: 'warmup-unstable'; message: string };

export interface BenchRun {
  env: BenchEnvironment;
  batch: number;
  /** Cold start: session creation, then the first run, ms. */
  coldStart: { sessionCreateMs: number; firstRunMs: number };
  warmup: { runs: number; stable: boolean; ms: number };
  latency: LatencyStats;
  /** Every timed run, ms, in the order measured (the raw distribution). */
  samplesMs: number[];
  warnings: BenchWarning[];
  /** ISO date of the measurement. */
  date: string;
  /**
   * What each graph input was fed: ORT element type and dims, open dims filled in (the batch, and sizes for
   * symbolic dims such as "samples"), so a number is never read without the shape it was measured on.
   * Optional: results stored before this field existed lack it.
   */
  inputs?: { name: string; type: string; dims: number[] }[];
}

export interface BatchPoint {
  batch: number;
  p50Ms: number;
  p90Ms: number;
  /** Images per second: batch * 1000 / p50Ms. */
  throughput: number;
}

export interface BatchSweep {
  points: BatchPoint[];
  /** The latency limit the sweet spot respects (p50, ms). */
  latencyLimitMs: number;
  /** The batch with the best throughput whose p50 is within the limit (null when none is). */
  sweetSpot: number | null;
}

/** Size of a model file as shipped. */
export interface ModelSize {
  bytes: number;
  /** gzip (CompressionStream, default level) of the file: what a web server sends with compression on. */
  gzipBytes: number;
  /** Parameters (initializer elements) by ONNX element type name, e.g. { float: 1200000, int8: 30000 }. */
  paramsByType: Record<string, number>;
}
