// The run report as RFC 4180 CSV: one row per variant, raw numbers (not formatted) so spreadsheets can compute.
import type { RunReport, VariantResult } from './types';

export const CSV_HEADER = [
  'variant', 'file', 'size_bytes', 'gzip_bytes', 'shrink_x', 'fps', 'p50_ms', 'p90_ms', 'p99_ms', 'mean_ms', 'cold_start_ms',
  'speedup_x', 'top1', 'top5', 'agreement', 'sqnr_db', 'cosine', 'quality_samples', 'quality_source', 'verdict',
] as const;

/** A field as RFC 4180 wants it: quoted (quotes doubled) when it holds a comma, a quote or a line break. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  // Non-finite numbers would print "Infinity"/"NaN", which no spreadsheet reads as a number: an empty cell instead.
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function row(v: VariantResult): (string | number | null)[] {
  const s = v.speed;
  const q = v.quality;
  return [
    v.id, v.fileName, v.sizeBytes, v.gzipBytes, v.shrink,
    s?.fps ?? null, s?.p50Ms ?? null, s?.p90Ms ?? null, s?.p99Ms ?? null, s?.meanMs ?? null,
    s !== null ? s.coldStart.sessionCreateMs + s.coldStart.firstRunMs : null,
    v.speedup, q?.top1 ?? null, q?.top5 ?? null, q?.agreement ?? null, q?.sqnrDb ?? null, q?.cosine ?? null,
    q?.samples ?? null, q?.source ?? null, v.verdict,
  ];
}

/** Header plus one line per variant, CRLF line ends (RFC 4180), ending with a line break. */
export function reportCsv(r: RunReport): string {
  const lines = [CSV_HEADER.join(','), ...r.variants.map((v) => row(v).map(csvField).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
