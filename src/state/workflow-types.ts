// Types of the one-button Optimize run (workflow-slice.ts): what the Advanced panel sets, the plan chosen from the
// model and the browser, and the run's state. No code besides the defaults.
import type { QbErrorData } from '../shared/errors';
import type { RunReport, VariantId } from './report/types';
import type { Int8Choices } from './int8-slice';
import type { ProgressView } from './progress-view';
import type { JobStatus } from './store';

/** Everything the Advanced panel sets. The defaults come from defaultPlan() (model + browser). */
export interface OptimizeChoices {
  makeFp16: boolean;
  makeInt8: boolean;
  /** The INT8 engine's options (mode, calibration method, preset, subset, per-channel, ignored nodes and op types, accuracy-aware max drop...). */
  int8: Int8Choices;
  /** Where the benchmark runs: 'auto' = WebGPU when the browser has it (FP16 is then the pick), else the CPU. */
  device: 'auto' | 'wasm' | 'webgpu';
  /** Threads for the CPU benchmark, 1..cores. */
  threads: number;
  /** Timed runs per variant after warm-up, seconds. */
  benchTimeS: number;
  /** Measure each variant on the dataset (accuracy with labels, agreement with FP32 without). */
  evaluate: boolean;
}

/** What the one button will do, and why, in plain words (shown above the button). */
export interface OptimizePlan {
  choices: OptimizeChoices;
  /** Resolved benchmark device. */
  device: 'wasm' | 'webgpu';
  /** Resolved INT8 mode for this model ('static' needs samples). */
  int8Mode: 'static' | 'dynamic';
  /** One line per decision: "Static INT8: squeezenet is a CNN and this browser runs it on the CPU (WebAssembly)". */
  reasons: string[];
  /** Why the button cannot start now, or null. */
  blocked: string | null;
}

/** The stages of one run, in order. */
export type WorkflowStage = 'fp16' | 'int8' | 'evaluate' | 'bench' | 'save';

export const WORKFLOW_STAGE_LABEL: Record<WorkflowStage, string> = {
  fp16: 'Making the FP16 variant',
  int8: 'Making the INT8 variant',
  evaluate: 'Measuring accuracy on your data',
  bench: 'Benchmarking FP32, FP16 and INT8',
  save: 'Saving the results',
};

/** A variant's file as the dashboard offers it for download. */
export interface VariantDownload {
  url: string;
  fileName: string;
  sizeBytes: number;
}

export interface WorkflowState {
  status: JobStatus;
  /** The stages this run goes through and the one running (index into `stages`). */
  stages: WorkflowStage[];
  current: number;
  /** The running stage's own progress (stage label, fraction, ETA). */
  progress: ProgressView | null;
  /** performance.now() when the run started (the overall ETA is estimated from it). */
  startedAtMs: number;
  /** The run shown in Compare: the last finished one, or one opened from the project list. */
  report: RunReport | null;
  /** Id of the shown run in the project store, when saved. */
  runId: string | null;
  downloads: Partial<Record<VariantId, VariantDownload>>;
  /** The presentation view is open. */
  presenting: boolean;
  error: QbErrorData | null;
}
