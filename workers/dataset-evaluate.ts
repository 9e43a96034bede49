// Worker side of "measure accuracy": decode + preprocess images ahead of inference (or read .npy/.npz tensors, or
// draw seeded random inputs) and stream them through pipeline/evaluate, for the loaded model and optionally a
// second model compared against it.
import { decodeImage } from '../src/data/decode-image';
import { preprocessRgba, recipeDims } from '../src/data/preprocess';
import { randomSamples } from '../src/data/random-inputs';
import { explainRunError, TensorFileReader } from '../src/data/tensor-samples';
import type { DatasetProblem, EvalReport, PreprocessRecipe } from '../src/data/types';
import type { TensorIO } from '../src/onnx/summary';
import { evaluate } from '../src/pipeline/evaluate';
import { cachingRunner } from '../src/pipeline/output-cache';
import type { ScoreRunner } from '../src/pipeline/classify';
import { ModelSession } from '../src/runtime/session';
import { pickModelFile } from '../src/shared/files';
import { QbError } from '../src/shared/errors';
import type { DroppedFile, EvaluateRequest, EvaluateResult } from './dataset-api';
import { plural } from './dataset-scan';
import { checkpoint } from './jobs';
import type { Progress, ProgressSink } from './progress';
import { readBlob } from './read-blob';

/** How many images are decoded ahead of the one being inferred (decode runs off-thread in the browser). */
const PREFETCH_IMAGES = 8;

/**
 * Preprocessed samples of the first pass kept for the comparison passes, up to this many bytes: decoding JPEGs is
 * most of an image pass (SqueezeNet, 250 photos: FP32 + FP16 + INT8 passes took 67 s decoding each time). Past the
 * budget the cache is dropped and each pass decodes again, as before.
 */
const SAMPLE_CACHE_BYTES = 384 * 2 ** 20;

/** The first pass's samples (and the images that failed to decode), when they all fit in SAMPLE_CACHE_BYTES. */
interface SampleCache {
  items: Sample[];
  bytes: number;
  /** False once the budget was passed: the comparison passes read the files again. */
  complete: boolean;
  badImages: string[];
  /** The first pass's sample count as the progress bar showed it. */
  total: number;
}

/** Passes every sample on, keeping it in `cache` while the budget allows. */
async function* recording(items: AsyncIterable<Sample> | Iterable<Sample>, cache: SampleCache): AsyncGenerator<Sample> {
  for await (const item of items) {
    if (cache.complete) {
      cache.bytes += item.input.data.byteLength;
      if (cache.bytes <= SAMPLE_CACHE_BYTES) cache.items.push(item);
      else {
        cache.complete = false;
        cache.items = [];
      }
    }
    yield item;
  }
}

/** One preprocessed input and its label, as the sample streams yield it. */
export interface Sample {
  name: string;
  input: { data: Float32Array; dims: number[] };
  label: number;
}

async function openSession(files: File[], progress: ProgressSink, signal: AbortSignal): Promise<ModelSession> {
  const { model, others } = pickModelFile(files);
  const bytes = await readBlob(model, model.name, progress, signal);
  const externalData = await Promise.all(others.map(async (f) => ({ path: f.name, data: new Uint8Array(await f.arrayBuffer()) })));
  progress({ stage: 'create-session' });
  return ModelSession.create(bytes, externalData);
}

/**
 * Decoded, preprocessed samples in order, with up to PREFETCH_IMAGES decodes in flight. Images that fail
 * to decode are reported in `problems` and skipped, so one bad file never stops an evaluation.
 */
export async function* samples(images: (DroppedFile & { label: number })[], recipe: PreprocessRecipe, badImages: string[]): AsyncGenerator<Sample> {
  const dims = recipeDims(recipe);
  const start = (i: number): Promise<Sample | null> => {
    const img = images[i]!;
    return decodeImage(img.file, img.path).then(
      (d) => ({ name: img.path, input: { data: preprocessRgba(d.rgba, d.width, d.height, recipe), dims }, label: img.label }),
      () => {
        badImages.push(img.path);
        return null;
      },
    );
  };
  const inFlight: Promise<Sample | null>[] = [];
  let next = 0;
  while (next < images.length && inFlight.length < PREFETCH_IMAGES) inFlight.push(start(next++));
  while (inFlight.length > 0) {
    const sample = await inFlight.shift()!;
    if (next < images.length) inFlight.push(start(next++));
    if (sample !== null) yield sample;
  }
}

/**
 * Tensor samples file by file (one file's arrays in memory at a time), labelled by name from the scan. Files that
 * failed at scan time were not passed; arrays that did not fit are skipped again (the scan reported them).
 */
export async function* tensorSamples(files: readonly DroppedFile[], input: TensorIO, labels: ReadonlyMap<string, number>): AsyncGenerator<Sample> {
  const reader = new TensorFileReader(input);
  for (const f of files) {
    for (const s of reader.read(new Uint8Array(await f.file.arrayBuffer()), f.path)) {
      yield { name: s.name, input: { data: s.data, dims: s.dims }, label: labels.get(s.name) ?? -1 };
    }
  }
}

/** The request's samples, whatever the dataset is made of, and how many there will be. */
function sampleSource(request: EvaluateRequest, badImages: string[]): { items: AsyncIterable<Sample> | Iterable<Sample>; total: number } {
  if (request.inputKind === 'images') {
    if (request.recipe === null) throw new QbError('internal', 'Images need a preprocessing recipe.');
    return { items: samples(request.images, request.recipe, badImages), total: request.images.length };
  }
  const input = request.input;
  if (input === undefined) throw new QbError('internal', 'Tensors and random inputs need the model input they are fed to.');
  if (request.inputKind === 'random') {
    if (request.random === undefined) throw new QbError('internal', 'Random inputs need their spec.');
    const random = request.random;
    // A fresh generator per model: the variant sees exactly the reference's inputs (same seed, same order).
    const items = (function* () {
      for (const s of randomSamples(random)) yield { name: s.name, input: { data: s.data, dims: s.dims }, label: -1 };
    })();
    return { items, total: random.count };
  }
  const sampleList = request.samples ?? [];
  return { items: tensorSamples(request.tensorFiles ?? [], input, new Map(sampleList.map((x) => [x.name, x.label]))), total: sampleList.length };
}

async function evaluateOne(
  session: ScoreRunner,
  reference: ScoreRunner | undefined,
  request: EvaluateRequest,
  stage: 'evaluate' | 'compare',
  progress: (p: Progress) => void,
  signal: AbortSignal,
  cache?: { record?: SampleCache; replay?: SampleCache },
): Promise<EvalReport> {
  const replay = cache?.replay;
  const bad: string[] = replay !== undefined ? [...replay.badImages] : [];
  const fresh = replay === undefined ? sampleSource(request, bad) : null;
  const source =
    replay !== undefined
      ? { items: replay.items, total: replay.total }
      : cache?.record !== undefined
        ? { items: recording(fresh!.items, cache.record), total: (cache.record.total = fresh!.total) }
        : fresh!;
  const { input, inputKind } = request;
  const report = await evaluate({
    runner: session,
    ...(reference !== undefined ? { reference } : {}),
    images: source.items,
    total: source.total,
    ...(input !== undefined && inputKind !== 'images' ? { onRunError: (err: unknown, item: Sample) => explainRunError(err, item, input, inputKind) } : {}),
    ...(request.classNames !== undefined ? { classNames: request.classNames } : {}),
    mapping: request.mapping,
    problems: request.problems,
    onStep: (done: number, total: number) => progress({ stage, done, total }),
    checkpoint: () => checkpoint(signal),
  });
  if (cache?.record !== undefined) cache.record.badImages = [...bad];
  if (bad.length > 0) {
    const message = `${plural(bad.length, 'image', 'images')} could not be decoded and ${bad.length === 1 ? 'was' : 'were'} skipped.`;
    const p: DatasetProblem = { kind: 'bad-image', message, items: bad.slice(0, 50), count: bad.length };
    report.problems = [...report.problems, p];
  }
  return report;
}

export async function evaluateDataset(request: EvaluateRequest, progress: ProgressSink, signal: AbortSignal): Promise<EvaluateResult> {
  const empty =
    request.inputKind === 'images' ? request.images.length === 0 : request.inputKind === 'tensors' ? (request.tensorFiles ?? []).length === 0 : (request.random?.count ?? 0) === 0;
  if (empty) throw new QbError(request.inputKind === 'images' ? 'bad-image' : 'bad-tensor', `There are no ${request.inputKind === 'random' ? 'random inputs' : request.inputKind} to evaluate.`);
  const session = await openSession(request.model, progress, signal);
  const variants = [...(request.variant !== undefined && request.variant.length > 0 ? [request.variant] : []), ...(request.variants ?? [])];
  // The comparison passes feed the reference the same inputs again: serve its first-pass outputs instead of
  // running it once more per variant (that doubled the reference's inference time whenever a second model was given).
  const reference = variants.length > 0 ? cachingRunner(session) : session;
  try {
    // Random inputs are cheap to draw again; images and tensor files are read and decoded once when they fit.
    const cache: SampleCache | undefined = variants.length > 0 && request.inputKind !== 'random' ? { items: [], bytes: 0, complete: true, badImages: [], total: 0 } : undefined;
    const report = await evaluateOne(reference, undefined, request, 'evaluate', progress, signal, cache !== undefined ? { record: cache } : undefined);
    const reports: EvalReport[] = [];
    for (const files of variants) {
      const variant = await openSession(files, progress, signal);
      try {
        const replay = cache?.complete === true ? cache : undefined;
        reports.push(await evaluateOne(variant, reference, request, 'compare', progress, signal, replay !== undefined ? { replay } : undefined));
      } finally {
        await variant.release();
      }
    }
    progress({ stage: 'done' });
    const single = request.variant !== undefined && request.variant.length > 0 ? (reports[0] ?? null) : null;
    return { report, variantReport: single, ...(request.variants !== undefined ? { variantReports: single !== null ? reports.slice(1) : reports } : {}) };
  } finally {
    await session.release();
  }
}
