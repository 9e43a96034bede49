// The app store: typed zustand slices (model, runtime, demo). Workers, AbortControllers and typed arrays
// stay outside the state; only plain data lives here.
import { isBigModel } from '../shared/files';
import { proxy } from 'comlink';
import { create } from 'zustand';
import type { ModelCard } from '../onnx/summary';
import type { ClassifyReport } from '../pipeline/classify';
import type { RuntimeInfo } from '../runtime/probe';
import type { PreprocessRecipe } from '../data/preprocess';
import { QbError, toQbError, type QbErrorData } from '../shared/errors';
import { createModelClient, createRuntimeClient } from '../../workers/clients';
import { createBenchSlice, type BenchSlice } from './bench-slice';
import { createDatasetSlice, type DatasetSlice } from './dataset-slice';
import { demoInputsFor, setDemoInputs } from './demo-inputs';
import { createOptimizeSlice, type OptimizeSlice } from './optimize-slice';
import { createProjectsSlice, type ProjectsSlice } from './projects-slice';
import { createWorkflowSlice, type WorkflowSlice } from './workflow-slice';
import { progressTracker, type ProgressView } from './progress-view';

export type JobStatus = 'idle' | 'running' | 'done' | 'error';

export interface ModelSlice {
  model: {
    status: JobStatus;
    /** Card of the last model that loaded; kept when a later file fails, so nothing is lost. */
    card: ModelCard | null;
    /** Files behind `card`, kept for running the model. */
    files: File[];
    loadingName: string;
    progress: ProgressView | null;
    error: QbErrorData | null;
  };
  loadModel(files: File[]): Promise<void>;
  cancelModel(): void;
  dismissModelError(): void;
}

export interface RuntimeSlice {
  runtime: { status: JobStatus; info: RuntimeInfo | null; error: QbErrorData | null };
  probeRuntime(): Promise<void>;
}

export interface DemoImage {
  name: string;
  url: string;
  label: number;
}

export interface DemoSlice {
  demo: {
    status: JobStatus;
    classes: string[];
    images: DemoImage[];
    report: ClassifyReport | null;
    /** The demo's model file: its results belong to the card while model.files[0] is this file. */
    modelFile: File | null;
    progress: ProgressView | null;
    error: QbErrorData | null;
  };
  runDemo(): Promise<void>;
  /** The whole flow on the demo: load it, use its images as the dataset, Optimize; Compare shows the result. */
  runFullDemo(): Promise<void>;
  cancelDemo(): void;
  dismissDemoError(): void;
}

export type AppState = ModelSlice & RuntimeSlice & DemoSlice & DatasetSlice & OptimizeSlice & BenchSlice & WorkflowSlice & ProjectsSlice;

interface DemoManifest {
  model: string;
  classes: string[];
  preprocess: PreprocessRecipe;
  images: { file: string; label: string }[];
}

const modelClient = createModelClient();
const runtimeClient = createRuntimeClient();
let modelAbort: AbortController | undefined;
let demoAbort: AbortController | undefined;
/** The demo's class names in the model's output order (written as classes.txt next to its images). */
let demoClasses: string[] = [];

async function fetchFile(url: string, name: string, type: string, signal: AbortSignal): Promise<File> {
  const res = await fetch(url, { signal });
  if (!res.ok) throw new QbError('internal', `The demo file ${name} is missing from this build.`, `${url}: HTTP ${res.status}`);
  return new File([await res.blob()], name, { type });
}

export const useStore = create<AppState>()((set, get, store) => ({
  ...createDatasetSlice(set, get, store),
  ...createOptimizeSlice(set, get, store),
  ...createBenchSlice(set, get, store),
  ...createWorkflowSlice(set, get, store),
  ...createProjectsSlice(set, get, store),

  model: { status: 'idle', card: null, files: [], loadingName: '', progress: null, error: null },

  async loadModel(files) {
    modelAbort?.abort();
    const abort = new AbortController();
    modelAbort = abort;
    const name = files.find((f) => /\.(onnx|ort)$/i.test(f.name))?.name ?? files[0]?.name ?? '';
    set((s) => ({ model: { ...s.model, status: 'running', loadingName: name, progress: null, error: null } }));
    const onProgress = progressTracker((view) => {
      if (modelAbort === abort) set((s) => ({ model: { ...s.model, progress: view } }));
    });
    try {
      const card = await modelClient.run((api, jobId) => api.inspect(jobId, files, proxy(onProgress)), abort.signal, { recycle: isBigModel(files) });
      if (modelAbort !== abort) return;
      set({ model: { status: 'done', card, files, loadingName: '', progress: null, error: null } });
      // An FP16 variant and device results belong to the previous model.
      get().resetOptimize();
      // Label mapping and the suggested preprocessing depend on the model: redo them for the new one.
      void get().rescanDataset();
    } catch (err) {
      if (modelAbort !== abort) return;
      const e = toQbError(err);
      set((s) => ({
        model: { ...s.model, status: e.code === 'cancelled' ? (s.model.card ? 'done' : 'idle') : 'error', loadingName: '', progress: null, error: e.code === 'cancelled' ? null : e.toData() },
      }));
    }
  },

  cancelModel() {
    modelAbort?.abort();
    modelAbort = undefined;
    set((s) => ({ model: { ...s.model, status: s.model.card ? 'done' : 'idle', loadingName: '', progress: null } }));
  },

  dismissModelError() {
    set((s) => ({ model: { ...s.model, error: null, status: s.model.card ? 'done' : 'idle' } }));
  },

  runtime: { status: 'idle', info: null, error: null },

  async probeRuntime() {
    if (get().runtime.status === 'running') return;
    set({ runtime: { status: 'running', info: null, error: null } });
    try {
      const info = await runtimeClient.run((api) => api.probe());
      set({ runtime: { status: 'done', info, error: null } });
    } catch (err) {
      set({ runtime: { status: 'error', info: null, error: toQbError(err).toData() } });
    }
  },

  demo: { status: 'idle', classes: [], images: [], report: null, modelFile: null, progress: null, error: null },

  async runDemo() {
    demoAbort?.abort();
    const abort = new AbortController();
    demoAbort = abort;
    set((s) => ({ demo: { ...s.demo, status: 'running', report: null, progress: null, error: null } }));
    const onProgress = progressTracker((view) => {
      if (demoAbort === abort) set((s) => ({ demo: { ...s.demo, progress: view } }));
    });
    try {
      const base = `${import.meta.env.BASE_URL}demo/`;
      const res = await fetch(`${base}demo.json`, { signal: abort.signal });
      if (!res.ok) throw new QbError('internal', 'The demo is missing from this build.', `demo.json: HTTP ${res.status}`);
      const manifest = (await res.json()) as DemoManifest;
      const modelFile = await fetchFile(base + manifest.model, manifest.model, 'application/octet-stream', abort.signal);
      const listed = manifest.images.map((img) => ({ name: img.file.split('/').pop() ?? img.file, url: base + img.file, label: manifest.classes.indexOf(img.label) }));
      demoClasses = manifest.classes;
      set((s) => ({ demo: { ...s.demo, classes: manifest.classes, images: listed } }));
      const images = await Promise.all(listed.map(async (img) => ({ file: await fetchFile(img.url, img.name, 'image/png', abort.signal), label: img.label })));
      setDemoInputs({ modelFile, images: images.map((img) => ({ ...img, path: `${manifest.classes[img.label] ?? 'images'}/${img.file.name}` })), recipe: manifest.preprocess });
      set((s) => ({ demo: { ...s.demo, modelFile } }));
      await get().loadModel([modelFile]);
      if (demoAbort !== abort || abort.signal.aborted) return;
      const report = await runtimeClient.run((api, jobId) => api.classify(jobId, { model: modelFile, images, recipe: manifest.preprocess }, proxy(onProgress)), abort.signal);
      if (demoAbort !== abort) return;
      set((s) => ({ demo: { ...s.demo, status: 'done', report, progress: null } }));
      void get().probeRuntime();
    } catch (err) {
      if (demoAbort !== abort) return;
      // A cancelled fetch rejects with a DOMException, not our QbError: the signal says what happened.
      const e = abort.signal.aborted ? new QbError('cancelled', 'Cancelled.') : toQbError(err);
      set((s) => ({ demo: { ...s.demo, status: e.code === 'cancelled' ? 'idle' : 'error', progress: null, error: e.code === 'cancelled' ? null : e.toData() } }));
    }
  },

  async runFullDemo() {
    await get().runDemo();
    const s = get();
    const inputs = demoInputsFor(s.model.files[0]);
    if (s.demo.status !== 'done' || inputs === null) return;
    // Class folders label the images; the class list puts the names in the model's output order.
    const classes = new File([`${demoClasses.join('\n')}\n`], 'classes.txt', { type: 'text/plain' });
    await get().loadDataset([...inputs.images.map((i) => ({ file: i.file, path: i.path })), { file: classes, path: 'classes.txt' }]);
    if (get().dataset.error !== null || get().dataset.images.length === 0) return;
    get().setRecipe(inputs.recipe);
    await get().runOptimize();
  },

  dismissDemoError() {
    set((s) => ({ demo: { ...s.demo, error: null, status: s.demo.report ? 'done' : 'idle' } }));
  },

  cancelDemo() {
    // Settle the UI at once; the aborted job's late answers are ignored because demoAbort moved on.
    demoAbort?.abort();
    demoAbort = undefined;
    if (get().model.status === 'running') get().cancelModel();
    set((s) => ({ demo: { ...s.demo, status: 'idle', progress: null } }));
  },
}));
