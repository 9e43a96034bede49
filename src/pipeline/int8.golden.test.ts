// Golden INT8 quality on the real models: calibrate on one image set, measure against FP32 on another, and
// beat the peer tool's best row in ../shared/docs/quantization.md. Every written model passes onnx.checker and
// runs in onnxruntime-node as well as onnxruntime-web.
import * as ortNode from 'onnxruntime-node';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkerPython, onnxCheck } from '../../test/onnx-checker';
import { heldOutInt8 } from '../../test/int8-harness';
import { hasSharedData, sharedPath } from '../../test/shared-data';
import { loadOrt } from '../runtime/ort';

const hasData = hasSharedData();
const dir = mkdtempSync(join(tmpdir(), 'qb-int8-golden-'));
const model = (name: string): string => sharedPath('models', name);

beforeAll(async () => {
  await loadOrt(1);
});

/** The written model passes onnx.checker (full) and runs in native onnxruntime with finite outputs. */
async function independentChecks(path: string, feedName: string, dims: number[]): Promise<void> {
  if (checkerPython !== undefined) expect(onnxCheck(path)).toBe('');
  const session = await ortNode.InferenceSession.create(readFileSync(path));
  const size = dims.reduce((a, b) => a * b, 1);
  const out = await session.run({ [feedName]: new ortNode.Tensor('float32', new Float32Array(size).fill(0.5), dims) });
  const first = out[session.outputNames[0]!]!.data as Float32Array;
  expect(first.length).toBeGreaterThan(0);
  expect(first.every((v) => Number.isFinite(v))).toBe(true);
  await session.release();
}

const pct = (x: number): string => (100 * x).toFixed(2);

describe.skipIf(!hasData)('INT8 held-out quality vs the peer (ONNX Runtime quantize_static, per-channel MinMax)', () => {
  it('ResNet20 CIFAR-10: SQNR >= 27.7 dB, top-1 agreement >= 99.2% on 700 held-out images', async () => {
    const out = join(dir, 'resnet20-int8.onnx');
    const cifar = sharedPath('images', 'cifar10-test-1000');
    // 30 images per class calibrate; the other 70 per class measure (files are sorted class by class).
    const calib = (i: number): boolean => i % 10 < 3;
    const labels = [sharedPath('labels', 'cifar10_classes.txt')];
    const { int8, eval: ev } = await heldOutInt8(model('resnet20-cifar10-ace.onnx'), undefined, { folder: cifar, keep: calib }, { folder: cifar, labels, keep: (i) => !calib(i) }, {}, out);
    const f = ev.fidelity!;
    console.info(`[golden-int8] resnet20: SQNR ${f.sqnrDb.toFixed(2)} dB, agreement ${pct(f.top1Agreement)}%, top-1 ${pct(ev.top1!)}%, calib ${int8.report.calibration?.images} images, ${int8.report.sizeBeforeBytes} -> ${int8.report.sizeAfterBytes} B`);
    expect(ev.images).toBe(700);
    expect(int8.report.calibration?.images).toBe(300);
    expect(int8.report.opsetUpgrade?.toVersion).toBe(13);
    expect(f.sqnrDb).toBeGreaterThanOrEqual(27.7);
    expect(f.top1Agreement).toBeGreaterThanOrEqual(0.992);
    expect(int8.report.sizeAfterBytes / int8.report.sizeBeforeBytes).toBeLessThan(0.35);
    expect(int8.report.layers.length).toBeGreaterThan(10);
    expect(int8.report.layers.every((l) => Number.isFinite(l.localSqnrDb) || l.localSqnrDb === Infinity)).toBe(true);
    await independentChecks(out, 'input', [1, 3, 32, 32]);
  }, 300_000);

  it('SqueezeNet 1.1: calibrated on imagenet-sample, top-1 on imagenet-val-1300 within 0.3 points of FP32', async () => {
    const out = join(dir, 'squeezenet-int8.onnx');
    const { int8, eval: ev } = await heldOutInt8(
      model('squeezenet1.1-7-fp32-upcast.onnx'),
      'caffe-bgr',
      { folder: sharedPath('images', 'imagenet-sample') },
      { folder: sharedPath('images', 'imagenet-val-1300'), labels: [sharedPath('labels', 'imagenet-val-1300.txt')] },
      {},
      out,
    );
    const f = ev.fidelity!;
    console.info(`[golden-int8] squeezenet: top-1 ${pct(ev.top1!)}% (FP32 70.00), top-5 ${pct(ev.top5!)}%, SQNR ${f.sqnrDb.toFixed(2)} dB, agreement ${pct(f.top1Agreement)}%, ${int8.report.sizeBeforeBytes} -> ${int8.report.sizeAfterBytes} B`);
    expect(ev.images).toBe(1300);
    expect(ev.top1! * 100).toBeGreaterThanOrEqual(70.0 - 0.3);
    expect(f.sqnrDb).toBeGreaterThanOrEqual(22.1);
    // The peer reaches 97.0% agreement here; we measured 97.46% (33 of 1,300 images differ).
    expect(f.top1Agreement).toBeGreaterThanOrEqual(0.97);
    await independentChecks(out, 'data_0', [1, 3, 224, 224]);
  }, 600_000);

  it('DeepLabV3-MobileNetV2: calibrated on imagenet-sample, pixel agreement >= 98% on coco128', async () => {
    const out = join(dir, 'deeplab-int8.onnx');
    const { int8, eval: ev } = await heldOutInt8(
      model('deeplabv3-mobilenetv2-257.onnx'),
      'tf-minus1-1',
      { folder: sharedPath('images', 'imagenet-sample'), limit: 150 },
      { folder: sharedPath('images', 'coco128'), limit: 64 },
      {},
      out,
    );
    const f = ev.fidelity!;
    console.info(`[golden-int8] deeplab: pixel agreement ${pct(f.pixelAgreement!)}%, mIoU ${pct(f.miou!)}%, SQNR ${f.sqnrDb.toFixed(2)} dB, ${int8.report.sizeBeforeBytes} -> ${int8.report.sizeAfterBytes} B`);
    expect(f.pixelAgreement!).toBeGreaterThanOrEqual(0.98);
    expect(f.sqnrDb).toBeGreaterThanOrEqual(25.5);
    await independentChecks(out, 'sub_7', [1, 257, 257, 3]);
  }, 600_000);
});
