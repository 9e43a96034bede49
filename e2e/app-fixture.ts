// Shared e2e fixture: fails a test on any page error, console error or request that leaves localhost,
// and gives specs a small page object for the model step.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test as base, type Locator, type Page } from '@playwright/test';

export const FIXTURES = resolve(import.meta.dirname, '.fixtures');
export const SHARED_DATA = resolve(import.meta.dirname, '../../shared/data');

/** In CI (QB_CI=1) missing shared data is a failure; on a user's clone those specs skip with a reason. */
export function sharedDataAvailable(): boolean {
  const ok = existsSync(resolve(SHARED_DATA, 'MANIFEST.md'));
  if (!ok && process.env.QB_CI === '1') throw new Error(`Shared data missing at ${SHARED_DATA}`);
  return ok;
}

export class AppPage {
  readonly card: Locator;
  readonly error: Locator;
  constructor(readonly page: Page) {
    this.card = page.getByTestId('model-card');
    this.error = page.getByTestId('error-banner');
  }

  async open(): Promise<void> {
    await this.page.goto('/');
    await expect(this.page.getByTestId('demo-button')).toBeVisible();
  }

  /** Chooses files through the file input, as the "Choose files…" button does. */
  async choose(...paths: string[]): Promise<void> {
    await this.page.getByTestId('model-input').setInputFiles(paths);
  }

  async expectCardFor(fileName: string): Promise<void> {
    await expect(this.card).toHaveAttribute('data-file-name', fileName);
    await expect(this.page.getByTestId('progress')).toBeHidden();
  }

  async expectError(code: string, text: RegExp): Promise<void> {
    await expect(this.error).toBeVisible();
    await expect(this.error).toHaveAttribute('data-code', code);
    await expect(this.page.getByTestId('error-message')).toContainText(text);
  }
}

export const test = base.extend<{ app: AppPage; problems: string[] }>({
  problems: async ({ page }, use) => {
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
    });
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (!['localhost', '127.0.0.1'].includes(url.hostname) && !['data:', 'blob:'].includes(url.protocol)) problems.push(`external request: ${r.url()}`);
    });
    await use(problems);
    expect(problems, 'no page errors, console errors or external requests').toEqual([]);
  },
  app: async ({ page, problems }, use) => {
    void problems;
    await use(new AppPage(page));
  },
});

export { expect };
