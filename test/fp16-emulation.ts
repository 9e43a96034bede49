// Test helper: an FP32 model that behaves like FP16 storage on real float16 hardware. onnxruntime-web's wasm EP
// runs a float16 graph through float32 kernels and drops the Casts between them, so activations never round
// there; Casts we insert ourselves do survive (checked: x*1e3 -> Cast f16 -> Cast f32 -> *1e3 gives Inf).
import { clone } from '@bufbuild/protobuf';
import { node } from '../src/onnx/build';
import { DataType } from '../src/onnx/dtypes';
import { fromFloat16Bits, toFloat16Bits } from '../src/onnx/float16';
import { ModelProtoSchema, type ModelProto, type NodeProto } from '../src/onnx/proto/onnx_pb';
import { readTensor, writeTensor } from '../src/onnx/tensor-data';

/** Ops whose first output is a freshly computed float activation (pass-through ops like Reshape need no rounding). */
const ARITHMETIC = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'Add', 'Sub', 'Mul', 'Div', 'GlobalAveragePool', 'AveragePool', 'Softmax', 'BatchNormalization', 'Sigmoid', 'Tanh', 'Exp', 'Log', 'Sqrt', 'Pow', 'ReduceMean', 'ReduceSum']);

const round16 = (x: number): number => fromFloat16Bits(toFloat16Bits(Math.max(-65504, Math.min(65504, x))));

/**
 * Copy of a float32 model with float16 storage emulated: float32 weights rounded to float16 (clamped to ±65504),
 * the graph input and every arithmetic node's first output rounded through Cast(float16) -> Cast(float). Kernels
 * still accumulate in float32, so this is a lower bound of the error on a GPU that also accumulates in float16.
 * Main graph only.
 */
export function emulateFp16Storage(model: ModelProto): ModelProto {
  const out = clone(ModelProtoSchema, model);
  const graph = out.graph!;
  for (const t of graph.initializer) {
    if (t.dataType === DataType.FLOAT) writeTensor(t, (readTensor(t) as Float32Array).map(round16));
  }
  const rounding = (name: string, source: string): NodeProto[] => [
    node('Cast', [source], [`${name}__f16`], { to: DataType.FLOAT16 }, `${name}__to_f16`),
    node('Cast', [`${name}__f16`], [name], { to: DataType.FLOAT }, `${name}__to_f32`),
  ];
  const nodes: NodeProto[] = [];
  const input = graph.input.find((i) => !graph.initializer.some((t) => t.name === i.name))!.name;
  // The input is read under a new name; its rounded copy takes the old one, so consumers need no change.
  const rawInput = `${input}__raw`;
  nodes.push(...rounding(input, rawInput));
  for (const n of graph.node) {
    const first = n.output[0];
    if ((n.domain === '' || n.domain === 'ai.onnx') && ARITHMETIC.has(n.opType) && first !== undefined && first !== '') {
      n.output[0] = `${first}__exact`;
      nodes.push(n, ...rounding(first, `${first}__exact`));
    } else {
      nodes.push(n);
    }
  }
  graph.node = nodes;
  for (const i of graph.input) if (i.name === input) i.name = rawInput;
  return out;
}
