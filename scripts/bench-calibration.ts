// Calibration benchmark (Node, onnxruntime-web wasm, 1 thread): calibration throughput against plain FP32
// inference of the same model on the same preprocessed inputs, per method, and memory over 100 -> 1,000 images.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { prepareDataset, loadModel } from '../src/pipeline/evaluate-node';
import { calibrate } from '../src/pipeline/calibrate';
import { planQdq } from '../src/quant/qdq-plan';
import { upgradeOpset } from '../src/onnx/opset-upgrade';
import { decodeModel } from '../src/onnx/model-io';
import type { CalibrationMethod } from '../src/quant/observers';
import type { PresetId } from '../src/data/types';
import { ModelSession } from '../src/runtime/session';
import { loadOrt } from '../src/runtime/ort';

const SHARED = resolve(import.meta.dirname, '../../shared/data');

interface Tensor {
  data: Float32Array;
  dims: number[];
}

async function loadInputs(model: string, images: string, preprocess: PresetId | undefined, count: number): Promise<Tensor[]> {
  const m = await loadModel(model);
  const p = await prepareDataset({ images, preprocess, limit: count }, m.card);
  const out: Tensor[] = [];
  for await (const item of p.items) out.push(item.input);
  return out;
}

/** Images per second of plain FP32 runFloat over `inputs` (after one warm-up run). */
async function inferenceRate(bytes: Uint8Array, inputs: readonly Tensor[]): Promise<number> {
  const s = await ModelSession.create(bytes);
  await s.runFloat(inputs[0]!);
  const t0 = performance.now();
  for (const x of inputs) await s.runFloat(x);
  const rate = (1000 * inputs.length) / (performance.now() - t0);
  await s.release();
  return rate;
}

function heapMB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 1e6;
}

export interface CalibrationBench {
  model: string;
  images: number;
  fp32ImagesPerSecond: number;
  methods: { method: CalibrationMethod; imagesPerSecond: number; ratioToFp32: number }[];
}

async function benchModel(file: string, images: string, preprocess: PresetId | undefined, count: number): Promise<CalibrationBench> {
  const path = resolve(SHARED, 'models', file);
  const inputs = await loadInputs(path, images, preprocess, count);
  const { bytes } = await loadModel(path);
  const model = upgradeOpset(decodeModel(bytes)).model;
  const plan = planQdq(model);
  const fp32 = await inferenceRate(bytes, inputs);
  const methods: CalibrationBench['methods'] = [];
  for (const method of ['minmax', 'percentile', 'entropy', 'mse'] as const) {
    // Session creation is outside elapsedMs; the first run (kernel set-up) is inside, as it is for a user.
    const r = await calibrate({ model, tensors: plan.tensors, graphInputs: plan.graphInputs, observer: { method }, inputs, limit: inputs.length, makeRunner: (b, e) => ModelSession.create(b, e) });
    const rate = (1000 * r.images) / r.elapsedMs;
    methods.push({ method, imagesPerSecond: rate, ratioToFp32: rate / fp32 });
  }
  return { model: file, images: inputs.length, fp32ImagesPerSecond: fp32, methods };
}

export interface CalibrationMemory {
  model: string;
  method: CalibrationMethod;
  /** Heap + ArrayBuffers after a forced GC, MB, when 100 and 1,000 images had been observed. */
  at100MB: number;
  at1000MB: number;
  observerBytes: number;
}

/** 1,000 CIFAR images streamed from disk (decoded one at a time) through ResNet20 calibration. */
async function benchMemory(method: CalibrationMethod): Promise<CalibrationMemory> {
  const path = resolve(SHARED, 'models', 'resnet20-cifar10-ace.onnx');
  const m = await loadModel(path);
  const p = await prepareDataset({ images: resolve(SHARED, 'images', 'cifar10-test-1000') }, m.card);
  const model = upgradeOpset(decodeModel(m.bytes)).model;
  const plan = planQdq(model);
  let at100 = 0;
  let at1000 = 0;
  const inputs = (async function* () {
    for await (const item of p.items) yield item.input;
  })();
  const r = await calibrate({
    model, tensors: plan.tensors, graphInputs: plan.graphInputs, observer: { method }, inputs, limit: 1000, makeRunner: (b, e) => ModelSession.create(b, e),
    onStep: (done) => {
      if (done === 100) at100 = heapMB();
      if (done === 1000) at1000 = heapMB();
    },
  });
  let observerBytes = 0;
  for (const o of r.observers.values()) observerBytes += o.bytesHeld;
  return { model: 'resnet20-cifar10-ace.onnx', method, at100MB: at100, at1000MB: at1000, observerBytes };
}

export async function benchCalibration(): Promise<{ throughput: CalibrationBench[]; memory: CalibrationMemory[] } | { skipped: string }> {
  if (!existsSync(SHARED)) return { skipped: `${SHARED} not found` };
  await loadOrt(1);
  const throughput = [
    await benchModel('resnet20-cifar10-ace.onnx', resolve(SHARED, 'images', 'cifar10-test-1000', 'cat'), undefined, 100),
    await benchModel('squeezenet1.1-7-fp32-upcast.onnx', resolve(SHARED, 'images', 'imagenet-sample'), 'caffe-bgr', 60),
  ];
  const memory = [await benchMemory('minmax'), await benchMemory('entropy')];
  return { throughput, memory };
}

if (process.argv[1]?.endsWith('bench-calibration.ts')) console.log(JSON.stringify(await benchCalibration(), null, 2));
