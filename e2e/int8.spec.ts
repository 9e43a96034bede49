// INT8 variant panel: SqueezeNet calibrated on a few ImageNet photos (size, SQNR, per-layer table, download read
// back as a QDQ model), cancel during calibration then a clean second run (ResNet-20 on CIFAR), and the demo model
// quantized with its own built-in images.
import { join } from 'node:path';
import { expect, sharedDataAvailable, test } from './app-fixture';
import { DatasetStep, makeCifarFolder, makeUnlabelledImagenet, MODELS } from './dataset-helpers';

const hasData = sharedDataAvailable();
const SQUEEZENET = 'squeezenet1.1-7-fp32-upcast.onnx';
const RESNET = 'resnet20-cifar10-ace.onnx';

test('the demo model is quantized to INT8 with its built-in images', async ({ app, page }) => {
  await app.open();
  await page.getByTestId('demo-button').click();
  await expect(page.getByTestId('demo-results')).toHaveAttribute('data-top1', /\d/, { timeout: 60_000 });
  await app.expectCardFor('shapes-cnn.onnx');
  const panel = page.getByTestId('int8-panel');
  await expect(panel.getByTestId('int8-source')).toContainText("the demo's 48 built-in images");
  await expect(panel.getByTestId('int8-method')).toHaveValue('mse');
  await panel.getByTestId('int8-button').click();
  const result = panel.getByTestId('int8-result');
  await expect(result).toBeVisible({ timeout: 60_000 });
  await expect(result).toHaveAttribute('data-mode', 'static');
  expect(Number(await result.getAttribute('data-sqnr'))).toBeGreaterThan(15);
  // A quarter of the 48 images stays apart for the check and the collapse guard.
  await expect(panel.getByTestId('int8-calibration')).toHaveAttribute('data-images', '36');
  await expect(result).toHaveAttribute('data-held-out', 'true');
  await expect(panel.getByTestId('int8-layer-row').first()).toBeVisible();
  await expect(panel.getByTestId('int8-download')).toHaveAttribute('download', 'shapes-cnn-int8.onnx');
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
});

test.describe('shared data', () => {
  test.skip(!hasData, 'needs ../shared/data (present in CI)');

  test('SqueezeNet + 24 photos: about a quarter of the size, SQNR above 15 dB, layer table; the download is a QDQ model', async ({ app, page }, testInfo) => {
    test.setTimeout(240_000);
    const ds = new DatasetStep(page);
    await app.open();
    await app.choose(join(MODELS, SQUEEZENET));
    await app.expectCardFor(SQUEEZENET);
    const panel = page.getByTestId('int8-panel');
    // Without images, static INT8 explains what to do instead of failing, and its button leads to the dataset step.
    await expect(panel.getByTestId('int8-button')).toHaveCount(0);
    await expect(panel.getByTestId('int8-add-images')).toHaveText('Add images first');
    await expect(panel.getByTestId('int8-blocked')).toContainText('Automatic means static INT8');
    await panel.getByTestId('int8-add-images').click();
    await expect(page.getByTestId('dataset-drop')).toBeInViewport();

    await ds.chooseImages(makeUnlabelledImagenet('imagenet-24', 24));
    await ds.expectSummary(24, 0);
    await expect(panel.getByTestId('int8-source')).toContainText('of 24 images in your dataset');
    await panel.getByTestId('int8-subset').fill('16');
    await expect(panel.getByTestId('int8-source')).toContainText('Uses 16 of 24 images');
    await panel.getByTestId('int8-button').click();

    // The progress names the stage and counts the images.
    await expect(panel.getByTestId('progress-stage')).toContainText('Calibrating', { timeout: 60_000 });
    await expect(panel.locator('.progress-detail')).toContainText(/\d+ of 16/);

    const result = panel.getByTestId('int8-result');
    await expect(result).toBeVisible({ timeout: 180_000 });
    const ratio = Number(await result.getAttribute('data-size-ratio'));
    expect(ratio).toBeGreaterThan(0.2);
    expect(ratio).toBeLessThan(0.35);
    expect(Number(await result.getAttribute('data-sqnr'))).toBeGreaterThan(15);
    await expect(result).toHaveAttribute('data-held-out', 'true');
    await expect(panel.getByTestId('int8-calibration')).toHaveAttribute('data-images', '16');
    await expect(panel.getByTestId('int8-check-line')).toContainText('Checked on 8 images that calibration did not see');
    await expect(panel.getByTestId('int8-opset')).toContainText('opset 7 to 13');
    // The runtime-aware search timed FP32 and INT8 layouts in this browser and says what it found, in plain words.
    await expect(panel.getByTestId('int8-speed-verdict')).toContainText(/faster than FP32 \(|no INT8 layout ran clearly faster than FP32/);
    expect(await panel.getByTestId('int8-speed-candidates').locator('tbody tr').count()).toBeGreaterThanOrEqual(3);
    expect(await panel.getByTestId('int8-layer-row').count()).toBe(10);
    await panel.getByTestId('int8-layers-all').click();
    expect(await panel.getByTestId('int8-layer-row').count()).toBeGreaterThan(10);
    await panel.getByTestId('int8-layers-all').click();
    await panel.screenshot({ path: testInfo.outputPath('int8-result.png') });
    await panel.screenshot({ path: 'test-results/int8.png' });

    const [download] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('int8-download').click()]);
    expect(download.suggestedFilename()).toBe('squeezenet1.1-7-fp32-upcast-int8.onnx');
    const saved = testInfo.outputPath(download.suggestedFilename());
    await download.saveAs(saved);

    await app.choose(saved);
    await app.expectCardFor('squeezenet1.1-7-fp32-upcast-int8.onnx');
    await expect(app.card.getByTestId('card-quantized')).toHaveAttribute('data-quantized', 'true');
    await expect(app.card.getByTestId('card-quantized')).toContainText('QDQ');
    await expect(page.getByTestId('int8-already')).toContainText('already quantized (QDQ)');
    await expect(page.getByTestId('int8-button')).toHaveCount(0);
  });

  test('ResNet-20: cancelling during calibration leaves the panel idle, and a second run succeeds; compare on the dataset', async ({ app, page }) => {
    test.setTimeout(180_000);
    const ds = new DatasetStep(page);
    await app.open();
    await app.choose(join(MODELS, RESNET));
    await app.expectCardFor(RESNET);
    // 60 tiny images: entropy calibration of ResNet-20 takes ~20 ms each here, so the cancel lands inside it.
    await ds.chooseFolder(makeCifarFolder('cifar-int8', ['airplane', 'cat', 'ship'], 20));
    await ds.expectSummary(60, 60);
    const panel = page.getByTestId('int8-panel');
    // Entropy keeps whole activation histograms: the slowest method, so the cancel lands inside calibration.
    await panel.getByTestId('int8-method').selectOption('entropy');
    await panel.getByTestId('int8-button').click();
    await expect(panel.getByTestId('progress-stage')).toContainText('Calibrating', { timeout: 60_000 });
    await panel.getByTestId('cancel-button').click();
    await expect(panel.getByTestId('progress')).toBeHidden();
    await expect(panel).toHaveAttribute('data-status', 'idle');
    await expect(page.getByTestId('error-banner')).toHaveCount(0);
    await expect(panel.getByTestId('int8-result')).toHaveCount(0);

    await panel.getByTestId('int8-method').selectOption('minmax');
    await panel.getByTestId('int8-subset').fill('60');
    // Without the collapse guard nothing needs to stay apart: all 60 calibrate.
    await panel.getByTestId('int8-advanced').locator('summary').click();
    await panel.getByTestId('int8-guard').uncheck();
    await panel.getByTestId('int8-button').click();
    const result = panel.getByTestId('int8-result');
    await expect(result).toBeVisible({ timeout: 120_000 });
    expect(Number(await result.getAttribute('data-sqnr'))).toBeGreaterThan(15);
    await expect(panel.getByTestId('int8-calibration')).toHaveAttribute('data-images', '60');
    // All 60 images calibrated: the check reuses some and says so.
    await expect(result).toHaveAttribute('data-held-out', 'false');
    await expect(panel.getByTestId('int8-warnings')).toContainText('reused calibration images');

    // The variant is measured against FP32 on every image of the dataset, through step 2's comparison.
    await panel.getByTestId('int8-compare').click();
    await expect(ds.results).toBeVisible({ timeout: 120_000 });
    await expect(ds.results).toContainText('resnet20-cifar10-ace-int8.onnx');
    const fidelity = page.getByTestId('fidelity');
    await expect(fidelity).toBeVisible();
    expect(Number(await fidelity.getAttribute('data-agreement'))).toBeGreaterThanOrEqual(0.9);
    await expect(page.getByTestId('error-banner')).toHaveCount(0);
  });
});
