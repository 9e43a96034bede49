// TensorProto data <-> typed arrays, for every storage form ONNX allows (raw_data, external data,
// float_data, int32_data holding 8/16-bit and float16/bfloat16 bits, int64_data, uint64_data, double_data,
// string_data). Reads are zero-copy views of the model buffer when alignment allows.
import { create } from '@bufbuild/protobuf';
import { QbError } from '../shared/errors';
import { DataType as DT, dtypeInfo, dtypeName, type TensorArray } from './dtypes';
import { TensorProto_DataLocation, TensorProtoSchema, type TensorProto } from './proto/onnx_pb';

/** Returns the bytes of an external data file by its `location`, or undefined when it was not supplied. */
export type ExternalDataResolver = (location: string) => Uint8Array | undefined;

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Largest element count we will ever allocate for, whatever the dims claim (2^31 - 1). */
const MAX_ELEMENTS = 0x7fffffff;

/**
 * Number of elements of a tensor with these dims (1 for a scalar).
 * @throws QbError('bad-tensor') for negative dims or a count beyond 2^53.
 */
export function elementCount(dims: readonly bigint[], tensorName = 'a tensor'): number {
  let n = 1;
  for (const d of dims) {
    if (d < 0n) throw new QbError('bad-tensor', `The model is damaged: ${tensorName} has a negative dimension (${d}).`);
    n *= Number(d);
  }
  if (!Number.isSafeInteger(n)) {
    throw new QbError('bad-tensor', `The model is damaged: ${tensorName} claims ${n} elements, more than any file can hold.`);
  }
  return n;
}

/** Reads an external_data entry ("location", "offset", "length") of a tensor. */
export function externalDataRef(t: TensorProto): { location: string; offset: number; length: number | undefined } {
  const get = (k: string): string | undefined => t.externalData.find((e) => e.key === k)?.value;
  const location = get('location') ?? '';
  const offset = Number(get('offset') ?? '0');
  const lengthText = get('length');
  const length = lengthText === undefined ? undefined : Number(lengthText);
  return { location, offset, length };
}

/** True when the tensor's bytes live in a separate file. */
export function isExternal(t: TensorProto): boolean {
  return t.dataLocation === TensorProto_DataLocation.EXTERNAL;
}

/**
 * The raw little-endian bytes of a tensor stored as raw_data or external data (a view, never a copy),
 * or undefined when its values sit in one of the typed *_data fields.
 * @throws QbError('missing-external-data' | 'bad-external-data') when external bytes cannot be found.
 */
export function rawBytes(t: TensorProto, external?: ExternalDataResolver): Uint8Array | undefined {
  if (isExternal(t)) {
    const ref = externalDataRef(t);
    const file = external?.(ref.location);
    if (file === undefined) {
      throw new QbError(
        'missing-external-data',
        `This model keeps its weights in a separate file, "${ref.location}". Add that file together with the .onnx file.`,
        `tensor ${t.name}`,
      );
    }
    const length = ref.length ?? file.byteLength - ref.offset;
    if (!Number.isSafeInteger(ref.offset) || !Number.isSafeInteger(length) || ref.offset < 0 || length < 0 || ref.offset + length > file.byteLength) {
      throw new QbError(
        'bad-external-data',
        `The weights file "${ref.location}" is shorter than the model expects: it may be truncated or belong to another model.`,
        `tensor ${t.name}: offset ${ref.offset} length ${length}, file has ${file.byteLength} bytes`,
      );
    }
    return file.subarray(ref.offset, ref.offset + length);
  }
  return t.rawData.byteLength > 0 ? t.rawData : undefined;
}

function mismatch(t: TensorProto, expected: number, got: number, unit: string): QbError {
  return new QbError(
    'bad-tensor',
    `The model is damaged: weight "${t.name}" should hold ${expected} ${unit} but holds ${got}.`,
    `dtype ${dtypeName(t.dataType)}, dims [${t.dims.join(',')}]`,
  );
}

/** Typed view (or, when misaligned or on a big-endian host, a copy) of little-endian bytes. */
function viewOrCopy(bytes: Uint8Array, ctor: NonNullable<ReturnType<typeof dtypeInfo>>['array'], entries: number): TensorArray {
  if (ctor === null) throw new QbError('internal', 'No typed array for this element type.');
  const size = ctor.BYTES_PER_ELEMENT;
  if (LITTLE_ENDIAN_HOST && bytes.byteOffset % size === 0) {
    return new ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, entries);
  }
  const out = new ctor(entries);
  if (LITTLE_ENDIAN_HOST || size === 1) {
    new Uint8Array(out.buffer).set(bytes.subarray(0, entries * size));
    return out;
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const outDv = new DataView(out.buffer);
  for (let i = 0; i < entries * size; i += size) {
    for (let b = 0; b < size; b++) outDv.setUint8(i + b, dv.getUint8(i + size - 1 - b));
  }
  return out;
}

/**
 * The elements of a numeric tensor as a typed array: float16/bfloat16/float8 as raw bit patterns
 * (Uint16Array/Uint8Array), complex types as interleaved (re, im), 4-bit types as packed bytes.
 * raw_data and external data come back as zero-copy views when their offset is aligned.
 * @throws QbError('bad-tensor') when the stored data does not match dims and dtype,
 *         QbError('unsupported') for string tensors (see readStringTensor) or unknown dtypes.
 */
export function readTensor(t: TensorProto, external?: ExternalDataResolver): TensorArray {
  const info = dtypeInfo(t.dataType);
  if (info === undefined || info.array === null) {
    throw new QbError('unsupported', `Weight "${t.name}" has element type ${dtypeName(t.dataType)}, which Quantbench cannot read as numbers.`);
  }
  const n = elementCount(t.dims, `weight "${t.name}"`);
  const entries = Math.ceil(n * info.lanes);
  if (entries > MAX_ELEMENTS) {
    throw new QbError('too-large', `Weight "${t.name}" has ${n} elements, more than a browser can hold in one array.`);
  }
  const raw = rawBytes(t, external);
  if (raw !== undefined) {
    const want = entries * info.array.BYTES_PER_ELEMENT;
    if (raw.byteLength !== want) throw mismatch(t, want, raw.byteLength, 'bytes');
    return viewOrCopy(raw, info.array, entries);
  }
  const dt = t.dataType;
  let src: readonly number[] | readonly bigint[];
  if (dt === DT.FLOAT || dt === DT.COMPLEX64) src = t.floatData;
  else if (dt === DT.DOUBLE || dt === DT.COMPLEX128) src = t.doubleData;
  else if (dt === DT.INT64) src = t.int64Data;
  else if (dt === DT.UINT64 || dt === DT.UINT32) src = t.uint64Data;
  else src = t.int32Data;
  if (src.length !== entries) throw mismatch(t, entries, src.length, 'values');
  if (dt === DT.UINT32) return Uint32Array.from(src as readonly bigint[], (v) => Number(v));
  if (info.array === BigInt64Array || info.array === BigUint64Array) return info.array.from(src as readonly bigint[]);
  return (info.array as Float32ArrayConstructor).from(src as readonly number[]);
}

/** Values of a STRING tensor, decoded as UTF-8. */
export function readStringTensor(t: TensorProto): string[] {
  const decoder = new TextDecoder();
  return t.stringData.map((s) => decoder.decode(s));
}

/** Which storage form to write: raw_data (compact, what exporters use) or the typed *_data fields. */
export type TensorForm = 'raw' | 'fields';

/**
 * Sets a tensor's data from a typed array, clearing every other storage field. With form 'raw' on a
 * little-endian host the raw_data is a view of `data` (no copy): do not mutate `data` before encoding.
 * @throws QbError('bad-tensor') when the array length does not match dims and dtype.
 */
export function writeTensor(t: TensorProto, data: TensorArray, form: TensorForm = 'raw'): void {
  const info = dtypeInfo(t.dataType);
  if (info === undefined || info.array === null) throw new QbError('unsupported', `Cannot write element type ${dtypeName(t.dataType)}.`);
  const entries = Math.ceil(elementCount(t.dims) * info.lanes);
  if (data.length !== entries) throw mismatch(t, entries, data.length, 'values');
  t.rawData = new Uint8Array(0);
  t.floatData = [];
  t.int32Data = [];
  t.int64Data = [];
  t.uint64Data = [];
  t.doubleData = [];
  t.stringData = [];
  t.externalData = [];
  t.dataLocation = TensorProto_DataLocation.DEFAULT;
  if (form === 'raw') {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (LITTLE_ENDIAN_HOST || data.BYTES_PER_ELEMENT === 1) {
      t.rawData = bytes;
    } else {
      const size = data.BYTES_PER_ELEMENT;
      const out = new Uint8Array(bytes.length);
      for (let i = 0; i < bytes.length; i += size) for (let b = 0; b < size; b++) out[i + b] = bytes[i + size - 1 - b]!;
      t.rawData = out;
    }
    return;
  }
  const dt = t.dataType;
  if (dt === DT.FLOAT || dt === DT.COMPLEX64) t.floatData = Array.from(data as Float32Array);
  else if (dt === DT.DOUBLE || dt === DT.COMPLEX128) t.doubleData = Array.from(data as Float64Array);
  else if (dt === DT.INT64) t.int64Data = Array.from(data as BigInt64Array);
  else if (dt === DT.UINT64) t.uint64Data = Array.from(data as BigUint64Array);
  else if (dt === DT.UINT32) t.uint64Data = Array.from(data as Uint32Array, (v) => BigInt(v));
  else t.int32Data = Array.from(data as Int32Array);
}

/** A new TensorProto named `name` holding `data` with the given dtype and dims. */
export function makeTensor(name: string, dataType: number, dims: readonly number[], data: TensorArray, form: TensorForm = 'raw'): TensorProto {
  const t = create(TensorProtoSchema, { name, dataType, dims: dims.map((d) => BigInt(d)) });
  writeTensor(t, data, form);
  return t;
}

/** Byte size of a tensor's elements as stored (raw or field form): elements x bytes per element. */
export function tensorByteSize(t: TensorProto): number {
  const info = dtypeInfo(t.dataType);
  if (info === undefined) return 0;
  if (t.dataType === DT.STRING) return t.stringData.reduce((sum, s) => sum + s.byteLength, 0);
  try {
    return Math.ceil(elementCount(t.dims) * info.bytes);
  } catch {
    return 0;
  }
}

/** Copies an external-data tensor's values into the tensor itself (raw_data), so the model is one self-contained file. */
export function inlineExternalTensor(t: TensorProto, external: ExternalDataResolver | undefined): void {
  if (!isExternal(t)) return;
  writeTensor(t, readTensor(t, external).slice());
}
