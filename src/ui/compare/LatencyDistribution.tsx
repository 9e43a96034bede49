// Histogram of every timed run's latency per variant, on one set of bins shared by all variants.
import { Area, AreaChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { latencyHistogram } from '../../state/bench-view';
import { formatMs, formatPercent } from '../../state/report/format';
import type { VariantResult } from '../../state/report/types';
import { CHART_HEIGHT_PX, ChartFigure, chartInk, variantColor } from './chart-kit';

/** Fewer bins than the Benchmark panel: wider steps stay readable from the back of a room. */
const BIN_COUNT = 18;

export function LatencyDistribution({ variants }: { variants: readonly VariantResult[] }) {
  const measured = variants.flatMap((v) => (v.speed !== null && v.speed.samplesMs.length > 0 ? [{ v, speed: v.speed }] : []));
  const missing = variants.filter((v) => v.speed === null || v.speed.samplesMs.length === 0).map((v) => `${v.label}: run times not measured`);
  const rows = latencyHistogram(
    measured.map(({ v, speed }) => ({ key: v.id, samplesMs: speed.samplesMs, p50Ms: speed.p50Ms, p90Ms: speed.p90Ms, p99Ms: speed.p99Ms })),
    BIN_COUNT,
  );
  const ink = chartInk('light');
  const summary = measured.map(({ v, speed }) => `${v.label}: ${speed.samplesMs.length} runs, median ${formatMs(speed.p50Ms)}, p90 ${formatMs(speed.p90Ms)}`).join('; ');
  return (
    <ChartFigure
      testId="chart-distribution"
      title="How the run times spread"
      hint="Share of timed runs per latency range, same ranges for every variant. Further left is faster; a narrow peak means steady timings. The last range (+) also counts every slower run."
      summary={`Distribution of run times. ${summary}`}
      empty={rows.length === 0 ? 'Run times not measured: the benchmark did not run for this run.' : null}
      notes={missing}
    >
      <ResponsiveContainer width="100%" height={CHART_HEIGHT_PX}>
        <AreaChart data={rows} margin={{ top: 8, right: 24, bottom: 24, left: 8 }}>
          <CartesianGrid vertical={false} stroke={ink.grid} />
          <XAxis
            dataKey="label"
            tick={ink.tick}
            tickLine={false}
            minTickGap={18}
            axisLine={{ stroke: ink.grid }}
            label={{ value: 'latency, ms', position: 'insideBottom', offset: -16, ...ink.axisLabel }}
          />
          <YAxis tick={ink.tick} tickFormatter={(n: number) => formatPercent(n, 0)} width={52} axisLine={false} />
          <Tooltip
            isAnimationActive={false}
            labelFormatter={(_label, payload) => {
              const row = payload?.[0]?.payload as { fromMs: number; toMs: number } | undefined;
              return row === undefined ? '' : `${formatMs(row.fromMs)} – ${formatMs(row.toMs)}`;
            }}
            formatter={(n) => formatPercent(Number(n))}
          />
          <Legend verticalAlign="top" height={32} wrapperStyle={{ fontSize: ink.legendPx, color: ink.tick.fill }} />
          {measured.map(({ v }) => (
            <Area
              key={v.id}
              type="stepAfter"
              dataKey={v.id}
              name={v.label}
              stroke={variantColor(v.id, 'light')}
              strokeWidth={3}
              fill={variantColor(v.id, 'light')}
              fillOpacity={0.16}
              isAnimationActive={false}
            />
          ))}
        </AreaChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}
