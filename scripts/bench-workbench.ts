// Workbench benchmark (#7): the one-click flows through the real app in Chromium (production build), with the app's
// defaults: the built-in demo, and SqueezeNet + N imagenet-sample photos + their label file. Wall time of each stage
// (read from the stage list as it advances) and the numbers the run reported (its JSON report).
// Usage: npm run build && npx tsx scripts/bench-workbench.ts [N=250]   (JSON: bench-results/workbench.json)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import type { RunReport } from '../src/state/report/types';
import { waitForServer } from './bench-browser';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = resolve(root, 'bench-results/workbench.json');
const SHARED = resolve(root, '../shared/data');
const PORT = 4193;

interface FlowResult {
  name: string;
  /** From the click to Compare on screen, s. */
  wallS: number;
  /** Seconds each stage was the current one (stage name -> s). */
  stagesS: Record<string, number>;
  report: Pick<RunReport, 'dataset' | 'environment' | 'problems'> & { variants: Record<string, unknown>[] };
}

/** Polls the stage list every 100 ms until Compare shows; returns how long each stage was current. */
async function timeStages(page: Page, timeoutMs: number): Promise<{ wallS: number; stagesS: Record<string, number> }> {
  const t0 = performance.now();
  const stagesS: Record<string, number> = {};
  let last = performance.now();
  let current: string | null = null;
  while (performance.now() - t0 < timeoutMs) {
    const state = await page.evaluate(() => ({
      stage: document.querySelector('[data-testid=optimize-progress] li[aria-current=step]')?.getAttribute('data-stage') ?? null,
      done: document.querySelector('[data-testid=optimize-step]')?.getAttribute('data-status') === 'done' && document.querySelector('[data-testid=compare-step]') !== null,
      error: document.querySelector('[data-testid=error-banner]')?.textContent ?? null,
    }));
    const now = performance.now();
    if (current !== null) stagesS[current] = (stagesS[current] ?? 0) + (now - last) / 1000;
    last = now;
    current = state.stage;
    if (state.error !== null) throw new Error(state.error);
    if (state.done) return { wallS: (now - t0) / 1000, stagesS };
    await page.waitForTimeout(100);
  }
  throw new Error('timed out waiting for Compare');
}

async function reportOf(page: Page): Promise<FlowResult['report']> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-report-json').click()]);
  const r = JSON.parse(readFileSync((await download.path())!, 'utf8')) as RunReport;
  return {
    dataset: r.dataset,
    environment: r.environment,
    problems: r.problems,
    variants: r.variants.map((v) => ({ id: v.id, sizeBytes: v.sizeBytes, gzipBytes: v.gzipBytes, shrink: v.shrink, speedup: v.speedup, p50Ms: v.speed?.p50Ms, fps: v.speed?.fps, quality: v.quality, tone: v.tone, verdict: v.verdict })),
  };
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 250);
  const photos = readdirSync(join(SHARED, 'images/imagenet-sample')).filter((f) => f.endsWith('.JPEG')).sort().slice(0, n).map((f) => join(SHARED, 'images/imagenet-sample', f));
  const server: ChildProcess = spawn('npx', ['vite', 'preview', '--port', String(PORT), '--strictPort'], { cwd: root, stdio: 'ignore' });
  const results: FlowResult[] = [];
  try {
    await waitForServer(`http://localhost:${PORT}/`, 60_000);
    const browser = await chromium.launch({ executablePath: process.env.QB_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
    try {
      {
        const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
        await page.goto(`http://localhost:${PORT}/`);
        const t0 = performance.now();
        await page.getByTestId('demo-run').click();
        await page.getByTestId('optimize-progress').waitFor({ timeout: 60_000 });
        const loadS = (performance.now() - t0) / 1000;
        const timed = await timeStages(page, 600_000);
        results.push({ name: 'demo (one click)', wallS: loadS + timed.wallS, stagesS: { 'load model and images': loadS, ...timed.stagesS }, report: await reportOf(page) });
        console.log(`demo: ${results.at(-1)!.wallS.toFixed(1)} s`);
      }
      {
        const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
        await page.goto(`http://localhost:${PORT}/`);
        await page.getByTestId('model-input').setInputFiles(join(SHARED, 'models/squeezenet1.1-7-fp32-upcast.onnx'));
        await page.getByTestId('model-card').waitFor();
        await page.getByTestId('images-input').setInputFiles(photos);
        await page.getByTestId('dataset-summary').waitFor({ timeout: 120_000 });
        await page.getByTestId('labels-input').setInputFiles(join(SHARED, 'labels/imagenet-sample-labels.csv'));
        await page.getByTestId('dataset-summary').filter({ hasText: 'imagenet-sample-labels.csv' }).waitFor({ timeout: 120_000 });
        await page.getByTestId('optimize').click();
        const timed = await timeStages(page, 3_600_000);
        results.push({ name: `squeezenet + ${photos.length} imagenet-sample photos + labels (defaults)`, ...timed, report: await reportOf(page) });
        console.log(`squeezenet: ${results.at(-1)!.wallS.toFixed(1)} s`);
      }
    } finally {
      await browser.close();
    }
  } finally {
    server.kill();
  }
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify({ date: new Date().toISOString(), results }, null, 2)}\n`);
  console.log(`wrote ${OUT}`);
}

await main();
