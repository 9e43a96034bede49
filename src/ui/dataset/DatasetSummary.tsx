// What Quantbench made of the dropped files: counts, where labels came from and how they map to the model's
// outputs (with the background-class toggle), problems, and thumbnails.
import type { DatasetState } from '../../state/dataset-types';
import type { LabelSourceKind } from '../../data/types';
import { formatBytes, formatInt } from '../format';
import type { ClassNamer } from './class-names';
import { LabelMappingNote } from './LabelMappingNote';
import { ProblemList } from './ProblemList';
import { ThumbGrid } from './ThumbGrid';

export const THUMB_LIMIT = 48;

/** Where labels came from, as the summaries name it. */
export const SOURCE_WORDS: Record<LabelSourceKind, string> = {
  'folder-per-class': 'One folder per class',
  'file-name': 'Class in the file names',
  'val-txt': 'Label file (val.txt)',
  csv: 'Label file (CSV)',
  none: 'No labels',
};

interface DatasetSummaryProps {
  dataset: DatasetState;
  urls: ReadonlyMap<string, string>;
  className: ClassNamer;
  onLabelOffset: (offset: number) => void;
  onClear: () => void;
  busy: boolean;
}

export function DatasetSummary({ dataset, urls, className, onLabelOffset, onClear, busy }: DatasetSummaryProps) {
  const { images, mapping, problems } = dataset;
  const labelled = images.filter((i) => i.label >= 0).length;
  const classes = new Set(images.filter((i) => i.label >= 0).map((i) => i.label)).size;
  const bytes = images.reduce((sum, i) => sum + i.sizeBytes, 0);
  const bad = new Set(problems.filter((p) => p.kind === 'bad-image').flatMap((p) => p.items));
  const source = mapping?.source ?? 'none';

  return (
    <section className="card-section dataset-summary" data-testid="dataset-summary" data-kind="images" data-images={images.length} data-labelled={labelled} aria-labelledby="ds-summary-h">
      <div className="section-head">
        <h3 id="ds-summary-h">Your images</h3>
        <button type="button" className="btn btn-ghost btn-small" data-testid="dataset-clear" onClick={onClear} disabled={busy}>
          Remove these images
        </button>
      </div>
      <div className="stat-tiles">
        <Tile label="Images" value={formatInt(images.length)} sub={formatBytes(bytes)} />
        <Tile label="Labelled" value={formatInt(labelled)} sub={images.length > 0 ? `${Math.round((labelled / images.length) * 100)}% of the images` : undefined} />
        <Tile label="Classes present" value={labelled > 0 ? formatInt(classes) : '—'} sub={mapping !== null ? `model has ${formatInt(mapping.outputClasses)} outputs` : undefined} />
        <Tile label="Labels from" value={SOURCE_WORDS[source]} small sub={dataset.labelFiles.length > 0 ? dataset.labelFiles.join(', ') : undefined} />
      </div>

      {mapping !== null && <LabelMappingNote mapping={mapping} onLabelOffset={onLabelOffset} busy={busy} />}
      {mapping === null && images.length > 0 && labelled === 0 && (
        <p className="muted">No labels found: accuracy needs labels, but you can still compare two models on these images.</p>
      )}

      <ProblemList problems={problems} />
      <ThumbGrid images={images.slice(0, THUMB_LIMIT)} urls={urls} className={className} bad={bad} total={images.length} />
    </section>
  );
}

/** A number tile of the dataset summaries. */
export function Tile({ label, value, sub, small }: { label: string; value: string; sub?: string | undefined; small?: boolean }) {
  return (
    <div className="stat">
      <span className="stat-label">{label}</span>
      <span className={small ? 'stat-value stat-value-small' : 'stat-value'}>{value}</span>
      {sub !== undefined && <span className="stat-sub">{sub}</span>}
    </div>
  );
}
