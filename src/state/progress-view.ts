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

/** `stageStartedMs` is when the current stage began (performance.now()). */
export function toProgressView(p: Progress, stageStartedMs: number, nowMs: number): ProgressView {
  const fraction = progressFraction(p) ?? null;
  const elapsedS = (nowMs - stageStartedMs) / 1000;
  const etaSeconds = fraction !== null && fraction > 0.02 && fraction < 1 && elapsedS > 0.3 ? (elapsedS * (1 - fraction)) / fraction : null;
  let detail = '';
  if (p.stage === 'read') detail = `${(p.doneBytes / 1e6).toFixed(1)} / ${(p.totalBytes / 1e6).toFixed(1)} MB`;
  else if ('done' in p) detail = `${p.done} of ${p.total}`;
  else if (p.stage === 'mixed-precision') detail = `${p.trials} trial ${p.trials === 1 ? 'conversion' : 'conversions'}`;
  return { stage: p.stage, label: STAGE_LABEL[p.stage], fraction, etaSeconds, detail };
}

/** Keeps progress events per stage so the ETA restarts when the stage changes. */
export function progressTracker(set: (view: ProgressView) => void): (p: Progress) => void {
  let stage: Progress['stage'] | undefined;
  let startedMs = 0;
  return (p) => {
    const now = performance.now();
    if (p.stage !== stage) {
      stage = p.stage;
      startedMs = now;
    }
    set(toProgressView(p, startedMs, now));
  };
}

