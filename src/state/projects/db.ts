// The projects database (IndexedDB 'quantbench' via idb): projects with their model and dataset files, saved runs
// with their reports and variant files, the last opened project, storage estimates, and plain-language errors.
//
// Blob storage: Blobs and Files go into IndexedDB as they are. The browser's structured clone stores them by
// reference to its own blob storage (no copy into JS memory, no base64), and reading a record back gives Blobs
// whose bytes are only read when someone calls arrayBuffer()/stream(). Node 20's structuredClone also clones
// Blob, and fake-indexeddb uses it, so the tests store real Blobs through the same path (checked in db.test.ts).
// One difference: Node turns a File into a plain Blob (its name is lost) while browsers keep the File; that is
// why StoredFile carries name/path/type next to the blob and nothing here reads blob.name.
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import { QbError, isQbError } from '../../shared/errors';
import { formatBytes, formatFactor } from '../report/format';
import type { RunReport, VariantId } from '../report/types';
import type { ProjectRecord, ProjectSummary, RunRecord, RunSummary, StorageInfo, StoredFile } from './types';

export const DB_NAME = 'quantbench';
const DB_VERSION = 1;
const LAST_PROJECT_KEY = 'lastProjectId';

interface QuantbenchDB extends DBSchema {
  projects: { key: string; value: ProjectRecord };
  runs: { key: string; value: RunRecord; indexes: { projectId: string } };
  meta: { key: typeof LAST_PROJECT_KEY; value: string };
}

type Store = StoreNames<QuantbenchDB>;

/** Shown when IndexedDB is missing or refused (private windows, file://, storage blocked by settings). */
export const PROJECTS_UNAVAILABLE_MESSAGE =
  'Projects cannot be saved in this browser window (it does not allow local storage here, as in some private windows). ' +
  'Everything else still works; your model, data and results just will not be kept after you close or reload the page.';

const NOT_FOUND_MESSAGE = 'That project is no longer saved in this browser (it may have been deleted in another tab). Open another one from the Projects list.';

/** True when the error means "this browser window cannot keep projects at all" (not a one-off failure). */
export function isProjectsUnavailable(err: unknown): boolean {
  return isQbError(err) && err.code === 'unsupported';
}

/** True when the error means the browser's storage for this site is full. */
export function isStorageFull(err: unknown): boolean {
  return isQbError(err) && err.code === 'too-large';
}

// ---- Connection ----

// One connection for the page: opening is slow-ish and every open holds a lock against future upgrades.
// It is made on first use and dropped when the browser closes it or another tab wants a newer version.
let connection: Promise<IDBPDatabase<QuantbenchDB>> | null = null;

function unavailable(detail: string): QbError {
  return new QbError('unsupported', PROJECTS_UNAVAILABLE_MESSAGE, detail);
}

function getDb(): Promise<IDBPDatabase<QuantbenchDB>> {
  if (connection) return connection;
  const opening = (async () => {
    if (typeof indexedDB === 'undefined' || indexedDB === null) throw unavailable('indexedDB is not defined in this context');
    try {
      return await openDB<QuantbenchDB>(DB_NAME, DB_VERSION, {
        upgrade(db) {
          if (!db.objectStoreNames.contains('projects')) db.createObjectStore('projects', { keyPath: 'id' });
          if (!db.objectStoreNames.contains('runs')) db.createObjectStore('runs', { keyPath: 'id' }).createIndex('projectId', 'projectId');
          if (!db.objectStoreNames.contains('meta')) db.createObjectStore('meta');
        },
        // Another tab opens a newer version: let it upgrade instead of hanging, and reopen on the next call.
        blocking(_current, _blocked, event) {
          (event.target as IDBDatabase).close();
          if (connection === opening) connection = null;
        },
        // The browser closed the connection (storage cleared, disk error).
        terminated() {
          if (connection === opening) connection = null;
        },
      });
    } catch (err) {
      // Private windows, file:// pages and blocked site data make open() throw or fail (SecurityError,
      // InvalidStateError, UnknownError): all mean the same to the user.
      throw unavailable(describe(err));
    }
  })();
  connection = opening;
  // A failed open is not cached, so the next call tries again (the user may have changed a setting).
  opening.catch(() => {
    if (connection === opening) connection = null;
  });
  return opening;
}

/** Closes the connection (tests, or before deleting the database); the next call reopens it. */
export async function closeProjectsDb(): Promise<void> {
  const current = connection;
  connection = null;
  if (!current) return;
  try {
    (await current).close();
  } catch {
    // It never opened: nothing to close.
  }
}

// ---- Errors ----

function describe(err: unknown): string {
  if (err instanceof Error || (typeof DOMException !== 'undefined' && err instanceof DOMException)) return `${err.name}: ${err.message}`;
  return String(err);
}

function isQuotaError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null || !('name' in err)) return false;
  // Firefox before 2021 named it NS_ERROR_DOM_QUOTA_REACHED.
  return err.name === 'QuotaExceededError' || err.name === 'NS_ERROR_DOM_QUOTA_REACHED';
}

async function toProjectsError(err: unknown): Promise<QbError> {
  if (isQbError(err)) return err;
  if (isQuotaError(err)) {
    const info = await storageInfo();
    const used = info && info.quotaBytes > 0 ? ` (${formatBytes(info.usageBytes)} used of the ${formatBytes(info.quotaBytes)} it allows)` : '';
    return new QbError(
      'too-large',
      `This browser has no room left to save your project${used}. Delete old projects in the Projects list, then try again. ` +
        'Your work in this window still runs; it is just not saved.',
      describe(err),
    );
  }
  return new QbError(
    'internal',
    'Quantbench could not read or save your projects in this browser. Your work in this window still runs; reload the page to try again.',
    describe(err),
  );
}

/** Runs one database operation and turns whatever it throws into a QbError with plain words. */
async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw await toProjectsError(err);
  }
}

/**
 * Runs `body` in one transaction and resolves once it committed. On failure it reports the transaction's own
 * error when that is a quota error: browsers often fail the request with a generic AbortError and put the
 * QuotaExceededError on the transaction.
 */
async function inTx<const N extends Store[], M extends IDBTransactionMode, T>(
  stores: N,
  mode: M,
  body: (tx: IDBPTransaction<QuantbenchDB, N, M>) => Promise<T>,
): Promise<T> {
  const db = await getDb();
  const tx = db.transaction(stores, mode);
  const done = tx.done;
  // Awaited below in both paths; this only stops an "unhandled rejection" while body is still running.
  done.catch(() => undefined);
  try {
    const result = await body(tx);
    await done;
    return result;
  } catch (err) {
    try {
      tx.abort();
    } catch {
      // Already aborted or finished.
    }
    await done.catch(() => undefined);
    throw isQuotaError(tx.error) ? tx.error : err;
  }
}

// ---- Records ----

function now(): string {
  return new Date().toISOString();
}

/** Keeps the four fields only: a caller's richer object (a handle, a preview URL) might not be cloneable. */
function copyFiles(files: StoredFile[]): StoredFile[] {
  return files.map((f) => ({ name: f.name, path: f.path || f.name, type: f.type, blob: f.blob }));
}

function byNewest<T extends { createdAt: string; id: string }>(key: (item: T) => string) {
  return (a: T, b: T) => key(b).localeCompare(key(a)) || b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id);
}

export async function createProject(input: { name: string; demo: boolean; model: StoredFile[] }): Promise<ProjectRecord> {
  return guard(() =>
    inTx(['projects', 'meta'], 'readwrite', async (tx) => {
      const at = now();
      const model = copyFiles(input.model);
      const record: ProjectRecord = {
        id: crypto.randomUUID(),
        name: input.name.trim() || model[0]?.name || 'Untitled project',
        createdAt: at,
        updatedAt: at,
        demo: input.demo,
        model,
        dataset: [],
        datasetName: null,
      };
      await Promise.all([tx.objectStore('projects').add(record), tx.objectStore('meta').put(record.id, LAST_PROJECT_KEY)]);
      return record;
    }),
  );
}

/** Replaces the project's dataset (an empty list removes it). */
export async function setProjectDataset(id: string, dataset: StoredFile[], datasetName: string | null): Promise<void> {
  await guard(() =>
    inTx(['projects'], 'readwrite', async (tx) => {
      const store = tx.objectStore('projects');
      const record = await store.get(id);
      if (!record) throw new QbError('internal', NOT_FOUND_MESSAGE, `project ${id} not found`);
      await store.put({ ...record, dataset: copyFiles(dataset), datasetName, updatedAt: now() });
    }),
  );
}

/** Renames without touching updatedAt: the list is sorted by it, and a rename should not make the row jump away. */
export async function renameProject(id: string, name: string): Promise<void> {
  const trimmed = name.trim();
  if (!trimmed) throw new QbError('internal', 'A project needs a name. Type at least one letter, then save it again.');
  await guard(() =>
    inTx(['projects'], 'readwrite', async (tx) => {
      const store = tx.objectStore('projects');
      const record = await store.get(id);
      if (!record) throw new QbError('internal', NOT_FOUND_MESSAGE, `project ${id} not found`);
      await store.put({ ...record, name: trimmed });
    }),
  );
}

export async function loadProject(id: string): Promise<ProjectRecord | null> {
  return guard(async () => (await (await getDb()).get('projects', id)) ?? null);
}

/** Every project with its runs, newest change first. Sizes come from blob.size (no file is read). */
export async function listProjects(): Promise<ProjectSummary[]> {
  return guard(() =>
    inTx(['projects', 'runs'], 'readonly', async (tx) => {
      const [projects, runs] = await Promise.all([tx.objectStore('projects').getAll(), tx.objectStore('runs').getAll()]);
      const runsByProject = new Map<string, RunRecord[]>();
      for (const run of runs) {
        const list = runsByProject.get(run.projectId);
        if (list) list.push(run);
        else runsByProject.set(run.projectId, [run]);
      }
      return projects.map((p) => summarizeProject(p, runsByProject.get(p.id) ?? [])).sort(byNewest((p) => p.updatedAt));
    }),
  );
}

/** A blob-free summary of one project (runs in any order; sorted newest first here). */
export function summarizeProject(record: ProjectRecord, runs: RunRecord[]): ProjectSummary {
  const sum = (files: StoredFile[]) => files.reduce((total, f) => total + f.blob.size, 0);
  // External-data files sit next to the .onnx file; the .onnx one names the model.
  const main = record.model.find((f) => f.name.toLowerCase().endsWith('.onnx')) ?? record.model[0];
  return {
    id: record.id,
    name: record.name,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    demo: record.demo,
    modelName: main?.name ?? '',
    modelBytes: sum(record.model),
    datasetFiles: record.dataset.length,
    datasetBytes: sum(record.dataset),
    runs: [...runs].sort(byNewest((r) => r.createdAt)).map(summarizeRun),
  };
}

export function summarizeRun(run: RunRecord): RunSummary {
  return { id: run.id, createdAt: run.createdAt, headline: runHeadline(run.report), variants: run.report.variants.map((v) => v.id) };
}

const HEADLINE_ORDER: VariantId[] = ['int8', 'fp16'];

/** "INT8 3.9x smaller, 1.3x faster; FP16 2.0x smaller": the made variants against FP32, INT8 first (the usual goal). */
export function runHeadline(report: RunReport): string {
  const parts = HEADLINE_ORDER.flatMap((id) => {
    const v = report.variants.find((x) => x.id === id);
    if (!v) return [];
    const words = [ratioWords(v.shrink, 'smaller', 'larger', 'same size')];
    if (v.speedup !== null) words.push(ratioWords(v.speedup, 'faster', 'slower', 'same speed'));
    return [`${id.toUpperCase()} ${words.join(', ')}`];
  });
  if (parts.length > 0) return parts.join('; ');
  return report.problems.length > 0 ? 'No smaller model made (see the problems in the report)' : 'Original model only';
}

/** 3.9 -> "3.9x smaller", 0.8 -> "1.3x slower": a factor below 1 reads better turned round. */
function ratioWords(factor: number, better: string, worse: string, same: string): string {
  if (!Number.isFinite(factor) || factor <= 0) return same;
  if (formatFactor(factor) === '1.0x' && formatFactor(1 / factor) === '1.0x') return same;
  return factor >= 1 ? `${formatFactor(factor)} ${better}` : `${formatFactor(1 / factor)} ${worse}`;
}

// ---- Runs ----

export async function saveRun(projectId: string, report: RunReport, variants: RunRecord['variants']): Promise<RunRecord> {
  return guard(() =>
    inTx(['projects', 'runs'], 'readwrite', async (tx) => {
      const projects = tx.objectStore('projects');
      const project = await projects.get(projectId);
      if (!project) throw new QbError('internal', NOT_FOUND_MESSAGE, `project ${projectId} not found`);
      const at = now();
      const run: RunRecord = {
        id: crypto.randomUUID(),
        projectId,
        createdAt: at,
        report,
        variants: variants.map((v) => ({ id: v.id, fileName: v.fileName, blob: v.blob })),
      };
      await Promise.all([tx.objectStore('runs').add(run), projects.put({ ...project, updatedAt: at })]);
      return run;
    }),
  );
}

export async function loadRun(id: string): Promise<RunRecord | null> {
  return guard(async () => (await (await getDb()).get('runs', id)) ?? null);
}

/** The project's runs, newest first. */
export async function runsOf(projectId: string): Promise<RunRecord[]> {
  return guard(async () => {
    const runs = await (await getDb()).getAllFromIndex('runs', 'projectId', projectId);
    return runs.sort(byNewest((r) => r.createdAt));
  });
}

export async function deleteRun(id: string): Promise<void> {
  await guard(async () => (await getDb()).delete('runs', id));
}

/** Deletes the project and all its runs in one transaction (all or nothing), and forgets it as the last project. */
export async function deleteProject(id: string): Promise<void> {
  await guard(() =>
    inTx(['projects', 'runs', 'meta'], 'readwrite', async (tx) => {
      const runs = tx.objectStore('runs');
      const meta = tx.objectStore('meta');
      const [runIds, last] = await Promise.all([runs.index('projectId').getAllKeys(id), meta.get(LAST_PROJECT_KEY)]);
      await Promise.all([
        tx.objectStore('projects').delete(id),
        ...runIds.map((runId) => runs.delete(runId)),
        ...(last === id ? [meta.delete(LAST_PROJECT_KEY)] : []),
      ]);
    }),
  );
}

// ---- Last project ----

/** The project to reopen after a reload; null when none was set or it no longer exists. */
export async function getLastProjectId(): Promise<string | null> {
  return guard(() =>
    inTx(['meta', 'projects'], 'readonly', async (tx) => {
      const id = await tx.objectStore('meta').get(LAST_PROJECT_KEY);
      if (id === undefined) return null;
      return (await tx.objectStore('projects').getKey(id)) === undefined ? null : id;
    }),
  );
}

export async function setLastProjectId(id: string | null): Promise<void> {
  await guard(async () => {
    const db = await getDb();
    if (id === null) await db.delete('meta', LAST_PROJECT_KEY);
    else await db.put('meta', id, LAST_PROJECT_KEY);
  });
}

// ---- Storage ----

function storageManager(): StorageManager | null {
  if (typeof navigator === 'undefined' || !navigator.storage || typeof navigator.storage.estimate !== 'function') return null;
  return navigator.storage;
}

/** The browser's estimate for this site; null where there is none (Node, old browsers, some privacy modes). */
export async function storageInfo(): Promise<StorageInfo | null> {
  const storage = storageManager();
  if (!storage) return null;
  try {
    const estimate = await storage.estimate();
    if (typeof estimate.quota !== 'number' || typeof estimate.usage !== 'number') return null;
    const persisted = typeof storage.persisted === 'function' ? await storage.persisted() : false;
    return { usageBytes: estimate.usage, quotaBytes: estimate.quota, persisted };
  } catch {
    return null;
  }
}

/**
 * Asks the browser not to evict the projects under storage pressure. Chrome decides silently (site engagement),
 * Firefox may ask the user; false when refused or unsupported.
 */
export async function requestPersistence(): Promise<boolean> {
  const storage = storageManager();
  if (!storage || typeof storage.persist !== 'function') return false;
  try {
    return await storage.persist();
  } catch {
    return false;
  }
}
