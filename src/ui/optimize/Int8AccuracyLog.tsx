// The accuracy search's log: one line per model it tried ("8 layers in float (+Conv_70, Conv_67, …): agreement
// 87.46% — needs 92.00%") with a met/miss mark, the goal and its threshold on top, newest at the bottom. Used live
// while the search runs (announced politely to screen readers) and in the result card.
import { useEffect, useRef } from 'react';
import { goalWords, type AccuracyGoal, type AccuracyMetric, type AccuracyStep } from '../../state/int8-slice';
import './accuracy.css';

/** Short name of a metric inside a sentence. */
export const METRIC_SHORT: Record<AccuracyMetric, string> = { top1: 'top-1', agreement: 'agreement', sqnr: 'SQNR' };

/** A value of the goal's metric, with two decimals so a near miss never reads as the threshold itself: "39.96 dB", "91.67%". */
export function formatMetric(metric: AccuracyMetric, value: number): string {
  if (metric !== 'sqnr') return `${value.toFixed(2)}%`;
  return Number.isFinite(value) ? `${value.toFixed(2)} dB` : '∞ dB';
}

/** At most this many names of the layers a step added. */
const NAMES_SHOWN = 2;

/** "8 layers in float (+Conv_70, Conv_67, …): agreement 87.46% — needs 92.00%". */
export function stepLine(step: AccuracyStep, metric: AccuracyMetric, threshold: number | null): string {
  const layers = `${step.floatUnits} layer${step.floatUnits === 1 ? '' : 's'} in float`;
  const names = step.added.slice(0, NAMES_SHOWN).join(', ') + (step.added.length > NAMES_SHOWN ? ', …' : '');
  const added = step.added.length > 0 ? ` (+${names})` : '';
  const needs = threshold === null ? '' : ` — needs ${formatMetric(metric, threshold)}`;
  return `${layers}${added}: ${METRIC_SHORT[metric]} ${formatMetric(metric, step.value)}${needs}`;
}

interface Int8AccuracyLogProps {
  steps: readonly AccuracyStep[];
  goal: AccuracyGoal;
  /** The lowest value within the goal; null while unknown (top-1 before FP32's own accuracy is measured). */
  threshold: number | null;
  /** True while the search runs: the list follows its newest line. */
  live?: boolean;
}

export function Int8AccuracyLog({ steps, goal, threshold, live = false }: Int8AccuracyLogProps) {
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const el = list.current;
    if (live && el !== null) el.scrollTop = el.scrollHeight;
  }, [live, steps.length]);

  // The threshold first ("agreement at least 92.00%"), then the goal it comes from when that adds something.
  const needs = threshold === null ? null : `${METRIC_SHORT[goal.metric]} at least ${formatMetric(goal.metric, threshold)}`;
  return (
    <div className="acc-log" data-testid="int8-accuracy-log" data-steps={steps.length}>
      <p className="acc-log-goal">
        Goal: <b data-testid="int8-accuracy-threshold">{needs ?? goalWords(goal)}</b>
        {needs === null ? ' (FP32’s own top-1 accuracy is measured first)' : goal.metric === 'sqnr' ? '' : ` (${goalWords(goal)})`}.
      </p>
      <ol ref={list} className="acc-log-lines" aria-live={live ? 'polite' : 'off'} aria-label="Models tried, newest last" tabIndex={steps.length > 0 ? 0 : undefined}>
        {steps.length === 0 && (
          <li className="acc-log-empty muted">{live ? 'Each model the search tries appears here once the sensitivity of every layer is measured.' : 'No model was tried.'}</li>
        )}
        {steps.map((s, i) => (
          <li key={i} className={s.met ? 'acc-log-line is-met' : 'acc-log-line'} data-testid="int8-accuracy-step" data-met={String(s.met)}>
            <span className="acc-mark" aria-hidden="true">
              {s.met ? '✓' : '✗'}
            </span>
            <span className="visually-hidden">{s.met ? 'Meets the goal: ' : 'Misses the goal: '}</span>
            <span className="acc-log-text">{stepLine(s, goal.metric, threshold)}</span>
            <span className="acc-log-time muted" title="Time since the search started">
              after {(s.elapsedMs / 1000).toFixed(0)} s
            </span>
          </li>
        ))}
      </ol>
    </div>
  );
}
