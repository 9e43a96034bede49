// Model size: gzip through CompressionStream against fflate on a real model, parameters by ONNX type on fixtures.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { externalDataModel, qdqModel, randomBytes, tinyConvModel } from '../../test/fixtures';
import { hasSharedData, sharedPath } from '../../test/shared-data';
import { decodeModel } from './model-io';
import { inspectModel } from '../pipeline/inspect';
import { gzipBytes, modelSize, onnxTypeName, paramsByType } from './size';
import { DataType } from './dtypes';

const hasData = hasSharedData();
const DEMO = resolve(import.meta.dirname, '../../public/demo/shapes-cnn.onnx');

describe('paramsByType', () => {
  it('counts the tiny conv model as float', () => {
    const { model, params } = tinyConvModel();
    expect(paramsByType(model)).toEqual({ float: params });
  });

  it('splits a QDQ model by element type', () => {
    // w_q 4x3x3x3 int8 + w_zero_point (scalar int8); x_scale, w_scale (scalars) + bias [4] float; x_zero_point uint8.
    expect(paramsByType(qdqModel().model)).toEqual({ int8: 108 + 1, float: 1 + 1 + 4, uint8: 1 });
  });

  it('counts external-data weights from their dims', () => {
    expect(paramsByType(externalDataModel().model)).toEqual({ float: tinyConvModel().params });
  });

  it('sums to the model card parameter count on the demo model', () => {
    const bytes = new Uint8Array(readFileSync(DEMO));
    const counts = paramsByType(decodeModel(bytes));
    const card = inspectModel('shapes-cnn.onnx', bytes, {});
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(card.params);
  });

  it('names types as ONNX does', () => {
    expect(onnxTypeName(DataType.FLOAT)).toBe('float');
    expect(onnxTypeName(DataType.FLOAT16)).toBe('float16');
    expect(onnxTypeName(DataType.DOUBLE)).toBe('double');
    expect(onnxTypeName(DataType.INT64)).toBe('int64');
    expect(onnxTypeName(999)).toBe('type#999');
  });
});

describe('gzipBytes', () => {
  it('is the length of a real gzip stream', async () => {
    const text = new TextEncoder().encode('quantbench '.repeat(10_000));
    const n = await gzipBytes(text);
    expect(n).toBeGreaterThan(18); // gzip header + trailer
    expect(n).toBeLessThan(text.byteLength / 50);
    expect(await gzipBytes(new Uint8Array(0))).toBe(20);
  });

  it('streams several chunks and calls the checkpoint between them', async () => {
    const data = randomBytes(2.5 * 1024 * 1024, 5);
    let calls = 0;
    const n = await gzipBytes(data, async () => void calls++);
    expect(calls).toBe(3);
    // Random bytes do not compress: stored blocks add a few bytes per 64 KB.
    expect(n).toBeGreaterThan(data.byteLength);
    expect(n).toBeLessThan(data.byteLength * 1.01);
  });

  it('stops with the error the checkpoint throws', async () => {
    const data = randomBytes(3 * 1024 * 1024, 6);
    let calls = 0;
    await expect(
      gzipBytes(data, async () => {
        if (++calls === 2) throw new Error('stop');
      }),
    ).rejects.toThrow('stop');
  });

  it.skipIf(!hasData)('is within 1% of fflate gzip level 6 on SqueezeNet', async () => {
    const bytes = new Uint8Array(readFileSync(sharedPath('models', 'squeezenet1.1-7-fp32-upcast.onnx')));
    const ours = await gzipBytes(bytes);
    const reference = gzipSync(bytes, { level: 6 }).byteLength;
    expect(Math.abs(ours - reference) / reference).toBeLessThan(0.01);
    expect(ours).toBeLessThan(bytes.byteLength);
  });
});

describe('modelSize', () => {
  it('adds external-data files to the bytes and the gzip size', async () => {
    const m = externalDataModel();
    const alone = await modelSize(m.onnxBytes, m.model);
    expect(alone.bytes).toBe(m.onnxBytes.byteLength);
    expect(alone.gzipBytes).toBe(await gzipBytes(m.onnxBytes));
    const both = await modelSize(m.onnxBytes, m.model, { external: [{ data: m.dataBytes }] });
    expect(both.bytes).toBe(m.onnxBytes.byteLength + m.dataBytes.byteLength);
    expect(both.gzipBytes).toBe(alone.gzipBytes + (await gzipBytes(m.dataBytes)));
    expect(both.paramsByType).toEqual({ float: tinyConvModel().params });
  });
});
