// Worker side of "add a dataset": expand zips, sort files, read label files, map labels, suggest a preset.
import { decodeImage } from '../src/data/decode-image';
import { sortDroppedFiles } from '../src/data/dataset-files';
import { detectLabels, mapLabels } from '../src/data/labels';
import { suggestPreset } from '../src/data/presets';
import { preprocessRgba, tensorStats } from '../src/data/preprocess';
import type { DatasetProblem, PreprocessRecipe } from '../src/data/types';
import { unzipDataset } from '../src/data/zip';
import { QbError } from '../src/shared/errors';
import type { DroppedFile, ScanRequest, ScanResult } from './dataset-api';
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

export async function scanDataset(request: ScanRequest, progress: ProgressSink, signal: AbortSignal): Promise<ScanResult> {
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
  if (ignored.length > 0) problems.push(problem('unsupported-file', `${plural(ignored.length, 'file is', 'files are')} neither images nor label files and ${ignored.length === 1 ? 'was' : 'were'} left out.`, ignored));
  if (sorted.images.length === 0) {
    throw new QbError('bad-image', 'No images were found among the dropped files. Quantbench reads JPEG, PNG, WebP, BMP and GIF images, folders of them, or a .zip.');
  }

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
  const detected = detectLabels(good, labelTexts);
  problems.push(...detected.problems);
  const outputClasses = outputClassCount(request.card.outputs[0]?.shape ?? null);
  let mapping: ScanResult['mapping'] = null;
  let byImage = new Map<string, number>();
  if (detected.source !== 'none') {
    const mapped = mapLabels(detected, outputClasses, detected.classList, request.labelOffset);
    mapping = mapped.mapping;
    byImage = mapped.byImage;
    problems.push(...mapped.problems);
  }
  const suggestion = suggestPreset(request.card);
  progress({ stage: 'scan', done: sorted.images.length, total: sorted.images.length });
  let preview: ScanResult['preview'] = null;
  try {
    preview = await previewStats(byPath.get(good[0]!)!.file, suggestion.recipe);
  } catch (err) {
    problems.push(problem('bad-image', `The first image could not be decoded for the preview: ${err instanceof Error ? err.message : String(err)}`, [good[0]!]));
  }
  return {
    images: good.map((path) => ({ ...byPath.get(path)!, label: byImage.get(path) ?? -1 })),
    labelFiles: sorted.labelFiles,
    classList: detected.classList,
    mapping,
    problems,
    presetId: suggestion.id,
    recipe: suggestion.recipe,
    presetReason: suggestion.reason,
    preview,
  };
}
