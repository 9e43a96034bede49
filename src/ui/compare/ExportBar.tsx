// The run's exports: each variant's .onnx, the report as HTML / JSON / CSV, and the CLI commands with Copy.
import { useEffect, useRef, useState } from 'react';
import { reportCsv, reportFileBase, reportHtml, reportJson } from '../../state/report/export';
import { formatBytes } from '../../state/report/format';
import type { RunReport, VariantId } from '../../state/report/types';
import type { VariantDownload } from '../../state/workflow-types';
import { VARIANT_ORDER, VARIANT_SHORT } from './compare-colors';
import { saveText } from './download';

/** How long "Copied" replaces "Copy". */
const COPIED_SHOWN_MS = 2000;

export interface ExportBarProps {
  report: RunReport;
  downloads: Partial<Record<VariantId, VariantDownload>>;
}

export function ExportBar({ report, downloads }: ExportBarProps) {
  const files = VARIANT_ORDER.flatMap((id) => {
    const d = downloads[id];
    return d === undefined ? [] : [{ id, d }];
  });
  const base = reportFileBase(report);
  return (
    <section className="compare-export panel" aria-labelledby="compare-export-h" data-testid="export-bar">
      <h3 id="compare-export-h" className="compare-section-title">
        Take it with you
      </h3>
      <div className="compare-export-groups">
        {files.length > 0 && (
          <div className="compare-export-group">
            <span className="compare-export-label">Models</span>
            <div className="compare-export-buttons">
              {files.map(({ id, d }) => (
                <a key={id} className="btn btn-secondary" data-testid={`download-variant-${id}`} download={d.fileName} href={d.url}>
                  Download {VARIANT_SHORT[id]} .onnx ({formatBytes(d.sizeBytes)})
                </a>
              ))}
            </div>
          </div>
        )}
        <div className="compare-export-group">
          <span className="compare-export-label">Report</span>
          <div className="compare-export-buttons">
            <button type="button" className="btn btn-primary" data-testid="download-report-html" onClick={() => saveText(`${base}.html`, reportHtml(report), 'text/html;charset=utf-8')}>
              Report for stakeholders (HTML, opens offline)
            </button>
            <button type="button" className="btn btn-secondary" data-testid="download-report-json" onClick={() => saveText(`${base}.json`, reportJson(report), 'application/json')}>
              Report (JSON)
            </button>
            <button type="button" className="btn btn-secondary" data-testid="download-report-csv" onClick={() => saveText(`${base}.csv`, reportCsv(report), 'text/csv;charset=utf-8')}>
              Report (CSV)
            </button>
          </div>
        </div>
      </div>
      {report.cli.length > 0 && <CliCommands lines={report.cli} />}
    </section>
  );
}

function CliCommands({ lines }: { lines: readonly string[] }) {
  const preRef = useRef<HTMLPreElement>(null);
  const timerRef = useRef<number | null>(null);
  const [state, setState] = useState<'idle' | 'copied' | 'selected'>('idle');
  const text = lines.join('\n');

  useEffect(
    () => () => {
      if (timerRef.current !== null) window.clearTimeout(timerRef.current);
    },
    [],
  );

  const show = (next: 'copied' | 'selected') => {
    setState(next);
    if (timerRef.current !== null) window.clearTimeout(timerRef.current);
    timerRef.current = window.setTimeout(() => setState('idle'), COPIED_SHOWN_MS);
  };

  /** Without the Clipboard API (insecure context, denied permission) the text is selected for Ctrl+C instead. */
  const selectText = () => {
    const pre = preRef.current;
    const selection = window.getSelection();
    if (pre === null || selection === null) return;
    const range = document.createRange();
    range.selectNodeContents(pre);
    selection.removeAllRanges();
    selection.addRange(range);
    show('selected');
  };

  const copy = () => {
    if (navigator.clipboard?.writeText === undefined) {
      selectText();
      return;
    }
    navigator.clipboard.writeText(text).then(() => show('copied'), selectText);
  };

  return (
    <div className="compare-cli">
      <div className="compare-cli-head">
        <span className="compare-export-label">Run it again from a terminal</span>
        <button type="button" className="btn btn-ghost btn-small" data-testid="copy-cli" onClick={copy}>
          {state === 'copied' ? 'Copied' : 'Copy'}
        </button>
        <span className="compare-cli-status" role="status">
          {state === 'selected' ? 'Selected: press Ctrl+C (⌘C) to copy.' : state === 'copied' ? 'Commands copied.' : ''}
        </span>
      </div>
      <pre ref={preRef} className="compare-cli-pre mono" data-testid="cli-command" tabIndex={0} aria-label="Commands that reproduce this run">
        {text}
      </pre>
    </div>
  );
}
