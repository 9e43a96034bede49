// Projects slice: every model the user loads becomes a project kept in this browser (IndexedDB via projects/db.ts):
// its model file, dataset files, and each Optimize run with its variant files. The last project reopens on reload.
import type { StateCreator } from 'zustand';
import { toQbError, type QbErrorData } from '../shared/errors';
import { droppedDatasetFiles } from './dataset-slice';
import * as db from './projects/db';
import type { ProjectSummary, StorageInfo, StoredFile } from './projects/types';
import type { RunReport, VariantId } from './report/types';
import type { AppState } from './store';

export interface ProjectsState {
  list: ProjectSummary[];
  /** The project the loaded model belongs to (null before a model loads, or when saving is unavailable). */
  currentId: string | null;
  storage: StorageInfo | null;
  /** Why projects cannot be saved in this browser window, or null. */
  unavailable: string | null;
  /** Reopening a saved project (model, dataset, last run). */
  restoring: boolean;
  error: QbErrorData | null;
}

export interface ProjectsSlice {
  projects: ProjectsState;
  refreshProjects(): Promise<void>;
  /** Reopens the project used last (app start). */
  restoreLastProject(): Promise<void>;
  openProject(id: string): Promise<void>;
  openRun(projectId: string, runId: string): Promise<void>;
  deleteProject(id: string): Promise<void>;
  deleteRun(projectId: string, runId: string): Promise<void>;
  /** Saves a finished run (report + variant files) into the current project; returns its id, or null when not saved. */
  saveRunToProject(report: RunReport, files: Partial<Record<VariantId, Blob>>): Promise<string | null>;
  dismissProjectsError(): void;
}

/** True while a project is being reopened: loading its model and dataset must not save them again as new. */
let restoring = false;

function toStored(file: File, path = file.name): StoredFile {
  return { name: file.name, path, type: file.type, blob: file };
}

function toFile(f: StoredFile): File {
  return f.blob instanceof File && f.blob.name === f.name ? f.blob : new File([f.blob], f.name, { type: f.type });
}

/** The folder (or zip) the dataset came from, for the project list. */
function datasetName(paths: readonly string[]): string | null {
  const first = paths[0];
  if (first === undefined) return null;
  return first.includes('/') ? first.split('/')[0]! : `${paths.length} files`;
}

export const createProjectsSlice: StateCreator<AppState, [], [], ProjectsSlice> = (set, get, store) => {
  const setProjects = (patch: Partial<ProjectsState>): void => set((s) => ({ projects: { ...s.projects, ...patch } }));
  const fail = (err: unknown): void => {
    const e = toQbError(err);
    setProjects({ error: e.toData() });
  };
  const unavailable = (err: unknown): boolean => {
    const e = toQbError(err);
    if (e.code !== 'unsupported') return false;
    setProjects({ unavailable: e.message, currentId: null });
    return true;
  };

  // A model loaded by the user (not reopened) starts a project; a dataset loaded into it is saved with it.
  store.subscribe((s, prev) => {
    if (restoring) return;
    if (s.model.files !== prev.model.files && s.model.card !== null && s.model.status === 'done') {
      const demo = s.demo.modelFile !== null && s.model.files[0] === s.demo.modelFile;
      const card = s.model.card;
      void db
        .createProject({ name: card.fileName.replace(/\.onnx$/i, ''), demo, model: s.model.files.map((f) => toStored(f)) })
        .then(async (p) => {
          setProjects({ currentId: p.id, unavailable: null });
          // Ask once that the browser keep saved projects when the disk runs low (it may say no; nothing else changes).
          if (get().projects.storage?.persisted !== true) await db.requestPersistence();
          return get().refreshProjects();
        })
        .catch((err: unknown) => {
          if (!unavailable(err)) fail(err);
        });
    }
    const id = s.projects.currentId;
    if (id !== null && s.dataset.status === 'done' && prev.dataset.status !== 'done' && !restoring) {
      const dropped = droppedDatasetFiles();
      const stored = dropped.map((d) => toStored(d.file, d.path));
      void db
        .setProjectDataset(id, stored, datasetName(dropped.map((d) => d.path)))
        .then(() => get().refreshProjects())
        .catch(fail);
    }
  });

  return {
    projects: { list: [], currentId: null, storage: null, unavailable: null, restoring: false, error: null },

    async refreshProjects() {
      try {
        const [list, storage] = await Promise.all([db.listProjects(), db.storageInfo()]);
        setProjects({ list, storage });
      } catch (err) {
        if (!unavailable(err)) fail(err);
      }
    },

    async restoreLastProject() {
      try {
        const id = await db.getLastProjectId();
        await get().refreshProjects();
        if (id !== null && get().model.card === null && get().model.status !== 'running') await get().openProject(id);
      } catch (err) {
        if (!unavailable(err)) fail(err);
      }
    },

    async openProject(id) {
      restoring = true;
      setProjects({ restoring: true, error: null });
      try {
        const rec = await db.loadProject(id);
        if (rec === null) throw new Error('That project is no longer saved in this browser.');
        await get().loadModel(rec.model.map(toFile));
        if (get().model.error !== null) return;
        setProjects({ currentId: id });
        if (rec.dataset.length > 0) await get().loadDataset(rec.dataset.map((f) => ({ file: toFile(f), path: f.path })));
        else get().clearDataset();
        await db.setLastProjectId(id);
        const runs = await db.runsOf(id);
        const last = runs[0];
        if (last !== undefined) await get().openRun(id, last.id);
        else set((s) => ({ workflow: { ...s.workflow, report: null, runId: null, downloads: {} } }));
      } catch (err) {
        fail(err);
      } finally {
        restoring = false;
        setProjects({ restoring: false });
      }
    },

    async openRun(projectId, runId) {
      try {
        if (get().projects.currentId !== projectId) {
          await get().openProject(projectId);
          if (get().workflow.runId === runId) return;
        }
        const run = await db.loadRun(runId);
        if (run === null) throw new Error('That run is no longer saved in this browser.');
        const files: Partial<Record<VariantId, Blob>> = {};
        for (const v of run.variants) files[v.id] = v.blob;
        // FP32 is the project's own model file.
        if (files.fp32 === undefined && get().model.files.length === 1) files.fp32 = get().model.files[0];
        get().showRun(run.report, run.id, files);
      } catch (err) {
        fail(err);
      }
    },

    async deleteProject(id) {
      try {
        await db.deleteProject(id);
        if (get().projects.currentId === id) setProjects({ currentId: null });
        await get().refreshProjects();
      } catch (err) {
        fail(err);
      }
    },

    async deleteRun(_projectId, runId) {
      try {
        await db.deleteRun(runId);
        if (get().workflow.runId === runId) set((s) => ({ workflow: { ...s.workflow, report: null, runId: null, downloads: {} } }));
        await get().refreshProjects();
      } catch (err) {
        fail(err);
      }
    },

    async saveRunToProject(report, files) {
      const id = get().projects.currentId;
      if (id === null) return null;
      // FP32 is kept once, as the project's model.
      const variants = (Object.entries(files) as [VariantId, Blob][])
        .filter(([v]) => v !== 'fp32')
        .map(([v, blob]) => ({ id: v, fileName: report.variants.find((r) => r.id === v)?.fileName ?? `${v}.onnx`, blob }));
      const run = await db.saveRun(id, report, variants);
      void get().refreshProjects();
      return run.id;
    },

    dismissProjectsError() {
      setProjects({ error: null });
    },
  };
};
