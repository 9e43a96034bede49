// The workbench flow (#7): the one-click demo end to end; SqueezeNet + ImageNet photos + a label file through
// Optimize to Compare (FP32/FP16/INT8 rows, charts), reports downloaded (JSON, CSV, HTML opened offline with the same
// numbers), the project kept across a reload; Cancel during calibration; a bad model dropped mid-project.
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Download, Locator, Page } from '@playwright/test';
import { expect, SHARED_DATA, sharedDataAvailable, test } from './app-fixture';
import { DEMO, freshDir, MODELS } from './dataset-helpers';

const hasData = sharedDataAvailable();
const SQUEEZENET = 'squeezenet1.1-7-fp32-upcast.onnx';
const FIELDS = ['size', 'gzip', 'shrink', 'fps', 'p50', 'p90', 'p99', 'speedup', 'cold', 'top1', 'agreement', 'sqnr'] as const;

/** The first n photos of imagenet-sample, by name (one class each). */
function samplePhotos(n: number): string[] {
  return readdirSync(join(SHARED_DATA, 'images/imagenet-sample'))
    .filter((f) => f.endsWith('.JPEG'))
    .sort()
    .slice(0, n);
}

/** The results table as text: variant -> field -> cell. */
async function tableCells(table: Locator): Promise<Record<string, Record<string, string>>> {
  return table.evaluate((el, fields) => {
    const out: Record<string, Record<string, string>> = {};
    for (const row of Array.from(el.querySelectorAll('tr[data-variant]'))) {
      const cells: Record<string, string> = {};
      for (const f of fields) cells[f] = (row.querySelector(`[data-field="${f}"]`)?.textContent ?? '').trim();
      out[row.getAttribute('data-variant') ?? '?'] = cells;
    }
    return out;
  }, [...FIELDS]);
}

async function saved(download: Download, dir: string): Promise<string> {
  const path = join(dir, download.suggestedFilename());
  await download.saveAs(path);
  return path;
}

async function expectCompare(page: Page, variants: string[]): Promise<Locator> {
  const compare = page.getByTestId('compare-step');
  await expect(compare).toBeVisible();
  const table = page.getByTestId('results-table');
  await expect(table.locator('tbody tr[data-variant]')).toHaveCount(variants.length);
  for (const v of variants) await expect(table.locator(`tr[data-variant="${v}"]`)).toHaveCount(1);
  await expect(page.getByTestId('verdict-card')).toHaveCount(variants.length);
  // Every chart drew an SVG (recharts renders nothing when it has no size).
  for (const chart of ['fps', 'latency', 'quality', 'size', 'factors', 'throughput']) {
    await expect(page.getByTestId(`chart-${chart}`).locator('svg').first()).toBeVisible();
  }
  await expect(page.locator('[data-testid=flow-step][data-step=Compare]')).toHaveAttribute('aria-current', 'step');
  return table;
}

test('the demo runs the whole flow with one click: variants made, measured, compared, presented', async ({ app, page }) => {
  test.setTimeout(180_000);
  await app.open();
  await page.getByTestId('demo-run').click();
  await expect(page.getByTestId('optimize-progress')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('optimize-progress').getByTestId('progress-stage')).toContainText(/Step \d of \d/);
  await expect(page.getByTestId('compare-step')).toBeVisible({ timeout: 150_000 });
  const table = await expectCompare(page, ['fp32', 'fp16', 'int8']);
  const cells = await tableCells(table);
  // The demo's images are labelled: top-1 for every variant, the demo model gets >= 90% of its 48 shapes right.
  for (const v of ['fp32', 'fp16', 'int8']) expect(cells[v]!.top1).toMatch(/^\d+\.\d%$/);
  expect(parseFloat(cells.fp32!.top1 ?? '')).toBeGreaterThanOrEqual(90);
  expect(parseFloat(cells.int8!.shrink ?? '')).toBeGreaterThan(1.2);
  await expect(page.getByTestId('verdict-card').filter({ hasText: 'INT8' })).toContainText(/smaller/);

  // Presentation by keyboard: Enter opens it, Esc closes it and gives focus back.
  const button = page.getByTestId('present-button');
  await button.focus();
  await page.keyboard.press('Enter');
  const present = page.getByTestId('presentation');
  await expect(present).toBeVisible();
  await expect(present).toContainText(/x smaller/);
  await expect(page.getByTestId('present-close')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(present).toBeHidden();
  await expect(button).toBeFocused();
  await expect(page.getByTestId('error-banner')).toHaveCount(0);

  // The run was saved as a project; deleting it (two steps) empties the list.
  await page.getByTestId('projects-toggle').click();
  await expect(page.getByTestId('project-item')).toHaveCount(1);
  await expect(page.getByTestId('run-item')).toHaveCount(1);
  await page.getByTestId('delete-project').click();
  await page.getByTestId('confirm-delete').click();
  await expect(page.getByTestId('project-item')).toHaveCount(0);
});

test('a bad model dropped mid-project is refused in plain words and loses nothing', async ({ app, page }) => {
  test.setTimeout(180_000);
  await app.open();
  await page.getByTestId('demo-run').click();
  await expect(page.getByTestId('compare-step')).toBeVisible({ timeout: 150_000 });
  const before = await tableCells(page.getByTestId('results-table'));
  const dir = freshDir('bad-model-mid');
  const truncated = join(dir, 'truncated.onnx');
  writeFileSync(truncated, readFileSync(join(DEMO, 'shapes-cnn.onnx')).subarray(0, 300));
  await app.choose(truncated);
  await expect(app.error).toBeVisible();
  await expect(app.error).toHaveAttribute('data-code', 'truncated');
  await expect(page.getByTestId('error-message')).toContainText(/ends too early/);
  // The card, the dataset, the plan and the results are all still there.
  await app.expectCardFor('shapes-cnn.onnx');
  await expect(page.getByTestId('dataset-step')).toBeVisible();
  await expect(page.getByTestId('optimize')).toBeEnabled();
  expect(await tableCells(page.getByTestId('results-table'))).toEqual(before);
});

test.describe('shared data', () => {
  test.skip(!hasData, 'needs ../shared/data (present in CI)');

  test('SqueezeNet + 40 ImageNet photos + labels: Optimize -> Compare, reports, reload keeps the project', async ({ app, page, context }) => {
    test.setTimeout(600_000);
    await app.open();
    await app.choose(join(MODELS, SQUEEZENET));
    await app.expectCardFor(SQUEEZENET);
    // 40 photos, one per class, and the label file that names their classes.
    const dir = freshDir('imagenet-40');
    const images = samplePhotos(40).map((file) => {
      copyFileSync(join(SHARED_DATA, 'images/imagenet-sample', file), join(dir, file));
      return join(dir, file);
    });
    await page.getByTestId('images-input').setInputFiles(images);
    await expect(page.getByTestId('dataset-summary')).toBeVisible();
    await page.getByTestId('labels-input').setInputFiles(join(SHARED_DATA, 'labels/imagenet-sample-labels.csv'));
    await expect(page.getByTestId('dataset-summary')).toContainText('imagenet-sample-labels.csv');

    // Short benchmark and a small calibration set keep the test quick; every other choice is the default.
    await page.getByTestId('advanced-panel').locator('summary').click();
    await page.getByTestId('adv-bench-time').fill('1');
    await page.getByTestId('adv-subset').fill('24');
    await page.getByTestId('adv-speed').selectOption('off');
    await expect(page.getByTestId('optimize-plan')).toContainText('Static INT8');
    await page.getByTestId('optimize').click();
    await expect(page.getByTestId('compare-step')).toBeVisible({ timeout: 540_000 });
    const table = await expectCompare(page, ['fp32', 'fp16', 'int8']);
    const cells = await tableCells(table);
    for (const v of ['fp32', 'fp16', 'int8']) {
      expect(cells[v]!.top1, `${v} top-1`).toMatch(/^\d+\.\d%$/);
      expect(cells[v]!.fps, `${v} FPS`).toMatch(/^\d/);
    }
    expect(cells.fp32!.agreement).toBe('100.0%');
    expect(parseFloat(cells.int8!.shrink ?? '')).toBeGreaterThan(3);
    expect(parseFloat(cells.fp16!.shrink ?? '')).toBeGreaterThan(1.9);
    await expect(page.getByTestId('chart-layers').locator('svg').first()).toBeVisible();
    await expect(page.getByTestId('cli-command')).toContainText('npx quantbench quantize');

    // Reports: JSON and CSV hold the same numbers; the HTML opens offline and shows the same table.
    const out = freshDir('reports');
    const json = JSON.parse(readFileSync(await saved(await Promise.all([page.waitForEvent('download'), page.getByTestId('download-report-json').click()]).then(([d]) => d), out), 'utf8')) as {
      variants: { id: string; sizeBytes: number; quality: { top1: number } | null; speed: { p50Ms: number } | null }[];
    };
    expect(json.variants.map((v) => v.id)).toEqual(['fp32', 'fp16', 'int8']);
    const csv = readFileSync(await saved(await Promise.all([page.waitForEvent('download'), page.getByTestId('download-report-csv').click()]).then(([d]) => d), out), 'utf8');
    expect(csv.trim().split('\n')).toHaveLength(4);
    expect(csv).toContain(String(json.variants[2]!.sizeBytes));
    const htmlPath = await saved(await Promise.all([page.waitForEvent('download'), page.getByTestId('download-report-html').click()]).then(([d]) => d), out);
    const html = readFileSync(htmlPath, 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\//);
    const offline = await context.newPage();
    await context.setOffline(true);
    await offline.goto(`file://${htmlPath}`);
    expect(await tableCells(offline.locator('#results-table'))).toEqual(cells);
    await expect(offline.locator('svg').first()).toBeVisible();
    await offline.close();
    await context.setOffline(false);

    // The variant files download as .onnx.
    const int8 = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-variant-int8').click()]).then(([d]) => d);
    expect(int8.suggestedFilename()).toMatch(/-int8\.onnx$/);

    // Reload: the project comes back with its model, images and results.
    await page.reload();
    await app.expectCardFor(SQUEEZENET);
    await expect(page.getByTestId('compare-step')).toBeVisible({ timeout: 60_000 });
    expect(await tableCells(page.getByTestId('results-table'))).toEqual(cells);
    await expect(page.getByTestId('dataset-summary')).toBeVisible();
    await page.getByTestId('projects-toggle').click();
    await expect(page.getByTestId('project-item')).toHaveCount(1);
    await expect(page.getByTestId('run-item')).toHaveCount(1);
    await expect(page.getByTestId('storage-quota')).toContainText(/MB|GB|KB/);
  });

  test('Cancel during calibration stops the run and leaves the app usable', async ({ app, page }) => {
    test.setTimeout(240_000);
    await app.open();
    await app.choose(join(MODELS, SQUEEZENET));
    await app.expectCardFor(SQUEEZENET);
    const dir = freshDir('imagenet-cancel');
    const files = samplePhotos(32);
    for (const f of files) copyFileSync(join(SHARED_DATA, 'images/imagenet-sample', f), join(dir, f));
    await page.getByTestId('images-input').setInputFiles(files.map((f) => join(dir, f)));
    await expect(page.getByTestId('dataset-summary')).toBeVisible();
    await page.getByTestId('advanced-panel').locator('summary').click();
    await page.getByTestId('adv-fp16').uncheck();
    await page.getByTestId('optimize').click();
    const progress = page.getByTestId('optimize-progress');
    await expect(progress.getByTestId('progress-stage')).toContainText(/Calibrating/i, { timeout: 120_000 });
    await progress.getByTestId('cancel-button').click();
    await expect(progress).toBeHidden();
    await expect(page.getByTestId('optimize')).toBeEnabled();
    await expect(page.getByTestId('error-banner')).toHaveCount(0);
    await expect(page.getByTestId('compare-step')).toHaveCount(0);
    // Usable: the model card is there and the single-step tools answer.
    await app.expectCardFor(SQUEEZENET);
    await expect(page.getByTestId('int8-panel')).toHaveAttribute('data-status', 'idle');
  });
});
