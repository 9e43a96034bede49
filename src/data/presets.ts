// Preprocessing presets (torchvision, Caffe, TensorFlow, YOLO letterbox, raw) and the guess of which one a model
// wants, made from its model card: first input's shape/layout/dtype, producer, input name and output shape.
import type { ModelCard, TensorIO } from '../onnx/summary';
import type { PresetId, PreprocessRecipe } from './types';

type Layout = PreprocessRecipe['layout'];

export interface Preset {
  label: string;
  description: string;
  /** The recipe for a width x height input (pixels); layout defaults to the preset's usual one. */
  make(width: number, height: number, layout?: Layout): PreprocessRecipe;
}

/** torchvision's 256 -> 224 ratio, scaled to other input sizes; based on the larger side so the crop never pads. */
function shorterSideFor(width: number, height: number): number {
  return Math.round((Math.max(width, height) * 256) / 224);
}

const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

export const PRESETS: Record<PresetId, Preset> = {
  'imagenet-torchvision': {
    label: 'ImageNet (PyTorch / torchvision)',
    description: 'Shorter side to 256, centre crop 224 (scaled for other sizes), RGB, x/255, then mean [0.485, 0.456, 0.406] and std [0.229, 0.224, 0.225].',
    make: (width, height, layout = 'NCHW') => ({
      width,
      height,
      resize: 'shorter-side-crop',
      resizeShorterTo: shorterSideFor(width, height),
      layout,
      channelOrder: 'RGB',
      scale: 1 / 255,
      mean: IMAGENET_MEAN,
      std: IMAGENET_STD,
    }),
  },
  'caffe-bgr': {
    label: 'Caffe (BGR, mean subtraction)',
    description: 'Shorter side to 256, centre crop 224, BGR order, pixel values 0-255 minus mean [104, 117, 123] (B, G, R), no scaling. Old Caffe/Caffe2 models (SqueezeNet, GoogLeNet, VGG from the ONNX zoo).',
    make: (width, height, layout = 'NCHW') => ({
      width,
      height,
      resize: 'shorter-side-crop',
      resizeShorterTo: shorterSideFor(width, height),
      layout,
      channelOrder: 'BGR',
      scale: 1,
      mean: [104, 117, 123],
      std: [1, 1, 1],
    }),
  },
  'tf-minus1-1': {
    label: 'TensorFlow (-1 to 1)',
    description: 'Stretched to the input size, RGB, x/127.5 - 1. TensorFlow/Keras/TFLite models (MobileNet, DeepLab), usually NHWC.',
    make: (width, height, layout = 'NHWC') => ({
      width,
      height,
      resize: 'stretch',
      layout,
      channelOrder: 'RGB',
      scale: 1 / 127.5,
      mean: [1, 1, 1],
      std: [1, 1, 1],
    }),
  },
  'yolo-letterbox': {
    label: 'YOLOX letterbox',
    description: 'Scaled to fit keeping the aspect ratio, placed at the top-left, the rest filled with gray 114; BGR, values 0-255, no normalisation (YOLOX).',
    make: (width, height, layout = 'NCHW') => ({
      width,
      height,
      resize: 'letterbox',
      letterbox: { padValue: 114, placement: 'top-left' },
      layout,
      channelOrder: 'BGR',
      scale: 1,
      mean: [0, 0, 0],
      std: [1, 1, 1],
    }),
  },
  'raw-0-1': {
    label: 'Plain 0-1',
    description: 'Stretched to the input size, RGB, x/255, no mean or std.',
    make: (width, height, layout = 'NCHW') => ({
      width,
      height,
      resize: 'stretch',
      layout,
      channelOrder: 'RGB',
      scale: 1 / 255,
      mean: [0, 0, 0],
      std: [1, 1, 1],
    }),
  },
};

/** Image input facts read from a declared shape; null when the input is not a 4-D image tensor. */
export interface ImageInputInfo {
  layout: Layout;
  /** Pixels; null when the dim is symbolic or unknown (the model accepts several sizes). */
  width: number | null;
  height: number | null;
  channels: number;
  dtype: 'float32' | 'float16' | 'uint8' | 'other';
}

/** Size used when a model accepts any image size. */
const DEFAULT_SIZE = 224;
/** At or below this many pixels per side an input is a thumbnail-sized dataset (CIFAR, MNIST): no crop. */
const TINY_INPUT_PX = 64;

const num = (d: unknown): number | null => (typeof d === 'number' && d > 0 ? d : null);

/**
 * Reads layout, size and element type of an image input: [N, C, H, W] with C in {1, 3, 4} is NCHW,
 * [N, H, W, C] NHWC. Returns null for anything else (audio, tokens, 3-D or undeclared shapes).
 */
export function imageInputInfo(input: TensorIO): ImageInputInfo | null {
  const shape = input.shape;
  if (shape === null || shape.length !== 4) return null;
  const isChannels = (d: unknown): boolean => d === 1 || d === 3 || d === 4;
  const dtype = input.dtype === 'float32' || input.dtype === 'float16' || input.dtype === 'uint8' ? input.dtype : 'other';
  const channelsFirst = isChannels(shape[1]);
  const channelsLast = isChannels(shape[3]);
  // Both plausible ([1, 3, 8, 3]): NCHW, ONNX's own convention.
  if (channelsFirst) return { layout: 'NCHW', channels: shape[1] as number, height: num(shape[2]), width: num(shape[3]), dtype };
  if (channelsLast) return { layout: 'NHWC', channels: shape[3] as number, height: num(shape[1]), width: num(shape[2]), dtype };
  return null;
}

/**
 * The preset's recipe fitted to a model: its input size (224 for free sizes), layout and element type. A uint8
 * input keeps the preset's geometry and channel order but gets scale 1, mean 0, std 1 (bytes cannot hold more).
 */
export function recipeForModel(id: PresetId, card: ModelCard): PreprocessRecipe {
  const first = card.inputs[0];
  const info = first === undefined ? null : imageInputInfo(first);
  const width = info?.width ?? info?.height ?? DEFAULT_SIZE;
  const height = info?.height ?? info?.width ?? DEFAULT_SIZE;
  const recipe = PRESETS[id].make(width, height, info?.layout);
  if (info?.dtype === 'float16') return { ...recipe, dtype: 'float16' };
  if (info?.dtype === 'uint8') return { ...recipe, dtype: 'uint8', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] };
  return recipe;
}

/** Anchor-free YOLO heads (YOLOX, YOLOv6/8 style): one prediction per cell of the stride 8, 16 and 32 grids. */
function gridCells(size: number): number {
  return [8, 16, 32].reduce((n, s) => n + Math.ceil(size / s) ** 2, 0);
}

type YoloKind = 'yolox' | 'ultralytics' | null;

/** Recognises YOLO detectors by their output: YOLOX [1, cells, 5+C]; YOLOv5 [1, 3*cells, 5+C]; YOLOv8 [1, 4+C, cells]. */
function yoloKind(card: ModelCard, info: ImageInputInfo): YoloKind {
  if (info.layout !== 'NCHW' || info.width === null || info.width !== info.height || info.width % 32 !== 0) return null;
  const cells = gridCells(info.width);
  for (const out of card.outputs) {
    const s = out.shape;
    if (s === null || s.length !== 3) continue;
    const [, a, b] = s;
    if (a === cells && typeof b === 'number' && b >= 6) return 'yolox';
    if (a === 3 * cells && typeof b === 'number' && b >= 6) return 'ultralytics';
    if (b === cells && typeof a === 'number' && a >= 5 && a < cells) return 'ultralytics';
  }
  // An 'images' input of a typical detector size is a YOLO export even with a dynamic output shape.
  if (/^images?$/i.test(card.inputs[0]?.name ?? '') && [320, 416, 512, 608, 640].includes(info.width)) return 'yolox';
  return null;
}

export interface PresetSuggestion {
  id: PresetId;
  recipe: PreprocessRecipe;
  /** Plain-language reason shown next to the choice, so the user can judge it. */
  reason: string;
}

/**
 * Guesses the preprocessing a model was trained with from its card. Order of evidence: a non-image first input
 * (falls back to raw-0-1 and says so); Caffe/Caffe2 producers -> caffe-bgr; YOLO detector outputs -> letterbox;
 * TensorFlow producers or NHWC layout -> tf-minus1-1; otherwise torchvision ImageNet normalisation. Inputs of
 * 64 px or less per side (CIFAR-style) get 'stretch' instead of a crop: such datasets are stored at model size.
 * The recipe always has the model's input size, layout and element type.
 */
export function suggestPreset(card: ModelCard): PresetSuggestion {
  const first = card.inputs[0];
  const info = first === undefined ? null : imageInputInfo(first);
  const make = (id: PresetId, reason: string, tweak: Partial<PreprocessRecipe> = {}): PresetSuggestion => {
    const recipe: PreprocessRecipe = { ...recipeForModel(id, card), ...tweak };
    if (recipe.resize !== 'shorter-side-crop') delete recipe.resizeShorterTo;
    const notes: string[] = [];
    if (info !== null && (info.width === null || info.height === null)) notes.push(`The model accepts several image sizes; ${recipe.width}x${recipe.height} was chosen.`);
    if (info !== null && info.channels !== 3) notes.push(`The model expects ${info.channels} channel${info.channels === 1 ? '' : 's'}, but recipes make 3-channel (colour) input: it may not run.`);
    if (info?.dtype === 'uint8') notes.push('The input is 8-bit (uint8), so pixels are passed as 0-255 without scaling or mean subtraction.');
    if (info?.dtype === 'other') notes.push(`The input element type is ${first?.dtype}, which the recipes do not produce.`);
    return { id, recipe, reason: [reason, ...notes].join(' ') };
  };

  if (first === undefined || info === null) {
    const what = first === undefined ? 'The model has no inputs' : `The first input "${first.name}" (shape ${JSON.stringify(first.shape)}) is not an image`;
    return make('raw-0-1', `${what}, so no image preprocessing fits; plain 0-1 is shown as a placeholder.`);
  }
  const producer = card.producerName.toLowerCase();
  const size = `${info.width ?? '?'}x${info.height ?? '?'}`;
  if (/caffe/.test(producer)) {
    return make('caffe-bgr', `Made by ${card.producerName}: Caffe models expect BGR pixels 0-255 minus the ImageNet mean, after a 256 -> 224 centre crop.`);
  }
  const yolo = yoloKind(card, info);
  if (yolo === 'yolox') {
    return make('yolo-letterbox', `A YOLOX-style detector (${size} input, one prediction per grid cell): letterbox at the top-left with gray 114, BGR 0-255.`);
  }
  if (yolo === 'ultralytics') {
    return make('yolo-letterbox', `An Ultralytics YOLO detector (${size} input): letterbox centred with gray 114, RGB scaled to 0-1.`, {
      letterbox: { padValue: 114, placement: 'center' },
      channelOrder: 'RGB',
      scale: info.dtype === 'uint8' ? 1 : 1 / 255,
    });
  }
  const tiny = Math.max(info.width ?? DEFAULT_SIZE, info.height ?? DEFAULT_SIZE) <= TINY_INPUT_PX;
  if (/tf2onnx|keras|tensorflow|tflite/.test(producer) || info.layout === 'NHWC') {
    const why = info.layout === 'NHWC' ? `Channels-last (NHWC ${size}) input` : `Made by ${card.producerName}`;
    return make('tf-minus1-1', `${why}: TensorFlow models usually expect RGB scaled to -1..1, stretched to the input size.`);
  }
  if (tiny) {
    return make(
      'imagenet-torchvision',
      `A small ${size} input (CIFAR-style): images are used at that size without cropping, RGB, x/255 and ImageNet mean/std.`,
      { resize: 'stretch' },
    );
  }
  const from = card.producerName === '' ? 'A channels-first (NCHW) model' : `Made by ${card.producerName}, channels-first (NCHW)`;
  return make('imagenet-torchvision', `${from}: the torchvision ImageNet recipe is the most common one for such models.`);
}
