// Static INT8 planning on synthetic models: what is quantized, which tensors get Q/DQ and share scales, weight
// axes, biases, ignored scope, ConvTranspose, the transformer model type, float heads and int64 shape logic.
import { describe, expect, it } from 'vitest';
import { syntheticCnn, weight, bias } from '../../test/int8-synthetic';
import { makeModel, node, valueInfo } from '../onnx/build';
import { DataType } from '../onnx/dtypes';
import { makeTensor } from '../onnx/tensor-data';
import { planQdq, tensorTypes, type QdqPlan } from './qdq-plan';

const groupOf = (plan: QdqPlan, t: string): string[] | undefined => plan.groups.find((g) => g.includes(t));
const names = (plan: QdqPlan): string[] => plan.quantizedNodes.map((n) => n.name);

/** x [1, 8] -> mm1 (W [8, 6]) -> relu -> mm2 (W3 [2, 6, 4] broadcast, 3-D) -> out [2, 1, 4]. */
function matmulModel() {
  return makeModel({
    nodes: [
      node('MatMul', ['x', 'wm1'], ['m1'], {}, 'mm1'),
      node('Relu', ['m1'], ['r'], {}, 'relu'),
      node('MatMul', ['r', 'wm2'], ['out'], {}, 'mm2'),
    ],
    inputs: [valueInfo('x', DataType.FLOAT, [1, 8])],
    outputs: [valueInfo('out', DataType.FLOAT, [2, 1, 4])],
    initializers: [weight('wm1', [8, 6], 1), weight('wm2', [2, 6, 4], 2)],
  });
}

/** x [1,3,8,8] -> conv -> relu -> GlobalAveragePool -> Flatten -> Softmax -> probs (a SqueezeNet-style head). */
function pooledLogitsModel() {
  return makeModel({
    nodes: [
      node('Conv', ['x', 'w', 'b'], ['c'], { kernel_shape: [1, 1] }, 'conv'),
      node('Relu', ['c'], ['r'], {}, 'relu'),
      node('GlobalAveragePool', ['r'], ['g'], {}, 'gap'),
      node('Flatten', ['g'], ['f'], { axis: 1 }, 'flatten'),
      node('Softmax', ['f'], ['probs'], { axis: 1 }, 'softmax'),
    ],
    inputs: [valueInfo('x', DataType.FLOAT, [1, 3, 8, 8])],
    outputs: [valueInfo('probs', DataType.FLOAT, [1, 10])],
    initializers: [weight('w', [10, 3, 1, 1], 3), bias('b', 10, 4)],
  });
}

/**
 * A transformer-like block: x [1, 4, 8] -> mm_q (Wq) -> add_b (+ constant bias) -> softmax -> mm_o (Wo) -> add_res
 * (+ x, residual) -> SiLU (Sigmoid, Mul) -> mm_out (Wout) -> out.
 */
function transformerModel() {
  return makeModel({
    nodes: [
      node('MatMul', ['x', 'wq'], ['q'], {}, 'mm_q'),
      node('Add', ['q', 'bq'], ['qb'], {}, 'add_b'),
      node('Softmax', ['qb'], ['s'], { axis: -1 }, 'softmax'),
      node('MatMul', ['s', 'wo'], ['o'], {}, 'mm_o'),
      node('Add', ['o', 'x'], ['res'], {}, 'add_res'),
      node('Sigmoid', ['res'], ['act'], {}, 'sigmoid'),
      node('Mul', ['res', 'act'], ['silu'], {}, 'mul'),
      node('MatMul', ['silu', 'wout'], ['out'], {}, 'mm_out'),
    ],
    inputs: [valueInfo('x', DataType.FLOAT, [1, 4, 8])],
    outputs: [valueInfo('out', DataType.FLOAT, [1, 4, 8])],
    initializers: [weight('wq', [8, 8], 5), bias('bq', 8, 6), weight('wo', [8, 8], 7), weight('wout', [8, 8], 8)],
  });
}

describe('planQdq on a residual CNN (opset 13)', () => {
  const model = syntheticCnn();
  const plan = planQdq(model);

  it('quantizes the convolutions, the fused Relus, pooling, the residual Add, the Reshape and the Gemm', () => {
    expect(names(plan)).toEqual(['conv1', 'relu1', 'pool', 'conv2', 'conv3', 'add', 'relu2', 'gap', 'reshape', 'gemm']);
    expect(plan.skippedNodes).toEqual([]);
  });

  it('plans the activations feeding integer ops, in graph order, starting with the graph input', () => {
    expect(plan.tensors).toEqual(['input', 'r1', 'p1', 'c2', 'c3', 'r2', 'g', 'flat']);
    expect(plan.graphInputs).toEqual(['input']);
  });

  it('leaves the input of a fused Relu alone (Conv -> Relu and Add -> Relu run as one integer op)', () => {
    expect(plan.tensors).not.toContain('c1');
    expect(plan.tensors).not.toContain('a1');
  });

  it('Relu and MaxPool outputs share one group; Reshape shares its input scale; every planned tensor is in one group', () => {
    expect(groupOf(plan, 'r1')).toEqual(['r1', 'p1']);
    expect(groupOf(plan, 'g')).toEqual(['g', 'flat']);
    // The two Add inputs are requantized separately (Add is an integer op with its own scales).
    expect(groupOf(plan, 'c2')).toEqual(['c2']);
    expect(groupOf(plan, 'c3')).toEqual(['c3']);
    expect(plan.groups.flat().sort()).toEqual([...plan.tensors].sort());
  });

  it('never plans a graph output', () => {
    expect(plan.tensors).not.toContain('output');
    // An intermediate tensor that is also a graph output stays exact too.
    const m = syntheticCnn();
    m.graph!.output.push(valueInfo('r2', DataType.FLOAT, [1, 8, 4, 4]), valueInfo('p1', DataType.FLOAT, [1, 8, 4, 4]));
    const p = planQdq(m);
    expect(p.tensors).not.toContain('r2');
    expect(p.tensors).not.toContain('p1');
    expect(p.tensors).not.toContain('output');
    expect(p.tensors).toContain('r1');
    // A Conv whose input stays float still gets int8 weights, but no int32 bias (which needs the input's scale).
    expect(p.weights.map((w) => w.node)).toContain('conv2');
    expect(p.biases.map((b) => b.node)).not.toContain('conv2');
  });

  it('keeps the int64 shape logic (Shape -> Gather -> Concat) out of the plan', () => {
    expect(names(plan)).not.toContain('shape_concat');
    expect(names(plan)).not.toContain('gather');
    for (const t of ['g_shape', 'batch', 'flat_shape', 'idx0', 'minus1']) expect(plan.tensors).not.toContain(t);
    const types = tensorTypes(model.graph!);
    expect(types.get('flat_shape')).toBe(DataType.INT64);
    expect(types.get('batch')).toBe(DataType.INT64);
    expect(types.get('flat')).toBe(DataType.FLOAT);
  });

  it('plans every weight per output channel: Conv axis 0, Gemm transB=1 axis 0', () => {
    expect(plan.weights).toEqual([
      { node: 'conv1', input: 1, tensor: 'w1', axis: 0 },
      { node: 'conv2', input: 1, tensor: 'w2', axis: 0 },
      { node: 'conv3', input: 1, tensor: 'w3', axis: 0 },
      { node: 'gemm', input: 1, tensor: 'wg', axis: 0 },
    ]);
  });

  it('plans the biases of Conv and Gemm with their weight and activation', () => {
    expect(plan.biases).toEqual([
      { node: 'conv1', input: 2, tensor: 'b1', weight: 'w1', activation: 'input' },
      { node: 'conv2', input: 2, tensor: 'b2', weight: 'w2', activation: 'p1' },
      { node: 'conv3', input: 2, tensor: 'b3', weight: 'w3', activation: 'p1' },
      { node: 'gemm', input: 2, tensor: 'bg', weight: 'wg', activation: 'flat' },
    ]);
  });

  it('counts the ops left in float by type', () => {
    expect(plan.floatOps).toEqual({ Shape: 1, Gather: 1, Concat: 1 });
    expect(planQdq(syntheticCnn({ constantShape: true })).floatOps).toEqual({});
    expect(planQdq(syntheticCnn({ softmax: true })).floatOps).toEqual({ Shape: 1, Gather: 1, Concat: 1, Softmax: 1 });
  });

  it('does not mutate the model', () => {
    const before = JSON.stringify(model, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    planQdq(model, { excludeNodes: ['conv2'], modelType: 'transformer' });
    expect(JSON.stringify(model, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).toBe(before);
  });
});

describe('planQdq: weight axes', () => {
  it('Gemm with transB=0 quantizes its [K, N] weight along axis 1', () => {
    const plan = planQdq(syntheticCnn({ transB: 0 }));
    expect(plan.weights.find((w) => w.node === 'gemm')).toEqual({ node: 'gemm', input: 1, tensor: 'wg', axis: 1 });
    expect(plan.biases.find((b) => b.node === 'gemm')?.tensor).toBe('bg');
  });

  it('MatMul quantizes along its last axis (2-D and 3-D weights)', () => {
    const plan = planQdq(matmulModel());
    expect(plan.weights).toEqual([
      { node: 'mm1', input: 1, tensor: 'wm1', axis: 1 },
      { node: 'mm2', input: 1, tensor: 'wm2', axis: 2 },
    ]);
    expect(plan.biases).toEqual([]);
    // MatMul -> Relu fuses like Conv -> Relu.
    expect(plan.tensors).toEqual(['x', 'r']);
  });

  it('a weight shared by two Convs is planned once per use, with the same axis', () => {
    const plan = planQdq(syntheticCnn({ sharedWeight: true }));
    const uses = plan.weights.filter((w) => w.tensor === 'w_shared');
    expect(uses.map((w) => [w.node, w.axis])).toEqual([['conv2', 0], ['conv3', 0]]);
  });
});

describe('planQdq: ignored scope and skipped nodes', () => {
  it('excludeNodes keeps the named node in float and says why', () => {
    const plan = planQdq(syntheticCnn(), { excludeNodes: ['conv2'] });
    expect(plan.skippedNodes).toEqual([{ name: 'conv2', opType: 'Conv', reason: 'Excluded by you (ignored scope).' }]);
    expect(names(plan)).not.toContain('conv2');
    expect(plan.weights.map((w) => w.node)).not.toContain('conv2');
    expect(plan.biases.map((b) => b.node)).not.toContain('conv2');
    // conv2's output still feeds the integer Add.
    expect(plan.tensors).toContain('c2');
  });

  it('excludeOpTypes keeps every node of the type in float', () => {
    const plan = planQdq(syntheticCnn(), { excludeOpTypes: ['Gemm'] });
    expect(plan.skippedNodes).toEqual([{ name: 'gemm', opType: 'Gemm', reason: 'Excluded by you (ignored scope).' }]);
    expect(plan.weights.map((w) => w.node)).toEqual(['conv1', 'conv2', 'conv3']);
    // Nothing integer reads the pooled features any more: they stay float.
    expect(plan.tensors).not.toContain('g');
    expect(plan.tensors).not.toContain('flat');

    const convs = planQdq(syntheticCnn(), { excludeOpTypes: ['Conv'] });
    expect(convs.skippedNodes.map((s) => s.name)).toEqual(['conv1', 'conv2', 'conv3']);
    expect(convs.skippedNodes.every((s) => s.reason.length > 0 && s.opType === 'Conv')).toBe(true);
  });

  it('lists ConvTranspose as skipped, with a reason', () => {
    const m = makeModel({
      nodes: [
        node('Conv', ['x', 'w', 'b'], ['c'], { kernel_shape: [1, 1] }, 'conv'),
        node('Relu', ['c'], ['r'], {}, 'relu'),
        node('ConvTranspose', ['r', 'wt'], ['up'], { kernel_shape: [2, 2], strides: [2, 2] }, 'deconv'),
        node('Conv', ['up', 'w2'], ['y'], { kernel_shape: [1, 1] }, 'conv_out'),
      ],
      inputs: [valueInfo('x', DataType.FLOAT, [1, 3, 4, 4])],
      outputs: [valueInfo('y', DataType.FLOAT, [1, 2, 8, 8])],
      initializers: [weight('w', [4, 3, 1, 1], 1), bias('b', 4, 2), weight('wt', [4, 4, 2, 2], 3), weight('w2', [2, 4, 1, 1], 4)],
    });
    const plan = planQdq(m);
    expect(plan.skippedNodes.map((s) => [s.name, s.opType])).toEqual([['deconv', 'ConvTranspose']]);
    expect(plan.skippedNodes[0]!.reason).toMatch(/ConvTranspose is kept in float/);
    expect(names(plan)).not.toContain('deconv');
    expect(plan.weights.map((w) => w.tensor)).toEqual(['w', 'w2']);
    // Not counted as a float op by design: it is reported as skipped.
    expect(plan.floatOps.ConvTranspose).toBeUndefined();
    // The ConvTranspose output feeds conv_out. The Relu output is planned too: an integer op (conv_out) lies
    // downstream, and its Q lets conv -> relu run as one integer op although the ConvTranspose itself is float.
    expect(plan.tensors).toEqual(['x', 'r', 'up']);
  });

  it('skips a Conv whose weights are computed at run time and a Gemm with transA', () => {
    const m = makeModel({
      nodes: [
        node('Mul', ['w', 'two'], ['w_run'], {}, 'scale_w'),
        node('Conv', ['x', 'w_run'], ['c'], { kernel_shape: [1, 1] }, 'conv'),
        node('Flatten', ['c'], ['f'], { axis: 0 }, 'flatten'),
        node('Gemm', ['f', 'wg'], ['y'], { transA: 1 }, 'gemm'),
      ],
      inputs: [valueInfo('x', DataType.FLOAT, [1, 3, 2, 2])],
      outputs: [valueInfo('y', DataType.FLOAT, [1, 5])],
      initializers: [weight('w', [4, 3, 1, 1], 1), makeTensor('two', DataType.FLOAT, [], new Float32Array([2])), weight('wg', [16, 5], 2)],
    });
    const plan = planQdq(m);
    expect(plan.skippedNodes.map((s) => [s.name, s.opType])).toEqual([['conv', 'Conv'], ['gemm', 'Gemm']]);
    expect(plan.skippedNodes.every((s) => s.reason.length > 10)).toBe(true);
    // The Flatten between them has no quantized neighbour, so it is not listed as quantized either.
    expect(plan.quantizedNodes).toEqual([]);
    expect(plan.tensors).toEqual([]);
    expect(plan.floatOps).toEqual({ Mul: 1, Flatten: 1 });
  });
});

describe('planQdq: model types and float heads', () => {
  it("modelType 'transformer' plans only the data inputs of MatMul/Gemm (and Conv)", () => {
    const m = transformerModel();
    const plan = planQdq(m, { modelType: 'transformer' });
    expect(names(plan)).toEqual(['mm_q', 'mm_o', 'mm_out']);
    expect(plan.tensors).toEqual(['x', 's', 'silu']);
    const weightedInputs = new Set(m.graph!.node.filter((n) => n.opType === 'MatMul' || n.opType === 'Gemm').map((n) => n.input[0]!));
    expect(plan.tensors.every((t) => weightedInputs.has(t))).toBe(true);
    expect(plan.floatOps).toEqual({ Add: 2, Softmax: 1, Sigmoid: 1, Mul: 1 });
    expect(plan.weights.map((w) => [w.tensor, w.axis])).toEqual([['wq', 1], ['wo', 1], ['wout', 1]]);

    const cnn = planQdq(syntheticCnn(), { modelType: 'transformer' });
    expect(names(cnn)).toEqual(['conv1', 'conv2', 'conv3', 'gemm']);
    expect(cnn.tensors).toEqual(['input', 'p1', 'flat']);
    expect(cnn.groups.every((g) => g.length === 1)).toBe(true);
  });

  it("the same block as 'cnn' also quantizes the residual Add and the Mul", () => {
    const plan = planQdq(transformerModel());
    expect(names(plan)).toEqual(expect.arrayContaining(['mm_q', 'mm_o', 'add_res', 'mul', 'mm_out']));
    // The bias Add adds a constant: nothing to fuse, stays float.
    expect(names(plan)).not.toContain('add_b');
  });

  it('a tensor that leads only to Softmax (logits, pooled logits) is not planned', () => {
    const withSoftmax = planQdq(syntheticCnn({ softmax: true }));
    expect(withSoftmax.tensors).not.toContain('logits');
    expect(withSoftmax.tensors).toEqual(['input', 'r1', 'p1', 'c2', 'c3', 'r2', 'g', 'flat']);

    const pooled = planQdq(pooledLogitsModel());
    expect(names(pooled)).toEqual(['conv', 'relu', 'gap', 'flatten']);
    expect(pooled.tensors).toEqual(['x', 'r']);
    expect(pooled.tensors).not.toContain('g');
    expect(pooled.tensors).not.toContain('f');
    expect(pooled.floatOps).toEqual({ Softmax: 1 });
  });

  it('shareConcatScales false keeps Concat inputs in their own groups', () => {
    const m = makeModel({
      nodes: [
        node('Conv', ['x', 'wa'], ['a'], { kernel_shape: [1, 1] }, 'conv_a'),
        node('Conv', ['x', 'wb'], ['b'], { kernel_shape: [1, 1] }, 'conv_b'),
        node('Concat', ['a', 'b'], ['ab'], { axis: 1 }, 'concat'),
        node('Conv', ['ab', 'wc'], ['y'], { kernel_shape: [1, 1] }, 'conv_c'),
      ],
      inputs: [valueInfo('x', DataType.FLOAT, [1, 3, 4, 4])],
      outputs: [valueInfo('y', DataType.FLOAT, [1, 2, 4, 4])],
      initializers: [weight('wa', [4, 3, 1, 1], 1), weight('wb', [4, 3, 1, 1], 2), weight('wc', [2, 8, 1, 1], 3)],
    });
    expect(groupOf(planQdq(m), 'a')).toEqual(['a', 'b', 'ab']);
    const separate = planQdq(m, { shareConcatScales: false });
    expect(groupOf(separate, 'a')).toEqual(['a']);
    expect(groupOf(separate, 'ab')).toEqual(['ab']);
  });
});

describe('planQdq: runtime-aware options', () => {
  it('weightOnlyNodes keeps int8 weights for an excluded Conv but no int32 bias and no activation pair', () => {
    const plan = planQdq(syntheticCnn(), { excludeNodes: ['conv2'], weightOnlyNodes: ['conv2'] });
    expect(names(plan)).not.toContain('conv2');
    expect(plan.weights.map((w) => w.node)).toContain('conv2');
    expect(plan.biases.map((b) => b.node)).not.toContain('conv2');
  });

  it('keepOutputsQuantized quantizes an integer output that only float ops read (so onnxruntime fuses the Conv)', () => {
    const plain = planQdq(pooledLogitsModel());
    expect(plain.tensors).not.toContain('g');
    const kept = planQdq(pooledLogitsModel(), { keepOutputsQuantized: true });
    // The pooled output feeds only Flatten -> Softmax, yet stays quantized: the pool is an integer kernel.
    expect(kept.tensors).toContain('g');
    expect(kept.tensors).toEqual(expect.arrayContaining(plain.tensors));
  });
});
