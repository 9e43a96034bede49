// Per-node timing from onnxruntime-web's own profiler: which kernels a model runs after ORT's graph optimisations
// (FusedConv, QLinearConv, ...) and how long each takes on this device. The runtime-aware INT8 search reads it.
import { QbError } from '../shared/errors';
import { loadOrt } from './ort';

/** One node of the optimised graph ORT ran (fused nodes keep the name of the node they grew from). */
export interface NodeTiming {
  /** ORT's node name, without the "_token_N" suffix its layout transformer appends. */
  name: string;
  /** Kernel ORT ran, e.g. 'FusedConv', 'QLinearConv', 'DequantizeLinear'. */
  opType: string;
  /** Median kernel time over the profiled runs (first runs excluded), microseconds. */
  medianUs: number;
  /** Elements of the node's first output. */
  outputElements: number;
  /** Element type of its first input ('float', 'uint8', …; '' when unknown). */
  inputType: string;
}

export interface ModelProfile {
  nodes: NodeTiming[];
  /** Median of the profiled runs' wall time (ORT's model_run events), microseconds. */
  runUs: number;
  runs: number;
}

// The wasm module prints the profile (a JSON array of trace events) through its `out` function when profiling
// ends: console.log in browsers, bound when the module starts, and fs.writeSync(1, …) in Node. The capture must
// therefore be installed before onnxruntime-web's wasm module loads (loadOrt does it).
let collector: string[] | null = null;
let installed = false;

/** Routes the wasm module's stdout through a filter that collects lines while a profile is being read. Once per realm. */
export function installProfileCapture(): void {
  if (installed || typeof console === 'undefined') return;
  installed = true;
  const original = console.log.bind(console);
  console.log = (...args: unknown[]): void => {
    if (collector !== null) collector.push(args.map(String).join(' '));
    else original(...args);
  };
}

type NodeFs = { writeSync: (fd: number, text: string) => number };

/** In Node the module writes with fs.writeSync(1, …): swap it for the duration of `work`. */
function withNodeStdout(lines: string[], work: () => void): void {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = proc?.getBuiltinModule?.('fs') as NodeFs | undefined;
  if (fs === undefined) {
    work();
    return;
  }
  const original = fs.writeSync;
  fs.writeSync = ((fd: number, text: unknown, ...rest: unknown[]) => {
    if (fd === 1 && typeof text === 'string') {
      lines.push(text);
      return text.length;
    }
    return (original as (...a: unknown[]) => number).call(fs, fd, text, ...rest);
  }) as NodeFs['writeSync'];
  try {
    work();
  } finally {
    fs.writeSync = original;
  }
}

interface TraceEvent {
  cat: string;
  name: string;
  dur: number;
  args?: { op_name?: string; output_size?: string; input_type_shape?: Record<string, number[]>[]; output_type_shape?: Record<string, number[]>[] };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s.length % 2 === 1 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/**
 * Turns ORT's trace events into per-node medians. The first `skipRuns` runs are dropped (allocation, first-touch).
 * Exported for tests.
 */
export function parseProfile(text: string, skipRuns = 2): ModelProfile {
  const start = text.indexOf('[');
  const end = text.lastIndexOf(']');
  if (start < 0 || end < start) throw new QbError('runtime', 'onnxruntime did not write a profile.', text.slice(0, 200));
  const events = JSON.parse(text.slice(start, end + 1)) as TraceEvent[];
  const runs: number[] = [];
  const perNode = new Map<string, { opType: string; durs: number[]; outputElements: number; inputType: string }>();
  for (const e of events) {
    if (e.cat === 'Session' && e.name === 'model_run') {
      runs.push(e.dur);
      continue;
    }
    if (e.cat === 'Session' && e.name === 'SequentialExecutor::Execute') continue;
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
    // Node events carry no run number: each node's durations are collected in run order.
    const name = e.name.slice(0, -'_kernel_time'.length).replace(/_token_\d+$/, '');
    const entry = perNode.get(name);
    if (entry === undefined) {
      const outShape = Object.values(e.args?.output_type_shape?.[0] ?? {})[0] ?? [];
      const inType = Object.keys(e.args?.input_type_shape?.[0] ?? {})[0] ?? '';
      perNode.set(name, { opType: e.args?.op_name ?? '', durs: [e.dur], outputElements: outShape.reduce((a, b) => a * b, 1), inputType: inType });
    } else {
      entry.durs.push(e.dur);
    }
  }
  const nodes: NodeTiming[] = [];
  for (const [name, r] of perNode) {
    const kept = r.durs.length > skipRuns ? r.durs.slice(skipRuns) : r.durs;
    nodes.push({ name, opType: r.opType, medianUs: median(kept), outputElements: r.outputElements, inputType: r.inputType });
  }
  const keptRuns = runs.length > skipRuns ? runs.slice(skipRuns) : runs;
  return { nodes, runUs: median(keptRuns), runs: runs.length };
}

type Ort = Awaited<ReturnType<typeof loadOrt>>;
type Session = Awaited<ReturnType<Ort['InferenceSession']['create']>>;

/** Deterministic inputs for every graph input (symbolic dims 1): float32 waves, int64 zeros. */
function makeFeeds(ort: Ort, session: Session): Record<string, InstanceType<Ort['Tensor']>> {
  const feeds: Record<string, InstanceType<Ort['Tensor']>> = {};
  for (const name of session.inputNames) {
    const meta = session.inputMetadata.find((m) => m.name === name);
    const shape = meta !== undefined && meta.isTensor ? meta.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1)) : [1];
    const type = meta !== undefined && meta.isTensor ? meta.type : 'float32';
    const count = shape.reduce((a, b) => a * b, 1);
    if (type === 'float32') feeds[name] = new ort.Tensor('float32', Float32Array.from({ length: count }, (_, i) => Math.sin(i * 0.37)), shape);
    else if (type === 'int64') feeds[name] = new ort.Tensor('int64', new BigInt64Array(count), shape);
    else throw new QbError('unsupported', `Per-layer timing feeds float32 or int64 inputs; input "${name}" is ${type}.`);
  }
  return feeds;
}

/**
 * Runs the model `runs` times (default 12) on the CPU with ORT's profiler on and returns per-node medians.
 * `feeds` builds the inputs from ORT's module (so this file stays the only place that makes ORT tensors).
 * @throws QbError('runtime') when ORT fails or writes no profile.
 */
export async function profileModel(bytes: Uint8Array, options: { runs?: number } = {}): Promise<ModelProfile> {
  const ort = await loadOrt();
  const runs = Math.max(3, options.runs ?? 12);
  let session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
  try {
    session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], enableProfiling: true });
  } catch (err) {
    throw new QbError('runtime', 'The browser runtime could not load this model for timing.', err instanceof Error ? err.message : String(err));
  }
  try {
    const feeds = makeFeeds(ort, session);
    for (let i = 0; i < runs; i++) await session.run(feeds);
    const lines: string[] = [];
    collector = lines;
    try {
      withNodeStdout(lines, () => session.endProfiling());
    } finally {
      collector = null;
    }
    return parseProfile(lines.join('\n'));
  } finally {
    await session.release();
  }
}

/**
 * Median latency of one CPU inference of the model, ms: a few warm-up runs, then runs until `budgetMs` has passed
 * (at least `minRuns`). Inputs as profileModel. Used to compare candidate INT8 layouts, not as a benchmark result.
 */
export async function timeModelMs(bytes: Uint8Array, options: { budgetMs?: number; minRuns?: number; warmupRuns?: number } = {}): Promise<number> {
  const ort = await loadOrt();
  let session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
  try {
    session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  } catch (err) {
    throw new QbError('runtime', 'The browser runtime could not load this model for timing.', err instanceof Error ? err.message : String(err));
  }
  try {
    const feeds = makeFeeds(ort, session);
    for (let i = 0; i < (options.warmupRuns ?? 3); i++) await session.run(feeds);
    const budgetMs = options.budgetMs ?? 800;
    const minRuns = options.minRuns ?? 5;
    const samples: number[] = [];
    const start = performance.now();
    while (samples.length < minRuns || performance.now() - start < budgetMs) {
      const t = performance.now();
      await session.run(feeds);
      samples.push(performance.now() - t);
      if (samples.length >= 1000) break;
    }
    return median(samples);
  } finally {
    await session.release();
  }
}

let probeDevice = 'WebAssembly (CPU)';

/** The CPU speed probe of this realm (profileModel + timeModelMs), for the runtime-aware INT8 search. */
export function cpuSpeedProbe(): { profile(bytes: Uint8Array): Promise<ModelProfile>; time(bytes: Uint8Array): Promise<number>; compare(models: readonly Uint8Array[]): Promise<number[]>; describe(): string } {
  return {
    async profile(bytes) {
      const ort = await loadOrt();
      const threads = ort.env.wasm.numThreads ?? 1;
      probeDevice = `WebAssembly (CPU), ${threads} thread${threads === 1 ? '' : 's'}`;
      return profileModel(bytes);
    },
    time: (bytes) => timeModelMs(bytes),
    compare: async (models) => (await compareModelsMs(models, { budgetMs: 1500 * models.length })).medianMs,
    describe: () => probeDevice,
  };
}

/** Paired timing of several models: medians, ms, in the order given, and how many runs each got. */
export interface PairedTiming {
  medianMs: number[];
  runs: number;
}

/**
 * Times several models against each other in one realm, alternating one run of each (A, B, C, A, B, C …) until
 * `budgetMs` has passed: a slow phase of a shared machine then hits every model alike, so their ratio stays
 * steady even when absolute times do not. Sessions are created first and released at the end.
 */
export async function compareModelsMs(models: readonly Uint8Array[], options: { budgetMs?: number; minRuns?: number; warmupRuns?: number; checkpoint?: () => Promise<void> } = {}): Promise<PairedTiming> {
  const ort = await loadOrt();
  const sessions: Session[] = [];
  try {
    for (const bytes of models) {
      try {
        sessions.push(await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] }));
      } catch (err) {
        throw new QbError('runtime', 'The browser runtime could not load a model for timing.', err instanceof Error ? err.message : String(err));
      }
    }
    const feeds = sessions.map((s) => makeFeeds(ort, s));
    for (let i = 0; i < (options.warmupRuns ?? 3); i++) for (let m = 0; m < sessions.length; m++) await sessions[m]!.run(feeds[m]!);
    const samples = sessions.map(() => [] as number[]);
    const budgetMs = options.budgetMs ?? 3000;
    const minRuns = options.minRuns ?? 5;
    const start = performance.now();
    let lastCheck = start;
    let runs = 0;
    while (runs < minRuns || performance.now() - start < budgetMs) {
      for (let m = 0; m < sessions.length; m++) {
        const t = performance.now();
        await sessions[m]!.run(feeds[m]!);
        samples[m]!.push(performance.now() - t);
      }
      runs++;
      if (runs >= 2000) break;
      if (options.checkpoint !== undefined && performance.now() - lastCheck > 100) {
        await options.checkpoint();
        lastCheck = performance.now();
      }
    }
    return { medianMs: samples.map(median), runs };
  } finally {
    for (const s of sessions) await s.release();
  }
}
