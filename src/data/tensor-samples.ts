// Tensor datasets (.npy/.npz for audio, features, pre-made inputs): arrays -> float32 samples shaped for a model's
// first input, with plain-language messages for what does not fit. Pure: the dataset worker and the CLI share it.
import type { Dim } from '../onnx/graph';
import { float16BitsToFloats } from '../onnx/float16';
import type { TensorIO } from '../onnx/summary';
import { isQbError, QbError } from '../shared/errors';
import { parseNpy, parseNpz, type ParsedNpy } from './npy';
import { isFixedDim, shapeText } from './random-inputs';
import type { DatasetProblem, SampleInfo, TensorSample } from './types';

/** Input element types the runtime's float path feeds (runtime/session.ts runFloat). */
const FEEDABLE_DTYPES: readonly string[] = ['float32', 'float16'];
const MAX_PROBLEM_ITEMS = 50;

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
const dimsText = (dims: readonly number[]): string => `[${dims.join(', ')}]`;

/**
 * The model input that tensors or random inputs are fed to: its first and only input, of a float type.
 * @param what what is being fed, for messages ("tensors", "random inputs")
 * @throws QbError('unsupported') for a model without inputs, with several inputs (only one is fed so far), or whose
 *   input is not float32/float16 (token ids and other integer inputs are not fed yet)
 */
export function feedableInput(inputs: readonly TensorIO[], what = 'tensors'): TensorIO {
  const first = inputs[0];
  if (first === undefined) throw new QbError('unsupported', 'The model has no inputs, so there is nothing to feed it.');
  if (inputs.length > 1) {
    throw new QbError(
      'unsupported',
      `The model takes ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}); Quantbench feeds one input only so far, so it cannot run this model on ${what}.`,
    );
  }
  if (!FEEDABLE_DTYPES.includes(first.dtype)) {
    const ids = /int/.test(first.dtype) ? ' (such as token ids)' : '';
    throw new QbError(
      'unsupported',
      `The model's input "${first.name}" takes ${first.dtype} values${ids}; Quantbench can feed float32 and float16 inputs only so far, so it cannot run this model on ${what}.`,
    );
  }
  return first;
}

/**
 * An array's values as float32: float32 data as it is (parseNpy already copied it), float64 rounded, float16 bits
 * widened, integers and bools (0/1) converted (exactly up to 2^24), int64 through Number.
 */
export function toFloat32(array: ParsedNpy): Float32Array {
  const { data } = array;
  switch (array.dtype) {
    case 'float32':
      return data as Float32Array;
    case 'float16':
      return float16BitsToFloats(data as Uint16Array);
    case 'int64': {
      const big = data as BigInt64Array;
      const out = new Float32Array(big.length);
      for (let i = 0; i < big.length; i++) out[i] = Number(big[i]!);
      return out;
    }
    default:
      return Float32Array.from(data as Float64Array | Int32Array | Uint8Array | Int8Array);
  }
}

/** How an array's shape maps onto the input: `count` samples of `dims` each (count > 1 splits a leading axis). */
export interface SampleLayout {
  count: number;
  dims: number[];
}

/** The first fixed dim of `declared` that `dims` contradicts, in words ("its dimension 2 is 512 where the model needs 1536"). */
function firstMismatch(dims: readonly number[], declared: readonly Dim[], fileOffset: number): string | null {
  for (let i = 0; i < dims.length; i++) {
    const d = declared[i];
    if (isFixedDim(d) && dims[i] !== d) return `its dimension ${i + 1 + fileOffset} is ${dims[i]} where the model needs ${d}`;
  }
  return null;
}

/**
 * Decides how an array of `shape` feeds the model's input. With the declared shape D (symbolic and unknown dims
 * accept any size) and a batch dim that is 1 or open:
 *  - same rank as D: one sample, or N samples of [1, …] when the leading (batch) dim is N > 1;
 *  - one dim fewer: one sample, with the missing batch dim added as 1;
 *  - one dim more: N samples along the leading axis, each shaped like D.
 * A batch dim fixed above 1 (e.g. 4) takes the array as one whole batch. An undeclared shape takes the array as it is.
 * @param name the array's name for messages ("sample_3.npy")
 * @throws QbError('bad-tensor') saying which dim does not fit, in the model card's terms
 */
export function layoutFor(shape: readonly number[], input: TensorIO, name: string): SampleLayout {
  if (shape.length === 0) throw new QbError('bad-tensor', `${name} holds a single number, not a tensor for the model's input "${input.name}" ${shapeText(input.shape)}.`);
  if (shape.includes(0)) throw new QbError('bad-tensor', `${name} is empty (shape ${dimsText(shape)}): it holds no values.`);
  const declared = input.shape;
  if (declared === null || declared.length === 0) return { count: 1, dims: [...shape] };
  const batchOpen = !isFixedDim(declared[0]) || declared[0] === 1;
  const head = `${name} has shape ${dimsText(shape)} but the model's input "${input.name}" is ${shapeText(declared)}`;
  let why: string | null;
  if (shape.length === declared.length) {
    why = batchOpen ? firstMismatch(shape.slice(1), declared.slice(1), 1) : firstMismatch(shape, declared, 0);
    if (why === null) return batchOpen && shape[0]! > 1 ? { count: shape[0]!, dims: [1, ...shape.slice(1)] } : { count: 1, dims: [...shape] };
  } else if (shape.length === declared.length - 1 && batchOpen) {
    why = firstMismatch(shape, declared.slice(1), 0);
    if (why === null) return { count: 1, dims: [1, ...shape] };
    why += ' (the file has no batch dimension)';
  } else if (shape.length === declared.length + 1) {
    why = firstMismatch(shape.slice(1), declared, 1);
    if (why === null) return { count: shape[0]!, dims: shape.slice(1) };
    why += ' (its first dimension was taken as the sample count)';
  } else {
    const fewer = batchOpen ? ` (or ${declared.length - 1} without the batch dimension)` : '';
    why = `it has ${plural(shape.length, 'dimension')} where the model takes ${declared.length}${fewer}`;
  }
  throw new QbError('bad-tensor', `${head}: ${why}.`);
}

/**
 * One parsed array as samples for the input: converted to float32, split along a leading sample/batch axis when
 * there is one (rows named "name[i]", copied so each owns its buffer).
 * @throws QbError('bad-tensor') from layoutFor
 */
export function samplesFromArray(array: ParsedNpy, name: string, input: TensorIO): TensorSample[] {
  const layout = layoutFor(array.shape, input, name);
  const data = toFloat32(array);
  if (layout.count === 1) return [{ name, dims: layout.dims, data }];
  const per = data.length / layout.count;
  return Array.from({ length: layout.count }, (_, i) => ({ name: `${name}[${i}]`, dims: [...layout.dims], data: data.slice(i * per, (i + 1) * per) }));
}

/** What one tensor file gave: its samples, archive members that did not fit, and members left unused. */
export interface TensorFileSamples {
  samples: TensorSample[];
  /** "clips.npz:arr_2: clips.npz:arr_2 has shape …" for archive members that do not fit (the rest of the archive is used). */
  rejected: string[];
  /** Archive members not fed because a member named after the model's input was found. */
  unused: string[];
}

/**
 * Samples of one .npy or .npz file. An .npy is one sample (or one per row of a leading batch/sample axis). An
 * .npz holding an array named like the model's input ("input") feeds that array (named by the file); otherwise
 * every array is a sample of its own, named "file.npz:key".
 * @throws QbError from parseNpy/parseNpz ('corrupt', 'truncated', 'unsupported', 'too-large'), QbError('bad-tensor')
 *   when the file (or every array in the archive) does not fit the input, QbError('unsupported') for other files
 */
export function readTensorFile(bytes: Uint8Array, path: string, input: TensorIO): TensorFileSamples {
  if (/\.npy$/i.test(path)) return { samples: samplesFromArray(parseNpy(bytes, path), path, input), rejected: [], unused: [] };
  if (!/\.npz$/i.test(path)) throw new QbError('unsupported', `${path} is not a NumPy .npy or .npz file.`);
  const members = parseNpz(bytes, path);
  if (members.size === 0) throw new QbError('bad-tensor', `${path} holds no arrays.`);
  const named = members.get(input.name);
  if (named !== undefined) {
    const unused = [...members.keys()].filter((k) => k !== input.name).map((k) => `${path}:${k}`);
    return { samples: samplesFromArray(named, path, input), rejected: [], unused };
  }
  const samples: TensorSample[] = [];
  const rejected: string[] = [];
  for (const [key, array] of members) {
    const name = `${path}:${key}`;
    try {
      samples.push(...samplesFromArray(array, name, input));
    } catch (err) {
      if (!isQbError(err)) throw err;
      rejected.push(err.message);
    }
  }
  if (samples.length === 0) {
    throw new QbError('bad-tensor', rejected.length === 1 ? rejected[0]! : `None of the ${rejected.length} arrays in ${path} fits the model's input. The first: ${rejected[0]}`);
  }
  return { samples, rejected, unused: [] };
}

/**
 * Reads the tensor files of a dataset one by one and keeps account of what could not be used, so a bad file never
 * stops the others and every one is reported. Used at scan time (shapes only) and again at evaluation (data).
 */
export class TensorFileReader {
  private readonly failed: { path: string; message: string }[] = [];
  private readonly rejected: string[] = [];
  private readonly unused: string[] = [];
  private sampleCount = 0;

  constructor(readonly input: TensorIO) {}

  /** The file's samples; [] when it cannot be used (kept for problems()). Errors other than QbError propagate. */
  read(bytes: Uint8Array, path: string): TensorSample[] {
    try {
      const got = readTensorFile(bytes, path, this.input);
      this.rejected.push(...got.rejected);
      this.unused.push(...got.unused);
      this.sampleCount += got.samples.length;
      return got.samples;
    } catch (err) {
      if (!isQbError(err)) throw err;
      this.failed.push({ path, message: err.message });
      return [];
    }
  }

  /** Files and archive members left out, as dataset problems. */
  problems(): DatasetProblem[] {
    const out: DatasetProblem[] = [];
    const list = (kind: DatasetProblem['kind'], message: string, items: string[]): void => {
      out.push({ kind, message, items: items.slice(0, MAX_PROBLEM_ITEMS), count: items.length });
    };
    const f = this.failed;
    if (f.length === 1) list('bad-tensor', `${f[0]!.message} It is left out.`, [f[0]!.path]);
    else if (f.length > 1) list('bad-tensor', `${f.length} tensor files cannot be used and are left out. The first: ${f[0]!.message}`, f.map((x) => `${x.path}: ${x.message}`));
    if (this.rejected.length > 0) {
      list('bad-tensor', `${plural(this.rejected.length, 'array')} inside .npz archives ${this.rejected.length === 1 ? 'does' : 'do'} not fit the model's input and ${this.rejected.length === 1 ? 'is' : 'are'} left out. The first: ${this.rejected[0]}`, this.rejected);
    }
    if (this.unused.length > 0) {
      list('unsupported-file', `${plural(this.unused.length, 'array')} in .npz archives ${this.unused.length === 1 ? 'was' : 'were'} not used: each archive's array named "${this.input.name}" (the model's input) was fed instead.`, this.unused);
    }
    return out;
  }

  /**
   * @throws QbError('bad-tensor') when no file gave a sample: the one failure, or how many failed and the first reason
   */
  requireSamples(): void {
    if (this.sampleCount > 0) return;
    const f = this.failed;
    if (f.length === 0) throw new QbError('bad-tensor', 'No tensors were found among the dropped files.');
    throw new QbError(
      'bad-tensor',
      f.length === 1 ? f[0]!.message : `None of the ${f.length} tensor files fits the model's input "${this.input.name}" ${shapeText(this.input.shape)}. The first: ${f[0]!.message}`,
    );
  }
}

/**
 * A run failure on a sample that fitted the declared shape, in plain words: the declaration cannot say everything
 * (minimum lengths, sizes a reshape needs), so the model's own failure is reported with what was fed. Errors that are
 * not run failures (cancel, bugs) are returned as they are.
 * @param kind 'random' adds advice on the sizes chosen for open dims
 */
export function explainRunError(err: unknown, sample: { name: string; input: { dims: readonly number[] } }, input: TensorIO, kind: 'tensors' | 'random'): unknown {
  if (!isQbError(err) || (err.code !== 'runtime' && err.code !== 'unsupported')) return err;
  const detail = [err.message, err.detail].filter((x) => x !== undefined && x !== '').join(' ');
  const declared = `The model's input "${input.name}" is declared as ${shapeText(input.shape)}`;
  const fed = dimsText(sample.input.dims);
  const message =
    kind === 'random'
      ? `The model could not run on random inputs of shape ${fed}. ${declared}; the sizes chosen for its open dimensions may not be ones it accepts (some models need a minimum length or a size divisible by a block). Change them and try again.`
      : `The model could not run on ${sample.name} (shape ${fed}). ${declared}, so the file fits on paper, but the model itself failed on it: it may need more values or a different size than its declaration shows (some audio models need at least a few thousand samples).`;
  return new QbError('runtime', message, detail);
}

/** Sample names and dims without the data (what a scan keeps). */
export function sampleInfos(samples: readonly TensorSample[]): SampleInfo[] {
  return samples.map((s) => ({ name: s.name, dims: s.dims }));
}
