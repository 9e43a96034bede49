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
