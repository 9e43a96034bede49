// Colours of the benchmark's variants, shared by the table's swatches and the charts (CPU runs solid, WebGPU lighter).
import type { BenchEntry, BenchVariant } from '../../state/bench-slice';

const CPU: Record<BenchVariant, string> = { fp32: '#4f46e5', fp16: '#0e7490', int8: '#c2410c' };
const GPU: Record<BenchVariant, string> = { fp32: '#8b85f0', fp16: '#3fb3c9', int8: '#f08a4b' };

export function entryColor(entry: Pick<BenchEntry, 'variant' | 'device'>): string {
  return (entry.device === 'webgpu' ? GPU : CPU)[entry.variant];
}
