// .npy/.npz readers on hand-built files: each dtype, format versions 1-3, scalars, misaligned input, and hostile headers.
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { QbError } from '../shared/errors';
import { encodeNpy, parseNpy, parseNpz } from './npy';

/** Builds an .npy file the way numpy.save does (header padded with spaces to a multiple of 64, ending in \n). */
function npy(descr: string, shape: number[] | string, data: Uint8Array, opts: { version?: 1 | 2 | 3; fortran?: boolean } = {}): Uint8Array {
  const version = opts.version ?? 1;
  const shapeText = typeof shape === 'string' ? shape : shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${opts.fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const prefix = version === 1 ? 10 : 12;
  header += ' '.repeat(63 - ((prefix + header.length) % 64)) + '\n';
  const head = new Uint8Array(prefix);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(head.buffer);
  if (version === 1) dv.setUint16(8, header.length, true);
  else dv.setUint32(8, header.length, true);
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(prefix + h.length + data.length);
  out.set(head);
  out.set(h, prefix);
  out.set(data, prefix + h.length);
  return out;
}

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function expectQb(fn: () => unknown, code: string, message: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(QbError);
    expect((err as QbError).code).toBe(code);
    expect((err as QbError).message).toMatch(message);
    return;
  }
  throw new Error('expected a QbError');
}

describe('parseNpy', () => {
  it('reads float32 (2, 3) in C order', () => {
    const values = new Float32Array([1, 2, 3, 4.5, -5, 6]);
    const parsed = parseNpy(npy('<f4', [2, 3], bytesOf(values)));
    expect(parsed.dtype).toBe('float32');
    expect(parsed.shape).toEqual([2, 3]);
    expect([...(parsed.data as Float32Array)]).toEqual([1, 2, 3, 4.5, -5, 6]);
  });

  it.each([
    ['<f8', 'float64', new Float64Array([1.5, -2.25])],
    ['<i8', 'int64', new BigInt64Array([-3n, 9007199254740993n])],
    ['<i4', 'int32', new Int32Array([-7, 2147483647])],
    ['|u1', 'uint8', new Uint8Array([0, 255])],
    ['|i1', 'int8', new Int8Array([-128, 127])],
    ['<f2', 'float16', new Uint16Array([0x3c00, 0xc000])],
    ['|b1', 'bool', new Uint8Array([1, 0])],
  ] as const)('reads %s as %s', (descr, dtype, values) => {
    const parsed = parseNpy(npy(descr, [2], bytesOf(values)));
    expect(parsed.dtype).toBe(dtype);
    expect(parsed.shape).toEqual([2]);
    expect([...parsed.data]).toEqual([...values]);
    expect(parsed.data.constructor).toBe(values.constructor);
  });

  it('reads format versions 2 and 3, scalars and empty arrays', () => {
    expect([...parseNpy(npy('<i4', [1], bytesOf(new Int32Array([42])), { version: 2 })).data]).toEqual([42]);
    expect([...parseNpy(npy('<i4', [1], bytesOf(new Int32Array([43])), { version: 3 })).data]).toEqual([43]);
    const scalar = parseNpy(npy('<f8', '()', bytesOf(new Float64Array([3.25]))));
    expect(scalar.shape).toEqual([]);
    expect([...scalar.data]).toEqual([3.25]);
    expect(parseNpy(npy('<f4', [0, 5], new Uint8Array(0))).data.length).toBe(0);
  });

  it('copies data that sits at an odd byte offset into an aligned array', () => {
    const file = npy('<f4', [2], bytesOf(new Float32Array([7, 8])));
    const padded = new Uint8Array(file.length + 1);
    padded.set(file, 1);
    expect([...parseNpy(padded.subarray(1)).data]).toEqual([7, 8]);
  });

  it('refuses Fortran order, big-endian and string dtypes with plain messages', () => {
    expectQb(() => parseNpy(npy('<f4', [1], new Uint8Array(4), { fortran: true })), 'unsupported', /Fortran/);
    expectQb(() => parseNpy(npy('>f4', [1], new Uint8Array(4))), 'unsupported', /big-endian/);
    expectQb(() => parseNpy(npy('<U5', [1], new Uint8Array(20))), 'unsupported', /<U5/);
  });

  it('refuses non-NPY bytes, cut files and damaged headers', () => {
    expectQb(() => parseNpy(new TextEncoder().encode('hello world, not numpy')), 'corrupt', /not a NumPy/);
    const good = npy('<f4', [4], bytesOf(new Float32Array(4)));
    expectQb(() => parseNpy(good.subarray(0, good.length - 1)), 'truncated', /shorter than its header/);
    expectQb(() => parseNpy(good.subarray(0, 40)), 'truncated', /header/);
    expectQb(() => parseNpy(npy('<f4', '(2, x)', new Uint8Array(8))), 'corrupt', /shape/);
  });

  it('never allocates what a hostile header claims beyond the file', () => {
    // 2^53-ish elements and a product that overflows: both must fail fast with 'truncated', not allocate.
    expectQb(() => parseNpy(npy('<f8', [9007199254740991], new Uint8Array(8))), 'truncated', /shorter/);
    expectQb(() => parseNpy(npy('<f8', [4294967296, 4294967296, 4294967296], new Uint8Array(8))), 'truncated', /shorter/);
    // A header length pointing past the end of the file.
    const file = npy('<f4', [1], new Uint8Array(4));
    new DataView(file.buffer).setUint16(8, 65535, true);
    expectQb(() => parseNpy(file), 'truncated', /header/);
    // A v2 header length of 4 GB.
    const v2 = npy('<f4', [1], new Uint8Array(4), { version: 2 });
    new DataView(v2.buffer).setUint32(8, 0xffffffff, true);
    expectQb(() => parseNpy(v2), 'truncated', /header/);
  });
});

describe('parseNpz', () => {
  it('reads every member of np.savez and np.savez_compressed style archives, keyed without .npy', () => {
    const a = npy('<f4', [2], bytesOf(new Float32Array([1, 2])));
    const b = npy('<i8', [1], bytesOf(new BigInt64Array([5n])));
    for (const level of [0, 6] as const) {
      const parsed = parseNpz(zipSync({ 'x.npy': a, 'y.npy': b }, { level }));
      expect([...parsed.keys()].sort()).toEqual(['x', 'y']);
      expect([...parsed.get('x')!.data]).toEqual([1, 2]);
      expect([...parsed.get('y')!.data]).toEqual([5n]);
    }
  });

  it('refuses a damaged archive, a bad member and an over-budget one', () => {
    expectQb(() => parseNpz(new Uint8Array([1, 2, 3, 4])), 'corrupt', /not a readable .npz/);
    expectQb(() => parseNpz(zipSync({ 'x.npy': new Uint8Array([1, 2, 3]) })), 'corrupt', /"x.npy"/);
    const big = zipSync({ 'x.npy': npy('<f4', [1000], new Uint8Array(4000)) }, { level: 9 });
    expectQb(() => parseNpz(big, 'big.npz', 1000), 'too-large', /big.npz/);
  });
});

describe('encodeNpy', () => {
  it('writes files parseNpy reads back, with the data 64-byte aligned like numpy.save', () => {
    const data = Float32Array.from([1.5, -2, 3, 4, 5, 6]);
    const bytes = encodeNpy(data, [2, 3]);
    expect((bytes.length - data.byteLength) % 64).toBe(0);
    const back = parseNpy(bytes);
    expect(back.dtype).toBe('float32');
    expect(back.shape).toEqual([2, 3]);
    expect(Array.from(back.data as Float32Array)).toEqual(Array.from(data));
    expect(parseNpy(encodeNpy(BigInt64Array.from([5n]), [1])).dtype).toBe('int64');
    expect(parseNpy(encodeNpy(Uint8Array.from([1]), [], 'bool'))).toMatchObject({ dtype: 'bool', shape: [] });
    expect(() => encodeNpy(data, [4])).toThrow(/holds 4 elements, not 6/);
  });
});
