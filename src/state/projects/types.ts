// Shapes of the projects saved in this browser (IndexedDB, see db.ts): what is stored, and the blob-free summaries the Projects list shows.
import type { RunReport, VariantId } from '../report/types';

/** One file the user gave (model or dataset), kept as the browser's own Blob/File so nothing is copied into JS memory. */
export interface StoredFile {
  name: string;
  /** Relative path in the dropped folder ("n01440764/tench.JPEG"); equals name when the file was not in a folder. */
  path: string;
  /** MIME type as the browser reported it ('' when unknown). */
  type: string;
  blob: Blob;
}

export interface ProjectRecord {
  id: string;
  name: string;
  /** ISO dates. */
  createdAt: string;
  updatedAt: string;
  /** Made from the bundled demo model (the UI may label it, or offer to recreate it). */
  demo: boolean;
  /** The model file, plus its external-data files when it has any. */
  model: StoredFile[];
  dataset: StoredFile[];
  /** Folder or zip name the dataset came from, when known. */
  datasetName: string | null;
}

export interface RunRecord {
  id: string;
  projectId: string;
  /** ISO date the run was saved. */
  createdAt: string;
  report: RunReport;
  /** The variant files the run made (FP16 / INT8 ...), so they can be downloaded again after a reload. */
  variants: { id: VariantId; fileName: string; blob: Blob }[];
}

export interface RunSummary {
  id: string;
  createdAt: string;
  /** "INT8 3.9x smaller, 1.3x faster", from report.variants. */
  headline: string;
  /** Variants in the run's report, FP32 first (the report's order). */
  variants: VariantId[];
}

/** What the Projects list shows; holds no Blob, so keeping it in state keeps no file alive. */
export interface ProjectSummary {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  demo: boolean;
  /** The .onnx file's name ('' when the project has no model file). */
  modelName: string;
  /** Model plus its external-data files. */
  modelBytes: number;
  datasetFiles: number;
  datasetBytes: number;
  /** Newest first. */
  runs: RunSummary[];
}

/** The browser's storage estimate for this site (all of it, not only Quantbench's projects). */
export interface StorageInfo {
  usageBytes: number;
  quotaBytes: number;
  /** True when the browser promised not to evict the data under storage pressure. */
  persisted: boolean;
}
