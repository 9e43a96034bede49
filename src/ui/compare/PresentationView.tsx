// Full-window dark presentation of one run: huge headline numbers per variant, verdicts, and the FPS chart.
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { createPortal } from 'react-dom';
import type { RunReport } from '../../state/report/types';
import { VARIANT_COLOR_ON_DARK } from './compare-colors';
import { formatFps } from '../../state/report/format';
import { baselineHeadlines, toneWord, variantHeadlines } from './compare-words';
import { FpsBars } from './FpsChart';
import './compare.css';

export interface PresentationViewProps {
  report: RunReport;
  onClose(): void;
}

/** Chart fonts against the dashboard's: read from across a room. */
const CHART_SCALE = 1.3;

export function PresentationView({ report, onClose }: PresentationViewProps) {
  const closeRef = useRef<HTMLButtonElement>(null);
  const dialogRef = useRef<HTMLDivElement>(null);
  // The latest onClose without re-running the effect (the app passes a new arrow on every render).
  const onCloseRef = useRef(onClose);
  useEffect(() => {
    onCloseRef.current = onClose;
  }, [onClose]);

  useEffect(() => {
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    closeRef.current?.focus();
    // The page underneath must not scroll behind the overlay (a wheel on the chart would move it).
    const overflow = document.body.style.overflow;
    document.body.style.overflow = 'hidden';
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        onCloseRef.current();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.body.style.overflow = overflow;
      before?.focus();
    };
  }, []);

  /** Keeps Tab inside the dialog (aria-modal: the page behind is inert to the reader). */
  const trapTab = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'Tab' || dialogRef.current === null) return;
    const focusables = [...dialogRef.current.querySelectorAll<HTMLElement>('button, [href], [tabindex]:not([tabindex="-1"])')];
    const first = focusables[0];
    const last = focusables.at(-1);
    if (first === undefined || last === undefined) return;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };

  const fp32 = report.variants.find((v) => v.id === 'fp32');
  const others = report.variants.filter((v) => v.id !== 'fp32');
  const measured = report.variants.some((v) => v.speed !== null);

  return createPortal(
    <div ref={dialogRef} className="present" role="dialog" aria-modal="true" aria-label="Presentation" data-testid="presentation" onKeyDown={trapTab}>
      <header className="present-head">
        <div className="present-title">
          <h2 className="present-model" data-testid="present-model">
            {report.model.fileName}
          </h2>
          <p className="present-context">
            {report.environment === null ? 'speed not measured' : `Speed on ${report.environment.description}`} · quality on {report.dataset.description}
          </p>
        </div>
        <button ref={closeRef} type="button" className="present-close" data-testid="present-close" onClick={onClose}>
          Close <span className="present-key">Esc</span>
        </button>
      </header>

      {fp32 !== undefined && (
        <p className="present-baseline" data-testid="present-baseline">
          <span className="present-baseline-name" style={{ color: VARIANT_COLOR_ON_DARK.fp32 }}>
            Baseline: {fp32.label}
          </span>
          {baselineHeadlines(fp32).map((h) => (
            <span key={h.words}>
              <strong>{h.value}</strong> {h.words}
            </span>
          ))}
        </p>
      )}

      <div className="present-variants">
        {others.map((v) => (
          <section key={v.id} className={`present-variant is-${v.tone}`} data-testid="present-variant" data-variant={v.id} aria-labelledby={`present-${v.id}`}>
            <h3 id={`present-${v.id}`} className="present-variant-name" style={{ color: VARIANT_COLOR_ON_DARK[v.id] }}>
              {v.label}
              <span className="present-tone">{toneWord(v)}</span>
            </h3>
            <div className="present-numbers">
              {variantHeadlines(v).map((h) => (
                <p key={h.words} className="present-number">
                  <span className="present-value">{h.value}</span>
                  <span className="present-words">{h.words}</span>
                </p>
              ))}
            </div>
            <p className="present-verdict">{v.verdict}</p>
          </section>
        ))}
      </div>

      <figure className="present-chart" data-testid="present-chart">
        <figcaption>Inferences per second, one at a time (taller is faster)</figcaption>
        {measured ? (
          <div className="present-plot" role="img" aria-label={`Inferences per second: ${report.variants.map((v) => `${v.label} ${v.speed === null ? 'not measured' : formatFps(v.speed.fps)}`).join(', ')}`}>
            <div className="present-plot-fill">
              <FpsBars variants={report.variants} theme="dark" height="100%" scale={CHART_SCALE} />
            </div>
          </div>
        ) : (
          <p className="present-empty">Speed not measured in this run.</p>
        )}
      </figure>
    </div>,
    document.body,
  );
}
