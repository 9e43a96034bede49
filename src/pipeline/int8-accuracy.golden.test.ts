// Accuracy-aware INT8 and the collapse guard on the shared models (issue #8's done-when): YOLOX-nano's default
// INT8 must keep >= 90% detection agreement held-out, and max-drop budgets must hold on the full validation sets.
import { describe, expect, it } from 'vitest';
import { hasSharedData, sharedPath } from '../../test/shared-data';
import { heldOutInt8 } from '../../test/int8-harness';

const hasData = hasSharedData();
const model = (name: string): string => sharedPath('models', name);
const pct = (x: number): string => (100 * x).toFixed(2);

describe.skipIf(!hasData)('accuracy-aware INT8 and the collapse guard on real models', () => {
  it('YOLOX-nano, default options, coco128 half/half: the guard keeps detection agreement >= 90% held-out', async () => {
    const coco = sharedPath('images', 'coco128');
    // Calibrate on the even images; the guard validates on 32 of the odd ones; all 64 odd ones are measured.
    const calib = { folder: coco, keep: (i: number) => i % 2 === 0 };
    const held = { folder: coco, keep: (i: number) => i % 2 === 1 };
    const validation = { folder: coco, keep: (i: number) => i % 4 === 1 };
    const { int8, eval: ev } = await heldOutInt8(model('yolox-nano.onnx'), 'yolo-letterbox', calib, held, {}, undefined, undefined, validation);
    const f = ev.fidelity!;
    const a = int8.report.accuracy!;
    console.info(`[golden-accuracy] yolox-nano guard: detection agreement ${pct(f.detectionAgreement!)}% on ${ev.images} held-out images (score SQNR ${f.scoreSqnrDb!.toFixed(2)} dB); every-layer INT8 ${a.initial.value.toFixed(2)}%, preset switch ${JSON.stringify(a.presetSwitch)}, ${a.floatUnits.length} of ${a.ranking.length} layers in float (${a.floatUnits.join(', ')}), +${a.floatCostBytes} B, ${(a.elapsedMs / 1000).toFixed(0)} s; size ${int8.report.sizeBeforeBytes} -> ${int8.report.sizeAfterBytes} B`);
    expect(a.trigger).toBe('guard');
    expect(a.initial.value).toBeLessThan(90); // it did collapse: the guard had work to do
    expect(a.met).toBe(true);
    expect(f.detectionAgreement!).toBeGreaterThanOrEqual(0.9);
    // Still an INT8 model: most layers stay integer and the file is well under FP32's.
    expect(a.floatUnits.length).toBeLessThan(a.ranking.length / 2);
    expect(int8.report.sizeAfterBytes).toBeLessThan(0.55 * int8.report.sizeBeforeBytes); // measured 50.4%: 33 of 114 layers float
    // Each unit's Conv is listed as kept in float for accuracy (its SiLU Mul is a float op, not a skipped layer).
    expect(int8.report.skippedNodes.filter((s) => s.reason.startsWith('Kept in float for accuracy')).map((s) => s.name).sort()).toEqual(a.ranking.filter((u) => a.floatUnits.includes(u.name) && u.opType === 'Conv').map((u) => u.name).sort());
  }, 900_000);

  it('SqueezeNet, max drop 0.5 top-1 points: met on imagenet-val-1300', async () => {
    const labels = [sharedPath('labels', 'imagenet-val-1300.txt')];
    const val = sharedPath('images', 'imagenet-val-1300');
    const { int8, eval: ev } = await heldOutInt8(
      model('squeezenet1.1-7-fp32-upcast.onnx'), 'caffe-bgr',
      { folder: sharedPath('images', 'imagenet-sample') },
      { folder: val, labels },
      { accuracy: { goal: { metric: 'top1', maxDrop: 0.5 } } }, undefined, undefined,
      { folder: val, labels, keep: (i) => i % 4 === 0 },
    );
    const a = int8.report.accuracy!;
    console.info(`[golden-accuracy] squeezenet max-drop 0.5: top-1 ${pct(ev.top1!)}% on ${ev.images} images (FP32 70.00); search: ${a.validationInputs} validation, ${a.initial.value.toFixed(2)} -> ${a.final.value.toFixed(2)} (FP32 ${a.fp32Value.toFixed(2)}), ${a.stoppedBy}, ${a.floatUnits.length} layers in float`);
    expect(a.goal.metric).toBe('top1');
    expect(a.validationInputs).toBe(325);
    expect(a.met).toBe(true);
    expect(ev.images).toBe(1300);
    expect(100 * ev.top1!).toBeGreaterThanOrEqual(70.0 - 0.5);
  }, 900_000);

  it('ResNet20, max drop 0.3 top-1 points: met on cifar10-test-1000', async () => {
    const cifar = sharedPath('images', 'cifar10-test-1000');
    const labels = [sharedPath('labels', 'cifar10_classes.txt')];
    const calib = (i: number): boolean => i % 10 < 3;
    const { int8, eval: ev } = await heldOutInt8(
      model('resnet20-cifar10-ace.onnx'), undefined,
      { folder: cifar, keep: calib },
      { folder: cifar, labels },
      { accuracy: { goal: { metric: 'top1', maxDrop: 0.3 } } }, undefined, undefined,
      { folder: cifar, labels, keep: (i) => !calib(i) },
    );
    const a = int8.report.accuracy!;
    console.info(`[golden-accuracy] resnet20 max-drop 0.3: top-1 ${pct(ev.top1!)}% on ${ev.images} images (FP32 81.60); search: ${a.validationInputs} validation, ${a.initial.value.toFixed(2)} -> ${a.final.value.toFixed(2)} (FP32 ${a.fp32Value.toFixed(2)}), ${a.stoppedBy}`);
    expect(a.met).toBe(true);
    expect(ev.images).toBe(1000);
    expect(100 * ev.top1!).toBeGreaterThanOrEqual(81.6 - 0.3);
  }, 900_000);
});
