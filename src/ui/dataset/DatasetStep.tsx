// Step 2 of the flow: add images or .npy/.npz tensors (or use random inputs), check what was found and how it feeds
// the model, measure accuracy (optionally against a second model file), and read the results.
import { useMemo, useState } from 'react';
import type { InputKind } from '../../data/types';
import { droppedDatasetFiles } from '../../state/dataset-slice';
import { useStore } from '../../state/store';
import { ErrorBanner } from '../ErrorBanner';
import { ProgressPanel } from '../ProgressPanel';
import { makeClassNamer } from './class-names';
import { DatasetDrop } from './DatasetDrop';
import { DatasetSummary, THUMB_LIMIT } from './DatasetSummary';
import { EvalResults } from './EvalResults';
import { EvaluatePanel } from './EvaluatePanel';
import { PreprocessPanel } from './PreprocessPanel';
import { RandomInputs } from './RandomInputs';
import { TensorSummary } from './TensorSummary';
import type { DatasetFiles } from './use-dataset-files';
import { useObjectUrls } from './use-object-urls';

export const DATASET_STEP_ID = 'step-dataset';

interface DatasetStepProps {
  /** The user's image Files behind the dataset; owned by App so a drop anywhere on the page can add them. */
  files: DatasetFiles;
}

export function DatasetStep({ files }: DatasetStepProps) {
  const model = useStore((s) => s.model);
  const dataset = useStore((s) => s.dataset);
  const evaluation = useStore((s) => s.evaluation);
  const clearDataset = useStore((s) => s.clearDataset);
  const choosePreset = useStore((s) => s.choosePreset);
  const setLabelOffset = useStore((s) => s.setLabelOffset);
  const runEvaluation = useStore((s) => s.runEvaluation);
  const loadRandomInputs = useStore((s) => s.loadRandomInputs);
  const cancelEvaluation = useStore((s) => s.cancelEvaluation);

  const [variant, setVariant] = useState<File[]>([]);
  // Which model the shown results were measured with, to flag them when another model is loaded.
  const [measured, setMeasured] = useState<{ file: File | undefined; name: string; inputKind: InputKind } | null>(null);
  const dismissDatasetError = useStore((s) => s.dismissDatasetError);
  const dismissEvaluationError = useStore((s) => s.dismissEvaluationError);

  const className = useMemo(() => makeClassNamer(dataset.classList, dataset.mapping), [dataset.classList, dataset.mapping]);
  const thumbPaths = useMemo(() => {
    // Tensors have no picture to show (a sample named like its .npy file would make a broken thumbnail).
    if (dataset.inputKind !== 'images') return [];
    const paths = dataset.images.slice(0, THUMB_LIMIT).map((i) => i.path);
    for (const d of evaluation.variantReport?.disagreements ?? []) paths.push(d.name);
    return paths;
  }, [dataset.inputKind, dataset.images, evaluation.variantReport]);
  const urls = useObjectUrls(thumbPaths, files.find);

  const card = model.card;
  if (card === null) return null;
  const loading = dataset.status === 'running';
  const measuring = evaluation.status === 'running';
  const isImages = dataset.inputKind === 'images';
  const items = isImages ? dataset.images : dataset.samples;
  const hasData = items.length > 0;
  const labelled = items.filter((i) => i.label >= 0).length;
  const input = card.inputs[0];
  const blockedReason =
    !hasData ? 'Add images or tensors first.'
    : loading ? 'Wait until the files are read.'
    : model.status === 'running' ? 'Wait until the model has loaded.'
    : card.blockers.length > 0 ? 'This model cannot run in the browser (see its card above).'
    : measuring ? 'Measuring…'
    : null;

  const evaluate = (): void => {
    setMeasured({ file: model.files[0], name: card.fileName, inputKind: dataset.inputKind });
    void runEvaluation(variant.length > 0 ? variant : undefined);
  };
  const clear = (): void => {
    files.clear();
    clearDataset();
  };

  return (
    <section id={DATASET_STEP_ID} className="step-body dataset-step" data-testid="dataset-step" aria-labelledby="step2-h" tabIndex={-1}>
      <header className="step-head">
        <span className="step-num" aria-hidden="true">2</span>
        <div>
          <h2 id="step2-h">Data</h2>
          <p className="step-lede">Measure how accurate {card.fileName} is on your own images or NumPy tensors (.npy/.npz). They stay on this computer.</p>
        </div>
      </header>

      <DatasetDrop
        onFiles={(f) => void files.add(f)}
        // Label files join the images already loaded (a new label file of the same name replaces the old one).
        onLabels={(f) => void files.add([...droppedDatasetFiles().filter((d) => !f.some((l) => l.path === d.path)), ...f])}
        compact={hasData}
        disabled={loading || measuring}
      />
      <RandomInputs
        // A new model brings new defaults (its input shape): start the form afresh.
        key={`${card.fileName}:${input?.name ?? ''}:${JSON.stringify(input?.shape ?? null)}`}
        input={input}
        onUse={(spec) => void loadRandomInputs(spec)}
        disabled={loading || measuring || model.status === 'running'}
      />
      {loading && <ProgressPanel progress={dataset.progress} fallbackLabel="Reading the files" />}
      {dataset.error !== null && (
        <ErrorBanner error={dataset.error} title="That data could not be used" onDismiss={dismissDatasetError} />
      )}

      {hasData && (
        <article className={loading ? 'panel dataset-panel is-stale' : 'panel dataset-panel'} aria-label="Dataset">
          {isImages ? (
            <>
              <DatasetSummary dataset={dataset} urls={urls} className={className} onLabelOffset={setLabelOffset} onClear={clear} busy={loading || measuring} />
              <PreprocessPanel dataset={dataset} onPreset={choosePreset} busy={loading || measuring} />
            </>
          ) : (
            <TensorSummary dataset={dataset} input={input} className={className} onLabelOffset={setLabelOffset} onClear={clear} busy={loading || measuring} />
          )}
          <EvaluatePanel
            modelName={card.fileName}
            inputKind={dataset.inputKind}
            images={items.length}
            labelled={labelled}
            variant={variant}
            onVariant={setVariant}
            onEvaluate={evaluate}
            blockedReason={blockedReason}
            busy={measuring}
          />
        </article>
      )}

      {measuring && <ProgressPanel progress={evaluation.progress} fallbackLabel="Preparing to measure" onCancel={cancelEvaluation} />}
      {evaluation.error !== null && (
        <ErrorBanner error={evaluation.error} title="The measurement could not finish" onDismiss={dismissEvaluationError} />
      )}
      {evaluation.report !== null && (
        <EvalResults
          report={evaluation.report}
          variantReport={evaluation.variantReport}
          referenceName={measured?.name ?? card.fileName}
          inputKind={measured?.inputKind ?? dataset.inputKind}
          variantName={evaluation.variantName}
          urls={urls}
          className={className}
          knownProblems={dataset.problems}
          stale={measured !== null && measured.file !== model.files[0]}
        />
      )}
    </section>
  );
}
