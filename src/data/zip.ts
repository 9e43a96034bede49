// Unpacking of dropped .zip datasets with fflate: only dataset files (images, label files, tensors) are inflated,
// after their declared sizes pass a budget, so a zip bomb is refused before any memory is spent on it.
import { unzipSync } from 'fflate';
import { QbError, isQbError } from '../shared/errors';
import { IMAGE_EXTENSIONS, LABEL_EXTENSIONS, TENSOR_EXTENSIONS, fileExtension, isSystemClutter } from './dataset-files';

export interface ZipEntry {
  /** Path inside the archive, "/"-separated ("cifar/cat/0001.jpg"). */
  path: string;
  bytes: Uint8Array;
}

const DATASET_EXTENSIONS = new Set([...IMAGE_EXTENSIONS, ...LABEL_EXTENSIONS, ...TENSOR_EXTENSIONS]);

/**
 * Unpacks the dataset files of a zip: images, label/class-list text files and .npy/.npz tensors. Folders,
 * __MACOSX/ and dotfiles are dropped; other files are not inflated and are listed in `skipped`.
 * fflate allocates each member at its declared size and never writes past it, so checking the declared sizes
 * bounds memory even when an archive lies about them (a lying member comes out truncated and fails to decode).
 * @param maxTotalBytes most bytes unpacked in total (declared sizes), 2 GB by default
 * @throws QbError 'too-large' over the budget, 'corrupt' for a damaged or non-zip file
 */
export function unzipDataset(bytes: Uint8Array, maxTotalBytes = 2e9, name = 'The zip file'): { files: ZipEntry[]; skipped: string[] } {
  const skipped: string[] = [];
  let total = 0;
  let unpacked: Record<string, Uint8Array>;
  try {
    unpacked = unzipSync(bytes, {
      filter: (f) => {
        if (f.name.endsWith('/') || isSystemClutter(f.name)) return false;
        if (!DATASET_EXTENSIONS.has(fileExtension(f.name))) {
          skipped.push(f.name);
          return false;
        }
        total += f.originalSize;
        if (total > maxTotalBytes) {
          throw new QbError(
            'too-large',
            `${name} would unpack to more than ${Math.round(maxTotalBytes / 1e6)} MB of files, more than the browser can hold. Split it into smaller zips or drop the folder instead.`,
          );
        }
        return true;
      },
    });
  } catch (err) {
    if (isQbError(err)) throw err;
    throw new QbError('corrupt', `${name} could not be opened: it is damaged or not a zip archive. Try re-creating it, or drop the folder instead.`, String(err));
  }
  const files = Object.entries(unpacked).map(([path, data]) => ({ path, bytes: data }));
  return { files, skipped };
}

/**
 * The dataset files of a zip (see unzipDataset; files that are not images, label files or tensors are left out).
 * @throws QbError 'too-large', 'corrupt'
 */
export function unzipImages(bytes: Uint8Array, maxTotalBytes = 2e9): ZipEntry[] {
  return unzipDataset(bytes, maxTotalBytes).files;
}
