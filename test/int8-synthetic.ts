// Synthetic float models for the static INT8 engine's tests (plan, apply, calibrate, makeInt8Variant): a small
// residual CNN with int64 shape logic, and seeded inputs. Weights are seeded, so every run builds the same model.
import { makeModel, node, valueInfo } from '../src/onnx/build';
import { DataType } from '../src/onnx/dtypes';
import type { ModelProto, TensorProto } from '../src/onnx/proto/onnx_pb';
import { makeTensor } from '../src/onnx/tensor-data';
import type { FloatTensor } from '../src/runtime/session';
import { makeRng } from '../src/shared/rng';

/** Roughly normal values (sum of 4 uniforms), mean 0, standard deviation `std`. */
export function gaussian(n: number, seed: number, std = 1): Float32Array {
  const rng = makeRng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (rng() + rng() + rng() + rng() - 2) * std * Math.sqrt(3);
  return out;
}

/** Uniform values in [lo, hi). */
export function uniform(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rng = makeRng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rng();
  return out;
}

/** A float weight with He-like scale (fan-in = product of all dims but the first). */
export function weight(name: string, dims: number[], seed: number, fanIn?: number): TensorProto {
  const n = dims.reduce((a, b) => a * b, 1);
  const fan = fanIn ?? n / dims[0]!;
  return makeTensor(name, DataType.FLOAT, dims, gaussian(n, seed, Math.sqrt(2 / fan)));
}

export function bias(name: string, n: number, seed: number, std = 0.1): TensorProto {
  return makeTensor(name, DataType.FLOAT, [n], gaussian(n, seed, std));
}

/** Seeded [1, 3, size, size] inputs in [lo, hi). */
export function inputs(count: number, seed: number, size = 8, lo = -1, hi = 1): FloatTensor[] {
  return Array.from({ length: count }, (_, i) => ({ data: uniform(3 * size * size, seed + i * 7919, lo, hi), dims: [1, 3, size, size] }));
}

export interface CnnOptions {
  /** Default-domain opset (default 13). */
  opset?: number;
  /** Softmax after the Gemm (the graph output is then the probabilities). */
  softmax?: boolean;
  /** conv2 and conv3 both use one 1x1 weight "w_shared" (and conv3's own bias). */
  sharedWeight?: boolean;
  /** Reshape's shape from a constant initializer instead of Shape -> Gather -> Concat. */
  constantShape?: boolean;
  /** Gemm transB (default 1: weight [10, 8]; 0: weight [8, 10]). */
  transB?: 0 | 1;
}

/**
 * input [1,3,8,8] -> conv1(w1,b1) -> relu1 -> pool (MaxPool 2x2) -> { conv2 (3x3), conv3 (1x1) } -> add -> relu2 ->
 * gap (GlobalAveragePool) -> reshape (shape from Shape -> Gather -> Concat, int64) -> gemm -> output
 * (or -> softmax -> output). Tensor names: c1 r1 p1 c2 c3 a1 r2 g flat logits (probs).
 */
export function syntheticCnn(options: CnnOptions = {}): ModelProto {
  const transB = options.transB ?? 1;
  const shared = options.sharedWeight === true;
  const initializers: TensorProto[] = [
    weight('w1', [8, 3, 3, 3], 11),
    bias('b1', 8, 12),
    shared ? weight('w_shared', [8, 8, 1, 1], 13) : weight('w2', [8, 8, 3, 3], 13),
    bias('b2', 8, 14),
    ...(shared ? [] : [weight('w3', [8, 8, 1, 1], 15)]),
    bias('b3', 8, 16),
    transB === 1 ? weight('wg', [10, 8], 17) : weight('wg', [8, 10], 17, 8),
    bias('bg', 10, 18),
  ];
  const nodes = [
    node('Conv', ['input', 'w1', 'b1'], ['c1'], { pads: [1, 1, 1, 1], kernel_shape: [3, 3] }, 'conv1'),
    node('Relu', ['c1'], ['r1'], {}, 'relu1'),
    node('MaxPool', ['r1'], ['p1'], { kernel_shape: [2, 2], strides: [2, 2] }, 'pool'),
    shared
      ? node('Conv', ['p1', 'w_shared', 'b2'], ['c2'], { kernel_shape: [1, 1] }, 'conv2')
      : node('Conv', ['p1', 'w2', 'b2'], ['c2'], { pads: [1, 1, 1, 1], kernel_shape: [3, 3] }, 'conv2'),
    node('Conv', ['p1', shared ? 'w_shared' : 'w3', 'b3'], ['c3'], { kernel_shape: [1, 1] }, 'conv3'),
    node('Add', ['c2', 'c3'], ['a1'], {}, 'add'),
    node('Relu', ['a1'], ['r2'], {}, 'relu2'),
    node('GlobalAveragePool', ['r2'], ['g'], {}, 'gap'),
  ];
  if (options.constantShape === true) {
    initializers.push(makeTensor('flat_shape', DataType.INT64, [2], new BigInt64Array([1n, -1n])));
    nodes.push(node('Reshape', ['g', 'flat_shape'], ['flat'], {}, 'reshape'));
  } else {
    initializers.push(makeTensor('idx0', DataType.INT64, [1], new BigInt64Array([0n])), makeTensor('minus1', DataType.INT64, [1], new BigInt64Array([-1n])));
    nodes.push(
      node('Shape', ['g'], ['g_shape'], {}, 'shape'),
      node('Gather', ['g_shape', 'idx0'], ['batch'], { axis: 0 }, 'gather'),
      node('Concat', ['batch', 'minus1'], ['flat_shape'], { axis: 0 }, 'shape_concat'),
      node('Reshape', ['g', 'flat_shape'], ['flat'], {}, 'reshape'),
    );
  }
  const softmax = options.softmax === true;
  nodes.push(node('Gemm', ['flat', 'wg', 'bg'], [softmax ? 'logits' : 'output'], { transB }, 'gemm'));
  if (softmax) nodes.push(node('Softmax', ['logits'], ['output'], { axis: 1 }, 'softmax'));
  return makeModel({
    opset: options.opset ?? 13,
    nodes,
    inputs: [valueInfo('input', DataType.FLOAT, [1, 3, 8, 8])],
    outputs: [valueInfo('output', DataType.FLOAT, [1, 10])],
    initializers,
  });
}
