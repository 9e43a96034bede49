// Speed of model variants side by side (FP32 first, then e.g. FP16 / INT8) in ONE Chromium session through the
// app's bench worker (src/cli/browser.ts), wasm with 2 threads by default. Variants are interleaved (A,B,C,A,B,C…)
// so drift on a shared machine hits all of them alike; each round's p50 is kept, and the median of rounds compared.
// Ad hoc: `npx tsx scripts/bench-speed.ts fp32.onnx int8.onnx [--rounds 3] [--time-ms 2000] [--threads 2] [--json]`.
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openBenchBrowser } from '../src/cli/browser';
import { modelFiles } from '../src/cli/bench';
import { toQbError } from '../src/shared/errors';

export interface SpeedCase {
  /** Name of the case (the model), for the table. */
  model: string;
  /** The first variant is the baseline (FP32) the others are compared with. */
  variants: { label: string; file: string }[];
}

export interface SpeedOptions {
  /** onnxruntime-web threads (default 2). */
  threads?: number;
  /** Interleaved rounds (default 3). */
  rounds?: number;
  /** Timed-run budget of each benchmark, ms (default 2000). */
  timeBudgetMs?: number;
  /** Progress lines (default stderr). */
  log?: (line: string) => void;
}

export interface VariantSpeed {
  label: string;
  file: string;
  /** p50 of each round, ms (null for a round that failed). */
  roundsP50Ms: (number | null)[];
  /** Median of the rounds' p50, ms; null when every round failed. */
  p50Ms: number | null;
  /** (max - min) / median of the rounds' p50: how far the rounds disagree. */
  spread: number | null;
  /** baseline p50 / this p50: above 1 is faster than the first variant (null for a failure). */
  speedup: number | null;
  /**
   * Speed-up from paired timing: runs alternate between all variants in one worker (A, B, C, A, B, C …), so a slow
   * phase of the machine hits every variant alike. One value per paired round; null when the variant failed.
   */
  pairedSpeedups: number[] | null;
  /** Median of pairedSpeedups. */
  pairedSpeedup: number | null;
  sizeBytes: number | null;
  gzipBytes: number | null;
  /** Kinds of warnings any round raised (e.g. 'noisy'). */
  warnings: string[];
  /** The plain-language error of a failed round, if any. */
  error: string | null;
}

export interface SpeedReport {
  date: string;
  browser: string;
  crossOriginIsolated: boolean;
  threads: number;
  rounds: number;
  timeBudgetMs: number;
  cases: { model: string; variants: VariantSpeed[] }[];
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Benchmarks every variant of every case in one Chromium session (wasm), interleaving variants round by round.
 * A variant that fails (e.g. an operator the runtime lacks) is reported with its error; the others go on.
 */
export async function benchSpeed(cases: readonly SpeedCase[], options: SpeedOptions = {}): Promise<SpeedReport> {
  const threads = options.threads ?? 2;
  const rounds = options.rounds ?? 3;
  const timeBudgetMs = options.timeBudgetMs ?? 2000;
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const browser = await openBenchBrowser({ log });
  try {
    const report: SpeedReport = { date: new Date().toISOString(), browser: `Chromium ${browser.browserVersion}`, crossOriginIsolated: browser.crossOriginIsolated, threads, rounds, timeBudgetMs, cases: [] };
    for (const c of cases) {
      const files = await Promise.all(c.variants.map((v) => modelFiles(v.file)));
      const results = c.variants.map((v): VariantSpeed => ({ label: v.label, file: v.file, roundsP50Ms: [], p50Ms: null, spread: null, speedup: null, pairedSpeedups: null, pairedSpeedup: null, sizeBytes: null, gzipBytes: null, warnings: [], error: null }));
      for (let round = 0; round < rounds; round++) {
        for (const [i, v] of c.variants.entries()) {
          const r = results[i]!;
          log(`${c.model}: round ${round + 1}/${rounds}, ${v.label}…`);
          try {
            const result = await browser.bench(files[i]!, { threads, options: { device: 'wasm', timeBudgetMs } });
            r.roundsP50Ms.push(result.run.latency.p50Ms);
            r.sizeBytes = result.size.bytes;
            r.gzipBytes = result.size.gzipBytes;
            for (const w of result.run.warnings) if (!r.warnings.includes(w.kind)) r.warnings.push(w.kind);
          } catch (e) {
            r.roundsP50Ms.push(null);
            r.error = toQbError(e).message;
          }
        }
      }
      for (const r of results) {
        const ok = r.roundsP50Ms.filter((v): v is number => v !== null);
        if (ok.length === 0) continue;
        r.p50Ms = median(ok);
        r.spread = (Math.max(...ok) - Math.min(...ok)) / r.p50Ms;
      }
      const base = results[0]?.p50Ms ?? null;
      for (const r of results) r.speedup = base !== null && r.p50Ms !== null ? base / r.p50Ms : null;
      // Paired rounds over the variants that ran (single .onnx files only: the paired timer takes one file each).
      const pairable = c.variants.map((_, i) => i).filter((i) => results[i]!.error === null && files[i]!.length === 1);
      if (pairable.length >= 2 && pairable[0] === 0) {
        for (const i of pairable) results[i]!.pairedSpeedups = [];
        for (let round = 0; round < rounds; round++) {
          log(`${c.model}: paired round ${round + 1}/${rounds} (${pairable.length} variants alternating)…`);
          const paired = await browser.compare(pairable.map((i) => files[i]![0]!), timeBudgetMs * pairable.length, threads);
          pairable.forEach((i, k) => results[i]!.pairedSpeedups!.push(paired.medianMs[0]! / paired.medianMs[k]!));
        }
        for (const i of pairable) results[i]!.pairedSpeedup = median(results[i]!.pairedSpeedups!);
      }
      report.cases.push({ model: c.model, variants: results });
    }
    return report;
  } finally {
    await browser.close();
  }
}

/** The report as a fixed-width table: one line per variant, rounds side by side. */
export function formatSpeed(report: SpeedReport): string {
  const f = (v: number | null): string => (v === null ? '-' : v.toFixed(2));
  const mb = (v: number | null): string => (v === null ? '-' : (v / 1e6).toFixed(2));
  const rows: string[][] = [['model', 'variant', ...Array.from({ length: report.rounds }, (_, i) => `r${i + 1} p50 ms`), 'median', 'spread', 'speedup', 'paired', 'MB', 'gzip MB', 'notes']];
  for (const c of report.cases) {
    for (const [i, v] of c.variants.entries()) {
      rows.push([
        i === 0 ? c.model : '',
        v.label,
        ...v.roundsP50Ms.map(f),
        f(v.p50Ms),
        v.spread === null ? '-' : `${(v.spread * 100).toFixed(1)}%`,
        v.speedup === null ? '-' : `${v.speedup.toFixed(2)}x`,
        v.pairedSpeedup === null ? '-' : `${v.pairedSpeedup.toFixed(2)}x`,
        mb(v.sizeBytes),
        mb(v.gzipBytes),
        [...v.warnings, ...(v.error !== null ? [`error: ${v.error}`] : [])].join('; '),
      ]);
    }
  }
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)));
  // Names left-aligned, numbers right-aligned, notes as they are.
  const line = (r: string[]): string =>
    r.map((cell, col) => (col < 2 ? cell.padEnd(widths[col]!) : col === r.length - 1 ? cell : cell.padStart(widths[col]!))).join('  ').trimEnd();
  const head = `${report.browser}, wasm, ${report.threads} threads${report.crossOriginIsolated ? '' : ' (NOT isolated: 1 thread)'}, ${report.rounds} interleaved rounds of ${report.timeBudgetMs} ms; speedup = first variant's median / this one's; paired = the same from runs alternating between variants (median of rounds)`;
  return `${[head, ...rows.map(line)].join('\n')}\n`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const option = (name: string): number | undefined => {
    const at = args.indexOf(name);
    if (at < 0) return undefined;
    const [, value] = args.splice(at, 2);
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} takes a number above zero (got "${value}").`);
    return n;
  };
  const rounds = option('--rounds');
  const timeBudgetMs = option('--time-ms');
  const threads = option('--threads');
  const json = args.includes('--json');
  const files = args.filter((a) => a !== '--json');
  if (files.length === 0) {
    process.stderr.write('Usage: npx tsx scripts/bench-speed.ts BASELINE.onnx [VARIANT.onnx ...] [--rounds N] [--time-ms N] [--threads N] [--json]\n');
    process.exit(2);
  }
  const report = await benchSpeed([{ model: basename(files[0]!), variants: files.map((f) => ({ label: basename(f).replace(/\.onnx$/i, ''), file: f })) }], {
    ...(rounds !== undefined ? { rounds } : {}),
    ...(timeBudgetMs !== undefined ? { timeBudgetMs } : {}),
    ...(threads !== undefined ? { threads } : {}),
  });
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatSpeed(report));
}
