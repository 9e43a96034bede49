// Plain words for the FP16 report: why a node stays FP32, and the speed note the product owes its users.
import type { KeepReason } from '../../quant/fp16';

/** Why a node stays in FP32, for people. */
export const KEEP_REASON_WORDS: Record<KeepReason, string> = {
  'block-list': 'kept in FP32 by default (precision-sensitive op)',
  'keep-nodes': 'moved back to FP32 because FP16 drifted here',
  'custom-domain': 'custom operator, left as it is',
  'shape-computation': 'shape arithmetic, stays FP32',
  'inside-kept-subgraph': 'inside a subgraph kept in FP32',
};

/** Measured with onnxruntime-web 1.30 here: FP16 SqueezeNet on the wasm EP ran at 0.47x the FP32 speed. */
export const WASM_FP16_SPEED_NOTE =
  'On this CPU path (WebAssembly) FP16 runs no faster than FP32 — usually slower (0.47x measured on SqueezeNet). Use FP16 for WebGPU and to halve the download.';

/** INT8 choices in plain words (values are the engine's). */
export const INT8_MODE_WORDS = {
  auto: 'Automatic — recommended',
  static: 'Static with calibration',
  dynamic: 'Dynamic (transformers)',
} as const;

export const INT8_PRESET_WORDS = {
  auto: 'Automatic',
  performance: 'Performance: symmetric',
  mixed: 'Mixed: asymmetric, for non-ReLU models',
} as const;

export const INT8_METHOD_WORDS = {
  minmax: { label: 'MinMax', hint: 'the smallest range that holds every value seen: nothing is clipped' },
  percentile: { label: 'Percentile', hint: 'ignores the rarest extreme values (0.001%), for a finer step on the rest' },
  entropy: { label: 'Entropy (KL)', hint: 'the range that best keeps the shape of each value distribution' },
  mse: { label: 'MSE', hint: 'the range with the least rounding plus clipping error' },
} as const;

/** Measured with onnxruntime-web 1.30 here (../shared/docs/architecture.md): QDQ INT8 against FP32 on WebAssembly. */
export const WASM_INT8_SPEED_NOTE =
  'Smaller is certain, faster is not: plain INT8 models made by other tools have run at 0.66–0.81x the FP32 speed on WebAssembly for SqueezeNet- and MobileNet-style networks (2.1x on a plain 3x3 CNN). Measure it before you switch.';

/** Short names of the quantization formats a model card can report. */
export const QUANT_FORMAT_WORDS: Record<string, string> = {
  qdq: 'QDQ',
  qoperator: 'QOperator',
  dynamic: 'dynamic INT8',
  'weight-only': 'weight-only low-bit',
};
