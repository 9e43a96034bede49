// Colours and short names of the run's variants in Compare and the presentation, keyed by VariantId.
import type { VariantId } from '../../state/report/types';

/** Same hues as the benchmark's CPU runs, so a variant keeps its colour from step 3 to step 4. */
export const VARIANT_COLOR: Record<VariantId, string> = { fp32: '#4f46e5', fp16: '#0e7490', int8: '#c2410c' };

/** Lighter tints for the dark presentation background (the solid hues fall under 3:1 contrast there). */
export const VARIANT_COLOR_ON_DARK: Record<VariantId, string> = { fp32: '#a5b4fc', fp16: '#67e8f9', int8: '#fdba74' };

/** Short names for buttons and the presentation ("Download INT8 .onnx"). */
export const VARIANT_SHORT: Record<VariantId, string> = { fp32: 'FP32', fp16: 'FP16', int8: 'INT8' };

/** Listing order everywhere (the report lists FP32 first too, this keeps downloads in the same order). */
export const VARIANT_ORDER: readonly VariantId[] = ['fp32', 'fp16', 'int8'];
