// Evaluation results: the accuracy headline, speed, the variant side by side, fidelity, disagreements, and
// accuracy per class.
import type { EvalReport, InputKind } from '../../data/types';
import { formatInt, formatMs, formatPercent } from '../format';
import type { ClassNamer } from './class-names';
import { Disagreements } from './Disagreements';
import { SAMPLE_WORDS } from './EvaluatePanel';
import { FidelityPanel } from './FidelityPanel';
import { PerClassTable } from './PerClassTable';
import { ProblemList } from './ProblemList';
import { SideBySide } from './SideBySide';
import { RANDOM_WARNING } from './TensorSummary';

interface EvalResultsProps {
  report: EvalReport;
  variantReport: EvalReport | null;
  referenceName: string;
  variantName: string | null;
  /** What the samples were: random inputs get a warning and never an accuracy. */
  inputKind?: InputKind;
  urls: ReadonlyMap<string, string>;
  className: ClassNamer;
  /** Problems already listed with the dataset, not repeated here. */
  knownProblems: EvalReport['problems'];
  /** The loaded model changed since this run: the numbers belong to `referenceName`. */
  stale: boolean;
}

const attr = (x: number | null): string => (x === null ? '' : String(x));

/** Where the end-to-end time goes besides inference, by dataset kind. */
const THROUGHPUT_SUB: Record<InputKind, string> = {
  images: 'including decoding and preprocessing',
  tensors: 'including reading the files',
  random: 'including drawing the random values',
};

export function EvalResults({ report, variantReport, referenceName, variantName, inputKind = 'images', urls, className, knownProblems, stale }: EvalResultsProps) {
  const words = SAMPLE_WORDS[inputKind];
  const isRandom = inputKind === 'random';
  const known = new Set(knownProblems.map((p) => `${p.kind}\n${p.message}`));
  const newProblems = report.problems.filter((p) => !known.has(`${p.kind}\n${p.message}`));
  const fidelity = variantReport?.fidelity ?? null;
  const vName = variantName ?? 'the variant';

  return (
    <section
      className={stale ? 'panel eval-results is-stale' : 'panel eval-results'}
      data-testid="eval-results"
      data-top1={attr(report.top1)}
      data-top5={attr(report.top5)}
      data-images={report.images}
      data-kind={inputKind}
      data-images-per-second={report.imagesPerSecond}
      data-inference-ms={report.inferenceMsMean}
      aria-labelledby="eval-h"
    >
      <header className="eval-head">
        <div>
          <p className="eyebrow">{stale ? `Results of the previous model` : 'Results'}</p>
          <h3 id="eval-h" className="eval-title">
            {referenceName} on {formatInt(report.images)} {report.images === 1 ? words.one : words.many}
          </h3>
        </div>
      </header>
      {stale && <p className="notice notice-amber">These numbers are for {referenceName}. Measure again to get them for the model loaded now.</p>}
      {isRandom && (
        <p className="notice notice-amber" data-testid="random-notice">
          <strong>Random inputs:</strong> {RANDOM_WARNING}
        </p>
      )}

      <div className="eval-headline">
        {isRandom ? null : report.top1 !== null ? (
          <>
            <BigNumber label="Top-1 accuracy" value={formatPercent(report.top1)} testId="eval-top1" sub={`on ${formatInt(report.labelled)} labelled ${words.many}`} />
            <BigNumber label="Top-5 accuracy" value={report.top5 === null ? '—' : formatPercent(report.top5)} testId="eval-top5" sub="true class among the 5 best guesses" />
          </>
        ) : (
          <p className="eval-nolabels" data-testid="eval-no-labels">
            <strong>No labels:</strong> accuracy needs labels{fidelity !== null ? ' — see agreement below.' : '. Add a folder per class or a label file, or compare with another model to see how they agree.'}
          </p>
        )}
        <BigNumber label="Throughput" value={`${report.imagesPerSecond.toFixed(1)} ${inputKind === 'images' ? 'img' : 'samples'}/s`} sub={THROUGHPUT_SUB[inputKind]} small />
        <BigNumber label="Inference" value={formatMs(report.inferenceMsMean)} sub={`mean per ${words.one}, model only`} small />
      </div>

      <ProblemList problems={newProblems} label="Problems met while measuring" />

      {variantReport !== null && <SideBySide reference={report} variant={variantReport} referenceName={referenceName} variantName={vName} />}
      {fidelity !== null && <FidelityPanel fidelity={fidelity} referenceName={referenceName} variantName={vName} />}
      {variantReport !== null && fidelity !== null && variantReport.disagreements.length > 0 && (
        <Disagreements items={variantReport.disagreements} urls={urls} className={className} total={Math.round((1 - fidelity.top1Agreement) * variantReport.images)} />
      )}
      {variantReport !== null && fidelity !== null && variantReport.disagreements.length === 0 && (
        <p className="ok-text" data-testid="no-disagreements">
          No disagreements: both models chose the same top class on every {words.one}.
        </p>
      )}
      {!isRandom && report.top1 !== null && <PerClassTable perClass={report.perClass} variant={variantReport?.perClass} variantLabel={`Top-1 (${vName})`} />}
    </section>
  );
}

function BigNumber({ label, value, sub, testId, small }: { label: string; value: string; sub: string; testId?: string; small?: boolean }) {
  return (
    <div className={small ? 'big-number is-small' : 'big-number'}>
      <span className="stat-label">{label}</span>
      <span className="big-value" data-testid={testId}>
        {value}
      </span>
      <span className="stat-sub">{sub}</span>
    </div>
  );
}
