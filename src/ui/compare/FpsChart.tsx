// Inferences per second per variant as labelled bars; FpsBars alone is reused large and dark by the presentation.
import { Bar, BarChart, CartesianGrid, Cell, LabelList, ResponsiveContainer, XAxis, YAxis } from 'recharts';
import { formatFps } from '../../state/report/format';
import type { VariantResult } from '../../state/report/types';
import { niceCeil } from '../bench/chart-scale';
import { CHART_HEIGHT_PX, ChartFigure, chartInk, trimNumber, variantColor, type ChartTheme } from './chart-kit';

interface FpsDatum {
  label: string;
  fps: number;
  color: string;
}

function fpsData(variants: readonly VariantResult[], theme: ChartTheme): FpsDatum[] {
  return variants.flatMap((v) => (v.speed === null ? [] : [{ label: v.label, fps: v.speed.fps, color: variantColor(v.id, theme) }]));
}

export interface FpsBarsProps {
  variants: readonly VariantResult[];
  theme?: ChartTheme;
  /** Pixels, or '100%' to fill a parent of definite height (the presentation). */
  height?: number | '100%';
  /** Font scale (1 = dashboard). */
  scale?: number;
}

export function FpsBars({ variants, theme = 'light', height = CHART_HEIGHT_PX, scale = 1 }: FpsBarsProps) {
  const data = fpsData(variants, theme);
  const ink = chartInk(theme, scale);
  // Head-room above the tallest bar for its value label.
  const top = niceCeil(Math.max(...data.map((d) => d.fps)) * 1.15);
  return (
    <ResponsiveContainer width="100%" height={height}>
      <BarChart data={data} margin={{ top: 12 + 14 * scale, right: 16, bottom: 8, left: 8 }} barCategoryGap="28%">
        <CartesianGrid vertical={false} stroke={ink.grid} />
        <XAxis dataKey="label" tick={ink.tick} tickLine={false} axisLine={{ stroke: ink.grid }} interval={0} />
        <YAxis
          type="number"
          domain={[0, top]}
          tick={ink.tick}
          tickFormatter={(n: number) => trimNumber(n)}
          width={56 * scale}
          axisLine={false}
          label={{ value: 'inferences / s', angle: -90, position: 'insideLeft', offset: 6, dy: 50 * scale, ...ink.axisLabel }}
        />
        <Bar dataKey="fps" isAnimationActive={false} maxBarSize={120}>
          {data.map((d) => (
            <Cell key={d.label} fill={d.color} />
          ))}
          <LabelList dataKey="fps" position="top" offset={8} formatter={(n) => formatFps(Number(n))} style={ink.value} />
        </Bar>
      </BarChart>
    </ResponsiveContainer>
  );
}

export function FpsChart({ variants }: { variants: readonly VariantResult[] }) {
  const measured = variants.filter((v) => v.speed !== null);
  const missing = variants.filter((v) => v.speed === null).map((v) => `${v.label}: speed not measured`);
  const summary = measured.map((v) => `${v.label}: ${formatFps(v.speed?.fps ?? 0)} inferences per second`).join('; ');
  return (
    <ChartFigure
      testId="chart-fps"
      title="Throughput"
      hint="Inferences per second, one at a time (1000 ÷ median latency). Taller is faster."
      summary={`Throughput. ${summary}`}
      empty={measured.length === 0 ? 'Speed not measured: the benchmark did not run for this run.' : null}
      notes={missing}
    >
      <FpsBars variants={measured} />
    </ChartFigure>
  );
}
