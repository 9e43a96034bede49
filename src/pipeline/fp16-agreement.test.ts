// FP16 variants of the shared classifiers against their FP32 originals on real images: top-1 agreement must be
// >= 99.5% (the bar). Images are decoded and preprocessed as the product does (suggested preset).
// Two FP16 measurements: the variant itself on the wasm EP (which runs float16 nodes through float32 kernels, so
// it mostly measures weight rounding), and an emulation of float16 activation storage (test/fp16-emulation.ts),
// closer to what a GPU with shader-f16 computes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { emulateFp16Storage } from '../../test/fp16-emulation';
import { hasSharedData, sharedPath } from '../../test/shared-data';
import { decodeImageBytes } from '../data/decode-bytes';
import { preprocessRgba, recipeDims } from '../data/preprocess';
import { suggestPreset } from '../data/presets';
import { decodeModel, encodeModel } from '../onnx/model-io';
import { summarizeModel } from '../onnx/summary';
import type { FloatTensor } from '../quant/mixed-precision';
import { loadOrt } from '../runtime/ort';
import { ModelSession } from '../runtime/session';
import { makeFp16Variant } from './fp16';

const hasData = hasSharedData();
const MIN_AGREEMENT = 0.995;

beforeAll(async () => {
  // One thread, set before the first session (later changes are ignored): Node has no cross-origin isolation.
  await loadOrt(1);
});

/** Every image file under `dir` (class sub-folders included), sorted, so runs are repeatable. */
function imageFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(jpe?g|png)$/i.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** The model's input tensors for the images, preprocessed with the preset Quantbench suggests for it. */
function inputsFor(modelName: string, bytes: Uint8Array, files: readonly string[]): { inputs: FloatTensor[]; presetId: string } {
  const card = summarizeModel(decodeModel(bytes), modelName, bytes.byteLength);
  const { id, recipe } = suggestPreset(card);
  const dims = recipeDims(recipe);
  const inputs = files.map((f) => {
    const img = decodeImageBytes(new Uint8Array(readFileSync(f)), f);
    return { data: preprocessRgba(img.rgba, img.width, img.height, recipe), dims };
  });
  return { inputs, presetId: id };
}

function argmax(v: Float32Array): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

async function top1(bytes: Uint8Array, inputs: readonly FloatTensor[]): Promise<number[]> {
  const session = await ModelSession.create(bytes);
  try {
    const out: number[] = [];
    for (const input of inputs) out.push(argmax((await session.runFloat(input)).data));
    return out;
  } finally {
    await session.release();
  }
}

/** Converts with the product's pipeline (checked on the first 3 images), then compares top-1 on every image. */
interface Agreement {
  /** The FP16 variant on the wasm EP. */
  agreement: number;
  /** FP32 kernels with float16 weights and float16-rounded activations. */
  emulatedAgreement: number;
  images: number;
  cosine: number;
  ratio: number;
}

async function agreement(modelName: string, imageDir: string, expectedPreset: string): Promise<Agreement> {
  const bytes = new Uint8Array(readFileSync(sharedPath('models', modelName)));
  const files = imageFiles(sharedPath('images', imageDir));
  const { inputs, presetId } = inputsFor(modelName, bytes, files);
  expect(presetId).toBe(expectedPreset);
  const variant = await makeFp16Variant(bytes, { images: inputs.slice(0, 3) });
  expect(variant.report.alreadyFp16).toBe(false);
  expect(variant.check?.passed).toBe(true);
  const fp32 = await top1(bytes, inputs);
  const fp16 = await top1(variant.bytes, inputs);
  const emulated = await top1(encodeModel(emulateFp16Storage(decodeModel(bytes))), inputs);
  const same = fp32.filter((c, i) => c === fp16[i]).length;
  const sameEmulated = fp32.filter((c, i) => c === emulated[i]).length;
  const result: Agreement = {
    agreement: same / inputs.length,
    emulatedAgreement: sameEmulated / inputs.length,
    images: inputs.length,
    cosine: variant.check!.cosine,
    ratio: variant.report.sizeAfterBytes / variant.report.sizeBeforeBytes,
  };
  console.info(
    `[fp16] ${modelName} on ${imageDir}: top-1 agreement ${(100 * result.agreement).toFixed(2)}% (${same}/${inputs.length}) on wasm, ` +
      `${(100 * result.emulatedAgreement).toFixed(2)}% (${sameEmulated}/${inputs.length}) with float16 activations emulated; ` +
      `check cosine ${result.cosine.toFixed(6)}, size ratio ${result.ratio.toFixed(3)}`,
  );
  return result;
}

describe.skipIf(!hasData)('FP16 variants agree with FP32 on real images', () => {
  it('SqueezeNet 1.1 (FP32 upcast) on imagenet-sample (250 images)', async () => {
    const r = await agreement('squeezenet1.1-7-fp32-upcast.onnx', 'imagenet-sample', 'caffe-bgr');
    expect(r.images).toBe(250);
    expect(r.agreement).toBeGreaterThanOrEqual(MIN_AGREEMENT);
    expect(r.emulatedAgreement).toBeGreaterThanOrEqual(MIN_AGREEMENT);
    expect(r.ratio).toBeLessThan(0.52);
  }, 120_000);

  it('ResNet-20 CIFAR-10 on cifar10-test-1000 (1000 images)', async () => {
    const r = await agreement('resnet20-cifar10-ace.onnx', 'cifar10-test-1000', 'imagenet-torchvision');
    expect(r.images).toBe(1000);
    expect(r.agreement).toBeGreaterThanOrEqual(MIN_AGREEMENT);
    expect(r.emulatedAgreement).toBeGreaterThanOrEqual(MIN_AGREEMENT);
    expect(r.ratio).toBeLessThan(0.52);
  }, 120_000);
});
