// Model card inputs and outputs: one row per tensor with dtype and shape (symbolic dims styled apart).
import type { ModelCard, TensorIO } from '../../onnx/summary';

export function IoTables({ card }: { card: ModelCard }) {
  return (
    <section className="card-section" aria-labelledby="io-h">
      <h3 id="io-h">Inputs &amp; outputs</h3>
      <div className="table-scroll">
        <table className="data-table io-table">
          <thead>
            <tr>
              <th scope="col" className="io-kind-col">
                <span className="visually-hidden">Kind</span>
              </th>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Shape</th>
            </tr>
          </thead>
          <tbody>
            {card.inputs.map((t) => (
              <IoRow key={`in-${t.name}`} tensor={t} kind="input" />
            ))}
            {card.outputs.map((t) => (
              <IoRow key={`out-${t.name}`} tensor={t} kind="output" />
            ))}
          </tbody>
        </table>
      </div>
      {card.inputs.some((t) => t.shape?.some((d) => typeof d !== 'number')) && (
        <p className="footnote">
          <span className="dim-sym">Named</span> dimensions (like a batch size) are chosen when the model runs;{' '}
          <span className="dim-unknown">?</span> means the model does not declare the size.
        </p>
      )}
    </section>
  );
}

function IoRow({ tensor, kind }: { tensor: TensorIO; kind: 'input' | 'output' }) {
  return (
    <tr data-testid={`io-${kind}`} data-name={tensor.name} data-dtype={tensor.dtype} data-shape={JSON.stringify(tensor.shape)}>
      <td>
        <span className={`io-kind io-kind-${kind}`}>{kind === 'input' ? 'in' : 'out'}</span>
      </td>
      <td className="mono io-name">{tensor.name}</td>
      <td className="mono">{tensor.dtype}</td>
      <td className="mono">
        <Shape shape={tensor.shape} />
      </td>
    </tr>
  );
}

export function Shape({ shape }: { shape: TensorIO['shape'] }) {
  if (shape === null) return <span className="muted">not declared</span>;
  return (
    <span className="shape">
      [
      {shape.map((d, i) => (
        <span key={i}>
          {i > 0 && ', '}
          {d === null ? (
            <span className="dim-unknown" title="Size not declared">
              ?
            </span>
          ) : typeof d === 'string' ? (
            <span className="dim-sym" title="Named dimension: its size is chosen at run time">
              {d}
            </span>
          ) : (
            d
          )}
        </span>
      ))}
      ]
    </span>
  );
}
