// Golden evaluation on the real models and images of ../shared/data: MANIFEST.md's reference accuracies through
// the CLI path (evaluateFolder), and evaluate()'s fidelity numbers against an independent onnxruntime computation.
import * as ort from 'onnxruntime-web';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { hasSharedData, sharedPath } from '../../test/shared-data';
import { decodeImageBytes } from '../data/decode-bytes';
import { preprocessRgba } from '../data/preprocess';
import { PRESETS } from '../data/presets';
import { loadOrt } from '../runtime/ort';
import { evaluateFolder, walkFolder } from './evaluate-node';

const hasData = hasSharedData();
/** Points of accuracy (percent) allowed between our pipeline and MANIFEST.md's onnxruntime-CPU numbers. */
const TOLERANCE_POINTS = 0.5;
const FP32 = 'squeezenet1.1-7-fp32-upcast.onnx';
const FP16 = 'squeezenet1.1-7-winml-fp16.onnx';

beforeAll(async () => {
  // One thread, set before the first session (later changes are ignored): Node has no cross-origin isolation.
  await loadOrt(1);
  ort.env.wasm.numThreads = 1;
});

const model = (name: string): string => sharedPath('models', name);

describe.skipIf(!hasData)('MANIFEST.md accuracies through evaluateFolder', () => {
  it('SqueezeNet 1.1 FP32 on imagenet-val-1300 (Caffe preprocessing): top-1 70.00%, top-5 90.46%', async () => {
    const { report, presetId } = await evaluateFolder({
      model: model(FP32),
      images: sharedPath('images', 'imagenet-val-1300'),
      labels: [sharedPath('labels', 'imagenet-val-1300.txt')],
      preprocess: 'caffe-bgr',
    });
    expect(presetId).toBe('caffe-bgr');
    expect(report.images).toBe(1300);
    expect(report.labelled).toBe(1300);
    expect(report.problems).toEqual([]);
    expect(report.mapping).toMatchObject({ source: 'val-txt', offset: 0, outputClasses: 1000 });
    expect(report.perClass).toHaveLength(725);
    expect(Math.abs(report.top1! * 100 - 70.0)).toBeLessThanOrEqual(TOLERANCE_POINTS);
    expect(Math.abs(report.top5! * 100 - 90.46)).toBeLessThanOrEqual(TOLERANCE_POINTS);
    console.info(`[golden] val-1300 top-1 ${(report.top1! * 100).toFixed(2)}% top-5 ${(report.top5! * 100).toFixed(2)}%, ${report.imagesPerSecond.toFixed(1)} images/s`);
  }, 300_000);

  it('SqueezeNet 1.1 FP32 on imagenet-sample (suggested preset, CSV labels): top-1 63.2%', async () => {
    const { report, presetId } = await evaluateFolder({
      model: model(FP32),
      images: sharedPath('images', 'imagenet-sample'),
      labels: [sharedPath('labels', 'imagenet-sample-labels.csv')],
    });
    // The suggestion reads the Caffe2 producer; MANIFEST.md found Caffe preprocessing by testing.
    expect(presetId).toBe('caffe-bgr');
    expect(report.images).toBe(250);
    expect(report.labelled).toBe(250);
    expect(report.mapping).toMatchObject({ source: 'csv', offset: 0 });
    expect(Math.abs(report.top1! * 100 - 63.2)).toBeLessThanOrEqual(TOLERANCE_POINTS);
    console.info(`[golden] imagenet-sample top-1 ${(report.top1! * 100).toFixed(2)}% top-5 ${(report.top5! * 100).toFixed(2)}%`);
  }, 120_000);

  it('ResNet20 on cifar10-test-1000 (class folders + class list): top-1 81.6%', async () => {
    const { report, recipe } = await evaluateFolder({
      model: model('resnet20-cifar10-ace.onnx'),
      images: sharedPath('images', 'cifar10-test-1000'),
      labels: [sharedPath('labels', 'cifar10_classes.txt')],
    });
    // MANIFEST.md: RGB, x/255, ImageNet mean/std, no resize.
    expect(recipe).toMatchObject({ width: 32, height: 32, resize: 'stretch', channelOrder: 'RGB', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
    expect(report.images).toBe(1000);
    expect(report.mapping).toMatchObject({ source: 'folder-per-class', outputClasses: 10 });
    expect(report.perClass.map((c) => [c.name, c.count])).toEqual(
      ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'].map((n) => [n, 100]),
    );
    expect(Math.abs(report.top1! * 100 - 81.6)).toBeLessThanOrEqual(TOLERANCE_POINTS);
    console.info(`[golden] cifar10 top-1 ${(report.top1! * 100).toFixed(2)}%`);
  }, 120_000);
});

/** IEEE half bits of a float32, round to nearest even (written here, independently of src/onnx/float16.ts). */
function toHalfBits(value: number): number {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (rest > mid || (rest === mid && (half & 1) === 1) ? half + 1 : half);
  }
  const half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  return sign | (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1) ? half + 1 : half);
}

/** float32 value of IEEE half bits. */
function fromHalfBits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant !== 0 ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

const sig3 = (x: number): string => x.toPrecision(3);

describe.skipIf(!hasData)('fidelity of FP16 SqueezeNet against FP32, checked independently', () => {
  it('top-1 agreement, SQNR and cosine equal a direct onnxruntime computation to 3 significant digits', async () => {
    const IMAGES = 50;
    const folder = sharedPath('images', 'imagenet-sample');
    const { report, recipe } = await evaluateFolder({ model: model(FP16), reference: model(FP32), images: folder, preprocess: 'caffe-bgr', limit: IMAGES });
    expect(report.images).toBe(IMAGES);
    const f = report.fidelity!;

    // Independent path: raw onnxruntime-web sessions, FP16 input as half bits, metrics written out here.
    const fp32 = await ort.InferenceSession.create(readFileSync(model(FP32)));
    const fp16 = await ort.InferenceSession.create(readFileSync(model(FP16)));
    const paths = (await walkFolder(folder)).slice(0, IMAGES);
    let agree = 0;
    let signal = 0;
    let noise = 0;
    let cosineSum = 0;
    let overlapSum = 0;
    /** The 5 largest by a full sort (ties by lower index), unlike metrics.ts's insertion selection. */
    const top5 = (v: ArrayLike<number>): number[] =>
      Array.from({ length: v.length }, (_, i) => i)
        .sort((a, b) => v[b]! - v[a]! || a - b)
        .slice(0, 5);
    for (const path of paths) {
      const image = decodeImageBytes(new Uint8Array(readFileSync(`${folder}/${path}`)), path);
      const input = preprocessRgba(image.rgba, image.width, image.height, PRESETS['caffe-bgr'].make(224, 224));
      const dims = [1, 3, 224, 224];
      const ref = (await fp32.run({ data_0: new ort.Tensor('float32', input, dims) })).softmaxout_1!.data as Float32Array;
      const bits = Uint16Array.from(input, toHalfBits);
      const halfOut = (await fp16.run({ data_0: new ort.Tensor('float16', bits, dims) })).softmaxout_1!;
      expect(halfOut.type).toBe('float16');
      const out = Array.from(halfOut.data as Uint16Array, fromHalfBits);
      let rMax = 0;
      let oMax = 0;
      let dot = 0;
      let rr = 0;
      let oo = 0;
      for (let i = 0; i < ref.length; i++) {
        if (ref[i]! > ref[rMax]!) rMax = i;
        if (out[i]! > out[oMax]!) oMax = i;
        dot += ref[i]! * out[i]!;
        rr += ref[i]! ** 2;
        oo += out[i]! ** 2;
        noise += (ref[i]! - out[i]!) ** 2;
      }
      signal += rr;
      cosineSum += dot / Math.sqrt(rr * oo);
      if (rMax === oMax) agree++;
      const refTop = top5(ref);
      overlapSum += top5(out).filter((i) => refTop.includes(i)).length / 5;
    }
    await fp32.release();
    await fp16.release();
    expect(recipe?.dtype).toBe('float16');
    expect(sig3(f.top1Agreement)).toBe(sig3(agree / IMAGES));
    expect(sig3(f.sqnrDb)).toBe(sig3(10 * Math.log10(signal / noise)));
    expect(sig3(f.top5Overlap)).toBe(sig3(overlapSum / IMAGES));
    // The cosine is 0.99999999…: compare its distance from 1, or 3 digits would say nothing.
    expect(sig3(1 - f.cosine)).toBe(sig3(1 - cosineSum / IMAGES));
    // FP16 activations barely move softmax outputs (MANIFEST.md: within 5e-5 in probability).
    expect(f.sqnrDb).toBeGreaterThan(40);
    console.info(`[golden] fp16 vs fp32 on ${IMAGES}: agreement ${f.top1Agreement}, top-5 overlap ${f.top5Overlap}, SQNR ${f.sqnrDb.toFixed(2)} dB, cosine ${f.cosine}`);
  }, 120_000);
});
