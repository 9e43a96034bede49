// Number formatting of the run report, shared by the dashboard, the HTML report and the verdicts, so every place
// shows the same digits for the same number.

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
