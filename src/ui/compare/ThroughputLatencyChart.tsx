// Scatter of median latency against throughput: one labelled point per variant plus its batch sweep when present.
import { CartesianGrid, LabelList, Legend, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, type ScatterShapeProps } from 'recharts';
import { formatFps, formatMs } from '../../state/report/format';
import type { VariantResult } from '../../state/report/types';
import { niceCeil } from '../bench/chart-scale';
import { CHART_HEIGHT_PX, ChartFigure, chartInk, trimNumber, variantColor } from './chart-kit';

interface Point {
  latencyMs: number;
  perSecond: number;
  /** The label written next to the point. */
  name: string;
  /** Tooltip heading. */
  title: string;
}

export function ThroughputLatencyChart({ variants }: { variants: readonly VariantResult[] }) {
  const measured = variants.flatMap((v) => (v.speed === null ? [] : [{ v, speed: v.speed }]));
  const missing = variants.filter((v) => v.speed === null).map((v) => `${v.label}: speed not measured`);
  const series = measured.map(({ v, speed }) => ({
    v,
    color: variantColor(v.id, 'light'),
    main: [{ latencyMs: speed.p50Ms, perSecond: speed.fps, name: v.label, title: `${v.label}, one at a time` }] as Point[],
    sweep: speed.sweep.map((p) => ({ latencyMs: p.p50Ms, perSecond: p.throughput, name: `b${p.batch}`, title: `${v.label}, batch ${p.batch}` })) as Point[],
  }));
  // Neighbours in latency take turns above and below their dot, so close variants do not write over each other.
  const labelSide = new Map([...series].sort((a, b) => (a.main[0]?.latencyMs ?? 0) - (b.main[0]?.latencyMs ?? 0)).map((s, i) => [s.v.id, i % 2 === 0 ? 'top' : 'bottom'] as const));
  const swept = series.some((s) => s.sweep.length > 0);
  const all = series.flatMap((s) => [...s.main, ...s.sweep]);
  const ink = chartInk('light');
  const xTop = niceCeil(Math.max(...all.map((p) => p.latencyMs)) * 1.2);
  const yTop = niceCeil(Math.max(...all.map((p) => p.perSecond)) * 1.2);
  const summary = series
    .map((s) => `${s.v.label}: ${formatFps(s.main[0]?.perSecond ?? 0)} per second at ${formatMs(s.main[0]?.latencyMs ?? 0)}${s.sweep.length > 0 ? `; batches ${s.sweep.map((p) => `${p.name} ${formatFps(p.perSecond)} per second at ${formatMs(p.latencyMs)}`).join(', ')}` : ''}`)
    .join('. ');
  return (
    <ChartFigure
      testId="chart-throughput"
      title="Throughput against latency"
      hint={
        swept
          ? 'Big dots: one inference at a time. Small dots on a line: larger batches (b = inputs per run). Up is more per second, left is a shorter wait: up-left is best.'
          : 'One dot per variant: up is more inferences per second, left is a shorter wait per inference. Up-left is best.'
      }
      summary={`Throughput against latency. ${summary}`}
      empty={series.length === 0 ? 'Speed not measured: the benchmark did not run for this run.' : null}
      notes={missing}
    >
      <ResponsiveContainer width="100%" height={CHART_HEIGHT_PX}>
        <ScatterChart margin={{ top: 24, right: 40, bottom: 24, left: 8 }}>
          <CartesianGrid stroke={ink.grid} />
          <XAxis
            type="number"
            dataKey="latencyMs"
            name="Median latency"
            domain={[0, xTop]}
            tick={ink.tick}
            tickFormatter={(n: number) => trimNumber(n)}
            axisLine={{ stroke: ink.grid }}
            label={{ value: 'median latency, ms', position: 'insideBottom', offset: -16, ...ink.axisLabel }}
          />
          <YAxis
            type="number"
            dataKey="perSecond"
            name="Throughput"
            domain={[0, yTop]}
            tick={ink.tick}
            tickFormatter={(n: number) => trimNumber(n)}
            width={60}
            axisLine={false}
            label={{ value: 'per second', angle: -90, position: 'insideLeft', offset: 6, dy: 40, ...ink.axisLabel }}
          />
          <Tooltip
            isAnimationActive={false}
            cursor={{ strokeDasharray: '4 4' }}
            content={({ active, payload }) => {
              const p = active ? (payload?.[0]?.payload as Point | undefined) : undefined;
              if (p === undefined) return null;
              return (
                <div className="chart-tooltip compare-tooltip">
                  <strong>{p.title}</strong>
                  <span>{formatFps(p.perSecond)} per second</span>
                  <span>median {formatMs(p.latencyMs)} per run</span>
                </div>
              );
            }}
          />
          {swept && <Legend verticalAlign="top" height={32} wrapperStyle={{ fontSize: ink.legendPx, color: ink.tick.fill }} />}
          {series.map((s) =>
            s.sweep.length === 0 ? null : (
              <Scatter
                key={`${s.v.id}-sweep`}
                name={`${s.v.label} batches`}
                data={s.sweep}
                fill={s.color}
                line={{ stroke: s.color, strokeWidth: 2 }}
                isAnimationActive={false}
                shape={(p: ScatterShapeProps) => <circle cx={p.cx} cy={p.cy} r={5} fill={s.color} />}
              >
                <LabelList dataKey="name" position="bottom" offset={8} style={{ fontSize: ink.tick.fontSize, fill: ink.tick.fill }} />
              </Scatter>
            ),
          )}
          {series.map((s) => (
            <Scatter
              key={s.v.id}
              name={s.v.label}
              data={s.main}
              fill={s.color}
              isAnimationActive={false}
              shape={(p: ScatterShapeProps) => <circle cx={p.cx} cy={p.cy} r={10} fill={s.color} stroke="#ffffff" strokeWidth={2} />}
            >
              <LabelList dataKey="name" position={labelSide.get(s.v.id) ?? 'top'} offset={14} style={ink.value} />
            </Scatter>
          ))}
        </ScatterChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}
