// The calibration model: a copy of the float model whose planned activation tensors come out as extra outputs,
// either whole (histogram methods) or reduced in the graph to one min and one max per image (MinMax: a few bytes
// leave the runtime per tensor instead of the whole activation).
import { clone, create } from '@bufbuild/protobuf';
import { node, valueInfo } from '../onnx/build';
import { DataType } from '../onnx/dtypes';
import { ModelProtoSchema, TypeProto_TensorSchema, TypeProtoSchema, ValueInfoProtoSchema, type ModelProto } from '../onnx/proto/onnx_pb';

/** Output names of the in-graph reductions of `tensor`. */
export function reductionOutputs(tensor: string): { min: string; max: string } {
  return { min: `${tensor}_qb_calib_min`, max: `${tensor}_qb_calib_max` };
}

/**
 * Copies `model` with `tensors` exposed: mode 'full' adds each tensor as a graph output (float32, shape left
 * open); mode 'minmax' adds ReduceMin/ReduceMax (keepdims=0, all axes) per tensor and outputs the two scalars
 * (names from reductionOutputs). Graph inputs among `tensors` are skipped: the caller observes its own feed.
 * Existing outputs are kept first, so the model's first output is unchanged.
 */
export function calibrationModel(model: ModelProto, tensors: readonly string[], mode: 'full' | 'minmax'): ModelProto {
  const out = clone(ModelProtoSchema, model);
  const graph = out.graph!;
  const inputs = new Set(graph.input.map((i) => i.name));
  const outputs = new Set(graph.output.map((o) => o.name));
  for (const t of tensors) {
    if (inputs.has(t)) continue;
    if (mode === 'full') {
      if (outputs.has(t)) continue;
      // Element type only: ORT takes an output without a declared shape; value_info may still describe it.
      const type = create(TypeProtoSchema, { value: { case: 'tensorType', value: create(TypeProto_TensorSchema, { elemType: DataType.FLOAT }) } });
      graph.output.push(create(ValueInfoProtoSchema, { name: t, type }));
      outputs.add(t);
      continue;
    }
    const r = reductionOutputs(t);
    graph.node.push(node('ReduceMin', [t], [r.min], { keepdims: 0 }, r.min), node('ReduceMax', [t], [r.max], { keepdims: 0 }, r.max));
    graph.output.push(valueInfo(r.min, DataType.FLOAT, []), valueInfo(r.max, DataType.FLOAT, []));
  }
  return out;
}
