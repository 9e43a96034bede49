// Turns raw progress events into what the UI shows: stage label, fraction and an ETA from elapsed time.
import { progressFraction, STAGE_LABEL, type Progress } from '../../workers/progress';

export interface ProgressView {
  stage: Progress['stage'];
  label: string;
  /** In [0, 1], or null for a stage without a count (the bar is indeterminate). */
  fraction: number | null;
  /** Seconds left in this stage, or null while unknown. */
  etaSeconds: number | null;
  /** Extra text such as "12 of 48" or "35.2 / 96.0 MB". */
  detail: string;
}

/** The first event seen of a counted stage: how far it already was, and when (performance.now()). */
export interface StageBaseline {
  done: number;
  atMs: number;
}

/** Units done and total of a counted stage (images, nodes, bytes), or undefined. */
function counts(p: Progress): { done: number; total: number } | undefined {
  if (p.stage === 'read') return { done: p.doneBytes, total: p.totalBytes };
  if ('total' in p) return { done: p.done, total: p.total };
  return undefined;
}

/** Less elapsed time than this gives no ETA (the first units are dominated by start-up costs). */
const MIN_ETA_ELAPSED_S = 0.3;

/**
 * `stageStartedMs` is when the current stage began (performance.now()). With `baseline` (the stage's first event),
 * the ETA comes from the rate since that event: counted stages often report their first unit only after a slow
 * start (a session to create, the first image to decode), so timing from the stage start alone would count that
 * unit as free and promise about half the real time early on.
 */
export function toProgressView(p: Progress, stageStartedMs: number, nowMs: number, baseline?: StageBaseline): ProgressView {
  const fraction = progressFraction(p) ?? null;
  const c = counts(p);
  let etaSeconds: number | null = null;
  if (fraction !== null && fraction < 1 && c !== undefined) {
    if (baseline !== undefined && c.done > baseline.done) {
      const sinceS = (nowMs - baseline.atMs) / 1000;
      if (sinceS > MIN_ETA_ELAPSED_S) etaSeconds = (sinceS / (c.done - baseline.done)) * (c.total - c.done);
    } else if (baseline === undefined) {
      const elapsedS = (nowMs - stageStartedMs) / 1000;
      if (fraction > 0.02 && elapsedS > MIN_ETA_ELAPSED_S) etaSeconds = (elapsedS * (1 - fraction)) / fraction;
    }
  }
  let detail = '';
  if (p.stage === 'read') detail = `${(p.doneBytes / 1e6).toFixed(1)} / ${(p.totalBytes / 1e6).toFixed(1)} MB`;
  else if ('done' in p) detail = `${p.done} of ${p.total}`;
  else if (p.stage === 'mixed-precision') detail = `${p.trials} trial ${p.trials === 1 ? 'conversion' : 'conversions'}`;
  return { stage: p.stage, label: STAGE_LABEL[p.stage], fraction, etaSeconds, detail };
}

/** Keeps progress events per stage so the ETA restarts (and is timed from the stage's first event) when the stage changes. */
export function progressTracker(set: (view: ProgressView) => void, now: () => number = () => performance.now()): (p: Progress) => void {
  let stage: Progress['stage'] | undefined;
  let startedMs = 0;
  let baseline: StageBaseline | undefined;
  return (p) => {
    const t = now();
    if (p.stage !== stage) {
      stage = p.stage;
      startedMs = t;
      const c = counts(p);
      baseline = c === undefined ? undefined : { done: c.done, atMs: t };
    }
    set(toProgressView(p, startedMs, t, baseline));
  };
}

/** The label of a stage by name ("quantize" -> "Quantizing…"), or the name itself for a stage this build does not know. */
export function stageLabel(stage: string): string {
  return (STAGE_LABEL as Record<string, string>)[stage] ?? stage;
}
