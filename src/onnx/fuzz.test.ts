// Fuzz tests of the model-reading path (decodeModel -> summarizeModel -> readTensor): ~3000 random and mutated
// inputs, hostile length fields, absurd dims and 10,000-level nesting. Only QbError may escape, quickly, cheaply.
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { create } from '@bufbuild/protobuf';
import { afterAll, describe, expect, it } from 'vitest';
import { customDomainModel, externalDataModel, makeRng, qdqModel, randomBytes, tinyConvModel } from '../../test/fixtures';
import { hasSharedData, sharedPath } from '../../test/shared-data';
import { QbError, type ErrorCode } from '../shared/errors';
import { forEachWeight } from './graph';
import { decodeModel, encodeModel } from './model-io';
import {
  AttributeProto_AttributeType as AT,
  AttributeProtoSchema,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  StringStringEntryProtoSchema,
  TensorProto_DataLocation,
  TensorProtoSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
  type GraphProto,
  type NodeProto,
  type TensorProto,
  type TypeProto,
} from './proto/onnx_pb';
import { summarizeModel } from './summary';
import { readTensor } from './tensor-data';

/** Error codes a reading path may legitimately use (anything else from the model path is a bug). */
const KNOWN_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'empty-file',
  'not-onnx',
  'truncated',
  'corrupt',
  'too-large',
  'missing-external-data',
  'bad-external-data',
  'unknown-op-domain',
  'bad-tensor',
  'unsupported',
]);
const DECODE_CODES = new Set<ErrorCode>(['empty-file', 'not-onnx', 'truncated', 'corrupt']);
const TENSOR_CODES = new Set<ErrorCode>(['bad-tensor', 'too-large', 'unsupported', 'missing-external-data', 'bad-external-data']);
const MAX_MS_PER_INPUT = 2000;

/** gc() even without --expose-gc (vitest's forks do not pass it). */
const gc: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

interface Stats {
  inputs: number;
  decoded: number;
  codes: Record<string, number>;
  tensorsRead: number;
  tensorErrors: number;
  maxMs: number;
}

const stats: Stats = { inputs: 0, decoded: 0, codes: {}, tensorsRead: 0, tensorErrors: 0, maxMs: 0 };

afterAll(() => {
  console.info(`[fuzz] ${JSON.stringify(stats)}`);
});

function describeThrown(err: unknown): string {
  return err instanceof Error ? `${err.constructor.name}: ${err.message}` : `non-error ${String(err)}`;
}

/**
 * Runs the whole reading path on `bytes`. Returns a problem description, or undefined when everything
 * either worked or threw a QbError with an allowed code, within the time limit.
 */
function exercise(bytes: Uint8Array): string | undefined {
  stats.inputs++;
  const t0 = performance.now();
  const problem = ((): string | undefined => {
    let model;
    try {
      model = decodeModel(bytes, 'fuzz.onnx');
    } catch (err) {
      if (!(err instanceof QbError)) return `decodeModel threw ${describeThrown(err)}`;
      if (!DECODE_CODES.has(err.code)) return `decodeModel threw code ${err.code}`;
      stats.codes[err.code] = (stats.codes[err.code] ?? 0) + 1;
      return undefined;
    }
    stats.decoded++;
    try {
      summarizeModel(model, 'fuzz.onnx', bytes.length);
    } catch (err) {
      if (!(err instanceof QbError) || !KNOWN_CODES.has(err.code)) return `summarizeModel threw ${describeThrown(err)}`;
    }
    let problemInTensor: string | undefined;
    forEachWeight(model.graph!, (t) => {
      if (problemInTensor !== undefined) return;
      stats.tensorsRead++;
      try {
        readTensor(t, () => undefined);
      } catch (err) {
        stats.tensorErrors++;
        if (!(err instanceof QbError)) problemInTensor = `readTensor(${t.name}) threw ${describeThrown(err)}`;
        else if (!TENSOR_CODES.has(err.code)) problemInTensor = `readTensor(${t.name}) threw code ${err.code}`;
      }
    });
    return problemInTensor;
  })();
  const ms = performance.now() - t0;
  stats.maxMs = Math.max(stats.maxMs, ms);
  if (problem !== undefined) return problem;
  if (ms > MAX_MS_PER_INPUT) return `took ${ms.toFixed(0)} ms`;
  return undefined;
}

/** Runs every input; fails with the first few problems (and how to find the input again). */
function expectAllClean(inputs: Iterable<[label: string, bytes: Uint8Array]>): number {
  const problems: string[] = [];
  let n = 0;
  for (const [label, bytes] of inputs) {
    n++;
    const p = exercise(bytes);
    if (p !== undefined && problems.length < 10) problems.push(`${label}: ${p}`);
  }
  expect(problems).toEqual([]);
  return n;
}

// ---------------------------------------------------------------------------------------------------------
// Inputs

const HAVE_SHARED = hasSharedData();

/** Real models to mutate: resnet20 and silero from shared data, else the fixtures. */
const BASES: [string, Uint8Array][] = HAVE_SHARED
  ? [
      ['resnet20', new Uint8Array(readFileSync(sharedPath('models', 'resnet20-cifar10-ace.onnx')))],
      ['silero', new Uint8Array(readFileSync(sharedPath('models', 'silero-vad-mini-transformer.onnx')))],
    ]
  : [
      ['tiny', tinyConvModel().bytes],
      ['qdq', qdqModel().bytes],
    ];

function varint(value: number | bigint): number[] {
  let v = BigInt(value);
  if (v < 0n) v += 1n << 64n;
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}

function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : new Uint8Array(p)));
  const out = new Uint8Array(arrays.reduce((s, a) => s + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/** A length-delimited field: tag, length (the true one unless `claimed` is given), payload. */
function lenField(fieldNo: number, payload: Uint8Array | number[], claimed?: number): Uint8Array {
  const p = payload instanceof Uint8Array ? payload : new Uint8Array(payload);
  return concat(varint((fieldNo << 3) | 2), varint(claimed ?? p.length), p);
}

function varintField(fieldNo: number, value: number | bigint): number[] {
  return [...varint(fieldNo << 3), ...varint(value)];
}

type Mutator = (src: Uint8Array, rng: () => number) => Uint8Array;

const int = (rng: () => number, n: number): number => Math.floor(rng() * n);

/** A position biased towards the structure-heavy start and end of the file half of the time. */
function position(rng: () => number, len: number): number {
  const r = rng();
  if (r < 0.25) return int(rng, Math.min(len, 4096));
  if (r < 0.5) return Math.max(0, len - 1 - int(rng, Math.min(len, 16384)));
  return int(rng, len);
}

const MUTATORS: Record<string, Mutator> = {
  flip(src, rng) {
    const out = src.slice();
    const flips = 1 + int(rng, 16);
    const special = [0x00, 0xff, 0x80, 0x7f, 0x01, 0x0a, 0x12, 0x3a];
    for (let i = 0; i < flips; i++) {
      const p = position(rng, out.length);
      out[p] = rng() < 0.5 ? out[p]! ^ (1 << int(rng, 8)) : special[int(rng, special.length)]!;
    }
    return out;
  },
  truncate(src, rng) {
    return src.slice(0, rng() < 0.3 ? int(rng, 512) : int(rng, src.length));
  },
  splice(src, rng) {
    // Overwrite a region with bytes from elsewhere in the same or the other base model.
    const other = BASES[int(rng, BASES.length)]![1];
    const len = 1 + int(rng, 4096);
    const from = int(rng, Math.max(1, other.length - len));
    const to = position(rng, src.length);
    const out = src.slice();
    out.set(other.subarray(from, from + Math.min(len, out.length - to)), to);
    return rng() < 0.3 ? concat(src.subarray(0, to), other.subarray(from)) : out;
  },
  insertVarint(src, rng) {
    const choices = [[0xff, 0xff, 0xff, 0xff, 0x0f], [0xf0, 0xff, 0xff, 0xff, 0x0f], [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], [0x00], [0x7f], varint(BigInt(int(rng, 2 ** 31))), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]];
    const p = position(rng, src.length);
    return concat(src.subarray(0, p), choices[int(rng, choices.length)]!, src.subarray(p));
  },
  duplicate(src, rng) {
    const a = position(rng, src.length);
    const b = Math.min(src.length, a + 1 + int(rng, 2048));
    return concat(src.subarray(0, b), src.subarray(a, b), src.subarray(b));
  },
  delete(src, rng) {
    const a = position(rng, src.length);
    const b = Math.min(src.length, a + 1 + int(rng, 64));
    return concat(src.subarray(0, a), src.subarray(b));
  },
};

function* mutations(base: Uint8Array, kind: string, count: number, seed: number): Generator<[string, Uint8Array]> {
  const mutate = MUTATORS[kind]!;
  for (let i = 0; i < count; i++) {
    const s = seed * 100_003 + i;
    yield [`${kind} seed ${s}`, mutate(base, makeRng(s))];
  }
}

function* randomStrings(count: number, seed: number): Generator<[string, Uint8Array]> {
  const rng = makeRng(seed);
  // Plausible starts: ONNX ir_version tag, the graph tag, protobuf-looking bytes, nothing special.
  const prefixes = [[], [0x08, 0x07], [0x08, 0x08, 0x3a], [0x0a], [0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f], [0x08, 0x03, 0x12, 0x04]];
  for (let i = 0; i < count; i++) {
    const r = rng();
    const len = r < 0.3 ? int(rng, 16) : r < 0.8 ? int(rng, 1024) : int(rng, 65536);
    yield [`random ${seed}/${i}`, concat(prefixes[int(rng, prefixes.length)]!, randomBytes(len, seed * 7919 + i))];
  }
}

/** Random but well-formed ModelProtos with hostile contents (dims, dtypes, storage, types, subgraphs). */
function randomModel(rng: () => number): Uint8Array {
  const pick = <T>(a: readonly T[]): T => a[int(rng, a.length)]!;
  const dimChoices = [0n, 1n, 2n, 3n, 7n, 64n, -1n, -(2n ** 63n), 2n ** 31n, 1_000_000_000n, 2n ** 62n];
  const dims = (): bigint[] => Array.from({ length: int(rng, 5) }, () => (rng() < 0.7 ? BigInt(int(rng, 9)) : pick(dimChoices)));
  const tensor = (): TensorProto => {
    const t = create(TensorProtoSchema, { name: `t${int(rng, 1e6)}`, dataType: rng() < 0.8 ? int(rng, 24) : int(rng, 1000) - 10, dims: dims() });
    const n = int(rng, 40);
    switch (int(rng, 9)) {
      case 0:
      case 1:
        t.rawData = randomBytes(int(rng, 129), int(rng, 1e9));
        break;
      case 2:
        t.floatData = Array.from({ length: n }, () => rng() * 200 - 100);
        break;
      case 3:
        t.int32Data = Array.from({ length: n }, () => int(rng, 2 ** 32) - 2 ** 31);
        break;
      case 4:
        t.int64Data = Array.from({ length: n }, () => BigInt(int(rng, 2 ** 40)) - 2n ** 39n);
        break;
      case 5:
        t.doubleData = Array.from({ length: n }, () => rng() * 1e10);
        break;
      case 6:
        t.uint64Data = Array.from({ length: n }, () => BigInt(int(rng, 2 ** 48)));
        break;
      case 7:
        t.stringData = Array.from({ length: n }, () => randomBytes(int(rng, 9), int(rng, 1e6)));
        break;
      default:
        t.dataLocation = TensorProto_DataLocation.EXTERNAL;
        t.externalData = [
          create(StringStringEntryProtoSchema, { key: 'location', value: pick(['w.bin', '', '../../etc/passwd', 'x'.repeat(300)]) }),
          create(StringStringEntryProtoSchema, { key: 'offset', value: pick(['0', '3', '-1', 'NaN', '1e308', '99999999999999999999']) }),
          create(StringStringEntryProtoSchema, { key: 'length', value: pick(['4', '0', '-5', 'abc', String(2 ** 53 + 1)]) }),
        ];
    }
    return t;
  };
  const type = (depth: number): TypeProto | undefined => {
    const k = int(rng, 8);
    if (k === 0) return undefined;
    const shape = {
      dim: Array.from({ length: int(rng, 5) }, () =>
        rng() < 0.5
          ? { value: { case: 'dimValue' as const, value: pick([1n, 3n, -7n, 2n ** 62n, 0n]) } }
          : rng() < 0.7
            ? { value: { case: 'dimParam' as const, value: pick(['batch', '', 'n'.repeat(100)]) } }
            : {},
      ),
    };
    if (k < 4 || depth > 3) return create(TypeProtoSchema, { value: { case: 'tensorType', value: { elemType: int(rng, 30), shape: rng() < 0.8 ? shape : undefined } } });
    if (k === 4) return create(TypeProtoSchema, { value: { case: 'sequenceType', value: { elemType: type(depth + 1) } } });
    if (k === 5) return create(TypeProtoSchema, { value: { case: 'mapType', value: { keyType: int(rng, 20), valueType: type(depth + 1) } } });
    if (k === 6) return create(TypeProtoSchema, { value: { case: 'optionalType', value: { elemType: type(depth + 1) } } });
    return create(TypeProtoSchema, { value: { case: 'sparseTensorType', value: { elemType: int(rng, 30), shape } } });
  };
  const ops = ['Conv', 'MatMul', 'Gemm', 'Relu', 'QuantizeLinear', 'DequantizeLinear', 'QLinearConv', 'MatMulInteger', 'MatMulNBits', 'If', 'Loop', 'Constant', 'Custom'];
  const domains = ['', '', '', 'ai.onnx', 'com.microsoft', 'com.example', 'ai.onnx.ml'];
  const graph = (depth: number): GraphProto => {
    const nodes: NodeProto[] = Array.from({ length: int(rng, 8) }, () => {
      const attribute = [];
      if (rng() < 0.3) attribute.push(create(AttributeProtoSchema, { name: 'value', type: AT.TENSOR, t: tensor() }));
      if (depth < 3 && rng() < 0.25) attribute.push(create(AttributeProtoSchema, { name: 'then_branch', type: AT.GRAPH, g: graph(depth + 1) }));
      if (depth < 3 && rng() < 0.1) attribute.push(create(AttributeProtoSchema, { name: 'bodies', type: AT.GRAPHS, graphs: [graph(depth + 1), graph(depth + 1)] }));
      if (rng() < 0.3) attribute.push(create(AttributeProtoSchema, { name: 'pads', type: AT.INTS, ints: [1n, -1n, 2n ** 62n] }));
      return create(NodeProtoSchema, { opType: pick(ops), domain: pick(domains), name: rng() < 0.5 ? '' : `n${int(rng, 100)}`, input: ['a'], output: ['b'], attribute });
    });
    const vi = () => create(ValueInfoProtoSchema, { name: `v${int(rng, 20)}`, type: type(0) });
    return create(GraphProtoSchema, {
      name: 'g',
      node: nodes,
      initializer: Array.from({ length: int(rng, 8) }, tensor),
      input: Array.from({ length: int(rng, 3) }, vi),
      output: Array.from({ length: int(rng, 3) }, vi),
    });
  };
  const model = create(ModelProtoSchema, {
    irVersion: pick([0n, 3n, 7n, 8n, 10n, 1001n, -1n]),
    opsetImport: [{ domain: pick(domains), version: pick([1n, 13n, -1n, 2n ** 62n]) }],
    graph: graph(0),
    docString: rng() < 0.1 ? 'd'.repeat(5000) : '',
  });
  const bytes = encodeModel(model);
  if (rng() < 0.5) {
    for (let i = 0, n = 1 + int(rng, 4); i < n; i++) bytes[int(rng, bytes.length)] = int(rng, 256);
  }
  return bytes;
}

function* randomModels(count: number, seed: number): Generator<[string, Uint8Array]> {
  for (let i = 0; i < count; i++) yield [`random model ${seed}/${i}`, randomModel(makeRng(seed * 1_000_003 + i))];
}

// ---------------------------------------------------------------------------------------------------------

describe('fuzz: only QbError escapes, each input < 2 s', () => {
  it('the path really decodes, summarizes and reads the unmutated bases and fixtures', () => {
    const before = { decoded: stats.decoded, tensorsRead: stats.tensorsRead };
    const clean = [...BASES, ['tiny', tinyConvModel().bytes], ['qdq', qdqModel().bytes], ['custom', customDomainModel().bytes], ['ext', externalDataModel().onnxBytes]] as [string, Uint8Array][];
    expectAllClean(clean);
    expect(stats.decoded - before.decoded).toBe(clean.length);
    expect(stats.tensorsRead - before.tensorsRead).toBeGreaterThan(40);
  });

  it('600 random byte strings (0 B – 64 KB)', () => {
    expect(expectAllClean(randomStrings(600, 1))).toBe(600);
  });

  it('600 random well-formed models with hostile contents', () => {
    const before = stats.decoded;
    expect(expectAllClean(randomModels(600, 2))).toBe(600);
    // The generator must reach summarize/readTensor, not just bounce off decodeModel.
    expect(stats.decoded - before).toBeGreaterThan(100);
  });

  for (const [name, base] of BASES) {
    for (const [kind, count] of [
      ['flip', 250],
      ['truncate', 150],
      ['splice', 150],
      ['insertVarint', 150],
      ['duplicate', 100],
      ['delete', 100],
    ] as const) {
      it(`${count} ${kind} mutations of ${name}`, () => {
        const seed = name.length * 31 + kind.length;
        expect(expectAllClean(mutations(base, kind, count, seed))).toBe(count);
      });
    }
  }

  it('byte flips of the bases mostly still decode (the mutations reach the deeper code)', () => {
    const before = stats.decoded;
    const n = expectAllClean(mutations(BASES[0]![1], 'flip', 50, 999));
    expect(stats.decoded - before).toBeGreaterThan(n / 4);
  });
});

describe('hostile length fields and dims', () => {
  const tensorBytes = (dimsList: (number | bigint)[], rawPayload: number[], rawClaim?: number): Uint8Array =>
    concat(...dimsList.map((d) => varintField(1, d)), varintField(2, 1), lenField(8, new TextEncoder().encode('w')), lenField(9, rawPayload, rawClaim));
  const outputVi = lenField(12, lenField(1, new TextEncoder().encode('y')));
  const model = (graphPayload: Uint8Array, graphClaim?: number): Uint8Array => concat(varintField(1, 8), lenField(7, graphPayload, graphClaim));

  const hostile: [string, Uint8Array][] = [
    ['graph claims 0xFFFFFFF0 bytes', model(concat(lenField(2, [0x67]), outputVi), 0xfffffff0)],
    ['graph claims 0xFFFFFFFF bytes with nothing after', concat(varintField(1, 8), [0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f])],
    ['raw_data claims 0xFFFFFFF0 bytes', model(concat(lenField(5, tensorBytes([4], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], 0xfffffff0)), outputVi))],
    ['initializer claims 0xFFFFFFF0 bytes', model(concat(lenField(5, tensorBytes([4], new Array(16).fill(0)), 0xfffffff0), outputVi))],
    ['packed float_data claims 0xFFFFFFF0 bytes', model(concat(lenField(5, concat(varintField(2, 1), lenField(4, new Array(16).fill(0), 0xfffffff0))), outputVi))],
    ['packed dims claim 0xFFFFFFF0 bytes', model(concat(lenField(5, lenField(1, [1, 2, 3], 0xfffffff0)), outputVi))],
    ['node name claims 0xFFFFFFF0 bytes', model(concat(lenField(1, lenField(3, [0x61], 0xfffffff0)), outputVi))],
    ['10-byte length varint', concat(varintField(1, 8), [0x3a], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], [0, 0, 0])],
    ['length varint that never ends', concat(varintField(1, 8), [0x3a], new Array(64).fill(0x80))],
  ];
  // [label, bytes, readTensor's code, the card's params (0 when the dims are damaged)]
  const absurd: [string, Uint8Array, ErrorCode, number][] = [
    ['dims [1e9, 1e9, 1e9], 4 B of raw_data', model(concat(lenField(5, tensorBytes([1e9, 1e9, 1e9], [0, 0, 128, 63])), outputVi)), 'bad-tensor', 0],
    ['dims [2^31], 4 B of raw_data', model(concat(lenField(5, tensorBytes([2 ** 31], [0, 0, 128, 63])), outputVi)), 'too-large', 2 ** 31],
    ['dims [50000, 40000], 4 B of raw_data', model(concat(lenField(5, tensorBytes([50_000, 40_000], [0, 0, 128, 63])), outputVi)), 'bad-tensor', 2e9],
    ['dims [2^62, 2^62]', model(concat(lenField(5, tensorBytes([2n ** 62n, 2n ** 62n], [0, 0, 128, 63])), outputVi)), 'bad-tensor', 0],
    ['dims [-1, 1e9]', model(concat(lenField(5, tensorBytes([-1, 1e9], [0, 0, 128, 63])), outputVi)), 'bad-tensor', 0],
  ];

  it('every hostile case is a QbError, and memory stays flat', () => {
    gc();
    const before = process.memoryUsage();
    let peakArrayBuffers = before.arrayBuffers;
    const seen: string[] = [];
    for (const [label, bytes] of hostile) {
      const t0 = performance.now();
      let err: unknown;
      try {
        decodeModel(bytes);
      } catch (e) {
        err = e;
      }
      expect(err, label).toBeInstanceOf(QbError);
      expect(['truncated', 'corrupt'], label).toContain((err as QbError).code);
      expect(performance.now() - t0, label).toBeLessThan(MAX_MS_PER_INPUT);
      peakArrayBuffers = Math.max(peakArrayBuffers, process.memoryUsage().arrayBuffers);
      seen.push(`${label}: ${(err as QbError).code}`);
    }
    for (const [label, bytes, code, params] of absurd) {
      const m = decodeModel(bytes);
      const card = summarizeModel(m, 'absurd.onnx', bytes.length);
      expect(card.params, label).toBe(params);
      let err: unknown;
      try {
        readTensor(m.graph!.initializer[0]!, () => undefined);
      } catch (e) {
        err = e;
      }
      expect(err, label).toBeInstanceOf(QbError);
      expect((err as QbError).code, label).toBe(code);
      peakArrayBuffers = Math.max(peakArrayBuffers, process.memoryUsage().arrayBuffers);
    }
    gc();
    const after = process.memoryUsage();
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(64 * 2 ** 20);
    expect(peakArrayBuffers - before.arrayBuffers).toBeLessThan(64 * 2 ** 20);
    expect(seen).toHaveLength(hostile.length);
  });

  it('the same tensors with honest lengths and sane dims decode and read (the cases above are hostile only where intended)', () => {
    const ok = model(concat(lenField(5, tensorBytes([4], [0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64])), lenField(1, concat(lenField(4, new TextEncoder().encode('Relu')))), outputVi));
    const m = decodeModel(ok);
    expect(Array.from(readTensor(m.graph!.initializer[0]!) as Float32Array)).toEqual([1, 2, 3, 4]);
    expect(summarizeModel(m, 'ok.onnx', ok.length).params).toBe(4);
  });
});

describe('deep nesting', () => {
  interface Layer {
    field: number;
    /** Fields written before the nested child inside this layer's message. */
    extra?: Uint8Array;
  }

  /** Wraps `core` in `levels` copies of `layers` (outer to inner), computing lengths inside-out in one pass. */
  function nest(core: Uint8Array, levels: number, layers: Layer[]): Uint8Array {
    const prefixes: Uint8Array[] = [];
    let size = core.length;
    for (let l = 0; l < levels; l++) {
      for (let k = layers.length - 1; k >= 0; k--) {
        const { field, extra = new Uint8Array(0) } = layers[k]!;
        const p = concat(varint((field << 3) | 2), varint(size + extra.length), extra);
        prefixes.push(p);
        size += p.length;
      }
    }
    const out = new Uint8Array(size);
    let at = 0;
    for (let i = prefixes.length - 1; i >= 0; i--) {
      out.set(prefixes[i]!, at);
      at += prefixes[i]!.length;
    }
    out.set(core, at);
    return out;
  }

  const text = (s: string): Uint8Array => new TextEncoder().encode(s);
  const relu = lenField(1, concat(lenField(4, text('Relu')), lenField(1, [0x78]), lenField(2, [0x79])));
  const outputVi = lenField(12, lenField(1, text('y')));
  // GraphProto.node(1) = If node > NodeProto.attribute(5) = then_branch (GRAPH) > AttributeProto.g(6) = GraphProto > …
  const ifLayers: Layer[] = [
    { field: 1, extra: lenField(4, text('If')) },
    { field: 5, extra: concat(lenField(1, text('then_branch')), varintField(20, AT.GRAPH)) },
    { field: 6 },
  ];
  const graphLevels = (levels: number): Uint8Array => concat(varintField(1, 8), lenField(7, concat(nest(relu, levels, ifLayers), outputVi)));

  it('10,000 nested subgraphs -> QbError corrupt, not a stack overflow', () => {
    const bytes = graphLevels(10_000);
    expect(bytes.length).toBeGreaterThan(50_000);
    let err: unknown;
    const t0 = performance.now();
    try {
      decodeModel(bytes);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QbError);
    expect((err as QbError).code).toBe('corrupt');
    expect(performance.now() - t0).toBeLessThan(MAX_MS_PER_INPUT);
  });

  it('10,000 nested sequence types and 10,000 nested groups -> QbError corrupt', () => {
    // graph.input(11) > ValueInfoProto.type(2) > TypeProto.sequence_type(4) > Sequence.elem_type(1) > TypeProto…
    const types = nest(new Uint8Array(0), 10_000, [{ field: 4 }, { field: 1 }]);
    const vi = concat(lenField(1, [0x78]), lenField(2, types));
    const seqModel = concat(varintField(1, 8), lenField(7, concat(relu, lenField(11, vi), outputVi)));
    // Unknown field 99 as nested start-groups (wire type 3) 10,000 deep inside the graph.
    const open = varint((99 << 3) | 3);
    const close = varint((99 << 3) | 4);
    const groups: number[] = [];
    for (let i = 0; i < 10_000; i++) groups.push(...open);
    for (let i = 0; i < 10_000; i++) groups.push(...close);
    const groupModel = concat(varintField(1, 8), lenField(7, concat(relu, groups, outputVi)));
    for (const bytes of [seqModel, groupModel]) {
      let err: unknown;
      try {
        decodeModel(bytes);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(QbError);
      expect((err as QbError).code).toBe('corrupt');
    }
  });

  it('moderate nesting (20 levels) still decodes and the card counts every node', () => {
    const m = decodeModel(graphLevels(20));
    const card = summarizeModel(m, 'nested.onnx', 1);
    expect(card.nodeCount).toBe(1);
    expect(card.totalNodeCount).toBe(21);
    expect(card.opTypes).toEqual({ If: 20, Relu: 1 });
  });
});
