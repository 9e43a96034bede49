// Random-input mode (speed and agreement tests only): default sizes for a model's open dims, checks of the
// user's choice, and seeded uniform samples. Pure and small: the store imports it for the form's defaults.
import { makeRng as mulberry32 } from '../shared/rng';
import type { Dim } from '../onnx/graph';
import type { TensorIO } from '../onnx/summary';
import { QbError } from '../shared/errors';
import type { RandomSamplesSpec, TensorSample } from './types';

/** Most values one random sample may hold (16 M floats = 64 MB): beyond that a tab runs out of memory. */
export const MAX_RANDOM_ELEMENTS = 16 * 1024 * 1024;
/** Most random samples one run draws. */
export const MAX_RANDOM_COUNT = 10_000;
/** Default number of random samples: enough for a stable mean time, quick to run. */
export const DEFAULT_RANDOM_COUNT = 16;
/** Default sizes of open dims: images get 224 pixels, everything else (audio, sequences) 1536 values. */
export const DEFAULT_IMAGE_SIZE = 224;
export const DEFAULT_SEQUENCE_SIZE = 1536;

/** A dim the user must size: its position, and the model's name for it ("batch", "samples") or null. */
export interface OpenDim {
  index: number;
  name: string | null;
}

export interface RandomDefaults {
  spec: RandomSamplesSpec;
  /** Dims the model leaves open (symbolic or unknown), in order; all of them when the shape is undeclared. */
  open: OpenDim[];
  /** False when the model declares no input shape: every dim is the user's guess. */
  shapeKnown: boolean;
  /** True when the input looks like an image ([N, C, H, W] or [N, H, W, C]). */
  imageLike: boolean;
}

/** A dim the model fixes (a positive number); symbolic names, null and 0/-1 are open. */
export function isFixedDim(d: Dim | undefined): d is number {
  return typeof d === 'number' && d > 0;
}

/** True for a rank-4 input: image models take [N, C, H, W] or [N, H, W, C]. */
export function looksLikeImageInput(shape: TensorIO['shape']): boolean {
  return shape !== null && shape.length === 4;
}

/**
 * Defaults for random inputs to a model's first input: fixed dims as declared; open ones 1 for the batch, 3 for
 * an image's channels, 224 for an image's height and width, 1536 otherwise (a real size such as 16000 audio
 * samples cannot be read from the model: the user edits it). Values uniform in [0, 1) for images (pixels after
 * x/255), [-1, 1) otherwise (audio waveforms, normalised features); seed 1.
 */
export function defaultRandomSpec(input: TensorIO | undefined): RandomDefaults {
  const shape = input?.shape ?? null;
  const imageLike = looksLikeImageInput(shape);
  const base = { count: DEFAULT_RANDOM_COUNT, seed: 1, min: imageLike ? 0 : -1, max: 1 };
  if (shape === null || shape.length === 0) {
    return { spec: { ...base, dims: [1, DEFAULT_SEQUENCE_SIZE] }, open: [{ index: 0, name: null }, { index: 1, name: null }], shapeKnown: false, imageLike };
  }
  // NHWC when the last dim is a channel count, else NCHW.
  const channelIndex = imageLike && isFixedDim(shape[3]) && [1, 3, 4].includes(shape[3]) ? 3 : 1;
  const open: OpenDim[] = [];
  const dims = shape.map((d, index) => {
    if (isFixedDim(d)) return d;
    open.push({ index, name: typeof d === 'string' && d !== '' ? d : null });
    if (index === 0) return 1;
    if (imageLike) return index === channelIndex ? 3 : DEFAULT_IMAGE_SIZE;
    return DEFAULT_SEQUENCE_SIZE;
  });
  return { spec: { ...base, dims }, open, shapeKnown: true, imageLike };
}

/** "[batch, samples]" / "[1, 3, 32, 32]" / "an undeclared shape". */
export function shapeText(shape: TensorIO['shape']): string {
  return shape === null ? 'an undeclared shape' : `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

/**
 * Checks a random-input spec against the model's first input, listing every problem in one plain message.
 * @throws QbError('bad-tensor') naming what to change.
 */
export function checkRandomSpec(spec: RandomSamplesSpec, input: TensorIO | undefined): void {
  const wrong: string[] = [];
  if (!Number.isSafeInteger(spec.count) || spec.count < 1 || spec.count > MAX_RANDOM_COUNT) wrong.push(`the number of samples must be a whole number from 1 to ${MAX_RANDOM_COUNT}`);
  if (spec.dims.length === 0 || spec.dims.some((d) => !Number.isSafeInteger(d) || d < 1)) wrong.push('every size must be a whole number of at least 1');
  const shape = input?.shape ?? null;
  if (shape !== null && shape.length > 0) {
    if (spec.dims.length !== shape.length) wrong.push(`the model's input has ${shape.length} dimensions ${shapeText(shape)}, not ${spec.dims.length}`);
    else {
      shape.forEach((d, i) => {
        if (isFixedDim(d) && spec.dims[i] !== d) wrong.push(`dimension ${i + 1} must be ${d} (the model fixes it), not ${spec.dims[i]}`);
      });
    }
  }
  const elements = spec.dims.reduce((a, b) => a * b, 1);
  if (elements > MAX_RANDOM_ELEMENTS) wrong.push(`one sample of [${spec.dims.join(', ')}] holds ${elements.toLocaleString('en')} values, more than the ${MAX_RANDOM_ELEMENTS.toLocaleString('en')} a browser tab handles well`);
  if (!Number.isFinite(spec.min) || !Number.isFinite(spec.max) || spec.min >= spec.max) wrong.push('the value range needs a lowest value below the highest');
  if (!Number.isSafeInteger(spec.seed)) wrong.push('the seed must be a whole number');
  if (wrong.length > 0) throw new QbError('bad-tensor', `These random inputs cannot be made: ${wrong.join('; ')}.`);
}


/** Name of random sample `i` (0-based) of `count`: "random-01" … "random-16", zero-padded so they sort. */
export function randomSampleName(i: number, count: number): string {
  return `random-${String(i + 1).padStart(Math.max(2, String(count).length), '0')}`;
}

/**
 * Draws the samples one at a time (a long run never holds them all): float32 uniform in [min, max), C order,
 * from mulberry32(seed), so the same spec gives the same numbers in the browser and in Node.
 */
export function* randomSamples(spec: RandomSamplesSpec): Generator<TensorSample> {
  const rng = mulberry32(spec.seed);
  const size = spec.dims.reduce((a, b) => a * b, 1);
  const span = spec.max - spec.min;
  for (let i = 0; i < spec.count; i++) {
    const data = new Float32Array(size);
    for (let j = 0; j < size; j++) data[j] = spec.min + span * rng();
    yield { name: randomSampleName(i, spec.count), dims: [...spec.dims], data };
  }
}
