// Big-model benchmark (#9): the DeiT-Base and SAM ViT-B stand-ins through the real app in Chromium (production
// build): load, dynamic INT8, FP16, benchmark; peak memory of the tab sampled from /proc, wall time per step.
// Usage: npm run build && npx tsx scripts/bench-big.ts [deit|sam|deit-ext ...]   (JSON: bench-results/big-models.json)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Locator, type Page } from '@playwright/test';
import { waitForServer } from './bench-browser';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = resolve(root, 'bench-results/big-models.json');
const MODELS_DIR = resolve(root, 'scratch/big-models');
const PORT = 4192;

interface BigCase {
  name: string;
  /** make-vit.ts arguments (after the output path). */
  args: string[];
  file: string;
  external: boolean;
  steps: ('int8' | 'fp16' | 'bench')[];
}

const CASES: BigCase[] = [
  { name: 'deit', args: ['--arch', 'deit'], file: 'deit-base.onnx', external: false, steps: ['int8', 'bench'] },
  { name: 'deit-ext', args: ['--arch', 'deit', '--external'], file: 'deit-base-ext.onnx', external: true, steps: ['int8'] },
  // SAM's benchmark runs (20+ runs of ~10 s per variant) are timed with `quantbench bench` instead: see docs/big-models.md.
  { name: 'sam', args: ['--arch', 'sam'], file: 'sam-vit-b.onnx', external: false, steps: ['fp16', 'int8'] },
];

/** Renderer processes' RSS (every tab and its workers live there) and all Chromium processes', sampled. */
class MemorySampler {
  peakRendererBytes = 0;
  peakTotalBytes = 0;
  /** Renderer RSS every 100 ms (MB), for QB_TIMELINE=1 runs. */
  timeline: number[] = [];
  private timer: NodeJS.Timeout | undefined;

  start(): void {
    this.stop();
    this.peakRendererBytes = 0;
    this.peakTotalBytes = 0;
    this.timeline = [];
    this.timer = setInterval(() => this.sample(), 100);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private sample(): void {
    let renderer = 0;
    let total = 0;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (!cmd.includes('chromium')) continue;
        const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        const bytes = rss === null ? 0 : Number(rss[1]) * 1024;
        total += bytes;
        if (cmd.includes('--type=renderer')) renderer = Math.max(renderer, bytes);
      } catch {
        // the process ended between readdir and read
      }
    }
    this.peakRendererBytes = Math.max(this.peakRendererBytes, renderer);
    this.timeline.push(Math.round(renderer / 1e6));
    this.peakTotalBytes = Math.max(this.peakTotalBytes, total);
  }
}

function ensureModel(c: BigCase): string[] {
  mkdirSync(MODELS_DIR, { recursive: true });
  const path = join(MODELS_DIR, c.file);
  const files = c.external ? [path, `${path}.data`] : [path];
  if (!files.every((f) => existsSync(f))) {
    const r = spawnSync('npx', ['tsx', join(root, 'scripts/make-vit.ts'), path, ...c.args], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`make-vit failed for ${c.name}`);
  }
  return files;
}

interface StepResult {
  step: string;
  /** Renderer RSS when the step started (the app, idle). */
  baselineMB: number;
  wallSeconds: number;
  peakRendererMB: number;
  peakChromiumMB: number;
  workers: string[];
  /** What the app shows (data-* attributes of the result). */
  shown: Record<string, string | null>;
  error?: string;
}

async function timed(page: Page, sampler: MemorySampler, step: string, run: () => Promise<Record<string, string | null>>): Promise<StepResult> {
  // Let the previous step's recycled worker go and its garbage be collected: each step's peak is its own.
  await new Promise((ok) => setTimeout(ok, 5000));
  sampler.start();
  await new Promise((ok) => setTimeout(ok, 300));
  const baselineMB = sampler.timeline.at(-1) ?? 0;
  const started = Date.now();
  let shown: Record<string, string | null> = {};
  let error: string | undefined;
  try {
    shown = await run();
  } catch (err) {
    error = err instanceof Error ? err.message.split('\n')[0] : String(err);
    const banner = page.getByTestId('error-banner');
    if ((await banner.count()) > 0) error += ` | banner: ${(await banner.first().innerText()).slice(0, 300)}`;
  }
  sampler.stop();
  const mb = (b: number): number => Math.round(b / 1e6);
  // Workers alive after the step (a big job's worker is recycled: its WebAssembly memory must be gone).
  await new Promise((ok) => setTimeout(ok, 1000));
  const workers = page.workers().map((w) => w.url().split('/').pop()?.replace(/-[\w-]{8}\.js$/, '') ?? '?');
  const r: StepResult = { step, baselineMB, workers, wallSeconds: (Date.now() - started) / 1000, peakRendererMB: mb(sampler.peakRendererBytes), peakChromiumMB: mb(sampler.peakTotalBytes), shown, ...(error !== undefined ? { error } : {}) };
  console.log(JSON.stringify(r));
  if (process.env.QB_TIMELINE === '1') console.log(`${step} renderer MB every 0.5 s: ${sampler.timeline.filter((_, i) => i % 5 === 0).join(' ')}`);
  return r;
}

async function attrs(scope: Page | Locator, testId: string, names: string[]): Promise<Record<string, string | null>> {
  const el = scope.getByTestId(testId).first();
  const out: Record<string, string | null> = {};
  if ((await el.count()) === 0) return out;
  for (const n of names) out[n] = await el.getAttribute(n, { timeout: 2000 });
  return out;
}

async function runCase(page: Page, sampler: MemorySampler, c: BigCase, files: string[]): Promise<StepResult[]> {
  const results: StepResult[] = [];
  await page.goto(`http://localhost:${PORT}/`);
  results.push(
    await timed(page, sampler, 'load', async () => {
      await page.getByTestId('model-input').setInputFiles(files);
      await page.locator(`[data-testid=model-card][data-file-name="${c.file}"]`).waitFor({ timeout: 5 * 60_000 });
      return attrs(page.getByTestId('int8-panel'), 'memory-estimate', ['data-needed-mb', 'data-engine-mb', 'data-fits']);
    }),
  );
  const long = { timeout: 60 * 60_000 };
  for (const step of c.steps) {
    if (step === 'int8') {
      results.push(
        await timed(page, sampler, 'int8', async () => {
          const panel = page.getByTestId('int8-panel');
          await panel.getByTestId('int8-button').click();
          await panel.getByTestId('int8-result').waitFor(long);
          return { ...(await attrs(panel, 'int8-result', ['data-mode', 'data-size-ratio', 'data-sqnr', 'data-cosine'])), ...(await attrs(panel, 'job-stats', ['data-peak-mb', 'data-engine-mb', 'data-stages'])) };
        }),
      );
    } else if (step === 'fp16') {
      results.push(
        await timed(page, sampler, 'fp16', async () => {
          const panel = page.getByTestId('fp16-panel');
          await panel.getByTestId('fp16-button').click();
          await panel.getByTestId('fp16-result').waitFor(long);
          return { ...(await attrs(panel, 'fp16-result', ['data-size-ratio', 'data-cosine', 'data-passed'])), ...(await attrs(panel, 'job-stats', ['data-peak-mb', 'data-engine-mb', 'data-stages'])) };
        }),
      );
    } else {
      results.push(
        await timed(page, sampler, 'bench', async () => {
          const panel = page.getByTestId('bench-panel');
          await panel.getByTestId('bench-run').click();
          await page.locator('[data-testid=bench-panel][data-status=done]').waitFor(long);
          const rows = panel.getByTestId('bench-row');
          const shown: Record<string, string | null> = {};
          for (let i = 0; i < (await rows.count()); i++) {
            const row = rows.nth(i);
            const v = (await row.getAttribute('data-variant')) ?? String(i);
            shown[`${v}.p50`] = await row.getByTestId('bench-p50').innerText();
            shown[`${v}.fps`] = await row.getByTestId('bench-fps').innerText();
            shown[`${v}.cold`] = await row.getByTestId('bench-cold').innerText();
          }
          return shown;
        }),
      );
    }
  }
  return results;
}

export async function benchBig(names: string[]): Promise<unknown> {
  if (!existsSync(join(root, 'dist/index.html'))) throw new Error('Run `npm run build` first (the benchmark uses the production build).');
  const chosen = CASES.filter((c) => names.length === 0 || names.includes(c.name));
  const server: ChildProcess = spawn('npx', ['vite', 'preview', '--port', String(PORT), '--strictPort'], { cwd: root, stdio: 'ignore' });
  const executablePath = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
  const browser = await chromium.launch({
    ...(executablePath !== undefined ? { executablePath } : {}),
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'],
  });
  const sampler = new MemorySampler();
  try {
    await waitForServer(`http://localhost:${PORT}/`, 30_000);
    const out = [];
    for (const c of chosen) {
      const files = ensureModel(c);
      const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
      const steps = await runCase(page, sampler, c, files);
      await page.screenshot({ path: resolve(root, `bench-results/big-${c.name}.png`), fullPage: true }).catch(() => undefined);
      await page.close();
      out.push({ name: c.name, files: files.map((f) => ({ file: f.split('/').pop(), bytes: statSync(f).size })), steps });
    }
    return { date: new Date().toISOString(), browser: browser.version(), cores: (await import('node:os')).cpus().length, cases: out };
  } finally {
    sampler.stop();
    await browser.close();
    server.kill();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const result = (await benchBig(process.argv.slice(2))) as { cases: { name: string }[] };
  mkdirSync(dirname(OUT), { recursive: true });
  // Cases not run this time keep their last results.
  const before = existsSync(OUT) ? (JSON.parse(readFileSync(OUT, 'utf8')) as { cases?: { name: string }[] }).cases ?? [] : [];
  const cases = [...before.filter((c) => !result.cases.some((r) => r.name === c.name)), ...result.cases];
  writeFileSync(OUT, `${JSON.stringify({ ...result, cases }, null, 2)}\n`);
  console.log(`wrote ${OUT}`);
}
