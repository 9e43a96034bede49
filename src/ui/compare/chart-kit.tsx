// Shared frame (figure, caption, "not measured" state) and projector-sized fonts and colours of the Compare charts.
import type { ReactNode } from 'react';
import type { VariantId } from '../../state/report/types';
import { VARIANT_COLOR, VARIANT_COLOR_ON_DARK } from './compare-colors';

export type ChartTheme = 'light' | 'dark';

/** Every dashboard chart's plot height: tall enough for value labels and a projector. */
export const CHART_HEIGHT_PX = 300;

export interface ChartInk {
  tick: { fontSize: number; fill: string };
  axisLabel: { fontSize: number; fill: string; fontWeight: number };
  value: { fontSize: number; fill: string; fontWeight: number };
  legendPx: number;
  grid: string;
  /** Reference lines and whiskers. */
  strong: string;
}

/** Fonts stay ≥ 14 px (ticks) and ≥ 15 px (labels) at scale 1; the presentation passes a larger scale. */
export function chartInk(theme: ChartTheme, scale = 1): ChartInk {
  const dark = theme === 'dark';
  return {
    tick: { fontSize: Math.round(14 * scale), fill: dark ? '#e2e8f0' : '#1f2937' },
    axisLabel: { fontSize: Math.round(15 * scale), fill: dark ? '#f1f5f9' : '#111827', fontWeight: 600 },
    value: { fontSize: Math.round(15 * scale), fill: dark ? '#ffffff' : '#111827', fontWeight: 700 },
    legendPx: Math.round(15 * scale),
    grid: dark ? '#334155' : '#d9dde5',
    strong: dark ? '#f8fafc' : '#111827',
  };
}

export function variantColor(id: VariantId, theme: ChartTheme): string {
  return theme === 'dark' ? VARIANT_COLOR_ON_DARK[id] : VARIANT_COLOR[id];
}

/** Axis ticks: 12.5 -> "12.5", 120 -> "120", 0.25 -> "0.25" (the unit is in the axis label). */
export function trimNumber(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1).replace(/\.0$/, '') : String(Number(n.toPrecision(2)));
}

interface ChartFigureProps {
  testId: string;
  title: string;
  /** One line on how to read it. */
  hint: string;
  /** What the chart shows, in words, for screen readers (the plot is role="img"). */
  summary: string;
  /** Set when there is nothing to draw: shown instead of an empty plot. */
  empty?: string | null;
  /** Short facts under the plot ("FP16: not measured"). */
  notes?: readonly string[];
  children: ReactNode;
}

export function ChartFigure({ testId, title, hint, summary, empty = null, notes = [], children }: ChartFigureProps) {
  return (
    <figure className="compare-figure panel" data-testid={testId}>
      <figcaption>
        <span className="compare-figure-title">{title}</span>
        <span className="compare-figure-hint">{hint}</span>
      </figcaption>
      {empty !== null ? (
        <p className="compare-figure-empty" data-testid="chart-empty">
          {empty}
        </p>
      ) : (
        <>
          <div className="compare-plot" role="img" aria-label={summary}>
            {children}
          </div>
        </>
      )}
      {empty === null && notes.length > 0 && (
        <ul className="compare-figure-notes">
          {notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </figure>
  );
}
