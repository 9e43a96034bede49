// The benchmark loop (issue #6): cold start, warm-up until timings settle, timed runs for a time budget, and batch
// sweeps, straight on an onnxruntime-web session, with the environment and warnings recorded beside the numbers.
import { DEFAULT_IMAGE_SIZE, DEFAULT_SEQUENCE_SIZE } from '../data/random-inputs';
import { computesInFloat16, describeType, realInputs } from '../onnx/graph';
import { floatsToFloat16Bits } from '../onnx/float16';
import { decodeModel } from '../onnx/model-io';
import type { ModelProto } from '../onnx/proto/onnx_pb';
import { QbError } from '../shared/errors';
import { makeRng, type Rng } from '../shared/rng';
import { noiseWarning, summarize, sweetSpot, warmupStable } from './bench-stats';
import type { BatchPoint, BatchSweep, BenchEnvironment, BenchOptions, BenchRun, BenchWarning } from './bench-types';
import { loadOrt, ortBuild, type OrtModule } from './ort';
import { probeModelBytes } from './probe-model';
import { NO_SHADER_F16_MESSAGE, type Device } from './session';
import { probeWebGpu } from './webgpu';

type OrtSession = Awaited<ReturnType<OrtModule['InferenceSession']['create']>>;
type OrtTensor = InstanceType<OrtModule['Tensor']>;

/** Progress of a benchmark; the same shapes as the bench stages of workers/progress.ts. */
export type BenchProgress =
  | { stage: 'cold-start' }
  | { stage: 'warm-up'; done: number; total: number }
  | { stage: 'timed'; done: number; total: number }
  | { stage: 'sweep'; done: number; total: number };

export interface BenchHooks {
  /** Called between runs at most every CHECKPOINT_EVERY_MS (and between phases): may throw to cancel, may yield. */
  checkpoint?: () => Promise<void>;
  onProgress?: (p: BenchProgress) => void;
  /** Threads the caller asked onnxruntime-web for (recorded; a 'not-isolated' warning when more than it runs). */
  requestedThreads?: number;
}

export type BenchModelOptions = BenchOptions & BenchHooks;

/** An external-data file by the name the model uses for it. */
export interface ExternalFile {
  path: string;
  data: Uint8Array;
}

/** What one graph input was fed: ORT element type and the dims chosen for its open dimensions. */
export interface InputPlan {
  name: string;
  type: string;
  dims: number[];
}

/** Defaults of BenchOptions (see bench-types.ts). */
export const BENCH_DEFAULTS = { batch: 1, timeBudgetMs: 3000, minRuns: 10, maxRuns: 1000, maxWarmupRuns: 40 } as const;
/** Batch sweeps: a shorter budget and fewer runs per batch size (the caller may pass its own). */
export const SWEEP_DEFAULTS = { timeBudgetMs: 1000, minRuns: 5, maxRuns: 500, maxWarmupRuns: 20 } as const;
/** How often the loop hands control to the checkpoint (cancel arrives through it). */
const CHECKPOINT_EVERY_MS = 100;
/** Open non-batch dims of integer inputs (token ids, masks): a common sequence length. */
const INT_SEQUENCE_SIZE = 128;
/** Seed of the random input values (fixed: every benchmark feeds the same numbers). */
const INPUT_SEED = 1;

/** Turns ORT's messages into plain language, keeping the original as detail. */
function runtimeError(action: string, err: unknown, extra = ''): QbError {
  if (err instanceof QbError) return err;
  const detail = `${err instanceof Error ? err.message : String(err)}${extra}`;
  if (/unsupported|not implemented|Could not find an implementation/i.test(detail)) {
    return new QbError('unsupported', `The browser runtime cannot ${action}: the model uses an operator or type it does not support.`, detail);
  }
  if (/memory|allocat|RangeError/i.test(detail)) {
    return new QbError('runtime', `The browser runtime ran out of memory trying to ${action}. Try a smaller batch or close other tabs.`, detail);
  }
  return new QbError('runtime', `The browser runtime could not ${action}.`, detail);
}

const isOpen = (d: number | string | undefined): boolean => typeof d !== 'number' || d <= 0;

/**
 * Dims fed to each graph input (in ORT's input order) and whether the model's batch is free. A free first dim
 * (symbolic, unknown or -1) takes `batch`. Other open dims are sized like the app's random inputs: for float inputs
 * of rank 4 (images) 3 channels and 224-pixel sides, for other float inputs 1536 values (audio, features), for
 * integer inputs (token ids, masks) 128; a symbolic name keeps the size it got first, so inputs sharing "sequence"
 * agree. `batch` is the batch the runs stand for: the requested one when free, else the first input's fixed first
 * dim (rank >= 2) or 1.
 */
export function planInputs(metadata: readonly OrtSession['inputMetadata'][number][], batch: number): { inputs: InputPlan[]; freeBatch: boolean; batch: number } {
  const named = new Map<string, number>();
  let freeBatch = false;
  const inputs = metadata.map((meta): InputPlan => {
    if (!meta.isTensor) throw new QbError('unsupported', `The benchmark feeds tensors; the model's input "${meta.name}" is a sequence or map.`);
    const shape = meta.shape;
    const isFloat = meta.type === 'float32' || meta.type === 'float16' || meta.type === 'float64';
    // NHWC when the last dim is a channel count, else NCHW.
    const last = shape[3];
    const channelIndex = shape.length === 4 && typeof last === 'number' && [1, 3, 4].includes(last) ? 3 : 1;
    const dims = shape.map((d, i) => {
      if (!isOpen(d)) return d as number;
      if (i === 0) {
        freeBatch = true;
        return batch;
      }
      const known = typeof d === 'string' && d !== '' ? named.get(d) : undefined;
      if (known !== undefined) return known;
      const size = !isFloat ? INT_SEQUENCE_SIZE : shape.length === 4 ? (i === channelIndex ? 3 : DEFAULT_IMAGE_SIZE) : DEFAULT_SEQUENCE_SIZE;
      if (typeof d === 'string' && d !== '') named.set(d, size);
      return size;
    });
    return { name: meta.name, type: meta.type, dims };
  });
  const first = inputs[0]?.dims;
  const fixedBatch = first !== undefined && first.length >= 2 ? first[0]! : 1;
  return { inputs, freeBatch, batch: freeBatch ? batch : fixedBatch };
}

/**
 * True when a graph input has an open first dim (symbolic, unknown or -1): the model takes any batch size. The same
 * rule as planInputs, read from the decoded model (no session needed).
 */
export function hasFreeBatch(model: ModelProto): boolean {
  if (model.graph === undefined) return false;
  return realInputs(model.graph).some((input) => {
    const shape = describeType(input.type).shape;
    if (shape === null || shape.length === 0) return false;
    const first = shape[0];
    return first === null || isOpen(first);
  });
}

/**
 * Loads onnxruntime-web with `threads` threads (the first load in a realm fixes them) and returns the count it
 * really runs: ORT writes it back once a session exists, 1 without cross-origin isolation whatever was asked.
 * @throws QbError('runtime') when the runtime cannot start.
 */
export async function startRuntime(threads: number): Promise<number> {
  const ort = await loadOrt(threads);
  try {
    const session = await ort.InferenceSession.create(probeModelBytes(), { executionProviders: ['wasm'] });
    await session.release();
  } catch (err) {
    throw runtimeError('start', err);
  }
  return ort.env.wasm.numThreads ?? 1;
}

/** Seeded values of an input's type: floats uniform in [-1, 1), 8-bit integers random, wider integers and bools 0. */
function makeTensor(ort: OrtModule, plan: InputPlan, rng: Rng): OrtTensor {
  const count = plan.dims.reduce((a, b) => a * b, 1);
  const floats = (): Float32Array => Float32Array.from({ length: count }, () => rng() * 2 - 1);
  switch (plan.type) {
    case 'float32':
      return new ort.Tensor('float32', floats(), plan.dims);
    case 'float16':
      // ORT takes float16 as raw bits in a Uint16Array.
      return new ort.Tensor('float16', floatsToFloat16Bits(floats()), plan.dims);
    case 'float64':
      return new ort.Tensor('float64', Float64Array.from(floats()), plan.dims);
    case 'uint8':
      return new ort.Tensor('uint8', Uint8Array.from({ length: count }, () => Math.floor(rng() * 256)), plan.dims);
    case 'int8':
      return new ort.Tensor('int8', Int8Array.from({ length: count }, () => Math.floor(rng() * 256) - 128), plan.dims);
    case 'int16':
      return new ort.Tensor('int16', new Int16Array(count), plan.dims);
    case 'uint16':
      return new ort.Tensor('uint16', new Uint16Array(count), plan.dims);
    case 'int32':
      return new ort.Tensor('int32', new Int32Array(count), plan.dims);
    case 'uint32':
      return new ort.Tensor('uint32', new Uint32Array(count), plan.dims);
    case 'int64':
      return new ort.Tensor('int64', new BigInt64Array(count), plan.dims);
    case 'uint64':
      return new ort.Tensor('uint64', new BigUint64Array(count), plan.dims);
    case 'bool':
      return new ort.Tensor('bool', new Uint8Array(count), plan.dims);
    default:
      throw new QbError('unsupported', `The benchmark cannot make inputs of type ${plan.type} (input "${plan.name}").`);
  }
}

function makeFeeds(ort: OrtModule, plans: readonly InputPlan[]): Record<string, OrtTensor> {
  const rng = makeRng(INPUT_SEED);
  const feeds: Record<string, OrtTensor> = {};
  for (const p of plans) feeds[p.name] = makeTensor(ort, p, rng);
  return feeds;
}

const shapesText = (plans: readonly InputPlan[]): string => plans.map((p) => `${p.name}: ${p.type}[${p.dims.join(',')}]`).join('; ');

/** "Chromium 156", "Firefox 140", "Safari 17.4", "Edge 140"; the user agent itself when none matches. */
export function browserName(userAgent: string): string {
  const m = (re: RegExp): string | undefined => re.exec(userAgent)?.[1];
  const edge = m(/Edg\/(\d+)/);
  if (edge !== undefined) return `Edge ${edge}`;
  const chrome = m(/(?:HeadlessChrome|Chrome|Chromium)\/(\d+)/);
  if (chrome !== undefined) return `Chromium ${chrome}`;
  const firefox = m(/Firefox\/(\d+)/);
  if (firefox !== undefined) return `Firefox ${firefox}`;
  const safari = m(/Version\/(\d+(?:\.\d+)?).*Safari\//);
  if (safari !== undefined) return `Safari ${safari}`;
  return userAgent;
}

interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

/** The realm's facts: browser (or Node), cores, isolation; threads are read back from ORT after a session exists. */
function environment(ort: OrtModule, device: Device, requestedThreads: number | undefined, adapter: string | undefined): BenchEnvironment {
  const nav = (globalThis as { navigator?: { userAgent?: string; hardwareConcurrency?: number } }).navigator;
  const proc = (globalThis as { process?: NodeProcess }).process;
  const nodeVersion = proc?.versions?.node;
  let userAgent = nav?.userAgent ?? '';
  let browser = browserName(userAgent);
  let cores = nav?.hardwareConcurrency;
  if (nodeVersion !== undefined) {
    userAgent = 'node';
    browser = `Node ${nodeVersion.split('.').slice(0, 2).join('.')}`;
    const os = proc?.getBuiltinModule?.('os') as { availableParallelism?: () => number } | undefined;
    cores ??= os?.availableParallelism?.();
  }
  // ORT writes the thread count it really runs with back into env.wasm.numThreads when it initialises.
  const threads = ort.env.wasm.numThreads ?? 1;
  return {
    ep: device,
    threads,
    requestedThreads: requestedThreads ?? threads,
    crossOriginIsolated: typeof crossOriginIsolated === 'boolean' ? crossOriginIsolated : false,
    userAgent,
    browser,
    hardwareConcurrency: cores ?? 1,
    ortVersion: ort.env.versions.web ?? 'unknown',
    ...(adapter !== undefined ? { adapter } : {}),
  };
}

/**
 * WebGPU needs the WebGPU build of onnxruntime-web in this realm (the GPU bench worker), an adapter, and
 * shader-f16 for a model that computes in float16 (else ORT throws or silently returns zeros). Returns the adapter.
 */
async function requireDevice(device: Device, bytes: Uint8Array): Promise<string | undefined> {
  if (device !== 'webgpu') return undefined;
  if (ortBuild() !== 'webgpu') {
    throw new QbError(
      'unsupported',
      'WebGPU benchmarks need the GPU build of the inference engine, and this benchmark worker loaded the CPU build. Choose WebGPU as the device when starting the benchmark (it starts the GPU worker), or benchmark on the CPU (WebAssembly).',
      `onnxruntime-web build in this realm: ${ortBuild()}`,
    );
  }
  const gpu = await probeWebGpu();
  if (!gpu.available) throw new QbError('unsupported', `WebGPU is not available in this browser, so nothing was benchmarked on the GPU. ${gpu.reason}`.trim());
  let f16 = false;
  try {
    f16 = computesInFloat16(decodeModel(bytes));
  } catch {
    // Not an ONNX protobuf (an .ort file): nothing to inspect here; onnxruntime reports what it cannot run.
  }
  if (!gpu.shaderF16 && f16) throw new QbError('unsupported', NO_SHADER_F16_MESSAGE, `adapter: ${gpu.adapter}; features: ${gpu.features.join(', ') || 'none'}`);
  return gpu.adapter;
}

async function createSession(ort: OrtModule, bytes: Uint8Array, external: readonly ExternalFile[], device: Device): Promise<OrtSession> {
  try {
    return await ort.InferenceSession.create(bytes, { executionProviders: [device], externalData: [...external] });
  } catch (err) {
    throw runtimeError(device === 'webgpu' ? 'load this model on WebGPU' : 'load this model', err);
  }
}

/** Releases a session without letting a release failure hide the error that ended the benchmark. */
async function releaseQuietly(session: OrtSession): Promise<void> {
  try {
    await session.release();
  } catch {
    // Nothing left to do: the session is unusable either way.
  }
}

/** Times runs of one session with fixed feeds, handing control to the checkpoint every CHECKPOINT_EVERY_MS. */
class Runner {
  private lastCheckMs = performance.now();

  constructor(
    private readonly session: OrtSession,
    private readonly hooks: BenchHooks,
  ) {}

  /** Calls the checkpoint now (between phases). */
  async check(): Promise<void> {
    this.lastCheckMs = performance.now();
    if (this.hooks.checkpoint !== undefined) await this.hooks.checkpoint();
  }

  private async maybeCheck(): Promise<void> {
    if (performance.now() - this.lastCheckMs >= CHECKPOINT_EVERY_MS) await this.check();
  }

  /** One run, timed (ms). Output tensors are dropped at once. */
  async time(feeds: Record<string, OrtTensor>, plans: readonly InputPlan[]): Promise<number> {
    const start = performance.now();
    try {
      await this.session.run(feeds);
    } catch (err) {
      throw runtimeError(`run this model on the benchmark inputs (${shapesText(plans)})`, err);
    }
    return performance.now() - start;
  }

  /** Runs until the last two windows of warm-up agree (bench-stats warmupStable) or `maxRuns`. */
  async warmUp(feeds: Record<string, OrtTensor>, plans: readonly InputPlan[], maxRuns: number, report: boolean): Promise<{ runs: number; stable: boolean; ms: number }> {
    const runsMs: number[] = [];
    const start = performance.now();
    let stable = false;
    while (runsMs.length < maxRuns) {
      await this.maybeCheck();
      runsMs.push(await this.time(feeds, plans));
      if (report) this.hooks.onProgress?.({ stage: 'warm-up', done: runsMs.length, total: maxRuns });
      stable = warmupStable(runsMs);
      if (stable) break;
    }
    if (report) this.hooks.onProgress?.({ stage: 'warm-up', done: runsMs.length, total: runsMs.length });
    return { runs: runsMs.length, stable, ms: performance.now() - start };
  }

  /** Timed runs: until `budgetMs` has passed and `minRuns` are done, or `maxRuns`. Checkpoint time is not counted. */
  async timed(feeds: Record<string, OrtTensor>, plans: readonly InputPlan[], budgetMs: number, minRuns: number, maxRuns: number, report: boolean): Promise<number[]> {
    const samplesMs: number[] = [];
    let spentMs = 0;
    while (samplesMs.length < maxRuns && (samplesMs.length < minRuns || spentMs < budgetMs)) {
      await this.maybeCheck();
      const ms = await this.time(feeds, plans);
      samplesMs.push(ms);
      spentMs += ms;
      if (report) {
        const expected = Math.ceil(budgetMs / (spentMs / samplesMs.length));
        const total = Math.max(samplesMs.length, Math.min(maxRuns, Math.max(minRuns, expected)));
        if (samplesMs.length < total) this.hooks.onProgress?.({ stage: 'timed', done: samplesMs.length, total });
      }
    }
    if (report) this.hooks.onProgress?.({ stage: 'timed', done: samplesMs.length, total: samplesMs.length });
    return samplesMs;
  }
}

/** A count option: a whole number of at least 1, or the fallback when absent. */
function countOption(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 1) throw new QbError('internal', `The benchmark's ${what} must be a whole number of at least 1 (got ${value}).`);
  return Math.floor(value);
}

/** A duration option in ms: zero or more, or the fallback when absent. */
function msOption(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new QbError('internal', `The benchmark's ${what} must be zero or more milliseconds (got ${value}).`);
  return value;
}

/** ORT's input metadata in input order (a name without metadata counts as a non-tensor input). */
function inputMetadata(session: OrtSession): OrtSession['inputMetadata'][number][] {
  return session.inputNames.map((name) => session.inputMetadata.find((m) => m.name === name) ?? { name, isTensor: false as const });
}

/**
 * Benchmarks one model on `options.device` (default 'wasm'): cold start (session creation, then the first run,
 * ms), warm-up until the median of the last 5 runs is within 5% of the 5 before (or maxWarmupRuns), then timed
 * runs until timeBudgetMs has passed (at least minRuns, at most maxRuns). Every graph input gets seeded values of
 * its type, made once before timing (see planInputs for the dims). The session is always released, also on error
 * and cancel. Threads are those onnxruntime-web was loaded with (loadOrt); the real count is read back from it.
 * Cold start is this model's: the engine itself (wasm download and compile) starts earlier, in startRuntime, when
 * the caller calls it first (the bench worker does); otherwise its start lands in sessionCreateMs.
 * @param external the model's external-data files, by the names the model uses.
 * @throws QbError('unsupported') for WebGPU outside the GPU build's realm, no adapter, FP16 without shader-f16, an
 * operator or input type the runtime lacks; QbError('runtime') when the runtime fails; whatever the checkpoint
 * throws (QbError('cancelled')).
 */
export async function benchmarkModel(bytes: Uint8Array, external: readonly ExternalFile[], options: BenchModelOptions = {}): Promise<BenchRun> {
  const device = options.device ?? 'wasm';
  const batchAsked = countOption(options.batch, BENCH_DEFAULTS.batch, 'batch size');
  const budgetMs = msOption(options.timeBudgetMs, BENCH_DEFAULTS.timeBudgetMs, 'time budget');
  const minRuns = countOption(options.minRuns, BENCH_DEFAULTS.minRuns, 'minimum number of runs');
  const maxRuns = Math.max(minRuns, countOption(options.maxRuns, BENCH_DEFAULTS.maxRuns, 'maximum number of runs'));
  const maxWarmup = countOption(options.maxWarmupRuns, BENCH_DEFAULTS.maxWarmupRuns, 'warm-up limit');
  const adapter = await requireDevice(device, bytes);
  const ort = await loadOrt();
  await options.checkpoint?.();
  options.onProgress?.({ stage: 'cold-start' });
  const createStart = performance.now();
  const session = await createSession(ort, bytes, external, device);
  const sessionCreateMs = performance.now() - createStart;
  try {
    const runner = new Runner(session, options);
    const plan = planInputs(inputMetadata(session), batchAsked);
    const feeds = makeFeeds(ort, plan.inputs);
    const firstRunMs = await runner.time(feeds, plan.inputs);
    await runner.check();
    const warmup = await runner.warmUp(feeds, plan.inputs, maxWarmup, true);
    await runner.check();
    const samplesMs = await runner.timed(feeds, plan.inputs, budgetMs, minRuns, maxRuns, true);
    const latency = summarize(samplesMs, plan.batch);
    const env = environment(ort, device, options.requestedThreads, adapter);
    const warnings = benchWarnings({ options, env, plan, batchAsked, warmup, maxWarmup });
    const noisy = noiseWarning(latency);
    if (noisy !== null) warnings.push(noisy);
    return {
      env,
      batch: plan.batch,
      coldStart: { sessionCreateMs, firstRunMs },
      warmup,
      latency,
      samplesMs,
      warnings,
      date: new Date().toISOString(),
      inputs: plan.inputs,
    };
  } finally {
    await releaseQuietly(session);
  }
}

function benchWarnings(a: {
  options: BenchModelOptions;
  env: BenchEnvironment;
  plan: { freeBatch: boolean; batch: number };
  batchAsked: number;
  warmup: { runs: number; stable: boolean };
  maxWarmup: number;
}): BenchWarning[] {
  const warnings: BenchWarning[] = [];
  if (a.options.pageHidden === true) {
    warnings.push({ kind: 'hidden', message: 'The tab was in the background during the benchmark. Browsers slow background tabs down, so these numbers are too slow: keep the tab in front and run it again.' });
  }
  if (a.options.devtoolsSuspected === true) {
    warnings.push({ kind: 'devtools', message: 'The developer tools seem to be open. They slow the page down: close them and run the benchmark again.' });
  }
  if (a.env.requestedThreads > 1 && a.env.threads === 1) {
    const why = a.env.crossOriginIsolated
      ? 'the engine had already started with one thread'
      : 'this page is not cross-origin isolated (its server does not send the COOP/COEP headers), and browsers allow threads only then';
    warnings.push({ kind: 'not-isolated', message: `You asked for ${a.env.requestedThreads} threads but the engine ran on 1: ${why}. These are single-thread numbers.` });
  }
  if (a.batchAsked > 1 && !a.plan.freeBatch) {
    warnings.push({
      kind: 'fixed-batch',
      message: `This model fixes its batch size at ${a.plan.batch}, so it was measured at ${a.plan.batch}, not the ${a.batchAsked} you asked for. Export the model with a dynamic batch dimension to try larger batches.`,
    });
  }
  if (!a.warmup.stable) {
    warnings.push({
      kind: 'warmup-unstable',
      message: `The timings were still changing after ${a.maxWarmup} warm-up runs, so they may not have settled. Close other tabs and programs and run the benchmark again.`,
    });
  }
  return warnings;
}

/**
 * Benchmarks `batches` on one session (a free batch dimension only): per batch size, warm-up until stable, then
 * timed runs (defaults SWEEP_DEFAULTS, overridable through `options`), and picks the sweet spot: the best throughput
 * whose p50 is within `latencyLimitMs`. Progress: 'sweep' after each batch size.
 * @throws QbError('unsupported') when the model fixes its batch size or the device cannot run it; QbError('runtime')
 * naming the batch that failed (often memory); whatever the checkpoint throws.
 */
export async function batchSweep(
  bytes: Uint8Array,
  external: readonly ExternalFile[],
  sweep: { batches: readonly number[]; latencyLimitMs: number },
  options: BenchModelOptions = {},
): Promise<BatchSweep> {
  const device = options.device ?? 'wasm';
  const batches = [...new Set(sweep.batches)].sort((a, b) => a - b);
  if (batches.length === 0 || batches.some((b) => !Number.isSafeInteger(b) || b < 1)) {
    throw new QbError('internal', `Batch sizes to sweep must be whole numbers of at least 1 (got ${sweep.batches.join(', ') || 'none'}).`);
  }
  const budgetMs = msOption(options.timeBudgetMs, SWEEP_DEFAULTS.timeBudgetMs, 'time budget');
  const minRuns = countOption(options.minRuns, SWEEP_DEFAULTS.minRuns, 'minimum number of runs');
  const maxRuns = Math.max(minRuns, countOption(options.maxRuns, SWEEP_DEFAULTS.maxRuns, 'maximum number of runs'));
  const maxWarmup = countOption(options.maxWarmupRuns, SWEEP_DEFAULTS.maxWarmupRuns, 'warm-up limit');
  await requireDevice(device, bytes);
  const ort = await loadOrt();
  await options.checkpoint?.();
  const session = await createSession(ort, bytes, external, device);
  try {
    const runner = new Runner(session, options);
    const metadata = inputMetadata(session);
    const first = planInputs(metadata, 1);
    if (!first.freeBatch) {
      throw new QbError('unsupported', `This model fixes its batch size at ${first.batch}, so there are no batch sizes to compare. Export it with a dynamic batch dimension to sweep batches.`);
    }
    const points: BatchPoint[] = [];
    options.onProgress?.({ stage: 'sweep', done: 0, total: batches.length });
    for (const batch of batches) {
      await runner.check();
      const plan = planInputs(metadata, batch);
      const feeds = makeFeeds(ort, plan.inputs);
      try {
        await runner.warmUp(feeds, plan.inputs, maxWarmup, false);
        await runner.check();
        const stats = summarize(await runner.timed(feeds, plan.inputs, budgetMs, minRuns, maxRuns, false), batch);
        points.push({ batch, p50Ms: stats.p50Ms, p90Ms: stats.p90Ms, throughput: stats.fps });
      } catch (err) {
        // Name the batch that failed: large batches are where memory runs out.
        if (!(err instanceof QbError) || err.code !== 'runtime') throw err;
        throw new QbError('runtime', `The browser runtime could not run this model at batch ${batch} (large batches can run out of memory). Sweep smaller batch sizes.`, err.detail);
      }
      options.onProgress?.({ stage: 'sweep', done: points.length, total: batches.length });
    }
    return { points, latencyLimitMs: sweep.latencyLimitMs, sweetSpot: sweetSpot(points, sweep.latencyLimitMs) };
  } finally {
    await releaseQuietly(session);
  }
}
