// A one-node model (y = x + 1) that starts onnxruntime-web cheaply, so the probe can read real thread counts.
import { makeModel, node, valueInfo } from '../onnx/build';
import { DataType } from '../onnx/dtypes';
import { encodeModel } from '../onnx/model-io';
import { makeTensor } from '../onnx/tensor-data';

let cached: Uint8Array | undefined;

export function probeModelBytes(): Uint8Array {
  cached ??= encodeModel(
    makeModel({
      nodes: [node('Add', ['x', 'one'], ['y'])],
      inputs: [valueInfo('x', DataType.FLOAT, [1])],
      outputs: [valueInfo('y', DataType.FLOAT, [1])],
      initializers: [makeTensor('one', DataType.FLOAT, [1], new Float32Array([1]))],
      graphName: 'probe',
    }),
  );
  return cached;
}
