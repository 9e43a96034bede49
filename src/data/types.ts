// Dataset vocabulary shared by data/, pipeline/, workers/ and the UI: recipes, labels, problems, reports.

/** How an image becomes the model's input size. */
export type ResizeMode =
  /** straight to width x height, ignoring aspect ratio */
  | 'stretch'
  /** shorter side to `resizeShorterTo`, then centre crop width x height (torchvision: 256 -> 224) */
  | 'shorter-side-crop'
  /** scale to fit inside width x height keeping aspect ratio, pad the rest with `letterbox.padValue` */
  | 'letterbox';

/** How a model wants its image input. Values are ((pixel * scale) - mean) / std per channel, model order. */
export interface PreprocessRecipe {
  width: number;
  height: number;
  resize: ResizeMode;
  resizeShorterTo?: number;
  letterbox?: { padValue: number; placement: 'top-left' | 'center' };
  layout: 'NCHW' | 'NHWC';
  channelOrder: 'RGB' | 'BGR';
  scale: number;
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  /** Element type of the input tensor; float32 when absent. */
  dtype?: 'float32' | 'float16' | 'uint8';
}

export type PresetId = 'imagenet-torchvision' | 'caffe-bgr' | 'tf-minus1-1' | 'yolo-letterbox' | 'raw-0-1';

/** A label as written in the user's files, before it is matched to the model's output indices. */
export type RawLabel = { kind: 'index'; index: number } | { kind: 'synset'; synset: string } | { kind: 'name'; name: string };

/** Where labels came from. */
export type LabelSourceKind = 'folder-per-class' | 'file-name' | 'val-txt' | 'csv' | 'none';

/** Class names (and ImageNet synsets when known) in the model's output index order. */
export interface ClassList {
  names: string[];
  synsets?: string[];
}

/** Something about the dataset the user should know; never silently dropped. */
export interface DatasetProblem {
  kind: 'bad-image' | 'bad-tensor' | 'unsupported-file' | 'label-without-image' | 'image-without-label' | 'unknown-class' | 'duplicate-label' | 'bad-label-line';
  /** Plain-language summary ("12 labels name images that are not in the folder"). */
  message: string;
  /** The files or lines concerned (first 50). */
  items: string[];
  count: number;
}

/** How raw labels were matched to output indices, shown to the user so they can correct it. */
export interface LabelMapping {
  source: LabelSourceKind;
  /** Added to a 0-based class index to get the output index (1 when the model has a background class at 0). */
  offset: number;
  /** Number of classes the model outputs (its last output dimension). */
  outputClasses: number;
  /** Plain-language description ("CSV labels, class indices; model has 1001 outputs: +1 for background"). */
  description: string;
}

/** Fidelity of a variant against the FP32 reference on the same inputs. */
export interface Fidelity {
  /** Share of images whose top-1 class equals the reference's, in [0, 1]. */
  top1Agreement: number;
  /** Mean |top5(variant) ∩ top5(reference)| / 5, in [0, 1]. */
  top5Overlap: number;
  /** 10 log10(sum ref^2 / sum (ref - out)^2) over all outputs, in dB. */
  sqnrDb: number;
  /** Mean cosine similarity of per-image output vectors. */
  cosine: number;
  /** Segmentation outputs only: share of pixels with the same argmax class, and mean IoU vs the reference. */
  pixelAgreement?: number;
  miou?: number;
  /**
   * Detection outputs only: intersection over union of the sets of anchors scoring above 0.3 (objectness x class)
   * in the variant and the reference, over all images; and the SQNR of those per-anchor scores, in dB.
   */
  detectionAgreement?: number;
  scoreSqnrDb?: number;
}

export interface EvalReport {
  images: number;
  labelled: number;
  /** In [0, 1]; null without labels. */
  top1: number | null;
  top5: number | null;
  perClass: { classIndex: number; name: string; count: number; top1: number }[];
  fidelity: Fidelity | null;
  /** Images where the variant's top-1 differs from the reference (first 100). */
  disagreements: { name: string; predicted: number; reference: number; label: number }[];
  /** End-to-end throughput including decode and preprocessing. */
  imagesPerSecond: number;
  inferenceMsMean: number;
  mapping: LabelMapping | null;
  problems: DatasetProblem[];
}

/**
 * What a dataset's samples are: image files (decoded and preprocessed), .npy/.npz tensors (fed as they are),
 * or seeded random inputs (for speed and agreement only: no accuracy).
 */
export type InputKind = 'images' | 'tensors' | 'random';

/** One tensor sample as the UI lists it: no data, just where it came from and its dims. */
export interface SampleInfo {
  /** "a.npy", "waves.npy[3]" (row 3 of a batch), "clips.npz:arr_0" (a member of an archive), "random-01". */
  name: string;
  /** Dims fed to the model, batch dim included ([1, 1536]). */
  dims: number[];
}

/** A sample ready for the model: float32 values in C order, with its dims. */
export interface TensorSample extends SampleInfo {
  data: Float32Array;
}

/** How random inputs are drawn: `count` tensors of `dims`, uniform in [min, max), from a seeded generator. */
export interface RandomSamplesSpec {
  count: number;
  dims: number[];
  min: number;
  max: number;
  seed: number;
}

/** What a scanned dataset says about itself, shared by the dataset worker's answer and the UI state. */
export interface DatasetFacts {
  inputKind: InputKind;
  /** Random inputs: how they are drawn; null otherwise. */
  random: RandomSamplesSpec | null;
  /** Label files found among the dropped files (names). */
  labelFiles: string[];
  classList: ClassList | null;
  mapping: LabelMapping | null;
  problems: DatasetProblem[];
  /** Images only: the preset the recipe came from (null when edited by hand or not images), the recipe, and why. */
  presetId: PresetId | null;
  recipe: PreprocessRecipe | null;
  presetReason: string;
  /** Per-channel stats of the first image's tensor, for the preview. */
  preview: { channel: string; min: number; max: number; mean: number }[] | null;
}
