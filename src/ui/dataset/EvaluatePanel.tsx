// The "Measure accuracy" action, with an optional second model file (e.g. the FP16 export) to compare with.
import { useRef } from 'react';
import type { InputKind } from '../../data/types';
import { BENCH_RUNNING_TITLE } from '../../state/busy';
import { useStore } from '../../state/store';
import { formatInt } from '../format';

/** What the samples are called in sentences, by dataset kind. */
export const SAMPLE_WORDS: Record<InputKind, { one: string; many: string }> = {
  images: { one: 'image', many: 'images' },
  tensors: { one: 'sample', many: 'samples' },
  random: { one: 'random input', many: 'random inputs' },
};

interface EvaluatePanelProps {
  modelName: string;
  inputKind: InputKind;
  /** Number of samples (images, tensors or random inputs). */
  images: number;
  labelled: number;
  /** The second model's files (an .onnx, plus its external-data file if it has one); empty for none. */
  variant: readonly File[];
  onVariant: (files: File[]) => void;
  onEvaluate: () => void;
  /** Why the button is disabled, or null when it can run. */
  blockedReason: string | null;
  /** A measurement is running: the second model cannot change under it. */
  busy: boolean;
}

export function EvaluatePanel({ modelName, inputKind, images, labelled, variant, onVariant, onEvaluate, blockedReason, busy }: EvaluatePanelProps) {
  const inputRef = useRef<HTMLInputElement>(null);
  const benchRunning = useStore((s) => s.bench.status === 'running');
  const variantName = variant.find((f) => /\.(onnx|ort)$/i.test(f.name))?.name ?? variant[0]?.name ?? null;
  const words = SAMPLE_WORDS[inputKind];
  const what = labelled > 0 ? `top-1 and top-5 accuracy on ${formatInt(labelled)} labelled ${words.many}` : `predictions on ${formatInt(images)} ${words.many}`;
  return (
    <section className="card-section evaluate" aria-labelledby="ds-eval-h">
      <h3 id="ds-eval-h">Measure</h3>
      <div className="evaluate-row">
        <button
          type="button"
          className="btn btn-primary btn-evaluate"
          data-testid="evaluate-button"
          onClick={onEvaluate}
          disabled={blockedReason !== null || benchRunning}
          title={benchRunning ? BENCH_RUNNING_TITLE : undefined}
          aria-describedby="eval-what"
        >
          {variantName !== null ? 'Measure and compare' : labelled > 0 ? 'Measure accuracy' : 'Measure speed'}
        </button>
        <p id="eval-what" className="evaluate-what">
          {blockedReason ?? (
            <>
              Runs <strong>{modelName}</strong>
              {variantName !== null && (
                <>
                  {' '}
                  and <strong>{variantName}</strong>
                </>
              )}{' '}
              on every {words.one}: {what}, speed{variantName !== null ? ', and how closely the two agree' : ''}.
              {inputKind === 'random'
                ? ' Accuracy means nothing on random inputs: compare speed, and agreement with another model file.'
                : labelled === 0 && variantName === null && ' Without labels there is no accuracy: compare with another model file to see how closely they agree.'}
            </>
          )}
        </p>
      </div>
      <div className="variant-row">
        {variantName === null ? (
          <button type="button" className="btn btn-ghost btn-small" onClick={() => inputRef.current?.click()} disabled={busy}>
            Compare with another model file…
          </button>
        ) : (
          <span className="chip chip-accent variant-chip" data-testid="variant-chip">
            Compare with: {variantName}
            <button type="button" className="chip-remove" onClick={() => onVariant([])} disabled={busy} aria-label={`Do not compare with ${variantName}`}>
              ×
            </button>
          </span>
        )}
        {variantName === null && (
          <span className="variant-hint">For example the FP16 or INT8 export of the same model: you get agreement and accuracy side by side.</span>
        )}
        <input
          ref={inputRef}
          type="file"
          multiple
          data-testid="variant-input"
          className="visually-hidden"
          tabIndex={-1}
          aria-hidden="true"
          onChange={(e) => {
            const files = Array.from(e.currentTarget.files ?? []);
            e.currentTarget.value = '';
            if (files.length > 0) onVariant(files);
          }}
        />
      </div>
    </section>
  );
}
