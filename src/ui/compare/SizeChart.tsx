// File size per variant, grouped: the .onnx file and its gzip (what a web server sends).
import { Bar, BarChart, CartesianGrid, LabelList, Legend, ResponsiveContainer, XAxis, YAxis } from 'recharts';
import { formatBytes } from '../../state/report/format';
import type { VariantResult } from '../../state/report/types';
import { niceCeil } from '../bench/chart-scale';
import { CHART_HEIGHT_PX, ChartFigure, chartInk, variantColor } from './chart-kit';

/** One group of bars: `measure`, and per variant id its bytes (absent when not measured). */
type SizeRow = Record<string, string | number>;

export function SizeChart({ variants }: { variants: readonly VariantResult[] }) {
  const withGzip = variants.some((v) => v.gzipBytes !== null);
  const rows: SizeRow[] = [{ measure: 'File (.onnx)', ...Object.fromEntries(variants.map((v) => [v.id, v.sizeBytes])) }];
  if (withGzip) rows.push({ measure: 'gzip (sent by a server)', ...Object.fromEntries(variants.flatMap((v) => (v.gzipBytes === null ? [] : [[v.id, v.gzipBytes]]))) });
  const missing = withGzip ? variants.filter((v) => v.gzipBytes === null).map((v) => `${v.label}: gzip not measured`) : ['gzip not measured for this run'];
  const ink = chartInk('light');
  const top = niceCeil(Math.max(...variants.map((v) => v.sizeBytes)) * 1.15);
  const summary = variants.map((v) => `${v.label}: ${formatBytes(v.sizeBytes)}${v.gzipBytes === null ? '' : `, gzip ${formatBytes(v.gzipBytes)}`}`).join('; ');
  return (
    <ChartFigure
      testId="chart-size"
      title="File size"
      hint="Left group: the .onnx file as stored and downloaded. Right group: gzip, what a web server usually sends. Shorter is smaller."
      summary={`File size. ${summary}`}
      empty={variants.length === 0 ? 'No variants in this run.' : null}
      notes={missing}
    >
      <ResponsiveContainer width="100%" height={CHART_HEIGHT_PX}>
        <BarChart data={rows} margin={{ top: 28, right: 16, bottom: 8, left: 8 }} barCategoryGap="18%" barGap={6}>
          <CartesianGrid vertical={false} stroke={ink.grid} />
          <XAxis dataKey="measure" tick={ink.tick} tickLine={false} axisLine={{ stroke: ink.grid }} interval={0} />
          <YAxis type="number" domain={[0, top]} tick={ink.tick} tickFormatter={(n: number) => (n === 0 ? '0' : formatBytes(n))} width={84} axisLine={false} />
          <Legend verticalAlign="top" height={34} wrapperStyle={{ fontSize: ink.legendPx, color: ink.tick.fill, top: -6 }} />
          {variants.map((v) => (
            <Bar key={v.id} dataKey={v.id} name={v.label} fill={variantColor(v.id, 'light')} isAnimationActive={false} maxBarSize={96}>
              <LabelList dataKey={v.id} position="top" offset={6} formatter={(n) => (n === undefined || n === null ? '' : formatBytes(Number(n)))} style={ink.value} />
            </Bar>
          ))}
        </BarChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}
