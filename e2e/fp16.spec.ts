// FP16 variant panel on the CPU path: make the variant of ResNet-20 (half the size, checked against FP32), download
// it and read it back as float16; an FP16 model is recognised as such; without WebGPU the GPU run says so.
import { resolve } from 'node:path';
import { expect, sharedDataAvailable, SHARED_DATA, test } from './app-fixture';

const hasData = sharedDataAvailable();
const RESNET = 'resnet20-cifar10-ace.onnx';
const SQUEEZENET_FP16 = 'squeezenet1.1-7-winml-fp16.onnx';

test.describe('FP16 variant', () => {
  test.skip(!hasData, 'needs ../shared/data (present in CI)');

  test('ResNet-20: the variant is half the size, matches FP32, and downloads as a float16 model', async ({ app, page }, testInfo) => {
    await app.open();
    await app.choose(resolve(SHARED_DATA, 'models', RESNET));
    await app.expectCardFor(RESNET);
    const panel = page.getByTestId('fp16-panel');
    await expect(panel.getByTestId('fp16-speed-note')).toContainText('0.47x measured on SqueezeNet');
    await panel.getByTestId('fp16-button').click();

    const result = panel.getByTestId('fp16-result');
    await expect(result).toBeVisible();
    expect(Number(await result.getAttribute('data-size-ratio'))).toBeLessThanOrEqual(0.52);
    expect(Number(await result.getAttribute('data-cosine'))).toBeGreaterThanOrEqual(0.999);
    await expect(result).toHaveAttribute('data-passed', 'true');

    const [download] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('fp16-download').click()]);
    expect(download.suggestedFilename()).toBe('resnet20-cifar10-ace-fp16.onnx');
    const saved = testInfo.outputPath(download.suggestedFilename());
    await download.saveAs(saved);

    await app.choose(saved);
    await app.expectCardFor('resnet20-cifar10-ace-fp16.onnx');
    await expect(app.card.getByTestId('card-precision')).toHaveText('float16');
    await expect(app.card.locator('[data-testid=dtype-row][data-dtype=float16]')).toHaveCount(1);
    // Inputs and outputs stay float32, so the file drops in where the original was used.
    await expect(app.card.locator('[data-testid=io-input]')).toHaveAttribute('data-dtype', 'float32');
    await expect(page.getByTestId('fp16-already')).toBeVisible();
    await expect(page.getByTestId('fp16-button')).toHaveCount(0);
  });

  test('an FP16 model is recognised (no second conversion); without WebGPU the GPU run is unavailable', async ({ app, page }) => {
    await app.open();
    await app.choose(resolve(SHARED_DATA, 'models', SQUEEZENET_FP16));
    await app.expectCardFor(SQUEEZENET_FP16);
    const panel = page.getByTestId('fp16-panel');
    await expect(panel.getByTestId('fp16-already')).toContainText('already FP16');
    await expect(panel.getByTestId('fp16-button')).toHaveCount(0);
    // The default project runs Chromium without --enable-unsafe-webgpu: no adapter, so no WebGPU button to press.
    await expect(page.getByTestId('runtime-badge')).toContainText('WebGPU: not available');
    await expect(panel.getByTestId('webgpu-run')).toBeDisabled();
    await expect(panel.getByTestId('webgpu-result')).toHaveAttribute('data-status', 'unavailable');
  });
});
