// FP16 job: model bytes -> FP16 variant whose outputs were checked against the FP32 model in onnxruntime-web,
// with an automatic mixed-precision retry when plain FP16 drifts. Same code for the CLI, tests and workers.
import { runnerFor, type ExternalFiles, type RunnerFactory } from '../onnx/weight-views';
import { makeRng as mulberry32 } from '../shared/rng';
import { describeType, forEachWeight, realInputs } from '../onnx/graph';
import { decodeModel, encodeModel } from '../onnx/model-io';
import type { ModelProto } from '../onnx/proto/onnx_pb';
import { isExternal, tensorByteSize, type ExternalDataResolver } from '../onnx/tensor-data';
import { convertToFloat16, type Fp16Options, type Fp16Report, type KeptNode } from '../quant/fp16';
import { compareOutputs, findFp32Nodes, type FloatTensor, type Fp16Runner, type MixedPrecisionResult, type MixedPrecisionStep } from '../quant/mixed-precision';
import { ModelSession } from '../runtime/session';
import { QbError } from '../shared/errors';

/** How to draw check inputs when no images are given: uniform in `range`, from a seeded generator. */
export interface RandomInputSpec {
  /** Number of inputs (default 3). */
  count?: number;
  /** PRNG seed (default 1). */
  seed?: number;
  /** Value range [min, max) (default [-1, 1]); use the model's real input range (e.g. [0, 255]) when known. */
  range?: readonly [number, number];
  /** Input dims; by default the declared shape with symbolic/unknown dims set to 1. */
  dims?: readonly number[];
}

export interface Fp16VariantOptions {
  /** Preprocessed input tensors (e.g. a few real images) to check with; random inputs when absent. */
  images?: readonly FloatTensor[];
  random?: RandomInputSpec;
  /** Pass when the smallest output cosine vs FP32 over the inputs is >= cosineMin (default 0.999). */
  tolerance?: { cosineMin?: number };
  /** Converter options: keepIO (default true), blockOps, keepNodes. */
  convert?: Fp16Options;
  /** Search nodes to keep in FP32 when plain FP16 fails the check (default true). */
  mixedPrecision?: boolean;
  /** Most variants the mixed-precision search may measure (default 48). */
  maxEvaluations?: number;
  external?: ExternalDataResolver;
  /** Loads a model into a runner (default: an onnxruntime-web wasm ModelSession). */
  makeRunner?: RunnerFactory<Fp16Runner>;
  onStep?: (step: MixedPrecisionStep) => void;
  /** Told when a phase starts: converting, checking against FP32, searching nodes to keep in FP32. */
  onStage?: (stage: Fp16Stage) => void;
  checkpoint?: () => void | Promise<void>;
}

/** Phases of makeFp16Variant, for progress reports. */
export type Fp16Stage = 'convert' | 'check' | 'mixed-precision';

/** The final variant's outputs against FP32 on the check inputs. */
export interface Fp16Check {
  /** Smallest cosine over the inputs. */
  cosine: number;
  /** Share of inputs with the same flattened argmax, in [0, 1]. */
  top1Agreement: number;
  maxAbsDiff: number;
  inputs: number;
  /** 'images' when the caller's inputs were used, else 'random'. */
  inputSource: 'images' | 'random';
  passed: boolean;
}

export interface Fp16Variant {
  /** The encoded FP16 model (the input bytes unchanged when the model was already FP16). */
  bytes: Uint8Array;
  report: Fp16Report;
  /** Null when the model was already FP16: there is no FP32 model to compare with (its outputs were still
   *  checked for NaN/zeros). */
  check: Fp16Check | null;
  /** Present when plain FP16 failed the check and nodes were moved back to FP32. */
  mixedPrecision?: MixedPrecisionResult;
}


/**
 * Seeded uniform inputs for a model's first (real) input: `count` tensors of float32 in `range`.
 * @throws QbError('unsupported') when the model has no input or more than one.
 */
export function randomInputs(model: ModelProto, spec: RandomInputSpec = {}): FloatTensor[] {
  const inputs = realInputs(model.graph!);
  if (inputs.length !== 1) {
    throw new QbError('unsupported', `Checking FP16 needs a model with exactly one input; this one has ${inputs.length}.`);
  }
  const shape = describeType(inputs[0]!.type).shape ?? [];
  const dims = spec.dims !== undefined ? [...spec.dims] : shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
  const [min, max] = spec.range ?? [-1, 1];
  const rng = mulberry32(spec.seed ?? 1);
  const size = dims.reduce((a, b) => a * b, 1);
  return Array.from({ length: spec.count ?? 3 }, () => {
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = min + (max - min) * rng();
    return { data, dims };
  });
}

async function defaultRunner(bytes: Uint8Array, externalData?: ExternalFiles): Promise<Fp16Runner> {
  return ModelSession.create(bytes, externalData);
}

async function runAll(runner: Fp16Runner, inputs: readonly FloatTensor[]): Promise<Float32Array[]> {
  const outputs: Float32Array[] = [];
  for (const input of inputs) outputs.push((await runner.runFloat(input)).data);
  return outputs;
}

/** Loads `model` from (graph, weight views), runs every input and releases the session before returning. */
async function runOnce(makeRunner: RunnerFactory<Fp16Runner>, model: ModelProto, inputs: readonly FloatTensor[], external?: ExternalDataResolver): Promise<Float32Array[]> {
  const runner = await runnerFor(makeRunner, model, external);
  try {
    return await runAll(runner, inputs);
  } finally {
    await runner.release?.();
  }
}

/** A run failure on random inputs whose symbolic dims were guessed as 1 gets advice on giving real dims. */
function guessedDimsError(model: ModelProto, guessed: boolean, err: unknown): unknown {
  const shape = describeType(realInputs(model.graph!)[0]?.type).shape ?? [];
  const symbolic = shape.filter((d) => typeof d !== 'number' || d <= 0);
  if (!guessed || symbolic.length === 0) return err;
  const detail = err instanceof QbError ? `${err.message} ${err.detail ?? ''}`.trim() : err instanceof Error ? err.message : String(err);
  return new QbError(
    'runtime',
    `The model could not run on the check inputs: its input has open dimensions (${symbolic.map((d) => d ?? '?').join(', ')}) that were set to 1. ` +
      'Give the real input size (CLI: --shape, e.g. --shape 1,4096).',
    detail,
  );
}

function brokenMessage(kind: 'nan' | 'zero', keptNodes: readonly KeptNode[]): string {
  const what = kind === 'nan' ? 'NaN or infinite values' : 'only zeros';
  const kept = keptNodes.length > 0 ? ` even with ${keptNodes.length} node(s) kept in FP32` : '';
  return `The FP16 model gives ${what}${kept}, so it is not usable. Keep the model in FP32, or try INT8 instead.`;
}

/**
 * Converts a model to FP16 and checks it: runs FP32 and FP16 on the same inputs (the caller's images, or seeded
 * random inputs) and compares the first output. When the FP16 outputs drift beyond the tolerance, searches
 * nodes to keep in FP32 (findFp32Nodes) and reconverts. A model already in FP16 comes back unchanged
 * (report.alreadyFp16, check null) after a sanity run.
 * On onnxruntime-web's wasm EP most float16 nodes run through float32 kernels with Casts inserted by ORT, so
 * the check there mostly measures weight rounding/clamping; activation overflow shows on real float16 hardware.
 * @throws QbError('runtime') when any variant's outputs are NaN/Inf or all zero, or FP32 outputs are not
 * finite; QbError('unsupported') for models with several inputs; decode/convert errors.
 */
export async function makeFp16Variant(bytes: Uint8Array, options: Fp16VariantOptions = {}): Promise<Fp16Variant> {
  const model = decodeModel(bytes);
  const makeRunner = options.makeRunner ?? defaultRunner;
  const inputSource = options.images !== undefined && options.images.length > 0 ? 'images' : 'random';
  const inputs = inputSource === 'images' ? options.images! : randomInputs(model, options.random);
  const cosineMin = options.tolerance?.cosineMin ?? 0.999;

  options.onStage?.('convert');
  // Sizes come from the bytes at hand (the converter would encode the whole model twice just to measure them).
  let externalBytes = 0;
  forEachWeight(model.graph!, (t) => (externalBytes += isExternal(t) ? tensorByteSize(t) : 0));
  const sizeBeforeBytes = bytes.byteLength + externalBytes;
  const converted = convertToFloat16(model, { ...options.convert, measureSizes: false }, options.external);
  options.onStage?.('check');
  if (converted.report.alreadyFp16) {
    for (const out of await runOnce(makeRunner, model, inputs, options.external)) {
      if (out.some((v) => !Number.isFinite(v))) throw new QbError('runtime', brokenMessage('nan', []));
      if (out.every((v) => v === 0)) throw new QbError('runtime', brokenMessage('zero', []));
    }
    return { bytes, report: { ...converted.report, sizeBeforeBytes, sizeAfterBytes: sizeBeforeBytes }, check: null };
  }

  // FP32 runs once and is released before any FP16 model loads: a big model's two sessions (and their activation
  // arenas) never live together; the search compares against these outputs.
  const reference = await runOnce(makeRunner, model, inputs, options.external).catch((e: unknown) => {
    throw guessedDimsError(model, inputSource === 'random' && options.random?.dims === undefined, e);
  });
  if (reference.some((r) => r.some((v) => !Number.isFinite(v)))) {
    throw new QbError('runtime', 'The original FP32 model gives NaN or infinite outputs on the check inputs, so FP16 cannot be compared with it.');
  }
  let current = converted;
  let cmp = compareOutputs(reference, await runOnce(makeRunner, current.model, inputs));
  let mixed: MixedPrecisionResult | undefined;
  const passes = (): boolean => cmp.broken === undefined && cmp.cosine >= cosineMin;
  if (!passes() && options.mixedPrecision !== false) {
    options.onStage?.('mixed-precision');
    mixed = await findFp32Nodes({
      model,
      reference,
      makeRunner,
      inputs,
      cosineMin,
      convert: options.convert,
      maxEvaluations: options.maxEvaluations,
      external: options.external,
      onStep: options.onStep,
      checkpoint: options.checkpoint,
    });
    const keepNodes = [...(options.convert?.keepNodes ?? []), ...mixed.keepNodes];
    current = convertToFloat16(model, { ...options.convert, keepNodes, measureSizes: false }, options.external);
    // Re-measured rather than taken from the search, so the returned numbers belong to the returned bytes.
    cmp = compareOutputs(reference, await runOnce(makeRunner, current.model, inputs));
  }
  if (cmp.broken !== undefined) throw new QbError('runtime', brokenMessage(cmp.broken, current.report.keptFp32Nodes));
  const check: Fp16Check = {
    cosine: cmp.cosine,
    top1Agreement: cmp.top1Agreement,
    maxAbsDiff: cmp.maxAbsDiff,
    inputs: inputs.length,
    inputSource,
    passed: passes(),
  };
  const fp16Bytes = encodeModel(current.model);
  const report = { ...current.report, sizeBeforeBytes, sizeAfterBytes: fp16Bytes.byteLength };
  return mixed === undefined ? { bytes: fp16Bytes, report, check } : { bytes: fp16Bytes, report, check, mixedPrecision: mixed };
}
