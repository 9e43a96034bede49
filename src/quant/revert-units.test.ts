// Revert units: weighted nodes gather the quantized nodes their first input chain comes from; costs in bytes.
import { describe, expect, it } from 'vitest';
import { makeModel, node, valueInfo } from '../onnx/build';
import { DataType } from '../onnx/dtypes';
import { makeTensor } from '../onnx/tensor-data';
import { revertUnits } from './revert-units';

const F = DataType.FLOAT as number;

function graph() {
  const w = (name: string, dims: number[]) => makeTensor(name, F, dims, new Float32Array(dims.reduce((a, b) => a * b, 1)));
  return makeModel({
    inputs: [valueInfo('x', F, [1, 3, 8, 8])],
    outputs: [valueInfo('y', F, [1, 4, 8, 8])],
    initializers: [w('wa', [4, 3, 3, 3]), w('wb', [4, 4, 1, 1]), makeTensor('axes', DataType.INT64 as number, [1], new BigInt64Array([1n]))],
    nodes: [
      node('Identity', ['x'], ['stem'], {}, 'Stem'),
      node('Conv', ['stem', 'wa'], ['a'], {}, 'ConvA'),
      node('Sigmoid', ['a'], ['s'], {}, 'SigA'),
      node('Mul', ['a', 's'], ['m'], {}, 'MulA'),
      node('Conv', ['m', 'wb'], ['b'], {}, 'ConvB'),
      node('Relu', ['b'], ['r'], {}, 'ReluB'),
      node('Add', ['r', 'm'], ['y'], {}, 'AddB'),
    ],
  }).graph!;
}

describe('revertUnits', () => {
  it('groups each Conv with the quantized nodes downstream of it, through float nodes; others stand alone', () => {
    const quantized = ['Stem', 'ConvA', 'MulA', 'ConvB', 'ReluB', 'AddB'].map((name) => ({ name, opType: '' }));
    const units = revertUnits(graph(), quantized);
    expect(units.map((u) => [u.name, u.opType, u.nodes])).toEqual([
      ['Stem', 'Identity', ['Stem']],
      ['ConvA', 'Conv', ['ConvA', 'MulA']],
      ['ConvB', 'Conv', ['ConvB', 'ReluB', 'AddB']],
    ]);
    // Float32 again costs 3 more bytes per weight: 4*3*3*3 and 4*4*1*1 weights.
    expect(units.map((u) => u.floatCostBytes)).toEqual([0, 3 * 108, 3 * 16]);
  });

  it('leaves out nodes that are not quantized; a node whose owner is not quantized starts its own unit', () => {
    const units = revertUnits(graph(), [{ name: 'MulA', opType: 'Mul' }, { name: 'ConvB', opType: 'Conv' }]);
    expect(units.map((u) => u.nodes)).toEqual([['MulA'], ['ConvB']]);
  });
});
