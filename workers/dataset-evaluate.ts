// Worker side of "measure accuracy": decode + preprocess images ahead of inference and stream them through
// pipeline/evaluate, for the loaded model and optionally a second model compared against it.
import { decodeImage } from '../src/data/decode-image';
import { preprocessRgba, recipeDims } from '../src/data/preprocess';
import type { DatasetProblem, EvalReport, PreprocessRecipe } from '../src/data/types';
import { evaluate } from '../src/pipeline/evaluate';
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

interface Sample {
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
async function* samples(images: (DroppedFile & { label: number })[], recipe: PreprocessRecipe, badImages: string[]): AsyncGenerator<Sample> {
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

async function evaluateOne(
  session: ModelSession,
  reference: ModelSession | undefined,
  request: EvaluateRequest,
  stage: 'evaluate' | 'compare',
  progress: (p: Progress) => void,
  signal: AbortSignal,
): Promise<EvalReport> {
  const bad: string[] = [];
  const report = await evaluate({
    runner: session,
    ...(reference !== undefined ? { reference } : {}),
    images: samples(request.images, request.recipe, bad),
    total: request.images.length,
    ...(request.classNames !== undefined ? { classNames: request.classNames } : {}),
    mapping: request.mapping,
    problems: request.problems,
    onStep: (done: number, total: number) => progress({ stage, done, total }),
    checkpoint: () => checkpoint(signal),
  });
  if (bad.length > 0) {
    const message = `${plural(bad.length, 'image', 'images')} could not be decoded and ${bad.length === 1 ? 'was' : 'were'} skipped.`;
    const p: DatasetProblem = { kind: 'bad-image', message, items: bad.slice(0, 50), count: bad.length };
    report.problems = [...report.problems, p];
  }
  return report;
}

export async function evaluateDataset(request: EvaluateRequest, progress: ProgressSink, signal: AbortSignal): Promise<EvaluateResult> {
  if (request.images.length === 0) throw new QbError('bad-image', 'There are no images to evaluate.');
  const session = await openSession(request.model, progress, signal);
  try {
    const report = await evaluateOne(session, undefined, request, 'evaluate', progress, signal);
    if (request.variant === undefined || request.variant.length === 0) {
      progress({ stage: 'done' });
      return { report, variantReport: null };
    }
    const variant = await openSession(request.variant, progress, signal);
    try {
      const variantReport = await evaluateOne(variant, session, request, 'compare', progress, signal);
      progress({ stage: 'done' });
      return { report, variantReport };
    } finally {
      await variant.release();
    }
  } finally {
    await session.release();
  }
}
