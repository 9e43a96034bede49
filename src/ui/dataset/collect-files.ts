// Turns what the user gave (a file picker, a folder picker, a drag of files and folders) into { file, path }
// pairs, walking dropped folders recursively so class folders keep their names.

export interface DroppedFile {
  file: File;
  /** Relative path as the user sees it ("cats/0001.jpg"); the bare name for loose files. */
  path: string;
}

/** Files from an <input type=file> (with or without webkitdirectory). */
export function filesFromInput(list: FileList | null): DroppedFile[] {
  return Array.from(list ?? []).map((file) => ({ file, path: file.webkitRelativePath || file.name }));
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

function readBatch(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

async function walk(entry: FileSystemEntry, out: DroppedFile[]): Promise<void> {
  if (entry.isFile) {
    out.push({ file: await fileOf(entry as FileSystemFileEntry), path: entry.fullPath.replace(/^\/+/, '') });
    return;
  }
  if (!entry.isDirectory) return;
  // readEntries returns at most ~100 entries per call: keep reading until it returns an empty batch.
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  for (;;) {
    const batch = await readBatch(reader);
    if (batch.length === 0) return;
    for (const child of batch) await walk(child, out);
  }
}

/**
 * Files and folders of a drop. Must be called synchronously inside the drop handler: the DataTransfer's
 * items are only readable during the event, so the entries are taken before the first await.
 */
export function filesFromDataTransfer(dt: DataTransfer): Promise<DroppedFile[]> {
  const items = Array.from(dt.items).filter((i) => i.kind === 'file');
  const taken = items.map((i) => ({ entry: typeof i.webkitGetAsEntry === 'function' ? i.webkitGetAsEntry() : null, file: i.getAsFile() }));
  const loose = Array.from(dt.files);
  return (async () => {
    if (taken.length === 0) return loose.map((file) => ({ file, path: file.name }));
    const out: DroppedFile[] = [];
    for (const t of taken) {
      if (t.entry !== null) await walk(t.entry, out);
      else if (t.file !== null) out.push({ file: t.file, path: t.file.name });
    }
    return out;
  })();
}

/**
 * Finds the File behind a dataset path. Exact path first; then, in case the data layer dropped the shared
 * top folder ("subset/cat/1.jpg" listed as "cat/1.jpg") or kept only the name, a unique suffix match.
 */
export function makeFileFinder(files: readonly DroppedFile[]): (path: string) => File | undefined {
  const byPath = new Map(files.map((f) => [f.path, f.file]));
  return (path) => {
    const exact = byPath.get(path);
    if (exact !== undefined) return exact;
    const tail = `/${path.replace(/^\/+/, '')}`;
    const hits = files.filter((f) => `/${f.path}`.endsWith(tail));
    return hits.length === 1 ? hits[0]!.file : undefined;
  };
}

const DATASET_FILE = /\.(jpe?g|png|webp|bmp|gif|npy|npz|zip|txt|csv)$/i;

/**
 * True when a drop anywhere on the page is meant as a dataset: it holds a folder, or only images, tensors, zips
 * and label files. A drop with an .onnx model, or anything else, is for the model step. Synchronous (drop event).
 */
export function isDatasetDrop(dt: DataTransfer): boolean {
  const items = Array.from(dt.items).filter((i) => i.kind === 'file');
  if (items.some((i) => typeof i.webkitGetAsEntry === 'function' && i.webkitGetAsEntry()?.isDirectory === true)) return true;
  const files = Array.from(dt.files);
  return files.length > 0 && files.every((f) => DATASET_FILE.test(f.name));
}
