// Node-side assembly of an evaluation (CLI and golden tests): a model file and a folder of images or .npy/.npz
// tensors on disk (or seeded random inputs) -> labels detected and mapped, preset chosen for images, samples made
// lazily in pure JS, evaluate() on ModelSession.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { sortDroppedFiles, type SortedFiles } from '../data/dataset-files';
import { decodeImageBytes } from '../data/decode-bytes';
import { detectLabels, mapLabels } from '../data/labels';
import { preprocessRgba, recipeDims } from '../data/preprocess';
import { PRESETS, recipeForModel, suggestPreset } from '../data/presets';
import { checkRandomSpec, defaultRandomSpec, looksLikeImageInput, randomSamples } from '../data/random-inputs';
import { explainRunError, feedableInput, TensorFileReader } from '../data/tensor-samples';
import type { ClassList, DatasetProblem, EvalReport, InputKind, LabelSourceKind, PresetId, PreprocessRecipe, RandomSamplesSpec } from '../data/types';
import { checkModelSize } from '../onnx/model-io';
import type { ModelCard, TensorIO } from '../onnx/summary';
import { ModelSession } from '../runtime/session';
import { isQbError, QbError } from '../shared/errors';
import { evaluate, type EvalItem } from './evaluate';
import { inspectModel } from './inspect';

export interface EvaluateFolderOptions {
  /** Path of the .onnx model to evaluate; external-data files are read from its folder. */
  model: string;
  /**
   * Folder of images or of .npy/.npz tensors, walked recursively (class sub-folders become labels when nothing
   * else gives them). Required unless `random` is given.
   */
  images?: string;
  /** Forces what the folder holds; by default images, or tensors when it has no images (both: what the model takes). */
  inputKind?: 'images' | 'tensors';
  /**
   * Random-input mode (speed and agreement only): `count` seeded samples; dims, range and seed default as in the
   * app (open dims 1 for the batch, 224 for image sides, 1536 otherwise; [0, 1) for images, [-1, 1) otherwise; seed 1).
   */
  random?: Partial<RandomSamplesSpec> & { count: number };
  /** Label files outside the folder (CSV, val.txt, class lists); .txt/.csv/.tsv files inside it are read too. */
  labels?: readonly string[];
  /** FP32 model to compare with (fidelity). */
  reference?: string;
  /** Images only: a preset fitted to the model's input, or a full recipe; the suggested preset when absent. */
  preprocess?: PresetId | PreprocessRecipe;
  /** Evaluate only the first N images (or tensor samples) in path order (labels are still matched over the whole folder). */
  limit?: number;
  /** Skip the first N images (or tensor samples) in path order before `limit` applies; skipped images are not decoded. */
  offset?: number;
  onStep?: (done: number, total: number) => void;
}

export interface EvaluateFolderResult {
  report: EvalReport;
  /** What was fed: images (preprocessed), tensors (as they are) or random inputs (no accuracy). */
  inputKind: InputKind;
  /** The preset used, or null when a custom recipe was given or for tensors and random inputs. */
  presetId: PresetId | null;
  /** Images only; null for tensors and random inputs (fed as they are). */
  recipe: PreprocessRecipe | null;
  /** Random inputs: the spec they were drawn from; null otherwise. */
  random: RandomSamplesSpec | null;
  /** The model input tensors and random inputs were fed to (its first input). */
  input: TensorIO | null;
  /** Why this preprocessing: the suggestion's reason, or that it was chosen by the caller. */
  presetReason: string;
  labelSource: LabelSourceKind;
  classList: ClassList | null;
  card: ModelCard;
}

/** Every file under `root`, as '/'-separated paths relative to it, in code-unit order (stable across systems). */
export async function walkFolder(root: string): Promise<string[]> {
  const found: string[] = [];
  const visit = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await visit(full);
      else if (entry.isFile()) found.push(relative(root, full).split(sep).join('/'));
    }
  };
  await visit(root);
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

async function requireFile(path: string, what: string): Promise<number> {
  const s = await stat(path).catch(() => undefined);
  if (s === undefined || !s.isFile()) throw new Error(`No such ${what}: ${path}`);
  return s.size;
}

/** A model's bytes, card and the external-data files it names (read from its folder). */
export async function loadModel(path: string): Promise<{ bytes: Uint8Array; card: ModelCard; externalData: { path: string; data: Uint8Array }[] }> {
  const size = await requireFile(path, 'model file');
  checkModelSize(basename(path), size);
  const bytes = new Uint8Array(await readFile(path));
  const dir = dirname(path);
  const sizes: Record<string, number> = {};
  for (const name of await readdir(dir)) {
    if (name === basename(path)) continue;
    const s = await stat(join(dir, name)).catch(() => undefined);
    if (s?.isFile()) sizes[name] = s.size;
  }
  const card = inspectModel(basename(path), bytes, sizes);
  const externalData = await Promise.all(card.externalData.map(async (e) => ({ path: e.location, data: new Uint8Array(await readFile(join(dir, e.location))) })));
  return { bytes, card, externalData };
}

/**
 * Number of output classes: the first output's elements per image (non-batch dims multiplied, so
 * [1,1000,1,1] -> 1000, [1,10] -> 10), the same flattening evaluate() scores; 0 when a dim is symbolic.
 */
export function outputClassCount(card: ModelCard): number {
  const shape = card.outputs[0]?.shape ?? null;
  if (shape === null || shape.length < 2) return 0;
  let n = 1;
  for (const d of shape.slice(1)) {
    if (typeof d !== 'number' || d <= 0) return 0;
    n *= d;
  }
  return n;
}

/** Class names in output order: a list one shorter than the outputs gets "background" at index 0. */
function namesForOutputs(list: ClassList | null, outputClasses: number): string[] | undefined {
  if (list === null) return undefined;
  return list.names.length === outputClasses - 1 ? ['background', ...list.names] : list.names;
}

function isPresetId(value: string): value is PresetId {
  return Object.hasOwn(PRESETS, value);
}

/** What a kind of dataset gives evaluate(): the samples, how many, labels, and how they were prepared. */
export interface Prepared {
  inputKind: InputKind;
  items: AsyncIterable<EvalItem> | Iterable<EvalItem>;
  total: number;
  problems: DatasetProblem[];
  mapping: EvalReport['mapping'];
  labelSource: LabelSourceKind;
  classList: ClassList | null;
  presetId: PresetId | null;
  recipe: PreprocessRecipe | null;
  presetReason: string;
  random: RandomSamplesSpec | null;
  input: TensorIO | null;
  /** Problems only known once the samples were read (images that failed to decode). */
  lateProblems: () => DatasetProblem[];
}

/** Labels of `names` from the label files, mapped to the model's outputs. */
async function labelsFor(names: readonly string[], labelFiles: readonly string[], folder: string, extraLabels: readonly string[], card: ModelCard) {
  const labelTexts = [
    ...(await Promise.all(extraLabels.map(async (path) => ({ name: path, text: await readFile(path, 'utf8') })))),
    ...(await Promise.all(labelFiles.map(async (path) => ({ name: path, text: await readFile(join(folder, path), 'utf8') })))),
  ];
  const detected = detectLabels(names, labelTexts);
  const problems = [...detected.problems];
  const outputClasses = outputClassCount(card);
  let byName = new Map<string, number>();
  let mapping: EvalReport['mapping'] = null;
  if (detected.source !== 'none') {
    const mapped = mapLabels(detected, outputClasses, detected.classList);
    byName = mapped.byImage;
    mapping = mapped.mapping;
    problems.push(...mapped.problems);
  }
  return { byName, mapping, problems, source: detected.source, classList: detected.classList };
}

/** Seeded random inputs shaped for the model's first input (no labels). */
function prepareRandom(card: ModelCard, given: NonNullable<EvaluateFolderOptions['random']>): Prepared {
  const input = feedableInput(card.inputs, 'random inputs');
  const spec: RandomSamplesSpec = { ...defaultRandomSpec(input).spec, ...given };
  checkRandomSpec(spec, input);
  const items = (function* () {
    for (const s of randomSamples(spec)) yield { name: s.name, input: { data: s.data, dims: s.dims }, label: -1 };
  })();
  const reason = `${spec.count} seeded random inputs of [${spec.dims.join(', ')}], uniform in [${spec.min}, ${spec.max}), seed ${spec.seed}: for speed and agreement only, accuracy is meaningless on them.`;
  return {
    inputKind: 'random', items, total: spec.count, problems: [], mapping: null, labelSource: 'none', classList: null,
    presetId: null, recipe: null, presetReason: reason, random: spec, input, lateProblems: () => [],
  };
}

/**
 * Tensors: a first pass reads every .npy/.npz for sample names and dims (bad files become problems, labels are
 * matched by sample name), a second streams the samples file by file into evaluate().
 */
async function prepareTensors(options: Omit<EvaluateFolderOptions, 'model'>, folder: string, sorted: SortedFiles, card: ModelCard, problems: DatasetProblem[]): Promise<Prepared> {
  const input = feedableInput(card.inputs, 'tensors');
  const scan = new TensorFileReader(input);
  const names: string[] = [];
  const usable: string[] = [];
  for (const path of sorted.tensors) {
    const got = scan.read(new Uint8Array(await readFile(join(folder, path))), path);
    if (got.length > 0) usable.push(path);
    names.push(...got.map((x) => x.name));
  }
  problems.push(...scan.problems());
  scan.requireSamples();
  const labels = await labelsFor(names, sorted.labelFiles, folder, options.labels ?? [], card);
  problems.push(...labels.problems);
  const offset = Math.max(0, options.offset ?? 0);
  const limit = options.limit !== undefined ? Math.max(0, options.limit) : names.length;
  async function* items(): AsyncGenerator<EvalItem> {
    const reader = new TensorFileReader(input);
    let n = 0;
    for (const path of usable) {
      for (const x of reader.read(new Uint8Array(await readFile(join(folder, path))), path)) {
        if (n++ < offset) continue;
        if (n > offset + limit) return;
        yield { name: x.name, input: { data: x.data, dims: x.dims }, label: labels.byName.get(x.name) ?? -1 };
      }
    }
  }
  return {
    inputKind: 'tensors', items: items(), total: Math.max(0, Math.min(limit, names.length - offset)), problems, mapping: labels.mapping, labelSource: labels.source, classList: labels.classList,
    presetId: null, recipe: null, presetReason: `Tensors fed as they are to the model's input "${input.name}": no preprocessing.`, random: null, input, lateProblems: () => [],
  };
}

/** Images: labels, the preprocessing (suggested unless given), and images decoded one at a time. */
async function prepareImages(options: Omit<EvaluateFolderOptions, 'model'>, folder: string, sorted: SortedFiles, card: ModelCard, problems: DatasetProblem[]): Promise<Prepared> {
  const labels = await labelsFor(sorted.images, sorted.labelFiles, folder, options.labels ?? [], card);
  problems.push(...labels.problems);

  let presetId: PresetId | null;
  let recipe: PreprocessRecipe;
  let presetReason: string;
  if (options.preprocess === undefined) {
    const suggestion = suggestPreset(card);
    presetId = suggestion.id;
    recipe = suggestion.recipe;
    presetReason = suggestion.reason;
  } else if (typeof options.preprocess === 'string') {
    presetId = options.preprocess;
    recipe = recipeForModel(options.preprocess, card);
    presetReason = `Preset "${presetId}" chosen by hand, fitted to the model's input.`;
  } else {
    presetId = null;
    recipe = options.preprocess;
    presetReason = 'Recipe given by hand.';
  }

  const offset = Math.max(0, options.offset ?? 0);
  const chosen = sorted.images.slice(offset, options.limit !== undefined ? offset + Math.max(0, options.limit) : undefined);
  const badImages: string[] = [];
  const dims = recipeDims(recipe);
  async function* items(): AsyncGenerator<EvalItem> {
    for (const path of chosen) {
      let data: Float32Array;
      try {
        const image = decodeImageBytes(new Uint8Array(await readFile(join(folder, path))), path);
        data = preprocessRgba(image.rgba, image.width, image.height, recipe);
      } catch (err) {
        if (!isQbError(err) || err.code !== 'bad-image') throw err;
        badImages.push(path);
        continue;
      }
      yield { name: path, input: { data, dims }, label: labels.byName.get(path) ?? -1 };
    }
  }
  const lateProblems = (): DatasetProblem[] =>
    badImages.length > 0 ? [{ kind: 'bad-image', message: `${badImages.length} images could not be decoded and were skipped.`, items: badImages.slice(0, 50), count: badImages.length }] : [];
  return {
    inputKind: 'images', items: items(), total: chosen.length, problems, mapping: labels.mapping, labelSource: labels.source, classList: labels.classList,
    presetId, recipe, presetReason, random: null, input: null, lateProblems,
  };
}

/**
 * Evaluates a model like the app does with dropped files. A folder of JPEG/PNG images: sorts the files, detects
 * labels (CSV, val.txt, class folders, synset file names) and maps them to the model's outputs, picks the
 * preprocessing (suggested from the model card unless given), then streams decoded and preprocessed images through
 * evaluate(); images that cannot be decoded are skipped and reported as a 'bad-image' problem. A folder of
 * .npy/.npz tensors (or `inputKind: 'tensors'`): samples fitted to the model's first input and fed as they are
 * (data/tensor-samples.ts), labels from a CSV naming the samples; files that do not fit are 'bad-tensor' problems.
 * `random`: seeded random inputs, no labels. Sessions use onnxruntime-web's wasm backend with the thread count of
 * runtime/ort.ts (1 in Node).
 * @throws Error('No such …') for missing paths; Error for an unknown preset id or a call without images or random;
 * QbError from model loading (not-onnx, missing-external-data, …), QbError('bad-image') when the folder holds neither
 * images nor tensors, QbError('bad-tensor') when no tensor fits or the random spec is wrong, QbError('unsupported')
 * for a model whose input cannot be fed tensors, and what evaluate() throws (a failed run on a tensor or random
 * sample names it and its shape).
 */
export async function evaluateFolder(options: EvaluateFolderOptions): Promise<EvaluateFolderResult> {
  const folder = options.images;
  if (options.random === undefined) {
    if (folder === undefined) throw new Error('Give a folder of images or tensors, or ask for random inputs.');
    const s = await stat(folder).catch(() => undefined);
    if (s === undefined || !s.isDirectory()) throw new Error(`No such ${options.inputKind === 'tensors' ? 'tensor' : 'image'} folder: ${folder}`);
  }
  for (const l of options.labels ?? []) await requireFile(l, 'label file');
  if (options.reference !== undefined) await requireFile(options.reference, 'reference model');
  if (typeof options.preprocess === 'string' && !isPresetId(options.preprocess)) {
    throw new Error(`Unknown preprocessing preset "${options.preprocess}". Known presets: ${Object.keys(PRESETS).join(', ')}.`);
  }

  const model = await loadModel(options.model);
  const { card } = model;
  const prepared = await prepareDataset(options, card);

  const session = await ModelSession.create(model.bytes, model.externalData);
  let reference: ModelSession | undefined;
  try {
    if (options.reference !== undefined) {
      const ref = await loadModel(options.reference);
      reference = await ModelSession.create(ref.bytes, ref.externalData);
    }
    const classNames = namesForOutputs(prepared.classList, outputClassCount(card));
    const { input, inputKind } = prepared;
    const report = await evaluate({
      images: prepared.items,
      runner: session,
      ...(reference !== undefined ? { reference } : {}),
      ...(classNames !== undefined ? { classNames } : {}),
      total: prepared.total,
      ...(options.onStep !== undefined ? { onStep: options.onStep } : {}),
      ...(input !== null && inputKind !== 'images' ? { onRunError: (err: unknown, item: EvalItem) => explainRunError(err, item, input, inputKind) } : {}),
      mapping: prepared.mapping,
      problems: prepared.problems,
    });
    report.problems.push(...prepared.lateProblems());
    return {
      report, inputKind, presetId: prepared.presetId, recipe: prepared.recipe, presetReason: prepared.presetReason, random: prepared.random, input,
      labelSource: prepared.labelSource, classList: prepared.classList, card,
    };
  } finally {
    await session.release();
    await reference?.release();
  }
}

/**
 * The samples of a folder (or random spec) as the model will be fed them, streamed lazily: what evaluateFolder
 * and `quantbench quantize --images` read. Same rules as evaluateFolder (labels, preset, bad files).
 */
export async function prepareDataset(options: Omit<EvaluateFolderOptions, 'model'>, card: ModelCard): Promise<Prepared> {
  if (options.random !== undefined) return prepareRandom(card, options.random);
  const folder = options.images!;
  const problems: DatasetProblem[] = [];
  const sorted = sortDroppedFiles(await walkFolder(folder));
  const kind = chooseKind(sorted, card, options.inputKind, folder);
  const skipped = [...sorted.ignored, ...sorted.archives, ...sorted.models, ...(kind === 'images' ? sorted.tensors : sorted.images)];
  if (skipped.length > 0) {
    const what = kind === 'images' ? 'images' : 'tensors';
    problems.push({ kind: 'unsupported-file', message: `${skipped.length} files in the folder are neither ${what} nor label files and were left out.`, items: skipped.slice(0, 50), count: skipped.length });
  }
  return kind === 'tensors' ? prepareTensors(options, folder, sorted, card, problems) : prepareImages(options, folder, sorted, card, problems);
}

/**
 * Images or tensors: as forced, else what the folder has; with both, what the model takes (images for a rank-4 input).
 * @throws QbError('bad-image' | 'bad-tensor') when the folder has none of the kind needed
 */
function chooseKind(sorted: SortedFiles, card: ModelCard, forced: EvaluateFolderOptions['inputKind'], folder: string): 'images' | 'tensors' {
  const hasImages = sorted.images.length > 0;
  const hasTensors = sorted.tensors.length > 0;
  if (forced === 'tensors' && !hasTensors) throw new QbError('bad-tensor', `No .npy or .npz tensors were found in ${folder} or its sub-folders.`);
  if (forced === 'images' && !hasImages) throw new QbError('bad-image', `No images were found in ${folder}. Quantbench reads JPEG and PNG images here, in the folder or its sub-folders.`);
  if (forced !== undefined) return forced;
  if (!hasImages && !hasTensors) {
    throw new QbError('bad-image', `No images were found in ${folder}. Quantbench reads JPEG and PNG images, or NumPy .npy/.npz tensors, in the folder or its sub-folders.`);
  }
  if (!hasTensors) return 'images';
  if (!hasImages) return 'tensors';
  return looksLikeImageInput(card.inputs[0]?.shape ?? null) ? 'images' : 'tensors';
}
