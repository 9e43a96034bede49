// Verdict sentences and tones: faster / slower / about as fast, labels / agreement / check-only, and the thresholds.
import { describe, expect, it } from 'vitest';
import { buildRunReport } from './build';
import { benchEntry, checkOnlyRun, fullRun } from './report-fixtures';
import { BAD_AGREEMENT, BAD_TOP1_DROP_POINTS, formatPointsDelta, GOOD_AGREEMENT, GOOD_SHRINK, SAME_SPEED_BAND, verdictFor, verdictTone, type VerdictContext, type VerdictSubject } from './verdict';

const CPU: VerdictContext = { where: "this computer's CPU", datasetKind: 'images' };

const SPEED = { fps: 120, meanMs: 8.5, p50Ms: 8.3333, p90Ms: 9, p99Ms: 10, runs: 40, samplesMs: [], coldStart: { sessionCreateMs: 40, firstRunMs: 12 }, sweep: [], warnings: [] };

const fp32: VerdictSubject = { id: 'fp32', label: 'FP32 (original)', sizeBytes: 4_955_271, speed: SPEED, speedup: 1, shrink: 1, quality: null };

function int8(speedup: number | null, shrink: number, quality: VerdictSubject['quality']): VerdictSubject {
  return { id: 'int8', label: 'INT8', sizeBytes: 4_955_271 / shrink, speed: SPEED, speedup, shrink, quality };
}

const agreeing = (agreement: number): VerdictSubject['quality'] => ({ source: 'dataset', samples: 250, top1: null, top5: null, agreement, sqnrDb: 25, cosine: 0.99 });

describe('verdict sentences', () => {
  it('reads FP32 as the baseline', () => {
    expect(verdictFor(fp32, fp32, CPU)).toEqual({ verdict: "FP32 (original): the baseline — 4.96 MB, 120 FPS on this computer's CPU.", tone: 'neutral' });
  });

  it('says smaller, faster and the agreement on the user\'s images', () => {
    const v = verdictFor(int8(1.4, 3.84, agreeing(0.9873)), fp32, CPU);
    expect(v.verdict).toBe("INT8: 3.8x smaller, 1.4x faster on this computer's CPU, agrees with FP32 on 98.7% of your images.");
    expect(v.tone).toBe('good');
  });

  it('says slower as a factor above 1', () => {
    // 1 / 0.77 = 1.30: "1.3x slower", never "0.8x faster".
    const v = verdictFor(int8(0.77, 3.84, agreeing(0.99)), fp32, CPU);
    expect(v.verdict).toBe("INT8: 3.8x smaller, 1.3x slower on this computer's CPU, agrees with FP32 on 99.0% of your images.");
    expect(v.tone).toBe('mixed'); // 3.8x smaller but slower here: a trade-off to weigh, not a plain recommendation
  });

  it('says "about as fast" within the ±5% band, and not outside it', () => {
    expect(verdictFor(int8(1 + SAME_SPEED_BAND - 0.001, 2, agreeing(1)), fp32, CPU).verdict).toContain("about as fast as FP32 on this computer's CPU");
    expect(verdictFor(int8(1 / 1.049, 2, agreeing(1)), fp32, CPU).verdict).toContain('about as fast as FP32');
    expect(verdictFor(int8(1.06, 2, agreeing(1)), fp32, CPU).verdict).toContain('1.1x faster');
    expect(verdictFor(int8(0.93, 2, agreeing(1)), fp32, CPU).verdict).toContain('1.1x slower');
  });

  it('prefers top-1 against labels, with the change in points', () => {
    const base = { ...fp32, quality: { source: 'dataset' as const, samples: 250, top1: 0.7, top5: 0.88, agreement: 1, sqnrDb: null, cosine: 1 } };
    const v = int8(1.4, 3.84, { source: 'dataset', samples: 250, top1: 0.696, top5: 0.87, agreement: 0.972, sqnrDb: 24, cosine: 0.99 });
    const out = verdictFor(v, base, CPU);
    expect(out.verdict).toBe("INT8: 3.8x smaller, 1.4x faster on this computer's CPU, top-1 69.6% (FP32 70.0%, \u22120.4 points).");
    // Agreement 97.2% is under GOOD_AGREEMENT, but a 0.4-point top-1 drop is within the good band.
    expect(out.tone).toBe('good');
    expect(verdictFor(base, base, CPU).verdict).toBe("FP32 (original): the baseline — 4.96 MB, 120 FPS on this computer's CPU, top-1 70.0% on your images.");
  });

  it('counts check inputs when there was no dataset', () => {
    const q = { source: 'check' as const, samples: 8, top1: null, top5: null, agreement: 7 / 8, sqnrDb: 20, cosine: 0.99 };
    const v = verdictFor({ ...int8(null, 3.8, q) }, fp32, { where: null, datasetKind: 'none' });
    expect(v.verdict).toBe('INT8: 3.8x smaller, agrees with FP32 on 7 of 8 test inputs.');
    expect(v.tone).toBe('bad'); // 87.5% < BAD_AGREEMENT
  });

  it('formats point changes with a sign', () => {
    expect(formatPointsDelta(-0.4)).toBe('\u22120.4 points');
    expect(formatPointsDelta(0.25)).toBe('+0.3 points');
    expect(formatPointsDelta(-0.01)).toBe('±0.0 points');
  });
});

describe('verdict tones', () => {
  it('follows the thresholds on agreement', () => {
    expect(verdictTone(int8(1.4, 3.8, agreeing(GOOD_AGREEMENT)), fp32)).toBe('good');
    expect(verdictTone(int8(1.4, 3.8, agreeing(GOOD_AGREEMENT - 0.001)), fp32)).toBe('mixed');
    expect(verdictTone(int8(1.4, 3.8, agreeing(BAD_AGREEMENT)), fp32)).toBe('mixed');
    expect(verdictTone(int8(1.4, 3.8, agreeing(BAD_AGREEMENT - 0.001)), fp32)).toBe('bad');
  });

  it('is mixed when accurate but neither faster nor much smaller', () => {
    expect(verdictTone(int8(1.0, GOOD_SHRINK - 0.01, agreeing(1)), fp32)).toBe('mixed');
    expect(verdictTone(int8(1.0, GOOD_SHRINK, agreeing(1)), fp32)).toBe('good');
    expect(verdictTone(int8(1.2, 1.1, agreeing(1)), fp32)).toBe('good');
  });

  it('is bad beyond the top-1 drop limit whatever the agreement', () => {
    const base = { ...fp32, quality: { source: 'dataset' as const, samples: 250, top1: 0.7, top5: 0.88, agreement: 1, sqnrDb: null, cosine: 1 } };
    const q = (top1: number): VerdictSubject['quality'] => ({ source: 'dataset', samples: 250, top1, top5: null, agreement: 0.95, sqnrDb: 20, cosine: 0.98 });
    expect(verdictTone(int8(1.4, 3.8, q(0.7 - (BAD_TOP1_DROP_POINTS + 0.1) / 100)), base)).toBe('bad');
    expect(verdictTone(int8(1.4, 3.8, q(0.7 - 0.02)), base)).toBe('mixed');
  });
});

describe('verdicts in a built report', () => {
  it('match the run: FP16 about as fast, INT8 faster with top-1', () => {
    const r = buildRunReport(fullRun());
    expect(r.variants.map((v) => v.verdict)).toEqual([
      "FP32 (original): the baseline — 4.96 MB, 125 FPS on this computer's CPU, top-1 70.0% on your images.",
      "FP16: 2.0x smaller, about as fast as FP32 on this computer's CPU, top-1 70.0% (FP32 70.0%, ±0.0 points).",
      "INT8: 3.8x smaller, 1.4x faster on this computer's CPU, top-1 69.6% (FP32 70.0%, \u22120.4 points).",
    ]);
    expect(r.variants.map((v) => v.tone)).toEqual(['neutral', 'good', 'good']);
  });

  it('reads a slower INT8 as slower', () => {
    const inputs = checkOnlyRun();
    inputs.bench = [inputs.bench[0]!, inputs.bench[1]!, benchEntry('int8', 'squeezenet1.1-int8.onnx', 10.4)];
    const r = buildRunReport(inputs);
    expect(r.variants[2]!.speedup).toBeCloseTo(8 / 10.4, 9);
    expect(r.variants[2]!.verdict).toBe("INT8: 3.8x smaller, 1.3x slower on this computer's CPU, agrees with FP32 on 8 of 8 test inputs.");
  });
});
