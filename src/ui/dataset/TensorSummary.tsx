// What Quantbench made of dropped .npy/.npz tensors, or of the random-input choice: sample count, shapes, how they
// feed the model (as they are, no preprocessing), labels, problems, and the first samples as a table.
import type { TensorIO } from '../../onnx/summary';
import type { DatasetState } from '../../state/dataset-types';
import { formatInt } from '../format';
import type { ClassNamer } from './class-names';
import { SOURCE_WORDS, Tile } from './DatasetSummary';
import { LabelMappingNote } from './LabelMappingNote';
import { ProblemList } from './ProblemList';

/** Rows of the sample table: enough to check names and shapes without a long page. */
export const SAMPLE_ROWS = 48;

/** The sentence every random-input view shows, so nobody reads numbers on noise as accuracy. */
export const RANDOM_WARNING = 'accuracy is meaningless here; use them to compare speed and output agreement between models.';

const dimsText = (dims: readonly (number | string | null)[]): string => `[${dims.map((d) => d ?? '?').join(', ')}]`;

/** "−1" with a real minus sign, trimmed to a few digits. */
function value(x: number): string {
  return String(+x.toFixed(4)).replace('-', '−');
}

interface TensorSummaryProps {
  dataset: DatasetState;
  /** The model input the samples feed. */
  input: TensorIO | undefined;
  className: ClassNamer;
  onLabelOffset: (offset: number) => void;
  onClear: () => void;
  busy: boolean;
}

export function TensorSummary({ dataset, input, className, onLabelOffset, onClear, busy }: TensorSummaryProps) {
  const { samples, mapping, problems, random } = dataset;
  const isRandom = dataset.inputKind === 'random';
  const labelled = samples.filter((s) => s.label >= 0).length;
  const shapes = [...new Set(samples.map((s) => dimsText(s.dims)))];
  // "w.npy[3]" and "c.npz:arr_0[2]" come from the files "w.npy" and "c.npz".
  const files = new Set(samples.map((s) => s.name.replace(/\[\d+\]$/, '').replace(/:[^/]*$/, ''))).size;
  const source = mapping?.source ?? 'none';
  const fp16 = input?.dtype === 'float16';

  return (
    <section
      className="card-section dataset-summary"
      data-testid="dataset-summary"
      data-kind={dataset.inputKind}
      data-images={samples.length}
      data-labelled={labelled}
      aria-labelledby="ds-summary-h"
    >
      <div className="section-head">
        <h3 id="ds-summary-h">{isRandom ? 'Random inputs' : 'Your tensors'}</h3>
        <button type="button" className="btn btn-ghost btn-small" data-testid="dataset-clear" onClick={onClear} disabled={busy}>
          {isRandom ? 'Stop using random inputs' : 'Remove these tensors'}
        </button>
      </div>
      {isRandom && (
        <p className="notice notice-amber" data-testid="random-notice">
          <strong>Random inputs:</strong> {RANDOM_WARNING}
        </p>
      )}
      <div className="stat-tiles">
        <Tile label="Samples" value={formatInt(samples.length)} sub={isRandom ? `seed ${random?.seed ?? 1}` : `from ${formatInt(files)} ${files === 1 ? 'file' : 'files'}`} />
        <Tile label={shapes.length === 1 ? 'Shape' : 'Shapes'} value={shapes.length === 1 ? shapes[0]! : `${shapes.length} different`} small sub={shapes.length > 1 ? shapes.slice(0, 3).join(', ') : undefined} />
        {isRandom && random !== null ? (
          <Tile label="Values" value={`${value(random.min)} to ${value(random.max)}`} small sub="uniform, float32" />
        ) : (
          <>
            <Tile label="Labelled" value={formatInt(labelled)} sub={samples.length > 0 ? `${Math.round((labelled / samples.length) * 100)}% of the samples` : undefined} />
            <Tile label="Labels from" value={SOURCE_WORDS[source]} small sub={dataset.labelFiles.length > 0 ? dataset.labelFiles.join(', ') : undefined} />
          </>
        )}
      </div>

      <p className="tensor-feed" data-testid="tensor-feed">
        {isRandom ? 'Drawn for' : 'Fed as they are to'} the model&rsquo;s input <strong className="mono">{input?.name ?? 'input'}</strong>
        {input !== undefined && (
          <span className="mono">
            {' '}
            {input.shape === null ? '(shape not declared)' : dimsText(input.shape)} {input.dtype}
          </span>
        )}
        : no image preprocessing{isRandom ? '' : `; values are converted to float32${fp16 ? ', then to float16 for this model' : ''}`}.
      </p>

      {!isRandom && mapping !== null && <LabelMappingNote mapping={mapping} onLabelOffset={onLabelOffset} busy={busy} />}
      {!isRandom && mapping === null && labelled === 0 && (
        <p className="muted">
          No labels found: the speed and, against a second model, how closely the two agree are still measured. For accuracy, drop a CSV with the columns
          <span className="mono"> file,label</span> naming each sample as listed below.
        </p>
      )}

      <ProblemList problems={problems} />
      {!isRandom && <SampleTable samples={dataset.samples} className={className} />}
    </section>
  );
}

function SampleTable({ samples, className }: { samples: DatasetState['samples']; className: ClassNamer }) {
  if (samples.length === 0) return null;
  const shown = samples.slice(0, SAMPLE_ROWS);
  return (
    <div className="table-scroll">
      <table className="data-table compact" aria-label={`The first ${shown.length} samples`}>
        <thead>
          <tr>
            <th scope="col">Sample</th>
            <th scope="col">Shape</th>
            <th scope="col">Label</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((s) => (
            <tr key={s.name} data-testid="tensor-sample" data-name={s.name} data-dims={s.dims.join(',')}>
              <td className="mono">{s.name}</td>
              <td className="mono">{dimsText(s.dims)}</td>
              <td>{s.label >= 0 ? className(s.label) : <span className="muted">none</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {samples.length > shown.length && <p className="footnote">Showing the first {shown.length} of {formatInt(samples.length)} samples.</p>}
    </div>
  );
}
