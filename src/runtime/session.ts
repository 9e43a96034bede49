// An onnxruntime-web session that runs one inference at a time (ORT sessions are not re-entrant), on the CPU
// (wasm execution provider) or, in a realm that loaded the WebGPU build, on WebGPU.
import { BIG_MODEL_BYTES } from '../shared/files';
import { float16BitsToFloats, floatsToFloat16Bits } from '../onnx/float16';
import { computesInFloat16 } from '../onnx/graph';
import { decodeModel } from '../onnx/model-io';
import { QbError } from '../shared/errors';
import { loadOrt, ortBuild, type OrtModule } from './ort';
import { captureOrtLog, parseNodePlacement, type NodePlacement } from './ort-log';
import { probeWebGpu } from './webgpu';

type OrtSession = Awaited<ReturnType<OrtModule['InferenceSession']['create']>>;

/** Turns ORT's messages into plain language, keeping the original as detail. */
function runtimeError(action: string, err: unknown): QbError {
  const detail = err instanceof Error ? err.message : String(err);
  if (/unsupported|not implemented|Could not find an implementation/i.test(detail)) {
    return new QbError('unsupported', `The browser runtime cannot ${action}: the model uses an operator or type it does not support.`, detail);
  }
  return new QbError('runtime', `The browser runtime could not ${action}.`, detail);
}

/** A float32 tensor handed to or returned from a model. */
export interface FloatTensor {
  data: Float32Array;
  dims: number[];
}

/** Where a session runs: 'wasm' = CPU (WebAssembly), 'webgpu' = GPU (needs the WebGPU build, see selectOrtBuild). */
export type Device = 'wasm' | 'webgpu';

export interface SessionOptions {
  /** Default 'wasm'. */
  device?: Device;
  /** onnxruntime session config entries (default: LEAN_CONFIG for a big model, none otherwise). */
  config?: Record<string, string>;
}

/**
 * Sessions on a big model (BIG_MODEL_BYTES with its weight files) skip onnxruntime's pre-packed weight copies: it
 * packs every MatMul weight into a second, GEMM-friendly buffer at load; on DeiT-Base that took the engine from 389
 * to 561 MB, while a run without it was as fast within 2% (measured in Node, 1 thread). These sessions run checks,
 * calibration and evaluation; benchmarks load through runtime/bench.ts with onnxruntime's defaults.
 */
export const LEAN_CONFIG: Readonly<Record<string, string>> = { 'session.disable_prepacking': '1' };

/** The refusal shown instead of running an FP16 model on a GPU without float16 shaders. */
export const NO_SHADER_F16_MESSAGE =
  'This GPU cannot run FP16 models (no shader-f16 support), so the FP16 model was not run on WebGPU. ' +
  'Run the FP32 model on WebGPU here, or run FP16 on a GPU that supports shader-f16.';

/**
 * Checks that WebGPU can take this model before ORT sees it. Without shader-f16, onnxruntime-web's WebGPU build
 * throws while compiling a shader, and its default build silently returns all-zero outputs: so an FP16 model is
 * refused here and never run.
 */
async function requireWebGpu(model: Uint8Array): Promise<void> {
  if (ortBuild() !== 'webgpu') {
    throw new QbError('internal', 'WebGPU sessions run only in the GPU worker (the WebGPU build of onnxruntime-web).', `ORT build in this realm: ${ortBuild()}`);
  }
  const gpu = await probeWebGpu();
  if (!gpu.available) throw new QbError('unsupported', `WebGPU is not available in this browser, so nothing was run on the GPU. ${gpu.reason}`.trim());
  if (!gpu.shaderF16 && computesInFloat16(decodeModel(model))) throw new QbError('unsupported', NO_SHADER_F16_MESSAGE, `adapter: ${gpu.adapter}; features: ${gpu.features.join(', ') || 'none'}`);
}

/** An ORT output as float32 (float16 widened), or null for other element types. */
function asFloat(t: { type: string; data: unknown; dims: readonly number[] }): FloatTensor | null {
  const dims = [...t.dims];
  if (t.type === 'float32') return { data: t.data as Float32Array, dims };
  // ORT hands float16 out as raw bits (Uint16Array), or as Float16Array where the browser has one.
  if (t.type === 'float16') return { data: t.data instanceof Uint16Array ? float16BitsToFloats(t.data) : Float32Array.from(t.data as ArrayLike<number>), dims };
  return null;
}

export class ModelSession {
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
    /** Where this session runs. */
    readonly device: Device,
    /**
     * WebGPU sessions: where ORT placed the nodes (some run on the CPU), or null when ORT's log did not say.
     * Always null for wasm sessions (every node is on the CPU).
     */
    readonly placement: NodePlacement | null,
  ) {}

  /**
   * Creates a session on `options.device` (default 'wasm'); `externalData` supplies weight files by the names the
   * model uses. WebGPU sessions are created with ORT's verbose log captured, to read its node placement.
   * @throws QbError('unsupported') when WebGPU is missing or the model computes in float16 on an adapter without
   * shader-f16 (NO_SHADER_F16_MESSAGE), or ORT lacks an operator; QbError('runtime') when ORT fails otherwise;
   * QbError('internal') for 'webgpu' in a realm that loaded the wasm build.
   */
  static async create(model: Uint8Array, externalData: { path: string; data: Uint8Array }[] = [], options: SessionOptions = {}): Promise<ModelSession> {
    const device = options.device ?? 'wasm';
    if (device === 'webgpu') await requireWebGpu(model);
    const ort = await loadOrt();
    const big = model.byteLength + externalData.reduce((sum, f) => sum + f.data.byteLength, 0) >= BIG_MODEL_BYTES;
    const config = options.config ?? (big ? LEAN_CONFIG : undefined);
    try {
      if (device === 'wasm') {
        const extra: Record<string, Record<string, string>> = {};
        for (const [k, v] of Object.entries(config ?? {})) {
          const [group, key] = k.split('.', 2) as [string, string];
          (extra[group] ??= {})[key] = v;
        }
        const session = await ort.InferenceSession.create(model, {
          executionProviders: ['wasm'],
          externalData,
          ...(config !== undefined ? { extra } : {}),
        });
        return new ModelSession(ort, session, device, null);
      }
      // Severity 0 (verbose) makes ORT write its node placement; the capture keeps those lines out of the console.
      // The session keeps that severity: each run then writes ~40 verbose lines (resnet20) that the filter drops
      // for microseconds, negligible next to a GPU run; a benchmark wanting none could create a second session.
      const { value: session, lines } = await captureOrtLog(() => ort.InferenceSession.create(model, { executionProviders: ['webgpu'], externalData, logSeverityLevel: 0 }));
      return new ModelSession(ort, session, device, parseNodePlacement(lines));
    } catch (err) {
      throw runtimeError(device === 'webgpu' ? 'load this model on WebGPU' : 'load this model', err);
    }
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /** Element type of the first input ('float32', 'float16', …). */
  get inputType(): string {
    const meta = this.session.inputMetadata[0];
    return meta !== undefined && meta.isTensor ? meta.type : 'float32';
  }

  /** Queues `work` behind earlier runs: an ORT session takes one run() at a time. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Runs on one float32 input (the model's first input, given as float16 bits when the model takes float16). */
  private async runRaw(input: FloatTensor): Promise<Awaited<ReturnType<OrtSession['run']>>> {
    const tensor =
      this.inputType === 'float16'
        ? new this.ort.Tensor('float16', floatsToFloat16Bits(input.data), input.dims)
        : new this.ort.Tensor('float32', input.data, input.dims);
    try {
      return await this.session.run({ [this.session.inputNames[0]!]: tensor });
    } catch (err) {
      throw runtimeError('run this model', err);
    }
  }

  /**
   * Runs the model on one input given as float32 (its first input; converted to float16 bits when the model
   * takes float16) and returns the first output as float32 (float16 outputs are widened).
   */
  runFloat(input: FloatTensor): Promise<FloatTensor> {
    return this.serial(async () => {
      const out = await this.runRaw(input);
      const first = out[this.session.outputNames[0]!]!;
      const float = asFloat(first);
      if (float === null) throw new QbError('unsupported', `The model's output is ${first.type}; Quantbench expects floating-point scores here.`);
      return float;
    });
  }

  /**
   * Runs the model on one float32 input (as runFloat) and returns every floating-point output by name as float32
   * (float16 widened; other types left out). Calibration uses it: intermediate tensors are exposed as outputs.
   */
  runOutputs(input: FloatTensor): Promise<Map<string, FloatTensor>> {
    return this.serial(async () => {
      const out = await this.runRaw(input);
      const result = new Map<string, FloatTensor>();
      for (const name of this.session.outputNames) {
        const float = asFloat(out[name]!);
        if (float !== null) result.set(name, float);
      }
      return result;
    });
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
