// Tests of the projects database against fake-indexeddb: records, runs, cascade delete, ordering, summaries, errors.
import 'fake-indexeddb/auto';
import { deleteDB } from 'idb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QbError } from '../../shared/errors';
import { REPORT_SCHEMA, type RunReport, type VariantResult } from '../report/types';
import {
  DB_NAME,
  closeProjectsDb,
  createProject,
  deleteProject,
  deleteRun,
  getLastProjectId,
  isProjectsUnavailable,
  isStorageFull,
  listProjects,
  loadProject,
  loadRun,
  renameProject,
  requestPersistence,
  runHeadline,
  runsOf,
  saveRun,
  setLastProjectId,
  setProjectDataset,
  storageInfo,
} from './db';
import type { StoredFile } from './types';

function file(name: string, sizeBytes: number, path = name): StoredFile {
  const bytes = new Uint8Array(sizeBytes).map((_, i) => i % 251);
  return { name, path, type: 'application/octet-stream', blob: new Blob([bytes]) };
}

function variant(id: VariantResult['id'], shrink: number, speedup: number | null): VariantResult {
  return {
    id,
    label: id.toUpperCase(),
    fileName: `model.${id}.onnx`,
    sizeBytes: Math.round(1000 / shrink),
    gzipBytes: null,
    speed: null,
    quality: null,
    speedup,
    shrink,
    verdict: '',
    tone: 'neutral',
    notes: [],
  };
}

function report(variants: VariantResult[], problems: string[] = []): RunReport {
  return {
    schema: REPORT_SCHEMA,
    id: 'r',
    createdAt: '2025-01-01T00:00:00.000Z',
    model: { fileName: 'model.onnx', sizeBytes: 1000, parameters: 10, opset: 13, inputs: [], kind: 'cnn' },
    dataset: { kind: 'none', samples: 0, labelled: 0, description: '' },
    environment: null,
    settings: { int8: null, fp16: true, bench: null },
    variants,
    layers: [],
    cli: [],
    problems,
  };
}

const FULL = report([variant('fp32', 1, 1), variant('fp16', 2, 1.02), variant('int8', 3.9, 1.3)]);

let clock = Date.parse('2025-03-01T10:00:00.000Z');
/** Moves the clock a second on, so every write gets its own timestamp and the order is deterministic. */
function tick() {
  clock += 1000;
  vi.setSystemTime(clock);
}

beforeEach(async () => {
  // Only Date is faked: fake-indexeddb schedules its work with real timers.
  vi.useFakeTimers({ toFake: ['Date'] });
  tick();
  await closeProjectsDb();
  await deleteDB(DB_NAME);
});

afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  vi.useRealTimers();
  await closeProjectsDb();
});

describe('projects', () => {
  it('creates a project, keeps its blobs byte for byte and remembers it as the last one', async () => {
    const model = file('mobilenet.onnx', 300);
    const created = await createProject({ name: '  My model ', demo: false, model: [model] });
    expect(created).toMatchObject({ name: 'My model', demo: false, dataset: [], datasetName: null });
    expect(created.createdAt).toBe(created.updatedAt);
    expect(await getLastProjectId()).toBe(created.id);

    // A fresh connection proves it came from the database, not from memory.
    await closeProjectsDb();
    const loaded = await loadProject(created.id);
    expect(loaded?.name).toBe('My model');
    expect(loaded?.model[0]?.blob).toBeInstanceOf(Blob);
    expect(new Uint8Array(await loaded!.model[0]!.blob.arrayBuffer())).toEqual(new Uint8Array(await model.blob.arrayBuffer()));
    expect(await loadProject('nope')).toBeNull();
  });

  it('names an unnamed project after its model file', async () => {
    const p = await createProject({ name: ' ', demo: true, model: [file('squeezenet.onnx', 10)] });
    expect(p.name).toBe('squeezenet.onnx');
  });

  it('sets the dataset, bumps updatedAt, and sums sizes into the summary without blobs', async () => {
    const p = await createProject({ name: 'A', demo: false, model: [file('big.onnx', 100), file('big.onnx.data', 400)] });
    tick();
    await setProjectDataset(p.id, [file('tench.JPEG', 50, 'n01440764/tench.JPEG'), file('goldfish.JPEG', 70, 'n01443537/goldfish.JPEG')], 'imagenet-sample');
    const loaded = await loadProject(p.id);
    expect(loaded?.datasetName).toBe('imagenet-sample');
    expect(loaded?.dataset.map((f) => f.path)).toEqual(['n01440764/tench.JPEG', 'n01443537/goldfish.JPEG']);
    expect(loaded!.updatedAt > p.updatedAt).toBe(true);

    const [summary] = await listProjects();
    expect(summary).toEqual({
      id: p.id,
      name: 'A',
      createdAt: p.createdAt,
      updatedAt: loaded!.updatedAt,
      demo: false,
      modelName: 'big.onnx',
      modelBytes: 500,
      datasetFiles: 2,
      datasetBytes: 120,
      runs: [],
    });
    expect(JSON.stringify(summary)).not.toContain('blob');
  });

  it('refuses to change a project that does not exist, in plain words', async () => {
    await expect(setProjectDataset('gone', [], null)).rejects.toMatchObject({ code: 'internal', message: expect.stringContaining('no longer saved') });
    await expect(renameProject('gone', 'x')).rejects.toBeInstanceOf(QbError);
    await expect(saveRun('gone', FULL, [])).rejects.toMatchObject({ message: expect.stringContaining('Projects list') });
  });

  it('renames without reordering, and refuses an empty name', async () => {
    const p = await createProject({ name: 'Old', demo: false, model: [file('m.onnx', 1)] });
    tick();
    await renameProject(p.id, ' New ');
    const loaded = await loadProject(p.id);
    expect(loaded?.name).toBe('New');
    expect(loaded?.updatedAt).toBe(p.updatedAt);
    await expect(renameProject(p.id, '  ')).rejects.toMatchObject({ message: expect.stringContaining('needs a name') });
  });

  it('lists projects newest change first', async () => {
    const a = await createProject({ name: 'A', demo: false, model: [file('a.onnx', 1)] });
    tick();
    const b = await createProject({ name: 'B', demo: false, model: [file('b.onnx', 1)] });
    tick();
    const c = await createProject({ name: 'C', demo: true, model: [file('c.onnx', 1)] });
    expect((await listProjects()).map((p) => p.name)).toEqual(['C', 'B', 'A']);
    tick();
    await saveRun(a.id, FULL, []);
    tick();
    await setProjectDataset(b.id, [file('x.png', 3)], null);
    expect((await listProjects()).map((p) => p.id)).toEqual([b.id, a.id, c.id]);
  });
});

describe('runs', () => {
  it('saves a run with its variant files, bumps the project and loads it back', async () => {
    const p = await createProject({ name: 'P', demo: false, model: [file('m.onnx', 10)] });
    tick();
    const int8 = file('m.int8.onnx', 33).blob;
    const run = await saveRun(p.id, FULL, [{ id: 'int8', fileName: 'm.int8.onnx', blob: int8 }]);
    expect(run.projectId).toBe(p.id);
    expect((await loadProject(p.id))?.updatedAt).toBe(run.createdAt);

    await closeProjectsDb();
    const loaded = await loadRun(run.id);
    expect(loaded?.report).toEqual(FULL);
    expect(loaded?.variants.map((v) => [v.id, v.fileName, v.blob.size])).toEqual([['int8', 'm.int8.onnx', 33]]);
    expect(new Uint8Array(await loaded!.variants[0]!.blob.arrayBuffer())).toEqual(new Uint8Array(await int8.arrayBuffer()));
    expect(await loadRun('nope')).toBeNull();
  });

  it('lists runs newest first, in runsOf and in the summary, with headlines', async () => {
    const p = await createProject({ name: 'P', demo: false, model: [file('m.onnx', 10)] });
    const other = await createProject({ name: 'Q', demo: false, model: [file('q.onnx', 10)] });
    tick();
    const first = await saveRun(p.id, report([variant('fp32', 1, null), variant('fp16', 2, null)]), []);
    tick();
    const second = await saveRun(p.id, FULL, []);
    tick();
    await saveRun(other.id, FULL, []);

    expect((await runsOf(p.id)).map((r) => r.id)).toEqual([second.id, first.id]);
    const summary = (await listProjects()).find((s) => s.id === p.id);
    expect(summary?.runs).toEqual([
      { id: second.id, createdAt: second.createdAt, headline: 'INT8 3.9x smaller, 1.3x faster; FP16 2.0x smaller, same speed', variants: ['fp32', 'fp16', 'int8'] },
      { id: first.id, createdAt: first.createdAt, headline: 'FP16 2.0x smaller', variants: ['fp32', 'fp16'] },
    ]);
  });

  it('deletes one run and leaves the others', async () => {
    const p = await createProject({ name: 'P', demo: false, model: [file('m.onnx', 10)] });
    const a = await saveRun(p.id, FULL, []);
    tick();
    const b = await saveRun(p.id, FULL, []);
    await deleteRun(a.id);
    expect(await loadRun(a.id)).toBeNull();
    expect((await runsOf(p.id)).map((r) => r.id)).toEqual([b.id]);
    await expect(deleteRun('nope')).resolves.toBeUndefined();
  });
});

describe('runHeadline', () => {
  it('turns factors below one round and says when nothing was made', () => {
    expect(runHeadline(report([variant('fp32', 1, 1), variant('int8', 3.84, 0.8)]))).toBe('INT8 3.8x smaller, 1.3x slower');
    expect(runHeadline(report([variant('fp32', 1, 1), variant('int8', 12.3, 1)]))).toBe('INT8 12x smaller, same speed');
    expect(runHeadline(report([variant('fp32', 1, 1)]))).toBe('Original model only');
    expect(runHeadline(report([variant('fp32', 1, 1)], ['INT8 failed: out of memory']))).toContain('No smaller model made');
  });
});

describe('deleteProject', () => {
  it('deletes the project with all its runs and forgets it as the last project', async () => {
    const keep = await createProject({ name: 'Keep', demo: false, model: [file('k.onnx', 1)] });
    const keptRun = await saveRun(keep.id, FULL, []);
    const gone = await createProject({ name: 'Gone', demo: false, model: [file('g.onnx', 1)] });
    const r1 = await saveRun(gone.id, FULL, []);
    const r2 = await saveRun(gone.id, FULL, []);
    expect(await getLastProjectId()).toBe(gone.id);

    await deleteProject(gone.id);
    expect(await loadProject(gone.id)).toBeNull();
    expect(await loadRun(r1.id)).toBeNull();
    expect(await loadRun(r2.id)).toBeNull();
    expect(await runsOf(gone.id)).toEqual([]);
    expect(await getLastProjectId()).toBeNull();
    expect((await listProjects()).map((p) => p.id)).toEqual([keep.id]);
    expect((await loadRun(keptRun.id))?.projectId).toBe(keep.id);
  });

  it('keeps the last project id when another project is deleted', async () => {
    const a = await createProject({ name: 'A', demo: false, model: [file('a.onnx', 1)] });
    const b = await createProject({ name: 'B', demo: false, model: [file('b.onnx', 1)] });
    await setLastProjectId(a.id);
    await deleteProject(b.id);
    expect(await getLastProjectId()).toBe(a.id);
  });
});

describe('last project id', () => {
  it('sets, clears, and answers null for a project that no longer exists', async () => {
    expect(await getLastProjectId()).toBeNull();
    const a = await createProject({ name: 'A', demo: false, model: [file('a.onnx', 1)] });
    await setLastProjectId(null);
    expect(await getLastProjectId()).toBeNull();
    await setLastProjectId(a.id);
    expect(await getLastProjectId()).toBe(a.id);
    await setLastProjectId('deleted-elsewhere');
    expect(await getLastProjectId()).toBeNull();
  });
});

describe('errors', () => {
  it('says plainly that projects cannot be saved when IndexedDB is missing', async () => {
    await closeProjectsDb();
    vi.stubGlobal('indexedDB', undefined);
    const err = await createProject({ name: 'A', demo: false, model: [] }).catch((e: unknown) => e);
    expect(isProjectsUnavailable(err)).toBe(true);
    expect((err as QbError).message).toContain('cannot be saved in this browser window');
    expect((err as QbError).message).toContain('still works');
  });

  it('treats a refused open (private window, file://) the same way, and retries later', async () => {
    await closeProjectsDb();
    const real = indexedDB;
    vi.stubGlobal('indexedDB', {
      open() {
        throw new DOMException('Access denied', 'SecurityError');
      },
    });
    const err = await listProjects().catch((e: unknown) => e);
    expect(isProjectsUnavailable(err)).toBe(true);
    expect((err as QbError).detail).toContain('SecurityError');
    // The failure is not cached: with storage back, the next call works.
    vi.stubGlobal('indexedDB', real);
    await expect(listProjects()).resolves.toEqual([]);
  });

  it('reports a full disk with the usage, the quota and what to do, and saves nothing', async () => {
    const p = await createProject({ name: 'P', demo: false, model: [file('m.onnx', 1)] });
    vi.stubGlobal('navigator', { storage: { estimate: async () => ({ usage: 2_050_000_000, quota: 2_100_000_000 }), persisted: async () => false } });
    vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementation(() => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
    const err = await saveRun(p.id, FULL, []).catch((e: unknown) => e);
    expect(isStorageFull(err)).toBe(true);
    expect(isProjectsUnavailable(err)).toBe(false);
    expect((err as QbError).message).toContain('no room left');
    expect((err as QbError).message).toContain('2.05 GB used of the 2.10 GB');
    expect((err as QbError).message).toContain('Delete old projects in the Projects list');
    vi.restoreAllMocks();
    // The transaction was rolled back: the project was not bumped and no run exists.
    expect((await loadProject(p.id))?.updatedAt).toBe(p.updatedAt);
    expect(await runsOf(p.id)).toEqual([]);
  });

  it('leaves the usage out of the quota message when the browser gives no estimate', async () => {
    vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementation(() => {
      throw new DOMException('full', 'QuotaExceededError');
    });
    const err = await createProject({ name: 'P', demo: false, model: [] }).catch((e: unknown) => e);
    expect(isStorageFull(err)).toBe(true);
    expect((err as QbError).message).toMatch(/^This browser has no room left to save your project\. Delete/);
  });
});

describe('storage', () => {
  it('answers null / false where there is no storage manager (Node)', async () => {
    vi.stubGlobal('navigator', undefined);
    expect(await storageInfo()).toBeNull();
    expect(await requestPersistence()).toBe(false);
  });

  it('reads the estimate and persistence, and asks for persistence', async () => {
    const persist = vi.fn(async () => true);
    vi.stubGlobal('navigator', { storage: { estimate: async () => ({ usage: 12_400_000, quota: 2_100_000_000 }), persisted: async () => true, persist } });
    expect(await storageInfo()).toEqual({ usageBytes: 12_400_000, quotaBytes: 2_100_000_000, persisted: true });
    expect(await requestPersistence()).toBe(true);
    expect(persist).toHaveBeenCalledOnce();
  });

  it('answers null when the estimate fails', async () => {
    vi.stubGlobal('navigator', { storage: { estimate: async () => Promise.reject(new Error('nope')) } });
    expect(await storageInfo()).toBeNull();
  });
});
