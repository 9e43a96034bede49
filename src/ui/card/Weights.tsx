// Model card weights: bytes by element type, the total, and the external-data files the weights live in.
import type { ModelCard } from '../../onnx/summary';
import { formatBytes, formatCompact, formatInt } from '../format';

export function Weights({ card }: { card: ModelCard }) {
  const total = card.weightBytes;
  return (
    <section className="card-section" aria-labelledby="weights-h">
      <h3 id="weights-h">Weights</h3>
      {card.bytesByDtype.length === 0 ? (
        <p className="muted">This model has no stored weights.</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col" className="num">
                  Tensors
                </th>
                <th scope="col" className="num">
                  Elements
                </th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col" className="share-col">
                  <span className="visually-hidden">Share</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {card.bytesByDtype.map((d) => (
                <tr key={d.dtype} data-testid="dtype-row" data-dtype={d.dtype} data-bytes={d.bytes} data-elements={d.elements}>
                  <td className="mono">{d.dtype}</td>
                  <td className="num">{formatInt(d.tensors)}</td>
                  <td className="num" title={formatInt(d.elements)}>
                    {formatCompact(d.elements)}
                  </td>
                  <td className="num" title={`${formatInt(d.bytes)} bytes`}>
                    {formatBytes(d.bytes)}
                  </td>
                  <td className="share-col">
                    <span className="share-bar" aria-hidden="true">
                      <span style={{ width: `${total > 0 ? (d.bytes / total) * 100 : 0}%` }} />
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={3}>
                  Total
                </th>
                <td className="num" data-testid="card-weight-bytes" data-bytes={total} title={`${formatInt(total)} bytes`}>
                  {formatBytes(total)}
                </td>
                <td className="share-col" />
              </tr>
            </tfoot>
          </table>
        </div>
      )}
      {card.externalData.length > 0 && (
        <div className="external">
          <h4>External weight files</h4>
          <ul className="plain-list">
            {card.externalData.map((e) => (
              <li key={e.location} data-testid="card-external" data-location={e.location}>
                <span className="mono">{e.location}</span> <span className="muted">· {formatBytes(e.bytes)}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
