// INT8 job: float model bytes (+ calibration inputs) -> INT8 model (static QDQ or dynamic), checked in the
// runtime against FP32, with a per-layer error report. Same code for the browser worker, the CLI and tests.
import { externalAsViews, runnerFor, type RunnerFactory } from '../onnx/weight-views';
import { describeType, forEachWeight, realInputs } from '../onnx/graph';
import { decodeModel, encodeModel } from '../onnx/model-io';
import { upgradeOpset, type OpsetUpgradeReport } from '../onnx/opset-upgrade';
import type { ModelProto } from '../onnx/proto/onnx_pb';
import { summarizeModel } from '../onnx/summary';
import type { ExternalDataResolver } from '../onnx/tensor-data';
import { looksTransformerLike, quantizeDynamicInt8, type DynamicInt8Report } from '../quant/dynamic-int8';
import { FidelityAccumulator } from '../quant/metrics';
import type { FloatTensor } from '../quant/mixed-precision';
import type { CalibrationMethod } from '../quant/observers';
import { correctBiases, type ChannelMeans } from '../quant/bias-correction';
import { applyQdq, groupRanges, type QuantizedTensor, type Range } from '../quant/qdq-apply';
import { nodeName, planQdq, type ActivationPreset, type ModelType, type QdqOptions, type QdqPlan, type SkippedNode } from '../quant/qdq-plan';
import type { Fidelity } from '../data/types';
import { QbError } from '../shared/errors';
import { calibrate, type OutputsRunner } from './calibrate';
import { channelMeans, layerErrors } from './int8-layers';
import { FASTER_MARGIN, searchFastLayout, type SpeedProbe, type SpeedProgress, type SpeedReport } from './int8-speed';
import { describeMetric, Evaluator, searchAccurateLayout, type AccuracyGoal, type AccuracyProgress, type AccuracyReport, type Measurement } from './int8-accuracy';
import { revertUnits } from '../quant/revert-units';

export type Int8Mode = 'static' | 'dynamic';

export interface Int8Options {
  /** 'auto' (default): dynamic for transformer-like models (MatMul weights hold the parameters), else static. */
  mode?: Int8Mode | 'auto';
  /** Static only. Default 'performance' for CNNs, 'mixed' for transformers. */
  preset?: ActivationPreset;
  /** Static only. 'auto' (default) detects transformer-like models. */
  modelType?: ModelType | 'auto';
  /** Static only. Default 'mse' (see DEFAULT_METHOD). */
  calibration?: CalibrationMethod;
  movingAverage?: number;
  percentile?: number;
  /** Default true. */
  perChannel?: boolean;
  excludeNodes?: readonly string[];
  excludeOpTypes?: readonly string[];
  /** Calibration images used at most (default 300, all when fewer). */
  subset?: number;
  /** Static only: fold the mean shift quantization adds to each Conv/Gemm output into its bias (default true). */
  biasCorrection?: boolean;
  /**
   * Static only. 'auto' (default): when the request has a speed probe, time every layer in FP32 and INT8 on the
   * device and keep integer only the layers (and borders) that pay off; 'off': every quantizable layer integer.
   */
  speed?: 'auto' | 'off';
  /**
   * Static only: accuracy-aware INT8. The layers causing most of the error go back to float until the model is
   * within the goal on the validation inputs (kept apart from calibration), or the time budget runs out.
   */
  accuracy?: { goal: AccuracyGoal; timeBudgetMs?: number };
  /**
   * Static only, default true: when the INT8 model's fidelity on the validation inputs falls below the collapse
   * floors (GUARD_FLOORS), run the accuracy search automatically with GUARD_GOAL. Ignored with `accuracy`.
   */
  guard?: boolean;
  /**
   * Static only: measure every layer's share of the error (sensitivity analysis) even when nothing needs to go
   * back to float; the ranking is in report.accuracy. With no budget set, the goal is the guard's.
   */
  sensitivity?: boolean;
}

/** Below these the default INT8 model counts as collapsed: agreement with FP32 (top-1, pixels or detections), output SQNR (not for detectors, whose raw box outputs amplify any noise). */
export const GUARD_FLOORS = { agreement: 0.9, sqnrDb: 10 } as const;
/** Validation inputs kept apart: the accuracy search at most (labels need many: one image of 200 is 0.5 points), the guard. */
export const ACCURACY_VALIDATION = 1000;
export const GUARD_VALIDATION = 32;
/** Validation inputs are held in memory during the job: at most this many bytes of them. */
const VALIDATION_BYTES = 256 * 2 ** 20;

/** How many validation inputs a job with these options keeps apart from calibration (inputs of `inputBytes` each). */
export function validationCount(options: Pick<Int8Options, 'accuracy' | 'guard' | 'mode'>, inputBytes: number): number {
  const wanted = options.mode === 'dynamic' ? CHECK_INPUTS : options.accuracy !== undefined ? ACCURACY_VALIDATION : options.guard !== false ? GUARD_VALIDATION : CHECK_INPUTS;
  return Math.max(CHECK_INPUTS, Math.min(wanted, Math.floor(VALIDATION_BYTES / Math.max(1, inputBytes))));
}

/** What the collapse guard aims for once it runs. */
export const GUARD_GOAL: AccuracyGoal = { metric: 'agreement', maxDrop: 8 };

/**
 * Calibration method used when none is chosen: MSE-optimal clipping gave the best held-out SQNR of the four methods
 * on ResNet20, SqueezeNet and DeepLabV3 (with bias correction), see the issue #4 note.
 */
export const DEFAULT_METHOD: CalibrationMethod = 'mse';
export const DEFAULT_SUBSET = 300;
/** Fewer calibration images than this get a warning. */
export const FEW_CALIBRATION_IMAGES = 50;

export type Int8Progress =
  | { stage: 'prepare' }
  | { stage: 'calibrate'; done: number; total: number }
  | { stage: 'bias-correction'; done: number; total: number }
  | { stage: 'quantize' }
  | { stage: 'validate'; done: number; total: number }
  | { stage: 'layer-report'; done: number; total: number }
  | SpeedProgress
  | AccuracyProgress;

export interface Int8Request {
  bytes: Uint8Array;
  /** External-data files of the model; the INT8 model holds every weight inline. */
  external?: ExternalDataResolver;
  options?: Int8Options;
  /** Static: preprocessed calibration inputs, pulled one at a time; `total` is how many the source holds. */
  calibration?: { inputs: AsyncIterable<FloatTensor> | Iterable<FloatTensor>; total: number };
  /**
   * Inputs not used for calibration: the check and per-layer report use the first CHECK_INPUTS, the accuracy
   * search and collapse guard all of them.
   */
  validation?: readonly FloatTensor[];
  /** Output class index of each validation input (-1 unknown), for the top1 accuracy goal. */
  validationLabels?: readonly number[];
  /** Polled between models during the accuracy search: true stops it and keeps the best model found so far. */
  shouldStop?: () => boolean;
  /** Loads a model into a runner (onnxruntime-web ModelSession in the app, CLI and tests). */
  makeRunner: RunnerFactory<OutputsRunner>;
  /** Times models on the device the INT8 model is for; without it no runtime-aware search runs. */
  speedProbe?: SpeedProbe;
  onProgress?: (p: Int8Progress) => void;
  checkpoint?: () => void | Promise<void>;
}

/** Error one quantized activation adds, on the check inputs. */
export interface LayerError {
  tensor: string;
  /** Op that produces the tensor ('input' for a graph input). */
  producer: string;
  /** SQNR of the tensor against its own quantize-dequantize (the rounding and clipping this tensor adds), dB. */
  localSqnrDb: number;
  /** SQNR of the tensor in the INT8 model against FP32 (every error upstream of it), dB. */
  cumulativeSqnrDb: number;
  /** Share of values outside the clipping range, in [0, 1]. */
  clippedShare: number;
}

export interface Int8Report {
  mode: Int8Mode;
  preset: ActivationPreset | null;
  modelType: ModelType | null;
  method: CalibrationMethod | null;
  perChannel: boolean;
  opsetUpgrade: OpsetUpgradeReport | null;
  calibration: { images: number; available: number; elapsedMs: number; imagesPerSecond: number; runMs: number; bytesHeld: number } | null;
  warnings: string[];
  quantizedNodes: { name: string; opType: string }[];
  skippedNodes: SkippedNode[];
  floatOps: Record<string, number>;
  /** Conv/Gemm nodes whose bias absorbed the measured quantization shift (0 when bias correction is off). */
  biasCorrected: number;
  tensors: QuantizedTensor[];
  layers: LayerError[];
  dynamic: DynamicInt8Report | null;
  /** Runtime-aware search (static INT8 with a speed probe), else null. */
  speed: SpeedReport | null;
  /** Accuracy-aware search or collapse guard (static INT8 with validation inputs), else null. */
  accuracy: Int8AccuracyReport | null;
  sizeBeforeBytes: number;
  sizeAfterBytes: number;
  /** The INT8 model's first output against FP32 on the check inputs. */
  check: Fidelity & { inputs: number; heldOut: boolean; maxAbsDiff: number };
}

export interface Int8AccuracyReport extends AccuracyReport {
  /** The preset was changed (Performance -> Mixed) because the default one missed the goal; values in the goal's unit. */
  presetSwitch: { from: ActivationPreset; to: ActivationPreset; before: number; after: number } | null;
}

/** Builds the INT8 model of a plan with the calibrated ranges (biases corrected for the integer layers). */
type Builder = (options: QdqOptions) => { applied: ReturnType<typeof applyQdq>; corrected: number };

export interface Int8Result {
  bytes: Uint8Array;
  report: Int8Report;
}

/** Check inputs used (validation inputs, or the first calibration inputs when none are given). */
export const CHECK_INPUTS = 8;
/** Calibration inputs bias correction measures channel means on (at most BIAS_BYTES of them are kept). */
const BIAS_SAMPLES = 32;
const BIAS_BYTES = 64 * 2 ** 20;
/** Inputs used for the per-layer report (two extra runs each). */
const LAYER_INPUTS = 4;

function defaultOpset(model: ModelProto): number {
  return Number(model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0n);
}

/** Weight bytes of a model, counting external data (what the user downloads). */
function modelBytes(bytes: Uint8Array, model: ModelProto, external: ExternalDataResolver | undefined): number {
  let extra = 0;
  if (external !== undefined) {
    forEachWeight(model.graph!, (t) => {
      if (t.externalData.length > 0) extra += Number(t.externalData.find((e) => e.key === 'length')?.value ?? 0);
    });
  }
  return bytes.length + extra;
}

function upgradeIfNeeded(model: ModelProto, needed: number): { model: ModelProto; report: OpsetUpgradeReport | null } {
  if (defaultOpset(model) >= needed) return { model, report: null };
  try {
    return upgradeOpset(model, 13);
  } catch (err) {
    if (!(err instanceof QbError)) throw err;
    throw new QbError('unsupported', `INT8 needs this model moved from ONNX opset ${defaultOpset(model)} to 13, and that is not possible: ${err.message}`, err.detail);
  }
}

async function runAll(runner: OutputsRunner, inputs: readonly FloatTensor[], onStep: (done: number) => void, checkpoint?: () => void | Promise<void>): Promise<FloatTensor[]> {
  const out: FloatTensor[] = [];
  for (const input of inputs) {
    await checkpoint?.();
    out.push(await runner.runFloat(input));
    onStep(out.length);
  }
  return out;
}

/** FP32 vs INT8 outputs; refuses a broken INT8 model (NaN, all zeros). */
function compare(reference: readonly FloatTensor[], outputs: readonly FloatTensor[], heldOut: boolean): Int8Report['check'] {
  const acc = new FidelityAccumulator();
  let maxAbsDiff = 0;
  reference.forEach((r, i) => {
    const o = outputs[i]!;
    if (o.data.some((v) => !Number.isFinite(v))) throw new QbError('runtime', 'The INT8 model gives NaN or infinite outputs, so it was not kept. Try the Mixed preset or exclude the layers named in the details.');
    if (o.data.every((v) => v === 0) && r.data.some((v) => v !== 0)) throw new QbError('runtime', 'The INT8 model gives only zeros, so it was not kept.');
    acc.add(r.data, o.data, r.dims);
    for (let k = 0; k < r.data.length; k++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(r.data[k]! - o.data[k]!));
  });
  return { ...acc.result(), inputs: reference.length, heldOut, maxAbsDiff };
}

/** Classifiers judged on fewer validation images than this are judged on SQNR only: one flip would be 10%+. */
const GUARD_MIN_TOP1_INPUTS = 20;

/**
 * The collapse guard's floors (GUARD_FLOORS) on `inputs` validation inputs: detectors are judged on their
 * detections (their raw box outputs amplify any noise), segmentation on pixels, classifiers on top-1 agreement when
 * there are enough images for it to mean something, and on SQNR.
 */
function notCollapsed(m: Measurement, inputs: number): boolean {
  const f = m.fidelity;
  if (f.detectionAgreement !== undefined) return f.detectionAgreement >= GUARD_FLOORS.agreement;
  const perImage = f.pixelAgreement === undefined;
  if ((!perImage || inputs >= GUARD_MIN_TOP1_INPUTS) && f.top1Agreement < GUARD_FLOORS.agreement) return false;
  return f.sqnrDb >= GUARD_FLOORS.sqnrDb;
}

/** What the final plan quantizes and keeps in float, with the speed search's choices named as such. */
function finalNodes(plan: QdqPlan, speed: SpeedReport | null, accuracy: AccuracyReport | null): Pick<Int8Report, 'quantizedNodes' | 'skippedNodes' | 'floatOps'> {
  const forSpeed = new Set(speed?.chosen === 'runtime-aware' ? speed.floatNodes : []);
  const share = new Map<string, number>();
  const kept = new Set(accuracy?.floatNodes ?? []);
  for (const u of accuracy?.ranking ?? []) for (const n of u.nodes) if (kept.has(n)) share.set(n, u.errorShare);
  const why = (name: string): string | null => {
    const s = share.get(name);
    if (s !== undefined) return `Kept in float for accuracy: as INT8 it caused ${(100 * s).toFixed(1)}% of the output error (measured).`;
    if (forSpeed.has(name)) return `Faster in float on ${speed?.device ?? 'this device'} (measured); its weights are still stored as int8.`;
    return null;
  };
  const skippedNodes = plan.skippedNodes.map((s) => ({ ...s, reason: why(s.name) ?? s.reason }));
  return { quantizedNodes: plan.quantizedNodes, skippedNodes, floatOps: plan.floatOps };
}

/** Elements of the model's first input (symbolic dims count as 1). */
function inputElements(model: ModelProto): number {
  const input = realInputs(model.graph!)[0];
  const shape = describeType(input?.type).shape ?? [];
  return shape.reduce<number>((a, d) => a * (typeof d === 'number' && d > 0 ? d : 1), 1);
}

/**
 * Makes an INT8 variant. Static: upgrade the opset when per-channel weights need 13, plan, calibrate on up to
 * `subset` inputs, rewrite to QDQ. Dynamic: int8 MatMul/Gemm weights, activations quantized at run time.
 * Then the INT8 model is loaded and run in the runtime and compared with FP32 before anyone sees it.
 * @throws QbError('unsupported') for an already quantized model, nothing to quantize, or no calibration inputs
 * for static mode; QbError('runtime') for a broken INT8 model; whatever checkpoint() throws (nothing is
 * returned half-made).
 */
export async function makeInt8Variant(request: Int8Request): Promise<Int8Result> {
  const opts = request.options ?? {};
  request.onProgress?.({ stage: 'prepare' });
  const original = decodeModel(request.bytes);
  const state = summarizeModel(original, 'model', request.bytes.length).quantization;
  if (state.quantized) {
    throw new QbError('unsupported', `This model is already quantized (${state.formats.join(', ')}), so it was not quantized again: that would stack rounding errors. Start from the original floating-point model.`);
  }
  const sizeBeforeBytes = modelBytes(request.bytes, original, request.external);
  // External weights become views of their files (no copy). The float model is encoded as one buffer only when a
  // stage needs it (static calibration, the accuracy search): dynamic INT8 of a 346 MB model never does.
  if (request.external !== undefined) externalAsViews(original, request.external);
  let encodedFloat: Uint8Array | undefined;
  const floatBytes = (): Uint8Array => (encodedFloat ??= request.external !== undefined ? encodeModel(original) : request.bytes);

  const transformer = looksTransformerLike(original);
  const mode: Int8Mode = opts.mode === undefined || opts.mode === 'auto' ? (transformer ? 'dynamic' : 'static') : opts.mode;
  const perChannel = opts.perChannel ?? true;
  const warnings: string[] = [];

  let bytes: Uint8Array;
  let upgraded: { model: ModelProto; report: OpsetUpgradeReport | null };
  let base: Omit<Int8Report, 'check' | 'layers' | 'sizeBeforeBytes' | 'sizeAfterBytes' | 'warnings' | 'biasCorrected' | 'speed' | 'accuracy'>;
  let speed: SpeedReport | null = null;
  let accuracy: Int8AccuracyReport | null = null;
  let presetSwitch: Int8AccuracyReport['presetSwitch'] = null;
  let checkInputs: FloatTensor[] = [...(request.validation ?? [])].slice(0, CHECK_INPUTS);
  let heldOut = checkInputs.length > 0;
  let floatModel: ModelProto;
  /** Static only (the per-layer report); dynamic drops its model as soon as it is encoded. */
  let int8Model: ModelProto | null = null;
  let biasCorrected = 0;
  let layerPlan: { tensors: QuantizedTensor[]; producers: Map<string, string>; preset: ActivationPreset } | null = null;

  if (mode === 'dynamic') {
    upgraded = upgradeIfNeeded(original, 11);
    floatModel = upgraded.model;
    // Dynamic mode calibrates nothing, so dataset inputs given for calibration are unseen: check on them.
    if (checkInputs.length === 0 && request.calibration !== undefined) {
      for await (const x of request.calibration.inputs) {
        checkInputs.push(x);
        if (checkInputs.length >= CHECK_INPUTS) break;
      }
      heldOut = checkInputs.length > 0;
    }
    request.onProgress?.({ stage: 'quantize' });
    // Quantized and encoded in one synchronous step: the int8 arrays become garbage at once (only the encoded file
    // is kept), before the runtime sessions below grow the engine's memory.
    const dyn = ((): { bytes: Uint8Array; report: DynamicInt8Report } => {
      const made = quantizeDynamicInt8(upgraded.model, { excludeNodes: opts.excludeNodes, excludeOpTypes: opts.excludeOpTypes, perChannel, measureSizes: false });
      const encoded = encodeModel(made.model);
      return { bytes: encoded, report: { ...made.report, sizeBeforeBytes, sizeAfterBytes: encoded.byteLength } };
    })();
    bytes = dyn.bytes;
    base = {
      mode, preset: null, modelType: null, method: null, perChannel, opsetUpgrade: upgraded.report, calibration: null,
      quantizedNodes: dyn.report.quantizedNodes.map((n) => ({ name: n.name, opType: n.opType })),
      skippedNodes: dyn.report.skippedNodes, floatOps: {}, tensors: [], dynamic: dyn.report,
    };
  } else {
    const modelType: ModelType = opts.modelType === undefined || opts.modelType === 'auto' ? (transformer ? 'transformer' : 'cnn') : opts.modelType;
    let preset: ActivationPreset = opts.preset ?? (modelType === 'transformer' ? 'mixed' : 'performance');
    const method = opts.calibration ?? DEFAULT_METHOD;
    upgraded = upgradeIfNeeded(original, 13);
    floatModel = upgraded.model;
    // Every node gets its display name as its name, so onnxruntime's per-node profile can be matched to the plan.
    for (const n of upgraded.model.graph!.node) if (n.name === '') n.name = nodeName(n);
    let qdqOptions: QdqOptions = { preset, modelType, perChannel, excludeNodes: opts.excludeNodes, excludeOpTypes: opts.excludeOpTypes };
    const searchSpeed = request.speedProbe !== undefined && opts.speed !== 'off';
    const plan = planQdq(upgraded.model, qdqOptions);
    // The speed search may keep an integer layer next to a float one: its output is then quantized too, so
    // calibrate those tensors as well.
    const calPlan = searchSpeed ? planQdq(upgraded.model, { ...qdqOptions, keepOutputsQuantized: true }) : plan;
    if (plan.quantizedNodes.length === 0 || plan.tensors.length === 0) {
      const why = plan.skippedNodes.length > 0 ? ` ${plan.skippedNodes.slice(0, 3).map((s) => `${s.name}: ${s.reason}`).join(' ')}` : '';
      throw new QbError('unsupported', `Nothing in this model can be quantized to INT8 statically (no Conv, MatMul or Gemm with float inputs).${why}`);
    }
    if (request.calibration === undefined || request.calibration.total === 0) {
      throw new QbError('unsupported', 'Static INT8 needs calibration images: add a dataset (100–300 images like the ones the model will see).');
    }
    const limit = Math.min(opts.subset ?? DEFAULT_SUBSET, request.calibration.total);
    const cal = await calibrate({
      model: upgraded.model,
      tensors: calPlan.tensors,
      graphInputs: calPlan.graphInputs,
      observer: { method, movingAverage: opts.movingAverage, percentile: opts.percentile },
      inputs: request.calibration.inputs,
      limit,
      makeRunner: request.makeRunner,
      onStep: (done, total) => request.onProgress?.({ stage: 'calibrate', done, total }),
      checkpoint: request.checkpoint,
      keep: Math.max(heldOut ? 0 : CHECK_INPUTS, opts.biasCorrection === false ? 0 : Math.max(1, Math.min(BIAS_SAMPLES, Math.floor(BIAS_BYTES / (4 * inputElements(upgraded.model))))) ),
    });
    if (cal.images === 0) throw new QbError('bad-image', 'None of the calibration images could be used.');
    if (cal.images < FEW_CALIBRATION_IMAGES) {
      warnings.push(`Calibrated on only ${cal.images} image${cal.images === 1 ? '' : 's'}: ranges from fewer than ${FEW_CALIBRATION_IMAGES} images may not cover what the model will see. 100–300 varied images are typical.`);
    }
    if (!heldOut) {
      checkInputs = cal.kept.slice(0, CHECK_INPUTS);
      warnings.push('The INT8 check reused calibration images (no separate images were given), so it may look better than on new data.');
    }
    await request.checkpoint?.();
    let bytesHeld = 0;
    for (const [t, obs] of cal.observers) {
      bytesHeld += obs.bytesHeld;
      if (obs.nonFinite > 0) warnings.push(`Tensor "${t}" had ${obs.nonFinite} NaN or infinite values during calibration; they were ignored.`);
    }
    // Ranges and bias shifts for a preset (the observers serve both), and a builder of INT8 models for plans.
    const builderFor = async (p: ActivationPreset): Promise<Builder> => {
      const kind = p === 'performance' ? 'symmetric' : 'asymmetric';
      const ranges = new Map<string, Range>();
      for (const [t, obs] of cal.observers) ranges.set(t, obs.range(kind, 'uint8'));
      let means: Map<string, ChannelMeans> | null = null;
      if (opts.biasCorrection !== false && cal.kept.length > 0) {
        request.onProgress?.({ stage: 'bias-correction', done: 0, total: cal.kept.length });
        means = await channelMeans(upgraded.model, plan, groupRanges(plan, ranges), p, cal.kept, request);
      }
      // One INT8 model for a plan: biases corrected only for the layers that become integer.
      return (options) => {
        const o = { ...options, preset: p };
        const planned = planQdq(upgraded.model, o);
        if (means === null) return { applied: applyQdq(upgraded.model, planned, ranges, { preset: p, perChannel }), corrected: 0 };
        // Weight-only layers compute in float on float inputs: the shift measured with quantized inputs does not apply.
        const weightOnly = new Set(o.weightOnlyNodes ?? []);
        const corrected = correctBiases(upgraded.model, { ...planned, weights: planned.weights.filter((w) => !weightOnly.has(w.node)) }, means, perChannel);
        return { applied: applyQdq(corrected.model, planQdq(corrected.model, o), ranges, { preset: p, perChannel }), corrected: corrected.report.corrected.length };
      };
    };
    let build = await builderFor(preset);
    request.onProgress?.({ stage: 'quantize' });
    let made = build(qdqOptions);
    let finalOptions: QdqOptions = qdqOptions;
    bytes = encodeModel(made.applied.model);
    let userExcluded: readonly string[] = opts.excludeNodes ?? [];
    /** Set when the accuracy search or guard judged the model: a faster layout must still pass it. */
    let stillAccurate: ((b: Uint8Array) => Promise<boolean>) | null = null;
    const validation = request.validation ?? [];
    if ((opts.accuracy !== undefined || opts.guard !== false || opts.sensitivity === true) && validation.length > 0) {
      const guard = opts.accuracy === undefined;
      const evaluator = await Evaluator.create({
        fp32: floatBytes(), inputs: validation, labels: request.validationLabels, makeRunner: request.makeRunner,
        goal: opts.accuracy?.goal ?? GUARD_GOAL, checkpoint: request.checkpoint,
      });
      const base = userExcluded;
      const excluding = (nodes: readonly string[]): QdqOptions => ({ ...qdqOptions, excludeNodes: [...base, ...nodes] });
      request.onProgress?.({ stage: 'accuracy-baseline' });
      let initial = await evaluator.measure(bytes);
      const passes = (m: Measurement): boolean => (guard ? opts.guard === false || notCollapsed(m, evaluator.size) : evaluator.meets(m.value));
      // Symmetric activations spend half their 256 levels on negative values that SiLU and Sigmoid outputs barely
      // have: when the default preset misses, asymmetric activations (Mixed) are tried before any layer goes float.
      if (!passes(initial) && opts.preset === undefined && preset === 'performance') {
        const mixedBuild = await builderFor('mixed');
        const mixedMade = mixedBuild(excluding([]));
        const mixedBytes = encodeModel(mixedMade.applied.model);
        const mixed = await evaluator.measure(mixedBytes);
        if (mixed.value > initial.value) {
          presetSwitch = { from: preset, to: 'mixed', before: initial.value, after: mixed.value };
          preset = 'mixed';
          qdqOptions = { ...qdqOptions, preset };
          build = mixedBuild;
          made = mixedMade;
          bytes = mixedBytes;
          initial = mixed;
        }
      }
      const found = await searchAccurateLayout({
        initial,
        units: revertUnits(upgraded.model.graph!, plan.quantizedNodes),
        build: (nodes) => encodeModel(build({ ...excluding(nodes), preset }).applied.model),
        plainBytes: bytes,
        evaluator,
        trigger: guard ? 'guard' : 'max-drop',
        // Guard off with sensitivity on: rank only, never revert.
        ...(guard ? { skipWhen: (m: Measurement) => opts.guard === false || notCollapsed(m, evaluator.size) } : {}),
        ...(opts.sensitivity === true ? { rankAlways: true } : {}),
        ...(opts.accuracy?.timeBudgetMs !== undefined ? { timeBudgetMs: opts.accuracy.timeBudgetMs } : {}),
        ...(request.shouldStop !== undefined ? { shouldStop: request.shouldStop } : {}),
        onProgress: request.onProgress,
        checkpoint: request.checkpoint,
      });
      const unit = evaluator.goal.metric === 'sqnr' ? ' dB' : '%';
      const switched = presetSwitch === null ? '' : `Activations were switched to asymmetric (Mixed preset), which alone took the ${describeMetric(evaluator.goal.metric)} from ${presetSwitch.before.toFixed(2)}${unit} to ${presetSwitch.after.toFixed(2)}${unit}. `;
      if (evaluator.goal.metric === 'top1' && !guard) {
        const labelled = (request.validationLabels ?? []).filter((l) => l >= 0).length;
        const step = 100 / Math.max(1, labelled);
        if (evaluator.threshold() > evaluator.fp32Value - step) {
          warnings.push(`With ${labelled} labelled validation images one image is ${step.toFixed(2)} points, so a budget of ${opts.accuracy?.goal.maxDrop} points lets no image change: add validation images for a finer budget.`);
        }
      }
      accuracy = { ...found.report, presetSwitch, explanation: switched + found.report.explanation };
      if (found.report.floatNodes.length > 0 || !guard) stillAccurate = async (b) => passes(await evaluator.measure(b));
      if (found.report.floatNodes.length > 0) {
        made = build(excluding(found.report.floatNodes));
        bytes = found.bytes;
        finalOptions = excluding(found.report.floatNodes);
        userExcluded = [...base, ...found.report.floatNodes];
      }
    }
    if (searchSpeed) {
      // Layers faster in float keep int8 weights (a DequantizeLinear feeds the float Conv): the file stays small.
      const speedOptions = (floatNodes: readonly string[]): QdqOptions => ({ ...qdqOptions, excludeNodes: [...userExcluded, ...floatNodes], keepOutputsQuantized: true, weightOnlyNodes: floatNodes });
      const built = new Map<string, ReturnType<typeof build>>();
      const found = await searchFastLayout({
        graph: upgraded.model.graph!,
        candidates: plan.quantizedNodes.map((n) => n.name).filter((n) => !userExcluded.includes(n)),
        fp32Bytes: floatBytes(),
        fp32NamedBytes: encodeModel(upgraded.model),
        plainBytes: bytes,
        build: (floatNodes) => {
          const layout = build(speedOptions(floatNodes));
          built.set(floatNodes.join('\n'), layout);
          return encodeModel(layout.applied.model);
        },
        probe: request.speedProbe!,
        onProgress: request.onProgress,
        checkpoint: request.checkpoint,
      });
      speed = found.report;
      // Speed layouts quantize a few more outputs (borders to float layers): check the budget still holds.
      if (found.report.chosen === 'runtime-aware' && stillAccurate !== null && !(await stillAccurate(found.bytes))) {
        const sp = found.report;
        warnings.push(`The fastest INT8 layout (${sp.speedup.toFixed(2)}x FP32) missed the accuracy ${accuracy?.trigger === 'guard' ? 'floor' : 'budget'} on the validation images, so the accurate layout was kept.`);
        const speedup = sp.fp32Ms / sp.plainInt8Ms;
        speed = { ...sp, chosen: 'plain', chosenMs: sp.plainInt8Ms, speedup, faster: speedup >= FASTER_MARGIN, floatNodes: [] };
      } else if (found.report.chosen === 'runtime-aware') {
        // The search built this layout already: reuse it instead of quantizing the model again.
        made = built.get(found.report.floatNodes.join('\n')) ?? build(speedOptions(found.report.floatNodes));
        bytes = found.bytes;
        finalOptions = speedOptions(found.report.floatNodes);
      }
    }
    biasCorrected = made.corrected;
    const applied = made.applied;
    int8Model = applied.model;
    const producers = new Map<string, string>();
    for (const t of plan.graphInputs) producers.set(t, 'input');
    for (const n of upgraded.model.graph!.node) for (const o of n.output) producers.set(o, n.opType);
    layerPlan = { tensors: applied.tensors, producers, preset };
    base = {
      mode, preset, modelType, method, perChannel, opsetUpgrade: upgraded.report,
      calibration: { images: cal.images, available: request.calibration.total, elapsedMs: cal.elapsedMs, runMs: cal.runMs, imagesPerSecond: (1000 * cal.images) / Math.max(1e-9, cal.elapsedMs), bytesHeld },
      ...finalNodes(planQdq(upgraded.model, finalOptions), speed, accuracy), tensors: applied.tensors, dynamic: null,
    };
  }

  // Validation: the INT8 model must load and run in the runtime, and its outputs are compared with FP32.
  if (checkInputs.length === 0) throw new QbError('unsupported', 'The INT8 model could not be checked: no inputs were given to run it on.');
  const total = checkInputs.length * 2;
  // The stage starts now, not after the first run: loading FP32 and its first run belong to the check's time.
  request.onProgress?.({ stage: 'validate', done: 0, total });
  // Both models load from (graph, weight views): the runtime copies each weight once and this side copies none.
  const fpRunner = await runnerFor(request.makeRunner, original);
  let reference: FloatTensor[];
  try {
    reference = await runAll(fpRunner, checkInputs, (d) => request.onProgress?.({ stage: 'validate', done: d, total }), request.checkpoint);
  } finally {
    await fpRunner.release?.();
  }
  let qRunner: OutputsRunner;
  try {
    qRunner = await runnerFor(request.makeRunner, decodeModel(bytes));
  } catch (err) {
    throw new QbError('runtime', 'The INT8 model did not load in the browser runtime, so it was not kept.', err instanceof Error ? err.message : String(err));
  }
  let outputs: FloatTensor[];
  try {
    outputs = await runAll(qRunner, checkInputs, (d) => request.onProgress?.({ stage: 'validate', done: checkInputs.length + d, total }), request.checkpoint);
  } finally {
    await qRunner.release?.();
  }
  const check = compare(reference, outputs, heldOut);

  const layers = layerPlan === null ? [] : await layerErrors(floatModel, int8Model!, layerPlan.tensors, layerPlan.producers, layerPlan.preset, checkInputs.slice(0, LAYER_INPUTS), request);
  return {
    bytes,
    report: { ...base, biasCorrected, warnings, layers, speed, accuracy, sizeBeforeBytes, sizeAfterBytes: bytes.length, check },
  };
}
