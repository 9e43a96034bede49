// Progress of the running job (model load, demo, dataset, evaluation): stage, bar (determinate or not), detail, ETA and Cancel.
import type { ProgressView } from '../state/progress-view';
import { formatEta } from './format';
import { useRevealOnMount } from './useRevealOnMount';

interface ProgressPanelProps {
  /** Null before the first progress event arrives. */
  progress: ProgressView | null;
  /** Shown while `progress` is null, e.g. "Loading squeezenet.onnx". */
  fallbackLabel: string;
  /** Absent for short jobs that cannot be cancelled: no Cancel button. */
  onCancel?: () => void;
}

export function ProgressPanel({ progress, fallbackLabel, onCancel }: ProgressPanelProps) {
  const fraction = progress?.fraction ?? null;
  const label = progress?.label ?? fallbackLabel;
  const percent = fraction === null ? null : Math.round(Math.min(1, Math.max(0, fraction)) * 100);
  const eta = progress?.etaSeconds ?? null;
  const ref = useRevealOnMount<HTMLElement>(null);

  return (
    <section ref={ref} className="panel progress-panel" data-testid="progress" aria-live="polite" aria-busy="true">
      <div className="progress-head">
        <span className="spinner" aria-hidden="true" />
        <span className="progress-stage" data-testid="progress-stage">
          {label}
          {percent !== null && <span className="progress-percent"> · {percent}%</span>}
        </span>
        {onCancel !== undefined && (
          <button type="button" className="btn btn-ghost btn-small" data-testid="cancel-button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
      <div
        className={percent === null ? 'progress-track is-indeterminate' : 'progress-track'}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent ?? undefined}
        aria-valuetext={percent === null ? `${label}: working…` : `${label}: ${percent}%`}
      >
        <div className="progress-fill" style={percent === null ? undefined : { width: `${percent}%` }} />
      </div>
      {(progress?.detail || eta !== null) && (
        <p className="progress-detail">
          {progress?.detail}
          {progress?.detail && eta !== null && ' · '}
          {eta !== null && formatEta(eta)}
        </p>
      )}
    </section>
  );
}
