// Bad input gets a specific plain-language message, the last good card stays, and the next good model loads.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, FIXTURES, test } from './app-fixture';

const fx = (name: string): string => resolve(FIXTURES, name);

const CASES: { file: string; code: string; text: RegExp }[] = [
  { file: 'empty.onnx', code: 'empty-file', text: /empty \(0 bytes\)/ },
  { file: 'not-a-model.png', code: 'not-onnx', text: /is a PNG image, not an ONNX model/ },
  { file: 'labels.txt', code: 'not-onnx', text: /text file, not an ONNX model/ },
  { file: 'truncated.onnx', code: 'truncated', text: /ends too early/ },
  { file: 'corrupt.onnx', code: 'corrupt', text: /not a readable ONNX model|damaged/ },
  { file: 'tiny-ext-missing.onnx', code: 'missing-external-data', text: /separate file .*tiny\.onnx\.data/ },
];

test('each bad file gets its own message; the previous card stays; a good model loads after', async ({ app, page }) => {
  await app.open();
  await app.choose(fx('tiny.onnx'));
  await app.expectCardFor('tiny.onnx');
  for (const c of CASES) {
    await app.choose(fx(c.file));
    await app.expectError(c.code, c.text);
    await expect(app.card, `card kept after ${c.file}`).toHaveAttribute('data-file-name', 'tiny.onnx');
    await page.getByTestId('error-dismiss').click();
    await expect(app.error).toBeHidden();
  }
  await app.choose(fx('qdq.onnx'));
  await app.expectCardFor('qdq.onnx');
});

test('a model with its external-data file dropped alongside', async ({ app }) => {
  await app.open();
  await app.choose(fx('tiny-ext.onnx'), fx('tiny.onnx.data'));
  await app.expectCardFor('tiny-ext.onnx');
  await expect(app.card.locator('[data-testid=card-external][data-location="tiny.onnx.data"]')).toHaveCount(1);
});

test('unknown op domain: the card explains it cannot run', async ({ app }) => {
  await app.open();
  await app.choose(fx('custom-op.onnx'));
  await app.expectCardFor('custom-op.onnx');
  await expect(app.card.locator('[data-testid=card-blocker][data-code="unknown-op-domain"]')).toContainText('com.example.custom');
});

test('an already-quantized model is flagged with what it means', async ({ app }) => {
  await app.open();
  await app.choose(fx('qdq.onnx'));
  await app.expectCardFor('qdq.onnx');
  const q = app.card.getByTestId('card-quantized');
  await expect(q).toHaveAttribute('data-quantized', 'true');
  await expect(q).toContainText(/Already quantized/);
  await expect(q).toContainText(/QDQ/);
});

test('drag and drop onto the page loads the model', async ({ app, page }) => {
  await app.open();
  const bytes = readFileSync(fx('tiny.onnx')).toString('base64');
  const dataTransfer = await page.evaluateHandle((b64) => {
    const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bin], 'dropped.onnx'));
    return dt;
  }, bytes);
  const zone = page.getByTestId('drop-zone');
  await zone.dispatchEvent('dragenter', { dataTransfer });
  await zone.dispatchEvent('dragover', { dataTransfer });
  await zone.dispatchEvent('drop', { dataTransfer });
  await app.expectCardFor('dropped.onnx');
});

test('the drop zone works from the keyboard', async ({ app, page }) => {
  await app.open();
  const zone = page.getByTestId('drop-zone');
  // Listen first: Playwright turns on file-chooser interception asynchronously, and a chooser opened before
  // that is a native dialog the test never sees (that race made this test fail 4 times in 6).
  const chooser = page.waitForEvent('filechooser');
  await zone.focus();
  await expect(zone).toBeFocused();
  await page.keyboard.press('Enter');
  await (await chooser).setFiles(fx('tiny.onnx'));
  await app.expectCardFor('tiny.onnx');
});

test('a model bigger than a tab can load is refused before it is read', async ({ app, page }) => {
  await app.open();
  // 34 references to one 64 MiB blob make a 2.1 GiB File without using 2 GiB of memory.
  const dataTransfer = await page.evaluateHandle(() => {
    const part = new Blob([new Uint8Array(64 * 1024 * 1024)]);
    const dt = new DataTransfer();
    dt.items.add(new File(Array.from({ length: 34 }, () => part), 'huge.onnx'));
    return dt;
  });
  await page.getByTestId('drop-zone').dispatchEvent('drop', { dataTransfer });
  await app.expectError('too-large', /more than a browser tab can load/);
});
