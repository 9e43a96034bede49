// Presets and the preset guess: the suggestion for each shared model must be the preprocessing MANIFEST.md documents.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ModelCard } from '../onnx/summary';
import { inspectModel } from '../pipeline/inspect';
import { hasSharedData, sharedPath } from '../../test/shared-data';
import { PRESETS, imageInputInfo, recipeForModel, suggestPreset } from './presets';
import type { PresetId } from './types';

const shared = hasSharedData();
const card = (file: string): ModelCard => inspectModel(file, readFileSync(sharedPath('models', file)));

/** A minimal card with the given first input/outputs (other fields are not read by suggestPreset). */
function fakeCard(input: { name?: string; dtype?: string; shape: (number | string | null)[] | null }, outputs: (number | string | null)[][] = [[1, 1000]], producerName = 'pytorch'): ModelCard {
  return {
    producerName,
    inputs: [{ name: input.name ?? 'input', dtype: input.dtype ?? 'float32', shape: input.shape }],
    outputs: outputs.map((shape, i) => ({ name: `out${i}`, dtype: 'float32', shape })),
  } as unknown as ModelCard;
}

describe('PRESETS', () => {
  it('make the documented recipes', () => {
    expect(PRESETS['imagenet-torchvision'].make(224, 224)).toEqual({
      width: 224, height: 224, resize: 'shorter-side-crop', resizeShorterTo: 256, layout: 'NCHW', channelOrder: 'RGB', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225],
    });
    expect(PRESETS['caffe-bgr'].make(224, 224)).toMatchObject({ resize: 'shorter-side-crop', resizeShorterTo: 256, channelOrder: 'BGR', scale: 1, mean: [104, 117, 123], std: [1, 1, 1] });
    expect(PRESETS['tf-minus1-1'].make(257, 257)).toMatchObject({ resize: 'stretch', layout: 'NHWC', channelOrder: 'RGB', scale: 1 / 127.5, mean: [1, 1, 1], std: [1, 1, 1] });
    expect(PRESETS['yolo-letterbox'].make(416, 416)).toMatchObject({ resize: 'letterbox', letterbox: { padValue: 114, placement: 'top-left' }, channelOrder: 'BGR', scale: 1, mean: [0, 0, 0] });
    expect(PRESETS['raw-0-1'].make(32, 32, 'NHWC')).toMatchObject({ resize: 'stretch', layout: 'NHWC', scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] });
  });

  it('scale the 256/224 resize to other input sizes', () => {
    expect(PRESETS['imagenet-torchvision'].make(299, 299).resizeShorterTo).toBe(342);
    expect(PRESETS['caffe-bgr'].make(384, 384).resizeShorterTo).toBe(439);
  });

  it('tf-minus1-1 maps 0 -> -1 and 255 -> 1', () => {
    const r = PRESETS['tf-minus1-1'].make(1, 1);
    expect(0 * r.scale - r.mean[0]).toBe(-1);
    expect((255 * r.scale - r.mean[0]) / r.std[0]).toBeCloseTo(1, 12);
  });

  it('every preset has a label and description', () => {
    for (const id of Object.keys(PRESETS) as PresetId[]) {
      expect(PRESETS[id].label.length).toBeGreaterThan(3);
      expect(PRESETS[id].description.length).toBeGreaterThan(20);
    }
  });
});

describe.runIf(shared)('suggestPreset on the shared models (MANIFEST.md preprocessing)', () => {
  it('squeezenet (onnx-caffe2): Caffe BGR, mean subtraction, 256 -> 224 crop; float16 input for the FP16 file', () => {
    const fp32 = suggestPreset(card('squeezenet1.1-7-fp32-upcast.onnx'));
    expect(fp32.id).toBe('caffe-bgr');
    expect(fp32.recipe).toEqual({ ...PRESETS['caffe-bgr'].make(224, 224) });
    expect(fp32.reason).toMatch(/onnx-caffe2/);
    const fp16 = suggestPreset(card('squeezenet1.1-7-winml-fp16.onnx'));
    expect(fp16.id).toBe('caffe-bgr');
    expect(fp16.recipe.dtype).toBe('float16');
  });

  it('resnet20-cifar10 (pytorch, 32x32): torchvision mean/std without resize or crop', () => {
    const s = suggestPreset(card('resnet20-cifar10-ace.onnx'));
    expect(s.id).toBe('imagenet-torchvision');
    expect(s.recipe).toEqual({ width: 32, height: 32, resize: 'stretch', layout: 'NCHW', channelOrder: 'RGB', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
  });

  it('yolox-nano: top-left letterbox 416 with 114, BGR 0-255', () => {
    const s = suggestPreset(card('yolox-nano.onnx'));
    expect(s.id).toBe('yolo-letterbox');
    expect(s.recipe).toEqual(PRESETS['yolo-letterbox'].make(416, 416));
    expect(s.reason).toMatch(/YOLOX/);
  });

  it('deeplabv3 (tf2onnx, NHWC 257): stretch, RGB, x/127.5 - 1, NHWC', () => {
    const s = suggestPreset(card('deeplabv3-mobilenetv2-257.onnx'));
    expect(s.id).toBe('tf-minus1-1');
    expect(s.recipe).toEqual({ width: 257, height: 257, resize: 'stretch', layout: 'NHWC', channelOrder: 'RGB', scale: 1 / 127.5, mean: [1, 1, 1], std: [1, 1, 1] });
  });

  it('silero VAD (audio): says it is not an image model', () => {
    const s = suggestPreset(card('silero-vad-mini-transformer.onnx'));
    expect(s.id).toBe('raw-0-1');
    expect(s.reason).toMatch(/not an image/);
  });
});

describe('suggestPreset on synthetic cards', () => {
  it('defaults to torchvision for a 224 NCHW PyTorch classifier', () => {
    const s = suggestPreset(fakeCard({ shape: [1, 3, 224, 224] }));
    expect(s).toMatchObject({ id: 'imagenet-torchvision', recipe: PRESETS['imagenet-torchvision'].make(224, 224) });
  });

  it('chooses 224 for dynamic sizes and says so', () => {
    const s = suggestPreset(fakeCard({ shape: ['batch', 3, 'height', 'width'] }));
    expect(s.recipe).toMatchObject({ width: 224, height: 224 });
    expect(s.reason).toMatch(/several image sizes/);
  });

  it('recognises Ultralytics YOLOv5 and YOLOv8 outputs: centred letterbox, RGB 0-1', () => {
    const v5 = suggestPreset(fakeCard({ name: 'images', shape: [1, 3, 640, 640] }, [[1, 25200, 85]]));
    expect(v5.recipe).toMatchObject({ resize: 'letterbox', letterbox: { placement: 'center', padValue: 114 }, channelOrder: 'RGB', scale: 1 / 255 });
    const v8 = suggestPreset(fakeCard({ name: 'images', shape: [1, 3, 640, 640] }, [[1, 84, 8400]]));
    expect(v8.recipe.letterbox?.placement).toBe('center');
    const yolox640 = suggestPreset(fakeCard({ name: 'images', shape: [1, 3, 640, 640] }, [[1, 8400, 85]]));
    expect(yolox640.recipe.letterbox?.placement).toBe('top-left');
  });

  it('uses NHWC for channels-last inputs, and uint8 inputs get raw 0-255 pixels', () => {
    expect(imageInputInfo({ name: 'x', dtype: 'float32', shape: [1, 224, 224, 3] })).toEqual({ layout: 'NHWC', width: 224, height: 224, channels: 3, dtype: 'float32' });
    const u8 = suggestPreset(fakeCard({ dtype: 'uint8', shape: [1, 300, 300, 3] }, [[1, 10]], 'tf2onnx'));
    expect(u8.recipe).toMatchObject({ layout: 'NHWC', dtype: 'uint8', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] });
    expect(u8.reason).toMatch(/uint8/);
  });

  it('warns about non-3-channel inputs', () => {
    expect(suggestPreset(fakeCard({ shape: [1, 1, 28, 28] })).reason).toMatch(/expects 1 channel,/);
  });

  it('recipeForModel fits any preset to the model', () => {
    const c = fakeCard({ shape: [1, 3, 96, 128] });
    expect(recipeForModel('caffe-bgr', c)).toMatchObject({ width: 128, height: 96, resizeShorterTo: 146, layout: 'NCHW' });
  });
});
