// Reads a File/Blob into one Uint8Array with byte progress and cancel checks between chunks.
import { QbError } from '../src/shared/errors';
import type { ProgressSink } from './progress';

/**
 * Streams `blob` into a buffer allocated once at its final size (no growing copies).
 * @throws QbError('too-large') when the browser cannot allocate the buffer, QbError('cancelled').
 */
export async function readBlob(blob: Blob, name: string, onProgress: ProgressSink, signal: AbortSignal): Promise<Uint8Array> {
  let out: Uint8Array;
  try {
    out = new Uint8Array(blob.size);
  } catch (err) {
    throw new QbError('too-large', `"${name}" (${(blob.size / 1e6).toFixed(0)} MB) does not fit in this browser tab's memory. Close other tabs or use a smaller model.`, String(err));
  }
  const reader = blob.stream().getReader();
  let done = 0;
  onProgress({ stage: 'read', doneBytes: 0, totalBytes: blob.size });
  for (;;) {
    if (signal.aborted) {
      await reader.cancel();
      throw new QbError('cancelled', 'Cancelled.');
    }
    const chunk = await reader.read();
    if (chunk.done) break;
    if (done + chunk.value.byteLength > out.byteLength) throw new QbError('corrupt', `"${name}" changed while it was being read. Choose it again.`);
    out.set(chunk.value, done);
    done += chunk.value.byteLength;
    onProgress({ stage: 'read', doneBytes: done, totalBytes: blob.size });
  }
  if (done !== out.byteLength) throw new QbError('truncated', `"${name}" could not be read completely (${done} of ${out.byteLength} bytes). Choose it again.`);
  return out;
}
