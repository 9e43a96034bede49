// The results table, one row per variant, cells named by data-field with the same strings as the HTML report.
import type { RunReport } from '../../state/report/types';
import { VARIANT_COLOR } from './compare-colors';
import { DASHBOARD_COLUMNS, resultCells } from './compare-words';


/**
 * The benchmark's warnings, one line per kind: "FP32 (original): the timings varied a lot (…); INT8: … — something
 * else was using the processor. Close other tabs…". The advice after the first ": " is said once, not per variant.
 */
function groupWarnings(report: RunReport): string[] {
  const byAdvice = new Map<string, string[]>();
  for (const v of report.variants) {
    for (const w of v.speed?.warnings ?? []) {
      const cut = w.indexOf(': ');
      const head = cut > 0 ? w.slice(0, cut) : w;
      const advice = cut > 0 ? w.slice(cut + 2) : '';
      byAdvice.set(advice, [...(byAdvice.get(advice) ?? []), `${v.label}: ${head.charAt(0).toLowerCase()}${head.slice(1)}`]);
    }
  }
  return [...byAdvice.entries()].map(([advice, heads]) => `${heads.join('; ')}${advice !== '' ? ` — ${advice}` : ''}`);
}

export function ResultsTable({ report }: { report: RunReport }) {
  const where = report.environment === null ? 'speed not measured' : `speed on ${report.environment.description}`;
  const warnings = groupWarnings(report);
  return (
    <div className="compare-table-wrap panel">
      <div className="compare-table-scroll">
        <table className="compare-table" data-testid="results-table">
          <caption>
            All results of this run: {where}; quality on {report.dataset.description}. “Smaller” and “Faster” are against FP32; — means not measured.
          </caption>
          <thead>
            <tr>
              <th scope="col">Variant</th>
              {DASHBOARD_COLUMNS.map((c) => (
                <th key={c.field} scope="col" data-field={c.field}>
                  {c.header}
                  <span className="compare-th-sub">{c.sub}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {report.variants.map((v) => {
              const cells = resultCells(v);
              return (
                <tr key={v.id} data-testid="result-row" data-variant={v.id}>
                  <th scope="row">
                    <span className="compare-row-name">
                      <span className="compare-swatch" style={{ background: VARIANT_COLOR[v.id] }} aria-hidden="true" />
                      {v.label}
                    </span>
                    <span className="compare-row-file" title={v.fileName}>
                      {v.fileName}
                    </span>
                  </th>
                  {DASHBOARD_COLUMNS.map((c) => (
                    <td key={c.field} data-field={c.field}>
                      {cells[c.field]}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {warnings.length > 0 && (
        <ul className="compare-table-notes" data-testid="bench-notes" aria-label="Benchmark notes">
          {warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
