// The headless CLI reports every shared model correctly (JSON card), and fails with plain messages on bad input.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readManifestFacts } from '../../e2e/manifest-facts';
import { hasSharedData, sharedPath, SHARED_MODELS } from '../../test/shared-data';
import type { ModelCard } from '../onnx/summary';
import { runCli } from '../../test/cli-run';

const run = runCli;

const hasData = hasSharedData();

describe('quantbench inspect', () => {
  it.skipIf(!hasData).each(SHARED_MODELS)('reports %s as MANIFEST.md describes it', async (model) => {
    const facts = readManifestFacts(sharedPath('MANIFEST.md'))[model]!;
    const { code, out } = await run(['inspect', sharedPath('models', model), '--json']);
    expect(code).toBe(0);
    const card = JSON.parse(out) as ModelCard;
    expect(card.irVersion).toBe(facts.irVersion);
    expect(card.opsets.find((o) => o.domain === 'ai.onnx')?.version).toBe(facts.opset);
    expect(card.params).toBe(facts.params);
    expect(card.inputs[0]).toMatchObject({ name: facts.input!.name, shape: facts.input!.shape });
    expect(card.outputs[0]).toMatchObject({ name: facts.output!.name, shape: facts.output!.shape });
    if (facts.input!.dtype !== undefined) expect(card.inputs[0]!.dtype).toBe(facts.input!.dtype);
    let compared = 0;
    for (const [op, n] of Object.entries(facts.opCounts)) {
      if (op in card.opTypes) {
        expect(card.opTypes[op], op).toBe(n);
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(3);
    expect(card.quantization.quantized).toBe(false);
    expect(Object.values(card.opTypes).reduce((a, b) => a + b, 0)).toBe(card.totalNodeCount);
  });

  it('prints usage for no command and rejects unknown ones', async () => {
    expect((await run([])).code).toBe(2);
    const bad = await run(['frobnicate', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('Unknown command "frobnicate"');
  });

  it('explains bad input in plain language with exit code 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qb-cli-'));
    writeFileSync(join(dir, 'notes.onnx'), 'these are my notes, not a model\n');
    const text = await run(['inspect', join(dir, 'notes.onnx'), '--json']);
    expect(text.code).toBe(1);
    expect(JSON.parse(text.out).error.code).toBe('not-onnx');
    expect(text.err).toContain('text file, not an ONNX model');
    const missing = await run(['inspect', join(dir, 'nope.onnx')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('No such file');
  });

  it.skipIf(!hasData)('runs as a real process through the package bin (npx quantbench)', () => {
    const bin = resolve(import.meta.dirname, 'bin.mjs');
    const out = execFileSync(process.execPath, [bin, 'inspect', sharedPath('models', 'resnet20-cifar10-ace.onnx'), '--json'], { encoding: 'utf8' });
    const card = JSON.parse(out) as ModelCard;
    expect(card.nodeCount).toBe(53);
    expect(card.quantizable.byOpType).toEqual({ Conv: 21, Gemm: 1 });
  }, 60_000);
});
