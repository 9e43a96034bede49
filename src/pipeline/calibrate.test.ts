// Calibration runs on the synthetic CNN in onnxruntime-web: in-graph MinMax reductions against whole-tensor
// observation, the limit, cancellation and failures (the runner is always released), graph inputs observed from
// the feed, kept inputs.
import { beforeAll, describe, expect, it } from 'vitest';
import { inputs, syntheticCnn } from '../../test/int8-synthetic';
import { decodeModel } from '../onnx/model-io';
import { planQdq } from '../quant/qdq-plan';
import { reductionOutputs } from '../quant/calibration-graph';
import { loadOrt } from '../runtime/ort';
import { ModelSession, type FloatTensor } from '../runtime/session';
import { QbError, isQbError } from '../shared/errors';
import { calibrate, type CalibrateOptions, type OutputsRunner } from './calibrate';

beforeAll(async () => {
  await loadOrt(1);
});

const model = syntheticCnn();
const plan = planQdq(model);
const DATA = inputs(10, 300);

/** A ModelSession behind counters: runs, releases, and the model bytes it was made from. */
interface Counted extends OutputsRunner {
  runs: number;
  releases: number;
  bytes: Uint8Array[];
}

function countedRunner(override?: Partial<OutputsRunner>): { make: CalibrateOptions['makeRunner']; state: Counted } {
  const state: Counted = {
    runs: 0,
    releases: 0,
    bytes: [],
    runFloat: () => Promise.reject(new Error('not used')),
    runOutputs: () => Promise.reject(new Error('not made yet')),
  };
  const make = async (bytes: Uint8Array, externalData?: { path: string; data: Uint8Array }[]): Promise<OutputsRunner> => {
    state.bytes.push(bytes);
    const session = await ModelSession.create(bytes, externalData);
    const runner: OutputsRunner = {
      runFloat: (x) => session.runFloat(x),
      runOutputs: async (x) => {
        state.runs++;
        return override?.runOutputs !== undefined ? override.runOutputs(x) : session.runOutputs(x);
      },
      release: async () => {
        state.releases++;
        await session.release();
      },
    };
    return runner;
  };
  return { make, state };
}

function options(over: Partial<CalibrateOptions> = {}): CalibrateOptions {
  return {
    model,
    tensors: plan.tensors,
    graphInputs: plan.graphInputs,
    observer: { method: 'minmax' },
    inputs: DATA,
    limit: DATA.length,
    makeRunner: (b, e) => ModelSession.create(b, e),
    ...over,
  };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('calibrate', () => {
  it('MinMax in-graph reductions give exactly the min/max of the whole tensors', async () => {
    const reduced = await calibrate(options());
    const whole = await calibrate(options({ observer: { method: 'percentile' } }));
    expect(reduced.images).toBe(DATA.length);
    expect(whole.images).toBe(DATA.length);
    expect([...reduced.observers.keys()]).toEqual(plan.tensors);
    for (const t of plan.tensors) {
      const a = reduced.observers.get(t)!;
      const b = whole.observers.get(t)!;
      expect(a.method).toBe('minmax');
      expect(b.method).toBe('percentile');
      expect(a.images, t).toBe(DATA.length);
      expect(a.min, t).toBe(b.min);
      expect(a.max, t).toBe(b.max);
      expect(a.min, t).toBeLessThanOrEqual(a.max);
      expect(Number.isFinite(a.min) && Number.isFinite(a.max), t).toBe(true);
    }
    // ReLU outputs are one-sided; the Add inputs are signed.
    expect(reduced.observers.get('r1')!.min).toBe(0);
    expect(reduced.observers.get('c2')!.min).toBeLessThan(0);
    // MinMax holds a few numbers per tensor, the histograms far more.
    expect(reduced.observers.get('r1')!.bytesHeld).toBeLessThan(1000);
    expect(whole.observers.get('r1')!.bytesHeld).toBeGreaterThan(16 * 2048);
  });

  it('MinMax takes two scalars per tensor out of the runtime; histogram methods take whole tensors', async () => {
    const minmax = countedRunner();
    await calibrate(options({ makeRunner: minmax.make, limit: 1 }));
    const outputs = decodeModel(minmax.state.bytes[0]!).graph!.output.map((o) => o.name);
    const expected = plan.tensors.filter((t) => t !== 'input').flatMap((t) => [reductionOutputs(t).min, reductionOutputs(t).max]);
    expect(outputs).toEqual(['output', ...expected]);

    const full = countedRunner();
    await calibrate(options({ makeRunner: full.make, limit: 1, observer: { method: 'entropy' } }));
    expect(decodeModel(full.state.bytes[0]!).graph!.output.map((o) => o.name)).toEqual(['output', ...plan.tensors.filter((t) => t !== 'input')]);
  });

  it('observes graph-input tensors from the feed itself', async () => {
    const r = await calibrate(options());
    const obs = r.observers.get('input')!;
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of DATA) for (const v of x.data) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(obs.images).toBe(DATA.length);
    expect(obs.min).toBe(lo);
    expect(obs.max).toBe(hi);
  });

  it('uses at most `limit` inputs and reports each step', async () => {
    const { make, state } = countedRunner();
    const steps: [number, number][] = [];
    const r = await calibrate(options({ makeRunner: make, limit: 3, onStep: (done, total) => steps.push([done, total]) }));
    expect(r.images).toBe(3);
    expect(state.runs).toBe(3);
    expect(state.releases).toBe(1);
    expect(steps).toEqual([[1, 3], [2, 3], [3, 3]]);
    expect(r.observers.get('input')!.images).toBe(3);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(r.runMs);
    expect(r.runMs).toBeGreaterThan(0);
  });

  it('pulls inputs one at a time from an async source', async () => {
    let pulled = 0;
    async function* source(): AsyncGenerator<FloatTensor> {
      for (const x of DATA) {
        pulled++;
        yield x;
      }
    }
    const r = await calibrate(options({ inputs: source(), limit: 4 }));
    expect(r.images).toBe(4);
    // The loop stops once `limit` inputs were used, before pulling (and decoding) another one.
    expect(pulled).toBe(4);
  });

  it('keeps copies of the first `keep` inputs', async () => {
    const r = await calibrate(options({ keep: 2, limit: 5 }));
    expect(r.kept).toHaveLength(2);
    expect(r.kept[0]!.data).toEqual(DATA[0]!.data);
    expect(r.kept[0]!.data).not.toBe(DATA[0]!.data);
    expect(r.kept[1]!.dims).toEqual(DATA[1]!.dims);
    expect((await calibrate(options({ limit: 2 }))).kept).toEqual([]);
  });

  it('stops when checkpoint throws, and releases the runner', async () => {
    const { make, state } = countedRunner();
    let calls = 0;
    const err = await rejection(
      calibrate(
        options({
          makeRunner: make,
          checkpoint: () => {
            calls++;
            if (calls === 3) throw new QbError('cancelled', 'Cancelled.');
          },
        }),
      ),
    );
    expect(isQbError(err) && err.code === 'cancelled').toBe(true);
    expect(state.runs).toBe(2);
    expect(state.releases).toBe(1);
  });

  it('an async checkpoint rejection stops it too', async () => {
    const { make, state } = countedRunner();
    const err = await rejection(calibrate(options({ makeRunner: make, checkpoint: () => Promise.reject(new QbError('cancelled', 'Cancelled.')) })));
    expect((err as QbError).code).toBe('cancelled');
    expect(state.runs).toBe(0);
    expect(state.releases).toBe(1);
  });

  it('a failing run or a missing output rejects and still releases the runner', async () => {
    const failing = countedRunner({ runOutputs: () => Promise.reject(new QbError('runtime', 'boom')) });
    expect(((await rejection(calibrate(options({ makeRunner: failing.make })))) as QbError).message).toBe('boom');
    expect(failing.state.releases).toBe(1);

    const empty = countedRunner({ runOutputs: () => Promise.resolve(new Map()) });
    const err = (await rejection(calibrate(options({ makeRunner: empty.make })))) as QbError;
    expect(err.code).toBe('runtime');
    expect(err.detail).toMatch(/missing min\/max of r1/);
    expect(empty.state.releases).toBe(1);
  });

  it('invalid observer options reject without leaking a runner', async () => {
    const { make, state } = countedRunner();
    const err = await rejection(calibrate(options({ makeRunner: make, observer: { method: 'percentile', percentile: 200 } })));
    expect(err).toBeInstanceOf(RangeError);
    // Either no runner was made, or the one made was released.
    expect(state.releases).toBe(state.bytes.length);
  });
});
