// Model card blockers: problems that stop the model from running in the browser, as red notices.
import type { QbErrorData } from '../../shared/errors';

export function Blockers({ blockers }: { blockers: QbErrorData[] }) {
  if (blockers.length === 0) return null;
  return (
    <ul className="blockers" aria-label="Problems">
      {blockers.map((b, i) => (
        <li key={`${b.code}-${i}`} className="notice notice-red" data-testid="card-blocker" data-code={b.code}>
          <strong>Can't run in the browser.</strong> {b.message}
        </li>
      ))}
    </ul>
  );
}
