// Dataset problems as amber notices: what is wrong in plain words, and the files or lines it concerns.
import type { DatasetProblem } from '../../data/types';
import { formatInt } from '../format';

const KIND_TITLE: Record<DatasetProblem['kind'], string> = {
  'bad-image': 'Unreadable images',
  'bad-tensor': 'Unusable tensors',
  'unsupported-file': 'Skipped files',
  'label-without-image': 'Labels without an image',
  'image-without-label': 'Images without a label',
  'unknown-class': 'Unknown classes',
  'duplicate-label': 'Duplicate labels',
  'bad-label-line': 'Unreadable label lines',
};

export function ProblemList({ problems, label = 'Problems found in the dataset' }: { problems: readonly DatasetProblem[]; label?: string }) {
  if (problems.length === 0) return null;
  return (
    <ul className="problem-list" aria-label={label}>
      {problems.map((p, i) => (
        <li key={`${p.kind}-${i}`} className="notice notice-amber" data-testid="dataset-problem" data-kind={p.kind} data-count={p.count}>
          <p>
            <strong>{KIND_TITLE[p.kind]}.</strong> {p.message}
          </p>
          {p.items.length > 0 && (
            <details className="problem-items">
              <summary>
                {p.count > p.items.length ? `Show the first ${formatInt(p.items.length)} of ${formatInt(p.count)}` : `Show ${p.items.length === 1 ? 'it' : `all ${formatInt(p.items.length)}`}`}
              </summary>
              <ul className="mono">
                {p.items.map((item, j) => (
                  <li key={`${j}-${item}`}>{item}</li>
                ))}
              </ul>
            </details>
          )}
        </li>
      ))}
    </ul>
  );
}
