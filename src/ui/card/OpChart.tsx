// Model card operators: horizontal bar chart of op counts (quantizable ops in the accent colour) and a table.
import { Bar, BarChart, Cell, LabelList, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ModelCard } from '../../onnx/summary';

/** Mirrors onnx/summary's QUANTIZABLE_OPS; a copy so the UI bundle never pulls in the ONNX runtime code. */
const QUANTIZABLE = new Set(['Conv', 'ConvTranspose', 'MatMul', 'Gemm']);
const ACCENT = '#4f46e5';
const PLAIN = '#a8b0bf';
const ROW_PX = 24;

export function OpChart({ card }: { card: ModelCard }) {
  const ops = Object.entries(card.opTypes)
    .map(([op, count]) => ({ op, count, quantizable: QUANTIZABLE.has(op) }))
    .sort((a, b) => b.count - a.count || a.op.localeCompare(b.op));
  const labelWidth = Math.min(200, Math.max(60, ...ops.map((o) => o.op.length * 7.2 + 12)));
  const height = ops.length * ROW_PX + 16;

  return (
    <section className="card-section" aria-labelledby="ops-h">
      <div className="section-head">
        <h3 id="ops-h">
          Operators <span className="count-badge">{ops.length} types</span>
        </h3>
        <ul className="legend" aria-label="Legend">
          <li>
            <span className="swatch" style={{ background: ACCENT }} aria-hidden="true" /> quantizable
          </li>
          <li>
            <span className="swatch" style={{ background: PLAIN }} aria-hidden="true" /> other
          </li>
        </ul>
      </div>
      <div className="op-chart" aria-hidden="true" style={{ height }}>
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
      </div>
      <details className="op-table-details">
        <summary>Show as table</summary>
        <table className="data-table compact">
          <thead>
            <tr>
              <th scope="col">Operator</th>
              <th scope="col" className="num">
                Nodes
              </th>
              <th scope="col">Quantizable</th>
            </tr>
          </thead>
          <tbody>
            {ops.map((o) => (
              <tr key={o.op} data-testid="op-row" data-op={o.op} data-count={o.count}>
                <td className="mono">{o.op}</td>
                <td className="num">{o.count}</td>
                <td>{o.quantizable ? 'yes' : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}
