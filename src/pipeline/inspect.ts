// Inspect job: model bytes (+ external-data files) -> ModelCard. Same code in the model worker and the CLI.
import { decodeModel } from '../onnx/model-io';
import { summarizeModel, type ModelCard } from '../onnx/summary';
import { externalDataRef, isExternal } from '../onnx/tensor-data';
import { forEachWeight } from '../onnx/graph';
import { QbError } from '../shared/errors';

/** Last path segment, so "weights/model.onnx.data" matches a dropped file named "model.onnx.data". */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}

/**
 * Decodes a model and builds its card, checking that every external-data file it names was supplied and
 * is long enough. `externalSizes` maps a supplied file's name to its size in bytes.
 * @throws QbError: decode errors, 'missing-external-data', 'bad-external-data'.
 */
export function inspectModel(fileName: string, bytes: Uint8Array, externalSizes: Record<string, number> = {}): ModelCard {
  const model = decodeModel(bytes, fileName);
  const byBase = new Map(Object.entries(externalSizes).map(([name, size]) => [baseName(name), size]));
  const sizes: Record<string, number> = {};
  const missing = new Set<string>();
  forEachWeight(model.graph!, (t) => {
    if (!isExternal(t)) return;
    const ref = externalDataRef(t);
    const size = externalSizes[ref.location] ?? byBase.get(baseName(ref.location));
    if (size === undefined) {
      missing.add(ref.location);
      return;
    }
    sizes[ref.location] = size;
    const end = ref.offset + (ref.length ?? 0);
    if (!Number.isSafeInteger(end) || end > size) {
      throw new QbError(
        'bad-external-data',
        `The weights file "${ref.location}" is shorter than the model expects (${size} bytes, needs ${end}). It may be truncated or belong to another model.`,
      );
    }
  });
  if (missing.size > 0) {
    const names = [...missing].map((n) => `"${n}"`).join(', ');
    throw new QbError(
      'missing-external-data',
      `"${fileName}" keeps its weights in a separate file (${names}). Drop or choose that file together with the .onnx file.`,
    );
  }
  return summarizeModel(model, fileName, bytes.byteLength, sizes);
}
