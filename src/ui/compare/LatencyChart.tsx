// Latency per variant: median (p50) bar with its value and a whisker to p90 (short cap) and p99 (long cap).
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis, type BarShapeProps } from 'recharts';
import { formatMs } from '../../state/report/format';
import type { VariantResult } from '../../state/report/types';
import { niceCeil } from '../bench/chart-scale';
import { CHART_HEIGHT_PX, ChartFigure, chartInk, trimNumber, variantColor, type ChartInk } from './chart-kit';

interface LatencyDatum {
  label: string;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  color: string;
}

/**
 * Top of the axis: p99 when the tails are short; else 2.5 × the largest p90, with longer whiskers cut and labelled,
 * as one slow run (a garbage collection, a timer tick) would otherwise flatten every bar.
 */
function axisTopMs(data: readonly LatencyDatum[]): number {
  const p90 = Math.max(...data.map((d) => d.p90Ms));
  const p99 = Math.max(...data.map((d) => d.p99Ms));
  return niceCeil(p99 <= 2.5 * p90 ? p99 * 1.12 : p90 * 2.5);
}

export function LatencyChart({ variants }: { variants: readonly VariantResult[] }) {
  const data: LatencyDatum[] = variants.flatMap((v) =>
    v.speed === null ? [] : [{ label: v.label, p50Ms: v.speed.p50Ms, p90Ms: v.speed.p90Ms, p99Ms: v.speed.p99Ms, color: variantColor(v.id, 'light') }],
  );
  const missing = variants.filter((v) => v.speed === null).map((v) => `${v.label}: speed not measured`);
  const ink = chartInk('light');
  const top = data.length > 0 ? axisTopMs(data) : 1;
  const summary = data.map((d) => `${d.label}: median ${formatMs(d.p50Ms)}, p90 ${formatMs(d.p90Ms)}, p99 ${formatMs(d.p99Ms)}`).join('; ');
  return (
    <ChartFigure
      testId="chart-latency"
      title="Latency per inference"
      hint="Bar and number: median (p50). Whisker: up to p90 (short cap) and p99 (long cap); an arrow means p99 is off the chart. Shorter is faster."
      summary={`Latency per inference. ${summary}`}
      empty={data.length === 0 ? 'Latency not measured: the benchmark did not run for this run.' : null}
      notes={missing}
    >
      <ResponsiveContainer width="100%" height={CHART_HEIGHT_PX}>
        <BarChart data={data} margin={{ top: 24, right: 16, bottom: 8, left: 8 }} barCategoryGap="30%">
          <CartesianGrid vertical={false} stroke={ink.grid} />
          <XAxis dataKey="label" tick={ink.tick} tickLine={false} axisLine={{ stroke: ink.grid }} interval={0} />
          <YAxis
            type="number"
            domain={[0, top]}
            allowDataOverflow
            tick={ink.tick}
            tickFormatter={(n: number) => trimNumber(n)}
            width={56}
            axisLine={false}
            label={{ value: 'ms', position: 'insideTopLeft', offset: 0, dy: -22, ...ink.axisLabel }}
          />
          <Tooltip
            isAnimationActive={false}
            cursor={{ fill: 'rgba(79, 70, 229, 0.06)' }}
            content={({ active, payload }) => {
              const d = active ? (payload?.[0]?.payload as LatencyDatum | undefined) : undefined;
              if (d === undefined) return null;
              return (
                <div className="chart-tooltip compare-tooltip">
                  <strong>{d.label}</strong>
                  <span>median {formatMs(d.p50Ms)}</span>
                  <span>p90 {formatMs(d.p90Ms)}</span>
                  <span>p99 {formatMs(d.p99Ms)}</span>
                </div>
              );
            }}
          />
          <Bar dataKey="p50Ms" isAnimationActive={false} maxBarSize={110} shape={(props: BarShapeProps) => <WhiskerBar {...props} topMs={top} ink={ink} />} />
        </BarChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}

/**
 * The median bar with its value, and the whisker to p90 and p99 (an arrow and the value when p99 is off the axis).
 * A custom shape because recharts' ErrorBar draws one range per bar, not two percentiles with their own caps.
 */
function WhiskerBar(props: BarShapeProps & { topMs: number; ink: ChartInk }) {
  const { x, y, width, height, topMs, ink } = props;
  const d = props.payload as LatencyDatum | undefined;
  if (d === undefined || !(d.p50Ms > 0) || !(height > 0)) return null;
  // The bar spans 0..p50 on a linear axis, so its own height gives the scale.
  const pxPerMs = height / d.p50Ms;
  const yOf = (ms: number): number => y + height - ms * pxPerMs;
  const cx = x + width / 2;
  const yTop = yOf(topMs);
  const off = d.p99Ms > topMs;
  const y99 = off ? yTop : yOf(d.p99Ms);
  const y90 = yOf(d.p90Ms);
  const whisker = { stroke: ink.strong, strokeWidth: 2 };
  const small = { fontSize: ink.tick.fontSize, fill: ink.tick.fill };
  // The value sits inside the bar when it fits (white on the variant colour), else just left of the whisker above it.
  const inside = height >= 30;
  return (
    <g>
      <rect x={x} y={y} width={width} height={height} fill={d.color} rx={3} />
      <line x1={cx} x2={cx} y1={y} y2={y99} {...whisker} />
      <line x1={cx - 7} x2={cx + 7} y1={y90} y2={y90} {...whisker} />
      {off ? <path d={`M${cx - 7},${yTop + 9} L${cx},${yTop} L${cx + 7},${yTop + 9} Z`} fill={ink.strong} /> : <line x1={cx - 13} x2={cx + 13} y1={y99} y2={y99} {...whisker} />}
      <text x={cx + 16} y={y90} dy={5} {...small}>
        p90
      </text>
      <text x={cx + 16} y={y99} dy={off ? 16 : 5} {...small}>
        {off ? `p99 ${formatMs(d.p99Ms)} ↑` : 'p99'}
      </text>
      <text
        x={inside ? cx : cx - 6}
        y={inside ? y + 22 : y - 6}
        textAnchor={inside ? 'middle' : 'end'}
        fontSize={ink.value.fontSize}
        fontWeight={ink.value.fontWeight}
        fill={inside ? '#ffffff' : ink.value.fill}
      >
        {formatMs(d.p50Ms)}
      </text>
    </g>
  );
}
