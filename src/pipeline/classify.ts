// Classification run: preprocessed images through a model, top-1 against labels, with progress and cancel.
import { QbError } from '../shared/errors';

/** Port to whatever runs the model (runtime/ModelSession in browsers and Node). */
export interface ScoreRunner {
  runFloat(input: { data: Float32Array; dims: number[] }): Promise<{ data: Float32Array; dims: number[] }>;
}

export interface LabelledInput {
  name: string;
  /** Index into `classes`, or -1 when the image has no label. */
  label: number;
  tensor: Float32Array;
}

export interface Prediction {
  name: string;
  label: number;
  predicted: number;
  /** Softmax probability of the predicted class, in [0, 1]. */
  confidence: number;
  latencyMs: number;
}

export interface ClassifyReport {
  predictions: Prediction[];
  /** Share of labelled images whose top-1 prediction is right, in [0, 1]; null without labels. */
  top1: number | null;
  meanLatencyMs: number;
}

/** Index and softmax probability of the largest score. */
export function top1(scores: Float32Array): { index: number; probability: number } {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
  let sum = 0;
  for (const s of scores) sum += Math.exp(s - scores[best]!);
  return { index: best, probability: 1 / sum };
}

/**
 * Runs every input through `runner` and scores top-1. Calls `onStep(done, total)` after each image
 * and `checkpoint()` before each, which throws to cancel.
 */
export async function classifyInputs(
  runner: ScoreRunner,
  inputs: readonly LabelledInput[],
  dims: number[],
  onStep: (done: number, total: number) => void,
  checkpoint: () => Promise<void>,
): Promise<ClassifyReport> {
  const predictions: Prediction[] = [];
  for (const input of inputs) {
    await checkpoint();
    const started = performance.now();
    const out = await runner.runFloat({ data: input.tensor, dims });
    const latencyMs = performance.now() - started;
    if (out.data.length === 0) throw new QbError('runtime', 'The model returned an empty output.');
    const best = top1(out.data);
    predictions.push({ name: input.name, label: input.label, predicted: best.index, confidence: best.probability, latencyMs });
    onStep(predictions.length, inputs.length);
  }
  const labelled = predictions.filter((p) => p.label >= 0);
  const right = labelled.filter((p) => p.label === p.predicted).length;
  return {
    predictions,
    top1: labelled.length > 0 ? right / labelled.length : null,
    meanLatencyMs: predictions.reduce((s, p) => s + p.latencyMs, 0) / Math.max(1, predictions.length),
  };
}
