// `npm run gen:demo`: trains the built-in demo CNN on procedurally generated shapes (pure TypeScript,
// hand-written forward/backward, Adam) and writes public/demo/ (shapes-cnn.onnx, demo.json, 48 PNGs).
// Deterministic: every random choice comes from fixed seeds, so each run writes the same model.
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataType } from '../src/onnx/dtypes';
import { encodeModel } from '../src/onnx/model-io';
import { AttributeProto_AttributeType, ModelProtoSchema, NodeProtoSchema, TypeProtoSchema, type ModelProto } from '../src/onnx/proto/onnx_pb';
import { makeTensor } from '../src/onnx/tensor-data';
import { encodePng, IMAGE_SIZE_PX, makeRng, renderShape, rgbaToNchw, SHAPE_CLASSES, type Rng } from './demo-shapes';

const TRAIN_SEED = 20240101;
const HELDOUT_SEED = 20240202;
const DEMO_IMAGES_SEED = 20240303;
const INIT_SEED = 7;
const SHUFFLE_SEED = 11;

const TRAIN_IMAGES = 4800;
const HELDOUT_IMAGES = 1000;
const DEMO_IMAGES_PER_CLASS = 12;
const EPOCHS = 5;
const BATCH_SIZE = 16;
const PEAK_LEARNING_RATE = 0.005;
const REQUIRED_HELDOUT_ACCURACY = 0.95;

/** Preprocessing the model expects, as the app reads it from metadata and demo.json. */
const DEMO_PREPROCESS = {
  width: IMAGE_SIZE_PX,
  height: IMAGE_SIZE_PX,
  layout: 'NCHW',
  channelOrder: 'RGB',
  scale: 1 / 255,
  mean: [0, 0, 0],
  std: [1, 1, 1],
  resize: 'stretch',
} as const;

const S = IMAGE_SIZE_PX;
const NUM_CLASSES = SHAPE_CLASSES.length;
const INPUT_LEN = 3 * S * S;

/** One 3x3, pad-1, stride-1 convolution layer's shape. */
interface ConvShape {
  cin: number;
  cout: number;
  /** Spatial side of its input and output (square maps). */
  side: number;
}

const CONV1: ConvShape = { cin: 3, cout: 8, side: S };
const CONV2: ConvShape = { cin: 8, cout: 16, side: S / 2 };
const CONV3: ConvShape = { cin: 16, cout: 32, side: S / 4 };
const FC_IN = CONV3.cout;

/** Weights are [cout, cin, 3, 3] as ONNX Conv stores them, fc is [out, in] (Gemm with transB=1). */
interface Params {
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
  w3: Float32Array;
  b3: Float32Array;
  wf: Float32Array;
  bf: Float32Array;
}

type ParamName = keyof Params;
const PARAM_NAMES: readonly ParamName[] = ['w1', 'b1', 'w2', 'b2', 'w3', 'b3', 'wf', 'bf'];

function zerosLike(p: Params): Params {
  return {
    w1: new Float32Array(p.w1.length),
    b1: new Float32Array(p.b1.length),
    w2: new Float32Array(p.w2.length),
    b2: new Float32Array(p.b2.length),
    w3: new Float32Array(p.w3.length),
    b3: new Float32Array(p.b3.length),
    wf: new Float32Array(p.wf.length),
    bf: new Float32Array(p.bf.length),
  };
}

function gaussian(rng: Rng): number {
  // Box-Muller; 1 - rng() keeps the log argument in (0, 1].
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** Shifts every 3x3 kernel of a [cout, cin, 3, 3] weight to sum to zero. */
function makeKernelsZeroSum(w: Float32Array): void {
  for (let start = 0; start < w.length; start += 9) {
    let mean = 0;
    for (let i = start; i < start + 9; i++) mean += w[i]!;
    mean /= 9;
    for (let i = start; i < start + 9; i++) w[i]! -= mean;
  }
}

/**
 * He-normal weights (right for ReLU layers), zero biases. Conv kernels start zero-sum, i.e. as edge
 * detectors, so the images' random colours do not swamp the shape signal at the start.
 */
function initParams(rng: Rng): Params {
  const he = (n: number, fanIn: number): Float32Array => {
    const a = new Float32Array(n);
    const std = Math.sqrt(2 / fanIn);
    for (let i = 0; i < n; i++) a[i] = gaussian(rng) * std;
    return a;
  };
  const p: Params = {
    w1: he(CONV1.cout * CONV1.cin * 9, CONV1.cin * 9),
    b1: new Float32Array(CONV1.cout),
    w2: he(CONV2.cout * CONV2.cin * 9, CONV2.cin * 9),
    b2: new Float32Array(CONV2.cout),
    w3: he(CONV3.cout * CONV3.cin * 9, CONV3.cin * 9),
    b3: new Float32Array(CONV3.cout),
    wf: he(NUM_CLASSES * FC_IN, FC_IN),
    bf: new Float32Array(NUM_CLASSES),
  };
  makeKernelsZeroSum(p.w1);
  makeKernelsZeroSum(p.w2);
  makeKernelsZeroSum(p.w3);
  return p;
}

/**
 * Unrolls 3x3 pad-1 patches into col[(ci*9 + ky*3 + kx) * plane + y*side + x] (zero outside the image), so
 * the convolution becomes a matrix product whose inner loops run over a whole contiguous plane.
 */
function im2col(input: Float32Array, inOffset: number, cin: number, side: number, col: Float32Array): void {
  const plane = side * side;
  for (let ci = 0; ci < cin; ci++) {
    const iBase = inOffset + ci * plane;
    for (let ky = 0; ky < 3; ky++) {
      const dy = ky - 1;
      for (let kx = 0; kx < 3; kx++) {
        const dx = kx - 1;
        const cBase = (ci * 9 + ky * 3 + kx) * plane;
        for (let y = 0; y < side; y++) {
          const sy = y + dy;
          const cRow = cBase + y * side;
          if (sy < 0 || sy >= side) {
            col.fill(0, cRow, cRow + side);
            continue;
          }
          const iRow = iBase + sy * side + dx;
          for (let x = 0; x < side; x++) {
            const sx = x + dx;
            col[cRow + x] = sx >= 0 && sx < side ? input[iRow + x]! : 0;
          }
        }
      }
    }
  }
}

/** Adjoint of im2col: sums column gradients back onto the input positions they were copied from. */
function col2im(dCol: Float32Array, cin: number, side: number, dIn: Float32Array): void {
  const plane = side * side;
  dIn.fill(0, 0, cin * plane);
  for (let ci = 0; ci < cin; ci++) {
    const iBase = ci * plane;
    for (let ky = 0; ky < 3; ky++) {
      const dy = ky - 1;
      for (let kx = 0; kx < 3; kx++) {
        const dx = kx - 1;
        const cBase = (ci * 9 + ky * 3 + kx) * plane;
        const y0 = dy < 0 ? 1 : 0;
        const y1 = dy > 0 ? side - 1 : side;
        const x0 = dx < 0 ? 1 : 0;
        const x1 = dx > 0 ? side - 1 : side;
        for (let y = y0; y < y1; y++) {
          const cRow = cBase + y * side;
          const iRow = iBase + (y + dy) * side + dx;
          for (let x = x0; x < x1; x++) dIn[iRow + x]! += dCol[cRow + x]!;
        }
      }
    }
  }
}

/*
 * The conv kernels below handle four rows of the matrix product per pass: one load of the shared
 * operand feeds four multiply-adds, which roughly doubles V8's throughput over the plain loops.
 */

/** 3x3 pad-1 convolution as W[cout, cin*9] x col[cin*9, plane], then ReLU. */
function convReluForward(col: Float32Array, shape: ConvShape, w: Float32Array, b: Float32Array, out: Float32Array): void {
  const { cin, cout, side } = shape;
  const plane = side * side;
  const k = cin * 9;
  for (let co = 0; co < cout; co++) {
    const oBase = co * plane;
    const wBase = co * k;
    out.fill(b[co]!, oBase, oBase + plane);
    let j = 0;
    for (; j + 4 <= k; j += 4) {
      const w0 = w[wBase + j]!;
      const w1 = w[wBase + j + 1]!;
      const w2 = w[wBase + j + 2]!;
      const w3 = w[wBase + j + 3]!;
      const c0 = j * plane;
      const c1 = c0 + plane;
      const c2 = c1 + plane;
      const c3 = c2 + plane;
      for (let p = 0; p < plane; p++) {
        out[oBase + p]! += w0 * col[c0 + p]! + w1 * col[c1 + p]! + w2 * col[c2 + p]! + w3 * col[c3 + p]!;
      }
    }
    for (; j < k; j++) {
      const wv = w[wBase + j]!;
      const c0 = j * plane;
      for (let p = 0; p < plane; p++) out[oBase + p]! += wv * col[c0 + p]!;
    }
  }
  for (let i = 0; i < cout * plane; i++) if (out[i]! < 0) out[i] = 0;
}

/**
 * Backward of conv+ReLU: `dOut` is the gradient w.r.t. the ReLU output and is masked in place by where
 * the activation was positive. Accumulates dW/dB; writes the column gradient W^T x dOut unless dCol is
 * null (the first layer needs no input gradient).
 */
function convReluBackward(
  col: Float32Array,
  shape: ConvShape,
  w: Float32Array,
  act: Float32Array,
  dOut: Float32Array,
  dW: Float32Array,
  dB: Float32Array,
  dCol: Float32Array | null,
): void {
  const { cin, cout, side } = shape;
  const plane = side * side;
  const k = cin * 9;
  for (let i = 0; i < cout * plane; i++) if (act[i]! <= 0) dOut[i] = 0;
  for (let co = 0; co < cout; co++) {
    const oBase = co * plane;
    const wBase = co * k;
    let biasGrad = 0;
    for (let p = oBase; p < oBase + plane; p++) biasGrad += dOut[p]!;
    dB[co]! += biasGrad;
    let j = 0;
    for (; j + 4 <= k; j += 4) {
      const c0 = j * plane;
      const c1 = c0 + plane;
      const c2 = c1 + plane;
      const c3 = c2 + plane;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let p = 0; p < plane; p++) {
        const g = dOut[oBase + p]!;
        a0 += g * col[c0 + p]!;
        a1 += g * col[c1 + p]!;
        a2 += g * col[c2 + p]!;
        a3 += g * col[c3 + p]!;
      }
      dW[wBase + j]! += a0;
      dW[wBase + j + 1]! += a1;
      dW[wBase + j + 2]! += a2;
      dW[wBase + j + 3]! += a3;
    }
    for (; j < k; j++) {
      const c0 = j * plane;
      let acc = 0;
      for (let p = 0; p < plane; p++) acc += dOut[oBase + p]! * col[c0 + p]!;
      dW[wBase + j]! += acc;
    }
  }
  if (dCol === null) return;
  // Every layer here has a multiple of 4 output channels, so the blocked loop covers them all.
  dCol.fill(0, 0, k * plane);
  for (let j = 0; j < k; j++) {
    const cBase = j * plane;
    for (let co = 0; co < cout; co += 4) {
      const w0 = w[co * k + j]!;
      const w1 = w[(co + 1) * k + j]!;
      const w2 = w[(co + 2) * k + j]!;
      const w3 = w[(co + 3) * k + j]!;
      const o0 = co * plane;
      const o1 = o0 + plane;
      const o2 = o1 + plane;
      const o3 = o2 + plane;
      for (let p = 0; p < plane; p++) {
        dCol[cBase + p]! += w0 * dOut[o0 + p]! + w1 * dOut[o1 + p]! + w2 * dOut[o2 + p]! + w3 * dOut[o3 + p]!;
      }
    }
  }
}

/** 2x2 stride-2 max pool; records the winning input index per output for the backward pass. */
function maxPoolForward(input: Float32Array, channels: number, side: number, out: Float32Array, argmax: Int32Array): void {
  const half = side / 2;
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < half; y++) {
      for (let x = 0; x < half; x++) {
        const i0 = c * side * side + 2 * y * side + 2 * x;
        let best = i0;
        if (input[i0 + 1]! > input[best]!) best = i0 + 1;
        if (input[i0 + side]! > input[best]!) best = i0 + side;
        if (input[i0 + side + 1]! > input[best]!) best = i0 + side + 1;
        const o = c * half * half + y * half + x;
        out[o] = input[best]!;
        argmax[o] = best;
      }
    }
  }
}

function maxPoolBackward(dOut: Float32Array, argmax: Int32Array, outLen: number, dIn: Float32Array, inLen: number): void {
  dIn.fill(0, 0, inLen);
  for (let o = 0; o < outLen; o++) dIn[argmax[o]!]! += dOut[o]!;
}

/** Activations of one forward pass, kept for the backward pass. */
class Workspace {
  readonly col1 = new Float32Array(CONV1.cin * 9 * CONV1.side * CONV1.side);
  readonly a1 = new Float32Array(CONV1.cout * CONV1.side * CONV1.side);
  readonly p1 = new Float32Array(CONV2.cin * CONV2.side * CONV2.side);
  readonly arg1 = new Int32Array(this.p1.length);
  readonly col2 = new Float32Array(CONV2.cin * 9 * CONV2.side * CONV2.side);
  readonly a2 = new Float32Array(CONV2.cout * CONV2.side * CONV2.side);
  readonly p2 = new Float32Array(CONV3.cin * CONV3.side * CONV3.side);
  readonly arg2 = new Int32Array(this.p2.length);
  readonly col3 = new Float32Array(CONV3.cin * 9 * CONV3.side * CONV3.side);
  readonly a3 = new Float32Array(CONV3.cout * CONV3.side * CONV3.side);
  readonly pooled = new Float32Array(FC_IN);
  readonly logits = new Float32Array(NUM_CLASSES);
  readonly probs = new Float32Array(NUM_CLASSES);
  readonly dCol2 = new Float32Array(this.col2.length);
  readonly dCol3 = new Float32Array(this.col3.length);
  readonly dA1 = new Float32Array(this.a1.length);
  readonly dP1 = new Float32Array(this.p1.length);
  readonly dA2 = new Float32Array(this.a2.length);
  readonly dP2 = new Float32Array(this.p2.length);
  readonly dA3 = new Float32Array(this.a3.length);
}

/** Forward pass of one image (NCHW float at `offset` in `images`); leaves logits in ws.logits. */
function forward(p: Params, images: Float32Array, offset: number, ws: Workspace): void {
  im2col(images, offset, CONV1.cin, CONV1.side, ws.col1);
  convReluForward(ws.col1, CONV1, p.w1, p.b1, ws.a1);
  maxPoolForward(ws.a1, CONV1.cout, CONV1.side, ws.p1, ws.arg1);
  im2col(ws.p1, 0, CONV2.cin, CONV2.side, ws.col2);
  convReluForward(ws.col2, CONV2, p.w2, p.b2, ws.a2);
  maxPoolForward(ws.a2, CONV2.cout, CONV2.side, ws.p2, ws.arg2);
  im2col(ws.p2, 0, CONV3.cin, CONV3.side, ws.col3);
  convReluForward(ws.col3, CONV3, p.w3, p.b3, ws.a3);
  const plane3 = CONV3.side * CONV3.side;
  for (let c = 0; c < FC_IN; c++) {
    let sum = 0;
    for (let i = c * plane3; i < (c + 1) * plane3; i++) sum += ws.a3[i]!;
    ws.pooled[c] = sum / plane3;
  }
  for (let k = 0; k < NUM_CLASSES; k++) {
    let z = p.bf[k]!;
    for (let c = 0; c < FC_IN; c++) z += p.wf[k * FC_IN + c]! * ws.pooled[c]!;
    ws.logits[k] = z;
  }
}

function argmaxOf(values: Float32Array): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k]! > values[best]!) best = k;
  return best;
}

/**
 * Forward + backward of one image with softmax cross-entropy; accumulates gradients into `grads`.
 * Returns the loss and whether the prediction was right.
 */
function trainStep(p: Params, grads: Params, images: Float32Array, offset: number, label: number, ws: Workspace): { loss: number; correct: boolean } {
  forward(p, images, offset, ws);
  const logits = ws.logits;
  const maxLogit = logits[argmaxOf(logits)]!;
  let denom = 0;
  for (let k = 0; k < NUM_CLASSES; k++) {
    ws.probs[k] = Math.exp(logits[k]! - maxLogit);
    denom += ws.probs[k]!;
  }
  for (let k = 0; k < NUM_CLASSES; k++) ws.probs[k]! /= denom;
  const loss = -Math.log(Math.max(ws.probs[label]!, 1e-12));
  const correct = argmaxOf(logits) === label;

  // dLoss/dlogits = probs - onehot; then through Gemm and the global average pool.
  const plane3 = CONV3.side * CONV3.side;
  for (let k = 0; k < NUM_CLASSES; k++) {
    const g = ws.probs[k]! - (k === label ? 1 : 0);
    grads.bf[k]! += g;
    for (let c = 0; c < FC_IN; c++) grads.wf[k * FC_IN + c]! += g * ws.pooled[c]!;
  }
  for (let c = 0; c < FC_IN; c++) {
    let g = 0;
    for (let k = 0; k < NUM_CLASSES; k++) g += (ws.probs[k]! - (k === label ? 1 : 0)) * p.wf[k * FC_IN + c]!;
    ws.dA3.fill(g / plane3, c * plane3, (c + 1) * plane3);
  }
  convReluBackward(ws.col3, CONV3, p.w3, ws.a3, ws.dA3, grads.w3, grads.b3, ws.dCol3);
  col2im(ws.dCol3, CONV3.cin, CONV3.side, ws.dP2);
  maxPoolBackward(ws.dP2, ws.arg2, ws.p2.length, ws.dA2, ws.a2.length);
  convReluBackward(ws.col2, CONV2, p.w2, ws.a2, ws.dA2, grads.w2, grads.b2, ws.dCol2);
  col2im(ws.dCol2, CONV2.cin, CONV2.side, ws.dP1);
  maxPoolBackward(ws.dP1, ws.arg1, ws.p1.length, ws.dA1, ws.a1.length);
  convReluBackward(ws.col1, CONV1, p.w1, ws.a1, ws.dA1, grads.w1, grads.b1, null);
  return { loss, correct };
}

/** Adam optimizer state (first and second moments per parameter). */
class Adam {
  private readonly m: Params;
  private readonly v: Params;
  private step = 0;
  constructor(p: Params) {
    this.m = zerosLike(p);
    this.v = zerosLike(p);
  }

  /** Applies the mean gradient of a batch (`grads` holds sums over `batchSize` images). */
  update(p: Params, grads: Params, batchSize: number, learningRate: number): void {
    const beta1 = 0.9;
    const beta2 = 0.999;
    const eps = 1e-8;
    this.step++;
    const c1 = 1 - beta1 ** this.step;
    const c2 = 1 - beta2 ** this.step;
    for (const name of PARAM_NAMES) {
      const w = p[name];
      const g = grads[name];
      const m = this.m[name];
      const v = this.v[name];
      for (let i = 0; i < w.length; i++) {
        const gi = g[i]! / batchSize;
        m[i] = beta1 * m[i]! + (1 - beta1) * gi;
        v[i] = beta2 * v[i]! + (1 - beta2) * gi * gi;
        w[i]! -= (learningRate * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + eps);
      }
    }
  }
}

interface Dataset {
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

/** Balanced set of rendered images (class i % 4), as one NCHW float buffer. */
function generateDataset(count: number, seed: number): Dataset {
  const rng = makeRng(seed);
  const images = new Float32Array(count * INPUT_LEN);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const cls = i % NUM_CLASSES;
    labels[i] = cls;
    rgbaToNchw(renderShape(SHAPE_CLASSES[cls]!, rng), S, S, images, i * INPUT_LEN);
  }
  return { images, labels, count };
}

function accuracy(p: Params, data: Dataset, ws: Workspace): number {
  let correct = 0;
  for (let i = 0; i < data.count; i++) {
    forward(p, data.images, i * INPUT_LEN, ws);
    if (argmaxOf(ws.logits) === data.labels[i]) correct++;
  }
  return correct / data.count;
}

function train(train: Dataset, heldout: Dataset): Params {
  const params = initParams(makeRng(INIT_SEED));
  const grads = zerosLike(params);
  const adam = new Adam(params);
  const ws = new Workspace();
  const shuffleRng = makeRng(SHUFFLE_SEED);
  const order = Int32Array.from({ length: train.count }, (_, i) => i);
  const stepsPerEpoch = Math.ceil(train.count / BATCH_SIZE);
  const totalSteps = EPOCHS * stepsPerEpoch;
  let step = 0;
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const startMs = performance.now();
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(shuffleRng() * (i + 1));
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    let lossSum = 0;
    let correct = 0;
    for (let start = 0; start < train.count; start += BATCH_SIZE) {
      const end = Math.min(start + BATCH_SIZE, train.count);
      for (const name of PARAM_NAMES) grads[name].fill(0);
      for (let b = start; b < end; b++) {
        const idx = order[b]!;
        const r = trainStep(params, grads, train.images, idx * INPUT_LEN, train.labels[idx]!, ws);
        lossSum += r.loss;
        if (r.correct) correct++;
      }
      // Cosine decay to zero: large steps early, a settled model at the end.
      const learningRate = PEAK_LEARNING_RATE * 0.5 * (1 + Math.cos((Math.PI * step) / totalSteps));
      adam.update(params, grads, end - start, learningRate);
      // conv1 stays an edge detector (zero-sum kernels ignore each image's flat colour); without this
      // constraint training stalled at chance for an epoch or more, depending on the seed.
      makeKernelsZeroSum(params.w1);
      step++;
    }
    const heldoutAcc = accuracy(params, heldout, ws);
    const seconds = (performance.now() - startMs) / 1000;
    console.log(
      `epoch ${epoch + 1}/${EPOCHS}: loss ${(lossSum / train.count).toFixed(4)}, train acc ${((100 * correct) / train.count).toFixed(1)}%, ` +
        `held-out acc ${(100 * heldoutAcc).toFixed(1)}% (${seconds.toFixed(1)} s)`,
    );
  }
  return params;
}

function intsAttr(name: string, values: number[]): { name: string; type: AttributeProto_AttributeType; ints: bigint[] } {
  return { name, type: AttributeProto_AttributeType.INTS, ints: values.map((v) => BigInt(v)) };
}

function floatTensorType(dims: number[]): MessageInitShape<typeof TypeProtoSchema> {
  return {
    value: {
      case: 'tensorType',
      value: { elemType: DataType.FLOAT, shape: { dim: dims.map((d) => ({ value: { case: 'dimValue', value: BigInt(d) } })) } },
    },
  };
}

/** The trained network as an ONNX model (IR 8, opset 13), weights as float32 raw_data. */
function buildOnnxModel(p: Params): ModelProto {
  const convAttrs = [intsAttr('kernel_shape', [3, 3]), intsAttr('pads', [1, 1, 1, 1]), intsAttr('strides', [1, 1])];
  const poolAttrs = [intsAttr('kernel_shape', [2, 2]), intsAttr('strides', [2, 2])];
  const conv = (n: number, input: string): MessageInitShape<typeof NodeProtoSchema> => ({
    name: `conv${n}`,
    opType: 'Conv',
    input: [input, `conv${n}.weight`, `conv${n}.bias`],
    output: [`conv${n}_out`],
    attribute: convAttrs,
  });
  const nodes: MessageInitShape<typeof NodeProtoSchema>[] = [
    conv(1, 'image'),
    { name: 'relu1', opType: 'Relu', input: ['conv1_out'], output: ['relu1_out'] },
    { name: 'pool1', opType: 'MaxPool', input: ['relu1_out'], output: ['pool1_out'], attribute: poolAttrs },
    conv(2, 'pool1_out'),
    { name: 'relu2', opType: 'Relu', input: ['conv2_out'], output: ['relu2_out'] },
    { name: 'pool2', opType: 'MaxPool', input: ['relu2_out'], output: ['pool2_out'], attribute: poolAttrs },
    conv(3, 'pool2_out'),
    { name: 'relu3', opType: 'Relu', input: ['conv3_out'], output: ['relu3_out'] },
    { name: 'gap', opType: 'GlobalAveragePool', input: ['relu3_out'], output: ['gap_out'] },
    { name: 'flatten', opType: 'Flatten', input: ['gap_out'], output: ['flatten_out'], attribute: [{ name: 'axis', type: AttributeProto_AttributeType.INT, i: 1n }] },
    { name: 'fc', opType: 'Gemm', input: ['flatten_out', 'fc.weight', 'fc.bias'], output: ['logits'], attribute: [{ name: 'transB', type: AttributeProto_AttributeType.INT, i: 1n }] },
  ];
  const initializer = [
    makeTensor('conv1.weight', DataType.FLOAT, [CONV1.cout, CONV1.cin, 3, 3], p.w1),
    makeTensor('conv1.bias', DataType.FLOAT, [CONV1.cout], p.b1),
    makeTensor('conv2.weight', DataType.FLOAT, [CONV2.cout, CONV2.cin, 3, 3], p.w2),
    makeTensor('conv2.bias', DataType.FLOAT, [CONV2.cout], p.b2),
    makeTensor('conv3.weight', DataType.FLOAT, [CONV3.cout, CONV3.cin, 3, 3], p.w3),
    makeTensor('conv3.bias', DataType.FLOAT, [CONV3.cout], p.b3),
    makeTensor('fc.weight', DataType.FLOAT, [NUM_CLASSES, FC_IN], p.wf),
    makeTensor('fc.bias', DataType.FLOAT, [NUM_CLASSES], p.bf),
  ];
  return create(ModelProtoSchema, {
    irVersion: 8n,
    opsetImport: [{ domain: '', version: 13n }],
    producerName: 'quantbench-demo',
    producerVersion: '1',
    modelVersion: 1n,
    docString:
      `Quantbench demo: a small CNN that classifies 32x32 RGB images of a filled ${SHAPE_CLASSES.join(', ')} ` +
      '(random colours, position, size and slight rotation), trained in TypeScript by scripts/make-demo.ts. ' +
      'Input "image": float32 [1,3,32,32], NCHW, RGB, pixel values divided by 255 (no mean/std), image stretched to 32x32. ' +
      `Output "logits": float32 [1,4], unnormalized scores in class order ${JSON.stringify(SHAPE_CLASSES)}.`,
    metadataProps: [
      { key: 'quantbench.classes', value: JSON.stringify(SHAPE_CLASSES) },
      { key: 'quantbench.preprocess', value: JSON.stringify(DEMO_PREPROCESS) },
    ],
    graph: {
      name: 'shapes_cnn',
      node: nodes,
      initializer,
      input: [{ name: 'image', type: floatTensorType([1, 3, S, S]) }],
      output: [{ name: 'logits', type: floatTensorType([1, NUM_CLASSES]) }],
    },
  });
}

function main(): void {
  const outDir = resolve(dirname(fileURLToPath(import.meta.url)), '../public/demo');
  const startMs = performance.now();
  const trainSet = generateDataset(TRAIN_IMAGES, TRAIN_SEED);
  const heldout = generateDataset(HELDOUT_IMAGES, HELDOUT_SEED);
  console.log(`generated ${TRAIN_IMAGES} training and ${HELDOUT_IMAGES} held-out images in ${((performance.now() - startMs) / 1000).toFixed(1)} s`);

  const trainStartMs = performance.now();
  const params = train(trainSet, heldout);
  const trainSeconds = (performance.now() - trainStartMs) / 1000;
  const ws = new Workspace();
  const trainAcc = accuracy(params, trainSet, ws);
  const heldoutAcc = accuracy(params, heldout, ws);
  console.log(`training took ${trainSeconds.toFixed(1)} s; train acc ${(100 * trainAcc).toFixed(2)}%, held-out acc ${(100 * heldoutAcc).toFixed(2)}%`);
  if (heldoutAcc < REQUIRED_HELDOUT_ACCURACY) {
    throw new Error(`Held-out accuracy ${(100 * heldoutAcc).toFixed(2)}% is below ${100 * REQUIRED_HELDOUT_ACCURACY}%: not writing the demo.`);
  }

  // Regenerate the images folder from scratch so stale images from an older run never linger.
  rmSync(resolve(outDir, 'images'), { recursive: true, force: true });
  mkdirSync(resolve(outDir, 'images'), { recursive: true });
  const modelBytes = encodeModel(buildOnnxModel(params));
  writeFileSync(resolve(outDir, 'shapes-cnn.onnx'), modelBytes);

  const rng = makeRng(DEMO_IMAGES_SEED);
  const images: { file: string; label: string }[] = [];
  for (const cls of SHAPE_CLASSES) {
    for (let n = 0; n < DEMO_IMAGES_PER_CLASS; n++) {
      const file = `images/${cls}-${String(n).padStart(2, '0')}.png`;
      writeFileSync(resolve(outDir, file), encodePng(renderShape(cls, rng), S, S, 3));
      images.push({ file, label: cls });
    }
  }
  const demo = { model: 'shapes-cnn.onnx', classes: SHAPE_CLASSES, preprocess: DEMO_PREPROCESS, images };
  writeFileSync(resolve(outDir, 'demo.json'), `${JSON.stringify(demo, null, 2)}\n`);
  console.log(`wrote ${outDir}: model ${modelBytes.byteLength} bytes, ${images.length} images`);
}

main();
