// Transformers with external data and models too big for a tab (#9), at e2e size: a DeiT-shaped ViT dropped as two
// files goes through dynamic INT8, FP16 and the benchmark; without its weights file it gets a plain message; a model
// whose activations exceed what a browser can address is refused before any job starts.
// The 346 MB stand-ins run in `npx tsx scripts/bench-big.ts` (bench-results/big-models.json), not here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel } from '../src/onnx/model-io';
import { expect, FIXTURES, test } from './app-fixture';

const fx = (name: string): string => join(FIXTURES, name);

test('a ViT with external data dropped as two files: card, dynamic INT8, FP16 and benchmark, each with its own file', async ({ app, page }) => {
  test.setTimeout(180_000);
  await app.open();
  await app.choose(fx('vit-tiny.onnx'), fx('vit-tiny.onnx.data'));
  await app.expectCardFor('vit-tiny.onnx');
  await expect(page.getByTestId('model-card')).toContainText('vit-tiny.onnx.data');

  // Dynamic INT8 (Automatic picks it for a transformer), checked on seeded random inputs.
  const int8 = page.getByTestId('int8-panel');
  await int8.getByTestId('int8-button').click();
  const result = int8.getByTestId('int8-result');
  await expect(result).toBeVisible({ timeout: 60_000 });
  await expect(result).toHaveAttribute('data-mode', 'dynamic');
  // The weights file counts in the size before: the MatMuls go to int8, the patch Conv and embeddings stay float (49%).
  expect(Number(await result.getAttribute('data-size-ratio'))).toBeLessThan(0.55);
  expect(Number(await result.getAttribute('data-sqnr'))).toBeGreaterThan(20);
  const stats = int8.getByTestId('job-stats');
  await expect(stats).toContainText(/Took \d/);
  await expect(stats).toContainText('Memory at its peak');
  const stages = JSON.parse((await stats.getAttribute('data-stages')) ?? '{}') as Record<string, number>;
  expect(Object.keys(stages)).toEqual(expect.arrayContaining(['read', 'prepare', 'quantize', 'validate']));
  // The engine's heap was measured (the model's weights had to fit in it).
  expect(Number(await stats.getAttribute('data-engine-mb'))).toBeGreaterThan(1);
  const [download] = await Promise.all([page.waitForEvent('download'), int8.getByTestId('int8-download').click()]);
  expect(download.suggestedFilename()).toBe('vit-tiny-int8.onnx');
  // The download holds every weight inline: one self-contained file.
  const written = decodeModel(new Uint8Array(readFileSync(await download.path())));
  expect(written.graph!.initializer.every((t) => t.externalData.length === 0)).toBe(true);
  expect(written.graph!.node.some((n) => n.opType === 'MatMulInteger')).toBe(true);

  const fp16 = page.getByTestId('fp16-panel');
  await fp16.getByTestId('fp16-button').click();
  const fp16Result = fp16.getByTestId('fp16-result');
  await expect(fp16Result).toBeVisible({ timeout: 60_000 });
  await expect(fp16Result).toHaveAttribute('data-passed', 'true');
  expect(Number(await fp16Result.getAttribute('data-size-ratio'))).toBeLessThan(0.55);
  await expect(fp16.getByTestId('job-stats')).toContainText(/Took \d/);

  const bench = page.getByTestId('bench-panel');
  await bench.getByTestId('bench-budget').fill('1');
  await bench.getByTestId('bench-run').click();
  await expect(page.locator('[data-testid=bench-panel][data-status=done]')).toBeVisible({ timeout: 120_000 });
  await expect(bench.getByTestId('bench-row')).toHaveCount(3);
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
});

test('the same ViT dropped without its weights file: a plain message naming the missing file, and the app stays usable', async ({ app, page }) => {
  await app.open();
  await app.choose(fx('vit-tiny.onnx'));
  await app.expectError('missing-external-data', /"vit-tiny\.onnx" keeps its weights in a separate file \("vit-tiny\.onnx\.data"\)\. Drop or choose that file together with the \.onnx file/);
  await app.choose(fx('vit-tiny.onnx'), fx('vit-tiny.onnx.data'));
  await app.expectCardFor('vit-tiny.onnx');
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
});

test('a model whose activations exceed what a browser can address is refused before any job starts', async ({ app, page }) => {
  await app.open();
  await app.choose(fx('huge-input.onnx'));
  await app.expectCardFor('huge-input.onnx');
  const fp16 = page.getByTestId('fp16-panel');
  const note = fp16.getByTestId('memory-estimate');
  await expect(note).toHaveAttribute('data-fits', 'false');
  await expect(note).toContainText(/more than the 4 GB a browser's WebAssembly engine can address/);
  // 3.2 GB input + 8.6 GB Conv output, x1.5 for the engine's working set.
  expect(Number(await note.getAttribute('data-engine-mb'))).toBeGreaterThan(15_000);
  await expect(fp16.getByTestId('fp16-button')).toBeDisabled();
  const bench = page.getByTestId('bench-panel');
  await expect(bench.getByTestId('bench-run')).toBeDisabled();
  await expect(bench.getByTestId('bench-blocked')).toContainText('4 GB');
  // The one-button Optimize is refused with the same reason, before anything starts.
  const optimize = page.getByTestId('optimize-step');
  await expect(page.getByTestId('optimize')).toBeDisabled();
  await expect(optimize.getByTestId('optimize-blocked')).toContainText(/more than the 4 GB/);
  await expect(optimize.getByTestId('memory-estimate')).toHaveAttribute('data-fits', 'false');
  await page.screenshot({ path: 'test-results/big-model-refused.png', fullPage: true });
});
