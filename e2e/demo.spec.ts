// The demo button: a built-in model classifies built-in labelled images in a worker, with no files and no network.
import { expect, test } from './app-fixture';

test('the demo classifies its images and shows the model card', async ({ app, page }) => {
  await app.open();
  await page.getByTestId('demo-button').click();
  const results = page.getByTestId('demo-results');
  await expect(results).toHaveAttribute('data-top1', /\d/, { timeout: 60_000 });
  expect(Number(await results.getAttribute('data-top1'))).toBeGreaterThanOrEqual(0.9);
  await expect(page.getByTestId('demo-image')).toHaveCount(48);
  await app.expectCardFor('shapes-cnn.onnx');
  await expect(app.card.getByTestId('card-quantizable-count')).toHaveAttribute('data-value', '4');
  await page.screenshot({ path: 'test-results/demo.png', fullPage: true });
});

test('cancelling the demo leaves the app usable, and it runs again', async ({ app, page }) => {
  await app.open();
  // Hold the demo images until Cancel was pressed, so the cancel lands mid-job every time.
  let release: () => void = () => undefined;
  const held = new Promise<void>((r) => (release = r));
  await page.route('**/demo/images/**', async (route) => {
    await held;
    await route.continue().catch(() => undefined);
  });
  await page.getByTestId('demo-button').click();
  await expect(page.getByTestId('progress')).toBeVisible();
  await page.getByTestId('cancel-button').click();
  await expect(page.getByTestId('progress')).toBeHidden();
  await expect(page.getByTestId('error-banner')).toBeHidden();
  release();
  await page.unroute('**/demo/images/**');
  await page.getByTestId('demo-button').click();
  await expect(page.getByTestId('demo-results')).toHaveAttribute('data-top1', /\d/, { timeout: 60_000 });
});
