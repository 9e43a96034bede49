// The built-in demo (public/demo/, written by `npm run gen:demo`): model card, accuracy under
// onnxruntime-web on fresh and on the shipped images, demo.json consistency, and onnx.checker.
import * as ort from 'onnxruntime-web';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePng, IMAGE_SIZE_PX, makeRng, renderShape, rgbaToNchw, SHAPE_CLASSES } from '../scripts/demo-shapes';
import { decodeModel } from '../src/onnx/model-io';
import { summarizeModel } from '../src/onnx/summary';
import { checkerPython, onnxCheck } from './onnx-checker';

const DEMO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../public/demo');
const MODEL_PATH = resolve(DEMO_DIR, 'shapes-cnn.onnx');
/** Not any seed make-demo.ts uses, so these images were never seen in training or picked for the demo. */
const FRESH_SEED = 987654321;
const FRESH_IMAGES = 200;
const MIN_ACCURACY = 0.9;
const MAX_MODEL_BYTES = 100 * 1024;

const EXPECTED_PREPROCESS = {
  width: 32,
  height: 32,
  layout: 'NCHW',
  channelOrder: 'RGB',
  scale: 0.00392156862745098,
  mean: [0, 0, 0],
  std: [1, 1, 1],
  resize: 'stretch',
};

interface DemoManifest {
  model: string;
  classes: string[];
  preprocess: unknown;
  images: { file: string; label: string }[];
}

const modelBytes = new Uint8Array(readFileSync(MODEL_PATH));
const manifest = JSON.parse(readFileSync(resolve(DEMO_DIR, 'demo.json'), 'utf8')) as DemoManifest;

let session: ort.InferenceSession;

beforeAll(async () => {
  // One thread: Node has no cross-origin isolation to negotiate, and tests run in parallel forks anyway.
  ort.env.wasm.numThreads = 1;
  session = await ort.InferenceSession.create(modelBytes);
});

/** Class index ORT predicts for one RGBA image. */
async function predict(rgba: Uint8ClampedArray): Promise<number> {
  const input = new ort.Tensor('float32', rgbaToNchw(rgba, IMAGE_SIZE_PX, IMAGE_SIZE_PX), [1, 3, IMAGE_SIZE_PX, IMAGE_SIZE_PX]);
  const result = await session.run({ image: input });
  const logits = result.logits!.data as Float32Array;
  let best = 0;
  for (let k = 1; k < logits.length; k++) if (logits[k]! > logits[best]!) best = k;
  return best;
}

describe('demo model', () => {
  it('is small and its card shows the documented interface', () => {
    expect(modelBytes.byteLength).toBeLessThan(MAX_MODEL_BYTES);
    const model = decodeModel(modelBytes, 'shapes-cnn.onnx');
    const card = summarizeModel(model, 'shapes-cnn.onnx', modelBytes.byteLength);
    expect(card.irVersion).toBe(8);
    expect(card.producerName).toBe('quantbench-demo');
    expect(card.docString).toMatch(/divided by 255/);
    expect(card.opsets).toEqual([{ domain: 'ai.onnx', version: 13 }]);
    expect(card.inputs).toEqual([{ name: 'image', dtype: 'float32', shape: [1, 3, 32, 32] }]);
    expect(card.outputs).toEqual([{ name: 'logits', dtype: 'float32', shape: [1, 4] }]);
    expect(Object.keys(card.opTypes).sort()).toEqual(['Conv', 'Flatten', 'Gemm', 'GlobalAveragePool', 'MaxPool', 'Relu']);
    expect(card.weightPrecision).toBe('float32');
    expect(card.quantization.quantized).toBe(false);
    expect(card.quantizable.count).toBe(4);
    expect(model.graph!.node.every((n) => n.name !== '')).toBe(true);
    expect(model.graph!.initializer.every((t) => t.rawData.byteLength > 0)).toBe(true);

    const meta = Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
    expect(JSON.parse(meta['quantbench.classes'] ?? 'null')).toEqual([...SHAPE_CLASSES]);
    expect(JSON.parse(meta['quantbench.preprocess'] ?? 'null')).toEqual(EXPECTED_PREPROCESS);
  });

  it(`classifies ${FRESH_IMAGES} freshly generated images with onnxruntime-web`, async () => {
    const rng = makeRng(FRESH_SEED);
    let correct = 0;
    for (let i = 0; i < FRESH_IMAGES; i++) {
      // Random classes, not a fixed rotation, so the accuracy does not depend on the class order.
      const label = Math.floor(rng() * SHAPE_CLASSES.length);
      if ((await predict(renderShape(SHAPE_CLASSES[label]!, rng))) === label) correct++;
    }
    const accuracy = correct / FRESH_IMAGES;
    console.log(`demo model, fresh images under ORT: ${(100 * accuracy).toFixed(1)}% (${correct}/${FRESH_IMAGES})`);
    expect(accuracy).toBeGreaterThanOrEqual(MIN_ACCURACY);
  });

  it('demo.json lists 48 labelled images with the same classes and preprocessing as the model', () => {
    expect(manifest.model).toBe('shapes-cnn.onnx');
    expect(manifest.classes).toEqual([...SHAPE_CLASSES]);
    expect(manifest.preprocess).toEqual(EXPECTED_PREPROCESS);
    expect(manifest.images).toHaveLength(48);
    expect(new Set(manifest.images.map((im) => im.file)).size).toBe(48);
    for (const im of manifest.images) {
      expect(manifest.classes).toContain(im.label);
      expect(im.file).toMatch(new RegExp(`^images/${im.label}-\\d\\d\\.png$`));
    }
    for (const cls of SHAPE_CLASSES) expect(manifest.images.filter((im) => im.label === cls)).toHaveLength(12);
  });

  it('classifies the shipped demo images with onnxruntime-web', async () => {
    let correct = 0;
    for (const im of manifest.images) {
      const png = decodePng(new Uint8Array(readFileSync(resolve(DEMO_DIR, im.file))));
      expect([png.widthPx, png.heightPx]).toEqual([IMAGE_SIZE_PX, IMAGE_SIZE_PX]);
      if ((await predict(png.rgba)) === manifest.classes.indexOf(im.label)) correct++;
    }
    const accuracy = correct / manifest.images.length;
    console.log(`demo model, shipped images under ORT: ${(100 * accuracy).toFixed(1)}% (${correct}/${manifest.images.length})`);
    expect(accuracy).toBeGreaterThanOrEqual(MIN_ACCURACY);
  });

  it.skipIf(checkerPython === undefined)('passes onnx.checker (full check)', () => {
    expect(onnxCheck(MODEL_PATH)).toBe('');
  });
});
