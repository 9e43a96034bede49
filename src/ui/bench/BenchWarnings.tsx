// What may have skewed the benchmark, in plain words, with what to do about it; one item per kind of warning,
// naming the measurements it concerns. Says so when there is nothing to worry about.
import type { BenchWarning } from '../../runtime/bench-types';
import type { BenchEntry } from '../../state/bench-view';

const WARNING_WORDS: Record<BenchWarning['kind'], { title: string; todo: string }> = {
  noisy: { title: 'The timings varied a lot', todo: 'Close other tabs and programs, keep this tab in front, and re-run.' },
  hidden: { title: 'The tab was in the background', todo: 'Keep this tab visible while the benchmark runs, and re-run.' },
  devtools: { title: 'The developer tools seem to be open', todo: 'Close the developer tools and re-run: they slow pages down.' },
  'not-isolated': {
    title: 'Only one thread could be used',
    todo: 'Serve the app with the cross-origin isolation headers (COOP and COEP, see the README) to use every core.',
  },
  'fixed-batch': {
    title: 'The batch size is fixed in this model',
    todo: 'Batch sizes can only be swept when the model has a free batch dimension: export it with a dynamic batch axis to try larger batches.',
  },
  'warmup-unstable': {
    title: 'The timings never settled during warm-up',
    todo: 'Something else may be using the processor: close it, or choose a longer time budget, and re-run.',
  },
};

const ORDER: BenchWarning['kind'][] = ['hidden', 'devtools', 'noisy', 'warmup-unstable', 'not-isolated', 'fixed-batch'];

interface Grouped {
  kind: BenchWarning['kind'];
  /** The engine's specifics, per measurement label. */
  details: { where: string; message: string }[];
}

export function BenchWarnings({ entries, labels }: { entries: readonly BenchEntry[]; labels: readonly string[] }) {
  const byKind = new Map<BenchWarning['kind'], Grouped>();
  entries.forEach((e, i) => {
    for (const w of e.result.run.warnings) {
      const g = byKind.get(w.kind) ?? { kind: w.kind, details: [] };
      g.details.push({ where: labels[i] ?? e.key, message: w.message });
      byKind.set(w.kind, g);
    }
  });
  const groups = ORDER.flatMap((k) => {
    const g = byKind.get(k);
    return g === undefined ? [] : [g];
  });

  return (
    <section className="bench-warnings" data-testid="bench-warnings" data-count={groups.length} aria-labelledby="bench-warnings-h">
      <h4 id="bench-warnings-h">{groups.length === 0 ? 'How far to trust these numbers' : 'Before you trust these numbers'}</h4>
      {groups.length === 0 ? (
        <p className="notice notice-green bench-no-warnings">No warnings: the tab stayed in front, and the timings settled during warm-up and stayed steady.</p>
      ) : (
        <ul className="bench-warning-list">
          {groups.map((g) => {
            const where = [...new Set(g.details.map((d) => d.where))];
            const messages = [...new Set(g.details.map((d) => d.message))];
            const single = messages.length === 1 ? (messages[0] ?? null) : null;
            const title = WARNING_WORDS[g.kind].title;
            return (
              <li key={g.kind} className="notice notice-amber" data-testid="bench-warning" data-kind={g.kind}>
                {/* The engine's sentence carries the measured numbers and what to do: one is shown as it is (its opening
                    words in bold when they already say the title); several, one per measurement, give way to the title
                    and short advice, with the sentences folded away. */}
                {single !== null && single.toLowerCase().startsWith(title.toLowerCase()) ? (
                  <p className="bench-warning-detail">
                    <strong className="bench-warning-title">{single.slice(0, title.length)}</strong>
                    {where.length > 1 && <span className="bench-warning-where"> ({where.join(', ')})</span>}
                    {single.slice(title.length)}
                  </p>
                ) : (
                  <>
                    <p className="bench-warning-title">
                      {title}
                      {entries.length > 1 && <span className="bench-warning-where"> ({where.join(', ')})</span>}
                    </p>
                    <p className={single !== null ? 'bench-warning-detail' : 'bench-warning-todo'}>{single ?? WARNING_WORDS[g.kind].todo}</p>
                  </>
                )}
                {messages.length > 1 && (
                  <details className="bench-warning-details">
                    <summary>What was measured</summary>
                    <ul>
                      {g.details.map((d) => (
                        <li key={`${d.where}-${d.message}`}>
                          <strong>{d.where}:</strong> {d.message}
                        </li>
                      ))}
                    </ul>
                  </details>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
