// Per-layer error of a static INT8 variant, worst first (sortable), the worst 10 with "show all"; for dynamic INT8,
// the SQNR of each int8 weight.
import { useState } from 'react';
import type { Int8Outcome } from '../../state/int8-slice';
import { formatDb, formatInt, formatPercent } from '../format';

type Report = Int8Outcome['report'];
type SortKey = 'local' | 'cumulative' | 'clipped';
const FOLD_AT = 10;

/** Ascending SQNR is worst first; for clipping, the largest share is worst. Infinite SQNR (no error) sorts last. */
function compare(key: SortKey, a: Report['layers'][number], b: Report['layers'][number]): number {
  if (key === 'clipped') return b.clippedShare - a.clippedShare;
  const x = key === 'local' ? a.localSqnrDb : a.cumulativeSqnrDb;
  const y = key === 'local' ? b.localSqnrDb : b.cumulativeSqnrDb;
  if (x === y) return 0;
  if (!Number.isFinite(x) || Number.isNaN(x)) return 1;
  if (!Number.isFinite(y) || Number.isNaN(y)) return -1;
  return x - y;
}

export function Int8Layers({ report }: { report: Report }) {
  const [sort, setSort] = useState<SortKey>('local');
  const [open, setOpen] = useState(false);
  if (report.mode === 'dynamic') return <DynamicWeights report={report} />;
  if (report.layers.length === 0) return null;
  const rows = [...report.layers].sort((a, b) => compare(sort, a, b) || a.tensor.localeCompare(b.tensor));
  const shown = open ? rows : rows.slice(0, FOLD_AT);
  const header = (key: SortKey, text: string, title: string) => (
    <th scope="col" className="num" aria-sort={sort === key ? (key === 'clipped' ? 'descending' : 'ascending') : 'none'} title={title}>
      <button type="button" className="sort-button" data-testid={`int8-sort-${key}`} onClick={() => setSort(key)}>
        {text}
        <span aria-hidden="true">{sort === key ? ' ▲' : ''}</span>
      </button>
    </th>
  );

  return (
    <section className="int8-layers" data-testid="int8-layers" aria-labelledby="int8-layers-h">
      <h4 id="int8-layers-h">
        Error of each layer{' '}
        <span className="muted count-badge">
          {formatInt(report.layers.length)} quantized tensors, worst first · measured on {report.check.inputs >= 4 ? 4 : report.check.inputs} check{' '}
          {report.check.inputs === 1 ? 'sample' : 'samples'}
        </span>
      </h4>
      <p className="muted int8-layers-help">
        SQNR is signal over error in decibels: <b>higher is better</b>, and every 10 dB less means 10 times more error. <b>Own</b>: what this tensor loses to
        8-bit rounding and clipping by itself. <b>Up to here</b>: what it carries in the INT8 model, adding up every layer before it. A tensor with a low own SQNR
        (under about 20 dB) is a candidate to keep in float (Advanced, above). <b>Clipped</b>: share of values outside the calibrated range.
      </p>
      <div className="table-scroll">
        <table className="data-table compact">
          <thead>
            <tr>
              <th scope="col">Tensor</th>
              <th scope="col">Made by (op)</th>
              {header('local', 'Own SQNR', 'SQNR of this tensor against its own 8-bit version; lower is worse')}
              {header('cumulative', 'SQNR up to here', 'SQNR of this tensor in the INT8 model against FP32; lower is worse')}
              {header('clipped', 'Clipped', 'Share of values outside the calibrated range')}
            </tr>
          </thead>
          <tbody>
            {shown.map((l, i) => (
              <tr key={`${i}-${l.tensor}`} data-testid="int8-layer-row">
                <td className="mono int8-tensor">{l.tensor}</td>
                <td>{l.producer === 'input' ? 'model input' : l.producer}</td>
                <td className={`num${l.localSqnrDb < 20 ? ' bad-text' : ''}`}>{formatDb(l.localSqnrDb)}</td>
                <td className="num">{formatDb(l.cumulativeSqnrDb)}</td>
                <td className="num">{l.clippedShare === 0 ? '0%' : l.clippedShare < 0.0001 ? '< 0.01%' : formatPercent(l.clippedShare, 2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.length > FOLD_AT && (
        <button type="button" className="btn btn-ghost btn-small fold-button" data-testid="int8-layers-all" onClick={() => setOpen(!open)}>
          {open ? `Show the worst ${FOLD_AT} only` : `Show all ${formatInt(rows.length)}`}
        </button>
      )}
    </section>
  );
}

function DynamicWeights({ report }: { report: Report }) {
  const [open, setOpen] = useState(false);
  const nodes = report.dynamic?.quantizedNodes ?? [];
  if (nodes.length === 0) return null;
  const rows = [...nodes].sort((a, b) => a.weightSqnrDb - b.weightSqnrDb);
  const shown = open ? rows : rows.slice(0, FOLD_AT);
  return (
    <section className="int8-layers" data-testid="int8-layers" aria-labelledby="int8-weights-h">
      <h4 id="int8-weights-h">
        Error of each int8 weight <span className="muted count-badge">{formatInt(nodes.length)} weights, worst first</span>
      </h4>
      <p className="muted int8-layers-help">Dynamic INT8 quantizes activations while the model runs, so only the weights can be measured ahead: their SQNR against float.</p>
      <div className="table-scroll">
        <table className="data-table compact">
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">Op</th>
              <th scope="col">Weight</th>
              <th scope="col" className="num">
                Weight SQNR
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((n, i) => (
              <tr key={`${i}-${n.name}`} data-testid="int8-layer-row">
                <td className="mono int8-tensor">{n.name}</td>
                <td>{n.opType}</td>
                <td className="mono">[{n.dims.join(', ')}]</td>
                <td className="num">{formatDb(n.weightSqnrDb)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.length > FOLD_AT && (
        <button type="button" className="btn btn-ghost btn-small fold-button" data-testid="int8-layers-all" onClick={() => setOpen(!open)}>
          {open ? `Show the worst ${FOLD_AT} only` : `Show all ${formatInt(rows.length)}`}
        </button>
      )}
    </section>
  );
}
