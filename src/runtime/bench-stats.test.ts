// Benchmark statistics with exact numbers: interpolated percentiles, summaries, warm-up, noise, sweet spot.
import { describe, expect, it } from 'vitest';
import { median, noiseWarning, percentile, summarize, sweetSpot, warmupStable } from './bench-stats';
import type { BatchPoint } from './bench-types';

describe('percentile', () => {
  it('interpolates linearly between closest ranks (numpy default)', () => {
    const s = [10, 20, 30, 40];
    expect(percentile(s, 0)).toBe(10);
    expect(percentile(s, 100)).toBe(40);
    expect(percentile(s, 50)).toBe(25);
    // rank 0.9 * 3 = 2.7 -> 30 + 0.7 * 10
    expect(percentile(s, 90)).toBeCloseTo(37, 12);
    // rank 0.99 * 3 = 2.97
    expect(percentile(s, 99)).toBeCloseTo(39.7, 12);
    expect(percentile([7], 99)).toBe(7);
  });

  it('refuses empty lists and out-of-range percentiles', () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], -1)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });

  it('median sorts first', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('summarize', () => {
  it('gives exact stats for 1..10 ms at batch 4', () => {
    const s = summarize([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 4);
    expect(s.runs).toBe(10);
    expect(s.meanMs).toBe(5.5);
    // sample variance of 1..10 = 82.5 / 9
    expect(s.stdMs).toBeCloseTo(Math.sqrt(82.5 / 9), 12);
    expect(s.minMs).toBe(1);
    expect(s.maxMs).toBe(10);
    expect(s.p50Ms).toBe(5.5);
    expect(s.p90Ms).toBeCloseTo(9.1, 12);
    expect(s.p99Ms).toBeCloseTo(9.91, 12);
    expect(s.fps).toBeCloseTo(4000 / 5.5, 9);
    expect(s.relativeSpread).toBeCloseTo((9.1 - 5.5) / 5.5, 12);
  });

  it('has zero spread for one run and no Infinity for a 0 ms median', () => {
    const one = summarize([12], 1);
    expect(one).toMatchObject({ runs: 1, stdMs: 0, p50Ms: 12, p99Ms: 12, relativeSpread: 0 });
    expect(one.fps).toBeCloseTo(1000 / 12, 12);
    const zero = summarize([0, 0, 0], 1);
    expect(zero.fps).toBe(0);
    expect(zero.relativeSpread).toBe(0);
    expect(() => summarize([], 1)).toThrow(RangeError);
  });
});

describe('warmupStable', () => {
  it('needs ten runs', () => {
    expect(warmupStable([5, 5, 5, 5, 5, 5, 5, 5, 5])).toBe(false);
    expect(warmupStable([5, 5, 5, 5, 5, 5, 5, 5, 5, 5])).toBe(true);
  });

  it('compares the median of the last 5 with the 5 before, within 5%', () => {
    // before: median 10; last: median 10.5 -> exactly 5%: stable.
    expect(warmupStable([10, 10, 10, 10, 10, 10.5, 10.5, 10.5, 10.5, 10.5])).toBe(true);
    // median 10.6 -> 6%: not stable.
    expect(warmupStable([10, 10, 10, 10, 10, 10.6, 10.6, 10.6, 10.6, 10.6])).toBe(false);
    // Faster by 4% is stable too; only the last ten runs count (the cold 50 ms is ignored).
    expect(warmupStable([50, 10, 10, 10, 10, 10, 9.6, 9.6, 9.6, 9.6, 9.6])).toBe(true);
    // One outlier per window does not move a median.
    expect(warmupStable([10, 10, 30, 10, 10, 10, 10, 10, 40, 10])).toBe(true);
  });
});

describe('noiseWarning', () => {
  it('is null for a steady run', () => {
    expect(noiseWarning(summarize([10, 10, 10, 10, 11, 10, 10, 10, 10, 10], 1))).toBeNull();
  });

  it('flags a wide spread', () => {
    // p50 (rank 4.5) = 10, p90 (rank 8.1, between the two 13s) = 13: spread 0.3 > 0.15.
    const w = noiseWarning(summarize([10, 10, 10, 10, 10, 10, 10, 10, 13, 13], 1));
    expect(w?.kind).toBe('noisy');
    expect(w?.message).toContain('30% longer');
    expect(w?.message).toMatch(/Close other tabs/);
  });

  it('flags a heavy tail even with a tight p90', () => {
    const samples = [...Array<number>(99).fill(10), 100];
    const s = summarize(samples, 1);
    expect(s.relativeSpread).toBe(0);
    // p99: rank 98.01 -> 10 + 0.01 * 90 = 10.9, below 2x the median: not a tail.
    expect(noiseWarning(s)).toBeNull();
    const tail = summarize([...Array<number>(97).fill(10), 100, 100, 100], 1);
    // p99: rank 98.01 -> 100 -> 10x the median.
    expect(tail.p99Ms).toBe(100);
    const w = noiseWarning(tail);
    expect(w?.message).toContain('10.0x the median');
    expect(w?.message).not.toContain('longer than the median');
  });
});

describe('sweetSpot', () => {
  const points: BatchPoint[] = [
    { batch: 1, p50Ms: 10, p90Ms: 11, throughput: 100 },
    { batch: 2, p50Ms: 16, p90Ms: 17, throughput: 125 },
    { batch: 4, p50Ms: 30, p90Ms: 31, throughput: 4000 / 30 },
    { batch: 8, p50Ms: 70, p90Ms: 75, throughput: 8000 / 70 },
  ];

  it('takes the best throughput within the latency limit', () => {
    expect(sweetSpot(points, 100)).toBe(4);
    expect(sweetSpot(points, 20)).toBe(2);
    expect(sweetSpot(points, 10)).toBe(1);
    expect(sweetSpot(points, 9.99)).toBeNull();
    expect(sweetSpot([], 100)).toBeNull();
  });

  it('prefers the smaller batch on a tie', () => {
    expect(
      sweetSpot(
        [
          { batch: 4, p50Ms: 40, p90Ms: 40, throughput: 100 },
          { batch: 2, p50Ms: 20, p90Ms: 20, throughput: 100 },
        ],
        50,
      ),
    ).toBe(2);
  });
});
