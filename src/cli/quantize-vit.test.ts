// `quantbench quantize` on a DeiT-shaped ViT whose weights live in a separate file (#9, at test size): dynamic INT8
// and FP16 read the pair, write one self-contained file that onnxruntime-node runs close to FP32, and report stage
// times and memory; without the weights file the message names it. The 346 MB stand-ins are measured by
// scripts/bench-big.ts, not here.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { tinyVitExternal } from '../../scripts/make-fixtures';
import { runCli } from '../../test/cli-run';
import { checkerPython, onnxCheck } from '../../test/onnx-checker';
import { decodeModel } from '../onnx/model-io';
import type { Int8Report } from '../pipeline/int8';
import type { JobStats } from '../shared/job-stats';

const dir = mkdtempSync(join(tmpdir(), 'qb-vit-cli-'));
const model = join(dir, 'vit-tiny.onnx');
const vit = tinyVitExternal();

beforeAll(() => {
  writeFileSync(model, vit.onnx);
  writeFileSync(join(dir, vit.dataFileName), vit.data);
});

/** Runs a model on one seeded input in onnxruntime-node (an independent runtime), with its weights file if any. */
async function logits(path: string): Promise<Float32Array> {
  const input = new Float32Array(3 * 224 * 224);
  for (let i = 0; i < input.length; i++) input[i] = Math.sin(i * 0.37);
  const session = await ort.InferenceSession.create(path);
  try {
    const out = await session.run({ pixel_values: new ort.Tensor('float32', input, [1, 3, 224, 224]) });
    return out.logits!.data as Float32Array;
  } finally {
    await session.release();
  }
}

function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb);
}

describe('quantize a ViT with external data', () => {
  it('dynamic INT8 reads the pair, quantizes every Linear and writes one file that runs close to FP32', async () => {
    const out = join(dir, 'vit-int8.onnx');
    const run = await runCli(['quantize', model, '--precision', 'int8', '--out', out, '--json']);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const json = JSON.parse(run.out) as { report: Int8Report; stats: JobStats & { peakRssBytes: number } };
    const r = json.report;
    expect(r.mode).toBe('dynamic');
    // 2 blocks x (qkv, proj, fc1, fc2) + the head: every MatMul with a constant weight.
    expect(r.quantizedNodes).toHaveLength(9);
    // The size before counts the weights file: 13 KB graph + 902 KB of weights.
    expect(r.sizeBeforeBytes).toBe(vit.onnx.byteLength + vit.data.byteLength);
    // At this width the patch Conv (196 KB) and position embedding stay float: 49% of FP32 (DeiT-Base: 26%).
    expect(r.sizeAfterBytes / r.sizeBeforeBytes).toBeGreaterThan(0.4);
    expect(r.sizeAfterBytes / r.sizeBeforeBytes).toBeLessThan(0.55);
    expect(r.check.sqnrDb).toBeGreaterThan(25);
    const written = decodeModel(new Uint8Array(readFileSync(out)));
    expect(written.graph!.initializer.every((t) => t.externalData.length === 0)).toBe(true);
    if (checkerPython !== undefined) expect(onnxCheck(out)).toBe('');
    expect(cosine(await logits(out), await logits(model))).toBeGreaterThan(0.99);
    expect(json.stats.stages.map((s) => s.stage)).toEqual(expect.arrayContaining(['prepare', 'quantize', 'validate']));
    expect(json.stats.peakRssBytes).toBeGreaterThan(json.stats.memory!.engineBytes);
  });

  it('FP16 reads the pair and writes one half-size file; the text output ends with time and memory', async () => {
    const out = join(dir, 'vit-fp16.onnx');
    const run = await runCli(['quantize', model, '--precision', 'fp16', '--out', out]);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/Time: \d+\.\d s \(.*check-fp16 \d+\.\d s/);
    expect(run.out).toMatch(/Memory: peak RSS \d+ MB; inference engine heap \d+ MB/);
    const size = readFileSync(out).byteLength;
    expect(size / (vit.onnx.byteLength + vit.data.byteLength)).toBeGreaterThan(0.45);
    expect(size / (vit.onnx.byteLength + vit.data.byteLength)).toBeLessThan(0.55);
    expect(cosine(await logits(out), await logits(model))).toBeGreaterThan(0.999);
  });

  it('without its weights file: a plain message naming the file to add (exit 1)', async () => {
    const alone = mkdtempSync(join(tmpdir(), 'qb-vit-alone-'));
    writeFileSync(join(alone, 'vit-tiny.onnx'), vit.onnx);
    const run = await runCli(['quantize', join(alone, 'vit-tiny.onnx'), '--precision', 'int8', '--out', join(alone, 'o.onnx')]);
    expect(run.code).toBe(1);
    expect(run.err).toContain('vit-tiny.onnx.data');
  });
});
