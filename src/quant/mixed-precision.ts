// Mixed FP16/FP32 search: when the FP16 model's outputs drift from FP32, find a small set of nodes to keep in
// FP32 (bisection over the topologically ordered float nodes, then greedy pruning). Inference only via ports.
import { runnerFor, type RunnerFactory } from '../onnx/weight-views';
import type { ModelProto } from '../onnx/proto/onnx_pb';
import type { ExternalDataResolver } from '../onnx/tensor-data';
import { QbError } from '../shared/errors';
import { convertToFloat16, fp16Candidates, type Fp16Options } from './fp16';

/** A float32 tensor: flat data and its dims. */
export interface FloatTensor {
  data: Float32Array;
  dims: number[];
}

/** Port to whatever runs a model on its first input and returns its first output (runtime/ModelSession). */
export interface Fp16Runner {
  runFloat(input: FloatTensor): Promise<FloatTensor>;
  /** Frees the session; called once the search is done with a candidate. */
  release?(): Promise<void>;
}

/** How one variant's outputs compare with FP32 over a set of inputs. */
export interface OutputComparison {
  /** Smallest cosine similarity over the inputs (flattened outputs); NaN when an output is not finite. */
  cosine: number;
  /** Largest |fp32 - variant| over every element of every input. */
  maxAbsDiff: number;
  /** Share of inputs whose flattened argmax agrees with FP32, in [0, 1]. */
  top1Agreement: number;
  /** Why the outputs are unusable ('nan' any NaN/Inf, 'zero' all zeros where FP32 is not), or undefined. */
  broken: 'nan' | 'zero' | undefined;
}

function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/**
 * Compares variant outputs with reference outputs, input by input (float64 sums).
 * @throws RangeError when the lists or an output pair differ in length.
 */
export function compareOutputs(reference: readonly Float32Array[], outputs: readonly Float32Array[]): OutputComparison {
  if (reference.length !== outputs.length || reference.length === 0) throw new RangeError('Reference and variant must have the same, non-zero number of outputs.');
  let cosine = Infinity;
  let maxAbsDiff = 0;
  let agree = 0;
  let broken: OutputComparison['broken'];
  reference.forEach((r, k) => {
    const o = outputs[k]!;
    if (r.length !== o.length) throw new RangeError(`Output ${k}: reference has ${r.length} values, the variant ${o.length}.`);
    let dot = 0;
    let rr = 0;
    let oo = 0;
    let finite = true;
    for (let i = 0; i < r.length; i++) {
      const a = r[i]!;
      const b = o[i]!;
      if (!Number.isFinite(b)) finite = false;
      dot += a * b;
      rr += a * a;
      oo += b * b;
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a - b));
    }
    if (!finite) broken = 'nan';
    else if (oo === 0 && rr !== 0) broken ??= 'zero';
    const c = rr === 0 && oo === 0 ? 1 : rr === 0 || oo === 0 ? 0 : dot / Math.sqrt(rr * oo);
    cosine = Math.min(cosine, finite ? c : NaN); // Math.min keeps a NaN once one input gave it
    if (argmax(r) === argmax(o)) agree++;
  });
  return { cosine, maxAbsDiff: broken === 'nan' ? Infinity : maxAbsDiff, top1Agreement: agree / reference.length, broken };
}

/** One measured variant during the search. */
export interface MixedPrecisionStep {
  phase: 'baseline' | 'all-fp32' | 'bisect-end' | 'bisect-start' | 'rank' | 'prune';
  /** Nodes kept in FP32 in this variant (beyond the converter's own block list). */
  keepNodes: string[];
  cosine: number;
  maxAbsDiff: number;
  passed: boolean;
}

export interface MixedPrecisionResult {
  /** Node keys (see nodeKey) to keep in FP32, in graph order; empty when plain FP16 already passes. */
  keepNodes: string[];
  /** The final variant meets `cosineMin` (false only when even the all-FP32 variant fails). */
  passed: boolean;
  /** Measurements of the final variant. */
  cosine: number;
  maxAbsDiff: number;
  /** Every variant measured, in order. */
  steps: MixedPrecisionStep[];
  /** Nodes of the suspect window with the cosine measured when each alone went back to FP16 (best first). */
  ranking: { key: string; opType: string; cosine: number }[];
  /** Candidate float nodes considered (main graph, topological order). */
  candidates: number;
}

export interface MixedPrecisionOptions {
  /** The FP32 model. */
  model: ModelProto;
  /** The FP32 outputs on `inputs` (first output each), when the caller has them: FP32 is then not run again. */
  reference?: readonly Float32Array[];
  /** Runs the FP32 model (needed without `reference`). */
  runFp32?: Fp16Runner;
  /** Loads a candidate FP16 model (graph bytes and weight files) into a runner. */
  makeRunner: RunnerFactory<Fp16Runner>;
  /** Check inputs (first model input), at least one. */
  inputs: readonly FloatTensor[];
  /** A variant passes when its smallest cosine over the inputs is >= this (default 0.999) and outputs are sane. */
  cosineMin?: number;
  /** Converter options (keepIO, blockOps, keepNodes already forced to FP32). */
  convert?: Fp16Options;
  /** Most variants to measure (default 48); the search stops early with the best passing set so far. */
  maxEvaluations?: number;
  external?: ExternalDataResolver;
  /** Called after each measured variant. */
  onStep?: (step: MixedPrecisionStep) => void;
  /** Called before each variant; throws (e.g. QbError('cancelled')) to stop. */
  checkpoint?: () => void | Promise<void>;
}

/**
 * Finds nodes to keep in FP32 so the FP16 model's outputs stay within `cosineMin` of FP32 on `inputs`.
 * 1. Measures plain FP16; if it passes, nothing is kept.
 * 2. Bisects over the K candidate float nodes in topological order: the shortest prefix [0, e) that passes when
 *    kept FP32, then the latest start s such that [s, e) still passes. The window [s, e) holds the culprits.
 *    (Keeping one node alone is often not enough: x*1e3*1e3/1e6 needs the producer of the overflowing value and
 *    its consumer both in FP32, which is why single-node ranking comes second, not first.)
 * 3. Ranks the window's nodes by the cosine measured when each alone goes back to FP16 and greedily drops
 *    those whose removal keeps the variant passing.
 * Uses about 2·log2(K) + 2·window + 2 variants, capped by maxEvaluations.
 * @throws QbError('runtime') when FP32 outputs are not finite; whatever makeRunner/runFloat/checkpoint throw.
 */
export async function findFp32Nodes(options: MixedPrecisionOptions): Promise<MixedPrecisionResult> {
  const cosineMin = options.cosineMin ?? 0.999;
  const maxEvaluations = options.maxEvaluations ?? 48;
  if (options.inputs.length === 0) throw new QbError('internal', 'The mixed-precision search needs at least one input.');
  const reference: Float32Array[] = [...(options.reference ?? [])];
  if (reference.length === 0 && options.runFp32 === undefined) throw new QbError('internal', 'The mixed-precision search needs FP32 outputs or a way to run FP32.');
  for (const input of reference.length > 0 ? [] : options.inputs) {
    const out = (await options.runFp32!.runFloat(input)).data;
    if (out.some((v) => !Number.isFinite(v))) {
      throw new QbError('runtime', 'The original FP32 model gives NaN or infinite outputs on the check inputs, so FP16 cannot be compared with it.');
    }
    reference.push(out);
  }
  const baseKeep = options.convert?.keepNodes ?? [];
  const candidates = fp16Candidates(options.model, options.convert);
  const keys = candidates.map((c) => c.key);
  const steps: MixedPrecisionStep[] = [];
  const cache = new Map<string, MixedPrecisionStep>();

  const measure = async (phase: MixedPrecisionStep['phase'], keep: readonly string[]): Promise<MixedPrecisionStep> => {
    const id = [...keep].sort().join('\u0000');
    const known = cache.get(id);
    if (known !== undefined) return known;
    await options.checkpoint?.();
    const { model } = convertToFloat16(options.model, { ...options.convert, keepNodes: [...baseKeep, ...keep], measureSizes: false }, options.external);
    const runner = await runnerFor(options.makeRunner, model);
    const outputs: Float32Array[] = [];
    try {
      for (const input of options.inputs) outputs.push((await runner.runFloat(input)).data);
    } finally {
      await runner.release?.();
    }
    const cmp = compareOutputs(reference, outputs);
    const passed = cmp.broken === undefined && cmp.cosine >= cosineMin;
    const step: MixedPrecisionStep = { phase, keepNodes: [...keep], cosine: cmp.cosine, maxAbsDiff: cmp.maxAbsDiff, passed };
    steps.push(step);
    cache.set(id, step);
    options.onStep?.(step);
    return step;
  };
  const budgetLeft = (): boolean => steps.length < maxEvaluations;
  const result = (keep: readonly string[], final: MixedPrecisionStep, ranking: MixedPrecisionResult['ranking'] = []): MixedPrecisionResult => {
    const order = new Map(keys.map((k, i) => [k, i]));
    const sorted = [...keep].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
    return { keepNodes: sorted, passed: final.passed, cosine: final.cosine, maxAbsDiff: final.maxAbsDiff, steps, ranking, candidates: keys.length };
  };

  const baseline = await measure('baseline', []);
  if (baseline.passed || keys.length === 0) return result([], baseline);
  const allFp32 = await measure('all-fp32', keys);
  if (!allFp32.passed) return result(keys, allFp32);

  // Shortest passing prefix [0, end).
  let lo = 1;
  let hi = keys.length;
  while (lo < hi && budgetLeft()) {
    const mid = (lo + hi) >> 1;
    if ((await measure('bisect-end', keys.slice(0, mid))).passed) hi = mid;
    else lo = mid + 1;
  }
  const end = hi;
  // Latest start with [start, end) still passing.
  lo = 0;
  hi = end - 1;
  while (lo < hi && budgetLeft()) {
    const mid = (lo + hi + 1) >> 1;
    if ((await measure('bisect-start', keys.slice(mid, end))).passed) lo = mid;
    else hi = mid - 1;
  }
  let keep = keys.slice(lo, end);
  let current = await measure('bisect-start', keep);
  if (!current.passed) {
    // Not monotonic after all (the budget ran out mid-bisection): fall back to the passing prefix.
    keep = keys.slice(0, end);
    current = await measure('bisect-end', keep);
  }
  if (!current.passed) return result(keys, allFp32);

  // Rank the window: cosine with each node alone returned to FP16 (higher = that node matters less).
  const ranking: MixedPrecisionResult['ranking'] = [];
  if (keep.length > 1) {
    for (const key of keep) {
      if (!budgetLeft()) break;
      const step = await measure('rank', keep.filter((k) => k !== key));
      ranking.push({ key, opType: candidates.find((c) => c.key === key)?.opType ?? '', cosine: step.cosine });
    }
    ranking.sort((a, b) => (Number.isNaN(b.cosine) ? -1 : Number.isNaN(a.cosine) ? 1 : b.cosine - a.cosine));
    for (const { key } of ranking) {
      if (keep.length <= 1 || !budgetLeft()) break;
      const trial = keep.filter((k) => k !== key);
      const step = await measure('prune', trial);
      if (step.passed) {
        keep = trial;
        current = step;
      }
    }
  }
  return result(keep, current, ranking);
}
