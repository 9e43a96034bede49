// Tests of weight-views.ts: clones that share weight bytes encode exactly like protobuf clones (presence included),
// external weights as views, and sessions loaded from (graph, weight views) computing the same outputs as from bytes.
import { clone } from '@bufbuild/protobuf';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bigModel, externalDataModel, randomFloats, tinyConvModel } from '../../test/fixtures';
import { hasSharedData, sharedPath, SHARED_MODELS } from '../../test/shared-data';
import { ModelSession } from '../runtime/session';
import { forEachWeight } from './graph';
import { decodeModel, encodeModel } from './model-io';
import { ModelProtoSchema, type TensorProto } from './proto/onnx_pb';
import { readTensor } from './tensor-data';
import { cloneModel, externalAsViews, runnerFor, sessionParts } from './weight-views';

const HAVE_SHARED = hasSharedData();

function weights(m: ReturnType<typeof decodeModel>): TensorProto[] {
  const out: TensorProto[] = [];
  forEachWeight(m.graph!, (t) => out.push(t));
  return out;
}

async function outputs(bytes: Uint8Array, externalData: { path: string; data: Uint8Array }[], input: Float32Array, dims: number[]): Promise<Float32Array> {
  const s = await ModelSession.create(bytes, externalData);
  try {
    return (await s.runFloat({ data: input, dims })).data;
  } finally {
    await s.release();
  }
}

describe('cloneModel', () => {
  it('shares raw_data bytes with the original and encodes exactly like a protobuf clone', () => {
    const bytes = tinyConvModel().bytes;
    const original = decodeModel(bytes);
    const copy = cloneModel(original);
    expect(Buffer.from(encodeModel(copy)).equals(Buffer.from(encodeModel(clone(ModelProtoSchema, original))))).toBe(true);
    // The original is untouched, byte for byte.
    expect(Buffer.from(encodeModel(original)).equals(Buffer.from(bytes))).toBe(true);
    const a = weights(original);
    const b = weights(copy);
    expect(b).toHaveLength(a.length);
    a.forEach((t, i) => {
      if (t.rawData.byteLength > 0) expect(b[i]!.rawData.buffer).toBe(t.rawData.buffer);
    });
    // Everything else is a real copy: renaming a node of the copy leaves the original alone.
    copy.graph!.node[0]!.name = 'renamed';
    expect(original.graph!.node[0]!.name).not.toBe('renamed');
    // Replacing a weight of the copy (what every rewrite does) leaves the original's bytes alone.
    const before = Float32Array.from(readTensor(a[0]!) as Float32Array);
    b[0]!.rawData = new Uint8Array(b[0]!.rawData.byteLength);
    expect(Array.from(readTensor(a[0]!) as Float32Array)).toEqual(Array.from(before));
  });

  it.skipIf(!HAVE_SHARED)('keeps float_data tensors as they were on every shared model (proto2 presence)', () => {
    for (const name of SHARED_MODELS) {
      const bytes = new Uint8Array(readFileSync(sharedPath('models', name)));
      const m = decodeModel(bytes);
      const viaProtobuf = encodeModel(clone(ModelProtoSchema, m));
      expect(Buffer.from(encodeModel(cloneModel(m))).equals(Buffer.from(viaProtobuf)), name).toBe(true);
      // Cloning does not change how the original encodes either.
      expect(Buffer.from(encodeModel(m)).equals(Buffer.from(viaProtobuf)), name).toBe(true);
    }
  });
});

describe('sessionParts', () => {
  it('moves every weight of at least 1 KB out of the graph as a view, and leaves the model as it was', () => {
    const big = bigModel(3 * 2 ** 20, 7);
    const m = decodeModel(big.bytes);
    const parts = sessionParts(m);
    expect(parts.externalData).toHaveLength(big.layers);
    expect(parts.graph.byteLength).toBeLessThan(2000);
    for (const f of parts.externalData) expect(f.data.buffer).toBe(big.bytes.buffer);
    expect(Buffer.from(encodeModel(m)).equals(Buffer.from(big.bytes))).toBe(true);
  });

  it('a session from the parts computes exactly what a session from the bytes computes', async () => {
    const tiny = tinyConvModel();
    const input = randomFloats(3 * 8 * 8, 11);
    const fromBytes = await outputs(tiny.bytes, [], input, tiny.inputShape);
    const fromParts = await runnerFor((b, e) => ModelSession.create(b, e), decodeModel(tiny.bytes));
    try {
      expect(Array.from((await fromParts.runFloat({ data: input, dims: tiny.inputShape })).data)).toEqual(Array.from(fromBytes));
    } finally {
      await fromParts.release();
    }
  });

  it('mounts external-data weights as views of their file (misaligned offsets included)', async () => {
    const ext = externalDataModel();
    const resolver = (location: string): Uint8Array | undefined => (location === ext.dataFileName ? ext.dataBytes : undefined);
    const m = decodeModel(ext.onnxBytes);
    const parts = sessionParts(m, resolver);
    for (const f of parts.externalData) expect(f.data.buffer).toBe(ext.dataBytes.buffer);
    const input = randomFloats(3 * 8 * 8, 12);
    const reference = await outputs(tinyConvModel().bytes, [], input, ext.inputShape);
    expect(Array.from(await outputs(parts.graph, parts.externalData, input, ext.inputShape))).toEqual(Array.from(reference));
    // The model still names its own external file afterwards.
    expect(Buffer.from(encodeModel(m)).equals(Buffer.from(ext.onnxBytes))).toBe(true);
  });
});

describe('externalAsViews', () => {
  it('turns external weights into raw_data views: the model encodes as one self-contained file that runs the same', async () => {
    const ext = externalDataModel();
    const m = decodeModel(ext.onnxBytes);
    externalAsViews(m, (location) => (location === ext.dataFileName ? ext.dataBytes : undefined));
    for (const t of weights(m)) {
      expect(t.externalData).toHaveLength(0);
      expect(t.rawData.buffer).toBe(ext.dataBytes.buffer);
    }
    const inline = encodeModel(m);
    expect(weights(decodeModel(inline)).every((t) => t.externalData.length === 0 && t.dataLocation === 0 && t.rawData.byteLength > 0)).toBe(true);
    const input = randomFloats(3 * 8 * 8, 13);
    expect(Array.from(await outputs(inline, [], input, ext.inputShape))).toEqual(Array.from(await outputs(tinyConvModel().bytes, [], input, ext.inputShape)));
  });

  it('names the missing weights file', () => {
    const m = decodeModel(externalDataModel().onnxBytes);
    expect(() => externalAsViews(m, () => undefined)).toThrow(/tiny\.onnx\.data/);
  });
});
