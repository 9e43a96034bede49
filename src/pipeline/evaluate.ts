// Evaluation job: a stream of preprocessed, labelled images through a model (and optionally its FP32
// reference) -> EvalReport with top-1/top-5, per-class accuracy, fidelity, disagreements and throughput.
import type { DatasetProblem, EvalReport, LabelMapping } from '../data/types';
import { FidelityAccumulator, topK } from '../quant/metrics';
import { QbError } from '../shared/errors';
import type { ScoreRunner } from './classify';

/** One image ready for the model: its float32 input tensor and output index label (-1 = no label). */
export interface EvalItem {
  name: string;
  input: { data: Float32Array; dims: number[] };
  label: number;
}

export interface EvaluateOptions {
  /** The images, pulled one at a time (see evaluate() on overlap). */
  images: AsyncIterable<EvalItem> | Iterable<EvalItem>;
  /** The model under test. */
  runner: ScoreRunner;
  /** The FP32 model the variant is compared with; no fidelity without it. */
  reference?: ScoreRunner;
  /** Class names in output index order, for the per-class table. */
  classNames?: readonly string[];
  /** Number of images the stream will yield, for progress. */
  total: number;
  /** Called after each image with (images done, total). */
  onStep?: (done: number, total: number) => void;
  /** Called before each image; throws (e.g. QbError('cancelled')) to stop. */
  checkpoint?: () => void | Promise<void>;
  /** Segmentation outputs: class axis (see FidelityOptions). */
  classAxis?: number;
  /**
   * Turns a failed run into the error to throw (e.g. naming the sample and its shape); the original is thrown
   * when absent. Called for the model's and the reference's runs.
   */
  onRunError?: (err: unknown, item: EvalItem) => unknown;
  /** Passed through to the report. */
  mapping?: LabelMapping | null;
  problems?: readonly DatasetProblem[];
}

const MAX_DISAGREEMENTS = 100;
const MAX_PROBLEM_ITEMS = 50;

/** Mutable per-class tally while streaming. */
interface ClassTally {
  count: number;
  right: number;
}

/**
 * Runs every image through `runner` (and `reference` when given, on the same input) and scores it.
 * Classification scores are the first output flattened ([1,1000,1,1] -> 1000 values); top-1 is its argmax,
 * top-5 whether the label is among the 5 largest. Accuracy counts labelled images only (label >= 0); a label
 * outside the output range counts as wrong and is reported as an 'unknown-class' problem.
 *
 * Overlap: the iterator is pulled one item ahead, so the next image's decode/preprocess is already under
 * way while the current one is inferred. That only overlaps when the source is truly asynchronous (the
 * browser worker decodes with createImageBitmap); in Node, where decoding is synchronous JS, it changes
 * nothing. On cancel or error the iterator's return() is called so its resources are freed.
 *
 * Timing: imagesPerSecond counts the whole loop (decode, preprocess, variant and reference runs);
 * inferenceMsMean is the mean wall time of the variant's runFloat alone, in milliseconds.
 * @throws whatever checkpoint() throws; QbError('runtime') for an empty output or when the variant's and
 * the reference's outputs differ in size.
 */
export async function evaluate(options: EvaluateOptions): Promise<EvalReport> {
  const { runner, reference, total } = options;
  const fidelity = reference !== undefined ? new FidelityAccumulator(options.classAxis !== undefined ? { classAxis: options.classAxis } : {}) : undefined;
  const perClass = new Map<number, ClassTally>();
  const disagreements: EvalReport['disagreements'] = [];
  const outOfRange: string[] = [];
  let outOfRangeCount = 0;
  let images = 0;
  let labelled = 0;
  let top1Right = 0;
  let top5Right = 0;
  let inferenceMsTotal = 0;
  let outputSize = 0;

  const source = options.images;
  const iterator: AsyncIterator<EvalItem> | Iterator<EvalItem> =
    Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : (source as Iterable<EvalItem>)[Symbol.iterator]();
  // next() is called at once (not in a later microtask) so an async source starts decoding before the run.
  const pull = (): Promise<IteratorResult<EvalItem>> => {
    let next: Promise<IteratorResult<EvalItem>>;
    try {
      next = Promise.resolve(iterator.next());
    } catch (err) {
      next = Promise.reject(err);
    }
    // Observed later (awaited in the loop or in finally); this keeps an early failure from being reported
    // as unhandled while a run or an asynchronous checkpoint is still under way.
    next.catch(() => undefined);
    return next;
  };
  const runOn = async (model: ScoreRunner, item: EvalItem): Promise<{ data: Float32Array; dims: number[] }> => {
    try {
      return await model.runFloat(item.input);
    } catch (err) {
      throw options.onRunError !== undefined ? options.onRunError(err, item) : err;
    }
  };
  const started = performance.now();
  let pending = pull();
  let finished = false;
  try {
    for (;;) {
      await options.checkpoint?.();
      const step = await pending;
      if (step.done === true) {
        finished = true;
        break;
      }
      // Start the next decode now; it runs while this image is inferred.
      pending = pull();
      const item = step.value;

      const runStarted = performance.now();
      const out = await runOn(runner, item);
      inferenceMsTotal += performance.now() - runStarted;
      if (out.data.length === 0) throw new QbError('runtime', `The model returned an empty output for "${item.name}".`);
      const scores = out.data;
      outputSize = scores.length;

      let predicted = -1;
      if (fidelity !== undefined && reference !== undefined) {
        const ref = await runOn(reference, item);
        if (ref.data.length !== scores.length) {
          throw new QbError(
            'runtime',
            `The model and its reference give outputs of different sizes (${scores.length} and ${ref.data.length} values), so they cannot be compared. Check that the reference is the same model in FP32.`,
          );
        }
        const cmp = fidelity.add(ref.data, scores, out.dims);
        if (!cmp.segmentation) {
          predicted = cmp.outputTop1;
          if (cmp.outputTop1 !== cmp.referenceTop1 && disagreements.length < MAX_DISAGREEMENTS) {
            disagreements.push({ name: item.name, predicted: cmp.outputTop1, reference: cmp.referenceTop1, label: item.label });
          }
        }
      }

      if (item.label >= 0) {
        labelled++;
        const top5 = topK(scores, 5);
        if (predicted < 0) predicted = top5[0] ?? -1;
        if (item.label >= scores.length) {
          outOfRangeCount++;
          if (outOfRange.length < MAX_PROBLEM_ITEMS) outOfRange.push(`${item.name} (class ${item.label})`);
        }
        const right = predicted === item.label;
        if (right) top1Right++;
        if (top5.includes(item.label)) top5Right++;
        const tally = perClass.get(item.label) ?? { count: 0, right: 0 };
        tally.count++;
        if (right) tally.right++;
        perClass.set(item.label, tally);
      }
      images++;
      options.onStep?.(images, total);
    }
  } finally {
    if (!finished) {
      // Let a decode in flight finish, then close the source; its own errors no longer matter.
      await pending.catch(() => undefined);
      try {
        await iterator.return?.();
      } catch {
        // The job already failed or was cancelled; that error is the one to report.
      }
    }
  }
  const elapsedS = (performance.now() - started) / 1000;

  const problems = [...(options.problems ?? [])];
  if (outOfRangeCount > 0) {
    problems.push({
      kind: 'unknown-class',
      message: `${outOfRangeCount} labels name a class the model does not output (it has ${outputSize} outputs); they count as wrong. Check the label file and the class order.`,
      items: outOfRange,
      count: outOfRangeCount,
    });
  }
  return {
    images,
    labelled,
    top1: labelled > 0 ? top1Right / labelled : null,
    top5: labelled > 0 ? top5Right / labelled : null,
    perClass: [...perClass.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([classIndex, t]) => ({ classIndex, name: options.classNames?.[classIndex] ?? `class ${classIndex}`, count: t.count, top1: t.right / t.count })),
    fidelity: fidelity !== undefined && fidelity.count > 0 ? fidelity.result() : null,
    disagreements,
    imagesPerSecond: elapsedS > 0 ? images / elapsedS : 0,
    inferenceMsMean: images > 0 ? inferenceMsTotal / images : 0,
    mapping: options.mapping ?? null,
    problems,
  };
}
