// The page is cross-origin isolated, onnxruntime-web runs with more than one thread, and its wasm is self-hosted.
import { expect, test } from './app-fixture';

test('cross-origin isolated, ORT multi-threaded, wasm served by the app itself', async ({ app, page }) => {
  const wasm: string[] = [];
  page.on('response', (r) => {
    if (r.url().endsWith('.wasm')) wasm.push(`${r.status()} ${r.headers()['content-type'] ?? ''} ${new URL(r.url()).host}`);
  });
  await app.open();
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  const badge = page.getByTestId('runtime-badge');
  await expect(badge).toHaveAttribute('data-isolated', 'true');
  await expect(badge).toHaveAttribute('data-threads', /^[2-9]$/);
  expect(Number(await badge.getAttribute('data-threads'))).toBeGreaterThan(1);
  expect(wasm.length).toBeGreaterThan(0);
  for (const w of wasm) expect(w).toMatch(/^200 application\/wasm localhost:\d+$/);
});
