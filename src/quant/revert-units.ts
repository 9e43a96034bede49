// Revert units for accuracy-aware INT8: the quantized nodes grouped so that each group is one layer a user would
// name ("Conv_12 with its SiLU Mul"), with the weight bytes it would add back if kept in float.
import type { GraphProto, NodeProto } from '../onnx/proto/onnx_pb';
import { elementCount } from '../onnx/tensor-data';
import { nodeName } from './qdq-plan';

const WEIGHTED = new Set(['Conv', 'MatMul', 'Gemm']);

/** One layer that can go back to float as a whole. */
export interface RevertUnit {
  /** The unit's display name: its weighted node, or its first node when it has none. */
  name: string;
  /** Op type of that node. */
  opType: string;
  /** Every quantized node of the unit (excludeNodes names). */
  nodes: string[];
  /** Bytes the file grows by when the unit's int8 weights are stored as float32 again (3 bytes per weight). */
  floatCostBytes: number;
}

/**
 * Groups quantized nodes into units: each Conv/MatMul/Gemm starts one, and every other quantized node (Add, Mul,
 * pooling, data movement, fused Relu) joins the unit of the weighted node its first input comes from, following
 * first inputs through float nodes too (a SiLU's Mul reads Conv -> Sigmoid). Nodes with no weighted node upstream
 * (a space-to-depth stem on the input) form one unit each. Units are in graph order.
 */
export function revertUnits(graph: GraphProto, quantized: readonly { name: string; opType: string }[]): RevertUnit[] {
  const wanted = new Set(quantized.map((q) => q.name));
  const producer = new Map<string, NodeProto>();
  for (const n of graph.node) for (const o of n.output) if (o !== '') producer.set(o, n);
  const weightBytes = new Map(graph.initializer.map((t) => [t.name, elementCount(t.dims)]));
  const ownerOf = new Map<string, string>(); // node name -> unit name
  const units = new Map<string, RevertUnit>();

  const ownerUpstream = (n: NodeProto): string | undefined => {
    let cur: NodeProto | undefined = producer.get(n.input[0] ?? '');
    for (let hops = 0; cur !== undefined && hops < 64; hops++) {
      const name = nodeName(cur);
      const owner = ownerOf.get(name);
      if (owner !== undefined) return owner;
      cur = producer.get(cur.input[0] ?? '');
    }
    return undefined;
  };

  for (const n of graph.node) {
    const name = nodeName(n);
    if (!wanted.has(name)) continue;
    let unitName: string | undefined = WEIGHTED.has(n.opType) ? undefined : ownerUpstream(n);
    if (unitName === undefined) {
      unitName = name;
      units.set(name, { name, opType: n.opType, nodes: [], floatCostBytes: 0 });
    }
    const unit = units.get(unitName)!;
    unit.nodes.push(name);
    ownerOf.set(name, unitName);
    if (WEIGHTED.has(n.opType)) unit.floatCostBytes += 3 * (weightBytes.get(n.input[1] ?? '') ?? 0);
  }
  return [...units.values()];
}
