// Benchmark statistics (pure, no onnxruntime): percentiles, latency summaries, the warm-up stability test, the
// noise verdict and the batch sweet spot. The benchmark loop (bench.ts) and its tests share these exact rules.
import type { BatchPoint, BenchWarning, LatencyStats } from './bench-types';

/** Warm-up compares the median of the last WINDOW runs with the WINDOW before them. */
export const WARMUP_WINDOW = 5;
/** ...and calls the timings settled when those medians differ by at most this fraction. */
export const WARMUP_TOLERANCE = 0.05;
/** A run is noisy when (p90 - p50) / p50 exceeds this... */
export const NOISY_SPREAD = 0.15;
/** ...or when p99 exceeds this multiple of p50. */
export const NOISY_TAIL_FACTOR = 2;

/**
 * The `p`-th percentile (0-100) of `sortedMs` (ascending) by linear interpolation between closest ranks
 * (rank = p/100 * (n - 1), as numpy's default): percentile([10, 20, 30, 40], 50) = 25.
 * @throws RangeError for an empty list or p outside [0, 100] (a programming error, never a user's).
 */
export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) throw new RangeError('percentile of no values');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside 0-100`);
  const rank = (p / 100) * (sortedMs.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sortedMs[lo]!;
  return a + (sortedMs[hi]! - a) * (rank - lo);
}

/** Median (the 50th percentile) of unsorted values. @throws RangeError for an empty list. */
export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

/**
 * Summarises timed runs (ms, in any order) of `batch` inputs each. stdMs is the sample standard deviation
 * (n - 1; 0 for one run); fps = batch * 1000 / p50Ms; relativeSpread = (p90 - p50) / p50.
 * @throws RangeError for no samples.
 */
export function summarize(samplesMs: readonly number[], batch: number): LatencyStats {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) throw new RangeError('summarize needs at least one sample');
  const meanMs = sorted.reduce((s, v) => s + v, 0) / n;
  const variance = n > 1 ? sorted.reduce((s, v) => s + (v - meanMs) ** 2, 0) / (n - 1) : 0;
  const p50Ms = percentile(sorted, 50);
  const p90Ms = percentile(sorted, 90);
  return {
    runs: n,
    meanMs,
    stdMs: Math.sqrt(variance),
    minMs: sorted[0]!,
    maxMs: sorted[n - 1]!,
    p50Ms,
    p90Ms,
    p99Ms: percentile(sorted, 99),
    // A 0 ms median (a clock too coarse for a trivial model) must not turn into Infinity in JSON (null).
    fps: p50Ms > 0 ? (batch * 1000) / p50Ms : 0,
    relativeSpread: p50Ms > 0 ? (p90Ms - p50Ms) / p50Ms : 0,
  };
}

/**
 * True when warm-up has settled: the median of the last WARMUP_WINDOW runs is within WARMUP_TOLERANCE of the
 * median of the WARMUP_WINDOW runs before them. Needs 2 * WARMUP_WINDOW runs; fewer are never stable.
 */
export function warmupStable(runsMs: readonly number[]): boolean {
  if (runsMs.length < 2 * WARMUP_WINDOW) return false;
  const last = median(runsMs.slice(-WARMUP_WINDOW));
  const before = median(runsMs.slice(-2 * WARMUP_WINDOW, -WARMUP_WINDOW));
  if (before === 0) return last === 0;
  return Math.abs(last - before) / before <= WARMUP_TOLERANCE;
}

/**
 * The 'noisy' warning, in plain words, when the timings spread too much to trust one number:
 * relativeSpread > NOISY_SPREAD or p99 > NOISY_TAIL_FACTOR * p50. Null when the run is steady.
 */
export function noiseWarning(stats: LatencyStats): BenchWarning | null {
  const spread = stats.relativeSpread > NOISY_SPREAD;
  const tail = stats.p50Ms > 0 && stats.p99Ms > NOISY_TAIL_FACTOR * stats.p50Ms;
  if (!spread && !tail) return null;
  const why = [
    spread ? `1 run in 10 took ${Math.round(stats.relativeSpread * 100)}% longer than the median or more` : '',
    tail ? `the slowest runs took ${(stats.p99Ms / stats.p50Ms).toFixed(1)}x the median` : '',
  ].filter((s) => s !== '');
  return {
    kind: 'noisy',
    message:
      `The timings varied a lot (${why.join('; ')}): something else was using the processor. ` +
      'Close other tabs and programs, keep this tab in front, and run the benchmark again before comparing numbers.',
  };
}

/**
 * The sweet spot of a batch sweep: the batch with the highest throughput whose p50 is within `latencyLimitMs`
 * (the smaller batch on a tie); null when no batch meets the limit.
 */
export function sweetSpot(points: readonly BatchPoint[], latencyLimitMs: number): number | null {
  let best: BatchPoint | null = null;
  for (const p of points) {
    if (p.p50Ms > latencyLimitMs) continue;
    if (best === null || p.throughput > best.throughput || (p.throughput === best.throughput && p.batch < best.batch)) best = p;
  }
  return best === null ? null : best.batch;
}
