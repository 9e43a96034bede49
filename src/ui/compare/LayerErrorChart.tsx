// INT8's per-layer SQNR against FP32 in graph order, the layers that add the most error ranked and named.
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis, type BarShapeProps } from 'recharts';
import { formatDb, formatPercent } from '../../state/report/format';
import type { LayerErrorRow } from '../../state/report/types';
import { niceCeil } from '../bench/chart-scale';
import { CHART_HEIGHT_PX, ChartFigure, chartInk, trimNumber, type ChartInk } from './chart-kit';

/** At most this many layers are named as the worst (a third of the layers for small models). */
const WORST_MAX = 5;
const BAR_COLOR = '#64748b';
const WORST_COLOR = '#b42318';

interface LayerDatum {
  /** 1-based position in graph order. */
  index: number;
  row: LayerErrorRow;
  /** Plotted height, dB: an exact (infinite) SQNR is drawn at the axis top. */
  plotDb: number;
  /** 1 = adds the most error; 0 = not among the worst. */
  rank: number;
}

/** The layers with the lowest local SQNR (their own quantization loses the most), as indexes into `layers`. */
export function worstLayers(layers: readonly LayerErrorRow[]): number[] {
  const count = Math.min(WORST_MAX, Math.max(1, Math.floor(layers.length / 3)));
  return layers
    .map((l, i) => ({ i, db: Number.isFinite(l.localSqnrDb) ? l.localSqnrDb : Infinity }))
    .filter((x) => x.db !== Infinity)
    .sort((a, b) => a.db - b.db)
    .slice(0, count)
    .map((x) => x.i);
}

export function LayerErrorChart({ layers, hasInt8 }: { layers: readonly LayerErrorRow[]; hasInt8: boolean }) {
  const finite = layers.map((l) => l.cumulativeSqnrDb).filter((db) => Number.isFinite(db));
  const top = niceCeil(Math.max(10, ...finite) * 1.1);
  const worst = worstLayers(layers);
  const data: LayerDatum[] = layers.map((row, i) => ({
    index: i + 1,
    row,
    plotDb: Number.isFinite(row.cumulativeSqnrDb) ? Math.max(0, row.cumulativeSqnrDb) : top,
    rank: worst.indexOf(i) + 1,
  }));
  const ranked = worst.flatMap((i) => (data[i] === undefined ? [] : [data[i]]));
  const ink = chartInk('light');
  const empty = !hasInt8 ? 'No INT8 variant in this run, so there is no per-layer error to show.' : layers.length === 0 ? 'Per-layer error not measured for this INT8 variant.' : null;
  const summary = `INT8 SQNR of ${layers.length} layers in graph order, from ${formatDb(layers[0]?.cumulativeSqnrDb ?? null)} to ${formatDb(layers.at(-1)?.cumulativeSqnrDb ?? null)}. Worst: ${ranked
    .map((d) => `${d.row.tensor} (${formatDb(d.row.localSqnrDb)} on its own)`)
    .join(', ')}`;
  return (
    <ChartFigure
      testId="chart-layers"
      title="INT8 error layer by layer"
      hint="Bar: how close each layer's output is to FP32, with everything before it, in graph order (SQNR, dB; higher is closer, each 10 dB is 10× less noise). Red, numbered: the layers whose own rounding loses the most."
      summary={summary}
      empty={empty}
    >
      <ResponsiveContainer width="100%" height={CHART_HEIGHT_PX}>
        <BarChart data={data} margin={{ top: 26, right: 16, bottom: 24, left: 8 }} barCategoryGap={layers.length > 60 ? 0 : '12%'}>
          <CartesianGrid vertical={false} stroke={ink.grid} />
          <XAxis
            dataKey="index"
            tick={ink.tick}
            tickLine={false}
            minTickGap={14}
            interval="preserveStartEnd"
            axisLine={{ stroke: ink.grid }}
            label={{ value: 'layer, in graph order', position: 'insideBottom', offset: -16, ...ink.axisLabel }}
          />
          <YAxis
            type="number"
            domain={[0, top]}
            allowDataOverflow
            tick={ink.tick}
            tickFormatter={(n: number) => trimNumber(n)}
            width={52}
            axisLine={false}
            label={{ value: 'dB', position: 'insideTopLeft', offset: 0, dy: -22, ...ink.axisLabel }}
          />
          <Tooltip
            isAnimationActive={false}
            cursor={{ fill: 'rgba(180, 35, 24, 0.08)' }}
            content={({ active, payload }) => {
              const d = active ? (payload?.[0]?.payload as LayerDatum | undefined) : undefined;
              if (d === undefined) return null;
              return (
                <div className="chart-tooltip compare-tooltip">
                  <strong>
                    {d.index}. {d.row.tensor}
                  </strong>
                  <span>made by {d.row.producer}</span>
                  <span>{formatDb(d.row.cumulativeSqnrDb)} against FP32</span>
                  <span>{formatDb(d.row.localSqnrDb)} from its own rounding</span>
                  <span>{formatPercent(d.row.clippedShare)} of values clipped</span>
                </div>
              );
            }}
          />
          <Bar dataKey="plotDb" isAnimationActive={false} shape={(props: BarShapeProps) => <LayerBar {...props} ink={ink} />} />
        </BarChart>
      </ResponsiveContainer>
      {ranked.length > 0 && (
        <ol className="compare-worst" data-testid="worst-layers" aria-label="Layers that add the most error">
          {ranked.map((d) => (
            <li key={d.index}>
              <span className="compare-worst-rank" aria-hidden="true">
                {d.rank}
              </span>
              <span className="compare-worst-name mono">{d.row.tensor}</span>
              <span className="compare-worst-facts">
                layer {d.index} ({d.row.producer}): {formatDb(d.row.localSqnrDb)} on its own, {formatDb(d.row.cumulativeSqnrDb)} against FP32
              </span>
            </li>
          ))}
        </ol>
      )}
    </ChartFigure>
  );
}

/** A layer's bar; the worst ones red with their rank above, so colour is not the only cue. */
function LayerBar(props: BarShapeProps & { ink: ChartInk }) {
  const { x, y, width, height, ink } = props;
  const d = props.payload as LayerDatum | undefined;
  if (d === undefined || !(height >= 0)) return null;
  const worst = d.rank > 0;
  return (
    <g>
      <rect x={x} y={y} width={Math.max(1, width)} height={height} fill={worst ? WORST_COLOR : BAR_COLOR} />
      {worst && (
        <text x={x + width / 2} y={y - 7} textAnchor="middle" fontSize={ink.value.fontSize} fontWeight={700} fill={WORST_COLOR}>
          {d.rank}
        </text>
      )}
    </g>
  );
}
