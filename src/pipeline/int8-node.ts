// Node-side assembly of an INT8 job (CLI, golden tests, benchmark): a model file and a folder of calibration
// images or tensors on disk -> makeInt8Variant on onnxruntime-web sessions.
import type { ExternalFiles } from '../onnx/weight-views';
import type { PresetId, PreprocessRecipe } from '../data/types';
import type { FloatTensor } from '../quant/mixed-precision';
import { ModelSession } from '../runtime/session';
import { loadModel, prepareDataset, type Prepared } from './evaluate-node';
import type { SpeedProbe } from './int8-speed';
import { CHECK_INPUTS, DEFAULT_SUBSET, makeInt8Variant, validationCount, type Int8Options, type Int8Progress, type Int8Result } from './int8';
import { defaultRandomSpec, randomSamples } from '../data/random-inputs';
import { feedableInput } from '../data/tensor-samples';

export interface QuantizeFolderOptions {
  model: string;
  /** Calibration images (or .npy/.npz tensors); required for static mode. */
  images?: string;
  /**
   * Held-out images for the check, the collapse guard and the accuracy search; by default the images after the
   * calibration subset when the folder has more, else (guard or accuracy search on) the folder's last quarter.
   */
  validationImages?: string;
  /** Label files (CSV, val.txt, class lists) for the validation images: the top1 accuracy goal needs them. */
  labels?: readonly string[];
  /** The accuracy goal's metric is 'top1' when the validation images have labels, else 'agreement'. */
  metricAuto?: boolean;
  preprocess?: PresetId | PreprocessRecipe;
  options?: Int8Options;
  onProgress?: (p: Int8Progress) => void;
  /** Called between images; throws to cancel (nothing is returned or written). */
  checkpoint?: () => void | Promise<void>;
  /** Times models for the runtime-aware INT8 search (e.g. Chromium via cli/browser); none: every layer integer. */
  speedProbe?: SpeedProbe;
}

export interface QuantizeFolderResult extends Int8Result {
  /** How calibration images were prepared (null for dynamic mode without images). */
  presetId: PresetId | null;
  recipe: PreprocessRecipe | null;
  presetReason: string | null;
}

/** The input tensors of a stream of samples. */
async function* tensorsOf(items: Prepared['items']): AsyncGenerator<FloatTensor> {
  for await (const item of items) yield item.input;
}

async function collect(items: Prepared['items'], count: number): Promise<{ inputs: FloatTensor[]; labels: number[] }> {
  const inputs: FloatTensor[] = [];
  const labels: number[] = [];
  for await (const item of items) {
    if (inputs.length >= count) break;
    inputs.push(item.input);
    labels.push(item.label);
  }
  return { inputs, labels };
}



/**
 * Quantizes the model file with calibration inputs from a folder. The check uses held-out inputs: from
 * `validationImages`, else the folder's images after the first `subset`, else (small folders) the first
 * calibration images, which the report flags. Dynamic mode without a folder checks on seeded random inputs.
 */
export async function quantizeFolder(o: QuantizeFolderOptions): Promise<QuantizeFolderResult> {
  const model = await loadModel(o.model);
  const subset = o.options?.subset ?? DEFAULT_SUBSET;
  const external = (location: string): Uint8Array | undefined => model.externalData.find((f) => f.path === location)?.data;
  const makeRunner = (b: Uint8Array, e?: ExternalFiles): Promise<ModelSession> => ModelSession.create(b, e ?? (b === model.bytes ? model.externalData : []));
  let calibration: { inputs: AsyncIterable<FloatTensor>; total: number } | undefined;
  let validation: FloatTensor[] | undefined;
  let validationLabels: number[] | undefined;
  let prepared: Prepared | null = null;
  const labels = o.labels !== undefined && o.labels.length > 0 ? { labels: o.labels } : {};
  if (o.images !== undefined) {
    const first = model.card.inputs[0]?.shape ?? [];
    const wanted = validationCount(o.options ?? {}, 4 * first.reduce<number>((a, d) => a * (typeof d === 'number' && d > 0 ? d : 224), 1));
    prepared = await prepareDataset({ images: o.images, preprocess: o.preprocess, ...labels }, model.card);
    let held: { inputs: FloatTensor[]; labels: number[] } | undefined;
    if (o.validationImages !== undefined) {
      const v = await prepareDataset({ images: o.validationImages, preprocess: o.preprocess, limit: wanted, ...labels }, model.card);
      held = await collect(v.items, wanted);
    } else if (prepared.total > subset) {
      const v = await prepareDataset({ images: o.images, preprocess: o.preprocess, offset: subset, limit: wanted, ...labels }, model.card);
      held = await collect(v.items, wanted);
    } else if (wanted > CHECK_INPUTS && o.options?.mode !== 'dynamic') {
      // A small folder: its last quarter (at most `wanted`) stays apart, so the guard and search see unseen images.
      const apart = Math.min(wanted, Math.floor(prepared.total / 4));
      if (apart > 0) {
        const keep = prepared.total - apart;
        const v = await prepareDataset({ images: o.images, preprocess: o.preprocess, offset: keep, limit: apart, ...labels }, model.card);
        held = await collect(v.items, apart);
        prepared = await prepareDataset({ images: o.images, preprocess: o.preprocess, limit: keep, ...labels }, model.card);
      }
    }
    calibration = { inputs: tensorsOf(prepared.items), total: prepared.total };
    if (held !== undefined) {
      validation = held.inputs;
      validationLabels = held.labels;
    }
  } else {
    const input = feedableInput(model.card.inputs, 'random inputs');
    validation = [...randomSamples({ ...defaultRandomSpec(input).spec, count: 4 })].map((x) => ({ data: x.data, dims: x.dims }));
  }
  let options = o.options;
  if (o.metricAuto === true && options?.accuracy !== undefined) {
    const labelled = validationLabels?.some((l) => l >= 0) === true;
    options = { ...options, accuracy: { ...options.accuracy, goal: { ...options.accuracy.goal, metric: labelled ? 'top1' : 'agreement' } } };
  }
  const result = await makeInt8Variant({
    bytes: model.bytes,
    external: model.externalData.length > 0 ? external : undefined,
    options,
    calibration,
    validation,
    ...(validationLabels !== undefined ? { validationLabels } : {}),
    makeRunner,
    speedProbe: o.speedProbe,
    onProgress: o.onProgress,
    checkpoint: o.checkpoint,
  });
  return { ...result, presetId: prepared?.presetId ?? null, recipe: prepared?.recipe ?? null, presetReason: prepared?.presetReason ?? null };
}
