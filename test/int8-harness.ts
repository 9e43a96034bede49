// Held-out INT8 measurement on the shared data (golden tests and the benchmark): calibrate on one image set,
// then evaluate the INT8 model against FP32 on another, through the same pipeline code the app uses.
import { writeFileSync } from 'node:fs';
import type { PresetId } from '../src/data/types';
import type { EvalReport } from '../src/data/types';
import { evaluate, type EvalItem } from '../src/pipeline/evaluate';
import { loadModel, prepareDataset } from '../src/pipeline/evaluate-node';
import { makeInt8Variant, type Int8Options, type Int8Result } from '../src/pipeline/int8';
import type { SpeedProbe } from '../src/pipeline/int8-speed';
import { ModelSession } from '../src/runtime/session';

export interface ImageSet {
  folder: string;
  labels?: string[];
  /** Keeps the i-th sample (in sorted path order) when true. */
  keep?: (index: number, name: string) => boolean;
  limit?: number;
}

export interface HeldOutResult {
  int8: Int8Result;
  eval: EvalReport;
}

async function* filtered(items: AsyncIterable<EvalItem> | Iterable<EvalItem>, keep: ImageSet['keep'], limit = Infinity): AsyncGenerator<EvalItem> {
  let i = 0;
  let n = 0;
  for await (const item of items) {
    if (keep === undefined || keep(i, item.name)) {
      if (n++ >= limit) return;
      yield item;
    }
    i++;
  }
}

async function countOf(set: ImageSet, card: Awaited<ReturnType<typeof loadModel>>['card'], preprocess: PresetId | undefined): Promise<number> {
  const p = await prepareDataset({ images: set.folder, preprocess, labels: set.labels }, card);
  let n = 0;
  const it = filtered(p.items, set.keep, set.limit);
  while (!(await it.next()).done) n++;
  return n;
}

/**
 * Quantizes `modelPath` calibrated on `calib` and evaluates it against FP32 on `evalSet`. With a speed probe the
 * runtime-aware search picks the layers (see pipeline/int8-speed).
 */
export async function heldOutInt8(modelPath: string, preprocess: PresetId | undefined, calib: ImageSet, evalSet: ImageSet, options: Int8Options = {}, saveTo?: string, speedProbe?: SpeedProbe, validationSet?: ImageSet): Promise<HeldOutResult> {
  const model = await loadModel(modelPath);
  const calibPrepared = await prepareDataset({ images: calib.folder, preprocess, labels: calib.labels }, model.card);
  const calibTotal = await countOf(calib, model.card, preprocess);
  // Validation (check, collapse guard, accuracy search): `validationSet` when given, else the first 8 of evalSet.
  const vSet = validationSet ?? { ...evalSet, limit: 8 };
  const checkPrepared = await prepareDataset({ images: vSet.folder, preprocess, labels: vSet.labels }, model.card);
  const validation: { data: Float32Array; dims: number[] }[] = [];
  const validationLabels: number[] = [];
  for await (const item of filtered(checkPrepared.items, vSet.keep, vSet.limit)) {
    validation.push(item.input);
    validationLabels.push(item.label);
  }
  const int8 = await makeInt8Variant({
    bytes: model.bytes,
    options,
    calibration: { inputs: (async function* () { for await (const it of filtered(calibPrepared.items, calib.keep, calib.limit)) yield it.input; })(), total: calibTotal },
    validation,
    validationLabels,
    makeRunner: (b, e) => ModelSession.create(b, e),
    ...(speedProbe !== undefined ? { speedProbe } : {}),
  });
  if (saveTo !== undefined) writeFileSync(saveTo, int8.bytes);
  const evalPrepared = await prepareDataset({ images: evalSet.folder, preprocess, labels: evalSet.labels }, model.card);
  const total = await countOf(evalSet, model.card, preprocess);
  const runner = await ModelSession.create(int8.bytes);
  const reference = await ModelSession.create(model.bytes);
  try {
    const report = await evaluate({ images: filtered(evalPrepared.items, evalSet.keep, evalSet.limit), runner, reference, total, mapping: evalPrepared.mapping, problems: evalPrepared.problems });
    return { int8, eval: report };
  } finally {
    await runner.release();
    await reference.release();
  }
}
