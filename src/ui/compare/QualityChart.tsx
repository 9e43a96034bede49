// Top-1 accuracy per variant when the dataset has labels, else agreement with FP32, as labelled bars on 0–100 %.
import { Bar, BarChart, CartesianGrid, Cell, LabelList, ResponsiveContainer, XAxis, YAxis } from 'recharts';
import { formatPercent } from '../../state/report/format';
import type { VariantResult } from '../../state/report/types';
import { CHART_HEIGHT_PX, ChartFigure, chartInk, variantColor } from './chart-kit';

interface QualityDatum {
  label: string;
  share: number;
  color: string;
}

export function QualityChart({ variants }: { variants: readonly VariantResult[] }) {
  const byTop1 = variants.some((v) => v.quality !== null && v.quality.top1 !== null);
  const valueOf = (v: VariantResult): number | null => (v.quality === null ? null : byTop1 ? v.quality.top1 : v.quality.agreement);
  const data: QualityDatum[] = variants.flatMap((v) => {
    const share = valueOf(v);
    return share === null ? [] : [{ label: v.label, share, color: variantColor(v.id, 'light') }];
  });
  const missing = variants.filter((v) => valueOf(v) === null).map((v) => `${v.label}: not measured`);
  const sources = variants.flatMap((v) => (v.quality === null ? [] : [v.quality]));
  const samples = Math.max(0, ...sources.map((q) => q.samples));
  const onChecks = sources.length > 0 && sources.every((q) => q.source === 'check');
  const basis = onChecks ? `${samples} check inputs (no dataset), compared with FP32` : `${samples} samples of your dataset`;
  const ink = chartInk('light');
  const metric = byTop1 ? 'Top-1 accuracy' : 'Agreement with FP32';
  return (
    <ChartFigure
      testId="chart-quality"
      title={metric}
      hint={
        byTop1
          ? `Share of ${basis} whose top-1 class matches the label. Taller is better; the numbers carry the small differences.`
          : `Share of ${basis} where the variant picks the same top-1 class as FP32 (FP32 itself is 100%). Taller is closer to the original.`
      }
      summary={`${metric}. ${data.map((d) => `${d.label}: ${formatPercent(d.share)}`).join('; ')}`}
      empty={data.length === 0 ? 'Accuracy not measured: no dataset evaluation or check gave a top-1 class for this run.' : null}
      notes={missing}
    >
      <ResponsiveContainer width="100%" height={CHART_HEIGHT_PX}>
        <BarChart data={data} margin={{ top: 28, right: 16, bottom: 8, left: 8 }} barCategoryGap="28%">
          <CartesianGrid vertical={false} stroke={ink.grid} />
          <XAxis dataKey="label" tick={ink.tick} tickLine={false} axisLine={{ stroke: ink.grid }} interval={0} />
          {/* The full 0–100 % axis: a cut axis would make a 0.3-point drop look like a collapse; the labels carry the digits. */}
          <YAxis type="number" domain={[0, 1]} ticks={[0, 0.25, 0.5, 0.75, 1]} tick={ink.tick} tickFormatter={(n: number) => formatPercent(n, 0)} width={56} axisLine={false} />
          <Bar dataKey="share" isAnimationActive={false} maxBarSize={120}>
            {data.map((d) => (
              <Cell key={d.label} fill={d.color} />
            ))}
            <LabelList dataKey="share" position="top" offset={8} formatter={(n) => formatPercent(Number(n))} style={ink.value} />
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}
