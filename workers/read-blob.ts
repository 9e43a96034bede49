// Reads a File/Blob into one Uint8Array, with a progress event before and after and cancel checks around it.
import { QbError } from '../src/shared/errors';
import type { ProgressSink } from './progress';

/**
 * Reads `blob` with Blob.arrayBuffer(): the browser allocates the buffer once at its final size and fills it
 * natively. (Streaming it chunk by chunk left a model's size of chunk garbage behind until the next GC: a 346 MB
 * model briefly cost twice its size.) A local file of that size reads in well under a second.
 * @throws QbError('too-large') when the browser cannot allocate the buffer, QbError('cancelled'),
 * QbError('truncated') when fewer bytes arrive than the file claims.
 */
export async function readBlob(blob: Blob, name: string, onProgress: ProgressSink, signal: AbortSignal): Promise<Uint8Array> {
  if (signal.aborted) throw new QbError('cancelled', 'Cancelled.');
  onProgress({ stage: 'read', doneBytes: 0, totalBytes: blob.size });
  let buffer: ArrayBuffer;
  try {
    buffer = await blob.arrayBuffer();
  } catch (err) {
    if (err instanceof RangeError || (err instanceof Error && /memory|allocat/i.test(err.message))) {
      throw new QbError('too-large', `"${name}" (${(blob.size / 1e6).toFixed(0)} MB) does not fit in this browser tab's memory. Close other tabs or use a smaller model.`, String(err));
    }
    throw new QbError('corrupt', `"${name}" could not be read: it may have been moved, deleted or changed. Choose it again.`, String(err));
  }
  if (signal.aborted) throw new QbError('cancelled', 'Cancelled.');
  if (buffer.byteLength !== blob.size) throw new QbError('truncated', `"${name}" could not be read completely (${buffer.byteLength} of ${blob.size} bytes). Choose it again.`);
  onProgress({ stage: 'read', doneBytes: blob.size, totalBytes: blob.size });
  return new Uint8Array(buffer);
}
