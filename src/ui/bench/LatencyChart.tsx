// recharts views of the benchmark's latencies (loaded lazily: recharts is large): the median per measurement as a bar
// with a whisker up to p90 and p99 (a custom bar shape), and the distribution of every timed run on shared bins.
import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis, type BarShapeProps } from 'recharts';
import { latencyHistogram, type BenchEntry } from '../../state/bench-view';
import { formatMs, formatPercent } from '../format';
import { entryColor } from './bench-colors';
import { niceCeil } from './chart-scale';

interface LatencyChartProps {
  entries: readonly BenchEntry[];
  labels: readonly string[];
}

const AXIS_TICK = { fontSize: 13, fill: '#374151' };

export function LatencyChart({ entries, labels }: LatencyChartProps) {
  return (
    <div className="bench-charts">
      <PercentileBars entries={entries} labels={labels} />
      <Histogram entries={entries} labels={labels} />
    </div>
  );
}

interface BarDatum {
  label: string;
  p50: number;
  p90: number;
  p99: number;
  color: string;
}

/**
 * Top of the latency axis: p99 when the tails are short; else 2.5 × the largest p90, with longer whiskers cut at the
 * top and labelled, as one slow run (a timer tick, a garbage collection) would otherwise flatten every bar.
 */
function axisTopMs(data: readonly BarDatum[]): number {
  const p90 = Math.max(...data.map((d) => d.p90));
  const p99 = Math.max(...data.map((d) => d.p99));
  return niceCeil(p99 <= 2.5 * p90 ? p99 * 1.12 : p90 * 2.5);
}

function PercentileBars({ entries, labels }: LatencyChartProps) {
  const data: BarDatum[] = entries.map((e, i) => {
    const l = e.result.run.latency;
    return { label: labels[i] ?? e.key, p50: l.p50Ms, p90: l.p90Ms, p99: l.p99Ms, color: entryColor(e) };
  });
  const top = axisTopMs(data);
  const summary = data.map((d) => `${d.label}: median ${formatMs(d.p50)}, p90 ${formatMs(d.p90)}, p99 ${formatMs(d.p99)}`).join('; ');
  return (
    <figure className="bench-figure" data-testid="latency-chart">
      <figcaption>
        <span className="bench-figure-title">Latency per run</span>
        <span className="bench-figure-hint">Bar: median (p50). Whisker: up to p90 (short cap) and p99 (long cap); an arrow means p99 is off the chart. Lower is faster.</span>
      </figcaption>
      <div role="img" aria-label={`Latency per run. ${summary}`}>
        <ResponsiveContainer width="100%" height={280}>
          <BarChart data={data} margin={{ top: 22, right: 16, bottom: 4, left: 8 }} barCategoryGap="35%">
            <CartesianGrid vertical={false} stroke="#e5e7eb" />
            <XAxis dataKey="label" tick={AXIS_TICK} tickLine={false} interval={0} />
            <YAxis
              type="number"
              domain={[0, top]}
              allowDataOverflow
              tick={AXIS_TICK}
              tickFormatter={(v: number) => trimMs(v)}
              width={56}
              label={{ value: 'ms', position: 'insideTopLeft', offset: 0, dy: -18, fontSize: 12, fill: '#5b6475' }}
            />
            <Tooltip
              isAnimationActive={false}
              cursor={{ fill: 'rgba(79, 70, 229, 0.06)' }}
              content={({ active, payload }) => {
                const d = active ? (payload?.[0]?.payload as BarDatum | undefined) : undefined;
                if (d === undefined) return null;
                return (
                  <div className="chart-tooltip">
                    <strong>{d.label}</strong>
                    <span>median {formatMs(d.p50)}</span>
                    <span>p90 {formatMs(d.p90)}</span>
                    <span>p99 {formatMs(d.p99)}</span>
                  </div>
                );
              }}
            />
            <Bar dataKey="p50" isAnimationActive={false} maxBarSize={72} shape={(props: BarShapeProps) => <WhiskerBar {...props} topMs={top} />} />
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

/** The median bar, and a whisker from it up to p90 (short cap) and p99 (long cap, or an arrow and its value when off the axis). */
function WhiskerBar(props: BarShapeProps & { topMs: number }) {
  const { x, y, width, height, topMs } = props;
  const d = props.payload as BarDatum | undefined;
  if (d === undefined || !(d.p50 > 0) || !(height > 0)) return null;
  // The bar spans 0..p50 on a linear axis, so its own height gives the scale.
  const pxPerMs = height / d.p50;
  const yOf = (ms: number): number => y + height - ms * pxPerMs;
  const cx = x + width / 2;
  const yTop = yOf(topMs);
  const off = d.p99 > topMs;
  const y99 = off ? yTop : yOf(d.p99);
  const label = { fontSize: 11, fill: '#374151' };
  return (
    <g className="bench-whisker">
      <rect x={x} y={y} width={width} height={height} fill={d.color} rx={2} />
      <line x1={cx} x2={cx} y1={y} y2={y99} stroke="#111827" strokeWidth={1.5} />
      <line x1={cx - 5} x2={cx + 5} y1={yOf(d.p90)} y2={yOf(d.p90)} stroke="#111827" strokeWidth={1.5} />
      {off ? (
        <path d={`M${cx - 6},${yTop + 8} L${cx},${yTop} L${cx + 6},${yTop + 8} Z`} fill="#111827" />
      ) : (
        <line x1={cx - 10} x2={cx + 10} y1={y99} y2={y99} stroke="#111827" strokeWidth={1.5} />
      )}
      <text x={cx + 12} y={yOf(d.p90)} dy={4} {...label}>
        p90
      </text>
      {/* The plot clips what is drawn above its top (allowDataOverflow): an off-axis p99 is named just under the arrow. */}
      <text x={cx + 12} y={y99} dy={off ? 12 : 4} {...label}>
        p99{off ? ` ${formatMs(d.p99)} ↑` : ''}
      </text>
    </g>
  );
}

function Histogram({ entries, labels }: LatencyChartProps) {
  const series = entries.map((e, i) => ({ key: `s${i}`, samplesMs: e.result.run.samplesMs, ...e.result.run.latency }));
  const rows = latencyHistogram(series);
  return (
    <figure className="bench-figure" data-testid="latency-histogram">
      <figcaption>
        <span className="bench-figure-title">How the run times spread</span>
        <span className="bench-figure-hint">Share of timed runs per latency range. A narrow peak means steady timings; the last range (+) also counts every slower run.</span>
      </figcaption>
      <div role="img" aria-label="Distribution of the timed runs' latencies per measurement">
        <ResponsiveContainer width="100%" height={260}>
          <AreaChart data={rows} margin={{ top: 12, right: 28, bottom: 18, left: 8 }}>
            <CartesianGrid vertical={false} stroke="#e5e7eb" />
            <XAxis dataKey="label" tick={AXIS_TICK} tickLine={false} minTickGap={16} label={{ value: 'latency, ms', position: 'insideBottom', offset: -12, fontSize: 12, fill: '#5b6475' }} />
            <YAxis tick={AXIS_TICK} tickFormatter={(v: number) => formatPercent(v, 0)} width={48} />
            <Tooltip
              isAnimationActive={false}
              labelFormatter={(_label, payload) => {
                const row = payload?.[0]?.payload as { fromMs: number; toMs: number } | undefined;
                return row === undefined ? '' : `${formatMs(row.fromMs)} – ${formatMs(row.toMs)}`;
              }}
              formatter={(v) => formatPercent(Number(v), 1)}
            />
            <Legend verticalAlign="top" height={28} wrapperStyle={{ fontSize: 13 }} />
            {series.map((s, i) => {
              const e = entries[i];
              const color = e === undefined ? '#4f46e5' : entryColor(e);
              return (
                <Area
                  key={s.key}
                  type="stepAfter"
                  dataKey={s.key}
                  name={labels[i] ?? s.key}
                  stroke={color}
                  strokeWidth={2}
                  fill={color}
                  fillOpacity={0.18}
                  isAnimationActive={false}
                />
              );
            })}
          </AreaChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

/** Axis ticks: 12.5 → "12.5", 120 → "120", 0.25 → "0.25". */
function trimMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1).replace(/\.0$/, '') : String(Number(ms.toPrecision(2)));
}
