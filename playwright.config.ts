// Playwright: e2e against the production build (vite build + vite preview) in Debian's Chromium.
import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

const PORT = 4173;
// `npx playwright install` cannot download browsers on this network: use the system Chromium when present
// (CHROMIUM_PATH overrides), else Playwright's own download on machines that have one.
const chromiumPath = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'];
const launchOptions = (extraArgs: string[] = []) => ({
  ...(chromiumPath !== undefined ? { executablePath: chromiumPath } : {}),
  args: [...CHROMIUM_ARGS, ...extraArgs],
});

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  timeout: 90_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  // Two cores: one browser at a time keeps ORT's threads and the timings honest.
  workers: 1,
  retries: 0,
  reporter: [['list']],
  globalSetup: './e2e/global-setup.ts',
  use: {
    baseURL: `http://localhost:${PORT}`,
    viewport: { width: 1280, height: 900 },
    // Tracing costs ~3x wall time per test here; turn it on with QB_TRACE=1 when debugging a failure.
    trace: process.env.QB_TRACE === '1' ? 'retain-on-failure' : 'off',
    screenshot: 'only-on-failure',
    launchOptions: launchOptions(),
  },
  projects: [
    { name: 'default', testIgnore: /webgpu\.spec\.ts$/ },
    // Headless Chromium offers WebGPU only behind this flag: a SwiftShader software adapter without shader-f16
    // (FP32 runs, ~50x slower than wasm; FP16 must be refused). --disable-gpu stays: SwiftShader still serves WebGPU.
    { name: 'webgpu', testMatch: /webgpu\.spec\.ts$/, use: { launchOptions: launchOptions(['--enable-unsafe-webgpu']) } },
  ],
  webServer: {
    command: `npm run build && npx vite preview --port ${PORT} --strictPort`,
    url: `http://localhost:${PORT}`,
    reuseExistingServer: process.env.QB_CI !== '1',
    timeout: 180_000,
    stdout: 'ignore',
  },
});
