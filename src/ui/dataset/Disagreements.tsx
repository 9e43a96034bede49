// Images where the variant's top class differs from the reference's, as thumbnails with both predictions.
import type { EvalReport } from '../../data/types';
import { formatInt } from '../format';
import type { ClassNamer } from './class-names';

interface DisagreementsProps {
  items: EvalReport['disagreements'];
  urls: ReadonlyMap<string, string>;
  className: ClassNamer;
  /** Total disagreeing images (the list holds the first 100). */
  total: number;
}

export function Disagreements({ items, urls, className, total }: DisagreementsProps) {
  if (items.length === 0) return null;
  return (
    <section className="disagreements" aria-labelledby="disagree-h">
      <h4 id="disagree-h">
        Where they disagree <span className="muted count-badge">{total > items.length ? `first ${items.length} of ${formatInt(total)}` : formatInt(items.length)} images</span>
      </h4>
      <ul className="disagree-grid">
        {items.map((d) => {
          const url = urls.get(d.name);
          const file = d.name.split('/').pop() ?? d.name;
          return (
            <li key={d.name} className="disagree-tile" data-testid="disagreement" data-name={d.name} data-reference={d.reference} data-predicted={d.predicted} title={d.name}>
              {url !== undefined ? <img src={url} alt={file} loading="lazy" decoding="async" /> : <span className="thumb-missing">no preview</span>}
              {d.label >= 0 && (
                <span className="tile-label" title="True label">
                  {className(d.label)}
                </span>
              )}
              <span className={d.label >= 0 && d.reference === d.label ? 'tile-pred ok-text' : 'tile-pred'} title="Reference prediction">
                <span className="tile-key">ref</span> {className(d.reference)}
              </span>
              <span className={d.label >= 0 && d.predicted === d.label ? 'tile-pred ok-text' : 'tile-pred bad-text'} title="Variant prediction">
                <span className="tile-key">var</span> {className(d.predicted)}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
