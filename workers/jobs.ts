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
}

/** Cooperative cancel: the job sees its signal aborted at its next check. Unknown ids are ignored. */
export function cancelJob(jobId: string): void {
  controllers.get(jobId)?.abort();
}

/** Throws QbError('cancelled') when the signal is aborted; yields first so a cancel message can arrive. */
export async function checkpoint(signal: AbortSignal): Promise<void> {
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
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
