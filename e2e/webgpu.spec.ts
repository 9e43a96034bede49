// WebGPU in headless Chromium (project "webgpu": --enable-unsafe-webgpu gives a SwiftShader adapter without
// shader-f16). FP32 runs on the GPU and matches the CPU; FP16 is refused with a plain message and no numbers.
import { resolve } from 'node:path';
import { expect, sharedDataAvailable, SHARED_DATA, test } from './app-fixture';

const hasData = sharedDataAvailable();
const RESNET = 'resnet20-cifar10-ace.onnx';
const SQUEEZENET_FP16 = 'squeezenet1.1-7-winml-fp16.onnx';
const NO_F16 = /This GPU cannot run FP16 models \(no shader-f16 support\)/;

test.describe('WebGPU on the SwiftShader adapter', () => {
  test.skip(!hasData, 'needs ../shared/data (present in CI)');

  test.beforeEach(async ({ app, page }) => {
    await app.open();
    await app.choose(resolve(SHARED_DATA, 'models', RESNET));
    await app.expectCardFor(RESNET);
    const adapter = page.getByTestId('webgpu-adapter');
    await expect(adapter).toHaveAttribute('data-shader-f16', 'false');
    await expect(adapter).toHaveAttribute('data-fallback', 'true');
  });

  test('ResNet-20 FP32 runs on WebGPU and its outputs match the CPU', async ({ page }) => {
    await page.getByTestId('webgpu-run').click();
    const result = page.locator('[data-testid=webgpu-result][data-variant=model]');
    // Loading the WebGPU build and compiling shaders on a software GPU takes ~10 s.
    await expect(result).toHaveAttribute('data-status', 'ok', { timeout: 80_000 });
    expect(Number(await result.getAttribute('data-cosine'))).toBeGreaterThanOrEqual(0.999);
    await expect(result.getByTestId('webgpu-placement')).toHaveAttribute('data-cpu-nodes', '0');
    await page.getByTestId('fp16-panel').screenshot({ path: 'test-results/webgpu-fp32.png' });
  });

  test('the FP16 variant is refused on WebGPU without shader-f16: a plain message, no numbers', async ({ page }) => {
    const panel = page.getByTestId('fp16-panel');
    await panel.getByTestId('fp16-button').click();
    await expect(panel.getByTestId('fp16-result')).toHaveAttribute('data-passed', 'true');
    await panel.getByTestId('webgpu-run-fp16').click();
    const result = page.locator('[data-testid=webgpu-result][data-variant=variant]');
    await expect(result).toHaveAttribute('data-status', 'refused');
    await expect(result.getByTestId('webgpu-message')).toHaveText(NO_F16);
    await expect(result.getByTestId('webgpu-cosine')).toHaveCount(0);
    await expect(result).not.toHaveAttribute('data-cosine', /./);
    await page.getByTestId('fp16-panel').screenshot({ path: 'test-results/webgpu-fp16-refused.png' });
  });

  test('an FP16 model file is refused on WebGPU too', async ({ app, page }) => {
    await app.choose(resolve(SHARED_DATA, 'models', SQUEEZENET_FP16));
    await app.expectCardFor(SQUEEZENET_FP16);
    await page.getByTestId('webgpu-run').click();
    const result = page.locator('[data-testid=webgpu-result][data-variant=model]');
    await expect(result).toHaveAttribute('data-status', 'refused');
    await expect(result.getByTestId('webgpu-message')).toHaveText(NO_F16);
  });
});
