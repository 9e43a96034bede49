// The Optimize run's evaluation: the model once, then every variant against it in one job, reports in order.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeNpy } from '../src/data/npy';
import { inspectModel } from '../src/pipeline/inspect';
import { loadOrt } from '../src/runtime/ort';
import { evaluateDataset } from './dataset-evaluate';
import type { EvaluateRequest } from './dataset-api';

const DEMO = resolve(import.meta.dirname, '../public/demo/shapes-cnn.onnx');

beforeAll(async () => {
  await loadOrt(1);
});

describe('evaluateDataset with several variants', () => {
  it('measures each variant against the model, in the order given, on the same random inputs', async () => {
    const bytes = readFileSync(DEMO);
    const model = new File([bytes], 'shapes-cnn.onnx');
    const card = inspectModel('shapes-cnn.onnx', new Uint8Array(bytes));
    // The same file as "variant": identical outputs; a second copy keeps the order visible by name.
    const same = new File([bytes], 'copy-a.onnx');
    const other = new File([bytes], 'copy-b.onnx');
    const request: EvaluateRequest = {
      model: [model],
      variants: [[same], [other]],
      inputKind: 'random',
      images: [],
      recipe: null,
      random: { count: 5, dims: [1, 3, 32, 32], min: 0, max: 1, seed: 7 },
      input: card.inputs[0]!,
      mapping: null,
      problems: [],
    };
    const stages: string[] = [];
    const result = await evaluateDataset(request, (p) => stages.push(p.stage), new AbortController().signal);
    expect(result.report.images).toBe(5);
    expect(result.variantReport).toBeNull();
    expect(result.variantReports).toHaveLength(2);
    for (const r of result.variantReports!) {
      expect(r.images).toBe(5);
      expect(r.fidelity!.top1Agreement).toBe(1);
      expect(r.fidelity!.cosine).toBeCloseTo(1, 6);
    }
    // One reference pass and one comparison pass per variant.
    expect(stages.filter((s) => s === 'compare').length).toBeGreaterThanOrEqual(2);
    expect(stages.at(-1)).toBe('done');
  });

  it('keeps the single-variant answer for the Dataset step (variantReport, no variantReports)', async () => {
    const bytes = readFileSync(DEMO);
    const card = inspectModel('shapes-cnn.onnx', new Uint8Array(bytes));
    const result = await evaluateDataset(
      {
        model: [new File([bytes], 'shapes-cnn.onnx')],
        variant: [new File([bytes], 'v.onnx')],
        inputKind: 'random',
        images: [],
        recipe: null,
        random: { count: 3, dims: [1, 3, 32, 32], min: 0, max: 1, seed: 1 },
        input: card.inputs[0]!,
        mapping: null,
        problems: [],
      },
      () => undefined,
      new AbortController().signal,
    );
    expect(result.variantReport?.fidelity?.top1Agreement).toBe(1);
    expect(result.variantReports).toBeUndefined();
  });

  it('reads the samples once for all passes, with the same results as reading them again', async () => {
    const bytes = readFileSync(DEMO);
    const card = inspectModel('shapes-cnn.onnx', new Uint8Array(bytes));
    let reads = 0;
    // Tensor files stand in for images (decoding needs a browser): each pass would read every file again.
    const tensorFiles = [0, 1, 2, 3].map((k) => {
      const data = Float32Array.from({ length: 3 * 32 * 32 }, (_, i) => ((i * 7 + k * 13) % 97) / 97);
      const file = new File([encodeNpy(data, [1, 3, 32, 32]) as Uint8Array<ArrayBuffer>], `s${k}.npy`);
      const counted = Object.assign(Object.create(file) as File, { arrayBuffer: () => (reads++, file.arrayBuffer()) });
      return { file: counted, path: `s${k}.npy` };
    });
    const base: EvaluateRequest = {
      model: [new File([bytes], 'shapes-cnn.onnx')],
      inputKind: 'tensors',
      images: [],
      recipe: null,
      tensorFiles,
      samples: tensorFiles.map((t, k) => ({ name: t.path, dims: [1, 3, 32, 32], label: k % 4 })),
      input: card.inputs[0]!,
      mapping: null,
      problems: [],
    };
    const cached = await evaluateDataset({ ...base, variants: [[new File([bytes], 'a.onnx')], [new File([bytes], 'b.onnx')]] }, () => undefined, new AbortController().signal);
    expect(reads).toBe(4);
    reads = 0;
    const single = await evaluateDataset({ ...base, variant: [new File([bytes], 'a.onnx')] }, () => undefined, new AbortController().signal);
    expect(reads).toBe(4);
    expect(cached.variantReports![0]!.top1).toBe(single.variantReport!.top1);
    expect(cached.variantReports![1]!.fidelity).toEqual(single.variantReport!.fidelity);
    expect(cached.report.top1).toBe(single.report.top1);
    expect(cached.variantReports![0]!.images).toBe(4);
  });
});
