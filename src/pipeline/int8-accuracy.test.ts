// The accuracy search against a scripted runtime: each quantized unit adds a known, independent noise to the
// output, so the sensitivity ranking, the shortest prefix meeting the goal, the time budget and stop are exact.
import { describe, expect, it } from 'vitest';
import type { RevertUnit } from '../quant/revert-units';
import { makeRng } from '../shared/rng';
import type { OutputsRunner } from './calibrate';
import { describeGoal, Evaluator, searchAccurateLayout, type AccuracyGoal, type AccuracyStep } from './int8-accuracy';

const N = 4000;
/** Noise amplitude each unit adds when quantized: powers 0.25, 0.0025, 0.09, 0.0001, 0.0004, 0.01. */
const AMPLITUDE = [0.5, 0.05, 0.3, 0.01, 0.02, 0.1];
const units: RevertUnit[] = AMPLITUDE.map((_, i) => ({ name: `U${i}`, opType: 'Conv', nodes: [`U${i}`, `U${i}_act`], floatCostBytes: 100 * (i + 1) }));
const noise = AMPLITUDE.map((a, i) => {
  const rng = makeRng(100 + i);
  return Float32Array.from({ length: N }, () => (rng() < 0.5 ? -a : a));
});
/** Noise no unit owns (a layer the user keeps out of reach): even all-float INT8 is not FP32, at most ~46 dB. */
const residual = (() => {
  const rng = makeRng(99);
  return Float32Array.from({ length: N }, () => (rng() < 0.5 ? -0.005 : 0.005));
})();
const FP32 = new TextEncoder().encode('fp32');
const model = (floatNodes: readonly string[]): Uint8Array => new TextEncoder().encode(JSON.stringify(floatNodes));

/** Output = ones + the noise of every unit not in float + the residual (the FP32 model: no noise). */
function runner(bytes: Uint8Array, loads: { n: number }): OutputsRunner {
  loads.n++;
  const text = new TextDecoder().decode(bytes);
  const float = new Set<string>(text === 'fp32' ? units.flatMap((u) => u.nodes) : (JSON.parse(text) as string[]));
  return {
    async runFloat() {
      const out = new Float32Array(N).fill(1);
      if (text !== 'fp32') for (let k = 0; k < N; k++) out[k]! += residual[k]!;
      units.forEach((u, i) => {
        if (!float.has(u.nodes[0]!)) for (let k = 0; k < N; k++) out[k]! += noise[i]![k]!;
      });
      return { data: out, dims: [1, N] };
    },
    async runOutputs() {
      throw new Error('not used');
    },
  };
}

const inputs = Array.from({ length: 4 }, (_, i) => ({ data: Float32Array.of(i), dims: [1] }));

async function search(goal: AccuracyGoal, extra: Partial<Parameters<typeof searchAccurateLayout>[0]> = {}) {
  const loads = { n: 0 };
  const evaluator = await Evaluator.create({ fp32: FP32, inputs, makeRunner: async (b) => runner(b, loads), goal });
  const steps: AccuracyStep[] = [];
  const result = await searchAccurateLayout({
    units, build: model, plainBytes: model([]), evaluator, trigger: 'max-drop',
    onProgress: (p) => { if (p.stage === 'accuracy-search') steps.push(p.step); },
    ...extra,
  });
  return { ...result, steps, loads };
}

describe('searchAccurateLayout (scripted runtime)', () => {
  it('ranks layers by their noise quantized alone and keeps the shortest prefix that meets the goal', async () => {
    // Every unit INT8: noise power 0.353 on a signal of ~1-4 per element. Goal 15 dB: U0 + U2 must go to float.
    const { report, bytes, steps } = await search({ metric: 'sqnr', maxDrop: 0, minSqnrDb: 15 });
    expect(report.ranking.map((u) => u.name)).toEqual(['U0', 'U2', 'U5', 'U1', 'U4', 'U3']);
    const total = AMPLITUDE.reduce((s, a) => s + a * a, 0);
    expect(report.ranking[0]!.errorShare).toBeCloseTo(0.25 / total, 2);
    expect(report.ranking.reduce((s, u) => s + u.errorShare, 0)).toBeCloseTo(1, 9);
    expect(report.met).toBe(true);
    expect(report.stoppedBy).toBe('met');
    expect(report.floatUnits).toEqual(['U0', 'U2']);
    expect(report.floatNodes).toEqual(['U0', 'U0_act', 'U2', 'U2_act']);
    expect(report.floatCostBytes).toBe(100 + 300);
    expect(new TextDecoder().decode(bytes)).toBe(JSON.stringify(['U0', 'U0_act', 'U2', 'U2_act']));
    expect(steps.map((s) => [s.floatUnits, s.met])).toEqual([[1, false], [2, true]]);
    expect(steps[1]!.added).toEqual(['U2']);
    expect(report.final.value).toBeGreaterThanOrEqual(15);
    expect(report.initial.value).toBeLessThan(15);
    expect(report.explanation).toMatch(/Keeping the 2 layers that caused most of the error in float/);
  });

  it('binary-searches between the last miss and the first hit of the doubling prefixes', async () => {
    // 35 dB: with U4 and U3 INT8 the noise is ~5e-4 (33 dB), with U3 alone ~1.2e-4 (39 dB): prefix 5.
    const { report, steps } = await search({ metric: 'sqnr', maxDrop: 0, minSqnrDb: 35 });
    expect(report.floatUnits).toEqual(['U0', 'U2', 'U5', 'U1', 'U4']);
    expect(steps.map((s) => s.floatUnits)).toEqual([1, 2, 4, 5]);
  });

  it('returns the every-layer model untouched when it already meets the goal', async () => {
    const { report, loads } = await search({ metric: 'sqnr', maxDrop: 0, minSqnrDb: 3 });
    expect(report.stoppedBy).toBe('already-met');
    expect(report.ranking).toEqual([]);
    expect(report.floatUnits).toEqual([]);
    expect(loads.n).toBe(2); // FP32 reference and the INT8 model, nothing else
  });

  it('an unreachable goal ends with every layer tried and the best model, explained', async () => {
    const { report } = await search({ metric: 'sqnr', maxDrop: 0, minSqnrDb: 60 });
    expect(report.met).toBe(false);
    expect(report.stoppedBy).toBe('no-layers');
    expect(report.floatUnits).toHaveLength(5); // all but one: an all-float "INT8" model would be FP32 again
    expect(report.final.value).toBeGreaterThan(38);
    expect(report.explanation).toMatch(/not met/);
  });

  it('stops at the time budget with the best model found so far', async () => {
    let t = 0;
    const { report } = await search({ metric: 'sqnr', maxDrop: 0, minSqnrDb: 15 }, { timeBudgetMs: 2500, now: () => (t += 500) });
    expect(report.stoppedBy).toBe('time');
    expect(report.met).toBe(false);
    expect(report.explanation).toMatch(/time budget ran out/);
  });

  it('shouldStop ends the search at the next model, keeping the best measured (stoppedBy cancelled)', async () => {
    let measured = 0;
    const { report } = await search({ metric: 'sqnr', maxDrop: 0, minSqnrDb: 35 }, { shouldStop: () => ++measured > 8 });
    expect(report.stoppedBy).toBe('cancelled');
    expect(report.met).toBe(false);
    expect(report.final.value).toBeGreaterThanOrEqual(report.initial.value);
  });

  it('skipWhen (the collapse guard floors) decides whether to search at all', async () => {
    const { report } = await search({ metric: 'sqnr', maxDrop: 0, minSqnrDb: 15 }, { skipWhen: () => true, trigger: 'guard' });
    expect(report.stoppedBy).toBe('already-met');
    expect(report.explanation).toMatch(/above the collapse floor/);
  });

  it('holds FP32 outputs only up to its byte budget: later validation inputs are not used', async () => {
    // Each output is N floats = 16,000 bytes: a 40,000-byte budget holds two of the four.
    const ev = await Evaluator.create({ fp32: FP32, inputs, makeRunner: async (b) => runner(b, { n: 0 }), goal: { metric: 'sqnr', maxDrop: 0 }, maxReferenceBytes: 40_000 });
    expect(ev.size).toBe(2);
    expect((await ev.measure(FP32)).value).toBe(Infinity);
  });

  it('top1 needs labels; agreement and relative budgets set the threshold', async () => {
    await expect(Evaluator.create({ fp32: FP32, inputs, makeRunner: async (b) => runner(b, { n: 0 }), goal: { metric: 'top1', maxDrop: 1 } })).rejects.toThrow(/labelled images/);
    const ev = await Evaluator.create({ fp32: FP32, inputs, makeRunner: async (b) => runner(b, { n: 0 }), goal: { metric: 'agreement', maxDrop: 2, relative: true } });
    expect(ev.fp32Value).toBe(100);
    expect(ev.threshold()).toBeCloseTo(98, 12);
    expect(describeGoal({ metric: 'top1', maxDrop: 0.5 })).toBe('top-1 accuracy within 0.5 points of FP32');
    expect(describeGoal({ metric: 'sqnr', maxDrop: 0, minSqnrDb: 30 })).toBe('output SQNR at least 30 dB');
  });
});
