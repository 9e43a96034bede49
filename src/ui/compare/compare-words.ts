// Compare's words and strings: tone words, the table's cells and headline numbers, all through report/format.ts.
import { formatBytes, formatFactor, formatFps, formatPercent, RESULT_COLUMNS, resultCells as reportCells } from '../../state/report/format';
import type { VariantResult } from '../../state/report/types';
import { SAME_SPEED_BAND } from '../../state/report/verdict';

/** The word beside the tone colour, so colour is never the only cue. */
export function toneWord(v: Pick<VariantResult, 'id' | 'tone'>): string {
  switch (v.tone) {
    case 'good':
      return 'Recommended';
    case 'mixed':
      return 'Trade-off';
    case 'bad':
      return 'Not recommended';
    case 'neutral':
      // FP32 is the yardstick; another variant reads neutral only when it could not be judged.
      return v.id === 'fp32' ? 'Baseline' : 'No verdict';
  }
}

/** data-field names of the results table; the HTML report uses the same names (an e2e test compares the two). */
export type ResultField = 'size' | 'gzip' | 'shrink' | 'fps' | 'p50' | 'p90' | 'p99' | 'speedup' | 'cold' | 'top1' | 'agreement' | 'sqnr';

export const RESULT_FIELDS: readonly ResultField[] = ['size', 'gzip', 'shrink', 'fps', 'p50', 'p90', 'p99', 'speedup', 'cold', 'top1', 'agreement', 'sqnr'];

/** The dashboard's columns: the report's own (heads and what each means), the fields above in their order. */
export const DASHBOARD_COLUMNS: readonly { field: ResultField; header: string; sub: string }[] = RESULT_FIELDS.map((f) => ({ ...RESULT_COLUMNS.find((c) => c.field === f)!, field: f }));

export { MISSING as DASH } from '../../state/report/format';

/** The table's text of the dashboard's fields of one variant: report/format.ts's cells, the HTML report's too. */
export function resultCells(v: VariantResult): Record<ResultField, string> {
  const all = reportCells(v);
  return Object.fromEntries(RESULT_FIELDS.map((f) => [f, all[f]])) as Record<ResultField, string>;
}

/** One headline: the big number and the words after it ("3.8x" "smaller"). */
export interface Headline {
  value: string;
  words: string;
}

/** "3.8x smaller" (or "1.2x larger" when a variant grew). */
export function shrinkHeadline(v: VariantResult): Headline {
  return v.shrink >= 1 ? { value: formatFactor(v.shrink), words: 'smaller' } : { value: formatFactor(1 / v.shrink), words: 'larger' };
}

/** "1.4x faster", "1.3x slower" (a factor under 1 reads better inverted), null without a benchmark. */
export function speedHeadline(v: VariantResult): Headline | null {
  if (v.speedup === null || !(v.speedup > 0)) return null;
  // Within the verdict's same-speed band the honest headline is "same speed", not "1.0x faster".
  if (Math.abs(v.speedup - 1) <= SAME_SPEED_BAND) return { value: '≈', words: 'same speed' };
  return v.speedup >= 1 ? { value: formatFactor(v.speedup), words: 'faster' } : { value: formatFactor(1 / v.speedup), words: 'slower' };
}

/** Top-1 accuracy when there are labels, else agreement with FP32, else null. */
export function qualityHeadline(v: VariantResult): Headline | null {
  const q = v.quality;
  if (q === null) return null;
  if (q.top1 !== null) return { value: formatPercent(q.top1), words: 'top-1 accuracy' };
  if (q.agreement !== null && v.id !== 'fp32') return { value: formatPercent(q.agreement), words: 'agreement with FP32' };
  return null;
}

/** The FP32 line of the presentation and the FP32 card: its own size, speed and accuracy. */
export function baselineHeadlines(v: VariantResult): Headline[] {
  const out: Headline[] = [{ value: formatBytes(v.sizeBytes), words: 'file size' }];
  if (v.speed !== null) out.push({ value: formatFps(v.speed.fps), words: 'inferences / s' });
  const q = qualityHeadline(v);
  if (q !== null) out.push(q);
  return out;
}

/** The 2–3 headline numbers of a variant against FP32. */
export function variantHeadlines(v: VariantResult): Headline[] {
  if (v.id === 'fp32') return baselineHeadlines(v);
  return [shrinkHeadline(v), speedHeadline(v), qualityHeadline(v)].filter((h): h is Headline => h !== null);
}
