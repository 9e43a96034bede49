// "Use random inputs (for speed tests only)": seeded random samples shaped like the model's input, for models
// without data at hand. Open dims (batch, audio length…) get an editable size; the value range is shown and editable.
import { useMemo, useState } from 'react';
import type { RandomSamplesSpec } from '../../data/types';
import type { TensorIO } from '../../onnx/summary';
import { defaultRandomSpec } from '../../state/dataset-slice';
import { RANDOM_WARNING } from './TensorSummary';
import './random-inputs.css';

interface RandomInputsProps {
  /** The model's first input (what the samples are shaped like). */
  input: TensorIO | undefined;
  onUse: (spec: RandomSamplesSpec) => void;
  disabled: boolean;
}

/** "1, 3, 224" -> [1, 3, 224]; anything unreadable becomes NaN, which the worker's check reports in words. */
function parseList(text: string): number[] {
  return text.split(/[\s,x×]+/).filter((t) => t !== '').map(Number);
}

export function RandomInputs({ input, onUse, disabled }: RandomInputsProps) {
  const defaults = useMemo(() => defaultRandomSpec(input), [input]);
  const [count, setCount] = useState(String(defaults.spec.count));
  const [dims, setDims] = useState(defaults.spec.dims.map(String));
  const [shapeText, setShapeText] = useState(defaults.spec.dims.join(', '));
  const [min, setMin] = useState(String(defaults.spec.min));
  const [max, setMax] = useState(String(defaults.spec.max));

  const chosenDims = defaults.shapeKnown ? dims.map(Number) : parseList(shapeText);
  const spec: RandomSamplesSpec = { count: Number(count), dims: chosenDims, min: Number(min), max: Number(max), seed: defaults.spec.seed };
  // Sizes the model does not fix beyond the batch are a guess: show them without a click.
  const guessed = !defaults.shapeKnown || defaults.open.some((d) => d.index > 0);

  return (
    <section className="random-inputs" data-testid="random-panel" aria-labelledby="random-h">
      <div className="random-row">
        <button type="button" className="btn btn-secondary" data-testid="random-inputs" onClick={() => onUse(spec)} disabled={disabled || input === undefined}>
          Use random inputs (for speed tests only)
        </button>
        <p id="random-h" className="random-what">
          No data at hand? {Number.isFinite(spec.count) ? spec.count : '?'} seeded random samples of <span className="mono">[{chosenDims.join(', ')}]</span>, values
          uniform from {min} to {max}. Random inputs: {RANDOM_WARNING}
        </p>
      </div>
      <details className="random-settings" open={guessed}>
        <summary>Sizes and values{guessed ? ': check the sizes the model leaves open' : ''}</summary>
        <div className="random-fields">
          <label className="random-field">
            <span className="field-label">Samples</span>
            <input type="number" min={1} max={10000} step={1} value={count} data-testid="random-count" onChange={(e) => setCount(e.currentTarget.value)} />
          </label>
          {defaults.shapeKnown ? (
            defaults.open.map((d) => (
              <label className="random-field" key={d.index}>
                <span className="field-label">
                  {d.name ?? `Dimension ${d.index + 1}`} <span className="muted">(dimension {d.index + 1})</span>
                </span>
                <input
                  type="number"
                  min={1}
                  step={1}
                  value={dims[d.index] ?? ''}
                  data-testid="random-dim"
                  data-index={d.index}
                  onChange={(e) => {
                    const v = e.currentTarget.value;
                    setDims((old) => old.map((x, i) => (i === d.index ? v : x)));
                  }}
                />
              </label>
            ))
          ) : (
            <label className="random-field">
              <span className="field-label">Shape (the model does not declare one)</span>
              <input type="text" value={shapeText} data-testid="random-shape" onChange={(e) => setShapeText(e.currentTarget.value)} />
            </label>
          )}
          <label className="random-field">
            <span className="field-label">Lowest value</span>
            <input type="number" step="any" value={min} data-testid="random-min" onChange={(e) => setMin(e.currentTarget.value)} />
          </label>
          <label className="random-field">
            <span className="field-label">Highest value</span>
            <input type="number" step="any" value={max} data-testid="random-max" onChange={(e) => setMax(e.currentTarget.value)} />
          </label>
        </div>
        <p className="footnote">
          {defaults.open.length > 0 || !defaults.shapeKnown
            ? 'The model does not say how large its open dimensions must be: the sizes above are guesses (1 for the batch, 224 for image sides, 1536 otherwise). Use the size your data really has, e.g. 16000 for one second of 16 kHz audio.'
            : 'The model fixes every dimension of its input.'}{' '}
          The same seed gives the same values every time, so two models see exactly the same inputs.
        </p>
      </details>
    </section>
  );
}
