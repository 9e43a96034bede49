// Calibration and check inputs for an INT8 job, from the user's dataset (images decoded ahead, .npy/.npz tensors,
// seeded random inputs) or, without a dataset, seeded random check inputs. The two sets never share a sample.
import { defaultRandomSpec, randomSamples } from '../src/data/random-inputs';
import { feedableInput } from '../src/data/tensor-samples';
import type { TensorIO } from '../src/onnx/summary';
import type { FloatTensor } from '../src/runtime/session';
import { QbError } from '../src/shared/errors';
import { samples, tensorSamples, type Sample } from './dataset-evaluate';
import { checkpoint } from './jobs';
import type { Int8CheckSource, Int8Dataset } from './optimize-api';
import type { ProgressSink } from './progress';

/** Samples the check uses at most (pipeline/int8 CHECK_INPUTS). */
export const INT8_CHECK_SAMPLES = 8;
/** Seeded random inputs the check of a dynamic model uses when there is no dataset. */
export const RANDOM_CHECK_INPUTS = 4;

/** `count` indices of [0, total) spread evenly (sorted, distinct): never just the first ones of a sorted list. */
export function spreadIndices(total: number, count: number): number[] {
  const k = Math.max(0, Math.min(Math.floor(count), total));
  return Array.from({ length: k }, (_, i) => Math.floor(((i + 0.5) * total) / k));
}


/**
 * Which samples calibrate (up to `subset`, spread over the list: class folders are sorted, so the first N would be
 * a few classes only) and which check (up to `checkCount` of the others, spread too; none when nothing is left).
 * `keepApart`: at least this many (but at most a quarter of the dataset) stay out of calibration even when the
 * subset would take them all, so the accuracy search and collapse guard have unseen images.
 */
export function splitSamples(total: number, subset: number, checkCount = INT8_CHECK_SAMPLES, keepApart = 0): { calibration: number[]; check: number[] } {
  const apart = Math.min(keepApart, Math.floor(total / 4));
  const calibration = spreadIndices(total, Math.min(subset, total - apart));
  const used = new Set(calibration);
  const rest: number[] = [];
  for (let i = 0; i < total; i++) if (!used.has(i)) rest.push(i);
  return { calibration, check: spreadIndices(rest.length, checkCount).map((i) => rest[i]!) };
}

export interface Int8Inputs {
  calibration?: { inputs: AsyncIterable<FloatTensor>; total: number };
  validation?: FloatTensor[];
  /** Output class of each validation input (-1 unknown), aligned with `validation`. */
  validationLabels?: number[];
  checkSource: Int8CheckSource;
  /** Plain-language notes about the inputs, added to the report's warnings. */
  warnings: () => string[];
}

/** The samples at the given positions of a stream (all of them when `keep` is undefined). */
async function* samplesAt(items: AsyncIterable<Sample> | Iterable<Sample>, keep?: ReadonlySet<number>): AsyncGenerator<Sample> {
  let i = 0;
  const last = keep === undefined ? Infinity : Math.max(-1, ...keep);
  for await (const s of items) {
    if (i > last) return;
    if (keep === undefined || keep.has(i)) yield s;
    i++;
  }
}

async function* inputsOf(items: AsyncIterable<Sample>): AsyncGenerator<FloatTensor> {
  for await (const s of items) yield s.input;
}



function datasetSize(dataset: Int8Dataset): number {
  if (dataset.inputKind === 'images') return dataset.images.length;
  if (dataset.inputKind === 'random') return dataset.random?.count ?? 0;
  return dataset.samples?.length ?? 0;
}

/**
 * The dataset's samples at `positions` (sorted), in order. Images: only those are decoded (ahead, off the critical
 * path; failures are listed in `badImages` and skipped). Tensors and random inputs: filtered from the whole stream.
 */
function selected(dataset: Int8Dataset, positions: readonly number[], badImages: string[]): AsyncIterable<Sample> {
  if (dataset.inputKind === 'images') {
    if (dataset.recipe === null) throw new QbError('internal', 'Images need a preprocessing recipe.');
    return samples(positions.map((i) => dataset.images[i]!), dataset.recipe, badImages);
  }
  const input = dataset.input;
  if (input === undefined) throw new QbError('internal', 'Tensors and random inputs need the model input they are fed to.');
  const keep = new Set(positions);
  if (dataset.inputKind === 'random') {
    const random = dataset.random;
    if (random === undefined) throw new QbError('internal', 'Random inputs need their spec.');
    const items = (function* () {
      for (const s of randomSamples(random)) yield { name: s.name, input: { data: s.data, dims: s.dims }, label: -1 };
    })();
    return samplesAt(items, keep);
  }
  const labels = new Map((dataset.samples ?? []).map((s) => [s.name, s.label]));
  return samplesAt(tensorSamples(dataset.tensorFiles ?? [], input, labels), keep);
}

/**
 * Builds the INT8 job's inputs. Check samples are read here (decoded ahead, with progress); calibration samples are
 * a lazy stream the engine pulls one at a time, so at most a few are held in memory. Dynamic mode calibrates
 * nothing: every sample is free for the check.
 */
export async function int8Inputs(
  dataset: Int8Dataset | null,
  inputs: readonly TensorIO[],
  mode: 'static' | 'dynamic',
  subset: number,
  progress: ProgressSink,
  signal: AbortSignal,
  /** Samples kept apart from calibration for validation (validationCount); default INT8_CHECK_SAMPLES. */
  keepApart = INT8_CHECK_SAMPLES,
): Promise<Int8Inputs> {
  if (dataset === null) {
    // Dynamic INT8 needs no calibration; its check runs on seeded random inputs shaped like the model's input.
    const input = feedableInput(inputs, 'random inputs');
    const spec = { ...defaultRandomSpec(input).spec, count: RANDOM_CHECK_INPUTS };
    return {
      validation: [...randomSamples(spec)].map((s) => ({ data: s.data, dims: s.dims })),
      // The panel says the check ran on random inputs (checkSource); no warning repeats it.
      checkSource: 'random',
      warnings: () => [],
    };
  }
  const total = datasetSize(dataset);
  const split = mode === 'dynamic' ? splitSamples(total, 0) : splitSamples(total, subset, keepApart, keepApart > INT8_CHECK_SAMPLES ? keepApart : 0);
  const badImages: string[] = [];
  const validation: FloatTensor[] = [];
  const validationLabels: number[] = [];
  if (split.check.length > 0) {
    const images = dataset.inputKind === 'images';
    if (images) progress({ stage: 'decode-images', done: 0, total: split.check.length });
    for await (const t of selected(dataset, split.check, badImages)) {
      await checkpoint(signal);
      validation.push(t.input);
      validationLabels.push(t.label);
      if (images) progress({ stage: 'decode-images', done: validation.length, total: split.check.length });
    }
  }
  return {
    ...(mode === 'static' ? { calibration: { inputs: inputsOf(selected(dataset, split.calibration, badImages)), total: split.calibration.length } } : {}),
    ...(validation.length > 0 ? { validation, validationLabels } : {}),
    checkSource: validation.length > 0 ? 'held-out' : 'calibration',
    warnings: () => {
      const notes: string[] = [];
      if (dataset.inputKind === 'random' && mode === 'static') {
        notes.push('Calibrated on random inputs: their ranges rarely match real data, so accuracy on real inputs may be lower than this check says. Calibrate on real samples before you ship the model.');
      }
      if (badImages.length > 0) {
        const listed = badImages.slice(0, 5).join(', ') + (badImages.length > 5 ? ', …' : '');
        notes.push(`${badImages.length} image${badImages.length === 1 ? '' : 's'} could not be decoded and ${badImages.length === 1 ? 'was' : 'were'} skipped (${listed}).`);
      }
      return notes;
    },
  };
}
