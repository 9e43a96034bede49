// The run report: one Optimize run's numbers for every variant, as plain JSON. The dashboard, the CSV / HTML / JSON
// exports and the saved projects all read this one shape (no code here; build.ts makes it).
import type { Fp16Result } from '../../../workers/optimize-api';
import type { EvalReport } from '../../data/types';
import type { ModelCard } from '../../onnx/summary';
import type { BenchEntry } from '../bench-view';
import type { Int8Outcome } from '../int8-slice';

export type VariantId = 'fp32' | 'fp16' | 'int8';

/** Schema tag written into every exported JSON report (bump when a field changes meaning). */
export const REPORT_SCHEMA = 'quantbench-report/1';

/** Speed of one variant on one device, from the benchmark. */
export interface VariantSpeed {
  /** Inferences per second at the median latency. */
  fps: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  /** Timed runs behind the percentiles. */
  runs: number;
  /** Every timed run, ms, in the order measured (the distribution chart draws it). */
  samplesMs: number[];
  /** Session creation and the first run, ms. */
  coldStart: { sessionCreateMs: number; firstRunMs: number };
  /** Batch sweep points (throughput vs latency), empty when no sweep ran. */
  sweep: { batch: number; p50Ms: number; throughput: number }[];
  /** The benchmark's warnings in plain words (noisy, page hidden, ...). */
  warnings: string[];
}

/** How close a variant is to FP32 (and to the labels when there are labels). */
export interface VariantQuality {
  /** Where the numbers come from: the user's dataset, or the variant's own check against FP32 (random / held-out inputs). */
  source: 'dataset' | 'check';
  /** Samples the numbers were measured on. */
  samples: number;
  /** Top-1 / top-5 accuracy against labels in [0, 1]; null without labels. */
  top1: number | null;
  top5: number | null;
  /** Share of samples whose top-1 class equals FP32's, in [0, 1]; 1 for FP32 itself; null when not a classifier. */
  agreement: number | null;
  /** Output SQNR against FP32, dB (Infinity for FP32 itself is written as null). */
  sqnrDb: number | null;
  cosine: number | null;
}

export interface VariantResult {
  id: VariantId;
  /** "FP32 (original)", "FP16", "INT8". */
  label: string;
  fileName: string;
  sizeBytes: number;
  /** gzip of the file (what a web server sends); null when it was not measured. */
  gzipBytes: number | null;
  /** Null when the benchmark did not run or this variant failed in it. */
  speed: VariantSpeed | null;
  quality: VariantQuality | null;
  /** FP32 p50 / this p50 (>1 = faster); null without both speeds. 1 for FP32. */
  speedup: number | null;
  /** FP32 bytes / these bytes (>1 = smaller). 1 for FP32. */
  shrink: number;
  /** One sentence a stakeholder reads: "INT8: 3.8x smaller, 1.4x faster on this computer's CPU, agrees with FP32 on 98.7% of your images." */
  verdict: string;
  /** How the verdict reads at a glance. */
  tone: 'good' | 'mixed' | 'bad' | 'neutral';
  /** Facts about how it was made: "12 layers kept in float", "static INT8, MSE calibration on 240 images". */
  notes: string[];
}

/** Error one quantized layer adds (INT8 only), in graph order. */
export interface LayerErrorRow {
  tensor: string;
  producer: string;
  /** SQNR of this tensor against its own quantize-dequantize, dB. */
  localSqnrDb: number;
  /** SQNR in the INT8 model against FP32 (everything upstream), dB. */
  cumulativeSqnrDb: number;
  clippedShare: number;
}

export interface RunSettings {
  /** INT8 options as run (mode, calibration method, preset, per-channel, subset, excluded nodes / op types, max drop). */
  int8: {
    mode: string;
    calibration: string;
    preset: string;
    perChannel: boolean;
    subset: number;
    excludeNodes: string[];
    excludeOpTypes: string[];
    /** Accuracy-aware: the allowed drop and its metric, else null. */
    maxDrop: { value: number; kind: 'absolute' | 'relative'; metric: string } | null;
  } | null;
  fp16: boolean;
  bench: { device: 'wasm' | 'webgpu'; threads: number; timeBudgetS: number } | null;
}

export interface RunReport {
  schema: typeof REPORT_SCHEMA;
  id: string;
  /** ISO date the run finished. */
  createdAt: string;
  model: {
    fileName: string;
    sizeBytes: number;
    parameters: number;
    opset: number | null;
    /** "input: float32 [1, 3, 224, 224]". */
    inputs: string[];
    /** 'cnn' | 'transformer' | other, from the card. */
    kind: string;
  };
  dataset: {
    kind: 'images' | 'tensors' | 'random' | 'none';
    samples: number;
    labelled: number;
    /** "250 images, 250 labelled (imagenet-sample-labels.csv)". */
    description: string;
  };
  /** Where speed was measured, or null without a benchmark. */
  environment: {
    browser: string;
    device: 'wasm' | 'webgpu';
    threads: number;
    cores: number;
    ortVersion: string;
    crossOriginIsolated: boolean;
    /** "this computer's CPU (WebAssembly, 2 threads)". */
    description: string;
  } | null;
  settings: RunSettings;
  /** FP32 first, then the variants made, in that order. */
  variants: VariantResult[];
  /** INT8 per-layer error, empty without INT8. */
  layers: LayerErrorRow[];
  /** Shell commands that reproduce the run with the headless CLI (one per line, `npx quantbench ...`). */
  cli: string[];
  /** Things that went wrong or were left out: "FP16 failed: ...". */
  problems: string[];
}

/**
 * Everything a run produced, as the workflow collects it from the slices (build.ts turns it into a RunReport).
 * Type-only imports: the report code never loads workers or the pipeline.
 */
export interface RunInputs {
  id: string;
  createdAt: string;
  card: ModelCard;
  dataset: {
    kind: 'images' | 'tensors' | 'random' | 'none';
    samples: number;
    labelled: number;
    /** Label files the user gave (names only). */
    labelFiles: string[];
    /** Folder or zip name the images came from, when known ("imagenet-sample"). */
    source: string | null;
  };
  fp16: { fileName: string; sizeBytes: number; result: Omit<Fp16Result, 'bytes'> } | null;
  int8: { fileName: string; sizeBytes: number; outcome: Int8Outcome } | null;
  /** The benchmark entries of this run (one per variant measured, same device and threads). */
  bench: BenchEntry[];
  benchSettings: { device: 'wasm' | 'webgpu'; threads: number; timeBudgetS: number } | null;
  /** Dataset evaluation: FP32 alone, and each variant against FP32 (fidelity inside). Null entries: not measured. */
  evaluation: Record<VariantId, EvalReport | null>;
  /** Failures of single stages, in plain words ("FP16: the model has several inputs"). */
  problems: string[];
}
