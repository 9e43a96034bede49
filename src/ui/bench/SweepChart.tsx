// recharts view of the batch sweep (loaded lazily): throughput against median latency for each batch size, the
// latency limit as a vertical line, and the sweet spot (best throughput within the limit) marked and named.
import { CartesianGrid, LabelList, Legend, ReferenceDot, ReferenceLine, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { BatchPoint } from '../../runtime/bench-types';
import type { BenchEntry } from '../../state/bench-view';
import { formatInt, formatMs } from '../format';
import { entryColor } from './bench-colors';
import { niceCeil } from './chart-scale';

interface SweepChartProps {
  /** Entries that have a sweep with points. */
  entries: readonly BenchEntry[];
  labels: readonly string[];
}

const AXIS_TICK = { fontSize: 13, fill: '#374151' };

export function SweepChart({ entries, labels }: SweepChartProps) {
  const swept = entries.flatMap((e, i) => (e.result.sweep !== null && e.result.sweep.points.length > 0 ? [{ entry: e, sweep: e.result.sweep, label: labels[i] ?? e.key }] : []));
  if (swept.length === 0) return null;
  const limitMs = swept[0]?.sweep.latencyLimitMs ?? 0;
  const maxMs = Math.max(limitMs, ...swept.flatMap((s) => s.sweep.points.map((p) => p.p50Ms)));
  const spots = swept.flatMap((s) => {
    const p = s.sweep.points.find((q) => q.batch === s.sweep.sweetSpot);
    return p === undefined ? [] : [{ ...s, point: p }];
  });

  return (
    <figure className="bench-figure bench-figure-wide" data-testid="sweep-chart">
      <figcaption>
        <span className="bench-figure-title">Batch size: throughput against latency</span>
        <span className="bench-figure-hint">
          Each point is a batch size (b = images per run). Up is more images per second, right is a longer wait per run. The red line is your latency limit of{' '}
          {formatMs(limitMs)}; the ringed point is the sweet spot: the most images per second within it.
        </span>
      </figcaption>
      <div role="img" aria-label={sweepSummary(swept.map((s) => ({ label: s.label, points: s.sweep.points, sweetSpot: s.sweep.sweetSpot })), limitMs)}>
        <ResponsiveContainer width="100%" height={300}>
          <ScatterChart margin={{ top: 16, right: 28, bottom: 22, left: 8 }}>
            <CartesianGrid stroke="#e5e7eb" />
            <XAxis
              type="number"
              dataKey="p50Ms"
              name="Median latency"
              domain={[0, niceCeil(maxMs * 1.1)]}
              tick={AXIS_TICK}
              tickFormatter={(v: number) => formatInt(v)}
              label={{ value: 'median latency per run, ms', position: 'insideBottom', offset: -14, fontSize: 12, fill: '#5b6475' }}
            />
            <YAxis
              type="number"
              dataKey="throughput"
              name="Throughput"
              // Head-room for the batch labels above the highest points.
              domain={[0, (max: number) => niceCeil(max * 1.15)]}
              tick={AXIS_TICK}
              tickFormatter={(v: number) => formatInt(v)}
              width={64}
              label={{ value: 'images / s', angle: -90, position: 'insideLeft', offset: 4, dy: 30, fontSize: 12, fill: '#5b6475' }}
            />
            <Tooltip
              isAnimationActive={false}
              cursor={{ strokeDasharray: '3 3' }}
              content={({ active, payload }) => {
                const p = active ? (payload?.[0]?.payload as BatchPoint | undefined) : undefined;
                if (p === undefined) return null;
                return (
                  <div className="chart-tooltip">
                    <strong>Batch {p.batch}</strong>
                    <span>median {formatMs(p.p50Ms)} per run</span>
                    <span>p90 {formatMs(p.p90Ms)}</span>
                    <span>{formatInt(p.throughput)} images / s</span>
                  </div>
                );
              }}
            />
            {swept.length > 1 && <Legend verticalAlign="top" height={28} wrapperStyle={{ fontSize: 13 }} />}
            <ReferenceLine
              x={limitMs}
              stroke="#b42318"
              strokeDasharray="6 4"
              strokeWidth={2}
              label={{ value: `limit ${formatMs(limitMs)}`, position: 'insideTopRight', fill: '#b42318', fontSize: 12 }}
            />
            {swept.map((s) => (
              <Scatter key={s.entry.key} name={s.label} data={s.sweep.points} fill={entryColor(s.entry)} line={{ stroke: entryColor(s.entry), strokeWidth: 2 }} isAnimationActive={false}>
                <LabelList dataKey="batch" position="top" offset={8} formatter={(v) => `b${String(v)}`} style={{ fontSize: 12, fill: '#374151' }} />
              </Scatter>
            ))}
            {spots.map((s) => (
              <ReferenceDot key={s.entry.key} x={s.point.p50Ms} y={s.point.throughput} r={10} fill="none" stroke={entryColor(s.entry)} strokeWidth={3} />
            ))}
          </ScatterChart>
        </ResponsiveContainer>
      </div>
      <ul className="bench-sweet-spots" data-testid="sweep-sweet-spots">
        {swept.map((s) => {
          const spot = s.sweep.points.find((q) => q.batch === s.sweep.sweetSpot);
          return (
            <li key={s.entry.key}>
              <span className="bench-swatch" style={{ background: entryColor(s.entry) }} aria-hidden="true" />
              {swept.length > 1 && <strong>{s.label}: </strong>}
              {spot === undefined
                ? `no batch size keeps the median under ${formatMs(limitMs)}: raise the limit, or use a faster variant.`
                : `sweet spot at batch ${spot.batch}: ${formatInt(spot.throughput)} images / s at ${formatMs(spot.p50Ms)} per run.`}
            </li>
          );
        })}
      </ul>
    </figure>
  );
}

function sweepSummary(series: { label: string; points: BatchPoint[]; sweetSpot: number | null }[], limitMs: number): string {
  return `Throughput against latency per batch size, latency limit ${formatMs(limitMs)}. ${series
    .map((s) => `${s.label}: ${s.points.map((p) => `batch ${p.batch} ${formatInt(p.throughput)} images per second at ${formatMs(p.p50Ms)}`).join(', ')}; sweet spot ${s.sweetSpot ?? 'none'}`)
    .join('. ')}`;
}
