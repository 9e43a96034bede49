// The bench API in Node, called directly (no comlink): files in, result out; threads fixed by the first init;
// sweep only for a free batch; progress stages in order; cancel by job id; per-node profile.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { externalDataModel, randomFloats } from '../test/fixtures';
import { makeModel, node, valueInfo } from '../src/onnx/build';
import { encodeModel } from '../src/onnx/model-io';
import { TensorProto_DataType as DT } from '../src/onnx/proto/onnx_pb';
import { makeTensor } from '../src/onnx/tensor-data';
import { createBenchApi, sweepBudgetMs } from './bench-jobs';
import type { Progress } from './progress';

const DEMO_BYTES = readFileSync(resolve(import.meta.dirname, '../public/demo/shapes-cnn.onnx'));
const demoFile = (): File => new File([DEMO_BYTES], 'shapes-cnn.onnx');

function freeBatchFile(): File {
  const bytes = encodeModel(
    makeModel({
      nodes: [node('MatMul', ['x', 'w'], ['y'], {}, 'mm')],
      initializers: [makeTensor('w', DT.FLOAT, [16, 8], randomFloats(128, 3))],
      inputs: [valueInfo('x', DT.FLOAT, ['batch', 16])],
      outputs: [valueInfo('y', DT.FLOAT, ['batch', 8])],
    }),
  );
  return new File([bytes.slice()], 'free.onnx');
}

// One API per file: onnxruntime-web loads once per realm (this test file's worker), with one thread in Node.
const api = createBenchApi();

describe('createBenchApi', () => {
  it('starts the engine once: the first thread count wins', async () => {
    await expect(api.init(1)).resolves.toEqual({ threads: 1 });
    await expect(api.init(1)).resolves.toEqual({ threads: 1 });
    await expect(api.init(2)).rejects.toMatchObject({ code: 'internal', message: expect.stringContaining('cannot switch to 2') });
    await expect(api.init(0)).rejects.toMatchObject({ code: 'internal' });
  });

  it('benchmarks a model file, measures its size and reports stages in order', async () => {
    const events: Progress[] = [];
    const r = await api.bench('a', { model: [demoFile()], options: { timeBudgetMs: 50 } }, (p) => events.push(p));
    expect(r.sweep).toBeNull();
    expect(r.run.env.requestedThreads).toBe(1);
    expect(r.run.samplesMs).toHaveLength(r.run.latency.runs);
    expect(r.size).toEqual({ bytes: DEMO_BYTES.byteLength, gzipBytes: expect.any(Number), paramsByType: { float: 6164 } });
    const stages = events.map((e) => e.stage).filter((s, i, a) => a[i - 1] !== s);
    expect(stages).toEqual(['read', 'cold-start', 'warm-up', 'timed', 'size', 'done']);
  });

  it('sweeps a free batch, and skips the sweep with a warning for a fixed batch', async () => {
    const free = await api.bench('b', { model: [freeBatchFile()], options: { timeBudgetMs: 30 }, sweep: { batches: [1, 4], latencyLimitMs: 1000 } }, () => undefined);
    expect(free.sweep?.points.map((p) => p.batch)).toEqual([1, 4]);
    expect(free.sweep?.sweetSpot).not.toBeNull();
    expect(free.run.inputs).toEqual([{ name: 'x', type: 'float32', dims: [1, 16] }]);

    const fixed = await api.bench('c', { model: [demoFile()], options: { timeBudgetMs: 30 }, sweep: { batches: [1, 4], latencyLimitMs: 1000 } }, () => undefined);
    expect(fixed.sweep).toBeNull();
    expect(fixed.run.warnings.find((w) => w.kind === 'fixed-batch')?.message).toContain('the batch sweep was skipped');
  });

  it('reads external-data files and counts them in the size', async () => {
    const m = externalDataModel();
    const r = await api.bench('d', { model: [new File([m.dataBytes.slice()], m.dataFileName), new File([m.onnxBytes.slice()], 'tiny.onnx')], options: { timeBudgetMs: 30 } }, () => undefined);
    expect(r.size.bytes).toBe(m.onnxBytes.byteLength + m.dataBytes.byteLength);
  });

  it('stops at the next checkpoint when cancelled, and the next job runs', async () => {
    const pending = api.bench('e', { model: [demoFile()], options: { timeBudgetMs: 60_000 } }, (p) => {
      if (p.stage === 'timed') api.cancel('e');
    });
    await expect(pending).rejects.toMatchObject({ code: 'cancelled' });
    const next = await api.bench('f', { model: [demoFile()], options: { timeBudgetMs: 30 } }, () => undefined);
    expect(next.run.latency.runs).toBeGreaterThanOrEqual(10);
  });

  it('gives a plain error for a file that is not a model', async () => {
    await expect(api.bench('g', { model: [new File(['hello'], 'notes.onnx')], options: {} }, () => undefined)).rejects.toMatchObject({ code: expect.stringMatching(/not-onnx|corrupt|truncated/) });
  });

  it('profiles a model per node, and refuses external data', async () => {
    const p = await api.profile('h', [demoFile()], 4);
    expect(p.runs).toBe(4);
    expect(p.nodes.length).toBeGreaterThan(0);
    const m = externalDataModel();
    await expect(api.profile('i', [new File([m.onnxBytes.slice()], 'tiny.onnx'), new File([m.dataBytes.slice()], m.dataFileName)])).rejects.toMatchObject({
      code: 'unsupported',
      message: expect.stringContaining('needs the weights inside "tiny.onnx"'),
    });
  });

  it('gives sweeps a third of the budget, within 100-1000 ms', () => {
    expect(sweepBudgetMs({})).toBe(1000);
    expect(sweepBudgetMs({ timeBudgetMs: 900 })).toBe(300);
    expect(sweepBudgetMs({ timeBudgetMs: 30 })).toBe(100);
  });
});
