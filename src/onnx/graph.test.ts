// Graph queries: computesInFloat16 finds float16 in weights, value types and Casts, including subgraphs.
import { describe, expect, it } from 'vitest';
import { tinyConvModel } from '../../test/fixtures';
import { makeModel, node, valueInfo } from './build';
import { DataType } from './dtypes';
import { computesInFloat16 } from './graph';

describe('computesInFloat16', () => {
  it('is false for a float32 model', () => {
    expect(computesInFloat16(tinyConvModel().model)).toBe(false);
  });

  it('sees a Cast to float16 between float32 graph inputs and outputs', () => {
    const model = makeModel({
      nodes: [node('Cast', ['x'], ['h'], { to: DataType.FLOAT16 }), node('Cast', ['h'], ['y'], { to: DataType.FLOAT })],
      inputs: [valueInfo('x', DataType.FLOAT, [1])],
      outputs: [valueInfo('y', DataType.FLOAT, [1])],
    });
    expect(computesInFloat16(model)).toBe(true);
  });

  it('sees a float16 graph input', () => {
    const model = makeModel({ nodes: [node('Identity', ['x'], ['y'])], inputs: [valueInfo('x', DataType.FLOAT16, [1])], outputs: [valueInfo('y', DataType.FLOAT16, [1])] });
    expect(computesInFloat16(model)).toBe(true);
  });
});
