// Sorting of dropped files by what they are for a dataset: images, label files, archives, tensors, models, or ignored.

/** Image file extensions Quantbench decodes (lower case, no dot). */
export const IMAGE_EXTENSIONS: readonly string[] = ['jpg', 'jpeg', 'png', 'webp', 'bmp', 'gif'];
/** Text files that may hold labels or class lists. */
export const LABEL_EXTENSIONS: readonly string[] = ['txt', 'csv', 'tsv'];
export const ARCHIVE_EXTENSIONS: readonly string[] = ['zip'];
export const TENSOR_EXTENSIONS: readonly string[] = ['npy', 'npz'];
export const MODEL_EXTENSIONS: readonly string[] = ['onnx'];

export interface SortedFiles {
  images: string[];
  labelFiles: string[];
  archives: string[];
  tensors: string[];
  models: string[];
  /** Everything else, plus system clutter (dotfiles such as macOS "._x.jpg", __MACOSX/, Thumbs.db). */
  ignored: string[];
}

/** Lower-case extension without the dot, or '' when the name has none. */
export function fileExtension(path: string): string {
  const name = path.split(/[\\/]/).pop() ?? path;
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** True for files that operating systems add to folders and archives: never part of a dataset. */
export function isSystemClutter(path: string): boolean {
  const parts = path.split(/[\\/]/).filter((p) => p !== '');
  return parts.some((p) => p.startsWith('.') || p === '__MACOSX') || /^(thumbs\.db|desktop\.ini)$/i.test(parts[parts.length - 1] ?? '');
}

/**
 * Sorts dropped relative paths by extension (case-insensitive), keeping their order within each group.
 * @param paths relative paths as dropped ("cifar/cat/0001.jpg")
 */
export function sortDroppedFiles(paths: readonly string[]): SortedFiles {
  const sorted: SortedFiles = { images: [], labelFiles: [], archives: [], tensors: [], models: [], ignored: [] };
  for (const path of paths) {
    const ext = fileExtension(path);
    if (isSystemClutter(path)) sorted.ignored.push(path);
    else if (IMAGE_EXTENSIONS.includes(ext)) sorted.images.push(path);
    else if (LABEL_EXTENSIONS.includes(ext)) sorted.labelFiles.push(path);
    else if (ARCHIVE_EXTENSIONS.includes(ext)) sorted.archives.push(path);
    else if (TENSOR_EXTENSIONS.includes(ext)) sorted.tensors.push(path);
    else if (MODEL_EXTENSIONS.includes(ext)) sorted.models.push(path);
    else sorted.ignored.push(path);
  }
  return sorted;
}
