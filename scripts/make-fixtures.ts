// Writes the files the browser e2e tests drop into the app (good models and every kind of wrong file)
// into e2e/.fixtures/ (gitignored). Run: npx tsx scripts/make-fixtures.ts [outDir]
import { encodePng } from './demo-shapes';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { create } from '@bufbuild/protobuf';
import { makeModel, node, valueInfo } from '../src/onnx/build';
import { DataType } from '../src/onnx/dtypes';
import { decodeModel, encodeModel } from '../src/onnx/model-io';
import { StringStringEntryProtoSchema, TensorProto_DataLocation } from '../src/onnx/proto/onnx_pb';
import { makeTensor } from '../src/onnx/tensor-data';
import { buildVit, DEIT_BASE } from './vit-model';
import { looksLikeText, sniffNonOnnx } from '../src/onnx/sniff';
import { QbError } from '../src/shared/errors';
import { customDomainModel, externalDataModel, qdqModel, randomBytes, tinyConvModel } from '../test/fixtures';
import { sharedPath } from '../test/shared-data';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Default output folder of the e2e fixtures. */
export const FIXTURES_DIR = resolve(repoRoot, 'e2e/.fixtures');

/** A valid 2x2 RGB PNG (red, green / blue, white) that any decoder opens. */
export function tinyPng(): Uint8Array {
  const rgba = new Uint8Array([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255]);
  return encodePng(rgba, 2, 2, 3);
}

function errorCode(bytes: Uint8Array): string | undefined {
  try {
    decodeModel(bytes);
    return undefined;
  } catch (err) {
    if (err instanceof QbError) return err.code;
    throw err;
  }
}

/** Seeded random bytes with no known file signature, not text, and that decode as 'corrupt'. */
export function corruptBytes(length = 4096): Uint8Array {
  for (let seed = 1; seed < 1000; seed++) {
    const bytes = randomBytes(length, seed);
    if (sniffNonOnnx(bytes) === undefined && looksLikeText(bytes) === undefined && errorCode(bytes) === 'corrupt') return bytes;
  }
  throw new Error('no seed below 1000 gives corrupt bytes');
}

/**
 * A DeiT-shaped ViT small enough for e2e (2 blocks, 64 wide, MLP 256, 224x224, 1000 classes) with every weight of
 * 1 KB or more in `vit-tiny.onnx.data`: the two-file drop of an external-data transformer, end to end.
 */
export function tinyVitExternal(): { onnx: Uint8Array; data: Uint8Array; dataFileName: string } {
  const dataFileName = 'vit-tiny.onnx.data';
  const model = buildVit({ ...DEIT_BASE, blocks: 2, width: 64, heads: 2, mlp: 256 });
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const t of model.graph!.initializer) {
    if (t.rawData.byteLength < 1024) continue;
    chunks.push(t.rawData);
    t.externalData = [['location', dataFileName], ['offset', String(offset)], ['length', String(t.rawData.byteLength)]].map(([key, value]) => create(StringStringEntryProtoSchema, { key: key!, value: value! }));
    t.dataLocation = TensorProto_DataLocation.EXTERNAL;
    offset += t.rawData.byteLength;
    t.rawData = new Uint8Array(0);
  }
  const data = new Uint8Array(offset);
  let at = 0;
  for (const c of chunks) {
    data.set(c, at);
    at += c.byteLength;
  }
  return { onnx: encodeModel(model), data, dataFileName };
}

/**
 * A 1 KB model whose declared input is [1,3,16384,16384]: its Conv output alone would be 8.6 GB, beyond the 4 GB a
 * browser's WebAssembly engine can address, so every job on it must be refused before it starts.
 */
export function hugeInputModel(): Uint8Array {
  const side = 16384;
  return encodeModel(
    makeModel({
      nodes: [node('Conv', ['image', 'w'], ['features'], { pads: [1, 1, 1, 1] }, 'conv')],
      inputs: [valueInfo('image', DataType.FLOAT, [1, 3, side, side])],
      outputs: [valueInfo('features', DataType.FLOAT, [1, 8, side, side])],
      initializers: [makeTensor('w', DataType.FLOAT, [8, 3, 3, 3], new Float32Array(8 * 27).fill(0.01))],
      graphName: 'huge_input',
    }),
  );
}

/** One fixture file and what it is for. */
export interface FixtureFile {
  name: string;
  bytes: Uint8Array;
  purpose: string;
}

/** Builds every e2e fixture in memory (deterministic: same bytes on every run). */
export function buildFixtures(): FixtureFile[] {
  const tiny = tinyConvModel().bytes;
  const ext = externalDataModel();
  const resnet = sharedPath('models', 'resnet20-cifar10-ace.onnx');
  const truncSource = existsSync(resnet) ? new Uint8Array(readFileSync(resnet)) : tiny;
  const labels = 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n';
  const vit = tinyVitExternal();
  return [
    { name: 'tiny.onnx', bytes: tiny, purpose: 'Conv+Relu+Gemm float32 model that loads and runs' },
    { name: 'vit-tiny.onnx', bytes: vit.onnx, purpose: `DeiT-shaped ViT (2 blocks, 64 wide), weights in ${vit.dataFileName}` },
    { name: vit.dataFileName, bytes: vit.data, purpose: 'external data of vit-tiny.onnx' },
    { name: 'huge-input.onnx', bytes: hugeInputModel(), purpose: 'declared input [1,3,16384,16384]: activations beyond 4 GB' },
    { name: 'tiny-ext.onnx', bytes: ext.onnxBytes, purpose: `weights in ${ext.dataFileName} (misaligned offsets)` },
    { name: ext.dataFileName, bytes: ext.dataBytes, purpose: 'external data of tiny-ext.onnx' },
    { name: 'custom-op.onnx', bytes: customDomainModel().bytes, purpose: 'node in domain com.example.custom: describable, not runnable' },
    { name: 'qdq.onnx', bytes: qdqModel().bytes, purpose: 'already quantized (QDQ)' },
    { name: 'empty.onnx', bytes: new Uint8Array(0), purpose: '0 bytes' },
    { name: 'not-a-model.png', bytes: tinyPng(), purpose: 'a real PNG image' },
    { name: 'labels.txt', bytes: new TextEncoder().encode(labels), purpose: 'a text file' },
    { name: 'truncated.onnx', bytes: truncSource.slice(0, Math.floor(truncSource.length * 0.6)), purpose: 'first 60% of a real model' },
    { name: 'corrupt.onnx', bytes: corruptBytes(), purpose: 'seeded random bytes with no known signature' },
    // Same bytes as tiny-ext.onnx; the e2e test drops it alone, so ${ext.dataFileName} is missing.
    { name: 'tiny-ext-missing.onnx', bytes: ext.onnxBytes, purpose: `external-data model to drop without its ${ext.dataFileName}` },
  ];
}

/** Writes every fixture into `dir` (created if needed); returns what was written. */
export function makeFixtures(dir: string = FIXTURES_DIR): FixtureFile[] {
  mkdirSync(dir, { recursive: true });
  const files = buildFixtures();
  for (const f of files) writeFileSync(resolve(dir, f.name), f.bytes);
  return files;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const dir = resolve(process.argv[2] ?? FIXTURES_DIR);
  for (const f of makeFixtures(dir)) console.log(`${f.name.padEnd(24)} ${String(f.bytes.length).padStart(9)} B  ${f.purpose}`);
  console.log(`wrote ${dir}`);
}
