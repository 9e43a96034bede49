// Tests of tensor-data.ts: every ONNX storage form to and from typed arrays, zero-copy views vs. copies,
// external data through a resolver, and the QbError codes for every kind of inconsistent tensor.
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { externalDataModel, tinyConvModel, toFloat16Bits } from '../../test/fixtures';
import { QbError, type ErrorCode } from '../shared/errors';
import type { TensorArray } from './dtypes';
import { decodeModel } from './model-io';
import {
  StringStringEntryProtoSchema,
  TensorProto_DataLocation,
  TensorProto_DataType as DT,
  TensorProtoSchema,
  type TensorProto,
} from './proto/onnx_pb';
import { elementCount, makeTensor, rawBytes, readStringTensor, readTensor, tensorByteSize, writeTensor } from './tensor-data';

type Field = 'floatData' | 'int32Data' | 'int64Data' | 'uint64Data' | 'doubleData';

interface FormCase {
  label: string;
  dataType: number;
  dims: number[];
  data: TensorArray;
  /** The typed field ONNX stores this dtype in when raw_data is not used. */
  field: Field;
  /** The values that field holds (numbers for int32/float/double, bigints for the 64-bit fields). */
  fieldValues: number[] | bigint[];
}

const f16 = [toFloat16Bits(1.5), 0x7c00 /* +inf */, 0x8001 /* -min subnormal */, toFloat16Bits(-65504), 0x7e00 /* NaN */];
const bf16 = [0x3f80 /* 1 */, 0xbf80 /* -1 */, 0x7f80 /* +inf */, 0x0001, 0xffff];

const CASES: FormCase[] = [
  { label: 'float32', dataType: DT.FLOAT, dims: [2, 3], data: new Float32Array([0, -0, 1.5, -2.25, 3.4e38, 1e-45]), field: 'floatData', fieldValues: [] },
  { label: 'float32 scalar', dataType: DT.FLOAT, dims: [], data: new Float32Array([42.5]), field: 'floatData', fieldValues: [] },
  { label: 'int8', dataType: DT.INT8, dims: [5], data: new Int8Array([-128, -1, 0, 1, 127]), field: 'int32Data', fieldValues: [-128, -1, 0, 1, 127] },
  { label: 'uint8', dataType: DT.UINT8, dims: [4], data: new Uint8Array([0, 1, 128, 255]), field: 'int32Data', fieldValues: [0, 1, 128, 255] },
  { label: 'int16', dataType: DT.INT16, dims: [2, 2], data: new Int16Array([-32768, -1, 0, 32767]), field: 'int32Data', fieldValues: [-32768, -1, 0, 32767] },
  { label: 'uint16', dataType: DT.UINT16, dims: [4], data: new Uint16Array([0, 1, 32768, 65535]), field: 'int32Data', fieldValues: [0, 1, 32768, 65535] },
  { label: 'bool', dataType: DT.BOOL, dims: [3], data: new Uint8Array([1, 0, 1]), field: 'int32Data', fieldValues: [1, 0, 1] },
  { label: 'float16 bits', dataType: DT.FLOAT16, dims: [5], data: new Uint16Array(f16), field: 'int32Data', fieldValues: f16 },
  { label: 'bfloat16 bits', dataType: DT.BFLOAT16, dims: [5], data: new Uint16Array(bf16), field: 'int32Data', fieldValues: bf16 },
  { label: 'float8e4m3fn bits', dataType: DT.FLOAT8E4M3FN, dims: [3], data: new Uint8Array([0x38, 0xb8, 0x7e]), field: 'int32Data', fieldValues: [0x38, 0xb8, 0x7e] },
  { label: 'int32', dataType: DT.INT32, dims: [4], data: new Int32Array([-(2 ** 31), -1, 0, 2 ** 31 - 1]), field: 'int32Data', fieldValues: [-(2 ** 31), -1, 0, 2 ** 31 - 1] },
  { label: 'int4 packed', dataType: DT.INT4, dims: [3], data: new Uint8Array([0x21, 0x0f]), field: 'int32Data', fieldValues: [0x21, 0x0f] },
  {
    label: 'int64',
    dataType: DT.INT64,
    dims: [4],
    data: new BigInt64Array([-(2n ** 63n), -1n, 0n, 2n ** 63n - 1n]),
    field: 'int64Data',
    fieldValues: [-(2n ** 63n), -1n, 0n, 2n ** 63n - 1n],
  },
  { label: 'uint32', dataType: DT.UINT32, dims: [4], data: new Uint32Array([0, 1, 2 ** 31, 2 ** 32 - 1]), field: 'uint64Data', fieldValues: [0n, 1n, 2n ** 31n, 2n ** 32n - 1n] },
  { label: 'uint64', dataType: DT.UINT64, dims: [4], data: new BigUint64Array([0n, 1n, 2n ** 63n, 2n ** 64n - 1n]), field: 'uint64Data', fieldValues: [0n, 1n, 2n ** 63n, 2n ** 64n - 1n] },
  { label: 'float64', dataType: DT.DOUBLE, dims: [4], data: new Float64Array([Math.PI, -0, 1e300, -5e-324]), field: 'doubleData', fieldValues: [] },
  { label: 'complex64', dataType: DT.COMPLEX64, dims: [2], data: new Float32Array([1, -2, 3.5, 4]), field: 'floatData', fieldValues: [] },
  { label: 'complex128', dataType: DT.COMPLEX128, dims: [2], data: new Float64Array([1, -2, 3.5, 1e-300]), field: 'doubleData', fieldValues: [] },
  { label: 'empty [0,3]', dataType: DT.FLOAT, dims: [0, 3], data: new Float32Array(0), field: 'floatData', fieldValues: [] },
];

/** Bytes of a typed array, for bit-exact comparison (keeps -0, NaN payloads and subnormals honest). */
function bytesOf(a: TensorArray): number[] {
  return Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

function expectSameArray(got: TensorArray, want: TensorArray): void {
  expect(got.constructor).toBe(want.constructor);
  expect(got.length).toBe(want.length);
  expect(bytesOf(got)).toEqual(bytesOf(want));
}

function roundTrip(t: TensorProto): TensorProto {
  return fromBinary(TensorProtoSchema, toBinary(TensorProtoSchema, t));
}

function qbCode(fn: () => unknown): ErrorCode {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(QbError);
    return (err as QbError).code;
  }
  throw new Error('expected a QbError, nothing was thrown');
}

function ext(location: string, offset: string | undefined, length: string | undefined) {
  const entries = [create(StringStringEntryProtoSchema, { key: 'location', value: location })];
  if (offset !== undefined) entries.push(create(StringStringEntryProtoSchema, { key: 'offset', value: offset }));
  if (length !== undefined) entries.push(create(StringStringEntryProtoSchema, { key: 'length', value: length }));
  return entries;
}

function externalTensor(dataType: number, dims: number[], location: string, offset?: string, length?: string): TensorProto {
  return create(TensorProtoSchema, {
    name: 'w',
    dataType,
    dims: dims.map((d) => BigInt(d)),
    dataLocation: TensorProto_DataLocation.EXTERNAL,
    externalData: ext(location, offset, length),
  });
}

/**
 * Encodes `t` and copies it into a fresh buffer so that its raw_data payload starts at an absolute byte
 * offset ≡ `mod` (mod 8); returns the decoded tensor (raw_data a view of that buffer) and the buffer.
 */
function decodeWithRawAt(t: TensorProto, mod: number): { tensor: TensorProto; buffer: ArrayBuffer } {
  const enc = toBinary(TensorProtoSchema, t);
  const rawPos = fromBinary(TensorProtoSchema, enc).rawData.byteOffset;
  const pad = (((mod - rawPos) % 8) + 8) % 8;
  const buf = new Uint8Array(enc.length + pad + 8);
  buf.set(enc, pad);
  const tensor = fromBinary(TensorProtoSchema, buf.subarray(pad, pad + enc.length));
  expect(tensor.rawData.buffer).toBe(buf.buffer);
  expect(tensor.rawData.byteOffset % 8).toBe(mod);
  return { tensor, buffer: buf.buffer };
}

describe('storage forms <-> typed arrays', () => {
  it.each(CASES)('$label: raw_data round trip', (c) => {
    const t = makeTensor('t', c.dataType, c.dims, c.data, 'raw');
    expect(t.rawData.byteLength).toBe(c.data.byteLength);
    expect(t.floatData.length + t.int32Data.length + t.int64Data.length + t.uint64Data.length + t.doubleData.length).toBe(0);
    const back = roundTrip(t);
    expect(back.rawData.byteLength).toBe(c.data.byteLength);
    expectSameArray(readTensor(back), c.data);
  });

  it.each(CASES)('$label: typed *_data field round trip', (c) => {
    const t = makeTensor('t', c.dataType, c.dims, c.data, 'fields');
    expect(t.rawData.byteLength).toBe(0);
    const back = roundTrip(t);
    const entries = c.data.length;
    expect(back[c.field]).toHaveLength(entries);
    if (c.fieldValues.length > 0) expect(back[c.field]).toEqual(c.fieldValues);
    for (const other of ['floatData', 'int32Data', 'int64Data', 'uint64Data', 'doubleData'] as const) {
      if (other !== c.field) expect(back[other]).toHaveLength(0);
    }
    expectSameArray(readTensor(back), c.data);
  });

  it.each(CASES.filter((c) => c.fieldValues.length > 0))('$label: reads a hand-written $field tensor', (c) => {
    const t = create(TensorProtoSchema, { name: 'h', dataType: c.dataType, dims: c.dims.map((d) => BigInt(d)), [c.field]: c.fieldValues });
    expectSameArray(readTensor(roundTrip(t)), c.data);
  });

  it('reads float_data and double_data written by hand, with float tolerance', () => {
    const f = create(TensorProtoSchema, { dataType: DT.FLOAT, dims: [3n], floatData: [0.1, -2.5, 1e-3] });
    const got = readTensor(roundTrip(f));
    expect(got).toBeInstanceOf(Float32Array);
    [0.1, -2.5, 1e-3].forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
    const d = create(TensorProtoSchema, { dataType: DT.DOUBLE, dims: [2n], doubleData: [0.1, 1 / 3] });
    const gd = readTensor(roundTrip(d)) as Float64Array;
    expect(gd[0]).toBe(0.1);
    expect(Math.abs(gd[1]! - 1 / 3)).toBeLessThan(1e-16);
  });

  it('writes raw_data little-endian, as ONNX requires', () => {
    expect(Array.from(makeTensor('a', DT.FLOAT, [1], new Float32Array([1])).rawData)).toEqual([0, 0, 0x80, 0x3f]);
    expect(Array.from(makeTensor('b', DT.INT16, [1], new Int16Array([-2])).rawData)).toEqual([0xfe, 0xff]);
    expect(Array.from(makeTensor('c', DT.INT64, [1], new BigInt64Array([258n])).rawData)).toEqual([2, 1, 0, 0, 0, 0, 0, 0]);
  });

  it('string tensors: readStringTensor decodes UTF-8, readTensor refuses with "unsupported"', () => {
    const enc = new TextEncoder();
    const t = roundTrip(create(TensorProtoSchema, { name: 's', dataType: DT.STRING, dims: [3n], stringData: ['a', 'héllo ✓', ''].map((s) => enc.encode(s)) }));
    expect(readStringTensor(t)).toEqual(['a', 'héllo ✓', '']);
    expect(qbCode(() => readTensor(t))).toBe('unsupported');
    expect(tensorByteSize(t)).toBe(1 + enc.encode('héllo ✓').length);
  });

  it('writeTensor clears every other storage form, including external data', () => {
    const t = externalTensor(DT.FLOAT, [2], 'w.bin', '0', '8');
    t.floatData = [9, 9];
    writeTensor(t, new Float32Array([1, 2]));
    expect(t.dataLocation).toBe(TensorProto_DataLocation.DEFAULT);
    expect(t.externalData).toHaveLength(0);
    expect(t.floatData).toHaveLength(0);
    expectSameArray(readTensor(t), new Float32Array([1, 2]));
    writeTensor(t, new Float32Array([3, 4]), 'fields');
    expect(t.rawData.byteLength).toBe(0);
    expect(t.floatData).toEqual([3, 4]);
  });

  it('tensorByteSize and elementCount follow dims and dtype', () => {
    expect(elementCount([])).toBe(1);
    expect(elementCount([2n, 3n, 4n])).toBe(24);
    expect(elementCount([5n, 0n])).toBe(0);
    expect(tensorByteSize(makeTensor('x', DT.FLOAT16, [3, 2], new Uint16Array(6)))).toBe(12);
    expect(tensorByteSize(makeTensor('y', DT.INT4, [3], new Uint8Array(2)))).toBe(2);
    expect(tensorByteSize(create(TensorProtoSchema, { dataType: DT.FLOAT, dims: [-1n] }))).toBe(0);
  });
});

describe('raw_data views: zero-copy when aligned, correct copies when not', () => {
  const views: { label: string; dataType: number; data: TensorArray; misaligned: number[] }[] = [
    { label: 'float32', dataType: DT.FLOAT, data: new Float32Array([1.25, -3.5, 7, 1e-20, 6e10, -0]), misaligned: [1, 2, 3, 5] },
    { label: 'int16', dataType: DT.INT16, data: new Int16Array([-3, 5, 32767, -32768]), misaligned: [1, 3] },
    { label: 'float64', dataType: DT.DOUBLE, data: new Float64Array([Math.E, -1e-300, 12345.678]), misaligned: [1, 4, 7] },
    { label: 'int64', dataType: DT.INT64, data: new BigInt64Array([-7n, 2n ** 40n, 0n]), misaligned: [2, 4] },
    { label: 'float16 bits', dataType: DT.FLOAT16, data: new Uint16Array([0x3c00, 0xc000, 0x7bff]), misaligned: [1, 7] },
  ];

  it.each(views)('$label: aligned raw_data is a view of the input buffer', (v) => {
    const { tensor, buffer } = decodeWithRawAt(makeTensor('v', v.dataType, [v.data.length], v.data), 0);
    const got = readTensor(tensor);
    expect(got.buffer).toBe(buffer);
    expect(got.byteOffset).toBe(tensor.rawData.byteOffset);
    expectSameArray(got, v.data);
    // A view sees later writes to the model bytes: proof that nothing was copied.
    new Uint8Array(buffer, tensor.rawData.byteOffset, 1)[0]! ^= 0xff;
    expect(bytesOf(got)[0]).toBe(bytesOf(v.data)[0]! ^ 0xff);
  });

  it.each(views)('$label: misaligned raw_data comes back as a correct copy', (v) => {
    for (const mod of v.misaligned) {
      const { tensor, buffer } = decodeWithRawAt(makeTensor('v', v.dataType, [v.data.length], v.data), mod);
      const got = readTensor(tensor);
      expect(got.buffer).not.toBe(buffer);
      expect(got.byteOffset % v.data.BYTES_PER_ELEMENT).toBe(0);
      expectSameArray(got, v.data);
      new Uint8Array(buffer, tensor.rawData.byteOffset, 1)[0]! ^= 0xff;
      expectSameArray(got, v.data);
    }
  });

  it('uint8/int8 raw_data is zero-copy at any offset', () => {
    for (const mod of [0, 1, 3, 5]) {
      const data = new Int8Array([-1, 2, -3, 4, 127]);
      const { tensor, buffer } = decodeWithRawAt(makeTensor('q', DT.INT8, [5], data), mod);
      const got = readTensor(tensor);
      expect(got.buffer).toBe(buffer);
      expectSameArray(got, data);
    }
  });

  it('decodeModel + readTensor: every initializer equals the written weights, zero-copy where aligned', () => {
    const { model: built, bytes } = tinyConvModel();
    const decoded = decodeModel(bytes);
    const inits = decoded.graph!.initializer;
    expect(inits).toHaveLength(4);
    for (const [i, t] of inits.entries()) {
      const got = readTensor(t);
      expectSameArray(got, readTensor(built.graph!.initializer[i]!));
      expect(t.rawData.buffer).toBe(bytes.buffer);
      // Which tensors land aligned depends on the encoding; each outcome is checked for what it must be.
      if (t.rawData.byteOffset % 4 === 0) expect(got.buffer).toBe(bytes.buffer);
      else expect(got.buffer).not.toBe(bytes.buffer);
    }
  });
});

describe('external data through the resolver', () => {
  const fx = externalDataModel();
  const resolve = (loc: string): Uint8Array | undefined => (loc === fx.dataFileName ? fx.dataBytes : undefined);

  it('the fixture really has misaligned offsets and gaps between tensors', () => {
    const spans = Object.values(fx.spans);
    expect(spans.some((s) => s.offset % 4 !== 0)).toBe(true);
    expect(spans.some((s) => s.offset % 4 === 0)).toBe(true);
    const ends = spans.map((s) => s.offset + s.length);
    expect(ends.slice(0, -1).every((e, i) => spans[i + 1]!.offset > e)).toBe(true);
  });

  it('reads every weight equal to the inline model, views when aligned, copies when not', () => {
    const inline = tinyConvModel().model.graph!.initializer;
    const decoded = decodeModel(fx.onnxBytes);
    for (const t of decoded.graph!.initializer) {
      expect(t.rawData.byteLength).toBe(0);
      const span = fx.spans[t.name]!;
      const raw = rawBytes(t, resolve)!;
      expect(raw.buffer).toBe(fx.dataBytes.buffer);
      expect(raw.byteOffset).toBe(fx.dataBytes.byteOffset + span.offset);
      expect(raw.byteLength).toBe(span.length);
      const got = readTensor(t, resolve);
      expectSameArray(got, readTensor(inline.find((i) => i.name === t.name)!));
      if (span.offset % 4 === 0) expect(got.buffer).toBe(fx.dataBytes.buffer);
      else expect(got.buffer).not.toBe(fx.dataBytes.buffer);
    }
  });

  it('without "length" the tensor runs to the end of the file; without "offset" it starts at 0', () => {
    const file = new Uint8Array(new Float32Array([9, 1, 2, 3]).buffer);
    const r = (): Uint8Array => file;
    expectSameArray(readTensor(externalTensor(DT.FLOAT, [3], 'f', '4', undefined), r), new Float32Array([1, 2, 3]));
    expectSameArray(readTensor(externalTensor(DT.FLOAT, [4], 'f', undefined, undefined), r), new Float32Array([9, 1, 2, 3]));
    // An odd offset into an otherwise aligned file.
    const odd = new Uint8Array(13);
    odd.set(new Uint8Array(new Float32Array([0.5, -4, 8]).buffer), 1);
    expectSameArray(readTensor(externalTensor(DT.FLOAT, [3], 'f', '1', '12'), () => odd), new Float32Array([0.5, -4, 8]));
  });

  it('missing file -> missing-external-data, with or without a resolver', () => {
    const t = decodeModel(fx.onnxBytes).graph!.initializer[0]!;
    expect(qbCode(() => readTensor(t))).toBe('missing-external-data');
    expect(qbCode(() => readTensor(t, () => undefined))).toBe('missing-external-data');
    expect(qbCode(() => rawBytes(t, (loc) => (loc === 'other.data' ? fx.dataBytes : undefined)))).toBe('missing-external-data');
  });

  it('out-of-range or malformed offset/length -> bad-external-data', () => {
    const file = new Uint8Array(64);
    const r = (): Uint8Array => file;
    const bad: [string | undefined, string | undefined][] = [
      ['64', '4'], // starts at the end
      ['60', '8'], // runs past the end
      ['1000000', '4'],
      ['0', '65'],
      ['-4', '4'],
      ['0', '-4'],
      ['abc', '4'],
      ['4', 'twelve'],
      ['1e400', '4'],
      ['100', undefined], // offset beyond the file, length implied
      [String(2 ** 60), '4'],
    ];
    for (const [offset, length] of bad) {
      expect(qbCode(() => readTensor(externalTensor(DT.FLOAT, [1], 'f', offset, length), r)), `offset ${offset} length ${length}`).toBe('bad-external-data');
    }
  });

  it('external bytes that do not match dims x dtype -> bad-tensor', () => {
    const file = new Uint8Array(64);
    expect(qbCode(() => readTensor(externalTensor(DT.FLOAT, [4], 'f', '0', '12'), () => file))).toBe('bad-tensor');
    expect(qbCode(() => readTensor(externalTensor(DT.FLOAT, [4], 'f', '3', undefined), () => file))).toBe('bad-tensor');
  });
});

describe('inconsistent tensors -> QbError codes', () => {
  it('raw_data length not matching dims x dtype -> bad-tensor', () => {
    const t = create(TensorProtoSchema, { name: 'w', dataType: DT.FLOAT, dims: [4n], rawData: new Uint8Array(15) });
    expect(qbCode(() => readTensor(t))).toBe('bad-tensor');
    t.rawData = new Uint8Array(17);
    expect(qbCode(() => readTensor(t))).toBe('bad-tensor');
    const h = create(TensorProtoSchema, { name: 'h', dataType: DT.FLOAT16, dims: [3n], rawData: new Uint8Array(5) });
    expect(qbCode(() => readTensor(h))).toBe('bad-tensor');
  });

  it('typed field count not matching dims -> bad-tensor', () => {
    const cases: TensorProto[] = [
      create(TensorProtoSchema, { dataType: DT.FLOAT, dims: [2n, 2n], floatData: [1, 2, 3] }),
      create(TensorProtoSchema, { dataType: DT.INT8, dims: [3n], int32Data: [1, 2, 3, 4] }),
      create(TensorProtoSchema, { dataType: DT.INT64, dims: [2n], int64Data: [1n] }),
      create(TensorProtoSchema, { dataType: DT.UINT32, dims: [2n], uint64Data: [1n, 2n, 3n] }),
      create(TensorProtoSchema, { dataType: DT.DOUBLE, dims: [1n], doubleData: [] }),
      create(TensorProtoSchema, { dataType: DT.COMPLEX64, dims: [2n], floatData: [1, 2, 3] }),
      create(TensorProtoSchema, { dataType: DT.FLOAT, dims: [3n] }), // no data at all
    ];
    for (const t of cases) expect(qbCode(() => readTensor(t))).toBe('bad-tensor');
  });

  it('negative dims -> bad-tensor', () => {
    const t = create(TensorProtoSchema, { name: 'neg', dataType: DT.FLOAT, dims: [-1n, 3n], rawData: new Uint8Array(12) });
    expect(qbCode(() => readTensor(t))).toBe('bad-tensor');
    expect(qbCode(() => elementCount([2n, -5n]))).toBe('bad-tensor');
  });

  it('absurd dims -> bad-tensor or too-large before any allocation', () => {
    const huge = create(TensorProtoSchema, { dataType: DT.FLOAT, dims: [1_000_000_000n, 1_000_000_000n, 1_000_000_000n], rawData: new Uint8Array(4) });
    expect(qbCode(() => readTensor(huge))).toBe('bad-tensor');
    const big = create(TensorProtoSchema, { dataType: DT.FLOAT, dims: [2n ** 31n], rawData: new Uint8Array(4) });
    expect(qbCode(() => readTensor(big))).toBe('too-large');
    const wide = create(TensorProtoSchema, { dataType: DT.FLOAT, dims: [2n ** 62n, 4n] });
    expect(qbCode(() => readTensor(wide))).toBe('bad-tensor');
  });

  it('unknown or undefined element type -> unsupported', () => {
    expect(qbCode(() => readTensor(create(TensorProtoSchema, { dataType: 999, dims: [1n], rawData: new Uint8Array(4) })))).toBe('unsupported');
    expect(qbCode(() => readTensor(create(TensorProtoSchema, { dataType: DT.UNDEFINED, dims: [1n] })))).toBe('unsupported');
    expect(qbCode(() => makeTensor('s', DT.STRING, [1], new Uint8Array(1)))).toBe('unsupported');
  });

  it('writeTensor/makeTensor with a wrong array length -> bad-tensor', () => {
    expect(qbCode(() => makeTensor('w', DT.FLOAT, [2, 3], new Float32Array(5)))).toBe('bad-tensor');
    expect(qbCode(() => makeTensor('c', DT.COMPLEX64, [2], new Float32Array(2)))).toBe('bad-tensor');
    expect(qbCode(() => makeTensor('n', DT.FLOAT, [-2], new Float32Array(2)))).toBe('bad-tensor');
  });
});
