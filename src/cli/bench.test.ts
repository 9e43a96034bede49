// `quantbench bench` end to end: the production build in Chromium through the harness page. Structure and sanity
// of the result, never speed. Needs Chromium: skipped with a reason when it is absent, a failure in CI (QB_CI=1).
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli-run';
import type { BenchResult } from '../../workers/bench-api';
import { chromiumPath } from './browser';
import { parseBenchArgs } from './bench';

const DEMO = resolve(import.meta.dirname, '../../public/demo/shapes-cnn.onnx');

function hasChromium(): boolean {
  const ok = existsSync(chromiumPath());
  if (!ok && process.env.QB_CI === '1') throw new Error(`Chromium missing at ${chromiumPath()}: CI must have it (or QB_CHROMIUM set).`);
  if (!ok) console.warn(`[skip] no Chromium at ${chromiumPath()} (set QB_CHROMIUM): the bench CLI test is skipped.`);
  return ok;
}

const chromium = hasChromium();

describe('bench command line', () => {
  it('parses options and defaults', () => {
    const a = parseBenchArgs(['m.onnx', '--threads', '2', '--time-ms=300', '--sweep', '1,2,4', '--latency-limit-ms', '50', '--ep', 'wasm', '--json']);
    expect(a).toMatchObject({ model: 'm.onnx', ep: 'wasm', threads: 2, json: true, sweep: { batches: [1, 2, 4], latencyLimitMs: 50 } });
    expect(a.options).toEqual({ timeBudgetMs: 300, device: 'wasm' });
    const d = parseBenchArgs(['m.onnx', '--sweep', '8']);
    expect(d.sweep).toEqual({ batches: [8], latencyLimitMs: 100 });
    expect(d.threads).toBeGreaterThanOrEqual(1);
  });

  it.each([
    [['--threads', '2'], 'bench needs a model file.'],
    [['m.onnx', '--ep', 'cuda'], '--ep takes wasm or webgpu (got "cuda").'],
    [['m.onnx', '--threads', '0'], '--threads takes a whole number above zero (got "0").'],
    [['m.onnx', '--sweep', '1,x'], '--sweep takes a whole number above zero (got "x").'],
    [['m.onnx', '--latency-limit-ms', '50'], '--latency-limit-ms goes with --sweep.'],
    [['m.onnx', '--fast'], 'Unknown option --fast'],
    [['a.onnx', 'b.onnx'], 'bench takes one model file (got "a.onnx" and "b.onnx").'],
  ])('refuses %j with exit code 2', async (argv, message) => {
    const r = await runCli(['bench', ...argv]);
    expect(r.code).toBe(2);
    expect(r.err.startsWith(message)).toBe(true);
    expect(r.err).toContain('Usage: quantbench bench');
  });

  it('prints its help', async () => {
    const r = await runCli(['bench', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('--sweep B,B,...');
  });

  it('says plainly when the model file is missing (exit 1, JSON error)', async () => {
    const r = await runCli(['bench', 'no-such-model.onnx', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toEqual({ error: { code: 'internal', message: 'No such file: no-such-model.onnx' } });
  });

  // The first run may build the app (vite build, ~30 s) and starts Chromium.
  it.skipIf(!chromium)(
    'benchmarks the demo model in Chromium and prints the result as JSON',
    async () => {
      const r = await runCli(['bench', DEMO, '--time-ms', '300', '--threads', '2', '--json']);
      expect(r.code, r.err).toBe(0);
      const result = JSON.parse(r.out) as BenchResult;
      const { run, size, sweep } = result;
      expect(sweep).toBeNull();
      expect(run.env).toMatchObject({ ep: 'wasm', requestedThreads: 2, crossOriginIsolated: true, ortVersion: '1.30.0' });
      // The harness page is cross-origin isolated, so the requested threads run.
      expect(run.env.threads).toBe(2);
      expect(run.env.browser).toMatch(/^Chromium \d+$/);
      expect(run.batch).toBe(1);
      expect(run.coldStart.sessionCreateMs).toBeGreaterThan(0);
      expect(run.coldStart.firstRunMs).toBeGreaterThan(0);
      const l = run.latency;
      expect(l.runs).toBeGreaterThanOrEqual(10);
      expect(run.samplesMs).toHaveLength(l.runs);
      expect(l.minMs).toBeLessThanOrEqual(l.p50Ms);
      expect(l.p50Ms).toBeLessThanOrEqual(l.p90Ms);
      expect(l.p90Ms).toBeLessThanOrEqual(l.p99Ms);
      expect(l.p99Ms).toBeLessThanOrEqual(l.maxMs);
      expect(l.fps).toBeGreaterThan(0);
      expect(run.inputs).toEqual([{ name: 'image', type: 'float32', dims: [1, 3, 32, 32] }]);
      for (const w of run.warnings) expect(['noisy', 'warmup-unstable']).toContain(w.kind);
      expect(size.bytes).toBe(statSync(DEMO).size);
      expect(size.gzipBytes).toBeGreaterThan(0);
      expect(size.gzipBytes).toBeLessThan(size.bytes);
      expect(size.paramsByType).toEqual({ float: 6164 });
    },
    240_000,
  );

  it.skipIf(!chromium)(
    'prints a text report, and an error for a file that is not a model',
    async () => {
      const r = await runCli(['bench', DEMO, '--time-ms', '100', '--threads', '1']);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(/^Benchmark of .*shapes-cnn\.onnx\n/);
      expect(r.out).toMatch(/engine {6}onnxruntime-web 1\.30\.0, wasm, 1 thread\n/);
      expect(r.out).toMatch(/latency {5}p50 [\d.]+ ms {3}p90 [\d.]+ ms {3}p99 [\d.]+ ms/);
      expect(r.out).toContain('params float 6,164');
      expect(r.err).toContain('Warming up until timings settle');
      const bad = await runCli(['bench', resolve(import.meta.dirname, '../../package.json')]);
      expect(bad.code).toBe(1);
      expect(bad.err).toContain('is a JSON text file, not an ONNX model');
    },
    240_000,
  );
});
