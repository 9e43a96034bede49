// Tests of model-io.ts: byte-identical decode/encode of every shared model, onnxruntime-web parity between
// original and re-encoded bytes (and external vs inline weights), and the error code of every wrong file.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, equals } from '@bufbuild/protobuf';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixtures, makeFixtures, tinyPng } from '../../scripts/make-fixtures';
import { customDomainModel, externalDataModel, makeRng, qdqModel, tinyConvModel, toFloat16Bits } from '../../test/fixtures';
import { hasSharedData, sharedPath, SHARED_MODELS } from '../../test/shared-data';
import { QbError, type ErrorCode } from '../shared/errors';
import { checkModelSize, decodeModel, encodeModel, MAX_MODEL_BYTES } from './model-io';
import { GraphProtoSchema, ModelProtoSchema } from './proto/onnx_pb';
import { summarizeModel } from './summary';
import { readTensor } from './tensor-data';

const HAVE_SHARED = hasSharedData();

beforeAll(() => {
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
});

function loadShared(name: string): Uint8Array {
  return new Uint8Array(readFileSync(sharedPath('models', name)));
}

function decodeError(bytes: Uint8Array, fileName?: string): QbError {
  try {
    decodeModel(bytes, fileName);
  } catch (err) {
    expect(err).toBeInstanceOf(QbError);
    return err as QbError;
  }
  throw new Error('decodeModel accepted the bytes');
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

/** Concrete input shape: symbolic dims of silero are batch=1, samples=1536 (its minimum); other symbols 1. */
function concreteShape(shape: (number | string | null)[] | null): number[] {
  if (shape === null) throw new Error('input without a declared shape');
  return shape.map((d) => (typeof d === 'number' ? d : d === 'samples' ? 1536 : 1));
}

/** One seeded random feed for every real input of the model (float32 or float16 in [-1, 1)). */
function seededFeeds(bytes: Uint8Array, seed: number): Record<string, ort.Tensor> {
  const card = summarizeModel(decodeModel(bytes), 'm', bytes.length);
  const rng = makeRng(seed);
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of card.inputs) {
    const dims = concreteShape(input.shape);
    const n = dims.reduce((a, b) => a * b, 1);
    if (input.dtype === 'float32') {
      feeds[input.name] = new ort.Tensor('float32', Float32Array.from({ length: n }, () => rng() * 2 - 1), dims);
    } else if (input.dtype === 'float16') {
      feeds[input.name] = new ort.Tensor('float16', Uint16Array.from({ length: n }, () => toFloat16Bits(rng() * 2 - 1)), dims);
    } else {
      throw new Error(`no feed for dtype ${input.dtype}`);
    }
  }
  return feeds;
}

type Outputs = Record<string, { dims: readonly number[]; type: string; data: number[] }>;

async function runOrt(bytes: Uint8Array, feeds: Record<string, ort.Tensor>, options: ort.InferenceSession.SessionOptions = {}): Promise<Outputs> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], ...options });
  try {
    const result = await session.run(feeds);
    const out: Outputs = {};
    for (const name of session.outputNames) {
      const t = result[name]!;
      out[name] = { dims: t.dims, type: t.type, data: Array.from(t.data as ArrayLike<number>) };
    }
    return out;
  } finally {
    await session.release();
  }
}

function expectSameOutputs(a: Outputs, b: Outputs, tolerance: number): void {
  expect(Object.keys(b)).toEqual(Object.keys(a));
  for (const [name, x] of Object.entries(a)) {
    const y = b[name]!;
    expect(y.dims).toEqual(x.dims);
    expect(y.type).toBe(x.type);
    expect(x.data.length).toBeGreaterThan(0);
    let maxDiff = 0;
    for (let i = 0; i < x.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(x.data[i]! - y.data[i]!));
    expect(maxDiff, `output ${name}`).toBeLessThanOrEqual(tolerance);
    expect(x.data.every(Number.isFinite), `output ${name} finite`).toBe(true);
  }
}

describe('shared models: decode -> encode', () => {
  it.skipIf(!HAVE_SHARED).each(SHARED_MODELS.map((m) => [m]))('%s re-encodes byte-identically and re-decodes equal', (name) => {
    const bytes = loadShared(name);
    const a = decodeModel(bytes, name);
    const out = encodeModel(a);
    expect(out.length).toBe(bytes.length);
    expect(sameBytes(out, bytes)).toBe(true);
    const b = decodeModel(out, name);
    expect(equals(ModelProtoSchema, a, b)).toBe(true);
    // raw_data stays a view of the file bytes (no weight copied).
    const withRaw = a.graph!.initializer.filter((t) => t.rawData.byteLength > 0);
    expect(withRaw.length).toBeGreaterThan(0);
    expect(withRaw.every((t) => t.rawData.buffer === bytes.buffer)).toBe(true);
  });

  it.skipIf(!HAVE_SHARED)('decoding detects a changed weight (equals is not vacuous)', () => {
    const bytes = loadShared('resnet20-cifar10-ace.onnx');
    const a = decodeModel(bytes);
    const copy = bytes.slice();
    const t = a.graph!.initializer.find((i) => i.rawData.byteLength > 0)!;
    copy[t.rawData.byteOffset] = copy[t.rawData.byteOffset]! ^ 1;
    expect(equals(ModelProtoSchema, a, decodeModel(copy))).toBe(false);
  });
});

describe('shared models: onnxruntime-web gives identical outputs for original and re-encoded bytes', () => {
  it.skipIf(!HAVE_SHARED).each(SHARED_MODELS.map((m) => [m]))(
    '%s',
    async (name) => {
      const bytes = loadShared(name);
      const reencoded = encodeModel(decodeModel(bytes, name));
      const feeds = seededFeeds(bytes, 1234);
      const original = await runOrt(bytes, feeds);
      const again = await runOrt(reencoded, feeds);
      expectSameOutputs(original, again, 0);
    },
    120_000,
  );
});

describe('fixtures in onnxruntime-web', () => {
  it('external-data fixture gives the same output as the inline tiny model', async () => {
    const inline = tinyConvModel();
    const ext = externalDataModel();
    const rng = makeRng(7);
    const feeds = { input: new ort.Tensor('float32', Float32Array.from({ length: 192 }, () => rng() * 2 - 1), inline.inputShape) };
    const a = await runOrt(inline.bytes, feeds);
    const b = await runOrt(ext.onnxBytes, feeds, { externalData: [{ path: ext.dataFileName, data: ext.dataBytes }] });
    expect(a.output!.dims).toEqual([1, 10]);
    expectSameOutputs(a, b, 1e-6);
    // The outputs depend on the weights: a different input gives different logits.
    const other = await runOrt(inline.bytes, { input: new ort.Tensor('float32', new Float32Array(192).fill(0.5), inline.inputShape) });
    expect(other.output!.data).not.toEqual(a.output!.data);
  });

  it('qdq fixture runs and approximates the float Conv it encodes', async () => {
    const q = qdqModel();
    const rng = makeRng(8);
    const x = Float32Array.from({ length: 192 }, () => rng() * 2 - 1);
    const out = await runOrt(q.bytes, { input: new ort.Tensor('float32', x, q.inputShape) });
    expect(out.output!.dims).toEqual([1, 4, 8, 8]);
    // Reference: the same conv in float with dequantized weights and the input rounded like QuantizeLinear.
    const m = decodeModel(q.bytes);
    const get = (n: string) => readTensor(m.graph!.initializer.find((t) => t.name === n)!);
    const wq = get('w_q') as Int8Array;
    const ws = (get('w_scale') as Float32Array)[0]!;
    const bias = get('conv.bias') as Float32Array;
    const xs = (get('x_scale') as Float32Array)[0]!;
    const xq = Array.from(x, (v) => (Math.min(255, Math.max(0, Math.round(v / xs) + 128)) - 128) * xs);
    let maxDiff = 0;
    for (let oc = 0; oc < 4; oc++) {
      for (let y = 0; y < 8; y++) {
        for (let xx = 0; xx < 8; xx++) {
          let acc = bias[oc]!;
          for (let ic = 0; ic < 3; ic++) {
            for (let ky = 0; ky < 3; ky++) {
              for (let kx = 0; kx < 3; kx++) {
                const iy = y + ky - 1;
                const ix = xx + kx - 1;
                if (iy < 0 || iy >= 8 || ix < 0 || ix >= 8) continue;
                acc += xq[ic * 64 + iy * 8 + ix]! * wq[((oc * 3 + ic) * 3 + ky) * 3 + kx]! * ws;
              }
            }
          }
          maxDiff = Math.max(maxDiff, Math.abs(acc - out.output!.data[oc * 64 + y * 8 + xx]!));
        }
      }
    }
    expect(maxDiff).toBeLessThan(1e-4);
  });

  it('custom-domain fixture decodes but onnxruntime-web refuses it', async () => {
    const c = customDomainModel();
    expect(decodeModel(c.bytes).graph!.node[0]!.domain).toBe(c.domain);
    await expect(ort.InferenceSession.create(c.bytes)).rejects.toThrow(/Swizzle|com\.example\.custom/);
  });

  it('every fixture re-encodes byte-identically', () => {
    for (const f of [tinyConvModel(), externalDataModel(), customDomainModel(), qdqModel()]) {
      expect(sameBytes(encodeModel(decodeModel(f.bytes)), f.bytes)).toBe(true);
    }
  });
});

function ascii(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : new Uint8Array(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

function zipLocalHeader(fileName: string): Uint8Array {
  const name = ascii(fileName);
  const h = new Uint8Array(30);
  h.set([0x50, 0x4b, 0x03, 0x04, 20, 0]);
  new DataView(h.buffer).setUint16(26, name.length, true);
  return concat(h, name, ascii('payload'), new Uint8Array(64));
}

describe('wrong files get a clear code and message', () => {
  const cases: { label: string; bytes: Uint8Array; code: ErrorCode; says: RegExp }[] = [
    { label: 'empty', bytes: new Uint8Array(0), code: 'empty-file', says: /empty/ },
    { label: 'PNG', bytes: tinyPng(), code: 'not-onnx', says: /PNG/ },
    { label: 'JPEG', bytes: concat([0xff, 0xd8, 0xff, 0xe0, 0, 16], ascii('JFIF\0'), new Uint8Array(100)), code: 'not-onnx', says: /JPEG/ },
    { label: 'ZIP', bytes: zipLocalHeader('models/readme.txt'), code: 'not-onnx', says: /ZIP/ },
    { label: 'PyTorch zip', bytes: concat(zipLocalHeader('archive/data.pkl'), zipLocalHeader('archive/data/0')), code: 'not-onnx', says: /PyTorch/ },
    { label: 'TFLite', bytes: concat([0x1c, 0, 0, 0], ascii('TFL3'), new Uint8Array(200).fill(7)), code: 'not-onnx', says: /TensorFlow Lite/ },
    { label: 'text', bytes: ascii('airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n'), code: 'not-onnx', says: /text/ },
    { label: 'JSON', bytes: ascii('{"model": "resnet20", "layers": [1, 2, 3], "ok": true}\n'), code: 'not-onnx', says: /JSON/ },
  ];

  it.each(cases)('$label -> $code', ({ bytes, code, says }) => {
    const err = decodeError(bytes, 'x.onnx');
    expect(err.code).toBe(code);
    expect(err.message).toMatch(says);
    expect(err.message).toContain('x.onnx');
  });

  it('a protobuf message with no graph -> not-onnx', () => {
    const noGraph = encodeModel(create(ModelProtoSchema, { irVersion: 8n, producerName: 'pytorch', opsetImport: [{ domain: '', version: 13n }] }));
    expect(noGraph.length).toBeGreaterThan(0);
    expect(decodeError(noGraph).code).toBe('not-onnx');
    const emptyGraph = encodeModel(create(ModelProtoSchema, { irVersion: 8n, graph: create(GraphProtoSchema, { name: 'g' }) }));
    expect(decodeError(emptyGraph).code).toBe('not-onnx');
  });

  it('impossible IR version or a graph without outputs -> corrupt', () => {
    const tiny = tinyConvModel().model;
    tiny.irVersion = 0n;
    expect(decodeError(encodeModel(tiny)).code).toBe('corrupt');
    tiny.irVersion = 5000n;
    expect(decodeError(encodeModel(tiny)).code).toBe('corrupt');
    const noOut = tinyConvModel().model;
    noOut.graph!.output = [];
    expect(decodeError(encodeModel(noOut)).code).toBe('corrupt');
  });

  it('a real model truncated at 10 lengths -> truncated (mostly) or corrupt', () => {
    const bytes = HAVE_SHARED ? loadShared('resnet20-cifar10-ace.onnx') : tinyConvModel().bytes;
    const fractions = [0.002, 0.013, 0.05, 0.11, 0.23, 0.37, 0.5, 0.61, 0.79, 0.97];
    const codes = fractions.map((f) => decodeError(bytes.subarray(0, Math.max(1, Math.floor(bytes.length * f)))).code);
    for (const c of codes) expect(['truncated', 'corrupt']).toContain(c);
    expect(codes.filter((c) => c === 'truncated').length).toBeGreaterThanOrEqual(8);
    const cut = decodeError(bytes.subarray(0, bytes.length - 1));
    expect(cut.code).toBe('truncated');
    expect(cut.message).toMatch(/cut off/);
  });

  it('checkModelSize: empty and beyond the 2 GiB protobuf limit', () => {
    expect(() => checkModelSize('a.onnx', 0)).toThrow(QbError);
    expect(() => checkModelSize('a.onnx', 1)).not.toThrow();
    expect(() => checkModelSize('a.onnx', MAX_MODEL_BYTES)).not.toThrow();
    try {
      checkModelSize('big.onnx', 3e9);
      throw new Error('accepted 3 GB');
    } catch (err) {
      expect((err as QbError).code).toBe('too-large');
      expect((err as QbError).message).toMatch(/3\.0 GB/);
    }
    try {
      checkModelSize('b.onnx', 200e6, 100e6);
      throw new Error('accepted 200 MB over a 100 MB limit');
    } catch (err) {
      expect((err as QbError).code).toBe('too-large');
    }
  });
});

describe('e2e fixture files (scripts/make-fixtures.ts)', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'qb-fixtures-'));
  });
  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('are deterministic and each one fails (or loads) the way its name says', () => {
    const written = makeFixtures(dir);
    const again = buildFixtures();
    expect(again.map((f) => f.name)).toEqual(written.map((f) => f.name));
    again.forEach((f, i) => expect(sameBytes(f.bytes, written[i]!.bytes), f.name).toBe(true));
    const file = (name: string): Uint8Array => new Uint8Array(readFileSync(join(dir, name)));
    const code = (name: string): ErrorCode | 'ok' => {
      try {
        decodeModel(file(name), name);
        return 'ok';
      } catch (err) {
        return (err as QbError).code;
      }
    };
    expect(code('tiny.onnx')).toBe('ok');
    expect(code('qdq.onnx')).toBe('ok');
    expect(code('custom-op.onnx')).toBe('ok');
    expect(code('tiny-ext.onnx')).toBe('ok');
    expect(code('empty.onnx')).toBe('empty-file');
    expect(code('not-a-model.png')).toBe('not-onnx');
    expect(code('labels.txt')).toBe('not-onnx');
    expect(code('truncated.onnx')).toBe('truncated');
    expect(code('corrupt.onnx')).toBe('corrupt');
    expect(code('tiny-ext-missing.onnx')).toBe('ok');

    const data = file('tiny.onnx.data');
    const ext = decodeModel(file('tiny-ext.onnx'));
    for (const t of ext.graph!.initializer) expect(readTensor(t, (loc) => (loc === 'tiny.onnx.data' ? data : undefined)).length).toBeGreaterThan(0);
    // Dropped alone, the missing-data fixture names the file it needs.
    const missing = decodeModel(file('tiny-ext-missing.onnx'));
    let missingCode: ErrorCode | undefined;
    try {
      readTensor(missing.graph!.initializer[0]!, () => undefined);
    } catch (err) {
      missingCode = (err as QbError).code;
      expect((err as QbError).message).toMatch(/separate file, "tiny\.onnx\.data"/);
    }
    expect(missingCode).toBe('missing-external-data');
  });
});
