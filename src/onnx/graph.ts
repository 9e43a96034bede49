// Read-only graph queries: walking nodes (including If/Loop/Scan subgraphs), initializers and value types.
import type { GraphProto, NodeProto, TensorProto, TypeProto } from './proto/onnx_pb';
import { dtypeName } from './dtypes';

/** Calls `visit` for every node of `graph` and of every subgraph inside its attributes, depth first. */
export function forEachNode(graph: GraphProto, visit: (node: NodeProto, depth: number) => void, depth = 0): void {
  for (const node of graph.node) {
    visit(node, depth);
    for (const attr of node.attribute) {
      if (attr.g !== undefined) forEachNode(attr.g, visit, depth + 1);
      for (const g of attr.graphs) forEachNode(g, visit, depth + 1);
    }
  }
}

/** Every initializer of `graph` and its subgraphs, plus tensors held by Constant nodes' `value` attribute. */
export function forEachWeight(graph: GraphProto, visit: (tensor: TensorProto, source: 'initializer' | 'constant') => void): void {
  const walk = (g: GraphProto): void => {
    for (const t of g.initializer) visit(t, 'initializer');
    for (const node of g.node) {
      for (const attr of node.attribute) {
        if (attr.t !== undefined && node.opType === 'Constant') visit(attr.t, 'constant');
        if (attr.g !== undefined) walk(attr.g);
        for (const sub of attr.graphs) walk(sub);
      }
    }
  };
  walk(graph);
}

/** One dimension of a shape: a number, a symbolic name ("batch"), or null when unknown. */
export type Dim = number | string | null;

/** A value's element type name and shape as declared in the model (shape null when not declared). */
export interface ValueType {
  dtype: string;
  shape: Dim[] | null;
}

/** Reads a TypeProto into a plain description; non-tensor types get a readable dtype ("sequence<float32>"). */
export function describeType(type: TypeProto | undefined): ValueType {
  const v = type?.value;
  if (v === undefined || v.case === undefined) return { dtype: 'unknown', shape: null };
  if (v.case === 'tensorType' || v.case === 'sparseTensorType') {
    const shape = v.value.shape?.dim.map((d): Dim => {
      if (d.value.case === 'dimValue') return Number(d.value.value);
      if (d.value.case === 'dimParam') return d.value.value;
      return null;
    });
    return { dtype: dtypeName(v.value.elemType), shape: shape ?? null };
  }
  if (v.case === 'sequenceType') return { dtype: `sequence<${describeType(v.value.elemType).dtype}>`, shape: null };
  if (v.case === 'optionalType') return { dtype: `optional<${describeType(v.value.elemType).dtype}>`, shape: null };
  if (v.case === 'mapType') return { dtype: `map<${dtypeName(v.value.keyType)},${describeType(v.value.valueType).dtype}>`, shape: null };
  return { dtype: v.case, shape: null };
}

/** Graph inputs that are real inputs (older exporters also list every initializer as an input). */
export function realInputs(graph: GraphProto): GraphProto['input'] {
  const init = new Set(graph.initializer.map((t) => t.name));
  return graph.input.filter((i) => !init.has(i.name));
}
