// Model card quantization: already-quantized status pill, and which nodes the quantizer could make integer.
import type { ModelCard } from '../../onnx/summary';
import { formatInt } from '../format';

export function Quantization({ card }: { card: ModelCard }) {
  const { quantization: q, quantizable } = card;
  const byOp = Object.entries(quantizable.byOpType).sort((a, b) => b[1] - a[1]);
  return (
    <section className="card-section" aria-labelledby="quant-h" data-testid="card-quantized" data-quantized={String(q.quantized)}>
      <h3 id="quant-h">Quantization</h3>
      <p>
        <span className={q.quantized ? 'pill pill-amber' : 'pill pill-green'}>{q.quantized ? 'Already quantized' : 'Not quantized — ready to optimize'}</span>
      </p>
      <p className="quant-message">{q.message}</p>

      <div className="quantizable">
        <p>
          <strong data-testid="card-quantizable-count" data-value={quantizable.count}>
            {formatInt(quantizable.count)}
          </strong>{' '}
          {quantizable.count === 1 ? 'node' : 'nodes'} {q.quantized ? 'of quantizable types (Conv, ConvTranspose, MatMul, Gemm)' : 'the quantizer can make integer'}
          {byOp.length > 0 && ':'}
        </p>
        {byOp.length > 0 && (
          <ul className="chip-list">
            {byOp.map(([op, n]) => (
              <li key={op} className="chip chip-accent" data-testid="card-quantizable-op" data-op={op} data-count={n}>
                {op} <b>{n}</b>
              </li>
            ))}
          </ul>
        )}
        {quantizable.count === 0 && <p className="muted">It has no Conv, ConvTranspose, MatMul or Gemm nodes, so INT8 quantization would change little.</p>}
        {quantizable.nodes.length > 0 && (
          <details className="node-list">
            <summary>Show node names</summary>
            <ol>
              {quantizable.nodes.map((n, i) => (
                <li key={`${n.name}-${i}`}>
                  <span className="mono">{n.name}</span> <span className="muted">{n.opType}</span>
                </li>
              ))}
            </ol>
            {quantizable.nodes.length < quantizable.count && (
              <p className="muted">
                First {formatInt(quantizable.nodes.length)} of {formatInt(quantizable.count)} shown.
              </p>
            )}
          </details>
        )}
      </div>
    </section>
  );
}
