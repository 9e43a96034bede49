// Accuracy-aware INT8: measure each layer's share of the output error (sensitivity), then put the worst layers back
// to float until the model is within the user's budget (max drop), the layers run out or the time does.
// The runtime measures; this file decides. Same code for the collapse guard of the default Optimize.
import type { RunnerFactory } from '../onnx/weight-views';
import type { Fidelity } from '../data/types';
import { FidelityAccumulator, topK } from '../quant/metrics';
import type { FloatTensor } from '../quant/mixed-precision';
import type { RevertUnit } from '../quant/revert-units';
import { QbError } from '../shared/errors';
import type { OutputsRunner } from './calibrate';

/** What the budget is on: accuracy against labels, agreement with FP32 (top-1, pixels or detections), or output SQNR. */
export type AccuracyMetric = 'top1' | 'agreement' | 'sqnr';

export interface AccuracyGoal {
  metric: AccuracyMetric;
  /** top1 / agreement: allowed drop in points (absolute) or in percent of the FP32 value (relative). Default 1. */
  maxDrop: number;
  relative?: boolean;
  /** sqnr: the lowest acceptable output SQNR, dB. */
  minSqnrDb?: number;
}

/** The goal in words: "top-1 within 0.5 points of FP32". */
export function describeGoal(goal: AccuracyGoal): string {
  if (goal.metric === 'sqnr') return `output SQNR at least ${goal.minSqnrDb ?? DEFAULT_MIN_SQNR_DB} dB`;
  const what = goal.metric === 'top1' ? 'top-1 accuracy' : 'agreement with FP32';
  return `${what} within ${goal.maxDrop}${goal.relative === true ? '%' : ` point${goal.maxDrop === 1 ? '' : 's'}`} of FP32`;
}

export const DEFAULT_MIN_SQNR_DB = 25;
/** FP32 outputs of the validation inputs held during the search, at most (later inputs are not used). */
const REFERENCE_BYTES = 256 * 2 ** 20;

/** One model measured on the validation inputs. */
export interface Measurement {
  /** The goal's metric: percent for top1 / agreement, dB for sqnr. */
  value: number;
  /** Continuous error proxy used for ranking (dB, higher is better): detection-score, else output SQNR. */
  proxyDb: number;
  fidelity: Fidelity;
  /** Top-1 accuracy on the labelled inputs, percent; null without labels. */
  top1: number | null;
}

/** Runs models on the validation inputs and compares them with FP32 (outputs computed once). */
export class Evaluator {
  private constructor(
    private readonly inputs: readonly FloatTensor[],
    private readonly labels: readonly number[] | null,
    private readonly reference: readonly FloatTensor[],
    private readonly makeRunner: RunnerFactory<OutputsRunner>,
    readonly goal: AccuracyGoal,
    /** FP32's own value of the goal's metric (its accuracy for top1, 100 for agreement, Infinity for sqnr). */
    readonly fp32Value: number,
    private readonly checkpoint?: () => void | Promise<void>,
  ) {}

  /**
   * Runs FP32 on `inputs` once. `labels` are output class indices per input (-1 unknown); the top1 metric needs
   * at least one.
   * @throws QbError('unsupported') for top1 without labels or no inputs.
   */
  static async create(options: {
    fp32: Uint8Array;
    inputs: readonly FloatTensor[];
    labels?: readonly number[];
    makeRunner: RunnerFactory<OutputsRunner>;
    goal: AccuracyGoal;
    checkpoint?: () => void | Promise<void>;
    /** FP32 outputs held at most (default 256 MB): the inputs beyond are not used. */
    maxReferenceBytes?: number;
  }): Promise<Evaluator> {
    if (options.inputs.length === 0) throw new QbError('unsupported', 'Accuracy-aware INT8 needs validation images apart from the calibration images.');
    const labelled = options.labels !== undefined && options.labels.some((l) => l >= 0) ? options.labels : null;
    if (options.goal.metric === 'top1' && labelled === null) {
      throw new QbError('unsupported', 'The top-1 budget needs labelled images: add a label file, or use agreement with FP32 as the metric.');
    }
    const runner = await options.makeRunner(options.fp32);
    const reference: FloatTensor[] = [];
    let heldBytes = 0;
    try {
      for (const x of options.inputs) {
        await options.checkpoint?.();
        const out = await runner.runFloat(x);
        // FP32 outputs are held for the whole search: a segmentation map is megabytes, so stop at the budget.
        if (reference.length > 0 && heldBytes + out.data.byteLength > (options.maxReferenceBytes ?? REFERENCE_BYTES)) break;
        reference.push(out);
        heldBytes += out.data.byteLength;
      }
    } finally {
      await runner.release?.();
    }
    const inputs = options.inputs.slice(0, reference.length);
    const fp32Value = options.goal.metric === 'top1' ? top1Percent(reference, labelled!)! : options.goal.metric === 'agreement' ? 100 : Infinity;
    return new Evaluator(inputs, labelled === null ? null : labelled.slice(0, reference.length), reference, options.makeRunner, options.goal, fp32Value, options.checkpoint);
  }

  get size(): number {
    return this.inputs.length;
  }

  /** Measures a model on the first `count` inputs (all by default). */
  async measure(bytes: Uint8Array, count = this.inputs.length): Promise<Measurement> {
    const n = Math.min(count, this.inputs.length);
    const runner = await this.makeRunner(bytes);
    const acc = new FidelityAccumulator();
    const outputs: FloatTensor[] = [];
    try {
      for (let i = 0; i < n; i++) {
        await this.checkpoint?.();
        const out = await runner.runFloat(this.inputs[i]!);
        acc.add(this.reference[i]!.data, out.data, this.reference[i]!.dims);
        if (this.labels !== null) outputs.push(out);
      }
    } finally {
      await runner.release?.();
    }
    const fidelity = acc.result();
    const top1 = this.labels === null ? null : top1Percent(outputs, this.labels.slice(0, n));
    const proxyDb = fidelity.scoreSqnrDb ?? fidelity.sqnrDb;
    const value = this.goal.metric === 'top1' ? (top1 ?? 0) : this.goal.metric === 'agreement' ? 100 * fidelity.top1Agreement : fidelity.sqnrDb;
    return { value, proxyDb, fidelity, top1 };
  }

  /** True when `value` is within the goal. */
  meets(value: number): boolean {
    return value >= this.threshold();
  }

  /** The lowest value within the goal. */
  threshold(): number {
    const g = this.goal;
    if (g.metric === 'sqnr') return g.minSqnrDb ?? DEFAULT_MIN_SQNR_DB;
    return this.fp32Value - (g.relative === true ? (this.fp32Value * g.maxDrop) / 100 : g.maxDrop);
  }
}

/** Percent of labelled outputs whose argmax is the label; null when none is labelled. */
function top1Percent(outputs: readonly FloatTensor[], labels: readonly number[]): number | null {
  let right = 0;
  let counted = 0;
  outputs.forEach((o, i) => {
    const label = labels[i] ?? -1;
    if (label < 0) return;
    counted++;
    if (topK(o.data, 1)[0] === label) right++;
  });
  return counted === 0 ? null : (100 * right) / counted;
}

/** One layer's sensitivity: what putting it back to float alone does. */
export interface UnitSensitivity {
  name: string;
  opType: string;
  nodes: string[];
  /** This layer's share of the output error: its noise power quantized alone over the sum for all layers, in [0, 1]. */
  errorShare: number;
  /** The proxy of the model with only this unit quantized (every other layer float), dB. */
  proxyDb: number;
  floatCostBytes: number;
}

/** One model tried by the search: the live log. */
export interface AccuracyStep {
  /** Units in float in this model (the top-ranked `floatUnits` of the ranking). */
  floatUnits: number;
  /** Names of the units added to float since the previous step. */
  added: string[];
  value: number;
  proxyDb: number;
  met: boolean;
  elapsedMs: number;
}

export type AccuracyProgress =
  | { stage: 'accuracy-baseline' }
  | { stage: 'sensitivity'; done: number; total: number; etaMs: number | null }
  | { stage: 'accuracy-search'; step: AccuracyStep };

export interface AccuracyReport {
  goal: AccuracyGoal;
  /** Why the search ran: the user's budget, or the collapse guard of the default Optimize. */
  trigger: 'max-drop' | 'guard';
  validationInputs: number;
  fp32Value: number;
  threshold: number;
  /** The every-layer INT8 model. */
  initial: { value: number; proxyDb: number };
  /** The model kept. */
  final: { value: number; proxyDb: number };
  met: boolean;
  stoppedBy: 'met' | 'already-met' | 'no-layers' | 'time' | 'cancelled';
  /** Every unit ranked, largest error share first (empty when the INT8 model met the goal at once). */
  ranking: UnitSensitivity[];
  steps: AccuracyStep[];
  /** Units in float in the kept model, and their nodes (the excludeNodes to rebuild it). */
  floatUnits: string[];
  floatNodes: string[];
  /** Bytes the kept model grew by against every-layer INT8. */
  floatCostBytes: number;
  elapsedMs: number;
  /** Plain-language summary for the result card and the CLI. */
  explanation: string;
}

export interface AccuracySearchRequest {
  units: readonly RevertUnit[];
  /** Builds the INT8 model with these nodes (and the user's exclusions) in float. */
  build: (floatNodes: readonly string[]) => Uint8Array | Promise<Uint8Array>;
  /** The every-layer INT8 model. */
  plainBytes: Uint8Array;
  /** Its measurement on all validation inputs, when the caller has it already. */
  initial?: Measurement;
  evaluator: Evaluator;
  trigger: AccuracyReport['trigger'];
  /** The guard: when the every-layer INT8 model passes this, nothing is searched (stoppedBy 'already-met'). */
  skipWhen?: (m: Measurement) => boolean;
  /** Measure the sensitivity ranking even when the INT8 model already meets the goal (nothing is reverted then). */
  rankAlways?: boolean;
  /** Polled between models: true stops the search and keeps the best model so far (stoppedBy 'cancelled'). */
  shouldStop?: () => boolean;
  /** Stop searching after this long, keeping the best model found (default 10 minutes). */
  timeBudgetMs?: number;
  /** Inputs used per ranking run (default 8): ranking needs the proxy only, the goal is checked on all inputs. */
  rankInputs?: number;
  onProgress?: (p: AccuracyProgress) => void;
  checkpoint?: () => void | Promise<void>;
  /** Clock, ms (tests inject one). */
  now?: () => number;
}

export interface AccuracySearchResult {
  bytes: Uint8Array;
  report: AccuracyReport;
}

export const DEFAULT_TIME_BUDGET_MS = 10 * 60_000;
const RANK_INPUTS = 8;

function noisePower(proxyDb: number): number {
  return proxyDb === Infinity ? 0 : 10 ** (-proxyDb / 10);
}

/**
 * Ranks units by their share of the output error (revert one at a time), then finds the shortest prefix of the
 * ranking whose reversion meets the goal: prefixes of 1, 2, 4, 8 … units until one meets it, then a binary search
 * between the last miss and the first hit; at least one unit always stays INT8. Every model kept was measured on all
 * validation inputs. When the time budget runs out or the units run out, the best model measured is returned with
 * the reason.
 */
export async function searchAccurateLayout(request: AccuracySearchRequest): Promise<AccuracySearchResult> {
  const now = request.now ?? (() => performance.now());
  const started = now();
  const budget = request.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS;
  const ev = request.evaluator;
  const elapsed = (): number => now() - started;
  let stopped = false;
  const outOfTime = (): boolean => {
    if (request.shouldStop?.() === true) stopped = true;
    return stopped || elapsed() > budget;
  };
  const timeOrStop = (): AccuracyReport['stoppedBy'] => (stopped ? 'cancelled' : 'time');

  if (request.initial === undefined) request.onProgress?.({ stage: 'accuracy-baseline' });
  const initial = request.initial ?? (await ev.measure(request.plainBytes));
  const base = {
    goal: ev.goal, trigger: request.trigger, validationInputs: ev.size, fp32Value: ev.fp32Value, threshold: ev.threshold(),
    initial: { value: initial.value, proxyDb: initial.proxyDb },
  };
  const alreadyMet = request.skipWhen?.(initial) ?? ev.meets(initial.value);
  if (alreadyMet && request.rankAlways !== true) {
    return {
      bytes: request.plainBytes,
      report: { ...base, final: base.initial, met: true, stoppedBy: 'already-met', ranking: [], steps: [], floatUnits: [], floatNodes: [], floatCostBytes: 0, elapsedMs: elapsed(),
        explanation: request.trigger === 'guard'
          ? `The INT8 model agrees with FP32 on ${fmt(ev, initial.value)} of the validation images, above the collapse floor: nothing needed to go back to float.`
          : explain('already-met', ev, initial.value, initial.value, []) },
    };
  }

  // 1. Sensitivity: each unit quantized alone (every other layer float), on the first rankInputs inputs. Near the
  //    goal errors add up (each is small); at a collapsed start they do not, so "revert one" would rank badly.
  const rankCount = Math.min(request.rankInputs ?? RANK_INPUTS, ev.size);
  const allNodes = request.units.flatMap((u) => u.nodes);
  const noises: number[] = [];
  const measured: Omit<UnitSensitivity, 'errorShare'>[] = [];
  let stoppedBy: AccuracyReport['stoppedBy'] | null = null;
  const rankStart = now();
  for (const unit of request.units) {
    if (outOfTime()) {
      stoppedBy = timeOrStop();
      break;
    }
    const own = new Set(unit.nodes);
    const m = await ev.measure(await request.build(allNodes.filter((n) => !own.has(n))), rankCount);
    noises.push(noisePower(m.proxyDb));
    measured.push({ name: unit.name, opType: unit.opType, nodes: unit.nodes, proxyDb: m.proxyDb, floatCostBytes: unit.floatCostBytes });
    const done = measured.length;
    request.onProgress?.({ stage: 'sensitivity', done, total: request.units.length, etaMs: ((now() - rankStart) / done) * (request.units.length - done) });
  }
  const totalNoise = noises.reduce((a, b) => a + b, 0);
  const ranking: UnitSensitivity[] = measured.map((u, i) => ({ ...u, errorShare: totalNoise === 0 ? 0 : noises[i]! / totalNoise }));
  ranking.sort((a, b) => b.errorShare - a.errorShare);
  if (alreadyMet) {
    // Asked for the ranking only (rankAlways): the model is within the goal, nothing goes back to float.
    return {
      bytes: request.plainBytes,
      report: { ...base, final: base.initial, met: true, stoppedBy: 'already-met', ranking, steps: [], floatUnits: [], floatNodes: [], floatCostBytes: 0, elapsedMs: elapsed(),
        explanation: `${explain('already-met', ev, initial.value, initial.value, [])} Each layer's share of the error is measured below: keep any of them in float with one click.` },
    };
  }

  // 2. Shortest prefix of the ranking that meets the goal.
  const steps: AccuracyStep[] = [];
  const tried = new Map<number, { bytes: Uint8Array; m: Measurement }>();
  tried.set(0, { bytes: request.plainBytes, m: initial });
  const nodesOf = (k: number): string[] => ranking.slice(0, k).flatMap((u) => u.nodes);
  let lastK = 0;
  const tryPrefix = async (k: number): Promise<boolean> => {
    const bytes = await request.build(nodesOf(k));
    const m = await ev.measure(bytes);
    tried.set(k, { bytes, m });
    const added = k > lastK ? ranking.slice(lastK, k).map((u) => u.name) : [];
    lastK = k;
    const step: AccuracyStep = { floatUnits: k, added, value: m.value, proxyDb: m.proxyDb, met: ev.meets(m.value), elapsedMs: elapsed() };
    steps.push(step);
    request.onProgress?.({ stage: 'accuracy-search', step });
    return step.met;
  };
  let miss = 0;
  let hit: number | null = null;
  // At least one layer stays INT8: a model with every layer in float is FP32 again, not an answer.
  const maxK = ranking.length - 1;
  if (stoppedBy === null && maxK < 1) stoppedBy = 'no-layers';
  if (stoppedBy === null) {
    for (let k = 1; ; k = Math.min(2 * k, maxK)) {
      if (outOfTime()) {
        stoppedBy = timeOrStop();
        break;
      }
      if (await tryPrefix(k)) {
        hit = k;
        break;
      }
      miss = k;
      if (k === maxK) {
        stoppedBy = 'no-layers';
        break;
      }
    }
  }
  while (hit !== null && hit - miss > 1 && !outOfTime()) {
    const mid = (hit + miss) >> 1;
    if (await tryPrefix(mid)) hit = mid;
    else miss = mid;
  }

  // 3. Keep the smallest prefix that met the goal, else the best value measured.
  let keptK: number;
  if (hit !== null) {
    keptK = hit;
    stoppedBy = 'met';
  } else {
    keptK = [...tried.entries()].reduce((best, [k, t]) => (t.m.value > tried.get(best)!.m.value ? k : best), 0);
  }
  const kept = tried.get(keptK)!;
  const floatUnits = ranking.slice(0, keptK);
  const reason = stoppedBy ?? 'no-layers';
  return {
    bytes: kept.bytes,
    report: {
      ...base,
      final: { value: kept.m.value, proxyDb: kept.m.proxyDb },
      met: hit !== null,
      stoppedBy: reason,
      ranking,
      steps,
      floatUnits: floatUnits.map((u) => u.name),
      floatNodes: floatUnits.flatMap((u) => u.nodes),
      floatCostBytes: floatUnits.reduce((s, u) => s + u.floatCostBytes, 0),
      elapsedMs: elapsed(),
      explanation: explain(reason, ev, initial.value, kept.m.value, floatUnits),
    },
  };
}

function fmt(ev: Evaluator, v: number): string {
  return ev.goal.metric === 'sqnr' ? `${v.toFixed(1)} dB` : `${v.toFixed(2)}%`;
}

/** The metric in words: "top-1 accuracy". */
export function describeMetric(metric: AccuracyMetric): string {
  return metric === 'top1' ? 'top-1 accuracy' : metric === 'agreement' ? 'agreement with FP32' : 'output SQNR';
}

function metricWords(ev: Evaluator): string {
  return describeMetric(ev.goal.metric);
}

function explain(reason: AccuracyReport['stoppedBy'], ev: Evaluator, initial: number, final: number, floatUnits: readonly UnitSensitivity[]): string {
  const goal = describeGoal(ev.goal);
  const what = metricWords(ev);
  const n = floatUnits.length;
  const layers = `${n} layer${n === 1 ? '' : 's'}`;
  const fp32 = ev.goal.metric === 'top1' ? ` (FP32: ${fmt(ev, ev.fp32Value)})` : '';
  switch (reason) {
    case 'already-met':
      return `Every layer is INT8 and the ${what} is ${fmt(ev, initial)}${fp32}: within the budget (${goal}), so nothing went back to float.`;
    case 'met':
      return `With every layer INT8 the ${what} was ${fmt(ev, initial)}${fp32}. Keeping the ${layers} that caused most of the error in float brings it to ${fmt(ev, final)}, within the budget (${goal}).`;
    case 'time':
      return `The time budget ran out before the model met the budget (${goal}). The best model found is kept: ${what} ${fmt(ev, final)}${fp32} with ${layers} in float (every layer INT8: ${fmt(ev, initial)}). Allow more time, relax the budget, or add validation images.`;
    case 'cancelled':
      return `Stopped. The best model found is kept: ${what} ${fmt(ev, final)} with ${layers} in float.`;
    case 'no-layers':
      return `Even with every layer but the least sensitive one in float, the budget (${goal}) was not met on these validation images: the best model found is kept, ${what} ${fmt(ev, final)}${fp32} with ${layers} in float (every layer INT8: ${fmt(ev, initial)}). This budget needs the FP32 model itself; relax it, or check the validation images.`;
  }
}
