// Node-side assembly of an evaluation (CLI and golden tests): a model file and an image folder on disk ->
// labels detected and mapped, preset chosen, images decoded lazily in pure JS, evaluate() on ModelSession.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { sortDroppedFiles } from '../data/dataset-files';
import { decodeImageBytes } from '../data/decode-bytes';
import { detectLabels, mapLabels } from '../data/labels';
import { preprocessRgba, recipeDims } from '../data/preprocess';
import { PRESETS, recipeForModel, suggestPreset } from '../data/presets';
import type { ClassList, DatasetProblem, EvalReport, LabelSourceKind, PresetId, PreprocessRecipe } from '../data/types';
import { checkModelSize } from '../onnx/model-io';
import type { ModelCard } from '../onnx/summary';
import { ModelSession } from '../runtime/session';
import { isQbError, QbError } from '../shared/errors';
import { evaluate, type EvalItem } from './evaluate';
import { inspectModel } from './inspect';

export interface EvaluateFolderOptions {
  /** Path of the .onnx model to evaluate; external-data files are read from its folder. */
  model: string;
  /** Folder of images, walked recursively (class sub-folders become labels when nothing else gives them). */
  images: string;
  /** Label files outside the folder (CSV, val.txt, class lists); .txt/.csv/.tsv files inside it are read too. */
  labels?: readonly string[];
  /** FP32 model to compare with (fidelity). */
  reference?: string;
  /** A preset fitted to the model's input, or a full recipe; the suggested preset when absent. */
  preprocess?: PresetId | PreprocessRecipe;
  /** Evaluate only the first N images in path order (labels are still matched over the whole folder). */
  limit?: number;
  onStep?: (done: number, total: number) => void;
}

export interface EvaluateFolderResult {
  report: EvalReport;
  /** The preset used, or null when a custom recipe was given. */
  presetId: PresetId | null;
  recipe: PreprocessRecipe;
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
async function loadModel(path: string): Promise<{ bytes: Uint8Array; card: ModelCard; externalData: { path: string; data: Uint8Array }[] }> {
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

/**
 * Evaluates a model on a folder of JPEG/PNG images, like the app does with dropped files: sorts the files,
 * detects labels (CSV, val.txt, class folders, synset file names) and maps them to the model's outputs,
 * picks the preprocessing (suggested from the model card unless given), then streams decoded and
 * preprocessed images through evaluate(). Images are decoded one at a time (memory stays flat); files that
 * cannot be decoded are skipped and reported as a 'bad-image' problem. Sessions use onnxruntime-web's wasm
 * backend with the thread count of runtime/ort.ts (1 in Node).
 * @throws Error('No such …') for missing paths; Error for an unknown preset id; QbError from model
 * loading (not-onnx, missing-external-data, …), QbError('bad-image') when the folder holds no images, and
 * what evaluate() throws.
 */
export async function evaluateFolder(options: EvaluateFolderOptions): Promise<EvaluateFolderResult> {
  const folder = await stat(options.images).catch(() => undefined);
  if (folder === undefined || !folder.isDirectory()) throw new Error(`No such image folder: ${options.images}`);
  for (const l of options.labels ?? []) await requireFile(l, 'label file');
  if (options.reference !== undefined) await requireFile(options.reference, 'reference model');
  if (typeof options.preprocess === 'string' && !isPresetId(options.preprocess)) {
    throw new Error(`Unknown preprocessing preset "${options.preprocess}". Known presets: ${Object.keys(PRESETS).join(', ')}.`);
  }

  const model = await loadModel(options.model);
  const { card } = model;
  const problems: DatasetProblem[] = [];

  const sorted = sortDroppedFiles(await walkFolder(options.images));
  const skipped = [...sorted.ignored, ...sorted.archives, ...sorted.tensors, ...sorted.models];
  if (skipped.length > 0) {
    problems.push({ kind: 'unsupported-file', message: `${skipped.length} files in the folder are neither images nor label files and were left out.`, items: skipped.slice(0, 50), count: skipped.length });
  }
  if (sorted.images.length === 0) {
    throw new QbError('bad-image', `No images were found in ${options.images}. Quantbench reads JPEG and PNG images here, in the folder or its sub-folders.`);
  }

  const labelTexts = [
    ...(await Promise.all((options.labels ?? []).map(async (path) => ({ name: path, text: await readFile(path, 'utf8') })))),
    ...(await Promise.all(sorted.labelFiles.map(async (path) => ({ name: path, text: await readFile(join(options.images, path), 'utf8') })))),
  ];
  const detected = detectLabels(sorted.images, labelTexts);
  problems.push(...detected.problems);
  const outputClasses = outputClassCount(card);
  let byImage = new Map<string, number>();
  let mapping: EvalReport['mapping'] = null;
  if (detected.source !== 'none') {
    const mapped = mapLabels(detected, outputClasses, detected.classList);
    byImage = mapped.byImage;
    mapping = mapped.mapping;
    problems.push(...mapped.problems);
  }

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

  const chosen = options.limit !== undefined ? sorted.images.slice(0, Math.max(0, options.limit)) : sorted.images;
  const badImages: string[] = [];
  const dims = recipeDims(recipe);
  async function* items(): AsyncGenerator<EvalItem> {
    for (const path of chosen) {
      let data: Float32Array;
      try {
        const image = decodeImageBytes(new Uint8Array(await readFile(join(options.images, path))), path);
        data = preprocessRgba(image.rgba, image.width, image.height, recipe);
      } catch (err) {
        if (!isQbError(err) || err.code !== 'bad-image') throw err;
        badImages.push(path);
        continue;
      }
      yield { name: path, input: { data, dims }, label: byImage.get(path) ?? -1 };
    }
  }

  const session = await ModelSession.create(model.bytes, model.externalData);
  let reference: ModelSession | undefined;
  try {
    if (options.reference !== undefined) {
      const ref = await loadModel(options.reference);
      reference = await ModelSession.create(ref.bytes, ref.externalData);
    }
    const classNames = namesForOutputs(detected.classList, outputClasses);
    const report = await evaluate({
      images: items(),
      runner: session,
      ...(reference !== undefined ? { reference } : {}),
      ...(classNames !== undefined ? { classNames } : {}),
      total: chosen.length,
      ...(options.onStep !== undefined ? { onStep: options.onStep } : {}),
      mapping,
      problems,
    });
    if (badImages.length > 0) {
      report.problems.push({ kind: 'bad-image', message: `${badImages.length} images could not be decoded and were skipped.`, items: badImages.slice(0, 50), count: badImages.length });
    }
    return { report, presetId, recipe, presetReason, labelSource: detected.source, classList: detected.classList, card };
  } finally {
    await session.release();
    await reference?.release();
  }
}
