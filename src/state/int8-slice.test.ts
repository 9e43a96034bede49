// INT8 slice without a browser: defaults agree with the engine, the "Add images first" guard answers without a
// worker, and with a fake worker client a run stores the result and download, a cancel leaves the panel idle with
// no error (the late answer ignored), a second run then succeeds, and a new model or dataset clears the result. The
// accuracy budget maps to the engine's options, the search's steps make the live log, and "Stop and keep best" reaches
// the running job.
import type { JobStats } from '../shared/job-stats';
import { describe, expect, it } from 'vitest';
import { create } from 'zustand';
import type { WorkerClient } from '../../workers/client';
import { splitSamples } from '../../workers/int8-inputs';
import type { Int8JobRequest, Int8JobResult, OptimizeApi } from '../../workers/optimize-api';
import type { Progress, ProgressSink } from '../../workers/progress';
import type { ModelCard } from '../onnx/summary';
import { DEFAULT_METHOD, DEFAULT_SUBSET, GUARD_GOAL, validationCount, type Int8Report } from '../pipeline/int8';
import { DEFAULT_MIN_SQNR_DB, describeGoal, type AccuracyStep } from '../pipeline/int8-accuracy';
import { QbError } from '../shared/errors';
import {
  accuracyGoal,
  createInt8Slice,
  goalWords,
  GUARD_GOAL_MIRROR,
  IDLE_INT8,
  INT8_DEFAULTS,
  int8Blocked,
  int8FileName,
  int8Split,
  likelyAutoMode,
  liveThreshold,
  resolveMetric,
  splitList,
  toEngineOptions,
  type Int8Slice,
} from './int8-slice';
import type { AppState } from './store';
import { useStore } from './store';

function card(patch: Partial<ModelCard> = {}): ModelCard {
  return {
    fileName: 'net.onnx',
    inputs: [{ name: 'x', dtype: 'float32', shape: [1, 3, 8, 8] }],
    outputs: [],
    opTypes: { Conv: 2, Relu: 2 },
    blockers: [],
    quantization: { quantized: false, formats: [], message: '' },
    ...patch,
  } as unknown as ModelCard;
}

/** A finished job's stats (the slice passes them through to the result). */
const STATS: JobStats = { wallMs: 1200, stages: [{ stage: 'quantize', ms: 200 }], memory: null };

const REPORT = {
  mode: 'static',
  check: { sqnrDb: 30, cosine: 0.999, top1Agreement: 1, top5Overlap: 1, inputs: 8, heldOut: true, maxAbsDiff: 0.01 },
  sizeBeforeBytes: 400,
  sizeAfterBytes: 100,
  warnings: [],
  layers: [],
} as unknown as Int8Report;

/** A client that runs jobs on `api` directly, with the real client's cancel contract (abort -> QbError('cancelled')). */
type FakeApi = Pick<OptimizeApi, 'makeInt8'> & Partial<Pick<OptimizeApi, 'stopSearch'>>;

function fakeClient(api: FakeApi): WorkerClient<OptimizeApi> {
  let n = 0;
  return {
    run: <R,>(job: (a: OptimizeApi, id: string) => Promise<R>, signal?: AbortSignal) =>
      new Promise<R>((resolve, reject) => {
        signal?.addEventListener('abort', () => reject(new QbError('cancelled', 'Cancelled.')), { once: true });
        job(api as OptimizeApi, `job-${++n}`).then(resolve, reject);
      }),
  } as unknown as WorkerClient<OptimizeApi>;
}

type TestState = Pick<AppState, 'model' | 'dataset' | 'runEvaluation'> & Int8Slice;

function testStore(api: FakeApi) {
  const model = { status: 'done', card: card(), files: [new File([new Uint8Array(4)], 'net.onnx')], loadingName: '', progress: null, error: null };
  // No dataset: 'dynamic' runs on random inputs, 'static' is refused before any worker call.
  const dataset = { status: 'idle', inputKind: 'images', images: [], samples: [], random: null, recipe: null };
  return create<TestState>()((set, get, store) => ({
    model,
    dataset,
    runEvaluation: async () => undefined,
    ...createInt8Slice(fakeClient(api))(set as never, get as never, store as never),
  }) as unknown as TestState);
}

describe('INT8 slice helpers', () => {
  it('preselects the engine defaults', () => {
    expect(INT8_DEFAULTS.calibration).toBe(DEFAULT_METHOD);
    expect(INT8_DEFAULTS.subset).toBe(DEFAULT_SUBSET);
    expect(INT8_DEFAULTS.perChannel).toBe(true);
    expect(INT8_DEFAULTS.mode).toBe('auto');
  });

  it('names the variant <model>-int8.onnx and reads comma lists', () => {
    expect(int8FileName('squeezenet1.1-7-fp32-upcast.onnx')).toBe('squeezenet1.1-7-fp32-upcast-int8.onnx');
    expect(int8FileName('Model.ONNX')).toBe('Model-int8.onnx');
    expect(splitList(' conv1 , ,fc ')).toEqual(['conv1', 'fc']);
    expect(toEngineOptions(INT8_DEFAULTS)).toEqual({ mode: 'auto', calibration: 'mse', perChannel: true, subset: 300, guard: true });
    expect(toEngineOptions({ ...INT8_DEFAULTS, preset: 'mixed' }).preset).toBe('mixed');
    expect(toEngineOptions({ ...INT8_DEFAULTS, sensitivity: true }).sensitivity).toBe(true);
    expect(toEngineOptions({ ...INT8_DEFAULTS, excludeOpTypes: ['Gemm'] }).excludeOpTypes).toEqual(['Gemm']);
  });

  it('maps the accuracy budget to the engine only when chosen, and the collapse guard always', () => {
    expect(INT8_DEFAULTS).toMatchObject({ accuracyAware: false, maxDrop: 1, dropKind: 'absolute', metric: 'top1', minSqnrDb: DEFAULT_MIN_SQNR_DB, timeBudgetMin: 10, guard: true });
    expect(toEngineOptions({ ...INT8_DEFAULTS, maxDrop: 3 })).not.toHaveProperty('accuracy');
    expect(toEngineOptions({ ...INT8_DEFAULTS, guard: false }).guard).toBe(false);
    const aware = { ...INT8_DEFAULTS, accuracyAware: true, maxDrop: 0.5, timeBudgetMin: 2.5 };
    expect(toEngineOptions(aware, true).accuracy).toEqual({ goal: { metric: 'top1', maxDrop: 0.5 }, timeBudgetMs: 150_000 });
    // Top-1 needs labels: without them the budget is on agreement with FP32.
    expect(toEngineOptions(aware, false).accuracy?.goal).toEqual({ metric: 'agreement', maxDrop: 0.5 });
    expect(toEngineOptions({ ...aware, metric: 'agreement', dropKind: 'relative' }).accuracy?.goal).toEqual({ metric: 'agreement', maxDrop: 0.5, relative: true });
    expect(toEngineOptions({ ...aware, metric: 'sqnr', minSqnrDb: 90 }).accuracy?.goal).toMatchObject({ metric: 'sqnr', minSqnrDb: 90 });
    expect(resolveMetric('top1', false)).toBe('agreement');
    expect(resolveMetric('top1', true)).toBe('top1');
    expect(resolveMetric('sqnr', false)).toBe('sqnr');
  });

  it('mirrors the engine: guard goal, goal words and live thresholds', () => {
    expect(GUARD_GOAL_MIRROR).toEqual(GUARD_GOAL);
    const goals = [
      GUARD_GOAL,
      accuracyGoal({ ...INT8_DEFAULTS, maxDrop: 1 }, true),
      accuracyGoal({ ...INT8_DEFAULTS, maxDrop: 0.5, dropKind: 'relative' }, false),
      accuracyGoal({ ...INT8_DEFAULTS, metric: 'sqnr', minSqnrDb: 90 }, false),
      { metric: 'sqnr' as const, maxDrop: 1 },
    ];
    for (const g of goals) expect(goalWords(g)).toBe(describeGoal(g));
    expect(liveThreshold(GUARD_GOAL)).toBe(92);
    expect(liveThreshold({ metric: 'agreement', maxDrop: 2, relative: true })).toBe(98);
    expect(liveThreshold({ metric: 'sqnr', maxDrop: 1, minSqnrDb: 40 })).toBe(40);
    expect(liveThreshold({ metric: 'top1', maxDrop: 1 })).toBeNull();
  });

  it('predicts the worker\'s split of the samples into calibration and validation', () => {
    for (const total of [12, 20, 24, 48, 60, 500, 5000]) {
      for (const subset of [16, 300]) {
        for (const c of [{ accuracyAware: true, guard: true }, { accuracyAware: false, guard: true }, { accuracyAware: false, guard: false }]) {
          const opts = { mode: 'static' as const, guard: c.guard, ...(c.accuracyAware ? { accuracy: { goal: { metric: 'agreement' as const, maxDrop: 1 } } } : {}) };
          // Small inputs: no memory cap on how many are held.
          const keep = validationCount(opts, 4 * 3 * 32 * 32);
          const split = splitSamples(total, subset, keep, keep > 8 ? keep : 0);
          expect(int8Split(total, { subset, ...c }), `${total} ${subset} ${JSON.stringify(c)}`).toEqual({ calibration: split.calibration.length, validation: split.check.length });
        }
      }
    }
  });

  it('guesses Automatic: static for CNNs, dynamic with LayerNorm or attention', () => {
    expect(likelyAutoMode(card())).toBe('static');
    expect(likelyAutoMode(card({ opTypes: { Conv: 1, Softmax: 1 } }))).toBe('static');
    expect(likelyAutoMode(card({ opTypes: { MatMul: 12, Softmax: 2, Add: 9 } }))).toBe('dynamic');
    expect(likelyAutoMode(card({ opTypes: { MatMul: 1, LayerNormalization: 2 } }))).toBe('dynamic');
  });

  it('blocks static INT8 without samples with "Add images first", and quantized models outright', () => {
    expect(int8Blocked(card(), { kind: 'none' }, 'static')).toMatchObject({ needsImages: true, reason: expect.stringMatching(/^Static INT8 measures activation ranges/) });
    expect(int8Blocked(card(), { kind: 'none' }, 'auto')).toMatchObject({ needsImages: true, reason: expect.stringMatching(/^For this model, Automatic means static INT8/) });
    expect(int8Blocked(card(), { kind: 'none' }, 'dynamic')).toBeNull();
    expect(int8Blocked(card(), { kind: 'dataset', inputKind: 'images', count: 24 }, 'static')).toBeNull();
    const quantized = card({ quantization: { quantized: true, formats: ['qdq'], message: '' } as never });
    expect(int8Blocked(quantized, { kind: 'dataset', inputKind: 'images', count: 24 }, 'auto')).toEqual({ reason: 'This model is already quantized.', needsImages: false });
  });
});

describe('INT8 slice runs', () => {
  it('refuses static INT8 without a dataset in plain words, without starting a worker', async () => {
    let calls = 0;
    const store = testStore({ makeInt8: async () => (calls++, { bytes: new Uint8Array(1), report: REPORT, checkSource: 'random', stats: STATS }) });
    await store.getState().makeInt8({ ...INT8_DEFAULTS, mode: 'static' });
    const s = store.getState().int8;
    expect(s.status).toBe('error');
    expect(s.error?.code).toBe('unsupported');
    expect(s.error?.message).toMatch(/^Add images first/);
    expect(calls).toBe(0);
  });

  it('stores the result without bytes, the download and the options; forwards progress', async () => {
    const seen: Int8JobRequest[] = [];
    const store = testStore({
      makeInt8: async (_id: string, request: Int8JobRequest, onProgress: ProgressSink): Promise<Int8JobResult> => {
        seen.push(request);
        onProgress({ stage: 'validate', done: 1, total: 4 } satisfies Progress);
        expect(store.getState().int8.progress?.label).toBe('Checking the INT8 model against FP32');
        return { bytes: new Uint8Array(100), report: REPORT, checkSource: 'random', stats: STATS };
      },
    });
    const options = { ...INT8_DEFAULTS, mode: 'dynamic' as const, excludeNodes: ['fc'] };
    await store.getState().makeInt8(options);
    const s = store.getState().int8;
    expect(s.status).toBe('done');
    expect(s.error).toBeNull();
    expect(s.options).toEqual(options);
    expect(s.result?.report.sizeAfterBytes).toBe(100);
    expect(s.result?.source).toEqual({ kind: 'none' });
    expect(s.result).not.toHaveProperty('bytes');
    expect(s.download).toMatchObject({ fileName: 'net-int8.onnx', sizeBytes: 100 });
    expect(seen[0]!.dataset).toBeNull();
    expect(seen[0]!.options).toMatchObject({ mode: 'dynamic', excludeNodes: ['fc'] });
    expect(seen[0]!.inputs).toEqual(card().inputs);

    store.getState().resetInt8();
    expect(store.getState().int8).toMatchObject({ status: 'idle', result: null, download: null });
    expect(store.getState().int8.options).toEqual(options);
  });

  it('cancel leaves the panel idle with no error, ignores the late answer, and a second run succeeds', async () => {
    let release: (r: Int8JobResult) => void = () => undefined;
    let call = 0;
    const store = testStore({
      makeInt8: () => {
        call++;
        if (call === 1) return new Promise<Int8JobResult>((r) => (release = r));
        return Promise.resolve({ bytes: new Uint8Array(50), report: REPORT, checkSource: 'random', stats: STATS });
      },
    });
    const dynamic = { ...INT8_DEFAULTS, mode: 'dynamic' as const };
    const first = store.getState().makeInt8(dynamic);
    expect(store.getState().int8.status).toBe('running');
    store.getState().cancelInt8();
    expect(store.getState().int8).toMatchObject({ status: 'idle', error: null, progress: null });
    await first;
    release({ bytes: new Uint8Array(100), report: REPORT, checkSource: 'random', stats: STATS });
    await Promise.resolve();
    expect(store.getState().int8).toMatchObject({ status: 'idle', result: null, error: null });

    await store.getState().makeInt8(dynamic);
    expect(store.getState().int8.status).toBe('done');
    expect(store.getState().int8.download?.sizeBytes).toBe(50);
  });

  it('a worker error shows in the panel and can be dismissed', async () => {
    const store = testStore({ makeInt8: () => Promise.reject(new QbError('runtime', 'The INT8 model gives only zeros, so it was not kept.')) });
    await store.getState().makeInt8({ ...INT8_DEFAULTS, mode: 'dynamic' });
    expect(store.getState().int8).toMatchObject({ status: 'error', error: { code: 'runtime' } });
    store.getState().dismissInt8Error();
    expect(store.getState().int8).toMatchObject({ status: 'idle', error: null });
  });
});

describe('INT8 slice: accuracy search', () => {
  const step = (floatUnits: number, value: number, met = false): AccuracyStep => ({ floatUnits, added: [`Conv_${floatUnits}`], value, proxyDb: value, met, elapsedMs: 100 * floatUnits });
  const aware = { ...INT8_DEFAULTS, mode: 'dynamic' as const, accuracyAware: true, metric: 'sqnr' as const, minSqnrDb: 90 };

  it('keeps one log line per search step, resets it for the next job, and knows the goal it is measured against', async () => {
    let run = 0;
    const seenDuring: AccuracyStep[][] = [];
    const store = testStore({
      makeInt8: async (_id, _request, onProgress) => {
        run++;
        if (run === 1) {
          onProgress({ stage: 'sensitivity', done: 1, total: 4, etaMs: null });
          onProgress({ stage: 'accuracy-search', step: step(1, 20) });
          onProgress({ stage: 'accuracy-search', step: step(2, 24) });
          seenDuring.push(store.getState().int8.accuracySteps);
          expect(store.getState().int8.progress?.stage).toBe('accuracy-search');
        } else {
          seenDuring.push(store.getState().int8.accuracySteps);
        }
        return { bytes: new Uint8Array(10), report: REPORT, checkSource: 'random', stats: STATS };
      },
    });
    await store.getState().makeInt8(aware);
    expect(store.getState().int8.liveGoal).toMatchObject({ metric: 'sqnr', minSqnrDb: 90 });
    expect(seenDuring[0]!.map((s) => s.floatUnits)).toEqual([1, 2]);
    // The finished job keeps its log until the next one starts.
    expect(store.getState().int8.accuracySteps).toHaveLength(2);
    await store.getState().makeInt8({ ...aware, accuracyAware: false });
    expect(seenDuring[1]).toEqual([]);
    // Without a budget only the collapse guard can search; with the guard off, nothing.
    expect(store.getState().int8.liveGoal).toEqual(GUARD_GOAL_MIRROR);
    await store.getState().makeInt8({ ...aware, accuracyAware: false, guard: false });
    expect(store.getState().int8.liveGoal).toBeNull();
  });

  it('"Stop and keep best" asks the running job (by its id) to stop its search; the job still ends with a model', async () => {
    const stopped: string[] = [];
    let finish: () => void = () => undefined;
    const store = testStore({
      stopSearch: (id) => void stopped.push(id),
      makeInt8: (id) =>
        new Promise<Int8JobResult>((resolve) => {
          finish = () => resolve({ bytes: new Uint8Array(10), report: { ...REPORT, accuracy: { stoppedBy: 'cancelled' } } as unknown as Int8Report, checkSource: 'random', stats: STATS });
          expect(id).toBe('job-1');
        }),
    });
    store.getState().stopInt8Search(); // nothing runs: ignored
    expect(stopped).toEqual([]);
    const job = store.getState().makeInt8(aware);
    await Promise.resolve();
    store.getState().stopInt8Search();
    expect(stopped).toEqual(['job-1']);
    expect(store.getState().int8.stopping).toBe(true);
    finish();
    await job;
    expect(store.getState().int8).toMatchObject({ status: 'done', stopping: false, error: null });
    expect(store.getState().int8.result?.report.accuracy?.stoppedBy).toBe('cancelled');
    expect(store.getState().int8.download?.sizeBytes).toBe(10);
  });

  it('"Keep in float" re-runs with the last options plus the kept layers and the chosen one excluded', async () => {
    const requests: Int8JobRequest[] = [];
    const accuracy = { floatNodes: ['Conv_70', 'Relu_71'] };
    const store = testStore({
      makeInt8: async (_id, request) => {
        requests.push(request);
        return { bytes: new Uint8Array(10), report: { ...REPORT, accuracy } as unknown as Int8Report, checkSource: 'random', stats: STATS };
      },
    });
    await store.getState().makeInt8({ ...aware, excludeNodes: ['fc'] });
    await store.getState().keepInFloat(['Conv_67', 'Conv_70']);
    expect(requests[1]!.options.excludeNodes).toEqual(['fc', 'Conv_70', 'Relu_71', 'Conv_67']);
    expect(requests[1]!.options.accuracy).toEqual(requests[0]!.options.accuracy);
    expect(store.getState().int8.options.excludeNodes).toEqual(['fc', 'Conv_70', 'Relu_71', 'Conv_67']);
  });
});

describe('app store', () => {
  it('a new model (resetOptimize) or a cleared dataset clears the INT8 result', () => {
    const result = { report: REPORT, checkSource: 'random', stats: STATS, options: INT8_DEFAULTS, source: { kind: 'none' } } as const;
    useStore.setState({ int8: { ...IDLE_INT8, status: 'done', options: { ...INT8_DEFAULTS, subset: 16 }, result } });
    useStore.getState().resetOptimize();
    expect(useStore.getState().int8.result).toBeNull();
    expect(useStore.getState().int8.options.subset).toBe(16);
    useStore.setState({ int8: { ...useStore.getState().int8, status: 'done', result } });
    useStore.getState().clearDataset();
    expect(useStore.getState().int8).toMatchObject({ status: 'idle', result: null });
  });
});
