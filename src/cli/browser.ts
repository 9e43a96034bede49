// Drives the benchmark harness page (src/bench-page) in Chromium from Node: builds the app when needed, serves dist/
// with cross-origin isolation (threads) plus local model files, and calls window.quantbench through Playwright.
// The CLI benchmarks here, not in Node, because onnxruntime-web cannot start threads in Node: the browser runs the
// same engine and worker code as the app, so CLI and UI numbers agree.
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import type { PageBenchRequest, QuantbenchPage } from '../bench-page/main';
import type { ModelProfile, PairedTiming } from '../runtime/profile';
import { QbError, type QbErrorData } from '../shared/errors';
import type { BenchResult } from '../../workers/bench-api';
import type { Progress } from '../../workers/progress';

/** The repository root (this file is src/cli/browser.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The harness page inside a build. */
const PAGE_PATH = 'src/bench-page/index.html';
/** Sources the harness page is built from: a build older than any of them is rebuilt. */
const PAGE_SOURCES = ['src/bench-page', 'src/runtime', 'src/onnx', 'src/shared', 'workers', 'vite.config.ts', 'package-lock.json'];

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** The Chromium the driver launches: QB_CHROMIUM, else CHROMIUM_PATH (as playwright.config.ts), else Debian's. */
export function chromiumPath(): string {
  return process.env.QB_CHROMIUM ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.txt': 'text/plain; charset=utf-8',
};

/** Cross-origin isolation, so onnxruntime-web gets SharedArrayBuffer and threads; CORP so every file may load. */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function newestMtimeMs(path: string): number {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtimeMs(join(path, entry)));
  return newest;
}

/** Why the harness page must be built ('' when the build is current). */
export function buildNeeded(root = REPO_ROOT, distDir = join(root, 'dist')): string {
  const page = join(distDir, PAGE_PATH);
  if (!existsSync(page)) return `${join(basename(distDir), PAGE_PATH)} is missing`;
  const builtMs = statSync(page).mtimeMs;
  const changed = PAGE_SOURCES.find((p) => newestMtimeMs(join(root, p)) > builtMs);
  return changed === undefined ? '' : `${changed} changed since the last build`;
}

/**
 * Runs `vite build` (production mode, the project's vite.config.ts) through Vite's JS API when the harness page
 * is missing or older than its sources, saying so through `log`.
 * @throws QbError('internal') when the build fails.
 */
export async function ensureBuild(log: (line: string) => void, root = REPO_ROOT): Promise<void> {
  const why = buildNeeded(root);
  if (why === '') return;
  log(`Building the app with vite build (${why}); this takes a few seconds…`);
  // vitest runs with NODE_ENV=test, which would make Vite bundle React's development build.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    const { build } = await import('vite');
    // Errors still throw; Vite's warnings (chunk sizes, plugin timings) would only clutter a benchmark's output.
    await build({ root, configFile: join(root, 'vite.config.ts'), mode: 'production', logLevel: 'error' });
  } catch (err) {
    throw new QbError('internal', 'Building the app for the benchmark page failed (vite build). Run `npm run build` to see why.', err instanceof Error ? err.message : String(err));
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
}

/** A static server over `distDir` plus registered local files under /files/<id>/<name>, on a free port. */
class HarnessServer {
  private readonly files = new Map<string, Map<string, string>>();
  private nextId = 1;
  private server: Server | undefined;
  origin = '';

  constructor(private readonly distDir: string) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(0, '127.0.0.1', () => ok());
    });
    this.server = server;
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Serves these local files side by side (a model and its external data keep their names); returns their URLs. */
  register(paths: readonly string[]): string[] {
    const id = String(this.nextId++);
    const byName = new Map<string, string>();
    for (const p of paths) byName.set(basename(p), resolve(p));
    this.files.set(id, byName);
    return paths.map((p) => `${this.origin}/files/${id}/${encodeURIComponent(basename(p))}`);
  }

  private resolvePath(pathname: string): string | undefined {
    if (pathname.startsWith('/files/')) {
      const [id, name] = pathname.slice('/files/'.length).split('/');
      return id !== undefined && name !== undefined ? this.files.get(id)?.get(name) : undefined;
    }
    const file = resolve(this.distDir, `.${pathname}`);
    if (file !== this.distDir && !file.startsWith(this.distDir + sep)) return undefined;
    return existsSync(file) && statSync(file).isDirectory() ? join(file, 'index.html') : file;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      pathname = '';
    }
    const file = req.method === 'GET' || req.method === 'HEAD' ? this.resolvePath(pathname) : undefined;
    if (file === undefined || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain', ...ISOLATION_HEADERS });
      res.end('Not found');
      return;
    }
    res.writeHead(200, {
      'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': statSync(file).size,
      'Cache-Control': 'no-store',
      ...ISOLATION_HEADERS,
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((ok) => server.close(() => ok()));
  }
}

export interface BenchBrowserOptions {
  /** Start Chromium with WebGPU (--enable-unsafe-webgpu; headless Chromium offers a SwiftShader adapter). */
  webgpu?: boolean;
  /** Where notices and page errors go (default stderr). */
  log?: (line: string) => void;
  /** The build to serve (default <repo>/dist, built when missing or stale). */
  distDir?: string;
}

/** The harness in a running Chromium. Close it when done (it owns a browser process and a server). */
export interface BenchBrowser {
  /** "156.0.7000.1" */
  readonly browserVersion: string;
  readonly crossOriginIsolated: boolean;
  /** Benchmarks a local model (the .onnx file, or it and its external-data files) in the page's bench worker. */
  bench(file: string | readonly string[], request: PageBenchRequest, onProgress?: (p: Progress) => void): Promise<BenchResult>;
  /** Per-node timings of a local model on the CPU (see runtime/profile.ts). */
  profile(file: string, runs?: number): Promise<ModelProfile>;
  /** Paired timing of local models (one file each): runs alternate between them for `budgetMs`. */
  compare(files: readonly string[], budgetMs: number, threads?: number): Promise<PairedTiming>;
  close(): Promise<void>;
}

type Outcome<T> = { ok: T } | { error: QbErrorData };

/** Calls window.quantbench[method] in the page, bringing a thrown QbError back whole (code, message, detail). */
async function callPage<K extends keyof QuantbenchPage>(page: Page, method: K, args: Parameters<QuantbenchPage[K]>): Promise<Awaited<ReturnType<QuantbenchPage[K]>>> {
  const outcome = (await page.evaluate(
    async ({ method, args }) => {
      const qb = (window as unknown as { quantbench: Record<string, (...a: unknown[]) => Promise<unknown>> }).quantbench;
      try {
        return { ok: await qb[method]!(...args) };
      } catch (e) {
        const q = e as { code?: unknown; message?: unknown; detail?: unknown };
        return { error: { code: typeof q.code === 'string' ? q.code : 'internal', message: String(q.message ?? e), ...(typeof q.detail === 'string' ? { detail: q.detail } : {}) } };
      }
    },
    { method: method as string, args: args as unknown[] },
  )) as Outcome<Awaited<ReturnType<QuantbenchPage[K]>>>;
  if ('error' in outcome) throw QbError.fromData(outcome.error);
  return outcome.ok;
}

/**
 * Builds the app if needed, starts the harness server on a free port and Chromium (QB_CHROMIUM or
 * /usr/bin/chromium), and opens the harness page. Page errors are forwarded to `log`.
 * @throws QbError('unsupported') when Chromium is missing; QbError('internal') when the build or the page fails.
 */
export async function openBenchBrowser(options: BenchBrowserOptions = {}): Promise<BenchBrowser> {
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    throw new QbError('unsupported', `Benchmarks run in Chromium, which was not found at ${executablePath}. Install Chromium, or set QB_CHROMIUM to its path.`);
  }
  const distDir = resolve(options.distDir ?? join(REPO_ROOT, 'dist'));
  if (options.distDir === undefined) await ensureBuild(log);
  else if (!existsSync(join(distDir, PAGE_PATH))) throw new QbError('internal', `${join(distDir, PAGE_PATH)} is missing: build the app first.`);

  const server = new HarnessServer(distDir);
  await server.start();
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS, ...(options.webgpu === true ? ['--enable-unsafe-webgpu'] : [])] });
    const page = await browser.newPage();
    page.on('pageerror', (e) => log(`[page error] ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') log(`[page console] ${m.text()}`);
    });
    let progressSink: ((p: Progress) => void) | undefined;
    await page.exposeFunction('quantbenchProgress', (p: Progress) => progressSink?.(p));
    await page.goto(`${server.origin}/${PAGE_PATH}`);
    await page.waitForFunction(() => 'quantbench' in window, undefined, { timeout: 30_000 });
    const isolated = await page.evaluate(() => crossOriginIsolated);
    if (!isolated) log('Warning: the benchmark page is not cross-origin isolated; onnxruntime-web will run one thread.');
    const b = browser;
    return {
      browserVersion: b.version(),
      crossOriginIsolated: isolated,
      async bench(file, request, onProgress) {
        const urls = server.register(typeof file === 'string' ? [file] : file);
        progressSink = onProgress;
        try {
          return await callPage(page, 'bench', [urls, request]);
        } finally {
          progressSink = undefined;
        }
      },
      async profile(file, runs) {
        const [url] = server.register([file]);
        return callPage(page, 'profile', runs === undefined ? [url!] : [url!, runs]);
      },
      async compare(files, budgetMs, threads) {
        const urls = server.register([...files]);
        return callPage(page, 'compare', threads === undefined ? [urls, budgetMs] : [urls, budgetMs, threads]);
      },
      async close() {
        await b.close().catch(() => undefined);
        await server.close();
      },
    };
  } catch (err) {
    await browser?.close().catch(() => undefined);
    await server.close();
    if (err instanceof QbError) throw err;
    throw new QbError('internal', 'Chromium could not open the benchmark page.', err instanceof Error ? err.message : String(err));
  }
}
