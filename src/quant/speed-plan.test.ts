// Runtime-aware layout: border rates from a profile, and the min-cut choice on small graphs with known optimum.
import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { node, valueInfo } from '../onnx/build';
import { DataType } from '../onnx/dtypes';
import { GraphProtoSchema, ValueInfoProtoSchema } from '../onnx/proto/onnx_pb';
import { borderRates, chooseLayout, type BorderRates, type TimedNode } from './speed-plan';

const RATES: BorderRates = { quantizeNs: 1, dequantizeNs: 1, transposeNs: 0, measured: true };

/** A chain x -> A -> B -> C -> y of Convs with named nodes; each output has 1000 elements. */
function chain(names: string[]) {
  const nodes = names.map((n, i) => node('Conv', [i === 0 ? 'x' : `${names[i - 1]}_out`, `${n}_w`], [`${n}_out`], {}, n));
  return create(GraphProtoSchema, { node: nodes, input: [valueInfo('x', DataType.FLOAT, [1, 1000])], output: [create(ValueInfoProtoSchema, { name: `${names.at(-1)}_out` })] });
}

function timed(entries: Record<string, number>, elements = 1000): TimedNode[] {
  return Object.entries(entries).map(([name, medianUs]) => ({ name, opType: 'Conv', medianUs, outputElements: elements, inputType: 'float' }));
}

describe('borderRates', () => {
  it('learns ns per element from activation Q/DQ and integer Transposes, skipping tiny tensors and weight DQs', () => {
    const r = borderRates([
      { name: 'q', opType: 'QuantizeLinear', medianUs: 200, outputElements: 100_000, inputType: 'float' },
      { name: 'dq', opType: 'DequantizeLinear', medianUs: 50, outputElements: 100_000, inputType: 'uint8' },
      { name: 'w', opType: 'DequantizeLinear', medianUs: 500, outputElements: 100_000, inputType: 'int8' },
      { name: 't', opType: 'Transpose', medianUs: 30, outputElements: 10_000, inputType: 'uint8' },
      { name: 'tiny', opType: 'QuantizeLinear', medianUs: 50, outputElements: 10, inputType: 'float' },
    ]);
    expect(r.quantizeNs).toBeCloseTo(2, 6);
    expect(r.dequantizeNs).toBeCloseTo(0.5, 6); // the int8-input DQ is a weight, not a border
    expect(r.transposeNs).toBeCloseTo(3, 6);
    expect(r.measured).toBe(true);
  });

  it('falls back to fixed rates when the profile has no border', () => {
    expect(borderRates([]).measured).toBe(false);
  });
});

describe('chooseLayout', () => {
  it('keeps every layer integer when each is faster and borders cost something', () => {
    const g = chain(['A', 'B', 'C']);
    const l = chooseLayout({ graph: g, candidates: ['A', 'B', 'C'], fp32: timed({ A: 100, B: 100, C: 100 }), int8: timed({ A: 50, B: 50, C: 50 }), rates: RATES });
    expect(l.int8Nodes).toEqual(['A', 'B', 'C']);
    // 3 × 50 µs + quantize the input (1 µs) + dequantize the output (1 µs)
    expect(l.predictedUs).toBeCloseTo(152, 6);
  });

  it('puts a slow layer back to float only when its loss beats the borders it adds', () => {
    const g = chain(['A', 'B', 'C']);
    // B is 1.5 µs slower as INT8; making it float adds two borders (2 µs): stays INT8.
    let l = chooseLayout({ graph: g, candidates: ['A', 'B', 'C'], fp32: timed({ A: 100, B: 10, C: 100 }), int8: timed({ A: 50, B: 11.5, C: 50 }), rates: RATES });
    expect(l.floatNodes).toEqual([]);
    // B is 30 µs slower as INT8: worth two borders.
    l = chooseLayout({ graph: g, candidates: ['A', 'B', 'C'], fp32: timed({ A: 100, B: 10, C: 100 }), int8: timed({ A: 50, B: 40, C: 50 }), rates: RATES });
    expect(l.floatNodes).toEqual(['B']);
    expect(l.predictedUs).toBeCloseTo(50 + 10 + 50 + 1 + 1 + 1 + 1, 6);
  });

  it('leaves everything float when no layer gains more than its borders', () => {
    const g = chain(['A']);
    const l = chooseLayout({ graph: g, candidates: ['A'], fp32: timed({ A: 10 }), int8: timed({ A: 9.5 }), rates: RATES });
    expect(l.int8Nodes).toEqual([]);
  });

  it('never splits a Relu from the Conv onnxruntime folds it into', () => {
    const g = create(GraphProtoSchema, {
      node: [node('Conv', ['x', 'w'], ['c'], {}, 'conv'), node('Relu', ['c'], ['r'], {}, 'relu')],
      input: [valueInfo('x', DataType.FLOAT, [1, 1000])],
      output: [create(ValueInfoProtoSchema, { name: 'r' })],
    });
    // The Relu alone would prefer float (its int8 cost carries the output border); fused, both follow the Conv.
    const l = chooseLayout({ graph: g, candidates: ['conv', 'relu'], fp32: timed({ conv: 100 }), int8: timed({ conv: 20 }), rates: RATES });
    expect(l.int8Nodes.sort()).toEqual(['conv', 'relu']);
  });

  it('scales borders with borderWeight (0 = per-layer choice only)', () => {
    const g = chain(['A', 'B', 'C']);
    const fp32 = timed({ A: 100, B: 10, C: 100 });
    const int8 = timed({ A: 50, B: 11.5, C: 50 });
    expect(chooseLayout({ graph: g, candidates: ['A', 'B', 'C'], fp32, int8, rates: RATES, borderWeight: 0 }).floatNodes).toEqual(['B']);
  });
});
