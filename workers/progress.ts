// Progress events of background jobs: a tagged union shared by workers and the UI, and a throttle.
import type { AccuracyStep } from '../src/pipeline/int8-accuracy';

/** One progress report. `done`/`total` are in the unit the stage names (bytes, images, nodes). */
export type Progress =
  | { stage: 'read'; doneBytes: number; totalBytes: number }
  | { stage: 'decode' }
  | { stage: 'summarize' }
  | { stage: 'load-runtime' }
  | { stage: 'create-session' }
  | { stage: 'decode-images'; done: number; total: number }
  | { stage: 'infer'; done: number; total: number }
  | { stage: 'scan'; done: number; total: number }
  | { stage: 'evaluate'; done: number; total: number }
  | { stage: 'compare'; done: number; total: number }
  | { stage: 'convert' }
  | { stage: 'check-fp16' }
  | { stage: 'mixed-precision'; trials: number }
  | { stage: 'run-webgpu' }
  | { stage: 'run-wasm' }
  // INT8 (pipeline/int8 Int8Progress, passed through as it is).
  | { stage: 'prepare' }
  | { stage: 'calibrate'; done: number; total: number }
  | { stage: 'quantize' }
  | { stage: 'validate'; done: number; total: number }
  | { stage: 'layer-report'; done: number; total: number }
  | { stage: 'bias-correction'; done: number; total: number }
  // Benchmark (workers/bench-api.ts).
  | { stage: 'cold-start' }
  | { stage: 'warm-up'; done: number; total: number }
  | { stage: 'timed'; done: number; total: number }
  | { stage: 'sweep'; done: number; total: number }
  | { stage: 'size' }
  // Runtime-aware INT8 (pipeline/int8-speed): profiling models per node, then timing candidates.
  | { stage: 'speed-profile'; done: number; total: number }
  | { stage: 'speed-candidates'; done: number; total: number }
  // Accuracy-aware INT8 and the collapse guard (pipeline/int8-accuracy).
  | { stage: 'accuracy-baseline' }
  | { stage: 'sensitivity'; done: number; total: number; etaMs: number | null }
  | { stage: 'accuracy-search'; step: AccuracyStep }
  | { stage: 'done' };

export type ProgressStage = Progress['stage'];

/** Plain-language name of each stage, for the progress bar. */
export const STAGE_LABEL: Record<ProgressStage, string> = {
  read: 'Reading the file',
  decode: 'Decoding the model',
  summarize: 'Building the model card',
  'load-runtime': 'Starting the inference engine',
  'create-session': 'Preparing the model to run',
  'decode-images': 'Decoding images',
  infer: 'Running the model',
  scan: 'Checking the files',
  evaluate: 'Measuring accuracy',
  compare: 'Comparing the second model with the first',
  convert: 'Converting the weights to FP16',
  'check-fp16': 'Checking the FP16 model against the original',
  'mixed-precision': 'FP16 drifted: finding layers to keep in FP32',
  'run-webgpu': 'Running on WebGPU (the first run compiles shaders)',
  'run-wasm': 'Running on the CPU (WebAssembly) for comparison',
  prepare: 'Preparing the model for INT8',
  calibrate: 'Calibrating: measuring activation ranges',
  quantize: 'Writing the INT8 model',
  validate: 'Checking the INT8 model against FP32',
  'layer-report': 'Measuring the error of each layer',
  'bias-correction': 'Correcting biases for the rounding shift',
  'cold-start': 'Cold start: creating the session and the first run',
  'warm-up': 'Warming up until timings settle',
  timed: 'Timing runs',
  sweep: 'Trying batch sizes',
  size: 'Measuring file and download size',
  'speed-profile': 'Timing every layer in FP32 and INT8 on this device',
  'speed-candidates': 'Timing INT8 layouts against FP32',
  'accuracy-baseline': 'Measuring the INT8 model on the validation images',
  sensitivity: "Sensitivity: measuring each layer's share of the error",
  'accuracy-search': 'Putting the most sensitive layers back to float',
  done: 'Done',
};

/** Fraction done in [0, 1] for stages with a count, undefined for single-step stages. */
export function progressFraction(p: Progress): number | undefined {
  if (p.stage === 'read') return p.totalBytes > 0 ? p.doneBytes / p.totalBytes : undefined;
  if ('total' in p) return p.total > 0 ? p.done / p.total : undefined;
  if (p.stage === 'done') return 1;
  return undefined;
}

export type ProgressSink = (p: Progress) => void;

/**
 * Wraps a sink so it is called at most every `intervalMs` (default 100 ms, ~10 Hz). A stage change and
 * the final 'done' always pass, so the UI never misses a stage or the end. Never awaits the sink.
 */
export function throttleProgress(sink: ProgressSink, intervalMs = 100, now: () => number = () => performance.now()): ProgressSink {
  let lastAt = -Infinity;
  let lastStage: ProgressStage | undefined;
  return (p) => {
    const t = now();
    const stageChanged = p.stage !== lastStage;
    const isLastOfStage = progressFraction(p) === 1;
    // Each accuracy step is a line of the live log: never dropped (they come seconds apart).
    const isLogLine = p.stage === 'accuracy-search';
    if (!stageChanged && !isLastOfStage && !isLogLine && t - lastAt < intervalMs) return;
    lastAt = t;
    lastStage = p.stage;
    try {
      sink(p);
    } catch {
      // A broken listener (e.g. a closed page) must never fail the job itself.
    }
  };
}
