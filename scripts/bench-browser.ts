// Browser benchmark: the MANIFEST.md reference accuracies reproduced in Chromium through the real UI (full image
// sets), and evaluation throughput (decode + preprocess overlapped with inference) against model-only inference.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Page } from '@playwright/test';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shared = resolve(root, '../shared/data');
export const BROWSER_RESULTS = resolve(root, 'bench-results/browser-eval.json');
const PORT = 4191;

export interface BrowserEvalResult {
  name: string;
  model: string;
  images: number;
  top1: number;
  top5: number;
  /** MANIFEST.md reference top-1 (fraction). */
  referenceTop1: number;
  imagesPerSecond: number;
  inferenceMsMean: number;
  /** imagesPerSecond / (1000 / inferenceMsMean): 1.0 means decoding costs nothing on top of inference. */
  throughputVsInferenceOnly: number;
  wallSeconds: number;
  threads: number;
  crossOriginIsolated: boolean;
  browser: string;
}

interface EvalCase {
  name: string;
  model: string;
  /** Loose files (images + label files) for the multi-file input, or a folder for the folder input. */
  files?: string[];
  folder?: string;
  referenceTop1: number;
}

function cases(limit: number | undefined): EvalCase[] {
  const list = (dir: string): string[] => readdirSync(dir).sort().slice(0, limit).map((f) => join(dir, f));
  return [
    {
      name: 'squeezenet imagenet-val-1300',
      model: 'squeezenet1.1-7-fp32-upcast.onnx',
      files: [...list(join(shared, 'images/imagenet-val-1300')), join(shared, 'labels/imagenet-val-1300.txt')],
      referenceTop1: 0.7,
    },
    {
      name: 'squeezenet imagenet-sample',
      model: 'squeezenet1.1-7-fp32-upcast.onnx',
      files: [...list(join(shared, 'images/imagenet-sample')), join(shared, 'labels/imagenet-sample-labels.csv')],
      referenceTop1: 0.632,
    },
    { name: 'resnet20 cifar10-test-1000', model: 'resnet20-cifar10-ace.onnx', folder: join(shared, 'images/cifar10-test-1000'), referenceTop1: 0.816 },
  ];
}

/** Resolves when `url` answers 200 (a just-spawned `vite preview`), or throws after `timeoutMs`. */
export async function waitForServer(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`preview server did not start at ${url}`);
}

async function runCase(page: Page, c: EvalCase, browserVersion: string): Promise<BrowserEvalResult> {
  await page.goto(`http://localhost:${PORT}/`);
  await page.getByTestId('model-input').setInputFiles(join(shared, 'models', c.model));
  await page.locator(`[data-testid=model-card][data-file-name="${c.model}"]`).waitFor({ timeout: 60_000 });
  if (c.folder !== undefined) await page.getByTestId('dataset-folder-input').setInputFiles(c.folder);
  else await page.getByTestId('images-input').setInputFiles(c.files!);
  await page.locator('[data-testid=dataset-summary]').waitFor({ timeout: 120_000 });
  await page.getByTestId('evaluate-button').waitFor({ timeout: 120_000 });
  const started = Date.now();
  await page.getByTestId('evaluate-button').click();
  const results = page.locator('[data-testid=eval-results][data-top1]');
  await results.waitFor({ timeout: 30 * 60_000 });
  const wallSeconds = (Date.now() - started) / 1000;
  const num = async (name: string): Promise<number> => Number(await results.getAttribute(name));
  const badge = page.getByTestId('runtime-badge');
  const inferenceMsMean = await num('data-inference-ms');
  const imagesPerSecond = await num('data-images-per-second');
  return {
    name: c.name,
    model: c.model,
    images: await num('data-images'),
    top1: await num('data-top1'),
    top5: await num('data-top5'),
    referenceTop1: c.referenceTop1,
    imagesPerSecond,
    inferenceMsMean,
    throughputVsInferenceOnly: imagesPerSecond / (1000 / inferenceMsMean),
    wallSeconds,
    threads: Number(await badge.getAttribute('data-threads')),
    crossOriginIsolated: (await badge.getAttribute('data-isolated')) === 'true',
    browser: browserVersion,
  };
}

/** Runs every case in a fresh page of one Chromium, against `vite preview` of the current build. */
export async function benchBrowserEval(limit?: number): Promise<BrowserEvalResult[]> {
  if (!existsSync(join(root, 'dist/index.html'))) throw new Error('Run `npm run build` first (the benchmark uses the production build).');
  const server: ChildProcess = spawn('npx', ['vite', 'preview', '--port', String(PORT), '--strictPort'], { cwd: root, stdio: 'ignore' });
  const executablePath = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
  const browser = await chromium.launch({
    ...(executablePath !== undefined ? { executablePath } : {}),
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    await waitForServer(`http://localhost:${PORT}/`, 30_000);
    const results: BrowserEvalResult[] = [];
    for (const c of cases(limit)) {
      const page = await browser.newPage();
      results.push(await runCase(page, c, browser.version()));
      await page.close();
    }
    return results;
  } finally {
    await browser.close();
    server.kill();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const limit = process.argv[2] !== undefined ? Number(process.argv[2]) : undefined;
  const result = await benchBrowserEval(limit);
  mkdirSync(dirname(BROWSER_RESULTS), { recursive: true });
  writeFileSync(BROWSER_RESULTS, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}
