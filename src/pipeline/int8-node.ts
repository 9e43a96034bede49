// Node-side assembly of an INT8 job (CLI, golden tests, benchmark): a model file and a folder of calibration
// images or tensors on disk -> makeInt8Variant on onnxruntime-web sessions.
import type { PresetId, PreprocessRecipe } from '../data/types';
import type { FloatTensor } from '../quant/mixed-precision';
import { ModelSession } from '../runtime/session';
import { loadModel, prepareDataset, type Prepared } from './evaluate-node';
import type { SpeedProbe } from './int8-speed';
import { CHECK_INPUTS, DEFAULT_SUBSET, makeInt8Variant, type Int8Options, type Int8Progress, type Int8Result } from './int8';
import { defaultRandomSpec, randomSamples } from '../data/random-inputs';
import { feedableInput } from '../data/tensor-samples';

export interface QuantizeFolderOptions {
  model: string;
  /** Calibration images (or .npy/.npz tensors); required for static mode. */
  images?: string;
  /** Held-out images for the check; by default the images after the calibration subset, when the folder has more. */
  validationImages?: string;
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

async function collect(items: Prepared['items'], count: number): Promise<FloatTensor[]> {
  const out: FloatTensor[] = [];
  for await (const item of items) {
    out.push(item.input);
    if (out.length >= count) break;
  }
  return out;
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
  const makeRunner = (b: Uint8Array): Promise<ModelSession> => ModelSession.create(b, b === model.bytes ? model.externalData : []);
  let calibration: { inputs: AsyncIterable<FloatTensor>; total: number } | undefined;
  let validation: FloatTensor[] | undefined;
  let prepared: Prepared | null = null;
  if (o.images !== undefined) {
    prepared = await prepareDataset({ images: o.images, preprocess: o.preprocess }, model.card);
    calibration = { inputs: tensorsOf(prepared.items), total: prepared.total };
    if (o.validationImages !== undefined) {
      const v = await prepareDataset({ images: o.validationImages, preprocess: o.preprocess, limit: CHECK_INPUTS }, model.card);
      validation = await collect(v.items, CHECK_INPUTS);
    } else if (prepared.total > subset) {
      const heldOut = await prepareDataset({ images: o.images, preprocess: o.preprocess, offset: subset, limit: CHECK_INPUTS }, model.card);
      validation = await collect(heldOut.items, CHECK_INPUTS);
    }
  } else {
    const input = feedableInput(model.card.inputs, 'random inputs');
    validation = [...randomSamples({ ...defaultRandomSpec(input).spec, count: 4 })].map((x) => ({ data: x.data, dims: x.dims }));
  }
  const result = await makeInt8Variant({
    bytes: model.bytes,
    external: model.externalData.length > 0 ? external : undefined,
    options: o.options,
    calibration,
    validation,
    makeRunner,
    speedProbe: o.speedProbe,
    onProgress: o.onProgress,
    checkpoint: o.checkpoint,
  });
  return { ...result, presetId: prepared?.presetId ?? null, recipe: prepared?.recipe ?? null, presetReason: prepared?.presetReason ?? null };
}
