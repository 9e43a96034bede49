// The recharts horizontal bars of the accuracy search's ranking: each layer's share of the output error, layers kept
// in float in their own colour, with the legend (loaded lazily: recharts is large).
import { formatShare } from '../format';
import { Bar, BarChart, Cell, LabelList, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

/** INT8 layers in the accent, layers kept in float in amber. */
const INT8_COLOUR = '#4f46e5';
const FLOAT_COLOUR = '#d97706';

export interface SensitivityDatum {
  name: string;
  /** Share of the output error, percent. */
  sharePercent: number;
  inFloat: boolean;
}

interface Int8SensitivityBarsProps {
  layers: SensitivityDatum[];
  height: number;
  labelWidth: number;
}

export function Int8SensitivityBars({ layers, height, labelWidth }: Int8SensitivityBarsProps) {
  return (
    <>
      <ul className="legend acc-legend" aria-label="Legend">
        <li>
          <span className="swatch" style={{ background: FLOAT_COLOUR }} aria-hidden="true" /> kept in float
        </li>
        <li>
          <span className="swatch" style={{ background: INT8_COLOUR }} aria-hidden="true" /> INT8
        </li>
      </ul>
      <ResponsiveContainer width="100%" height={height}>
        <BarChart data={layers} layout="vertical" margin={{ top: 0, right: 56, bottom: 0, left: 0 }} barCategoryGap={4}>
          <XAxis type="number" hide domain={[0, 'dataMax']} />
          <YAxis type="category" dataKey="name" width={labelWidth} tickLine={false} axisLine={false} interval={0} tick={{ fontSize: 13, fill: '#374151' }} />
          <Tooltip
            cursor={{ fill: 'rgba(79, 70, 229, 0.06)' }}
            formatter={(v, _name, item) => [`${formatShare(Number(v) / 100)}${(item.payload as SensitivityDatum).inFloat ? ' (kept in float)' : ' (INT8)'}`, 'Share of the error']}
            isAnimationActive={false}
          />
          <Bar dataKey="sharePercent" radius={[0, 3, 3, 0]} isAnimationActive={false}>
            {layers.map((l) => (
              <Cell key={l.name} fill={l.inFloat ? FLOAT_COLOUR : INT8_COLOUR} />
            ))}
            <LabelList dataKey="sharePercent" position="right" formatter={(v) => formatShare(Number(v) / 100)} style={{ fontSize: 13, fill: '#374151' }} />
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </>
  );
}
