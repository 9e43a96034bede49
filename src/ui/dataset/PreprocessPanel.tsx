// Preprocessing: the preset (suggested from the model, changeable), the recipe in words, and per-channel
// statistics of the first image's tensor so a wrong recipe shows before a long run.
import { useState } from 'react';
import type { PresetId } from '../../data/types';
import type { DatasetState } from '../../state/dataset-types';
import { layoutWords, PRESET_IDS, PRESET_LABELS, resizeWords, scaleWords, valueRange } from './recipe-words';

interface PreprocessPanelProps {
  dataset: DatasetState;
  onPreset: (id: PresetId) => void;
  busy: boolean;
}

function fixed(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(1) : x.toFixed(3);
}

export function PreprocessPanel({ dataset, onPreset, busy }: PreprocessPanelProps) {
  const { recipe, presetId, presetReason, preview } = dataset;
  const range = recipe !== null ? valueRange(recipe) : null;
  // The reason belongs to the suggested preset: remember which one that was (a new scan brings a new reason),
  // so a hand-picked preset is not explained by another preset's reason.
  const [suggested, setSuggested] = useState({ reason: presetReason, id: presetId });
  if (suggested.reason !== presetReason) setSuggested({ reason: presetReason, id: presetId });
  const changed = suggested.id !== null && presetId !== suggested.id;
  return (
    <section className="card-section preprocess" aria-labelledby="ds-prep-h">
      <h3 id="ds-prep-h">Preprocessing</h3>
      <div className="preprocess-grid">
        <div>
          <label className="field">
            <span className="field-label">How images become the model&rsquo;s input</span>
            <select
              data-testid="preset-select"
              value={presetId ?? 'custom'}
              disabled={busy}
              onChange={(e) => {
                const id = e.currentTarget.value;
                if ((PRESET_IDS as string[]).includes(id)) onPreset(id as PresetId);
              }}
            >
              {presetId === null && (
                <option value="custom" disabled>
                  Custom
                </option>
              )}
              {PRESET_IDS.map((id) => (
                <option key={id} value={id}>
                  {PRESET_LABELS[id]}
                </option>
              ))}
            </select>
          </label>
          {presetReason !== '' && !changed && (
            <p className="preset-reason" data-testid="preset-reason">
              <strong>Suggested.</strong> {presetReason}
            </p>
          )}
          {changed && suggested.id !== null && (
            <p className="preset-reason" data-testid="preset-reason">
              Chosen by hand; Quantbench suggested <strong>{PRESET_LABELS[suggested.id]}</strong>.{' '}
              <button type="button" className="link-button" onClick={() => suggested.id !== null && onPreset(suggested.id)} disabled={busy}>
                Use the suggestion
              </button>
            </p>
          )}
          {recipe !== null && (
            <dl className="meta-list recipe" data-testid="recipe">
              <dt>Size</dt>
              <dd>{resizeWords(recipe)}</dd>
              <dt>Channels</dt>
              <dd>{recipe.channelOrder === 'BGR' ? 'BGR (blue first, Caffe / OpenCV order)' : 'RGB'}</dd>
              <dt>Values</dt>
              <dd>
                <span className="mono">{scaleWords(recipe)}</span>
                {range !== null && (
                  <span className="muted">
                    {' '}
                    → from {fixed(range[0])} to {fixed(range[1])}
                  </span>
                )}
              </dd>
              <dt>Tensor</dt>
              <dd>{layoutWords(recipe)}</dd>
            </dl>
          )}
        </div>
        <TensorPreview preview={preview} />
      </div>
    </section>
  );
}

function TensorPreview({ preview }: { preview: DatasetState['preview'] }) {
  if (preview === null) return <p className="muted tensor-preview-empty">The first image&rsquo;s tensor appears here once it is decoded.</p>;
  return (
    <div className="tensor-preview" data-testid="tensor-preview">
      <p className="field-label">First image as the model sees it</p>
      <table className="data-table compact">
        <thead>
          <tr>
            <th scope="col">Channel</th>
            <th scope="col" className="num">
              Min
            </th>
            <th scope="col" className="num">
              Mean
            </th>
            <th scope="col" className="num">
              Max
            </th>
          </tr>
        </thead>
        <tbody>
          {preview.map((c) => (
            <tr key={c.channel} data-testid="tensor-channel" data-channel={c.channel} data-min={c.min} data-max={c.max} data-mean={c.mean}>
              <th scope="row">{c.channel}</th>
              <td className="num">{fixed(c.min)}</td>
              <td className="num">{fixed(c.mean)}</td>
              <td className="num">{fixed(c.max)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="footnote">Values far outside the range on the left usually mean the wrong preset.</p>
    </div>
  );
}
