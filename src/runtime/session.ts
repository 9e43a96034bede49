// An onnxruntime-web session that runs one inference at a time (ORT sessions are not re-entrant).
import { float16BitsToFloats, floatsToFloat16Bits } from '../onnx/float16';
import { QbError } from '../shared/errors';
import { loadOrt, type OrtModule } from './ort';

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

export class ModelSession {
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
  ) {}

  /** Creates a CPU (wasm) session; `externalData` supplies weight files by the names the model uses. */
  static async create(model: Uint8Array, externalData: { path: string; data: Uint8Array }[] = []): Promise<ModelSession> {
    const ort = await loadOrt();
    try {
      const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'], externalData });
      return new ModelSession(ort, session);
    } catch (err) {
      throw runtimeError('load this model', err);
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

  /**
   * Runs the model on one input given as float32 (its first input; converted to float16 bits when the model
   * takes float16) and returns the first output as float32 (float16 outputs are widened).
   */
  runFloat(input: FloatTensor): Promise<FloatTensor> {
    const next = this.chain.then(async () => {
      const tensor =
        this.inputType === 'float16'
          ? new this.ort.Tensor('float16', floatsToFloat16Bits(input.data), input.dims)
          : new this.ort.Tensor('float32', input.data, input.dims);
      const feeds = { [this.session.inputNames[0]!]: tensor };
      let out;
      try {
        out = await this.session.run(feeds);
      } catch (err) {
        throw runtimeError('run this model', err);
      }
      const first = out[this.session.outputNames[0]!]!;
      const dims = [...first.dims];
      if (first.type === 'float32') return { data: first.data as Float32Array, dims };
      if (first.type === 'float16') {
        // ORT hands float16 out as raw bits (Uint16Array), or as Float16Array where the browser has one.
        const data = first.data instanceof Uint16Array ? float16BitsToFloats(first.data) : Float32Array.from(first.data as ArrayLike<number>);
        return { data, dims };
      }
      throw new QbError('unsupported', `The model's output is ${first.type}; Quantbench expects floating-point scores here.`);
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
