// Times smaller and times faster than FP32 per variant, grouped by measure, with FP32 as a line at 1x.
import { Bar, BarChart, CartesianGrid, LabelList, Legend, ReferenceLine, ResponsiveContainer, XAxis, YAxis } from 'recharts';
import { formatFactor } from '../../state/report/format';
import type { VariantResult } from '../../state/report/types';
import { niceCeil } from '../bench/chart-scale';
import { CHART_HEIGHT_PX, ChartFigure, chartInk, trimNumber, variantColor } from './chart-kit';

/** One group of bars: `measure`, and per variant id its factor (absent when not measured). */
type FactorRow = Record<string, string | number>;

export function FactorsChart({ variants }: { variants: readonly VariantResult[] }) {
  // FP32 is the line at 1x, not a bar.
  const others = variants.filter((v) => v.id !== 'fp32');
  const withSpeed = others.some((v) => v.speedup !== null);
  const rows: FactorRow[] = [{ measure: 'Smaller (file)', ...Object.fromEntries(others.map((v) => [v.id, v.shrink])) }];
  if (withSpeed) rows.push({ measure: 'Faster (median latency)', ...Object.fromEntries(others.flatMap((v) => (v.speedup === null ? [] : [[v.id, v.speedup]]))) });
  const missing = withSpeed ? others.filter((v) => v.speedup === null).map((v) => `${v.label}: speed-up not measured`) : ['Speed-up not measured: the benchmark did not run'];
  const ink = chartInk('light');
  const max = Math.max(1.2, ...others.map((v) => v.shrink), ...others.map((v) => v.speedup ?? 0));
  const summary = others.map((v) => `${v.label}: ${formatFactor(v.shrink)} smaller${v.speedup === null ? '' : `, ${formatFactor(v.speedup)} as fast`}`).join('; ');
  return (
    <ChartFigure
      testId="chart-factors"
      title="Against FP32"
      hint="Times smaller and times faster than the original. The line is FP32 at 1x: above it is better, below it worse."
      summary={`Size and speed against FP32. ${summary}`}
      empty={others.length === 0 ? 'Only FP32 in this run: nothing to compare it with.' : null}
      notes={missing}
    >
      <ResponsiveContainer width="100%" height={CHART_HEIGHT_PX}>
        <BarChart data={rows} margin={{ top: 28, right: 96, bottom: 8, left: 8 }} barCategoryGap="22%" barGap={8}>
          <CartesianGrid vertical={false} stroke={ink.grid} />
          <XAxis dataKey="measure" tick={ink.tick} tickLine={false} axisLine={{ stroke: ink.grid }} interval={0} />
          <YAxis type="number" domain={[0, niceCeil(max * 1.15)]} tick={ink.tick} tickFormatter={(n: number) => `${trimNumber(n)}x`} width={52} axisLine={false} />
          <Legend verticalAlign="top" height={34} wrapperStyle={{ fontSize: ink.legendPx, color: ink.tick.fill, top: -6 }} />
          {others.map((v) => (
            <Bar key={v.id} dataKey={v.id} name={v.label} fill={variantColor(v.id, 'light')} isAnimationActive={false} maxBarSize={96}>
              <LabelList dataKey={v.id} position="top" offset={6} formatter={(n) => (n === undefined || n === null ? '' : formatFactor(Number(n)))} style={ink.value} />
            </Bar>
          ))}
          <ReferenceLine
            y={1}
            stroke={ink.strong}
            strokeWidth={2}
            strokeDasharray="8 5"
            label={{ value: 'FP32 = 1x', position: 'right', fill: ink.strong, fontSize: ink.value.fontSize, fontWeight: 600 }}
          />
        </BarChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}
