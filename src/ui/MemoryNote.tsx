// Before a job starts on a big model: the memory it will need (by parts) and, when this browser cannot hold it,
// why the button is disabled. Small models say nothing (their jobs fit anywhere).
import type { ModelCard } from '../onnx/summary';
import { estimateJobMemory, formatMemory, judgeMemory, type MemoryEstimate, type MemoryJob, type MemoryVerdict, type ModelMemoryFacts } from '../shared/memory-estimate';

/** Jobs needing less than this are not worth a line. */
const SHOW_FROM_BYTES = 256e6;

/** The card's numbers the memory estimate needs. */
export function memoryFacts(card: ModelCard): ModelMemoryFacts {
  return {
    fileBytes: card.fileSizeBytes + card.externalData.reduce((s, e) => s + e.bytes, 0),
    floatWeightBytes: card.bytesByDtype.find((d) => d.dtype === 'float32')?.bytes ?? 0,
    weightBytes: card.weightBytes,
    peakNodeBytes: card.activations.peakNodeBytes,
    activationSumBytes: card.activations.totalBytes,
  };
}

function deviceMemoryGb(): number | null {
  const nav = typeof navigator !== 'undefined' ? (navigator as Navigator & { deviceMemory?: number }) : undefined;
  return typeof nav?.deviceMemory === 'number' ? nav.deviceMemory : null;
}

/** The estimate for `job` on this model and whether this browser can hold it. */
export function memoryFor(card: ModelCard, job: MemoryJob): { estimate: MemoryEstimate; verdict: MemoryVerdict } {
  const estimate = estimateJobMemory(job, memoryFacts(card));
  return { estimate, verdict: judgeMemory(estimate, { deviceMemoryGb: deviceMemoryGb() }) };
}

export function MemoryNote({ card, job }: { card: ModelCard; job: MemoryJob }) {
  const { estimate, verdict } = memoryFor(card, job);
  if (verdict.fits && verdict.warning === null && estimate.totalBytes < SHOW_FROM_BYTES) return null;
  const unknown = card.activations.unknownTensors > 0 ? ' (at least: some activation sizes could not be worked out before running)' : '';
  const mb = (b: number): string => String(Math.round(b / 1e6));
  return (
    <p
      className={`notice ${verdict.fits ? (verdict.warning === null ? 'notice-info' : 'notice-amber') : 'notice-red'} memory-note`}
      data-testid="memory-estimate"
      data-needed-mb={mb(estimate.totalBytes)}
      data-engine-mb={mb(estimate.engineBytes)}
      data-fits={String(verdict.fits)}
    >
      <strong>Needs about {formatMemory(estimate.totalBytes)} of memory{unknown}:</strong>{' '}
      {/* Parts under 1 MB (a tiny file with huge activations) would read "0 MB": left out. */}
      {estimate.parts.filter((p) => p.bytes >= 1e6).map((p) => `${p.what} ${formatMemory(p.bytes)}`).join(', ')}.{' '}
      {verdict.fits ? (verdict.warning ?? 'This browser can hold it.') : verdict.reason}
    </p>
  );
}
