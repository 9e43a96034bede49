// Locates ../shared/data for golden tests: fails loudly in CI (QB_CI=1), skips with a clear reason elsewhere.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Absolute path of the shared data folder (MANIFEST.md, models/, images/, labels/). */
export const SHARED_DATA_DIR = resolve(here, '../../shared/data');

/** True when the shared data is present. In CI its absence is an error, never a silent skip. */
export function hasSharedData(): boolean {
  const ok = existsSync(resolve(SHARED_DATA_DIR, 'MANIFEST.md'));
  if (!ok && process.env.QB_CI === '1') {
    throw new Error(`Shared data missing at ${SHARED_DATA_DIR}: CI must have ../shared beside the clone.`);
  }
  if (!ok) console.warn(`[skip] ${SHARED_DATA_DIR} not found: tests on real models are skipped on this clone.`);
  return ok;
}

/** Path of a file in the shared data folder. */
export function sharedPath(...parts: string[]): string {
  return resolve(SHARED_DATA_DIR, ...parts);
}

/** The shared ONNX models (file names in models/). */
export const SHARED_MODELS = [
  'squeezenet1.1-7-fp32-upcast.onnx',
  'squeezenet1.1-7-winml-fp16.onnx',
  'resnet20-cifar10-ace.onnx',
  'silero-vad-mini-transformer.onnx',
  'yolox-nano.onnx',
  'deeplabv3-mobilenetv2-257.onnx',
] as const;
