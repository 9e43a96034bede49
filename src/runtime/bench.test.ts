// The benchmark loop in Node (onnxruntime-web's wasm backend, one thread): structure and invariants, never speed.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomFloats, tinyConvModel } from '../../test/fixtures';
import { makeModel, node, valueInfo } from '../onnx/build';
import { encodeModel } from '../onnx/model-io';
import { TensorProto_DataType as DT } from '../onnx/proto/onnx_pb';
import { makeTensor } from '../onnx/tensor-data';
import { QbError } from '../shared/errors';
import { batchSweep, benchmarkModel, browserName, planInputs, type BenchProgress } from './bench';
import { loadOrt } from './ort';

const DEMO = new Uint8Array(readFileSync(resolve(import.meta.dirname, '../../public/demo/shapes-cnn.onnx')));

/** Conv(3->4, 3x3) + Relu on ['N', 3, 8, 8]: a free batch dimension. */
function freeBatchModel(): Uint8Array {
  return encodeModel(
    makeModel({
      graphName: 'free_batch_conv',
      nodes: [
        node('Conv', ['input', 'w', 'b'], ['conv'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, 'conv'),
        node('Relu', ['conv'], ['output'], {}, 'relu'),
      ],
      initializers: [makeTensor('w', DT.FLOAT, [4, 3, 3, 3], randomFloats(108, 1, 0.5)), makeTensor('b', DT.FLOAT, [4], randomFloats(4, 2, 0.1))],
      inputs: [valueInfo('input', DT.FLOAT, ['N', 3, 8, 8])],
      outputs: [valueInfo('output', DT.FLOAT, ['N', 4, 8, 8])],
    }),
  );
}

beforeAll(async () => {
  // onnxruntime-web cannot start threads in Node.
  await loadOrt(1);
});

describe('benchmarkModel', () => {
  it('measures cold start, warm-up and timed runs of the demo model', async () => {
    const progress: BenchProgress[] = [];
    const run = await benchmarkModel(DEMO, [], { timeBudgetMs: 200, onProgress: (p) => progress.push(p) });
    expect(run.batch).toBe(1);
    expect(run.coldStart.sessionCreateMs).toBeGreaterThan(0);
    expect(run.coldStart.firstRunMs).toBeGreaterThan(0);
    expect(run.warmup.runs).toBeGreaterThanOrEqual(run.warmup.stable ? 10 : 40);
    expect(run.warmup.runs).toBeLessThanOrEqual(40);
    expect(run.samplesMs.length).toBe(run.latency.runs);
    expect(run.latency.runs).toBeGreaterThanOrEqual(10);
    expect(run.latency.runs).toBeLessThanOrEqual(1000);
    const l = run.latency;
    expect(l.minMs).toBeLessThanOrEqual(l.p50Ms);
    expect(l.p50Ms).toBeLessThanOrEqual(l.p90Ms);
    expect(l.p90Ms).toBeLessThanOrEqual(l.p99Ms);
    expect(l.p99Ms).toBeLessThanOrEqual(l.maxMs);
    expect(l.fps).toBeCloseTo(1000 / l.p50Ms, 6);
    expect(run.inputs).toEqual([{ name: 'image', type: 'float32', dims: [1, 3, 32, 32] }]);
    expect(run.env).toMatchObject({ ep: 'wasm', threads: 1, requestedThreads: 1, crossOriginIsolated: false, userAgent: 'node', ortVersion: '1.30.0' });
    expect(run.env.browser).toMatch(/^Node \d+\.\d+$/);
    expect(run.env.hardwareConcurrency).toBeGreaterThanOrEqual(1);
    expect(run.env.adapter).toBeUndefined();
    expect(Number.isNaN(Date.parse(run.date))).toBe(false);
    // Warnings the page did not report are absent; 'noisy' depends on the machine and is not asserted.
    expect(run.warnings.map((w) => w.kind).filter((k) => k !== 'noisy' && k !== 'warmup-unstable')).toEqual([]);

    // Progress: cold start first, then warm-up and timed runs, each ending complete; counts never go back.
    expect(progress[0]).toEqual({ stage: 'cold-start' });
    const stages = progress.map((p) => p.stage).filter((s, i, a) => a[i - 1] !== s);
    expect(stages).toEqual(['cold-start', 'warm-up', 'timed']);
    const timed = progress.filter((p) => p.stage === 'timed');
    expect(timed.at(-1)).toEqual({ stage: 'timed', done: l.runs, total: l.runs });
    for (let i = 1; i < timed.length; i++) expect(timed[i]!.done).toBeGreaterThan(timed[i - 1]!.done);
    for (const p of timed) expect(p.done).toBeLessThanOrEqual(p.total);
    const warm = progress.filter((p) => p.stage === 'warm-up');
    expect(warm.at(-1)).toEqual({ stage: 'warm-up', done: run.warmup.runs, total: run.warmup.runs });
  });

  it('warns when more threads were asked than ORT runs, and passes the page flags on', async () => {
    const run = await benchmarkModel(tinyConvModel().bytes, [], { timeBudgetMs: 50, requestedThreads: 2, pageHidden: true, devtoolsSuspected: true });
    expect(run.env.threads).toBe(1);
    expect(run.env.requestedThreads).toBe(2);
    const kinds = run.warnings.map((w) => w.kind);
    expect(kinds).toContain('not-isolated');
    expect(kinds).toContain('hidden');
    expect(kinds).toContain('devtools');
    expect(run.warnings.find((w) => w.kind === 'not-isolated')?.message).toMatch(/asked for 2 threads.*ran on 1.*not cross-origin isolated/);
  });

  it('respects minRuns and maxRuns, and reports an unsettled warm-up', async () => {
    const few = await benchmarkModel(tinyConvModel().bytes, [], { timeBudgetMs: 0, minRuns: 3, maxWarmupRuns: 2 });
    expect(few.latency.runs).toBe(3);
    // Two warm-up runs can never pass the 5-against-5 test.
    expect(few.warmup).toMatchObject({ runs: 2, stable: false });
    expect(few.warnings.find((w) => w.kind === 'warmup-unstable')?.message).toContain('after 2 warm-up runs');
    const capped = await benchmarkModel(tinyConvModel().bytes, [], { timeBudgetMs: 60_000, minRuns: 2, maxRuns: 4, maxWarmupRuns: 10 });
    expect(capped.latency.runs).toBe(4);
  });

  it('feeds a free batch dimension the batch, and warns when the batch is fixed', async () => {
    const free = await benchmarkModel(freeBatchModel(), [], { timeBudgetMs: 50, batch: 4 });
    expect(free.batch).toBe(4);
    expect(free.inputs).toEqual([{ name: 'input', type: 'float32', dims: [4, 3, 8, 8] }]);
    expect(free.latency.fps).toBeCloseTo(4000 / free.latency.p50Ms, 6);
    expect(free.warnings.map((w) => w.kind)).not.toContain('fixed-batch');
    const fixed = await benchmarkModel(DEMO, [], { timeBudgetMs: 50, batch: 4 });
    expect(fixed.batch).toBe(1);
    expect(fixed.warnings.find((w) => w.kind === 'fixed-batch')?.message).toMatch(/fixes its batch size at 1.*not the 4 you asked for/);
  });

  it('releases the session when cancelled, and the next benchmark works', async () => {
    let calls = 0;
    const cancel = async (): Promise<void> => {
      if (++calls >= 3) throw new QbError('cancelled', 'Cancelled.');
    };
    await expect(benchmarkModel(DEMO, [], { timeBudgetMs: 60_000, maxWarmupRuns: 1000, checkpoint: cancel })).rejects.toMatchObject({ code: 'cancelled' });
    expect(calls).toBe(3);
    const again = await benchmarkModel(DEMO, [], { timeBudgetMs: 50 });
    expect(again.latency.runs).toBeGreaterThanOrEqual(10);
  });

  it('refuses WebGPU in a realm that loaded the CPU build, in plain words', async () => {
    const err = await benchmarkModel(DEMO, [], { device: 'webgpu' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QbError);
    expect(err).toMatchObject({ code: 'unsupported' });
    expect((err as QbError).message).toMatch(/need the GPU build .* loaded the CPU build/);
  });

  it('turns a model the runtime cannot load into a plain error', async () => {
    await expect(benchmarkModel(new Uint8Array([1, 2, 3, 4]), [], { timeBudgetMs: 10 })).rejects.toMatchObject({ code: 'runtime', message: 'The browser runtime could not load this model.' });
  });
});

describe('batchSweep', () => {
  it('measures each batch size and picks the sweet spot', async () => {
    const progress: BenchProgress[] = [];
    const sweep = await batchSweep(freeBatchModel(), [], { batches: [4, 1, 2, 2], latencyLimitMs: 10_000 }, { timeBudgetMs: 30, onProgress: (p) => progress.push(p) });
    expect(sweep.points.map((p) => p.batch)).toEqual([1, 2, 4]);
    for (const p of sweep.points) {
      expect(p.p50Ms).toBeGreaterThan(0);
      expect(p.p90Ms).toBeGreaterThanOrEqual(p.p50Ms);
      expect(p.throughput).toBeCloseTo((p.batch * 1000) / p.p50Ms, 6);
    }
    expect(sweep.latencyLimitMs).toBe(10_000);
    // Every point is within a 10 s limit: the sweet spot is the best throughput.
    const best = [...sweep.points].sort((a, b) => b.throughput - a.throughput)[0]!;
    expect(sweep.sweetSpot).toBe(best.batch);
    expect(progress).toEqual([
      { stage: 'sweep', done: 0, total: 3 },
      { stage: 'sweep', done: 1, total: 3 },
      { stage: 'sweep', done: 2, total: 3 },
      { stage: 'sweep', done: 3, total: 3 },
    ]);
  });

  it('has no sweet spot when no batch meets the latency limit', async () => {
    const sweep = await batchSweep(freeBatchModel(), [], { batches: [1, 2], latencyLimitMs: 0 }, { timeBudgetMs: 10 });
    expect(sweep.sweetSpot).toBeNull();
  });

  it('refuses a model with a fixed batch', async () => {
    await expect(batchSweep(DEMO, [], { batches: [1, 2], latencyLimitMs: 100 })).rejects.toMatchObject({ code: 'unsupported', message: expect.stringContaining('fixes its batch size at 1') });
  });
});

describe('planInputs', () => {
  it('fills open dims: batch first, shared names alike, images 224, sequences by type', () => {
    const plan = planInputs(
      [
        { name: 'ids', isTensor: true, type: 'int64', shape: ['batch', 'seq'] },
        { name: 'mask', isTensor: true, type: 'int64', shape: ['batch', 'seq'] },
        { name: 'audio', isTensor: true, type: 'float32', shape: [-1, 'samples'] },
        { name: 'image', isTensor: true, type: 'float16', shape: ['n', 3, 'h', 'w'] },
      ],
      2,
    );
    expect(plan.freeBatch).toBe(true);
    expect(plan.batch).toBe(2);
    expect(plan.inputs.map((i) => i.dims)).toEqual([
      [2, 128],
      [2, 128],
      [2, 1536],
      [2, 3, 224, 224],
    ]);
  });

  it('reports a fixed batch from the first input', () => {
    const plan = planInputs([{ name: 'x', isTensor: true, type: 'float32', shape: [8, 3, 32, 32] }], 4);
    expect(plan).toMatchObject({ freeBatch: false, batch: 8 });
  });
});

describe('browserName', () => {
  it('shortens user agents', () => {
    expect(browserName('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.7000.1 Safari/537.36')).toBe('Chromium 156');
    expect(browserName('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36')).toBe('Chromium 156');
    expect(browserName('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36 Edg/140.0.0.0')).toBe('Edge 140');
    expect(browserName('Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0')).toBe('Firefox 140');
    expect(browserName('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15')).toBe('Safari 17.4');
    expect(browserName('something else')).toBe('something else');
  });
});
