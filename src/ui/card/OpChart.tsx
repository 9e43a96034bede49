// Model card operators: op counts as a bar chart (quantizable ops in the accent colour), legend and table.
import { lazy, Suspense } from 'react';
import type { ModelCard } from '../../onnx/summary';
import type { OpDatum } from './OpBars';
import { ACCENT, PLAIN } from './op-colors';

// recharts is most of the UI's weight: load it only once a model card is on screen.
const OpBars = lazy(() => import('./OpBars').then((m) => ({ default: m.OpBars })));

const ROW_PX = 24;

export function OpChart({ card }: { card: ModelCard }) {
  // The card already says which op types the quantizer handles; the UI only colours them.
  const quantizable = new Set(Object.keys(card.quantizable.byOpType));
  const ops: OpDatum[] = Object.entries(card.opTypes)
    .map(([op, count]) => ({ op, count, quantizable: quantizable.has(op) }))
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
        <Suspense fallback={null}>
          <OpBars ops={ops} height={height} labelWidth={labelWidth} />
        </Suspense>
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
