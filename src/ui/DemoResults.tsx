// Demo run results: accuracy and latency headline, then every demo image with its true and predicted label.
import type { ClassifyReport, Prediction } from '../pipeline/classify';
import type { DemoImage } from '../state/store';
import { formatMs, formatPercent } from './format';

interface DemoResultsProps {
  classes: string[];
  images: DemoImage[];
  /** Null while the demo is still running: thumbnails show "…" as prediction. */
  report: ClassifyReport | null;
}

export function DemoResults({ classes, images, report }: DemoResultsProps) {
  if (images.length === 0) return null;
  const byName = new Map<string, Prediction>((report?.predictions ?? []).map((p) => [p.name, p]));
  const labelled = report?.predictions.filter((p) => p.label >= 0) ?? [];
  const right = labelled.filter((p) => p.label === p.predicted).length;
  const className = (i: number): string => classes[i] ?? (i < 0 ? 'unlabelled' : `class ${i}`);

  return (
    <section className="panel demo-results" data-testid="demo-results" data-top1={report?.top1 ?? undefined} aria-labelledby="demo-h" aria-busy={report === null}>
      <header className="demo-head">
        <div>
          <p className="eyebrow">Demo · built-in shape classifier</p>
          <h2 id="demo-h">
            {report === null
              ? `Classifying ${images.length} images…`
              : labelled.length > 0
                ? `${right} of ${labelled.length} correct (${formatPercent(right / labelled.length)})`
                : `${report.predictions.length} images classified`}
          </h2>
        </div>
        {report !== null && (
          <p className="demo-latency" data-testid="demo-latency">
            <span className="stat-label">Mean latency</span>
            <span className="stat-value">{formatMs(report.meanLatencyMs)}</span>
            <span className="stat-sub">per image, on the CPU</span>
          </p>
        )}
      </header>
      <p className="demo-explain">
        Under each test image: its true shape in bold, then the model&rsquo;s guess and how sure it was. A{' '}
        <span className="ok-text">green</span> border means the guess is right, <span className="bad-text">red</span> means
        it is wrong. The model&rsquo;s card is below.
      </p>
      <ul className="demo-grid">
        {images.map((img, i) => {
          const p = byName.get(img.name) ?? report?.predictions[i];
          const correct = p === undefined ? undefined : p.predicted === img.label;
          const state = correct === undefined ? 'pending' : correct ? 'right' : 'wrong';
          return (
            <li
              key={img.name}
              className={`demo-tile is-${state}`}
              data-testid="demo-image"
              data-label={className(img.label)}
              data-predicted={p === undefined ? undefined : className(p.predicted)}
            >
              <img src={img.url} alt={`Test image ${i + 1}: a ${className(img.label)}`} width={64} height={64} />
              <span className="tile-label" title="True label">
                {className(img.label)}
              </span>
              <span className="tile-pred" title="Predicted label">
                {p === undefined ? '…' : `${correct ? '✓' : '✗'} ${className(p.predicted)}`}
              </span>
              <span className="tile-conf" title="Confidence">
                {p === undefined ? '\u00a0' : formatPercent(p.confidence, 0)}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
