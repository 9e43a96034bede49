// Verdicts of the run report: one plain-words sentence per variant and the tone it is shown in (good / mixed / bad).
import { formatBytes, formatFactor, formatFps, formatPercent } from './format';
import type { RunReport, VariantResult } from './types';

/**
 * Agreement with FP32 at or above this reads as "as good as FP32": on a few hundred images it is a handful of
 * borderline images changing class, about the noise of the measurement itself.
 */
export const GOOD_AGREEMENT = 0.98;
/** Below this the variant changes the answer on more than one image in ten: users notice, so the verdict is bad. */
export const BAD_AGREEMENT = 0.9;
/** A top-1 drop up to this many points is within what quantization papers report as lossless for INT8. */
export const GOOD_TOP1_DROP_POINTS = 1;
/** A top-1 drop beyond this many points is more than quantization should cost: something collapsed. */
export const BAD_TOP1_DROP_POINTS = 3;
/** Shrinking by this much (FP16 is 2x, INT8 about 4x) pays off for download and memory even without a speed-up. */
export const GOOD_SHRINK = 1.5;
/**
 * Speed ratios within ±this of 1 read "about as fast as FP32": browser timings of the same model vary by a few
 * percent from run to run, so a smaller difference is not a finding.
 */
export const SAME_SPEED_BAND = 0.05;

export type Tone = VariantResult['tone'];

/** The parts of a variant the verdict reads. */
export type VerdictSubject = Pick<VariantResult, 'id' | 'label' | 'sizeBytes' | 'speed' | 'quality' | 'speedup' | 'shrink'>;

export interface VerdictContext {
  /** "this computer's CPU"; null without a benchmark. */
  where: string | null;
  /** What the dataset's samples are, for "of your images" / "of your samples". */
  datasetKind: RunReport['dataset']['kind'];
}

/** The variant's top-1 change against FP32 in points (negative = worse), or null without labels on both. */
export function top1DeltaPoints(v: VerdictSubject, fp32: VerdictSubject): number | null {
  const a = v.quality?.top1;
  const b = fp32.quality?.top1;
  return a === null || a === undefined || b === null || b === undefined ? null : (a - b) * 100;
}

/** "−0.4 points", "+0.2 points", "±0.0 points" (the minus sign is U+2212, as typeset). */
export function formatPointsDelta(points: number): string {
  const text = Math.abs(points).toFixed(1);
  if (Number(text) === 0) return '±0.0 points';
  return `${points < 0 ? '\u2212' : '+'}${text} points`;
}

function sizePart(shrink: number): string {
  if (shrink >= 1 + SAME_SPEED_BAND) return `${formatFactor(shrink)} smaller`;
  if (shrink <= 1 / (1 + SAME_SPEED_BAND)) return `${formatFactor(1 / shrink)} larger`;
  return 'about the same size';
}

function speedPart(speedup: number | null, where: string | null): string | null {
  if (speedup === null) return null;
  const on = where !== null ? ` on ${where}` : '';
  if (Math.abs(speedup - 1) <= SAME_SPEED_BAND) return `about as fast as FP32${on}`;
  return speedup > 1 ? `${formatFactor(speedup)} faster${on}` : `${formatFactor(1 / speedup)} slower${on}`;
}

function samplesNoun(kind: VerdictContext['datasetKind']): string {
  return kind === 'images' ? 'images' : kind === 'random' ? 'random inputs' : 'samples';
}

function qualityPart(v: VerdictSubject, fp32: VerdictSubject, ctx: VerdictContext): string {
  const q = v.quality;
  if (q === null) return 'not compared with FP32';
  const delta = top1DeltaPoints(v, fp32);
  if (delta !== null && q.top1 !== null && fp32.quality?.top1 !== null && fp32.quality?.top1 !== undefined) {
    return `top-1 ${formatPercent(q.top1)} (FP32 ${formatPercent(fp32.quality.top1)}, ${formatPointsDelta(delta)})`;
  }
  if (q.agreement !== null) {
    if (q.source === 'check') return `agrees with FP32 on ${Math.round(q.agreement * q.samples)} of ${q.samples} test inputs`;
    return `agrees with FP32 on ${formatPercent(q.agreement)} of your ${samplesNoun(ctx.datasetKind)}`;
  }
  if (q.sqnrDb !== null) return `output SQNR ${q.sqnrDb.toFixed(1)} dB against FP32`;
  if (q.cosine !== null) return `output cosine ${q.cosine.toFixed(4)} against FP32`;
  return 'not compared with FP32';
}

/** How the verdict reads at a glance (see the thresholds above); FP32 is the neutral baseline. */
export function verdictTone(v: VerdictSubject, fp32: VerdictSubject): Tone {
  if (v.id === 'fp32') return 'neutral';
  const agreement = v.quality?.agreement ?? null;
  const delta = top1DeltaPoints(v, fp32);
  const drop = delta === null ? null : -delta;
  if ((agreement !== null && agreement < BAD_AGREEMENT) || (drop !== null && drop > BAD_TOP1_DROP_POINTS)) return 'bad';
  const accurate = (agreement !== null && agreement >= GOOD_AGREEMENT) || (drop !== null && drop <= GOOD_TOP1_DROP_POINTS);
  const faster = v.speedup !== null && v.speedup > 1 + SAME_SPEED_BAND;
  const pays = faster || v.shrink >= GOOD_SHRINK;
  // Smaller but measurably slower here is a trade-off to weigh, never a plain recommendation.
  const slower = v.speedup !== null && v.speedup < 1 - SAME_SPEED_BAND;
  return accurate && pays && !slower ? 'good' : 'mixed';
}

/**
 * The sentence a stakeholder reads: "INT8: 3.8x smaller, 1.4x faster on this computer's CPU, agrees with FP32 on
 * 98.7% of your images." FP32 gets its baseline numbers.
 */
export function verdictSentence(v: VerdictSubject, fp32: VerdictSubject, ctx: VerdictContext): string {
  if (v.id === 'fp32') {
    const parts = [formatBytes(v.sizeBytes)];
    if (v.speed !== null) parts.push(`${formatFps(v.speed.fps)} FPS${ctx.where !== null ? ` on ${ctx.where}` : ''}`);
    if (v.quality?.top1 !== null && v.quality?.top1 !== undefined) parts.push(`top-1 ${formatPercent(v.quality.top1)} on your ${samplesNoun(ctx.datasetKind)}`);
    return `${v.label}: the baseline — ${parts.join(', ')}.`;
  }
  const parts = [sizePart(v.shrink)];
  const speed = speedPart(v.speedup, ctx.where);
  if (speed !== null) parts.push(speed);
  parts.push(qualityPart(v, fp32, ctx));
  return `${v.label}: ${parts.join(', ')}.`;
}

export function verdictFor(v: VerdictSubject, fp32: VerdictSubject, ctx: VerdictContext): { verdict: string; tone: Tone } {
  return { verdict: verdictSentence(v, fp32, ctx), tone: verdictTone(v, fp32) };
}
