// WorkerClient over a real comlink channel (MessageChannel in Node): results, typed errors, both cancel levels.
import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { QbError } from '../src/shared/errors';
import { WorkerClient, type WorkerLike } from './client';
import { checkpoint, cancelJob, runJob } from './jobs';
import './transfer-errors';

interface TestApi {
  cancel(jobId: string): void;
  add(a: number, b: number): Promise<number>;
  failTyped(): Promise<never>;
  failPlain(): Promise<never>;
  cooperative(jobId: string, steps: number): Promise<number>;
  stuck(): Promise<never>;
}

const api: TestApi = {
  cancel: (jobId) => cancelJob(jobId),
  add: async (a, b) => a + b,
  failTyped: async () => {
    throw new QbError('not-onnx', 'This file is not an ONNX model.', 'detail here');
  },
  failPlain: async () => {
    throw new TypeError('x is undefined');
  },
  cooperative: (jobId, steps) =>
    runJob(jobId, async (signal) => {
      for (let i = 0; i < steps; i++) await checkpoint(signal);
      return steps;
    }),
  stuck: () => new Promise<never>(() => undefined),
};

const open: MessagePort[] = [];
function spawnInProcess(): WorkerLike {
  const { port1, port2 } = new MessageChannel();
  open.push(port1, port2);
  Comlink.expose(api, port2);
  return Object.assign(port1, { terminate: () => { port1.close(); port2.close(); } }) as unknown as WorkerLike;
}

afterEach(() => {
  for (const p of open.splice(0)) p.close();
});

describe('WorkerClient', () => {
  it('returns results and spawns lazily once', async () => {
    const client = new WorkerClient<TestApi>(spawnInProcess, { label: 'test' });
    expect(client.spawnCount).toBe(0);
    expect(await client.run((w) => w.add(2, 3))).toBe(5);
    expect(await client.run((w) => w.add(4, 5))).toBe(9);
    expect(client.spawnCount).toBe(1);
    client.terminate();
  });

  it('recycles the worker after a job on a big model (its WebAssembly memory goes with it), even a failed one', async () => {
    let terminated = 0;
    const spawn = (): WorkerLike => {
      const w = spawnInProcess();
      const stop = w.terminate.bind(w);
      return Object.assign(w, { terminate: () => (terminated++, stop()) });
    };
    const client = new WorkerClient<TestApi>(spawn, { label: 'test' });
    expect(await client.run((w) => w.add(1, 2), undefined, { recycle: true })).toBe(3);
    // The next job, queued right away, runs in a fresh worker.
    expect(await client.run((w) => w.add(2, 2))).toBe(4);
    expect(terminated).toBe(1);
    expect(client.spawnCount).toBe(2);
    await client.run((w) => w.failTyped(), undefined, { recycle: true }).catch(() => undefined);
    expect(await client.run((w) => w.add(3, 3))).toBe(6);
    expect(terminated).toBe(2);
    expect(client.spawnCount).toBe(3);
    client.terminate();
  });

  it('keeps QbError code, message and detail across the boundary', async () => {
    const client = new WorkerClient<TestApi>(spawnInProcess, { label: 'test' });
    const err = await client.run((w) => w.failTyped()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QbError);
    expect((err as QbError).code).toBe('not-onnx');
    expect((err as QbError).message).toBe('This file is not an ONNX model.');
    expect((err as QbError).detail).toBe('detail here');
    const plain = await client.run((w) => w.failPlain()).catch((e: unknown) => e);
    expect((plain as QbError).code).toBe('internal');
    expect((plain as QbError).detail).toContain('x is undefined');
    client.terminate();
  });

  it('cancels cooperatively without replacing the worker', async () => {
    const client = new WorkerClient<TestApi>(spawnInProcess, { label: 'test', graceMs: 5000 });
    const ac = new AbortController();
    const job = client.run((w, id) => w.cooperative(id, 1_000_000), ac.signal);
    setTimeout(() => ac.abort(), 20);
    const err = await job.catch((e: unknown) => e);
    expect((err as QbError).code).toBe('cancelled');
    expect(client.spawnCount).toBe(1);
    expect(await client.run((w) => w.add(1, 1))).toBe(2);
    expect(client.spawnCount).toBe(1);
    client.terminate();
  });

  it('terminates a stuck worker after the grace period and respawns on the next job', async () => {
    const client = new WorkerClient<TestApi>(spawnInProcess, { label: 'test', graceMs: 50 });
    const ac = new AbortController();
    const started = performance.now();
    const job = client.run((w) => w.stuck(), ac.signal);
    setTimeout(() => ac.abort(), 10);
    const err = await job.catch((e: unknown) => e);
    expect((err as QbError).code).toBe('cancelled');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await client.run((w) => w.add(20, 22))).toBe(42);
    expect(client.spawnCount).toBe(2);
    client.terminate();
  });

  it('runs queued jobs one at a time', async () => {
    const client = new WorkerClient<TestApi>(spawnInProcess, { label: 'test' });
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => client.run(async (w, id) => { await w.cooperative(id, 3); order.push(n); })));
    expect(order).toEqual([1, 2, 3]);
    client.terminate();
  });
});
