// The recharts horizontal bar chart of operator counts (loaded lazily: recharts is large).
import { Bar, BarChart, Cell, LabelList, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ACCENT, PLAIN } from './op-colors';

export interface OpDatum {
  op: string;
  count: number;
  quantizable: boolean;
}

interface OpBarsProps {
  ops: OpDatum[];
  height: number;
  labelWidth: number;
}

export function OpBars({ ops, height, labelWidth }: OpBarsProps) {
  return (
    <ResponsiveContainer width="100%" height={height}>
      <BarChart data={ops} layout="vertical" margin={{ top: 0, right: 40, bottom: 0, left: 0 }} barCategoryGap={4}>
        <XAxis type="number" hide allowDecimals={false} />
        <YAxis type="category" dataKey="op" width={labelWidth} tickLine={false} axisLine={false} interval={0} tick={{ fontSize: 12, fill: '#374151' }} />
        <Tooltip cursor={{ fill: 'rgba(79, 70, 229, 0.06)' }} formatter={(v) => [v, 'nodes']} isAnimationActive={false} />
        <Bar dataKey="count" radius={[0, 3, 3, 0]} isAnimationActive={false}>
          {ops.map((o) => (
            <Cell key={o.op} fill={o.quantizable ? ACCENT : PLAIN} />
          ))}
          <LabelList dataKey="count" position="right" style={{ fontSize: 12, fill: '#4b5563' }} />
        </Bar>
      </BarChart>
    </ResponsiveContainer>
  );
}
