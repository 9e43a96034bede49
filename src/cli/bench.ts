// `quantbench bench MODEL`: benchmarks a model in headless Chromium through the app's own bench worker (browser.ts),
// so the numbers are the ones the UI shows: cold start, latency percentiles, FPS, size, warnings; text or JSON.
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import type { PageBenchRequest } from '../bench-page/main';
import { forEachWeight } from '../onnx/graph';
import { checkModelSize, decodeModel } from '../onnx/model-io';
import { externalDataRef, isExternal } from '../onnx/tensor-data';
import type { BenchOptions } from '../runtime/bench-types';
import type { Device } from '../runtime/session';
import { QbError, toQbError } from '../shared/errors';
import type { BenchResult } from '../../workers/bench-api';
import type { Progress } from '../../workers/progress';
import { openBenchBrowser, type BenchBrowser } from './browser';

/** The latency limit of the batch sweet spot when --latency-limit-ms is not given (the app's default too). */
export const DEFAULT_LATENCY_LIMIT_MS = 100;

export const BENCH_USAGE = `Usage: quantbench bench MODEL.onnx [--ep wasm|webgpu] [--threads N] [--time-ms N] [--batch N]
       [--sweep 1,2,4,8] [--latency-limit-ms N] [--json]

Benchmarks a model in headless Chromium with the app's own engine (onnxruntime-web in the benchmark
worker), so the numbers match the app's: cold start (session creation, first run), warm-up until
timings settle, timed runs for --time-ms, then latency percentiles, throughput, size and gzip size.
Chromium: /usr/bin/chromium, or the path in QB_CHROMIUM. The app is built first (vite build) when its
build is missing or older than the sources. External-data files are read from the model's folder.

Options:
  --ep wasm|webgpu       Execution provider (default wasm: the CPU through WebAssembly). webgpu starts
                         Chromium with --enable-unsafe-webgpu (headless: a software adapter, slow)
  --threads N            Threads for onnxruntime-web (default: the cores, up to 8)
  --time-ms N            Time budget of the timed runs, ms (default 3000; at least 10 runs)
  --batch N              Batch size for a model with a free batch dimension (default 1)
  --sweep B,B,...        Also time these batch sizes (free batch dimension only), shorter each
  --latency-limit-ms N   Sweep: the sweet spot is the best throughput with a median within this
                         (default ${DEFAULT_LATENCY_LIMIT_MS})
  --json                 Print the result (run, sweep, size) as JSON instead of text
  Progress (one line per stage) goes to stderr unless --json; the result goes to stdout.

Exit codes: 0 measured, 1 the model could not be benchmarked (message on stderr), 2 wrong command
line, 130 interrupted (Ctrl+C).`;

class UsageError extends Error {}

export interface BenchArgs {
  model: string;
  ep: Device;
  threads: number;
  options: BenchOptions;
  sweep?: { batches: number[]; latencyLimitMs: number };
  json: boolean;
}

function wholeNumber(raw: string, name: string): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${name} takes a whole number above zero (got "${raw}").`);
  return n;
}

/** Parses `bench` arguments (after the command word). Options take `--name value` or `--name=value`. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const queue = argv.flatMap((a) => (/^--[a-z-]+=/.test(a) ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a]));
  const value = (name: string): string => {
    const v = queue.shift();
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${name} needs a value.`);
    return v;
  };
  let model: string | undefined;
  let ep: Device = 'wasm';
  let threads: number | undefined;
  let batches: number[] | undefined;
  let latencyLimitMs: number | undefined;
  let json = false;
  const options: BenchOptions = {};
  while (queue.length > 0) {
    const a = queue.shift()!;
    switch (a) {
      case '--ep': {
        const v = value(a);
        if (v !== 'wasm' && v !== 'webgpu') throw new UsageError(`--ep takes wasm or webgpu (got "${v}").`);
        ep = v;
        break;
      }
      case '--threads':
        threads = wholeNumber(value(a), a);
        break;
      case '--time-ms':
        options.timeBudgetMs = wholeNumber(value(a), a);
        break;
      case '--batch':
        options.batch = wholeNumber(value(a), a);
        break;
      case '--sweep': {
        const raw = value(a);
        batches = raw.split(',').map((t) => wholeNumber(t.trim(), '--sweep'));
        break;
      }
      case '--latency-limit-ms': {
        const raw = value(a);
        latencyLimitMs = Number(raw);
        if (!Number.isFinite(latencyLimitMs) || latencyLimitMs <= 0) throw new UsageError(`--latency-limit-ms takes a number of milliseconds above zero (got "${raw}").`);
        break;
      }
      case '--json':
        json = true;
        break;
      default:
        if (a.startsWith('-')) throw new UsageError(`Unknown option ${a}`);
        if (model !== undefined) throw new UsageError(`bench takes one model file (got "${model}" and "${a}").`);
        model = a;
    }
  }
  if (model === undefined) throw new UsageError('bench needs a model file.');
  if (latencyLimitMs !== undefined && batches === undefined) throw new UsageError('--latency-limit-ms goes with --sweep.');
  options.device = ep;
  return {
    model,
    ep,
    threads: threads ?? Math.min(8, availableParallelism()),
    options,
    ...(batches !== undefined ? { sweep: { batches, latencyLimitMs: latencyLimitMs ?? DEFAULT_LATENCY_LIMIT_MS } } : {}),
    json,
  };
}

/**
 * The files to serve for a model: the model, then the external-data files it names (beside it, as the app needs
 * them dropped together).
 * @throws Error when the model is missing; QbError for a damaged model or a missing external-data file.
 */
export async function modelFiles(path: string): Promise<string[]> {
  const s = await stat(path).catch(() => undefined);
  if (s === undefined || !s.isFile()) throw new Error(`No such file: ${path}`);
  checkModelSize(basename(path), s.size);
  // onnxruntime's own .ort format is not a protobuf and has no external data.
  if (/\.ort$/i.test(path)) return [path];
  const names = new Set<string>();
  forEachWeight(decodeModel(new Uint8Array(await readFile(path)), basename(path)).graph!, (t) => {
    if (isExternal(t)) names.add(externalDataRef(t).location);
  });
  const files = [path];
  for (const name of names) {
    const file = resolve(dirname(path), name);
    if (!existsSync(file)) throw new QbError('missing-external-data', `This model keeps its weights in a separate file, "${name}", which is not next to the model.`);
    files.push(file);
  }
  return files;
}

const ms = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const mb = (bytes: number): string => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${(bytes / 1e3).toFixed(1)} kB`);

/** The text report: one line per fact, warnings last. */
export function formatBench(model: string, r: BenchResult): string {
  const { env, latency: l } = r.run;
  const lines = [`Benchmark of ${model}`];
  const threads = env.threads === env.requestedThreads ? `${env.threads} thread${env.threads === 1 ? '' : 's'}` : `${env.threads} thread(s) (asked ${env.requestedThreads})`;
  lines.push(`  engine      onnxruntime-web ${env.ortVersion}, ${env.ep}${env.adapter !== undefined ? ` (${env.adapter})` : ''}, ${threads}`);
  lines.push(`  browser     ${env.browser}, ${env.hardwareConcurrency} cores, ${env.crossOriginIsolated ? 'cross-origin isolated' : 'NOT cross-origin isolated'}`);
  if (r.run.inputs !== undefined) lines.push(`  inputs      ${r.run.inputs.map((i) => `${i.name} ${i.type}[${i.dims.join(',')}]`).join(', ')}`);
  lines.push(`  cold start  ${ms(r.run.coldStart.sessionCreateMs)} ms session + ${ms(r.run.coldStart.firstRunMs)} ms first run`);
  lines.push(`  warm-up     ${r.run.warmup.runs} runs in ${ms(r.run.warmup.ms)} ms, ${r.run.warmup.stable ? 'settled' : 'NOT settled'}`);
  lines.push(`  latency     p50 ${ms(l.p50Ms)} ms   p90 ${ms(l.p90Ms)} ms   p99 ${ms(l.p99Ms)} ms   (${l.runs} runs, batch ${r.run.batch})`);
  lines.push(`              mean ${ms(l.meanMs)} ± ${ms(l.stdMs)} ms, min ${ms(l.minMs)} ms, max ${ms(l.maxMs)} ms`);
  lines.push(`  throughput  ${l.fps.toFixed(l.fps >= 100 ? 0 : 1)} inferences/s (at p50)`);
  const params = Object.entries(r.size.paramsByType)
    .sort((a, b) => b[1] - a[1])
    .map(([type, n]) => `${type} ${n.toLocaleString('en')}`)
    .join(', ');
  lines.push(`  size        ${mb(r.size.bytes)}, gzip ${mb(r.size.gzipBytes)} (${((100 * r.size.gzipBytes) / Math.max(1, r.size.bytes)).toFixed(0)}%); params ${params || 'none'}`);
  if (r.sweep !== null) {
    lines.push(`  batch sweep (sweet spot: ${r.sweep.sweetSpot === null ? `none within ${r.sweep.latencyLimitMs} ms` : `batch ${r.sweep.sweetSpot}, p50 within ${r.sweep.latencyLimitMs} ms`})`);
    for (const p of r.sweep.points) {
      lines.push(`    batch ${String(p.batch).padStart(3)}  p50 ${ms(p.p50Ms).padStart(7)} ms  p90 ${ms(p.p90Ms).padStart(7)} ms  ${p.throughput.toFixed(1).padStart(8)} inferences/s`);
    }
  }
  if (r.run.warnings.length === 0) lines.push('  warnings    none');
  else for (const w of r.run.warnings) lines.push(`  warning     ${w.kind}: ${w.message}`);
  return `${lines.join('\n')}\n`;
}

/** One stderr line per stage (the worker throttles the rest). */
function stageLines(err: (s: string) => void, args: BenchArgs): (p: Progress) => void {
  let last = '';
  return (p) => {
    if (p.stage === last) return;
    last = p.stage;
    switch (p.stage) {
      case 'cold-start': err('Cold start: creating the session and the first run…\n'); break;
      case 'warm-up': err('Warming up until timings settle…\n'); break;
      case 'timed': err(`Timing runs for ${((args.options.timeBudgetMs ?? 3000) / 1000).toFixed(1)} s…\n`); break;
      case 'sweep': err(`Trying batch sizes ${args.sweep?.batches.join(', ') ?? ''}…\n`); break;
      case 'size': err('Measuring file and gzip size…\n'); break;
    }
  };
}

/** Runs `bench` with its arguments (after the command word); returns the exit code (0, 1, 2, 130). */
export async function runBench(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    out(`${BENCH_USAGE}\n`);
    return 0;
  }
  let args: BenchArgs;
  try {
    args = parseBenchArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`${e.message}\n\n${BENCH_USAGE}\n`);
    return 2;
  }
  let browser: BenchBrowser | undefined;
  let interrupted = false;
  // Closing the browser ends the pending page call, which then reports the interruption (exit 130).
  const onSigint = (): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
    err('Interrupted: stopping the benchmark (Ctrl+C again to quit at once).\n');
    void browser?.close();
  };
  process.on('SIGINT', onSigint);
  try {
    const files = await modelFiles(args.model);
    if (!args.json) err(`Starting Chromium (${args.ep}, ${args.threads} thread${args.threads === 1 ? '' : 's'})…\n`);
    browser = await openBenchBrowser({ webgpu: args.ep === 'webgpu', log: (line) => err(`${line}\n`) });
    if (interrupted) throw new QbError('cancelled', 'Interrupted.');
    const request: PageBenchRequest = { threads: args.threads, options: args.options, ...(args.sweep !== undefined ? { sweep: args.sweep } : {}) };
    const result = await browser.bench(files, request, args.json ? undefined : stageLines(err, args));
    out(args.json ? `${JSON.stringify(result, null, 2)}\n` : formatBench(args.model, result));
    return 0;
  } catch (e) {
    if (interrupted) {
      err('Interrupted: nothing was measured.\n');
      return 130;
    }
    let q = toQbError(e, e instanceof Error ? e.message : 'Something went wrong.');
    // A plain Error (missing file) is the message itself: no "(Error: <same message>)" detail.
    if (!(e instanceof QbError) && e instanceof Error && e.name === 'Error') q = new QbError(q.code, q.message);
    if (args.json) out(`${JSON.stringify({ error: q.toData() }, null, 2)}\n`);
    err(`Error: ${q.message}${q.detail !== undefined ? `\n  (${q.detail})` : ''}\n`);
    return q.code === 'cancelled' ? 130 : 1;
  } finally {
    process.off('SIGINT', onSigint);
    await browser?.close();
  }
}
