// The calibration model: a copy of the float model whose planned activation tensors come out as extra outputs,
// either whole (histogram methods) or reduced in the graph to one min and one max per image (MinMax: a few bytes
// leave the runtime per tensor instead of the whole activation).
import { create } from '@bufbuild/protobuf';
import { node, valueInfo } from '../onnx/build';
import { DataType } from '../onnx/dtypes';
import { TypeProto_TensorSchema, TypeProtoSchema, ValueInfoProtoSchema, type GraphProto, type ModelProto, type TensorProto } from '../onnx/proto/onnx_pb';
import { makeTensor } from '../onnx/tensor-data';

/** Output names of the in-graph reductions of `tensor`. */
export function reductionOutputs(tensor: string): { min: string; max: string } {
  return { min: `${tensor}_qb_calib_min`, max: `${tensor}_qb_calib_max` };
}

/**
 * Copies `model` with `tensors` exposed: mode 'full' adds each tensor as a graph output (float32, shape left
 * open), or for tensors with a `strides` entry > 1 every stride-th value plus in-graph min and max; mode 'minmax' adds ReduceMin/ReduceMax (keepdims=0, all axes) per tensor and outputs the two scalars
 * (names from reductionOutputs). Graph inputs among `tensors` are skipped: the caller observes its own feed.
 * Existing outputs are kept first, so the model's first output is unchanged. `model` itself is not modified.
 */
/** Output name of the strided sample of `tensor` (see calibrationModel's `strides`). */
export function sampleOutput(tensor: string): string {
  return `${tensor}_qb_calib_sample`;
}

export function calibrationModel(model: ModelProto, tensors: readonly string[], mode: 'full' | 'minmax', strides?: ReadonlyMap<string, number>): ModelProto {
  // A shallow copy: only the node, output and initializer lists grow, so the weights (raw_data) are shared with
  // `model` instead of copied — calibration and the layer report build up to four of these per job.
  const graph: GraphProto = { ...model.graph!, node: [...model.graph!.node], output: [...model.graph!.output], initializer: [...model.graph!.initializer] };
  const out: ModelProto = { ...model, graph };
  const inputs = new Set(graph.input.map((i) => i.name));
  const outputs = new Set(graph.output.map((o) => o.name));
  for (const t of tensors) {
    if (inputs.has(t)) continue;
    const stride = strides?.get(t) ?? 1;
    if (mode === 'full' && stride > 1) {
      // Every stride-th value of the flattened tensor leaves the runtime, plus its exact min and max: the
      // histogram keeps its shape and true extremes while copying and binning a fraction of the values.
      const r = reductionOutputs(t);
      const flat = `${t}_qb_calib_flat`;
      const c = (name: string, v: number): TensorProto => makeTensor(`${t}_qb_calib_${name}`, DataType.INT64, [1], new BigInt64Array([BigInt(v)]));
      const consts = [c('shape', -1), c('start', 0), c('end', 2 ** 62), c('axis', 0), c('step', stride)];
      graph.initializer.push(...consts);
      graph.node.push(
        node('Reshape', [t, consts[0]!.name], [flat], {}, flat),
        node('Slice', [flat, consts[1]!.name, consts[2]!.name, consts[3]!.name, consts[4]!.name], [sampleOutput(t)], {}, sampleOutput(t)),
        node('ReduceMin', [t], [r.min], { keepdims: 0 }, r.min),
        node('ReduceMax', [t], [r.max], { keepdims: 0 }, r.max),
      );
      graph.output.push(valueInfo(sampleOutput(t), DataType.FLOAT, ['n']), valueInfo(r.min, DataType.FLOAT, []), valueInfo(r.max, DataType.FLOAT, []));
      continue;
    }
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
