// One card per variant: name, verdict, 2–3 big numbers, and the tone as a colour bar and a word.
import type { VariantResult } from '../../state/report/types';
import { VARIANT_COLOR } from './compare-colors';
import { toneWord, variantHeadlines } from './compare-words';

export function VerdictCards({ variants }: { variants: readonly VariantResult[] }) {
  return (
    <div className="compare-cards" data-testid="verdict-cards">
      {variants.map((v) => (
        <VerdictCard key={v.id} variant={v} />
      ))}
    </div>
  );
}

function VerdictCard({ variant: v }: { variant: VariantResult }) {
  const headlines = variantHeadlines(v);
  return (
    <article className={`compare-card panel is-${v.tone}`} data-testid="verdict-card" data-variant={v.id} data-tone={v.tone} aria-labelledby={`compare-card-${v.id}`}>
      <header className="compare-card-head">
        <h3 id={`compare-card-${v.id}`} className="compare-card-label">
          <span className="compare-swatch" style={{ background: VARIANT_COLOR[v.id] }} aria-hidden="true" />
          {v.label}
        </h3>
        <span className="compare-tone" data-testid="verdict-tone">
          {toneWord(v)}
        </span>
      </header>
      <dl className="compare-card-numbers">
        {headlines.map((h) => (
          <div key={h.words}>
            <dt>{h.words}</dt>
            <dd>{h.value}</dd>
          </div>
        ))}
      </dl>
      <p className="compare-card-verdict" data-testid="verdict-text">
        {v.verdict}
      </p>
      {v.notes.length > 0 && (
        <ul className="compare-card-notes">
          {v.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </article>
  );
}
