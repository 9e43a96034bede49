// Accuracy-aware INT8: an unreachable SQNR budget on the demo model (live log, explanation, sensitivity chart, the
// best model kept and downloadable), and "Stop and keep best" during SqueezeNet's search (the job ends with the best
// model so far, and the app stays usable).
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expect, sharedDataAvailable, test } from './app-fixture';
import { DatasetStep, makeUnlabelledImagenet, MODELS } from './dataset-helpers';

const hasData = sharedDataAvailable();
const SQUEEZENET = 'squeezenet1.1-7-fp32-upcast.onnx';

/** Opens Advanced and asks for an output SQNR no INT8 model reaches, without the speed search (it only adds time). */
async function unreachableSqnrBudget(panel: Locator, minSqnrDb: string, labelled: boolean): Promise<void> {
  await panel.getByTestId('int8-advanced').locator('summary').click();
  await panel.getByTestId('int8-speed-search').uncheck();
  await expect(panel.getByTestId('int8-guard')).toBeChecked();
  await panel.getByTestId('int8-accuracy-aware').check();
  // Top-1 is preselected with labels; without them it cannot be measured (disabled), and agreement is preselected.
  await expect(panel.getByTestId('int8-accuracy-metric')).toHaveValue(labelled ? 'top1' : 'agreement');
  await expect(panel.getByTestId('int8-accuracy-metric').locator('option[value=top1]')).toBeEnabled({ enabled: labelled });
  await expect(panel.getByTestId('int8-max-drop')).toHaveValue('1');
  await panel.getByTestId('int8-accuracy-metric').selectOption('sqnr');
  await expect(panel.getByTestId('int8-max-drop')).toHaveCount(0);
  await panel.getByTestId('int8-min-sqnr').fill(minSqnrDb);
  await expect(panel.getByTestId('int8-what')).toContainText(`output SQNR at least ${minSqnrDb} dB`);
}

/** What the live search panel showed at any moment: the demo model's search is over in a second or two, too fast to poll. */
async function recordLivePanel(page: Page): Promise<() => Promise<{ steps: string[]; threshold: string; stop: boolean }>> {
  await page.evaluate(() => {
    const seen = { steps: [] as string[], threshold: '', stop: false };
    (window as unknown as { accLive: typeof seen }).accLive = seen;
    new MutationObserver(() => {
      const live = document.querySelector('[data-testid=int8-accuracy-live]');
      if (live === null) return;
      seen.threshold = live.querySelector('[data-testid=int8-accuracy-threshold]')?.textContent ?? seen.threshold;
      seen.stop ||= live.querySelector('[data-testid=int8-stop-search]') !== null;
      const steps = [...live.querySelectorAll('[data-testid=int8-accuracy-step]')].map((e) => e.textContent ?? '');
      if (steps.length > seen.steps.length) seen.steps = steps;
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });
  return () => page.evaluate(() => (window as unknown as { accLive: { steps: string[]; threshold: string; stop: boolean } }).accLive);
}

async function expectNoErrors(page: Page): Promise<void> {
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
}

test('demo model, default INT8: the collapse guard says one line; "Measure each layer\'s sensitivity" charts every layer', async ({ app, page }) => {
  test.setTimeout(120_000);
  await app.open();
  await page.getByTestId('demo-button').click();
  await expect(page.getByTestId('demo-results')).toHaveAttribute('data-top1', /\d/, { timeout: 60_000 });
  const panel = page.getByTestId('int8-panel');
  await panel.getByTestId('int8-button').click();
  const line = panel.getByTestId('int8-accuracy');
  await expect(line).toHaveAttribute('data-trigger', 'guard', { timeout: 60_000 });
  await expect(line).toHaveAttribute('data-stopped-by', 'already-met');
  await expect(line).toContainText('above the collapse floor');
  await line.getByTestId('int8-measure-sensitivity').click();
  await expect(panel.getByTestId('int8-sensitivity-chart')).toBeVisible({ timeout: 60_000 });
  await expect(panel.getByTestId('int8-accuracy')).toHaveAttribute('data-float-units', '0');
  await expect(panel.getByTestId('int8-accuracy')).toContainText('share of the error is measured below');
  await expectNoErrors(page);
});

test('demo model, unreachable 90 dB SQNR budget: live log, explanation, sensitivity chart, and the best model is kept', async ({ app, page }, testInfo) => {
  test.setTimeout(180_000);
  await app.open();
  await page.getByTestId('demo-button').click();
  await expect(page.getByTestId('demo-results')).toHaveAttribute('data-top1', /\d/, { timeout: 60_000 });
  await app.expectCardFor('shapes-cnn.onnx');
  const panel = page.getByTestId('int8-panel');
  await unreachableSqnrBudget(panel, '90', true);
  const livePanel = await recordLivePanel(page);
  await panel.getByTestId('int8-button').click();

  const result = panel.getByTestId('int8-result');
  await expect(result).toBeVisible({ timeout: 120_000 });
  await expect(panel.getByTestId('int8-accuracy-live')).toHaveCount(0);
  // While the search ran: its log line by line, the goal's threshold, and the stop button.
  const seen = await livePanel();
  expect(seen.stop).toBe(true);
  expect(seen.threshold).toBe('SQNR at least 90.00 dB');
  expect(seen.steps.length).toBeGreaterThan(0);
  expect(seen.steps[0]).toMatch(/^✗.*1 layer in float \(\+.+\): SQNR [\d.]+ dB — needs 90\.00 dB/);
  const acc = result.getByTestId('int8-accuracy');
  await expect(acc).toHaveAttribute('data-stopped-by', /^(no-layers|time)$/);
  await expect(acc).toHaveAttribute('data-met', 'false');
  await expect(acc.getByTestId('int8-accuracy-explanation')).toContainText(/best model found is kept/);
  await expect(acc.getByTestId('int8-accuracy-explanation')).toHaveClass(/notice-amber/);
  await expect(acc.getByTestId('int8-accuracy-headline')).toContainText(/Every layer INT8: SQNR [\d.]+ dB → kept model: SQNR [\d.]+ dB/);
  await expect(acc.getByTestId('int8-accuracy-headline')).toContainText('goal: output SQNR at least 90 dB');
  // The chart draws one bar per ranked layer (recharts loads lazily).
  const chart = acc.getByTestId('int8-sensitivity-chart');
  await expect(chart.locator('.recharts-bar-rectangle').first()).toBeVisible();
  // Bars for every ranked layer: those kept in float (listed with their cost) and those still INT8 (with "Keep in float").
  const floatUnits = Number(await acc.getAttribute('data-float-units'));
  await expect(acc.getByTestId('int8-accuracy-kept').locator('tbody tr')).toHaveCount(floatUnits);
  const ranked = floatUnits + (await acc.getByTestId('int8-accuracy-rank-row').count());
  expect(ranked).toBeGreaterThan(1);
  await expect(chart.locator('.recharts-bar-rectangle')).toHaveCount(Math.min(ranked, 20));
  // The search's steps stay readable in the result.
  await acc.locator('.acc-steps summary').click();
  expect(await acc.getByTestId('int8-accuracy-step').count()).toBeGreaterThan(0);
  // The model is kept: downloadable, no error.
  await expect(panel.getByTestId('int8-download')).toHaveAttribute('download', 'shapes-cnn-int8.onnx');
  await expectNoErrors(page);
  await acc.screenshot({ path: testInfo.outputPath('accuracy-result.png') });
});

test.describe('shared data', () => {
  test.skip(!hasData, 'needs ../shared/data (present in CI)');

  test('SqueezeNet: "Stop and keep best" during the search ends the job with the best model so far; the app stays usable', async ({ app, page }) => {
    test.setTimeout(240_000);
    const ds = new DatasetStep(page);
    await app.open();
    await app.choose(join(MODELS, SQUEEZENET));
    await app.expectCardFor(SQUEEZENET);
    await ds.chooseImages(makeUnlabelledImagenet('imagenet-acc-20', 20));
    await ds.expectSummary(20, 0);
    const panel = page.getByTestId('int8-panel');
    await panel.getByTestId('int8-subset').fill('12');
    await unreachableSqnrBudget(panel, '95', false);
    await panel.getByTestId('int8-button').click();

    // Ranking SqueezeNet's 26 layers takes several seconds: stop during it.
    await expect(panel.getByTestId('progress-stage')).toContainText('Sensitivity', { timeout: 120_000 });
    const live = panel.getByTestId('int8-accuracy-live');
    await expect(live.getByTestId('int8-accuracy-threshold')).toHaveText('SQNR at least 95.00 dB');
    await expect(live.locator('[aria-live=polite]')).toHaveCount(1);
    const stop = live.getByTestId('int8-stop-search');
    await stop.click();
    await expect(stop).toHaveText('Stopping…');

    const result = panel.getByTestId('int8-result');
    await expect(result).toBeVisible({ timeout: 120_000 });
    const acc = result.getByTestId('int8-accuracy');
    await expect(acc).toHaveAttribute('data-stopped-by', 'cancelled');
    await expect(acc.getByTestId('int8-accuracy-explanation')).toContainText('Stopped. The best model found is kept');
    await expect(acc.getByTestId('int8-accuracy-explanation')).toHaveClass(/notice-info/);
    await expect(acc.getByTestId('int8-accuracy-verdict')).toHaveText('Stopped: best kept');
    await expect(panel.getByTestId('int8-download')).toHaveAttribute('download', 'squeezenet1.1-7-fp32-upcast-int8.onnx');
    await expectNoErrors(page);

    // The app stays usable: one click keeps the most sensitive layer measured in float and re-makes the model, with
    // the same budget (searched again over the other layers), and the layer listed under Advanced for the next run.
    const row = acc.getByTestId('int8-accuracy-rank-row').first();
    const name = (await row.locator('td.mono').textContent()) ?? '';
    expect(name).not.toBe('');
    await row.getByTestId('int8-keep-float').click();
    await expect(panel.getByTestId('progress')).toBeVisible();
    await expect(panel.getByTestId('int8-result')).toBeVisible({ timeout: 180_000 });
    await expect(panel).toHaveAttribute('data-status', 'done');
    await expect(panel.getByTestId('int8-exclude-nodes')).toHaveValue(new RegExp(`(^|, )${name}(,|$)`));
    await expect(panel.getByTestId('int8-skipped')).toContainText(name);
    await expect(panel.getByTestId('int8-accuracy')).toHaveAttribute('data-stopped-by', /^(no-layers|time)$/);
    expect(Number(await panel.getByTestId('int8-result').getAttribute('data-sqnr'))).toBeGreaterThan(10);
    await expectNoErrors(page);
  });
});
