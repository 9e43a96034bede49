// Runtime-aware INT8: time every layer in FP32 and INT8 on this device, choose which layers stay integer (quant/
// speed-plan), then time the candidate models against FP32 and plain INT8 and keep the fastest. Measure, then choose.
import type { GraphProto } from '../onnx/proto/onnx_pb';
import { borderRates, chooseLayout, type BorderRates, type NodeSpeed, type TimedNode } from '../quant/speed-plan';

/** How the search measures models: the runtime implements it (a worker in the app, Chromium for the CLI). */
export interface SpeedProbe {
  /** Per-node kernel times of the model (onnxruntime's profiler). */
  profile(bytes: Uint8Array): Promise<{ nodes: TimedNode[] }>;
  /** Median latency of one inference, ms, after a warm-up. */
  time(bytes: Uint8Array): Promise<number>;
  /**
   * Median latency of each model, ms, timed alternately in one place (A, B, C, A, B, C …) so that a slow phase of
   * the machine hits all alike. Preferred over `time` when present.
   */
  compare?(models: readonly Uint8Array[]): Promise<number[]>;
  /** Where it measured, in plain words ("onnxruntime-web 1.30, wasm, 2 threads"). */
  describe?(): string;
}

export interface SpeedCandidate {
  label: string;
  /** Integer nodes of the layout (plain INT8: every quantized node). */
  int8Nodes: number;
  /** Nodes put back to float. */
  floatNodes: string[];
  /** Cost-model prediction, ms (null for FP32 and plain INT8). */
  predictedMs: number | null;
  /** Median of the interleaved measurements, ms. */
  measuredMs: number;
  /** Every round's measurement, ms. */
  roundsMs: number[];
}

export type SpeedProgress = { stage: 'speed-profile'; done: number; total: number } | { stage: 'speed-candidates'; done: number; total: number };

export interface SpeedReport {
  /** What the search measured on. */
  device: string;
  fp32Ms: number;
  plainInt8Ms: number;
  /** 'runtime-aware': a layout with float layers was kept; 'plain': every quantized layer integer. */
  chosen: 'runtime-aware' | 'plain';
  chosenMs: number;
  /** fp32Ms / chosenMs. */
  speedup: number;
  /** False when no INT8 layout beat FP32 by FASTER_MARGIN here: the model is then only smaller, and the product says so. */
  faster: boolean;
  /** Layers of the chosen model kept in float for speed. */
  floatNodes: string[];
  candidates: SpeedCandidate[];
  /** Per-layer evidence: FP32 and INT8 kernel times on this device and the layout's choice. */
  layers: NodeSpeed[];
  rates: BorderRates;
}

export interface SpeedSearchRequest {
  graph: GraphProto;
  /** Nodes the plain INT8 plan quantizes. */
  candidates: readonly string[];
  /** FP32 model as the user gave it (timed), and with the node names the INT8 models use (profiled). */
  fp32Bytes: Uint8Array;
  fp32NamedBytes: Uint8Array;
  /** Plain INT8 (every planned node integer). */
  plainBytes: Uint8Array;
  /** Builds the INT8 model with these candidate nodes kept in float (integer outputs kept quantized). */
  build: (floatNodes: readonly string[]) => Uint8Array;
  probe: SpeedProbe;
  /** Interleaved timing rounds per model (default 3). */
  rounds?: number;
  onProgress?: (p: SpeedProgress) => void;
  checkpoint?: () => void | Promise<void>;
}

export interface SpeedSearchResult {
  /** The fastest INT8 model; plain INT8 when none beats FP32 by FASTER_MARGIN. */
  bytes: Uint8Array;
  report: SpeedReport;
}

/** An INT8 model counts as faster only when FP32 takes at least this much longer (paired timings repeat within ~3%). */
export const FASTER_MARGIN = 1.03;

const WEIGHTED = new Set(['Conv', 'MatMul', 'Gemm']);

/** Border weights tried: the measured cost model, half and double its border costs, and per-layer only. */
const BORDER_WEIGHTS = [1, 0.5, 2, 0];

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Runs the search (see the file header). Timing is interleaved (A, B, C, A, B, C …) so drift hits every model alike. */
export async function searchFastLayout(r: SpeedSearchRequest): Promise<SpeedSearchResult> {
  r.onProgress?.({ stage: 'speed-profile', done: 0, total: 2 });
  const fp32 = (await r.probe.profile(r.fp32NamedBytes)).nodes;
  r.onProgress?.({ stage: 'speed-profile', done: 1, total: 2 });
  await r.checkpoint?.();
  const allInt = r.build([]);
  const int8 = (await r.probe.profile(allInt)).nodes;
  r.onProgress?.({ stage: 'speed-profile', done: 2, total: 2 });
  await r.checkpoint?.();
  const rates = borderRates(int8);

  const layouts = new Map<string, { floatNodes: string[]; predictedUs: number; nodes: NodeSpeed[] }>();
  let evidence: NodeSpeed[] = [];
  for (const w of BORDER_WEIGHTS) {
    const l = chooseLayout({ graph: r.graph, candidates: r.candidates, fp32, int8, rates, borderWeight: w });
    // The measured cost model's own layout (weight 1) is the per-layer evidence shown to the user.
    if (w === 1) evidence = l.nodes;
    // A layout whose Conv/MatMul/Gemm are all float is not an INT8 model (only a Relu or pool would be integer).
    if (!l.nodes.some((n) => n.int8 && WEIGHTED.has(n.opType))) continue;
    const key = [...l.floatNodes].sort().join('\n');
    if (!layouts.has(key)) layouts.set(key, { floatNodes: l.floatNodes, predictedUs: l.predictedUs, nodes: l.nodes });
  }

  const models: { label: string; bytes: Uint8Array; floatNodes: string[]; predictedMs: number | null; int8Nodes: number }[] = [
    { label: 'FP32', bytes: r.fp32Bytes, floatNodes: [...r.candidates], predictedMs: null, int8Nodes: 0 },
    { label: 'INT8 (every layer)', bytes: r.plainBytes, floatNodes: [], predictedMs: null, int8Nodes: r.candidates.length },
  ];
  let k = 1;
  for (const l of layouts.values()) {
    await r.checkpoint?.();
    const bytes = l.floatNodes.length === 0 ? allInt : r.build(l.floatNodes);
    models.push({ label: `INT8 layout ${k++}`, bytes, floatNodes: l.floatNodes, predictedMs: l.predictedUs / 1000, int8Nodes: r.candidates.length - l.floatNodes.length });
  }
  const rounds = Math.max(1, r.rounds ?? 3);
  const times = models.map(() => [] as number[]);
  const compare = r.probe.compare?.bind(r.probe);
  const total = compare !== undefined ? rounds : rounds * models.length;
  let done = 0;
  r.onProgress?.({ stage: 'speed-candidates', done, total });
  for (let round = 0; round < rounds; round++) {
    await r.checkpoint?.();
    if (compare !== undefined) {
      const ms = await compare(models.map((m) => m.bytes));
      ms.forEach((v, m) => times[m]!.push(v));
      r.onProgress?.({ stage: 'speed-candidates', done: ++done, total });
      continue;
    }
    for (let m = 0; m < models.length; m++) {
      await r.checkpoint?.();
      times[m]!.push(await r.probe.time(models[m]!.bytes));
      r.onProgress?.({ stage: 'speed-candidates', done: ++done, total });
    }
  }
  const candidates: SpeedCandidate[] = models.map((m, i) => ({ label: m.label, int8Nodes: m.int8Nodes, floatNodes: m.floatNodes, predictedMs: m.predictedMs, measuredMs: median(times[i]!), roundsMs: times[i]! }));
  const fp32Ms = candidates[0]!.measuredMs;
  const plainInt8Ms = candidates[1]!.measuredMs;
  let best = 1;
  for (let i = 2; i < candidates.length; i++) if (candidates[i]!.measuredMs < candidates[best]!.measuredMs) best = i;
  // Faster only by more than timing noise: a model is never called faster on a difference the machine makes up.
  const faster = candidates[best]!.measuredMs * FASTER_MARGIN < fp32Ms;
  // Nothing beats FP32: hand back plain INT8 (every layer integer: the INT8 model users expect, and small), and
  // say it is not faster.
  if (!faster) best = 1;
  const chosen = candidates[best]!;
  const floatSet = new Set(chosen.floatNodes);
  return {
    bytes: models[best]!.bytes,
    report: {
      device: r.probe.describe?.() ?? 'this device',
      fp32Ms,
      plainInt8Ms,
      chosen: best === 1 ? 'plain' : 'runtime-aware',
      chosenMs: chosen.measuredMs,
      speedup: fp32Ms / chosen.measuredMs,
      faster,
      floatNodes: chosen.floatNodes,
      candidates,
      layers: evidence.map((n) => ({ ...n, int8: !floatSet.has(n.name) })),
      rates,
    },
  };
}
