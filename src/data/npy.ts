// NumPy .npy / .npz readers for pre-made input tensors (NPY format 1.0-3.0, little-endian numeric dtypes, C order)
// and an .npy writer for fixtures.
// Hostile headers are checked against the bytes actually present before anything is allocated.
import { unzipSync } from 'fflate';
import { QbError, isQbError } from '../shared/errors';

export type NpyDtype = 'float32' | 'float64' | 'int64' | 'int32' | 'uint8' | 'int8' | 'float16' | 'bool';

/** float16 comes as raw IEEE half bits (Uint16Array); bool as 0/1 bytes (Uint8Array). */
export type NpyArray = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array | Int8Array | Uint16Array;

export interface ParsedNpy {
  dtype: NpyDtype;
  /** Dims in C (row-major) order; [] for a scalar. */
  shape: number[];
  data: NpyArray;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** descr type code (after the byte-order character) -> dtype and element size in bytes. */
const DTYPES: Record<string, { dtype: NpyDtype; bytes: number }> = {
  f4: { dtype: 'float32', bytes: 4 },
  f8: { dtype: 'float64', bytes: 8 },
  i8: { dtype: 'int64', bytes: 8 },
  i4: { dtype: 'int32', bytes: 4 },
  u1: { dtype: 'uint8', bytes: 1 },
  i1: { dtype: 'int8', bytes: 1 },
  f2: { dtype: 'float16', bytes: 2 },
  b1: { dtype: 'bool', bytes: 1 },
};

/**
 * Reads one .npy file.
 * @param bytes the whole file
 * @param name file name for messages
 * @returns dtype, shape and a fresh, aligned typed array of the elements (trailing bytes after them are ignored)
 * @throws QbError 'corrupt' (not an NPY file, unreadable header), 'truncated' (fewer data bytes than the shape
 *   needs), 'unsupported' (big-endian, Fortran order, strings/objects/structured or other dtypes)
 */
export function parseNpy(bytes: Uint8Array, name = 'the .npy file'): ParsedNpy {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new QbError('corrupt', `${name} is not a NumPy .npy file (it does not start with the NumPy signature).`);
  }
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw new QbError('unsupported', `${name} uses NumPy file format version ${major}, which Quantbench cannot read (it reads versions 1 to 3).`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerStart = major === 1 ? 10 : 12;
  if (bytes.length < headerStart) throw new QbError('truncated', `${name} ends inside its header: the file is cut short.`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) throw new QbError('truncated', `${name} ends inside its header: the file is cut short.`);
  // Format 3.0 allows UTF-8 in the header (field names); 1.0/2.0 are Latin-1, and ASCII is all a valid header has here.
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));

  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new QbError('corrupt', `${name} has a damaged header (no dtype, order or shape).`, header.slice(0, 200));
  }
  if (fortran === 'True') {
    throw new QbError('unsupported', `${name} is stored in Fortran (column-major) order. Save it with np.ascontiguousarray(x) first.`);
  }
  const order = descr[0];
  const info = DTYPES[descr.slice(1)];
  if (info === undefined || order === undefined || !'<|='.includes(order) || (order === '|' && info.bytes > 1)) {
    const why = order === '>' ? 'big-endian numbers' : `the element type "${descr}"`;
    throw new QbError('unsupported', `${name} holds ${why}, which Quantbench cannot read. Use float32, float64, float16, int64, int32, int8, uint8 or bool, little-endian.`);
  }
  const shape: number[] = [];
  for (const part of shapeText.split(',')) {
    const t = part.trim();
    if (t === '') continue;
    if (!/^\d+$/.test(t) || !Number.isSafeInteger(Number(t))) throw new QbError('corrupt', `${name} has a damaged shape in its header: (${shapeText}).`);
    shape.push(Number(t));
  }

  // Count elements without overflow: stop as soon as the data could not be in the file.
  const available = bytes.length - dataStart;
  let count = shape.includes(0) ? 0 : 1;
  for (const d of count === 0 ? [] : shape) {
    count *= d;
    if (count * info.bytes > available) break;
  }
  const needed = count * info.bytes;
  if (needed > available) {
    throw new QbError('truncated', `${name} is shorter than its header says: shape (${shape.join(', ')}) needs more bytes than the file has.`);
  }
  // Copy: the data may sit at any byte offset, and typed arrays need aligned buffers.
  const copy = bytes.slice(dataStart, dataStart + needed);
  const data = makeArray(info.dtype, copy.buffer, count);
  return { dtype: info.dtype, shape, data };
}

function makeArray(dtype: NpyDtype, buffer: ArrayBuffer, count: number): NpyArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer, 0, count);
    case 'float64':
      return new Float64Array(buffer, 0, count);
    case 'int64':
      return new BigInt64Array(buffer, 0, count);
    case 'int32':
      return new Int32Array(buffer, 0, count);
    case 'int8':
      return new Int8Array(buffer, 0, count);
    case 'float16':
      return new Uint16Array(buffer, 0, count);
    case 'uint8':
    case 'bool':
      return new Uint8Array(buffer, 0, count);
  }
}

/**
 * Reads a .npz archive (np.savez / np.savez_compressed): every member .npy, keyed by its name without ".npy".
 * Declared sizes are checked before inflating: at most `maxTotalBytes` bytes of members are unpacked.
 * @throws QbError 'corrupt' (not a zip, damaged member), 'too-large', and parseNpy's errors
 */
export function parseNpz(bytes: Uint8Array, name = 'the .npz file', maxTotalBytes = 2e9): Map<string, ParsedNpy> {
  let files: Record<string, Uint8Array>;
  let total = 0;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        if (f.name.endsWith('/')) return false;
        total += f.originalSize;
        if (total > maxTotalBytes) {
          throw new QbError('too-large', `${name} unpacks to more than ${Math.round(maxTotalBytes / 1e6)} MB, more than Quantbench will unpack in the browser.`);
        }
        return true;
      },
    });
  } catch (err) {
    if (isQbError(err)) throw err;
    throw new QbError('corrupt', `${name} is not a readable .npz archive: it may be damaged or not a NumPy archive.`, String(err));
  }
  const out = new Map<string, ParsedNpy>();
  for (const [member, data] of Object.entries(files)) {
    out.set(member.replace(/\.npy$/i, ''), parseNpy(data, `"${member}" in ${name}`));
  }
  return out;
}

const DESCR: Record<NpyDtype, string> = {
  float32: '<f4', float64: '<f8', int64: '<i8', int32: '<i4', uint8: '|u1', int8: '|i1', float16: '<f2', bool: '|b1',
};

/**
 * Writes an .npy file (format 1.0, little-endian, C order) the way numpy.save does, for fixtures and exports.
 * @param data the elements in C order; float16 as raw half bits (Uint16Array), bool as 0/1 bytes
 * @throws QbError('internal') when the shape does not hold data.length elements
 */
export function encodeNpy(data: NpyArray, shape: readonly number[], dtype: NpyDtype = npyDtypeOf(data)): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new QbError('internal', `encodeNpy: shape (${shape.join(', ')}) holds ${count} elements, not ${data.length}.`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // numpy pads the header with spaces so the data starts at a multiple of 64 bytes, and ends it with a newline.
  header += `${' '.repeat(63 - ((10 + header.length) % 64))}\n`;
  const head = new TextEncoder().encode(header);
  const out = new Uint8Array(10 + head.length + data.byteLength);
  out.set(MAGIC);
  out[6] = 1;
  new DataView(out.buffer).setUint16(8, head.length, true);
  out.set(head, 10);
  // Typed arrays use the host's byte order, little-endian on every platform browsers and Node run on.
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + head.length);
  return out;
}

function npyDtypeOf(data: NpyArray): NpyDtype {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint16Array) return 'float16';
  return 'uint8';
}
