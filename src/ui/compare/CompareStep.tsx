// Step 4, Compare: one Optimize run side by side (cards, table, charts, exports, Present); pure props, no store.
import type { RunReport, VariantId } from '../../state/report/types';
import type { VariantDownload } from '../../state/workflow-types';
import { ExportBar } from './ExportBar';
import { FactorsChart } from './FactorsChart';
import { FpsChart } from './FpsChart';
import { LatencyChart } from './LatencyChart';
import { LatencyDistribution } from './LatencyDistribution';
import { LayerErrorChart } from './LayerErrorChart';
import { QualityChart } from './QualityChart';
import { ResultsTable } from './ResultsTable';
import { SizeChart } from './SizeChart';
import { ThroughputLatencyChart } from './ThroughputLatencyChart';
import { VerdictCards } from './VerdictCards';
import './compare.css';

export interface CompareStepProps {
  report: RunReport;
  downloads: Partial<Record<VariantId, VariantDownload>>;
  /** The shown run belongs to another model than the loaded one (e.g. an older run): show a quiet note. */
  stale?: string | null;
  onPresent(): void;
}

/** "22 Nov 2026, 14:05" in the reader's locale; the ISO string as it is when it does not parse. */
function runDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function CompareStep({ report, downloads, stale = null, onPresent }: CompareStepProps) {
  const variants = report.variants;
  const hasInt8 = variants.some((v) => v.id === 'int8');
  return (
    <section id="step-compare" className="step-body compare-step" aria-labelledby="step4-h" tabIndex={-1} data-testid="compare-step">
      <header className="step-head compare-head">
        <span className="step-num" aria-hidden="true">
          4
        </span>
        <div className="compare-head-text">
          <h2 id="step4-h">Compare</h2>
          <p className="step-lede compare-lede">
            <span className="compare-lede-model">{report.model.fileName}</span>
            <span>{report.dataset.description}</span>
            <span>{report.environment === null ? 'speed not measured' : report.environment.description}</span>
            <span>
              <time dateTime={report.createdAt}>{runDate(report.createdAt)}</time>
            </span>
          </p>
        </div>
        <button type="button" className="btn btn-primary compare-present" data-testid="present-button" onClick={onPresent}>
          Present
        </button>
      </header>

      {stale !== null && stale !== '' && (
        <p className="compare-stale" data-testid="compare-stale">
          {stale}
        </p>
      )}

      <VerdictCards variants={variants} />

      {report.problems.length > 0 && (
        <section className="compare-problems" aria-labelledby="compare-problems-h" data-testid="compare-problems">
          <h3 id="compare-problems-h" className="compare-section-title">
            What went wrong or was left out
          </h3>
          <ul>
            {report.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </section>
      )}

      <ResultsTable report={report} />

      <div className="compare-charts" data-testid="compare-charts">
        <FpsChart variants={variants} />
        <LatencyChart variants={variants} />
        <QualityChart variants={variants} />
        <SizeChart variants={variants} />
        <FactorsChart variants={variants} />
        <ThroughputLatencyChart variants={variants} />
        <LatencyDistribution variants={variants} />
        <LayerErrorChart layers={report.layers} hasInt8={hasInt8} />
      </div>

      <ExportBar report={report} downloads={downloads} />
    </section>
  );
}
