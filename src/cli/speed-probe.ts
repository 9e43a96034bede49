// The runtime-aware INT8 search's speed probe for Node: models are profiled and timed in headless Chromium through
// the bench page (cli/browser.ts), so layers are chosen for the browser's onnxruntime-web and threads, not Node's.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SpeedProbe } from '../pipeline/int8-speed';
import type { BenchBrowser } from './browser';

export interface BrowserSpeedProbe extends SpeedProbe {
  /** Removes the temporary model files. */
  dispose(): void;
}

/** A SpeedProbe that writes each model to a temporary file and measures it in `browser` with `threads` threads. */
export function browserSpeedProbe(browser: BenchBrowser, threads: number, timeBudgetMs = 1000): BrowserSpeedProbe {
  const dir = mkdtempSync(join(tmpdir(), 'quantbench-speed-'));
  let n = 0;
  const toFile = (bytes: Uint8Array): string => {
    const file = join(dir, `model-${n++}.onnx`);
    writeFileSync(file, bytes);
    return file;
  };
  return {
    async profile(bytes) {
      const file = toFile(bytes);
      try {
        return await browser.profile(file, 12);
      } finally {
        rmSync(file, { force: true });
      }
    },
    async time(bytes) {
      const file = toFile(bytes);
      try {
        const r = await browser.bench(file, { threads, options: { timeBudgetMs, maxWarmupRuns: 15 } });
        return r.run.latency.p50Ms;
      } finally {
        rmSync(file, { force: true });
      }
    },
    async compare(models) {
      const files = models.map(toFile);
      try {
        return (await browser.compare(files, 1500 * models.length, threads)).medianMs;
      } finally {
        for (const f of files) rmSync(f, { force: true });
      }
    },
    describe: () => `Chromium ${browser.browserVersion.split('.')[0]}, WebAssembly, ${threads} thread${threads === 1 ? '' : 's'}`,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
