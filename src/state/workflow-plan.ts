// What the one-button Optimize does for this model in this browser (static INT8 for CNNs, dynamic INT8 for
// transformers, the benchmark on WebGPU where the browser has it, so FP16 is the pick there), and why, in plain words.
import type { ModelCard } from '../onnx/summary';
import type { RuntimeInfo } from '../runtime/probe';
import { clampThreads, defaultThreads, type Platform } from './bench-view';
import { INT8_DEFAULTS, likelyAutoMode, type Int8Source } from './int8-slice';
import type { OptimizeChoices, OptimizePlan } from './workflow-types';

/** Seconds each variant is timed for after warm-up: enough for stable percentiles on a CNN, short enough to wait for. */
export const DEFAULT_BENCH_TIME_S = 3;

/** The defaults for a model and a browser: every variant, the engine's INT8 defaults, all cores. */
export function defaultChoices(platform: Platform): OptimizeChoices {
  return {
    makeFp16: true,
    makeInt8: true,
    int8: { ...INT8_DEFAULTS },
    device: 'auto',
    threads: defaultThreads(platform),
    benchTimeS: DEFAULT_BENCH_TIME_S,
    evaluate: true,
  };
}

export interface PlanInputs {
  card: ModelCard;
  runtime: RuntimeInfo | null;
  platform: Platform;
  choices: OptimizeChoices;
  /** Where INT8 would take its samples from (the dataset, the demo's images, or none). */
  source: Int8Source;
  /** A dataset is ready to measure accuracy or agreement on. */
  hasDataset: boolean;
  labelled: boolean;
  /** Another job runs (in plain words), or null. */
  busy: string | null;
}

function modelWords(card: ModelCard, mode: 'static' | 'dynamic'): string {
  return mode === 'dynamic' ? `${card.fileName} looks like a transformer (attention or layer norms)` : `${card.fileName} looks like a CNN`;
}

export function optimizePlan(p: PlanInputs): OptimizePlan {
  const { card, choices } = p;
  const gpu = p.runtime?.webgpu;
  const gpuReady = gpu?.available === true;
  const device = choices.device === 'auto' ? (gpuReady && gpu.shaderF16 ? 'webgpu' : 'wasm') : choices.device;
  const autoMode = likelyAutoMode(card);
  const int8Mode = choices.int8.mode === 'auto' ? (autoMode === 'static' && p.source.kind === 'none' ? 'dynamic' : autoMode) : choices.int8.mode;
  const reasons: string[] = [];
  const threads = clampThreads(choices.threads, p.platform);

  if (choices.makeFp16) {
    reasons.push(device === 'webgpu' ? 'FP16: half the size, and this browser has WebGPU with 16-bit floats, where FP16 is usually the fastest.' : 'FP16: half the size with practically the same results (on the CPU it runs no faster than FP32).');
  }
  if (choices.makeInt8) {
    if (int8Mode === 'static') {
      const samples = p.source.kind === 'none' ? 0 : p.source.count;
      reasons.push(`Static INT8: ${modelWords(card, 'static')}, so weights and activations become 8-bit, calibrated on ${Math.min(samples, choices.int8.subset)} of your ${samples} samples (${choices.int8.calibration.toUpperCase()} ranges).`);
    } else if (choices.int8.mode === 'auto' && autoMode === 'static') {
      reasons.push('Dynamic INT8 for now: static INT8 suits this CNN better but needs 100–300 images like the ones it will see. Add them in step 2 for it.');
    } else {
      reasons.push(`Dynamic INT8: ${modelWords(card, 'dynamic')}, so its matrix multiplications get 8-bit weights; activations are quantized as it runs.`);
    }
  }
  if (choices.evaluate) {
    reasons.push(
      p.hasDataset
        ? p.labelled
          ? 'Accuracy: each variant is measured against your labels and compared with FP32.'
          : 'Agreement: without labels, each variant is compared with FP32 on your samples.'
        : 'Agreement with FP32 on test inputs only: add images in step 2 to measure accuracy on your own data.',
    );
  }
  reasons.push(
    device === 'webgpu'
      ? 'Speed: measured on this computer\'s GPU (WebGPU).'
      : `Speed: measured on this computer's CPU (WebAssembly, ${threads} thread${threads === 1 ? '' : 's'})${!gpuReady && choices.device === 'auto' ? `; no WebGPU here${gpu?.reason ? ` (${gpu.reason.replace(/\.$/, '')})` : ''}` : ''}.`,
  );

  let blocked: string | null = null;
  if (p.busy !== null) blocked = `Wait for ${p.busy} to finish.`;
  else if (card.blockers.length > 0) blocked = 'This model cannot run in the browser (see its card above).';
  else if (!choices.makeFp16 && !choices.makeInt8) blocked = 'Choose at least one variant to make (Advanced options).';
  else if (card.quantization.quantized && !choices.makeFp16) blocked = 'This model is already quantized: there is no INT8 variant to make.';
  else if (choices.makeInt8 && choices.int8.mode === 'static' && p.source.kind === 'none') blocked = 'Static INT8 needs images to calibrate on: add them in step 2 (Data), or choose Automatic or Dynamic.';

  return { choices: { ...choices, threads }, device, int8Mode, reasons, blocked };
}
