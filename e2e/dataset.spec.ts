// Step 2: a dataset is dropped next to a loaded model, summarised (labels, problems, preprocessing) and measured
// (accuracy, and fidelity against a second model file). Small subsets only; the full runs are benchmarks.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, FIXTURES, sharedDataAvailable, test } from './app-fixture';
import { DatasetStep, DEMO, makeCifarFolder, makeDemoShapesFolder, makeUnlabelledImagenet, makeValTxtImages, MODELS, writeBrokenImages } from './dataset-helpers';

const hasData = sharedDataAvailable();

test('the Dataset step unlocks once a model is loaded and says what to do next', async ({ app, page }) => {
  await app.open();
  const step = page.locator('[data-testid=flow-step][data-step=Data]');
  await expect(step).toHaveAttribute('data-state', 'locked');
  await expect(page.getByTestId('dataset-step')).toHaveCount(0);
  await app.choose(resolve(FIXTURES, 'tiny.onnx'));
  await app.expectCardFor('tiny.onnx');
  await expect(step).toHaveAttribute('data-state', 'active');
  await expect(page.getByTestId('next-step')).toContainText('Next: add images to measure accuracy');
  await step.getByRole('button').click();
  await expect(page.getByTestId('dataset-drop')).toBeInViewport();
});

test('demo model + its shapes as class folders: labelled summary, preset change, accuracy', async ({ app, page }) => {
  const ds = new DatasetStep(page);
  await app.open();
  await app.choose(join(DEMO, 'shapes-cnn.onnx'));
  await app.expectCardFor('shapes-cnn.onnx');
  await ds.chooseFolder(makeDemoShapesFolder('shapes-folders'));
  await ds.expectSummary(48, 48);
  await expect(page.getByTestId('label-mapping')).not.toBeEmpty();
  await expect(page.getByTestId('dataset-thumb')).toHaveCount(48);
  // The demo was trained on plain 0-1 inputs.
  await page.getByTestId('preset-select').selectOption('raw-0-1');
  await expect(page.getByTestId('preset-select')).toHaveValue('raw-0-1');
  await expect(page.getByTestId('tensor-preview')).toBeVisible();
  const r = await ds.evaluate();
  expect(r.images).toBe(48);
  expect(r.top1).toBeGreaterThanOrEqual(0.9);
  await expect(page.getByTestId('per-class-row')).toHaveCount(4);
  await expect(page.locator('[data-testid=flow-step][data-step=Data]')).toHaveAttribute('data-state', 'done');
});

test('images dropped on the dataset zone, or anywhere on the page, become the dataset; the model stays', async ({ app, page }) => {
  const ds = new DatasetStep(page);
  await app.open();
  await app.choose(join(DEMO, 'shapes-cnn.onnx'));
  await app.expectCardFor('shapes-cnn.onnx');
  const png = readFileSync(join(DEMO, 'images/circle-00.png')).toString('base64');
  const drop = (names: string[]) =>
    page.evaluateHandle(
      ([b64, list]) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        for (const name of list) dt.items.add(new File([bytes], name, { type: 'image/png' }));
        return dt;
      },
      [png, names] as const,
    );
  const onZone = await drop(['a.png', 'b.png']);
  await page.getByTestId('dataset-drop').dispatchEvent('dragover', { dataTransfer: onZone });
  await page.getByTestId('dataset-drop').dispatchEvent('drop', { dataTransfer: onZone });
  await ds.expectSummary(2, 0);
  const onPage = await drop(['c.png', 'd.png', 'e.png']);
  await page.locator('h1').dispatchEvent('drop', { dataTransfer: onPage });
  await ds.expectSummary(3, 0);
  await expect(app.card).toHaveAttribute('data-file-name', 'shapes-cnn.onnx');
  await expect(app.error).toBeHidden();
  // A drop without images is refused in plain words, and the images from before stay.
  await ds.chooseImages([resolve(FIXTURES, 'labels.txt')]);
  await expect(ds.root.getByTestId('error-banner')).toContainText(/No images/);
  await ds.expectSummary(3, 0);
  await expect(page.locator('[data-testid=dataset-thumb] img')).toHaveCount(3);
  await ds.root.getByTestId('error-dismiss').click();
  await expect(app.error).toBeHidden();
});

test.describe('shared data', () => {
  test.skip(!hasData, 'needs ../shared/data (present in CI)');

  test('resnet20 + a labelled CIFAR folder (3 classes x 10): top-1 at least 60%', async ({ app, page }) => {
    const ds = new DatasetStep(page);
    await app.open();
    await app.choose(join(MODELS, 'resnet20-cifar10-ace.onnx'));
    await app.expectCardFor('resnet20-cifar10-ace.onnx');
    await ds.chooseFolder(makeCifarFolder('cifar-subset', ['airplane', 'cat', 'ship'], 10));
    await ds.expectSummary(30, 30);
    await expect(page.getByTestId('label-mapping')).toBeVisible();
    await expect(page.getByTestId('label-mapping')).not.toBeEmpty();
    await expect(page.getByTestId('tensor-preview')).toBeVisible();
    await expect(page.locator('[data-testid=dataset-thumb] img').first()).toBeVisible();
    const r = await ds.evaluate();
    expect(r.images).toBe(30);
    expect(r.top1).toBeGreaterThanOrEqual(0.6);
    expect(r.top5).toBeGreaterThanOrEqual(r.top1 ?? 0);
    await expect(page.getByTestId('per-class-row')).toHaveCount(3);
    await expect(page.getByTestId('fidelity')).toHaveCount(0);
  });

  test('squeezenet fp32 vs its fp16 file on 20 unlabelled photos: agreement at least 90%', async ({ app, page }) => {
    test.setTimeout(240_000);
    const ds = new DatasetStep(page);
    await app.open();
    await app.choose(join(MODELS, 'squeezenet1.1-7-fp32-upcast.onnx'));
    await app.expectCardFor('squeezenet1.1-7-fp32-upcast.onnx');
    await ds.chooseImages(makeUnlabelledImagenet('imagenet-20', 20));
    await ds.expectSummary(20, 0);
    await expect(page.getByTestId('preset-select')).toHaveValue('caffe-bgr');
    const r = await ds.evaluate(join(MODELS, 'squeezenet1.1-7-winml-fp16.onnx'));
    expect(r.images).toBe(20);
    expect(r.top1).toBeNull();
    await expect(page.getByTestId('eval-no-labels')).toBeVisible();
    const fidelity = page.getByTestId('fidelity');
    await expect(fidelity).toBeVisible();
    expect(Number(await fidelity.getAttribute('data-agreement'))).toBeGreaterThanOrEqual(0.9);
    // Every disagreement names both predictions.
    for (const d of await page.getByTestId('disagreement').all()) await expect(d).toContainText(/ref.*var/s);
  });

  test('broken images are listed, and the rest is still measured', async ({ app, page }) => {
    const ds = new DatasetStep(page);
    await app.open();
    await app.choose(join(MODELS, 'resnet20-cifar10-ace.onnx'));
    await app.expectCardFor('resnet20-cifar10-ace.onnx');
    const dir = makeCifarFolder('cifar-broken', ['cat', 'dog'], 5);
    writeBrokenImages(join(dir, 'cat'));
    await ds.chooseFolder(dir);
    await expect(ds.summary).toBeVisible();
    await expect(ds.problem('bad-image').filter({ hasText: 'garbage.jpg' })).toHaveCount(1);
    const r = await ds.evaluate();
    // damaged.jpg starts like a JPEG: it may only fail when decoded, during the run; either way it is listed.
    await expect(ds.problem('bad-image').filter({ hasText: 'damaged.jpg' }).first()).toBeAttached();
    expect(r.images).toBe(10);
    expect(r.top1).not.toBeNull();
    await expect(app.card).toHaveAttribute('data-file-name', 'resnet20-cifar10-ace.onnx');
    await expect(page.getByTestId('error-banner')).toBeHidden();
  });

  test('a val.txt naming absent images: listed as labels without an image; nothing else is lost', async ({ app, page }) => {
    const ds = new DatasetStep(page);
    await app.open();
    await app.choose(join(MODELS, 'resnet20-cifar10-ace.onnx'));
    await app.expectCardFor('resnet20-cifar10-ace.onnx');
    const absent = ['missing-0001.jpg', 'missing-0002.jpg'];
    await ds.chooseImages(makeValTxtImages('cifar-val', [{ name: 'automobile', index: 1 }, { name: 'frog', index: 6 }], 4, absent));
    await ds.expectSummary(8, 8);
    const problem = ds.problem('label-without-image');
    await expect(problem).toHaveCount(1);
    for (const name of absent) await expect(problem).toContainText(name);
    const r = await ds.evaluate();
    expect(r.images).toBe(8);
    await expect(app.card).toHaveAttribute('data-file-name', 'resnet20-cifar10-ace.onnx');
  });

  test('cancelling a measurement leaves no results and no error, and it runs again', async ({ app, page }) => {
    test.setTimeout(240_000);
    const ds = new DatasetStep(page);
    await app.open();
    await app.choose(join(MODELS, 'squeezenet1.1-7-fp32-upcast.onnx'));
    await app.expectCardFor('squeezenet1.1-7-fp32-upcast.onnx');
    await ds.chooseImages(makeUnlabelledImagenet('imagenet-20', 20));
    await ds.expectSummary(20, 0);
    await page.getByTestId('evaluate-button').click();
    await ds.root.getByTestId('cancel-button').click();
    await expect(ds.root.getByTestId('progress')).toBeHidden();
    await expect(ds.results).toHaveCount(0);
    await expect(app.error).toBeHidden();
    await expect(page.getByTestId('evaluate-button')).toBeEnabled();
    const r = await ds.evaluate();
    expect(r.images).toBe(20);
  });
});
