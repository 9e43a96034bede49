// Worker-side job registry for cooperative cancel: each call gets an AbortSignal the client can trip by id.
import { QbError } from '../src/shared/errors';

const controllers = new Map<string, AbortController>();

/** Starts a job and returns its signal; call `endJob` in a finally block. */
export function beginJob(jobId: string): AbortSignal {
  const c = new AbortController();
  controllers.set(jobId, c);
  return c.signal;
}

export function endJob(jobId: string): void {
  controllers.delete(jobId);
  stops.delete(jobId);
}

/** Jobs asked to stop searching and keep what they have (softer than cancel: the job still returns a result). */
const stops = new Set<string>();

/** Asks job `jobId` to stop its search at the next model and keep the best found so far. Unknown ids are ignored. */
export function stopJob(jobId: string): void {
  if (controllers.has(jobId)) stops.add(jobId);
}

/** True once stopJob was called for this job. */
export function stopRequested(jobId: string): boolean {
  return stops.has(jobId);
}

/** Cooperative cancel: the job sees its signal aborted at its next check. Unknown ids are ignored. */
export function cancelJob(jobId: string): void {
  controllers.get(jobId)?.abort();
}

/** Yield to the event loop at most this often: browsers clamp nested setTimeout(0) to >= 4 ms, which cost
 *  as much as a small model's inference when paid on every image. */
const YIELD_EVERY_MS = 30;
let lastYieldMs = -Infinity;

/**
 * Throws QbError('cancelled') when the signal is aborted. Yields to the event loop (so a cancel message
 * can arrive) when the last yield is older than YIELD_EVERY_MS.
 */
export async function checkpoint(signal: AbortSignal): Promise<void> {
  const now = performance.now();
  if (now - lastYieldMs >= YIELD_EVERY_MS) {
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    lastYieldMs = performance.now();
  }
  if (signal.aborted) throw new QbError('cancelled', 'Cancelled.');
}

/** Runs `work` as job `jobId` with a fresh signal, always unregistering it. */
export async function runJob<T>(jobId: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const signal = beginJob(jobId);
  try {
    return await work(signal);
  } finally {
    endJob(jobId);
  }
}
