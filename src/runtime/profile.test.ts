// onnxruntime-web's per-node profile in Node: every kernel of the optimised graph with its time, names matching the
// model's nodes; the trace parser on a hand-written trace.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../onnx/model-io';
import { loadOrt } from './ort';
import { compareModelsMs, parseProfile, profileModel, timeModelMs } from './profile';

const DEMO = resolve(dirname(fileURLToPath(import.meta.url)), '../../public/demo/shapes-cnn.onnx');

describe('parseProfile', () => {
  it('takes per-node medians after the first runs, strips layout suffixes, reads sizes and types', () => {
    const ev = (name: string, dur: number, op = 'Conv') => ({ cat: 'Node', name: `${name}_kernel_time`, dur, args: { op_name: op, input_type_shape: [{ uint8: [1, 8, 8, 4] }], output_type_shape: [{ uint8: [1, 8, 8, 16] }] } });
    const runs = [10, 1, 2, 3, 4].map((d) => [ev('conv_token_7', d * 10, 'QLinearConv'), ev('relu', d), { cat: 'Session', name: 'model_run', dur: d * 100 }]).flat();
    const p = parseProfile(`noise before\n${JSON.stringify(runs)}\n`);
    expect(p.runs).toBe(5);
    const conv = p.nodes.find((n) => n.name === 'conv')!;
    expect(conv).toEqual({ name: 'conv', opType: 'QLinearConv', medianUs: 30, outputElements: 1024, inputType: 'uint8' });
    expect(p.nodes.find((n) => n.name === 'relu')!.medianUs).toBe(3);
    expect(p.runUs).toBe(300);
  });

  it('says plainly when there is no profile', () => {
    expect(() => parseProfile('nothing here')).toThrow(/did not write a profile/);
  });
});

describe('profileModel (onnxruntime-web in Node)', () => {
  beforeAll(async () => {
    await loadOrt(1);
  });

  it('times every kernel of the demo model, named after its nodes', async () => {
    const bytes = readFileSync(DEMO);
    const names = new Set(decodeModel(bytes).graph!.node.map((n) => n.name || n.output[0]!));
    const p = await profileModel(bytes, { runs: 5 });
    expect(p.runs).toBe(5);
    expect(p.nodes.length).toBeGreaterThan(2);
    for (const n of p.nodes) {
      expect(n.medianUs).toBeGreaterThanOrEqual(0);
      expect(n.outputElements).toBeGreaterThan(0);
    }
    // Fused kernels keep the name of a node of the model.
    expect(p.nodes.filter((n) => names.has(n.name)).length).toBeGreaterThan(0);
    // The console stays usable afterwards (the capture only collects during endProfiling).
    const t = await timeModelMs(bytes, { budgetMs: 50, minRuns: 3 });
    expect(t).toBeGreaterThan(0);
  });

  it('compares models with alternating runs: one median per model, every model run equally often', async () => {
    const bytes = new Uint8Array(readFileSync(DEMO));
    const paired = await compareModelsMs([bytes, bytes], { budgetMs: 30, minRuns: 4 });
    expect(paired.medianMs).toHaveLength(2);
    expect(paired.runs).toBeGreaterThanOrEqual(4);
    for (const ms of paired.medianMs) expect(ms).toBeGreaterThan(0);
  });
});
