// Per-class accuracy, worst first by default, sortable by class, image count or accuracy; long lists fold.
import { useState } from 'react';
import type { EvalReport } from '../../data/types';
import { formatInt, formatPercent } from '../format';

type SortKey = 'class' | 'count' | 'top1';
const FOLD_AT = 20;

interface PerClassTableProps {
  perClass: EvalReport['perClass'];
  /** Variant accuracy per class index, when a second model was measured. */
  variant?: EvalReport['perClass'] | undefined;
  variantLabel?: string;
}

export function PerClassTable({ perClass, variant, variantLabel = 'Variant' }: PerClassTableProps) {
  const [sort, setSort] = useState<{ key: SortKey; asc: boolean }>({ key: 'top1', asc: true });
  const [open, setOpen] = useState(false);
  if (perClass.length === 0) return null;
  const byIndex = new Map((variant ?? []).map((c) => [c.classIndex, c.top1]));
  const dir = sort.asc ? 1 : -1;
  const rows = [...perClass].sort((a, b) => {
    const d = sort.key === 'class' ? a.name.localeCompare(b.name) : sort.key === 'count' ? a.count - b.count : a.top1 - b.top1;
    return d !== 0 ? d * dir : a.classIndex - b.classIndex;
  });
  const shown = open || rows.length <= FOLD_AT ? rows : rows.slice(0, FOLD_AT);
  const header = (key: SortKey, text: string, num: boolean) => {
    const active = sort.key === key;
    return (
      <th scope="col" className={num ? 'num' : undefined} aria-sort={active ? (sort.asc ? 'ascending' : 'descending') : 'none'}>
        <button type="button" className="sort-button" data-testid={`sort-${key}`} onClick={() => setSort({ key, asc: active ? !sort.asc : key !== 'count' })}>
          {text}
          <span aria-hidden="true">{active ? (sort.asc ? ' ▲' : ' ▼') : ''}</span>
        </button>
      </th>
    );
  };

  return (
    <section className="per-class" aria-labelledby="per-class-h">
      <h4 id="per-class-h">
        Accuracy per class <span className="muted count-badge">{formatInt(perClass.length)} classes · click a column to sort</span>
      </h4>
      <div className="table-scroll">
        <table className="data-table compact">
          <thead>
            <tr>
              {header('class', 'Class', false)}
              {header('count', 'Images', true)}
              {header('top1', 'Top-1', true)}
              {variant !== undefined && <th scope="col" className="num">{variantLabel}</th>}
              <th scope="col" className="share-col">
                <span className="visually-hidden">Bar</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((c) => {
              const v = byIndex.get(c.classIndex);
              return (
                <tr key={c.classIndex} data-testid="per-class-row" data-class={c.name} data-top1={c.top1} data-count={c.count}>
                  <td>
                    {c.name} <span className="muted mono">#{c.classIndex}</span>
                  </td>
                  <td className="num">{formatInt(c.count)}</td>
                  <td className="num">{formatPercent(c.top1, 0)}</td>
                  {variant !== undefined && <td className="num">{v === undefined ? '—' : formatPercent(v, 0)}</td>}
                  <td className="share-col">
                    <span className="share-bar" aria-hidden="true">
                      <span className={c.top1 < 0.5 ? 'is-low' : undefined} style={{ width: `${c.top1 * 100}%` }} />
                    </span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {rows.length > FOLD_AT && (
        <button type="button" className="btn btn-ghost btn-small fold-button" data-testid="per-class-toggle" onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? `Show the first ${FOLD_AT} only` : `Show all ${formatInt(rows.length)} classes`}
        </button>
      )}
    </section>
  );
}
