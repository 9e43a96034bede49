// Which of several dropped files is the model, and which are its companions (external data).
import { QbError } from './errors';

/**
 * Models at least this large (with their weight files) get a fresh worker per job: the WebAssembly memory a job grew
 * to is given back when its worker ends, never before.
 */
export const BIG_MODEL_BYTES = 64 * 2 ** 20;

/** True when the files together are a big model (BIG_MODEL_BYTES). */
export function isBigModel(files: readonly { size: number }[]): boolean {
  return files.reduce((sum, f) => sum + f.size, 0) >= BIG_MODEL_BYTES;
}

export interface NamedSize {
  name: string;
  size: number;
}

/**
 * Picks the model among dropped files: the first ending in .onnx (or .ort), else the only file.
 * @throws QbError('not-onnx') when several files were dropped and none looks like a model.
 */
export function pickModelFile<T extends NamedSize>(files: readonly T[]): { model: T; others: T[] } {
  if (files.length === 0) throw new QbError('empty-file', 'No file was chosen.');
  const idx = files.findIndex((f) => /\.(onnx|ort)$/i.test(f.name));
  if (idx < 0 && files.length > 1) {
    throw new QbError('not-onnx', `None of the ${files.length} files is an ONNX model (a file ending in .onnx). Choose the .onnx file, plus its weights file if it has one.`);
  }
  const at = idx < 0 ? 0 : idx;
  return { model: files[at]!, others: files.filter((_, i) => i !== at) };
}
