// Read-only graph queries: walking nodes (including If/Loop/Scan subgraphs), initializers and value types.
import type { GraphProto, NodeProto, TensorProto, TypeProto } from './proto/onnx_pb';
import { DataType, dtypeName } from './dtypes';

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

const FLOAT16: number = DataType.FLOAT16;

/**
 * True when running the model computes anything in float16: a float16 weight or Constant, a float16 graph input,
 * output or value_info, or a Cast to float16, in the main graph or any subgraph. Such a model needs real float16
 * arithmetic on a GPU (WebGPU's shader-f16) even when its inputs and outputs are float32.
 */
export function computesInFloat16(model: { graph?: GraphProto | undefined }): boolean {
  if (model.graph === undefined) return false;
  let found = false;
  forEachWeight(model.graph, (t) => (found ||= t.dataType === FLOAT16));
  if (found) return true;
  const isF16 = (type: TypeProto | undefined): boolean => type?.value.case === 'tensorType' && type.value.value.elemType === FLOAT16;
  const walk = (g: GraphProto): boolean =>
    [...g.input, ...g.output, ...g.valueInfo].some((v) => isF16(v.type)) ||
    g.node.some((n) => (n.opType === 'Cast' && n.attribute.some((a) => a.name === 'to' && Number(a.i) === FLOAT16)) || n.attribute.some((a) => (a.g !== undefined && walk(a.g)) || a.graphs.some(walk)));
  return walk(model.graph);
}
