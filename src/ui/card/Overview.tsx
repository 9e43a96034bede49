// Model card overview: headline numbers (size, parameters, nodes, precision) and the model's metadata.
import type { ReactNode } from 'react';
import type { ModelCard } from '../../onnx/summary';
import { formatBytes, formatCompact, formatInt } from '../format';

const LONG_DOC_CHARS = 160;

export function Overview({ card }: { card: ModelCard }) {
  const producer = [card.producerName, card.producerVersion].filter((s) => s !== '').join(' ') || 'unknown';
  const doc = card.docString.trim();
  return (
    <section className="card-section card-overview" aria-labelledby="overview-h">
      <h3 id="overview-h" className="visually-hidden">
        Overview
      </h3>
      <div className="stat-tiles">
        <Stat label="File size" testId="card-file-size" value={formatBytes(card.fileSizeBytes)} title={`${formatInt(card.fileSizeBytes)} bytes`} data={{ 'data-bytes': card.fileSizeBytes }} />
        <Stat
          label="Parameters"
          testId="card-params"
          value={
            <>
              {formatInt(card.params)} <small>({formatCompact(card.params)})</small>
            </>
          }
          data={{ 'data-value': card.params }}
        />
        <Stat
          label="Nodes"
          testId="card-node-count"
          value={formatInt(card.nodeCount)}
          sub={card.totalNodeCount !== card.nodeCount ? `${formatInt(card.totalNodeCount)} incl. subgraphs` : undefined}
          data={{ 'data-value': card.nodeCount }}
        />
        <Stat label="Weight precision" testId="card-precision" value={card.weightPrecision} sub={`${formatBytes(card.weightBytes)} of weights`} />
      </div>

      <dl className="meta-list">
        <dt>Producer</dt>
        <dd data-testid="card-producer">{producer}</dd>
        <dt>IR version</dt>
        <dd data-testid="card-ir-version" data-value={card.irVersion}>
          {card.irVersion}
        </dd>
        <dt>Opsets</dt>
        <dd>
          <ul className="chip-list" data-testid="card-opsets">
            {card.opsets.map((o) => (
              <li key={o.domain} className="chip" data-testid="card-opset" data-domain={o.domain} data-version={o.version}>
                {o.domain} v{o.version}
              </li>
            ))}
          </ul>
        </dd>
        <dt>Activations</dt>
        <dd data-testid="card-activations" data-peak-bytes={card.activations.peakNodeBytes}>
          {card.activations.largestName === null ? (
            <span className="muted">not known before running (input shapes are open)</span>
          ) : (
            <>
              largest {formatBytes(card.activations.largestBytes)} (<span className="mono">{card.activations.largestName}</span>), heaviest layer{' '}
              {formatBytes(card.activations.peakNodeBytes)} in and out, per run at the declared input size
              {card.activations.unknownTensors > 0 && <span className="muted"> (at least: some shapes are only known at run time)</span>}
            </>
          )}
        </dd>
        <dt>Graph name</dt>
        <dd data-testid="card-graph-name">{card.graphName || <span className="muted">(unnamed)</span>}</dd>
        {card.modelVersion !== 0 && (
          <>
            <dt>Model version</dt>
            <dd>{card.modelVersion}</dd>
          </>
        )}
        {doc !== '' && (
          <>
            <dt>Description</dt>
            <dd className="doc-string" data-testid="card-doc">
              {doc.length <= LONG_DOC_CHARS ? (
                doc
              ) : (
                <details>
                  <summary>{doc.slice(0, LONG_DOC_CHARS).trimEnd()}…</summary>
                  <p>{doc}</p>
                </details>
              )}
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}

interface StatProps {
  label: string;
  value: ReactNode;
  sub?: string | undefined;
  title?: string;
  testId: string;
  data?: Record<`data-${string}`, string | number>;
}

function Stat({ label, value, sub, title, testId, data }: StatProps) {
  return (
    <div className="stat">
      <span className="stat-label">{label}</span>
      <span className="stat-value" data-testid={testId} title={title} {...data}>
        {value}
      </span>
      {sub !== undefined && <span className="stat-sub">{sub}</span>}
    </div>
  );
}
