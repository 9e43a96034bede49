// Runtime-aware INT8 layout: which quantizable nodes run faster as integer kernels on this device, given per-node
// timings of the FP32 and the INT8 model and the cost of converting a tensor where float and integer regions meet.
// Solved exactly for that cost model as a minimum s-t cut (binary labelling with pairwise switch costs). Pure.
import type { GraphProto, NodeProto } from '../onnx/proto/onnx_pb';
import { describeType } from '../onnx/graph';
import { nodeName } from './qdq-plan';

/** One node of a profiled model (the shape of runtime/profile NodeTiming; quant does not import the runtime). */
export interface TimedNode {
  name: string;
  opType: string;
  medianUs: number;
  outputElements: number;
  inputType: string;
}

/** Measured cost of moving one element across a float/integer border, nanoseconds. */
export interface BorderRates {
  quantizeNs: number;
  dequantizeNs: number;
  /** onnxruntime runs integer Conv in NHWC: a border also pays a layout Transpose. */
  transposeNs: number;
  /** True when the rates came from the profile, false for the fallback. */
  measured: boolean;
}

/** Per-node evidence: what the node cost in each precision here, and what the layout chose. */
export interface NodeSpeed {
  name: string;
  opType: string;
  /** Kernel time in the FP32 model (0 when onnxruntime fused it into its neighbour), µs. */
  fp32Us: number;
  /** Kernel time in the INT8 model (0 when fused), µs. */
  int8Us: number;
  int8: boolean;
}

export interface SpeedLayout {
  /** Candidate nodes that stay integer. */
  int8Nodes: string[];
  /** Candidate nodes put back to float. */
  floatNodes: string[];
  /** Sum of the model's kernel times the cost model predicts for this layout, µs. */
  predictedUs: number;
  nodes: NodeSpeed[];
}

/** Rates used when the INT8 profile has no border to learn from (ns per element, measured on a 2-core wasm build). */
const FALLBACK_RATES: BorderRates = { quantizeNs: 1.5, dequantizeNs: 1.0, transposeNs: 1.0, measured: false };

/**
 * Border costs from an INT8 profile: activation QuantizeLinear (float input), DequantizeLinear (uint8 input)
 * and Transpose of integer tensors, as time per element. Tiny tensors (< 1000 elements) are skipped: their time is
 * call overhead, not throughput.
 */
export function borderRates(int8: readonly TimedNode[]): BorderRates {
  const rate = (pick: (n: TimedNode) => boolean): number | null => {
    let us = 0;
    let elements = 0;
    for (const n of int8) {
      if (!pick(n) || n.outputElements < 1000) continue;
      us += n.medianUs;
      elements += n.outputElements;
    }
    return elements > 0 ? (1000 * us) / elements : null;
  };
  const q = rate((n) => n.opType === 'QuantizeLinear' && n.inputType === 'float');
  // Activations are uint8 here; int8 DequantizeLinear nodes are weights (not a border).
  const dq = rate((n) => n.opType === 'DequantizeLinear' && n.inputType === 'uint8');
  const t = rate((n) => n.opType === 'Transpose' && (n.inputType === 'uint8' || n.inputType === 'int8'));
  return {
    quantizeNs: q ?? dq ?? FALLBACK_RATES.quantizeNs,
    dequantizeNs: dq ?? q ?? FALLBACK_RATES.dequantizeNs,
    transposeNs: t ?? FALLBACK_RATES.transposeNs,
    measured: q !== null || dq !== null,
  };
}

/** Max-flow / min-cut on a small dense-ish graph (Dinic). Node 0 = source, 1 = sink. */
class MinCut {
  private readonly head: number[];
  private readonly to: number[] = [];
  private readonly cap: number[] = [];
  private readonly next: number[] = [];
  constructor(private readonly n: number) {
    this.head = new Array<number>(n).fill(-1);
  }
  edge(a: number, b: number, capAB: number, capBA = 0): void {
    if (capAB <= 0 && capBA <= 0) return;
    this.to.push(b, a);
    this.cap.push(capAB, capBA);
    this.next.push(this.head[a]!, this.head[b]!);
    this.head[a] = this.to.length - 2;
    this.head[b] = this.to.length - 1;
  }
  /** Nodes on the source side of a minimum cut. */
  sourceSide(): boolean[] {
    const level = new Array<number>(this.n);
    const it = new Array<number>(this.n);
    const bfs = (): boolean => {
      level.fill(-1);
      level[0] = 0;
      const queue = [0];
      for (let qi = 0; qi < queue.length; qi++) {
        const v = queue[qi]!;
        for (let e = this.head[v]!; e >= 0; e = this.next[e]!) {
          if (this.cap[e]! > 1e-9 && level[this.to[e]!]! < 0) {
            level[this.to[e]!] = level[v]! + 1;
            queue.push(this.to[e]!);
          }
        }
      }
      return level[1]! >= 0;
    };
    const dfs = (v: number, f: number): number => {
      if (v === 1) return f;
      for (; it[v]! >= 0; it[v] = this.next[it[v]!]!) {
        const e = it[v]!;
        const w = this.to[e]!;
        if (this.cap[e]! > 1e-9 && level[w] === level[v]! + 1) {
          const d = dfs(w, Math.min(f, this.cap[e]!));
          if (d > 0) {
            this.cap[e] = this.cap[e]! - d;
            this.cap[e ^ 1] = this.cap[e ^ 1]! + d;
            return d;
          }
        }
      }
      return 0;
    };
    while (bfs()) {
      for (let v = 0; v < this.n; v++) it[v] = this.head[v]!;
      for (let f = dfs(0, Infinity); f > 0; f = dfs(0, Infinity));
    }
    bfs();
    return level.map((l) => l >= 0);
  }
}

export interface LayoutInput {
  graph: GraphProto;
  /** Nodes the full INT8 plan makes integer (names as nodeName gives them). */
  candidates: readonly string[];
  fp32: readonly TimedNode[];
  int8: readonly TimedNode[];
  rates: BorderRates;
  /** Multiplies every border cost (1 = as measured); the search tries a few to hedge the cost model. */
  borderWeight?: number;
}

/**
 * Chooses integer or float for every candidate node to minimise the predicted run time: each node costs its
 * profiled kernel time in the precision it gets, and every tensor that crosses between a float and an integer node
 * costs a conversion (Quantize or Dequantize plus a layout Transpose, at the measured per-element rates). A Relu or
 * Clip that onnxruntime folds into the Conv before it always follows that Conv.
 */
export function chooseLayout(input: LayoutInput): SpeedLayout {
  const { graph, rates } = input;
  const weight = input.borderWeight ?? 1;
  const fp = new Map(input.fp32.map((n) => [n.name, n]));
  const q = new Map(input.int8.map((n) => [n.name, n]));
  const candidates = [...new Set(input.candidates)];
  const index = new Map(candidates.map((c, i) => [c, i + 2]));
  const initializers = new Set(graph.initializer.map((t) => t.name));
  const producer = new Map<string, NodeProto>();
  const consumers = new Map<string, NodeProto[]>();
  for (const n of graph.node) {
    for (const o of n.output) if (o !== '') producer.set(o, n);
    for (const i of n.input) if (i !== '') consumers.set(i, [...(consumers.get(i) ?? []), n]);
  }
  const graphOutputs = new Set(graph.output.map((o) => o.name));
  // Elements of a tensor: the FP32 profile's output size of its producer (or of the node that absorbed it).
  const inputElements = new Map(graph.input.map((i) => [i.name, (describeType(i.type).shape ?? []).reduce<number>((a, d) => a * (typeof d === 'number' && d > 0 ? d : 1), 1)]));
  const elementsOf = (t: string): number => {
    if (inputElements.has(t) && !initializers.has(t)) return inputElements.get(t)!;
    let p = producer.get(t);
    for (let hops = 0; p !== undefined && hops < 3; hops++) {
      const timed = fp.get(nodeName(p));
      if (timed !== undefined && timed.outputElements > 0) return timed.outputElements;
      p = producer.get(p.input[0] ?? '');
    }
    return 0;
  };
  const borderUs = (t: string, toInt: boolean): number => (weight * elementsOf(t) * ((toInt ? rates.quantizeNs : rates.dequantizeNs) + rates.transposeNs)) / 1000;

  const unaryInt = candidates.map((c) => q.get(c)?.medianUs ?? 0);
  const unaryFloat = candidates.map((c) => fp.get(c)?.medianUs ?? 0);
  const pairs: { a: number; b: number; w: number }[] = [];
  const BIG = 1e12;
  const byName = new Map(graph.node.map((n) => [nodeName(n), n]));
  for (const c of candidates) {
    const n = byName.get(c);
    if (n === undefined) continue;
    const ci = index.get(c)! - 2;
    // Inputs: a float producer (or the graph input) feeding this node as an integer node needs a Quantize.
    for (const t of n.input) {
      if (t === '' || initializers.has(t)) continue;
      const p = producer.get(t);
      if (p?.opType === 'Constant') continue;
      const pi = p !== undefined ? index.get(nodeName(p)) : undefined;
      if (pi === undefined) unaryInt[ci]! += borderUs(t, true);
      else {
        const fused = (n.opType === 'Relu' || n.opType === 'Clip') && (consumers.get(t) ?? []).length === 1;
        pairs.push({ a: pi, b: index.get(c)!, w: fused ? BIG : borderUs(t, true) });
      }
    }
    // Outputs read by float nodes (or leaving the graph) need a Dequantize when this node is integer.
    for (const o of n.output) {
      const readers = consumers.get(o) ?? [];
      if (graphOutputs.has(o) || readers.some((r) => !index.has(nodeName(r)))) unaryInt[ci]! += borderUs(o, false);
    }
  }
  // Source side = integer. Cutting source->v (v float) pays the float cost, v->sink (v integer) the integer cost.
  const cut = new MinCut(candidates.length + 2);
  candidates.forEach((_, i) => {
    cut.edge(0, i + 2, unaryFloat[i]!);
    cut.edge(i + 2, 1, unaryInt[i]!);
  });
  for (const { a, b, w } of pairs) cut.edge(a, b, w, w);
  const side = cut.sourceSide();
  const isInt = candidates.map((_, i) => side[i + 2]!);
  let predictedUs = 0;
  candidates.forEach((_, i) => (predictedUs += isInt[i] ? unaryInt[i]! : unaryFloat[i]!));
  for (const { a, b, w } of pairs) if (isInt[a - 2] !== isInt[b - 2]) predictedUs += Math.min(w, BIG);
  const nodes: NodeSpeed[] = candidates.map((c, i) => ({ name: c, opType: byName.get(c)?.opType ?? '', fp32Us: fp.get(c)?.medianUs ?? 0, int8Us: q.get(c)?.medianUs ?? 0, int8: isInt[i]! }));
  return {
    int8Nodes: candidates.filter((_, i) => isInt[i]),
    floatNodes: candidates.filter((_, i) => !isInt[i]),
    predictedUs,
    nodes,
  };
}
