// Benchmark panel: the demo model and its INT8 variant measured on the CPU (ordered percentiles as displayed,
// speed-up against FP32, charts, warnings, the environment line), cancel mid-run then a clean second run, and a
// batch sweep on a model with a free batch dimension. Screenshots for review go to scratch/ui-shots/.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { makeModel, node, valueInfo } from '../src/onnx/build';
import { DataType } from '../src/onnx/dtypes';
import { encodeModel } from '../src/onnx/model-io';
import { makeTensor } from '../src/onnx/tensor-data';
import { expect, sharedDataAvailable, test } from './app-fixture';
import { MODELS } from './dataset-helpers';

const hasData = sharedDataAvailable();
const SHOTS = join(import.meta.dirname, '../scratch/ui-shots');
const SILERO = 'silero-vad-mini-transformer.onnx';

/**
 * A model slow enough to cancel in the middle of its timed runs (the demo model runs its 1,000 timed runs in a fraction
 * of a second): 8 MatMul + Relu layers on [batch, 16, 512], about 34 M multiply-adds per image, with a free batch.
 */
function writeSlowModel(path: string): void {
  const width = 512;
  const layers = 8;
  const scale = Math.sqrt(6 / width);
  const nodes = [];
  const weights = [];
  let x = 'x';
  for (let l = 0; l < layers; l++) {
    const w = new Float32Array(width * width);
    // Deterministic He-uniform-like values: activations keep their size, so no denormals slow the runs down.
    for (let i = 0; i < w.length; i++) w[i] = ((((i + 1) * 2654435761 + l * 97) % 1000) / 1000 - 0.5) * 2 * scale;
    weights.push(makeTensor(`w${l}`, DataType.FLOAT, [width, width], w));
    const out = l === layers - 1 ? 'y' : `h${l}`;
    nodes.push(node('MatMul', [x, `w${l}`], [`m${l}`]), node('Relu', [`m${l}`], [out]));
    x = out;
  }
  const model = makeModel({
    nodes,
    inputs: [valueInfo('x', DataType.FLOAT, ['batch', 16, width])],
    outputs: [valueInfo('y', DataType.FLOAT, ['batch', 16, width])],
    initializers: weights,
    graphName: 'slow-matmul',
  });
  writeFileSync(path, encodeModel(model));
}

/** The table fits its panel: no column hidden behind a horizontal scroll. */
async function expectTableFits(panel: Locator): Promise<void> {
  const scroller = panel.locator('.bench-table-scroll');
  const { scroll, client, columns } = await scroller.evaluate((el) => ({
    scroll: el.scrollWidth,
    client: el.clientWidth,
    columns: [...el.querySelectorAll('thead th')].map((th) => `${th.textContent}: ${Math.round(th.getBoundingClientRect().width)}`).join(', '),
  }));
  expect(scroll, `table width within its panel (${columns})`).toBeLessThanOrEqual(client);
}

/** The number at the start of a displayed cell: "1.23 ms" -> 1.23. */
async function shownMs(cell: Locator): Promise<number> {
  const text = (await cell.innerText()).trim();
  const n = Number.parseFloat(text.replace(/,/g, ''));
  expect(Number.isFinite(n), `"${text}" starts with a number`).toBe(true);
  return n;
}

async function openDemo(page: Page, app: { open(): Promise<void>; expectCardFor(name: string): Promise<void> }): Promise<Locator> {
  await app.open();
  await page.getByTestId('demo-button').click();
  await expect(page.getByTestId('demo-results')).toHaveAttribute('data-top1', /\d/, { timeout: 60_000 });
  await app.expectCardFor('shapes-cnn.onnx');
  const panel = page.getByTestId('bench-panel');
  await expect(panel).toBeVisible();
  return panel;
}

/** Screenshots of the panel at a laptop and a projector size, top of the results in view. */
async function shoot(page: Page, panel: Locator, name: string): Promise<void> {
  for (const [w, h] of [
    [1366, 768],
    [1920, 1080],
  ] as const) {
    await page.setViewportSize({ width: w, height: h });
    await panel.getByTestId('bench-results').scrollIntoViewIfNeeded();
    await expectTableFits(panel);
    await page.screenshot({ path: join(SHOTS, `bench-${name}-${w}x${h}.png`) });
    await panel.screenshot({ path: join(SHOTS, `bench-${name}-panel-${w}.png`) });
  }
}

test('the demo model and its INT8 variant: ordered percentiles, speed-up vs FP32, charts, warnings', async ({ app, page }) => {
  test.setTimeout(180_000);
  const panel = await openDemo(page, app);

  // INT8 through the demo flow (its built-in images calibrate it): then the benchmark has two variants.
  const int8 = page.getByTestId('int8-panel');
  await int8.getByTestId('int8-button').click();
  await expect(int8.getByTestId('int8-result')).toBeVisible({ timeout: 60_000 });

  await expect(panel.getByTestId('bench-variant-fp32')).toBeChecked();
  await expect(panel.getByTestId('bench-variant-int8')).toBeChecked();
  // No FP16 variant was made: it cannot be chosen, and says where to make it.
  await expect(panel.getByTestId('bench-variant-fp16')).toBeDisabled();
  // The demo model fixes its batch at 1: nothing to sweep.
  await expect(panel.getByTestId('bench-sweep')).toBeDisabled();
  await panel.getByTestId('bench-budget').fill('1');
  await expect(panel.getByTestId('bench-run')).toBeEnabled();
  await expect(panel.getByTestId('bench-run')).toHaveText('Run benchmark');
  await panel.getByTestId('bench-run').click();

  const rows = panel.getByTestId('bench-row');
  await expect(rows).toHaveCount(2, { timeout: 120_000 });
  await expect(panel).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  await expect(panel.getByTestId('bench-table')).toBeVisible();
  for (const variant of ['fp32', 'int8']) {
    const row = panel.locator(`[data-testid=bench-row][data-variant=${variant}]`);
    await expect(row).toHaveAttribute('data-device', 'wasm');
    const p50 = await shownMs(row.getByTestId('bench-p50'));
    const p90 = await shownMs(row.getByTestId('bench-p90'));
    const p99 = await shownMs(row.getByTestId('bench-p99'));
    expect(p50).toBeGreaterThan(0);
    expect(p50).toBeLessThanOrEqual(p90);
    expect(p90).toBeLessThanOrEqual(p99);
    await expect(row.getByTestId('bench-gzip')).toHaveText(/\d/);
    // Weights by element type under the file size (the INT8 variant stores int8 weights).
    await expect(row.getByTestId('bench-params')).toHaveText(variant === 'int8' ? /int8/ : /float/);
  }
  const fp32Row = panel.locator('[data-testid=bench-row][data-variant=fp32]');
  const int8Row = panel.locator('[data-testid=bench-row][data-variant=int8]');
  await expect(fp32Row.getByTestId('bench-speed-up')).toHaveText('1.00x (baseline)');
  await expect(int8Row.getByTestId('bench-speed-up')).toHaveText(/^\d+\.\d\dx \((faster|slower|same)\)$/);
  // The words follow the measured ratio: a slower variant is never called faster.
  const ratio = Number(await int8Row.getAttribute('data-speed-up'));
  if (ratio < 1) await expect(int8Row.getByTestId('bench-speed-up')).toContainText('(slower)');
  else await expect(int8Row.getByTestId('bench-speed-up')).not.toContainText('(slower)');
  await expect(int8Row.getByTestId('bench-size-ratio')).toHaveText(/^\d+%$/);

  await expect(panel.getByTestId('bench-env')).toContainText(/Measured on .+, WebAssembly SIMD on \d+ threads? \(/);
  await expect(panel.getByTestId('bench-warnings')).toBeVisible();
  // One median bar with its p90/p99 whiskers per row, and one distribution per row.
  const bars = panel.getByTestId('latency-chart');
  await expect(bars.locator('svg.recharts-surface').first()).toBeVisible();
    await expect(bars.locator('.bench-whisker')).toHaveCount(2);
  const histogram = panel.getByTestId('latency-histogram');
  await expect(histogram.locator('svg.recharts-surface').first()).toBeVisible();
  await expect(histogram.locator('.recharts-area')).toHaveCount(2);
  await expect(panel.getByTestId('bench-run')).toHaveText('Re-run benchmark');
  await shoot(page, panel, 'demo');
});

test('cancel during a run leaves the panel usable, and a second run completes; a free batch is swept', async ({ app, page }, testInfo) => {
  test.setTimeout(180_000);
  const slow = testInfo.outputPath('slow-matmul.onnx');
  writeSlowModel(slow);
  await app.open();
  await app.choose(slow);
  await app.expectCardFor('slow-matmul.onnx');
  // Dynamic INT8 needs no images, so its Make button is on offer (and must wait while the benchmark runs).
  await page.getByTestId('int8-mode').selectOption('dynamic');
  await expect(page.getByTestId('int8-button')).toBeEnabled();
  const panel = page.getByTestId('bench-panel');
  // A long budget, so the cancel lands inside the timed runs.
  await panel.getByTestId('bench-budget').fill('30');
  await expect(panel.getByTestId('bench-run')).toBeEnabled();
  await panel.getByTestId('bench-run').click();
  await expect(panel.getByTestId('progress-stage')).toContainText('Variant 1 of 1, FP32 (original)', { timeout: 60_000 });
  await expect(panel.getByTestId('progress-stage')).toContainText('Timing runs', { timeout: 60_000 });
  // The benchmark runs alone: the other panels' main buttons wait, and say why.
  await expect(page.getByTestId('fp16-button')).toBeDisabled();
  await expect(page.getByTestId('fp16-button')).toHaveAttribute('title', /benchmark is running/);
  await expect(page.getByTestId('int8-button')).toBeDisabled();
  await page.setViewportSize({ width: 1366, height: 768 });
  await panel.getByTestId('progress').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, 'bench-running-1366x768.png') });
  await panel.getByTestId('cancel-button').click();
  await expect(panel.getByTestId('progress')).toBeHidden();
  await expect(panel).toHaveAttribute('data-status', 'idle');
  await expect(panel.getByTestId('bench-run')).toBeEnabled();
  await expect(page.getByTestId('fp16-button')).toBeEnabled();
  await expect(page.getByTestId('int8-button')).toBeEnabled();
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  await expect(panel.getByTestId('bench-row')).toHaveCount(0);

  // The second run, with the batch sweep this model's free batch dimension allows.
  await panel.getByTestId('bench-budget').fill('1');
  await panel.getByTestId('bench-sweep').check();
  await panel.getByTestId('bench-limit').fill('150');
  await panel.getByTestId('bench-run').click();
  await expect(panel.getByTestId('bench-row')).toHaveCount(1, { timeout: 150_000 });
  await expect(panel).toHaveAttribute('data-status', 'done');
  expect(await shownMs(panel.getByTestId('bench-p50'))).toBeGreaterThan(0);
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  const sweep = panel.getByTestId('sweep-chart');
  await expect(sweep.locator('svg.recharts-surface').first()).toBeVisible();
  await expect(sweep.locator('.recharts-reference-line')).toHaveCount(1);
  await expect(panel.getByTestId('sweep-sweet-spots')).toContainText(/sweet spot at batch \d+|no batch size keeps the median under/);
  await shoot(page, panel, 'slow');
});

test.describe('shared data', () => {
  test.skip(!hasData, 'needs ../shared/data (present in CI)');

  test('a free batch dimension: the sweep chart shows the latency limit and the sweet spot', async ({ app, page }) => {
    test.setTimeout(180_000);
    await app.open();
    await app.choose(join(MODELS, SILERO));
    await app.expectCardFor(SILERO);
    const panel = page.getByTestId('bench-panel');
    await panel.getByTestId('bench-budget').fill('1');
    await panel.getByTestId('bench-sweep').check();
    await panel.getByTestId('bench-limit').fill('20');
    await expect(panel.getByTestId('bench-run')).toBeEnabled();
    await panel.getByTestId('bench-run').click();
    await expect(panel.getByTestId('bench-row')).toHaveCount(1, { timeout: 150_000 });
    const sweep = panel.getByTestId('sweep-chart');
    await expect(sweep.locator('svg.recharts-surface').first()).toBeVisible();
    await expect(sweep.locator('.recharts-reference-line')).toHaveCount(1);
    await expect(panel.getByTestId('sweep-sweet-spots')).toContainText(/sweet spot at batch \d+|no batch size keeps the median under/);
    await shoot(page, panel, 'sweep');
  });
});
