// A failed job, in plain words: the message, optional technical details, and a dismiss button.
import type { QbErrorData } from '../shared/errors';
import { useRevealOnMount } from './useRevealOnMount';

interface ErrorBannerProps {
  /** A QbErrorData, or the same shape with a code from another layer (dataset, evaluation). */
  error: Pick<QbErrorData, 'message' | 'detail'> & { code: string };
  /** What failed, e.g. "The model could not be loaded". */
  title: string;
  onDismiss: () => void;
}

export function ErrorBanner({ error, title, onDismiss }: ErrorBannerProps) {
  const ref = useRevealOnMount<HTMLElement>(error);
  return (
    <section ref={ref} className="banner banner-error" role="alert" data-testid="error-banner" data-code={error.code}>
      <svg className="banner-icon" viewBox="0 0 20 20" width="20" height="20" aria-hidden="true">
        <circle cx="10" cy="10" r="9" fill="currentColor" />
        <path d="M10 5.5v5.5" stroke="#fff" strokeWidth="2" strokeLinecap="round" />
        <circle cx="10" cy="14.5" r="1.2" fill="#fff" />
      </svg>
      <div className="banner-body">
        <p className="banner-title">{title}</p>
        <p className="banner-message" data-testid="error-message">
          {error.message}
        </p>
        {error.detail !== undefined && error.detail !== '' && (
          <details className="banner-details">
            <summary>Details</summary>
            <pre>{error.detail}</pre>
          </details>
        )}
      </div>
      <button type="button" className="btn btn-ghost btn-small banner-dismiss" data-testid="error-dismiss" onClick={onDismiss} aria-label="Dismiss this message">
        Dismiss
      </button>
    </section>
  );
}
