// Number and size formatting shared by the UI (bytes, counts, percentages, durations).

const INT = new Intl.NumberFormat('en-US');

/** 1235496 → "1,235,496". */
export function formatInt(n: number): string {
  return INT.format(Math.round(n));
}

/** 1235496 → "1.24 M", 5120 → "5.1 k", 12 → "12". */
export function formatCompact(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}

/** Decimal units, like the progress detail: 4955271 → "4.96 MB", 2048 → "2.0 KB". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(2)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} KB`;
  return `${bytes} B`;
}

/** 0.979 → "97.9%". */
export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** Seconds left as "about 12 s left" / "about 3 min left". */
export function formatEta(seconds: number): string {
  if (seconds < 1) return 'less than a second left';
  if (seconds < 90) return `about ${Math.round(seconds)} s left`;
  return `about ${Math.round(seconds / 60)} min left`;
}

/** Milliseconds with sensible precision. */
export function formatMs(ms: number): string {
  return ms >= 100 ? `${ms.toFixed(0)} ms` : ms >= 10 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(2)} ms`;
}

/** Decibels with one decimal: 27.34 → "27.3 dB"; a noiseless signal has an infinite SQNR → "∞ dB". */
export function formatDb(db: number): string {
  return Number.isFinite(db) ? `${db.toFixed(1)} dB` : '∞ dB';
}

/** Share of the error: one decimal from 1%, two below (small shares still add up), "<0.01%" for the rest. */
export function formatShare(share: number): string {
  const p = 100 * share;
  if (p >= 1) return `${p.toFixed(1)}%`;
  return p >= 0.005 ? `${p.toFixed(2)}%` : share > 0 ? '<0.01%' : '0%';
}
