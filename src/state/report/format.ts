// Number formatting of the run report, shared by the dashboard, the HTML report and the verdicts, so every place
// shows the same digits for the same number.
import type { VariantResult } from './types';

/** Decimal units: 4955271 -> "4.96 MB", 2048 -> "2.0 KB". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(2)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} KB`;
  return `${bytes} B`;
}

/** Milliseconds with sensible precision: 123.4 -> "123 ms", 12.34 -> "12.3 ms", 1.234 -> "1.23 ms". */
export function formatMs(ms: number): string {
  return ms >= 100 ? `${ms.toFixed(0)} ms` : ms >= 10 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(2)} ms`;
}

/** Inferences per second: 812.3 -> "812", 45.67 -> "45.7", 1.234 -> "1.23". */
export function formatFps(fps: number): string {
  return fps >= 100 ? fps.toFixed(0) : fps >= 10 ? fps.toFixed(1) : fps.toFixed(2);
}

/** A ratio against FP32: 3.84 -> "3.8x", 1.0 -> "1.0x", 12.3 -> "12x". */
export function formatFactor(x: number): string {
  return x >= 10 ? `${x.toFixed(0)}x` : `${x.toFixed(1)}x`;
}

/** 0.9873 -> "98.7%". */
export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** 27.34 -> "27.3 dB"; a noiseless signal has an infinite SQNR (null in the report) -> "∞ dB". */
export function formatDb(db: number | null): string {
  return db === null || !Number.isFinite(db) ? '∞ dB' : `${db.toFixed(1)} dB`;
}

/** Output cosine against FP32: four decimals, since the interesting values all start with 0.99. */
export function formatCosine(cosine: number): string {
  return cosine.toFixed(4);
}

/**
 * Stand-in for an infinite per-layer SQNR (a tensor INT8 reproduces exactly): JSON cannot hold Infinity, and float32
 * rounding alone stays below ~150 dB, so anything at this value reads as exact.
 */
export const EXACT_SQNR_DB = 200;

/** A per-layer SQNR of the report (±EXACT_SQNR_DB stand for ±∞): 27.34 -> "27.3 dB", 200 -> "∞ dB", -200 -> "−∞ dB". */
export function formatLayerDb(db: number): string {
  if (db >= EXACT_SQNR_DB) return '∞ dB';
  return db <= -EXACT_SQNR_DB ? '\u2212∞ dB' : formatDb(db);
}

/** Columns of the results table, in order: the dashboard and the HTML report both draw them from here. */
export const RESULT_COLUMNS = [
  { field: 'variant', header: 'Variant', sub: '' },
  { field: 'file', header: 'File', sub: '' },
  { field: 'size', header: 'Size', sub: '.onnx file' },
  { field: 'gzip', header: 'gzip', sub: 'as served' },
  { field: 'shrink', header: 'Smaller', sub: 'x vs FP32' },
  { field: 'fps', header: 'FPS', sub: 'inferences / s' },
  { field: 'p50', header: 'p50', sub: 'median' },
  { field: 'p90', header: 'p90', sub: '9 in 10 faster' },
  { field: 'p99', header: 'p99', sub: '99 in 100 faster' },
  { field: 'speedup', header: 'Faster', sub: 'x vs FP32' },
  { field: 'cold', header: 'Cold start', sub: 'session + first run' },
  { field: 'top1', header: 'Top-1', sub: 'vs labels' },
  { field: 'top5', header: 'Top-5', sub: 'vs labels' },
  { field: 'agreement', header: 'Agreement', sub: 'with FP32' },
  { field: 'sqnr', header: 'SQNR', sub: 'output vs FP32' },
  { field: 'cosine', header: 'Cosine', sub: 'output vs FP32' },
] as const;

export type ResultField = (typeof RESULT_COLUMNS)[number]['field'];

/** What a cell shows when the number was not measured. */
export const MISSING = '—';

/** A cosine this close to 1 only comes with identical outputs: the SQNR is then infinite (null), not unmeasured. */
const IDENTICAL_COSINE = 0.999999;

/**
 * Every cell of a variant's row as shown ("4.96 MB", "3.8x", "98.7%"): one function, so the dashboard table and the
 * exported HTML table show the same text.
 */
export function resultCells(v: VariantResult): Record<ResultField, string> {
  const s = v.speed;
  const q = v.quality;
  const opt = <T>(x: T | null | undefined, f: (x: T) => string): string => (x === null || x === undefined ? MISSING : f(x));
  // A null SQNR is infinite only when the outputs were compared and came out identical; FP32 is the reference itself.
  const sqnr = v.id === 'fp32' || q === null ? MISSING : q.sqnrDb !== null ? formatDb(q.sqnrDb) : q.cosine !== null && q.cosine >= IDENTICAL_COSINE ? formatDb(null) : MISSING;
  return {
    variant: v.label,
    file: v.fileName,
    size: formatBytes(v.sizeBytes),
    gzip: opt(v.gzipBytes, formatBytes),
    shrink: formatFactor(v.shrink),
    fps: opt(s?.fps, formatFps),
    p50: opt(s?.p50Ms, formatMs),
    p90: opt(s?.p90Ms, formatMs),
    p99: opt(s?.p99Ms, formatMs),
    cold: opt(s?.coldStart, (c) => formatMs(c.sessionCreateMs + c.firstRunMs)),
    speedup: opt(v.speedup, formatFactor),
    top1: opt(q?.top1, (x) => formatPercent(x)),
    top5: opt(q?.top5, (x) => formatPercent(x)),
    agreement: opt(q?.agreement, (x) => formatPercent(x)),
    sqnr,
    cosine: opt(q?.cosine, formatCosine),
  };
}
