// Step 2 with non-image data: NumPy waveforms for the silero VAD audio model (fed as they are, no accuracy without
// labels), and random inputs for speed and agreement only, clearly labelled as such.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeNpy } from '../src/data/npy';
import { expect, sharedDataAvailable, test } from './app-fixture';
import { DatasetStep, DEMO, freshDir, MODELS } from './dataset-helpers';

const hasData = sharedDataAvailable();
const SILERO = 'silero-vad-mini-transformer.onnx';
const RANDOM_TEXT = 'Random inputs: accuracy is meaningless here; use them to compare speed and output agreement between models';

/** `hz` tone at 16 kHz, 1536 samples (the least the model takes), shaped [1, 1536]. */
function tone(hz: number): Uint8Array {
  const n = 1536;
  return encodeNpy(Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / 16000)), [1, n]);
}

test.describe('tensors', () => {
  test.skip(!hasData, 'needs ../shared/data (present in CI)');

  test('silero VAD + 3 .npy waveforms: fed as they are, measured without accuracy; a file that does not fit is reported', async ({ app, page }) => {
    const ds = new DatasetStep(page);
    const dir = freshDir('silero-waves');
    const paths = [200, 440, 1000].map((hz) => {
      const path = join(dir, `tone-${hz}.npy`);
      writeFileSync(path, tone(hz));
      return path;
    });
    const stereo = join(dir, 'stereo.npy');
    writeFileSync(stereo, encodeNpy(new Float32Array(16), [2, 2, 2, 2]));

    await app.open();
    await app.choose(join(MODELS, SILERO));
    await app.expectCardFor(SILERO);
    await ds.chooseImages([...paths, stereo]);
    await ds.expectSummary(3, 0);
    await expect(ds.summary).toHaveAttribute('data-kind', 'tensors');
    await expect(page.getByTestId('tensor-sample')).toHaveCount(3);
    await expect(page.locator('[data-testid=tensor-sample][data-name="tone-440.npy"]')).toHaveAttribute('data-dims', '1,1536');
    await expect(page.getByTestId('tensor-feed')).toContainText('input');
    await expect(ds.problem('bad-tensor')).toContainText("stereo.npy has shape [2, 2, 2, 2] but the model's input");
    // Tensors are fed as they are: no image preprocessing to choose.
    await expect(page.getByTestId('preset-select')).toHaveCount(0);
    await expect(page.getByTestId('tensor-preview')).toHaveCount(0);

    const r = await ds.evaluate(join(MODELS, SILERO));
    expect(r.images).toBe(3);
    expect(r.top1).toBeNull();
    await expect(ds.results).toHaveAttribute('data-kind', 'tensors');
    await expect(ds.results.getByTestId('eval-top1')).toHaveCount(0);
    await expect(ds.results).toContainText('on 3 samples');
    await expect(page.getByTestId('fidelity')).toHaveAttribute('data-agreement', '1');
  });
});

test('random inputs on the demo model: clearly labelled, no accuracy, speed and agreement measured', async ({ app, page }) => {
  const ds = new DatasetStep(page);
  await app.open();
  await app.choose(join(DEMO, 'shapes-cnn.onnx'));
  await app.expectCardFor('shapes-cnn.onnx');
  const button = page.getByTestId('random-inputs');
  await expect(button).toBeEnabled();
  await expect(button).toHaveText('Use random inputs (for speed tests only)');
  // The demo's input is fully fixed [1, 3, 32, 32]: no size to ask for, values shown before use.
  await expect(page.getByTestId('random-panel')).toContainText('[1, 3, 32, 32]');
  await expect(page.getByTestId('random-panel')).toContainText('from 0 to 1');
  await expect(page.getByTestId('random-dim')).toHaveCount(0);
  await page.getByTestId('random-panel').locator('summary').click();
  await page.getByTestId('random-count').fill('8');
  await button.click();

  await ds.expectSummary(8, 0);
  await expect(ds.summary).toHaveAttribute('data-kind', 'random');
  await expect(ds.summary.getByTestId('random-notice')).toContainText(RANDOM_TEXT);
  await expect(page.getByTestId('preset-select')).toHaveCount(0);
  await expect(page.getByTestId('evaluate-button')).toHaveText('Measure speed');

  const r = await ds.evaluate(join(DEMO, 'shapes-cnn.onnx'));
  expect(r.images).toBe(8);
  expect(r.top1).toBeNull();
  await expect(ds.results).toHaveAttribute('data-kind', 'random');
  await expect(ds.results.getByTestId('random-notice')).toContainText(RANDOM_TEXT);
  await expect(ds.results.getByTestId('eval-top1')).toHaveCount(0);
  await expect(ds.results.getByTestId('eval-no-labels')).toHaveCount(0);
  await expect(ds.results).toContainText('on 8 random inputs');
  await expect(page.getByTestId('fidelity')).toHaveAttribute('data-agreement', '1');
  await expect(page.getByTestId('side-by-side')).toBeVisible();

  // Images dropped afterwards replace the random inputs.
  await ds.chooseImages([join(DEMO, 'images/circle-00.png')]);
  await ds.expectSummary(1, 0);
  await expect(ds.summary).toHaveAttribute('data-kind', 'images');
});

test('random inputs ask for the sizes a model leaves open, and a refused size is explained', async ({ app, page, problems }) => {
  test.skip(!hasData, 'needs ../shared/data (present in CI)');
  const ds = new DatasetStep(page);
  await app.open();
  await app.choose(join(MODELS, SILERO));
  await app.expectCardFor(SILERO);
  // [batch, samples]: the batch defaults to 1, the length to 1536 (the model cannot say how long its audio is).
  const dims = page.getByTestId('random-dim');
  await expect(dims).toHaveCount(2);
  await expect(dims.nth(0)).toHaveValue('1');
  await expect(dims.nth(1)).toHaveValue('1536');
  await expect(page.getByTestId('random-panel')).toContainText('from -1 to 1');
  await page.getByTestId('random-count').fill('2');
  await dims.nth(1).fill('512');
  await page.getByTestId('random-inputs').click();
  await ds.expectSummary(2, 0);
  await page.getByTestId('evaluate-button').click();
  await expect(page.getByTestId('error-message')).toContainText('The model could not run on random inputs of shape [1, 512]');
  // onnxruntime-web logs the failed kernel to the console itself; that line is this refusal, expected here.
  const expected = problems.filter((p) => /console\.error: .*onnxruntime.*Pad reflect/.test(p));
  expect(expected.length).toBeGreaterThan(0);
  problems.splice(0, problems.length, ...problems.filter((p) => !expected.includes(p)));
});
