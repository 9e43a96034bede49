// Drops every shared model and checks its card against the facts written in ../shared/data/MANIFEST.md.
import { resolve } from 'node:path';
import { expect, sharedDataAvailable, SHARED_DATA, test } from './app-fixture';
import { SHARED_MODELS } from '../test/shared-data';
import { readManifestFacts } from './manifest-facts';

const hasData = sharedDataAvailable();
const facts = hasData ? readManifestFacts(resolve(SHARED_DATA, 'MANIFEST.md')) : {};
const MODELS = SHARED_MODELS;

test.describe('shared models', () => {
  test.skip(!hasData, 'needs ../shared/data (present in CI)');

  test('MANIFEST.md yields facts for every model', () => {
    for (const m of MODELS) {
      const f = facts[m];
      expect(f, m).toBeDefined();
      expect(f!.irVersion, m).toBeGreaterThan(0);
      expect(f!.params, m).toBeGreaterThan(0);
      expect(f!.input, m).toBeDefined();
      expect(f!.output, m).toBeDefined();
    }
  });

  for (const model of MODELS) {
    test(`card of ${model} matches MANIFEST.md`, async ({ app, page }) => {
      const f = facts[model]!;
      await app.open();
      await app.choose(resolve(SHARED_DATA, 'models', model));
      await app.expectCardFor(model);
      const card = app.card;
      await expect(card.getByTestId('card-ir-version')).toHaveAttribute('data-value', String(f.irVersion));
      await expect(card.locator('[data-testid=card-opset][data-domain="ai.onnx"]')).toHaveAttribute('data-version', String(f.opset));
      await expect(card.getByTestId('card-params')).toHaveAttribute('data-value', String(f.params));
      if (f.nodeCount !== undefined) await expect(card.getByTestId('card-node-count')).toHaveAttribute('data-value', String(f.nodeCount));
      for (const [which, io] of [['io-input', f.input!], ['io-output', f.output!]] as const) {
        const row = card.locator(`[data-testid=${which}][data-name="${io.name}"]`);
        await expect(row).toHaveCount(1);
        if (io.dtype !== undefined) await expect(row).toHaveAttribute('data-dtype', io.dtype);
        await expect(row).toHaveAttribute('data-shape', JSON.stringify(io.shape));
      }
      const ops = await card.getByTestId('op-row').evaluateAll((rows) => Object.fromEntries(rows.map((r) => [r.getAttribute('data-op'), Number(r.getAttribute('data-count'))])));
      let checked = 0;
      for (const [op, n] of Object.entries(f.opCounts)) {
        if (op in ops) {
          expect(ops[op], `${model}: ${op}`).toBe(n);
          checked++;
        }
      }
      expect(checked, 'at least three op counts from the manifest were compared').toBeGreaterThanOrEqual(3);
      await expect(card.getByTestId('card-quantized')).toHaveAttribute('data-quantized', 'false');
      await expect(card.getByTestId('card-quantizable-count')).toHaveAttribute('data-value', String((ops.Conv ?? 0) + (ops.MatMul ?? 0) + (ops.Gemm ?? 0) + (ops.ConvTranspose ?? 0)));
      await expect(page.getByTestId('error-banner')).toBeHidden();
    });
  }
});
