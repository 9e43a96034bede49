// Tests of shapes.ts: shape rules op by op on hand-built models, the activation estimate of a ViT attention
// block, unknown ops/inputs/external data, speed on a 2,000-node graph, and every shared model (../shared/data).
import { readFileSync, readdirSync } from 'node:fs';
import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { hasSharedData, sharedPath } from '../../test/shared-data';
import { makeModel, node, valueInfo, type ModelSpec } from './build';
import { DataType } from './dtypes';
import { decodeModel } from './model-io';
import { StringStringEntryProtoSchema, TensorProto_DataLocation, TensorProtoSchema, ValueInfoProtoSchema, type ModelProto, type NodeProto, type TensorProto } from './proto/onnx_pb';
import { estimateActivations, inferShapes } from './shapes';
import { makeTensor } from './tensor-data';

const HAVE_SHARED = hasSharedData();
const F = DataType.FLOAT;
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** A float weight that declares its dims but holds no data: shapes never read float weights. */
function weight(name: string, dims: number[]): TensorProto {
  return create(TensorProtoSchema, { name, dataType: F, dims: dims.map((d) => BigInt(d)) });
}
function int64(name: string, values: (number | bigint)[], dims: number[] = [values.length]): TensorProto {
  return makeTensor(name, DataType.INT64, dims, BigInt64Array.from(values, (v) => BigInt(v)));
}
function float(name: string, values: number[]): TensorProto {
  return makeTensor(name, F, [values.length], Float32Array.from(values));
}
/** A graph output without a type: declared shapes must not stand in for what the rules infer. */
function bare(name: string): ReturnType<typeof valueInfo> {
  return create(ValueInfoProtoSchema, { name });
}

interface Spec extends Partial<ModelSpec> {
  nodes: NodeProto[];
  inputs: ModelSpec['inputs'];
}
function model(spec: Spec): ModelProto {
  const last = spec.nodes[spec.nodes.length - 1]?.output[0] ?? 'y';
  return makeModel({ outputs: [bare(last)], ...spec });
}

/** Inferred dims by tensor name (undefined when not inferred). */
function dimsOf(m: ModelProto, inputDims?: Record<string, number[]>): Record<string, number[] | undefined> {
  return Object.fromEntries([...inferShapes(m, inputDims)].map(([k, v]) => [k, v.dims]));
}

describe('inferShapes: convolutions and pools', () => {
  it('follows strides, pads, auto_pad, dilations and groups', () => {
    const m = model({
      inputs: [valueInfo('x', F, [1, 32, 56, 56]), valueInfo('x55', F, [1, 32, 55, 55]), valueInfo('wave', F, [1, 1, 4000])],
      initializers: [weight('wg', [64, 8, 3, 3]), weight('w', [64, 32, 3, 3]), weight('w1d', [322, 1, 320])],
      nodes: [
        // (56 + 1 + 1 - 3) / 2 + 1 = 28, 4 groups of 8 input channels.
        node('Conv', ['x', 'wg'], ['grouped'], { group: 4, strides: [2, 2], pads: [1, 1, 1, 1] }),
        // Asymmetric pads [h0, w0, h1, w1] = [1, 0, 2, 1]: h (56 + 3 - 3) / 2 + 1 = 29, w (56 + 1 - 3) / 2 + 1 = 28.
        node('Conv', ['x', 'w'], ['asym'], { strides: [2, 2], pads: [1, 0, 2, 1] }),
        node('Conv', ['x55', 'w'], ['same'], { strides: [2, 2], auto_pad: 'SAME_UPPER' }), // ceil(55 / 2) = 28
        node('Conv', ['x55', 'w'], ['valid'], { strides: [2, 2], auto_pad: 'VALID' }), // (55 - 3) / 2 + 1 = 27
        node('Conv', ['x', 'w'], ['dilated'], { dilations: [2, 2], pads: [2, 2, 2, 2] }), // extent 5, pads 4: 56
        node('Conv', ['wave', 'w1d'], ['frames'], { strides: [160] }), // (4000 - 320) / 160 + 1 = 24
      ],
    });
    const d = dimsOf(m);
    expect(d.grouped).toEqual([1, 64, 28, 28]);
    expect(d.asym).toEqual([1, 64, 29, 28]);
    expect(d.same).toEqual([1, 64, 28, 28]);
    expect(d.valid).toEqual([1, 64, 27, 27]);
    expect(d.dilated).toEqual([1, 64, 56, 56]);
    expect(d.frames).toEqual([1, 322, 24]);
  });

  it('computes ConvTranspose from strides and pads, or takes output_shape', () => {
    const m = model({
      inputs: [valueInfo('x', F, [1, 16, 14, 14])],
      initializers: [weight('w', [16, 8, 4, 4]), weight('wg', [16, 4, 4, 4])],
      nodes: [
        node('ConvTranspose', ['x', 'w'], ['up'], { strides: [2, 2], pads: [1, 1, 1, 1] }), // 2 * 13 + 4 - 2 = 28
        node('ConvTranspose', ['x', 'wg'], ['grouped'], { strides: [2, 2], pads: [1, 1, 1, 1], group: 2 }), // 4 x 2 channels
        node('ConvTranspose', ['x', 'w'], ['given'], { strides: [2, 2], output_shape: [30, 30] }),
        node('ConvTranspose', ['x', 'w'], ['same'], { strides: [2, 2], auto_pad: 'SAME_UPPER' }),
      ],
    });
    const d = dimsOf(m);
    expect(d.up).toEqual([1, 8, 28, 28]);
    expect(d.grouped).toEqual([1, 8, 28, 28]);
    expect(d.given).toEqual([1, 8, 30, 30]);
    expect(d.same).toEqual([1, 8, 28, 28]);
  });

  it('pools with floor and ceil mode, and globally', () => {
    const m = model({
      inputs: [valueInfo('x', F, [1, 64, 112, 112]), valueInfo('small', F, [1, 1, 3, 3])],
      nodes: [
        node('MaxPool', ['x'], ['floor'], { kernel_shape: [3, 3], strides: [2, 2] }), // floor(109 / 2) + 1 = 55
        node('MaxPool', ['x'], ['ceil', 'indices'], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }), // ceil(109 / 2) + 1 = 56
        // ceil((3 + 2 - 2) / 2) + 1 = 3, but the third window would start at 4, past input + left pad: 2.
        node('MaxPool', ['small'], ['clipped'], { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }),
        node('AveragePool', ['x'], ['avg'], { kernel_shape: [2, 2], strides: [2, 2], auto_pad: 'VALID' }),
        node('GlobalAveragePool', ['x'], ['gap']),
        node('GlobalMaxPool', ['x'], ['gmp']),
      ],
    });
    const shapes = inferShapes(m);
    const d = dimsOf(m);
    expect(d.floor).toEqual([1, 64, 55, 55]);
    expect(d.ceil).toEqual([1, 64, 56, 56]);
    expect(shapes.get('indices')).toEqual({ dims: [1, 64, 56, 56], elemBytes: 8 });
    expect(d.clipped).toEqual([1, 1, 2, 2]);
    expect(d.avg).toEqual([1, 64, 56, 56]);
    expect(d.gap).toEqual([1, 64, 1, 1]);
    expect(d.gmp).toEqual([1, 64, 1, 1]);
  });
});

/** One ViT-B/16 attention block at 224x224: 197 tokens, 12 heads of 64, fused QKV projection. */
function attentionBlock(): ModelProto {
  return model({
    inputs: [valueInfo('x', F, [1, 197, 768])],
    initializers: [weight('w_qkv', [768, 2304]), int64('heads_shape', [0, 0, 3, 12, -1]), int64('split', [1, 1, 1]), int64('axis0', [0]), int64('merge_shape', [0, 0, -1])],
    nodes: [
      node('MatMul', ['x', 'w_qkv'], ['qkv'], {}, 'qkv_proj'), // [1,197,2304]
      node('Reshape', ['qkv', 'heads_shape'], ['qkv5']), // [1,197,3,12,64]
      node('Transpose', ['qkv5'], ['qkv_t'], { perm: [2, 0, 3, 1, 4] }), // [3,1,12,197,64]
      node('Split', ['qkv_t', 'split'], ['q5', 'k5', 'v5'], { axis: 0 }), // 3 x [1,1,12,197,64]
      node('Squeeze', ['q5', 'axis0'], ['q']),
      node('Squeeze', ['k5', 'axis0'], ['k']),
      node('Squeeze', ['v5', 'axis0'], ['v']), // [1,12,197,64]
      node('Transpose', ['k'], ['k_t'], { perm: [0, 1, 3, 2] }), // [1,12,64,197]
      node('MatMul', ['q', 'k_t'], ['scores'], {}, 'q_at_kT'), // [1,12,197,197]
      node('Softmax', ['scores'], ['probs'], { axis: -1 }, 'softmax'),
      node('MatMul', ['probs', 'v'], ['ctx'], {}, 'probs_at_v'), // [1,12,197,64]
      node('Transpose', ['ctx'], ['ctx_t'], { perm: [0, 2, 1, 3] }), // [1,197,12,64]
      node('Reshape', ['ctx_t', 'merge_shape'], ['out']), // [1,197,768]
    ],
  });
}

describe('activation estimate of a ViT attention block', () => {
  it('infers every tensor of the block', () => {
    const d = dimsOf(attentionBlock());
    expect(d.qkv).toEqual([1, 197, 2304]);
    expect(d.qkv5).toEqual([1, 197, 3, 12, 64]);
    expect(d.qkv_t).toEqual([3, 1, 12, 197, 64]);
    expect([d.q5, d.k5, d.v5]).toEqual([
      [1, 1, 12, 197, 64],
      [1, 1, 12, 197, 64],
      [1, 1, 12, 197, 64],
    ]);
    expect(d.q).toEqual([1, 12, 197, 64]);
    expect(d.k_t).toEqual([1, 12, 64, 197]);
    expect(d.scores).toEqual([1, 12, 197, 197]);
    expect(d.probs).toEqual([1, 12, 197, 197]);
    expect(d.ctx).toEqual([1, 12, 197, 64]);
    expect(d.out).toEqual([1, 197, 768]);
  });

  it('finds the attention matrix as the largest tensor and Softmax as the peak node', () => {
    const attentionBytes = 12 * 197 * 197 * 4; // 1,862,832 B, more than qkv's 197 x 2304 x 4 = 1,815,552 B
    expect(estimateActivations(attentionBlock())).toEqual({
      largestBytes: attentionBytes,
      largestName: 'scores', // the first of the equal-sized scores/probs
      // Softmax reads one attention matrix and writes another; q@kT holds 2 x 605,184 + one matrix = 3,073,200 B.
      peakNodeBytes: 2 * attentionBytes,
      peakNodeName: 'softmax',
      // x, q, k, v, k_t, ctx, ctx_t, out are 1 unit of 197 x 768 x 4 = 605,184 B; qkv, qkv5, qkv_t and the three splits 3 each: 20 units plus two matrices.
      totalBytes: 20 * 605_184 + 2 * attentionBytes,
      unknownTensors: 0,
      unknownOps: [],
    });
  });
});

describe('inferShapes: broadcasting and products', () => {
  it('broadcasts elementwise ops numpy-style and types comparisons as bool', () => {
    const m = model({
      inputs: [valueInfo('a', F, [2, 1, 5]), valueInfo('b', F, [3, 1]), valueInfo('c', DataType.BOOL, [1, 5]), valueInfo('col', F, [4, 1]), valueInfo('bad', F, [2, 3])],
      initializers: [weight('scalar', []), weight('slope', [64, 1, 1])],
      nodes: [
        node('Add', ['a', 'b'], ['sum']),
        node('Div', ['sum', 'scalar'], ['scaled']),
        node('Where', ['c', 'col', 'scalar'], ['picked']),
        node('Equal', ['a', 'b'], ['eq']),
        node('Max', ['a', 'b', 'scalar'], ['max3']),
        node('Add', ['bad', 'a'], ['clash']), // [2,3] vs [2,1,5]: 3 against 5
        node('PRelu', ['act', 'slope'], ['prelu']),
      ],
    });
    m.graph!.input.push(valueInfo('act', F, [1, 64, 8, 8]));
    const shapes = inferShapes(m);
    const d = dimsOf(m);
    expect(d.sum).toEqual([2, 3, 5]);
    expect(d.scaled).toEqual([2, 3, 5]);
    expect(shapes.get('picked')).toEqual({ dims: [4, 5], elemBytes: 4 });
    expect(shapes.get('eq')).toEqual({ dims: [2, 3, 5], elemBytes: 1 });
    expect(d.max3).toEqual([2, 3, 5]);
    expect(d.clash).toBeUndefined();
    expect(d.prelu).toEqual([1, 64, 8, 8]);
  });

  it('multiplies matrices with broadcast batch dims and 1-D operands, and Gemm with transposes', () => {
    const m = model({
      inputs: [valueInfo('a4', F, [2, 1, 4, 5]), valueInfo('b3', F, [3, 5, 6]), valueInfo('vec', F, [5]), valueInfo('a3', F, [2, 4, 5]), valueInfo('a', F, [8, 4])],
      initializers: [weight('b2', [5, 6]), weight('wt', [10, 8]), weight('bias', [10])],
      nodes: [
        node('MatMul', ['a4', 'b3'], ['batched']),
        node('MatMul', ['vec', 'b2'], ['row']),
        node('MatMul', ['a3', 'vec'], ['col']),
        node('MatMul', ['vec', 'vec'], ['dot']),
        node('MatMul', ['a3', 'a3'], ['mismatch']), // inner dims 5 and 4
        node('Gemm', ['a', 'wt', 'bias'], ['gemm'], { transA: 1, transB: 1 }), // [4,8] x [8,10]
      ],
    });
    const d = dimsOf(m);
    expect(d.batched).toEqual([2, 3, 4, 6]);
    expect(d.row).toEqual([6]);
    expect(d.col).toEqual([2, 4]);
    expect(d.dot).toEqual([]);
    expect(d.mismatch).toBeUndefined();
    expect(d.gemm).toEqual([4, 10]);
  });
});

describe('inferShapes: data movement', () => {
  it('slices with negative, clamped and reversed bounds and steps (opset 13 inputs)', () => {
    const m = model({
      inputs: [valueInfo('x', F, [1, 3, 10, 10])],
      initializers: [
        int64('m3', [-3]),
        int64('max', [INT64_MAX]),
        int64('min', [INT64_MIN]),
        int64('last', [-1]),
        int64('m1', [-1]),
        int64('a1', [1]),
        int64('a2', [2]),
        int64('a3', [3]),
        int64('zero', [0]),
        int64('three', [3]),
        int64('two', [2]),
        int64('five', [5]),
        int64('m100', [-100]),
        int64('m8', [-8]),
      ],
      nodes: [
        node('Slice', ['x', 'm3', 'max', 'last'], ['tail3']), // last 3 columns
        node('Slice', ['x', 'm1', 'min', 'a2', 'm1'], ['reversed']), // whole axis backwards
        node('Slice', ['x', 'zero', 'three', 'a1', 'two'], ['every2']), // channels 0 and 2
        node('Slice', ['x', 'm100', 'm8', 'a3'], ['clamped']), // start clamps to 0, end is 2
        node('Slice', ['x', 'five', 'two', 'a2'], ['empty']), // start past end
      ],
    });
    const d = dimsOf(m);
    expect(d.tail3).toEqual([1, 3, 10, 3]);
    expect(d.reversed).toEqual([1, 3, 10, 10]);
    expect(d.every2).toEqual([1, 2, 10, 10]);
    expect(d.clamped).toEqual([1, 3, 10, 2]);
    expect(d.empty).toEqual([1, 3, 0, 10]);
  });

  it('slices with attributes before opset 10', () => {
    const m = model({ opset: 9, inputs: [valueInfo('x', F, [1, 3, 10, 10])], nodes: [node('Slice', ['x'], ['y'], { starts: [1, -4], ends: [100, -1], axes: [1, 3] })] });
    expect(dimsOf(m).y).toEqual([1, 2, 10, 3]);
  });

  it('pads from the pads input (with axes in opset 18) or the attribute (opset 2)', () => {
    const x = valueInfo('x', F, [1, 3, 10, 10]);
    const v13 = model({ inputs: [x], initializers: [int64('pads', [0, 0, 1, 2, 0, 0, 3, 4]), int64('crop', [0, 0, -1, -1, 0, 0, -1, -1])], nodes: [node('Pad', ['x', 'pads'], ['padded']), node('Pad', ['x', 'crop'], ['cropped'])] });
    expect(dimsOf(v13).padded).toEqual([1, 3, 14, 16]);
    expect(dimsOf(v13).cropped).toEqual([1, 3, 8, 8]);
    const v18 = model({ opset: 18, inputs: [x], initializers: [int64('pads', [1, 2, 3, 4]), int64('axes', [-2, -1])], nodes: [node('Pad', ['x', 'pads', '', 'axes'], ['y'])] });
    expect(dimsOf(v18).y).toEqual([1, 3, 14, 16]);
    const v2 = model({ opset: 2, inputs: [x], nodes: [node('Pad', ['x'], ['y'], { pads: [0, 0, 1, 2, 0, 0, 3, 4], mode: 'reflect' })] });
    expect(dimsOf(v2).y).toEqual([1, 3, 14, 16]);
  });

  it('gathers: a scalar index removes the axis, an index tensor replaces it', () => {
    const m = model({
      inputs: [valueInfo('x', F, [1, 197, 768]), valueInfo('ids', DataType.INT64, [1, 16])],
      initializers: [int64('cls', [0], []), int64('pick', [0, 1, 2, 3, 4, 5], [2, 3]), weight('table', [1000, 64])],
      nodes: [node('Gather', ['x', 'cls'], ['cls_token'], { axis: 1 }), node('Gather', ['x', 'pick'], ['picked'], { axis: -1 }), node('Gather', ['table', 'ids'], ['embedded'])],
    });
    const d = dimsOf(m);
    expect(d.cls_token).toEqual([1, 768]);
    expect(d.picked).toEqual([1, 197, 2, 3]);
    expect(d.embedded).toEqual([1, 16, 64]);
  });

  it('concatenates along an axis and refuses mismatched dims', () => {
    const m = model({
      inputs: [valueInfo('cls', F, [1, 1, 768]), valueInfo('patches', F, [1, 196, 768]), valueInfo('odd', F, [1, 2, 3]), valueInfo('odd2', F, [1, 3, 3])],
      nodes: [node('Concat', ['cls', 'patches'], ['tokens'], { axis: 1 }), node('Concat', ['patches', 'patches'], ['wide'], { axis: -1 }), node('Concat', ['odd', 'odd2'], ['bad'], { axis: 2 })],
    });
    const d = dimsOf(m);
    expect(d.tokens).toEqual([1, 197, 768]);
    expect(d.wide).toEqual([1, 196, 1536]);
    expect(d.bad).toBeUndefined();
  });

  it('splits by num_outputs (opset 18, last chunk smaller), by attribute (opset 11) and equally', () => {
    const x = valueInfo('x', F, [1, 10, 4]);
    const v18 = model({ opset: 18, inputs: [x], nodes: [node('Split', ['x'], ['a', 'b', 'c'], { axis: 1, num_outputs: 3 })] });
    expect([dimsOf(v18).a, dimsOf(v18).b, dimsOf(v18).c]).toEqual([
      [1, 4, 4],
      [1, 4, 4],
      [1, 2, 4],
    ]);
    const v11 = model({ opset: 11, inputs: [x], nodes: [node('Split', ['x'], ['a', 'b'], { axis: 1, split: [7, 3] })] });
    expect([dimsOf(v11).a, dimsOf(v11).b]).toEqual([
      [1, 7, 4],
      [1, 3, 4],
    ]);
    const equal = model({ inputs: [x], nodes: [node('Split', ['x'], ['a', 'b'], { axis: -1 })] });
    expect(dimsOf(equal).b).toEqual([1, 10, 2]);
  });

  it('squeezes and unsqueezes with attribute axes (opset 11) and input axes (opset 13)', () => {
    const v11 = model({
      opset: 11,
      inputs: [valueInfo('x', F, [1, 3, 1, 5])],
      nodes: [node('Squeeze', ['x'], ['all']), node('Squeeze', ['x'], ['one'], { axes: [-2] }), node('Unsqueeze', ['all'], ['back'], { axes: [0, -1] })],
    });
    expect(dimsOf(v11).all).toEqual([3, 5]);
    expect(dimsOf(v11).one).toEqual([1, 3, 5]);
    expect(dimsOf(v11).back).toEqual([1, 3, 5, 1]);
    const v13 = model({ inputs: [valueInfo('x', F, [1, 3, 1, 5])], initializers: [int64('ax', [0, 2])], nodes: [node('Squeeze', ['x', 'ax'], ['sq']), node('Unsqueeze', ['sq', 'ax'], ['unsq'])] });
    expect(dimsOf(v13).sq).toEqual([3, 5]);
    expect(dimsOf(v13).unsq).toEqual([1, 3, 1, 5]);
  });

  it('reshapes with 0 and -1, allowzero, and rejects a wrong element count', () => {
    const m = model({
      opset: 14,
      inputs: [valueInfo('x', F, [2, 3, 4])],
      initializers: [int64('keep0', [0, -1]), int64('bad', [5, 5]), int64('zero', [0, 0, 4]), int64('flat', [-1])],
      nodes: [node('Reshape', ['x', 'keep0'], ['a']), node('Reshape', ['x', 'bad'], ['b']), node('Reshape', ['x', 'flat'], ['c']), node('Reshape', ['c', 'zero'], ['d'], { allowzero: 1 })],
    });
    const d = dimsOf(m);
    expect(d.a).toEqual([2, 12]);
    expect(d.b).toBeUndefined();
    expect(d.c).toEqual([24]);
    expect(d.d).toBeUndefined(); // with allowzero, [0,0,4] holds 0 elements, not 24
  });

  it('transposes, flattens, expands and tiles', () => {
    const m = model({
      inputs: [valueInfo('x', F, [2, 3, 4]), valueInfo('col', F, [3, 1])],
      initializers: [int64('shape', [2, 1, 4]), int64('reps', [2, 2])],
      nodes: [
        node('Transpose', ['x'], ['reversed']),
        node('Flatten', ['x'], ['flat2'], { axis: 2 }),
        node('Flatten', ['x'], ['flat0'], { axis: 0 }),
        node('Expand', ['col', 'shape'], ['expanded']),
        node('Tile', ['col', 'reps'], ['tiled']),
      ],
    });
    const d = dimsOf(m);
    expect(d.reversed).toEqual([4, 3, 2]);
    expect(d.flat2).toEqual([6, 4]);
    expect(d.flat0).toEqual([1, 24]);
    expect(d.expanded).toEqual([2, 3, 4]);
    expect(d.tiled).toEqual([6, 2]);
  });

  it('reduces with keepdims, axes as attribute or input, and over all axes', () => {
    const m = model({
      inputs: [valueInfo('x', F, [1, 197, 768])],
      initializers: [int64('ax1', [1])],
      nodes: [
        node('ReduceMean', ['x'], ['mean'], { axes: [-1] }),
        node('ReduceSum', ['x', 'ax1'], ['sum'], { keepdims: 0 }),
        node('ReduceMax', ['x'], ['max'], { keepdims: 0 }),
        node('ArgMax', ['x'], ['arg'], { axis: 2, keepdims: 0 }),
      ],
    });
    const d = dimsOf(m);
    expect(d.mean).toEqual([1, 197, 1]);
    expect(d.sum).toEqual([1, 768]);
    expect(d.max).toEqual([]);
    expect(d.arg).toEqual([1, 197]);
  });

  it('resizes by scales or sizes (opset 13 and 10) and upsamples (opset 9 input, opset 7 attribute)', () => {
    const x = valueInfo('x', F, [1, 3, 10, 10]);
    const v13 = model({
      inputs: [x],
      initializers: [float('scales', [1, 1, 2, 2.5]), int64('sizes', [1, 3, 7, 9]), float('no_scales', [])],
      nodes: [node('Resize', ['x', '', 'scales'], ['by_scales'], { mode: 'linear' }), node('Resize', ['x', '', 'no_scales', 'sizes'], ['by_sizes'])],
    });
    expect(dimsOf(v13).by_scales).toEqual([1, 3, 20, 25]);
    expect(dimsOf(v13).by_sizes).toEqual([1, 3, 7, 9]);
    const v10 = model({ opset: 10, inputs: [x], initializers: [float('scales', [1, 1, 2, 2])], nodes: [node('Resize', ['x', 'scales'], ['y'])] });
    expect(dimsOf(v10).y).toEqual([1, 3, 20, 20]);
    const v9 = model({ opset: 9, inputs: [x], initializers: [float('scales', [1, 1, 4, 4])], nodes: [node('Upsample', ['x', 'scales'], ['y'])] });
    expect(dimsOf(v9).y).toEqual([1, 3, 40, 40]);
    const v7 = model({ opset: 7, inputs: [x], nodes: [node('Upsample', ['x'], ['y'], { scales: { floats: [1, 1, 2, 3] } })] });
    expect(dimsOf(v7).y).toEqual([1, 3, 20, 30]);
  });

  it('resolves a Shape -> Gather -> Unsqueeze -> Concat -> Reshape chain (PyTorch flatten)', () => {
    const m = model({
      inputs: [valueInfo('x', F, ['batch', 64, 7, 7])],
      initializers: [int64('i0', [0], []), int64('ax0', [0]), int64('rest', [-1])],
      nodes: [
        node('Shape', ['x'], ['shape']),
        node('Gather', ['shape', 'i0'], ['n']),
        node('Unsqueeze', ['n', 'ax0'], ['n1']),
        node('Concat', ['n1', 'rest'], ['target'], { axis: 0 }),
        node('Reshape', ['x', 'target'], ['flat']),
      ],
    });
    expect(dimsOf(m).shape).toEqual([4]);
    expect(dimsOf(m).flat).toEqual([1, 3136]);
    expect(dimsOf(m, { x: [8, 64, 7, 7] }).flat).toEqual([8, 3136]);
  });
});

describe('inferShapes: element types', () => {
  it('takes element sizes from Cast, quantization zero points and integer ops', () => {
    const m = model({
      inputs: [valueInfo('x', F, [1, 8, 4, 4]), valueInfo('a', DataType.UINT8, [4, 8]), valueInfo('b', DataType.INT8, [8, 2]), valueInfo('xq', DataType.UINT8, [1, 8, 4, 4])],
      initializers: [
        weight('s', []),
        makeTensor('zp_i8', DataType.INT8, [], new Int8Array(1)),
        makeTensor('zp_u8', DataType.UINT8, [], new Uint8Array(1)),
        makeTensor('wq', DataType.INT8, [4, 8, 3, 3], new Int8Array(4 * 8 * 9)),
      ],
      nodes: [
        node('Cast', ['x'], ['half'], { to: DataType.FLOAT16 }),
        node('QuantizeLinear', ['x', 's', 'zp_i8'], ['q_i8']),
        node('QuantizeLinear', ['x', 's'], ['q_u8']),
        node('DequantizeLinear', ['q_i8', 's', 'zp_i8'], ['dq']),
        node('DynamicQuantizeLinear', ['x'], ['dq_x', 'dq_scale', 'dq_zp']),
        node('MatMulInteger', ['a', 'b'], ['acc']),
        node('QLinearMatMul', ['a', 's', 'zp_u8', 'b', 's', 'zp_i8', 's', 'zp_i8'], ['qmm']),
        node('ConvInteger', ['xq', 'wq'], ['conv_acc'], { pads: [1, 1, 1, 1] }),
        node('QLinearConv', ['xq', 's', 'zp_u8', 'wq', 's', 'zp_i8', 's', 'zp_u8'], ['qconv'], { strides: [2, 2] }),
        node('LayerNormalization', ['x', 's', 's'], ['ln'], { axis: -1 }),
        node('Dropout', ['x'], ['drop', 'mask']),
      ],
    });
    const s = inferShapes(m);
    expect(s.get('half')).toEqual({ dims: [1, 8, 4, 4], elemBytes: 2 });
    expect(s.get('q_i8')).toEqual({ dims: [1, 8, 4, 4], elemBytes: 1 });
    expect(s.get('q_u8')).toEqual({ dims: [1, 8, 4, 4], elemBytes: 1 });
    expect(s.get('dq')).toEqual({ dims: [1, 8, 4, 4], elemBytes: 4 });
    expect([s.get('dq_x'), s.get('dq_scale'), s.get('dq_zp')]).toEqual([
      { dims: [1, 8, 4, 4], elemBytes: 1 },
      { dims: [], elemBytes: 4 },
      { dims: [], elemBytes: 1 },
    ]);
    expect(s.get('acc')).toEqual({ dims: [4, 2], elemBytes: 4 });
    expect(s.get('qmm')).toEqual({ dims: [4, 2], elemBytes: 1 });
    expect(s.get('conv_acc')).toEqual({ dims: [1, 4, 4, 4], elemBytes: 4 });
    expect(s.get('qconv')).toEqual({ dims: [1, 4, 1, 1], elemBytes: 1 }); // (4 - 3) / 2 + 1 = 1
    expect(s.get('ln')).toEqual({ dims: [1, 8, 4, 4], elemBytes: 4 });
    expect(s.get('mask')).toEqual({ dims: [1, 8, 4, 4], elemBytes: 1 });
  });
});

describe('unknowns', () => {
  it('counts a custom-domain op and what depends on it, and goes on with the rest', () => {
    const m = model({
      inputs: [valueInfo('x', F, [1, 4])],
      opsets: { 'com.example': 1 },
      nodes: [node('Swizzle', ['x'], ['swizzled'], {}, 'swizzle', 'com.example'), node('Relu', ['swizzled'], ['after']), node('Sigmoid', ['x'], ['independent'])],
    });
    const d = dimsOf(m);
    expect(d.swizzled).toBeUndefined();
    expect(d.after).toBeUndefined();
    expect(d.independent).toEqual([1, 4]);
    const e = estimateActivations(m);
    expect(e.unknownOps).toEqual(['com.example:Swizzle']);
    expect(e.unknownTensors).toBe(2);
    expect(e.largestBytes).toBe(16);
  });

  it('uses fully known value_info shapes for ops it does not know, but not symbolic ones', () => {
    const m = model({
      inputs: [valueInfo('x', F, [1, 4])],
      opsets: { 'com.example': 1 },
      nodes: [node('Swizzle', ['x'], ['swizzled'], {}, 'swizzle', 'com.example'), node('Relu', ['swizzled'], ['after']), node('Swizzle', ['x'], ['sym'], {}, 'swizzle2', 'com.example')],
    });
    m.graph!.valueInfo.push(valueInfo('swizzled', F, [2, 8]), valueInfo('sym', F, ['n', 8]));
    expect(dimsOf(m).after).toEqual([2, 8]);
    const e = estimateActivations(m);
    expect(e.unknownOps).toEqual(['com.example:Swizzle']); // still listed: the op itself has no rule
    expect(e.unknownTensors).toBe(1);
  });

  it('does not enter If: its outputs are unknown', () => {
    const m = model({ inputs: [valueInfo('c', DataType.BOOL, [])], nodes: [node('If', ['c'], ['branch'])] });
    expect(estimateActivations(m)).toMatchObject({ unknownOps: ['If'], unknownTensors: 1 });
  });

  it('defaults a symbolic batch dim to 1 and takes inputDims when given', () => {
    const m = model({
      inputs: [valueInfo('x', F, ['batch', 3, 32, 32])],
      initializers: [weight('w', [16, 3, 3, 3])],
      nodes: [node('Conv', ['x', 'w'], ['y'], { pads: [1, 1, 1, 1] }, 'conv')],
    });
    // Conv output 16 x 32 x 32 x 4 = 65,536 B per image; input 3 x 32 x 32 x 4 = 12,288 B.
    // Every activation of one run: the input and the Conv output (77,824 B).
    expect(estimateActivations(m)).toEqual({ largestBytes: 65_536, largestName: 'y', peakNodeBytes: 77_824, peakNodeName: 'conv', totalBytes: 77_824, unknownTensors: 0, unknownOps: [] });
    expect(estimateActivations(m, { x: [4, 3, 32, 32] })).toMatchObject({ largestBytes: 4 * 65_536, peakNodeBytes: 4 * 77_824 });
    expect(dimsOf(m, { x: [4, 3, 32, 32] }).y).toEqual([4, 16, 32, 32]);
  });

  it('counts a graph input without a declared shape as unknown', () => {
    const m = model({ inputs: [create(ValueInfoProtoSchema, { name: 'x' })], nodes: [node('Relu', ['x'], ['y'])] });
    expect(estimateActivations(m)).toEqual({ largestBytes: 0, largestName: null, peakNodeBytes: 0, peakNodeName: null, totalBytes: 0, unknownTensors: 2, unknownOps: [] });
  });

  it('treats a Reshape whose shape is external data without its file as unknown, without throwing', () => {
    const shape = int64('target', [1, -1]);
    shape.rawData = new Uint8Array(0);
    shape.dataLocation = TensorProto_DataLocation.EXTERNAL;
    shape.externalData = [create(StringStringEntryProtoSchema, { key: 'location', value: 'weights.bin' }), create(StringStringEntryProtoSchema, { key: 'offset', value: '0' })];
    const m = model({ inputs: [valueInfo('x', F, [1, 3, 4])], initializers: [shape], nodes: [node('Reshape', ['x', 'target'], ['flat']), node('Relu', ['flat'], ['y'])] });
    const d = dimsOf(m);
    expect(d.target).toEqual([2]); // its dims are known, its values are not
    expect(d.flat).toBeUndefined();
    expect(estimateActivations(m)).toMatchObject({ unknownTensors: 2, unknownOps: [], largestBytes: 48, largestName: 'x' });
  });

  it('survives malformed nodes', () => {
    const m = model({
      inputs: [valueInfo('x', F, [1, 3, 8, 8])],
      initializers: [int64('neg', [-5, -5]), weight('w', [4, 3])],
      nodes: [
        node('Conv', ['x', 'w'], ['c']), // weight rank does not match
        node('Transpose', ['x'], ['t'], { perm: [0, 0, 1, 2] }),
        node('Reshape', ['x', 'neg'], ['r']),
        node('Tile', ['x', 'neg'], ['tiled']),
        node('MaxPool', ['x'], ['p']), // no kernel_shape
        node('Constant', [], ['k']), // no value attribute
        node('Gather', ['x', 'missing'], ['g'], { axis: 9 }),
      ],
    });
    expect(() => estimateActivations(m)).not.toThrow();
    expect(estimateActivations(m).unknownTensors).toBe(7);
  });
});

describe('speed', () => {
  it('propagates a 2,000-node graph in well under 50 ms', () => {
    const nodes: NodeProto[] = [];
    let prev = 'x';
    for (let i = 0; i < 1000; i++) {
      nodes.push(node('Conv', [prev, 'w', 'b'], [`c${i}`], { kernel_shape: [1, 1], pads: [0, 0, 0, 0], strides: [1, 1] }));
      nodes.push(node('Relu', [`c${i}`], [`r${i}`]));
      prev = `r${i}`;
    }
    const m = model({ inputs: [valueInfo('x', F, [1, 16, 56, 56])], initializers: [weight('w', [16, 16, 1, 1]), weight('b', [16])], nodes });
    estimateActivations(m); // warm-up (JIT)
    let best = Infinity;
    for (let run = 0; run < 3; run++) {
      const t0 = performance.now();
      const e = estimateActivations(m);
      best = Math.min(best, performance.now() - t0);
      expect(e.unknownTensors).toBe(0);
    }
    expect(best).toBeLessThan(50);
  });
});

/** The CNN classifiers of ../shared/data: every op must have a rule. */
const CLASSIFIERS = ['squeezenet1.1-7-fp32-upcast.onnx', 'squeezenet1.1-7-winml-fp16.onnx', 'resnet20-cifar10-ace.onnx'];

describe('shared models', () => {
  it.skipIf(!HAVE_SHARED)('never throws on any shared model and knows every op of the CNNs (skipped without ../shared/data)', () => {
    const files = readdirSync(sharedPath('models')).filter((f) => f.endsWith('.onnx'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const m = decodeModel(new Uint8Array(readFileSync(sharedPath('models', file))), file);
      const e = estimateActivations(m);
      console.log(`[shapes] ${file}: ${JSON.stringify(e)}`);
      if (CLASSIFIERS.includes(file)) {
        expect(e.unknownOps, file).toEqual([]);
        expect(e.unknownTensors, file).toBe(0);
      }
      // Where the manifest declares a fixed output shape, the propagation must reach it.
      const shapes = inferShapes(m);
      for (const out of m.graph!.output) {
        const dims = out.type?.value.case === 'tensorType' ? out.type.value.value.shape?.dim : undefined;
        if (dims === undefined || dims.some((d) => d.value.case !== 'dimValue') || file.startsWith('silero')) continue;
        expect(shapes.get(out.name)?.dims, `${file} ${out.name}`).toEqual(dims.map((d) => Number(d.value.value)));
      }
    }
  });

  it.skipIf(!HAVE_SHARED)('estimates SqueezeNet 1.1 exactly: conv1 output is the largest tensor', () => {
    // conv1: 64 channels of (224 - 3) / 2 + 1 = 111; its Relu reads it and writes as much.
    const conv1Bytes = 64 * 111 * 111 * 4;
    const fp32 = estimateActivations(decodeModel(new Uint8Array(readFileSync(sharedPath('models', 'squeezenet1.1-7-fp32-upcast.onnx')))));
    expect(fp32).toMatchObject({ largestBytes: conv1Bytes, largestName: 'conv1_1', peakNodeBytes: 2 * conv1Bytes });
    const fp16 = estimateActivations(decodeModel(new Uint8Array(readFileSync(sharedPath('models', 'squeezenet1.1-7-winml-fp16.onnx')))));
    expect(fp16).toMatchObject({ largestBytes: conv1Bytes / 2, peakNodeBytes: conv1Bytes });
  });
});
