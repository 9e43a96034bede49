// Worker side of "add a dataset": expand zips, sort files, then either images (labels, preset suggestion, preview)
// or .npy/.npz tensors (samples fitted to the model's input, labels from a CSV); or check a random-input spec.
import { decodeImage } from '../src/data/decode-image';
import { sortDroppedFiles, type SortedFiles } from '../src/data/dataset-files';
import { detectLabels, mapLabels } from '../src/data/labels';
import { suggestPreset } from '../src/data/presets';
import { preprocessRgba, tensorStats } from '../src/data/preprocess';
import { checkRandomSpec, looksLikeImageInput, randomSampleName } from '../src/data/random-inputs';
import { feedableInput, TensorFileReader } from '../src/data/tensor-samples';
import type { DatasetProblem, PreprocessRecipe } from '../src/data/types';
import { unzipDataset } from '../src/data/zip';
import type { ModelCard } from '../src/onnx/summary';
import { QbError } from '../src/shared/errors';
import type { DroppedFile, ScannedSample, ScanRequest, ScanResult } from './dataset-api';
import { checkpoint } from './jobs';
import type { ProgressSink } from './progress';
import { readBlob } from './read-blob';

const SIGNATURES: { ext: RegExp; test: (b: Uint8Array) => boolean }[] = [
  { ext: /\.jpe?g$/i, test: (b) => b[0] === 0xff && b[1] === 0xd8 },
  { ext: /\.png$/i, test: (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 },
  { ext: /\.bmp$/i, test: (b) => b[0] === 0x42 && b[1] === 0x4d },
  { ext: /\.gif$/i, test: (b) => b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 },
  { ext: /\.webp$/i, test: (b) => b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 },
];

/** True when the first bytes look like some image format (whatever the extension says). */
function looksLikeImage(head: Uint8Array): boolean {
  return SIGNATURES.some((s) => s.test(head));
}

/** "1 file is" / "3 files are": counts in messages read as plain English. */
export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function problem(kind: DatasetProblem['kind'], message: string, items: string[]): DatasetProblem {
  return { kind, message, items: items.slice(0, 50), count: items.length };
}

/** Output classes of a model: the last dim of its first output (1000 for [1,1000,1,1] is the second). */
export function outputClassCount(dims: (number | string | null)[] | null): number {
  if (dims === null) return 0;
  const numeric = dims.filter((d): d is number => typeof d === 'number');
  // Classifiers: [N, C] or [N, C, 1, 1]; take the largest non-batch dim.
  return numeric.slice(1).reduce((m, d) => Math.max(m, d), 0);
}

/** Per-channel min/max/mean of the tensor the recipe makes from one image (the preview table). */
export async function previewStats(image: Blob, recipe: PreprocessRecipe): Promise<ScanResult['preview']> {
  const decoded = await decodeImage(image, 'preview');
  const tensor = preprocessRgba(decoded.rgba, decoded.width, decoded.height, recipe);
  return tensorStats(tensor, recipe);
}

/** Fields of a ScanResult that only an images scan fills. */
const NO_IMAGES = { images: [], presetId: null, recipe: null, presetReason: '', preview: null } satisfies Partial<ScanResult>;

/** Labels of a dataset from its label files, mapped to the model's outputs (shared by images and tensors). */
function labelsFor(names: readonly string[], labelTexts: { name: string; text: string }[], card: ModelCard, labelOffset: number | undefined) {
  const detected = detectLabels(names, labelTexts);
  const problems = [...detected.problems];
  let mapping: ScanResult['mapping'] = null;
  let byName = new Map<string, number>();
  let classList = detected.classList;
  if (detected.source !== 'none') {
    const mapped = mapLabels(detected, outputClassCount(card.outputs[0]?.shape ?? null), detected.classList, labelOffset);
    mapping = mapped.mapping;
    byName = mapped.byImage;
    problems.push(...mapped.problems);
    // Without a class-list file, folder names taken in alphabetical order still name the classes on screen.
    classList ??= mapped.derivedClassList;
  }
  return { classList, mapping, byName, problems };
}

/** Random-input mode: checks the spec against the model's input and lists the samples it will draw (no labels). */
function scanRandom(request: ScanRequest & { random: NonNullable<ScanRequest['random']> }): ScanResult {
  const input = feedableInput(request.card.inputs, 'random inputs');
  checkRandomSpec(request.random, input);
  const { count, dims } = request.random;
  const samples = Array.from({ length: count }, (_, i) => ({ name: randomSampleName(i, count), dims: [...dims], label: -1 }));
  return { ...NO_IMAGES, inputKind: 'random', samples, tensorFiles: [], random: request.random, labelFiles: [], classList: null, mapping: null, problems: [] };
}

/**
 * Tensor datasets: reads every .npy/.npz, fits its arrays to the model's first input (bad files become problems),
 * and labels the samples from a CSV/val.txt naming them ("a.npy", "waves.npy[3]", "clips.npz:arr_0") or from
 * class folders. Only names and dims are kept; evaluation reads the files again.
 */
async function scanTensors(request: ScanRequest, sorted: SortedFiles, byPath: Map<string, DroppedFile>, problems: DatasetProblem[], progress: ProgressSink, signal: AbortSignal): Promise<ScanResult> {
  const input = feedableInput(request.card.inputs, 'tensors');
  const reader = new TensorFileReader(input);
  const samples: { name: string; dims: number[] }[] = [];
  const tensorFiles: DroppedFile[] = [];
  for (const [i, path] of sorted.tensors.entries()) {
    await checkpoint(signal);
    progress({ stage: 'scan', done: i, total: sorted.tensors.length });
    const file = byPath.get(path)!;
    const got = reader.read(new Uint8Array(await file.file.arrayBuffer()), path);
    if (got.length > 0) tensorFiles.push(file);
    for (const s of got) samples.push({ name: s.name, dims: s.dims });
  }
  problems.push(...reader.problems());
  reader.requireSamples();
  progress({ stage: 'scan', done: sorted.tensors.length, total: sorted.tensors.length });
  const labelTexts = await Promise.all(sorted.labelFiles.map(async (p) => ({ name: p, text: await byPath.get(p)!.file.text() })));
  const labels = labelsFor(samples.map((s) => s.name), labelTexts, request.card, request.labelOffset);
  problems.push(...labels.problems);
  const scanned: ScannedSample[] = samples.map((s) => ({ ...s, label: labels.byName.get(s.name) ?? -1 }));
  return { ...NO_IMAGES, inputKind: 'tensors', samples: scanned, tensorFiles, random: null, labelFiles: sorted.labelFiles, classList: labels.classList, mapping: labels.mapping, problems };
}

/**
 * Images or tensors when both were dropped: what the model takes (images for a rank-4 input), the other kind is
 * reported as left out. Throws when neither is there.
 */
function chooseKind(sorted: SortedFiles, card: ModelCard, problems: DatasetProblem[]): 'images' | 'tensors' {
  const { images, tensors } = sorted;
  if (images.length === 0 && tensors.length === 0) {
    throw new QbError('bad-image', 'No images or tensors were found among the dropped files. Quantbench reads JPEG, PNG, WebP, BMP and GIF images, NumPy .npy/.npz tensors, folders of them, or a .zip.');
  }
  if (tensors.length === 0) return 'images';
  if (images.length === 0) return 'tensors';
  const kind = looksLikeImageInput(card.inputs[0]?.shape ?? null) ? 'images' : 'tensors';
  const left = kind === 'images' ? tensors : images;
  const what = kind === 'images' ? plural(left.length, 'tensor file (.npy/.npz)', 'tensor files (.npy/.npz)') : plural(left.length, 'image', 'images');
  problems.push(problem('unsupported-file', `Images and tensors were dropped together; the model takes ${kind}, so ${what} ${left.length === 1 ? 'was' : 'were'} left out.`, left));
  return kind;
}

export async function scanDataset(request: ScanRequest, progress: ProgressSink, signal: AbortSignal): Promise<ScanResult> {
  if (request.random !== undefined) return scanRandom({ ...request, random: request.random });
  const expanded: DroppedFile[] = [];
  const problems: DatasetProblem[] = [];
  const skippedInZips: string[] = [];
  for (const f of request.files) {
    if (/\.zip$/i.test(f.path)) {
      const bytes = await readBlob(f.file, f.path, progress, signal);
      const { files, skipped } = unzipDataset(bytes, 2e9, f.path);
      skippedInZips.push(...skipped.map((s) => `${f.path}/${s}`));
      for (const entry of files) {
        expanded.push({ file: new File([entry.bytes as Uint8Array<ArrayBuffer>], entry.path.split('/').pop() ?? entry.path), path: `${f.path.replace(/\.zip$/i, '')}/${entry.path}` });
      }
    } else {
      expanded.push(f);
    }
  }
  const byPath = new Map(expanded.map((f) => [f.path, f]));
  const sorted = sortDroppedFiles(expanded.map((f) => f.path));
  const ignored = [...sorted.ignored, ...skippedInZips];
  if (ignored.length > 0) problems.push(problem('unsupported-file', `${plural(ignored.length, 'file is', 'files are')} neither images, tensors nor label files and ${ignored.length === 1 ? 'was' : 'were'} left out.`, ignored));
  if (chooseKind(sorted, request.card, problems) === 'tensors') return scanTensors(request, sorted, byPath, problems, progress, signal);

  // A cheap signature check finds files that are not images at all; damaged-but-real images show up at decode.
  const good: string[] = [];
  const bad: string[] = [];
  for (const [i, path] of sorted.images.entries()) {
    if (i % 64 === 0) {
      await checkpoint(signal);
      progress({ stage: 'scan', done: i, total: sorted.images.length });
    }
    const head = new Uint8Array(await byPath.get(path)!.file.slice(0, 16).arrayBuffer());
    (looksLikeImage(head) ? good : bad).push(path);
  }
  if (bad.length > 0) problems.push(problem('bad-image', `${plural(bad.length, 'file named like an image is not an image', 'files named like images are not images')} (damaged or renamed), so ${bad.length === 1 ? 'it is' : 'they are'} left out.`, bad));
  if (good.length === 0) throw new QbError('bad-image', 'None of the image files could be read as images.');

  const labelTexts = await Promise.all(sorted.labelFiles.map(async (p) => ({ name: p, text: await byPath.get(p)!.file.text() })));
  const labels = labelsFor(good, labelTexts, request.card, request.labelOffset);
  problems.push(...labels.problems);
  const suggestion = suggestPreset(request.card);
  progress({ stage: 'scan', done: sorted.images.length, total: sorted.images.length });
  let preview: ScanResult['preview'] = null;
  try {
    preview = await previewStats(byPath.get(good[0]!)!.file, suggestion.recipe);
  } catch (err) {
    problems.push(problem('bad-image', `The first image could not be decoded for the preview: ${err instanceof Error ? err.message : String(err)}`, [good[0]!]));
  }
  return {
    inputKind: 'images',
    images: good.map((path) => ({ ...byPath.get(path)!, label: labels.byName.get(path) ?? -1 })),
    samples: [],
    tensorFiles: [],
    random: null,
    labelFiles: sorted.labelFiles,
    classList: labels.classList,
    mapping: labels.mapping,
    problems,
    presetId: suggestion.id,
    recipe: suggestion.recipe,
    presetReason: suggestion.reason,
    preview,
  };
}
