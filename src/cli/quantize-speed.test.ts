// `quantbench quantize --precision int8 --runtime-aware`: layers timed in headless Chromium, the layout that measured
// fastest kept. Asserts the shape and consistency of the speed report and that the written model runs, never speed.
// Needs Chromium: skipped with a reason when it is absent, a failure in CI (QB_CI=1).
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli-run';
import type { Int8Report } from '../pipeline/int8';
import { chromiumPath } from './browser';

function hasChromium(): boolean {
  const ok = existsSync(chromiumPath());
  if (!ok && process.env.QB_CI === '1') throw new Error(`Chromium missing at ${chromiumPath()}: CI must have it (or QB_CHROMIUM set).`);
  if (!ok) console.warn(`[skip] no Chromium at ${chromiumPath()} (set QB_CHROMIUM): the runtime-aware INT8 CLI test is skipped.`);
  return ok;
}

const DEMO = resolve(import.meta.dirname, '../../public/demo');
const dir = mkdtempSync(join(tmpdir(), 'qb-int8-speed-'));

describe('quantbench quantize --runtime-aware', () => {
  it('rejects --threads without --runtime-aware and --runtime-aware with dynamic mode', async () => {
    expect((await runCli(['quantize', 'm.onnx', '--precision', 'int8', '--out', join(dir, 'x.onnx'), '--threads', '2'])).err).toContain('--threads applies to --runtime-aware');
    expect((await runCli(['quantize', 'm.onnx', '--precision', 'int8', '--out', join(dir, 'x.onnx'), '--runtime-aware', '--mode', 'dynamic'])).err).toContain('static mode only');
  });

  it.skipIf(!hasChromium())(
    'times FP32, plain INT8 and candidate layouts in Chromium and keeps the fastest INT8 model, with per-layer evidence',
    async () => {
      const out = join(dir, 'shapes-int8.onnx');
      const run = await runCli(['quantize', join(DEMO, 'shapes-cnn.onnx'), '--precision', 'int8', '--out', out, '--images', join(DEMO, 'images'), '--subset', '32', '--runtime-aware', '--threads', '1', '--json']);
      expect(run.code, run.err).toBe(0);
      const report = (JSON.parse(run.out) as { report: Int8Report }).report;
      const speed = report.speed!;
      expect(speed).not.toBeNull();
      expect(speed.device).toMatch(/^Chromium \d+, WebAssembly, 1 thread$/);
      expect(speed.candidates[0]!.label).toBe('FP32');
      expect(speed.candidates[1]!.label).toBe('INT8 (every layer)');
      expect(speed.candidates.length).toBeGreaterThanOrEqual(2);
      for (const c of speed.candidates) {
        expect(c.roundsMs).toHaveLength(3);
        expect(c.measuredMs).toBeGreaterThan(0);
      }
      // The report is consistent with its own measurements.
      expect(speed.fp32Ms).toBe(speed.candidates[0]!.measuredMs);
      expect(speed.speedup).toBeCloseTo(speed.fp32Ms / speed.chosenMs, 9);
      const int8Best = Math.min(...speed.candidates.slice(1).map((c) => c.measuredMs));
      // Faster: the fastest INT8 model was kept, by more than the noise margin. Not faster: plain INT8.
      if (speed.faster) {
        expect(speed.chosenMs).toBe(int8Best);
        expect(speed.chosenMs * 1.03).toBeLessThan(speed.fp32Ms);
      } else {
        expect(speed.fp32Ms / int8Best).toBeLessThanOrEqual(1.03);
        expect(speed.chosen).toBe('plain');
      }
      expect(speed.layers.length).toBeGreaterThan(0);
      expect(speed.layers.every((l) => l.fp32Us >= 0 && l.int8Us >= 0)).toBe(true);
      // Layers kept in float for speed are named as such, and the file still loads and runs.
      for (const name of speed.chosen === 'runtime-aware' ? speed.floatNodes : []) {
        const skipped = report.skippedNodes.find((s) => s.name === name);
        if (skipped !== undefined) expect(skipped.reason).toContain('Faster in float');
      }
      const session = await ort.InferenceSession.create(readFileSync(out));
      const input = new ort.Tensor('float32', new Float32Array(3 * 32 * 32).fill(0.5), [1, 3, 32, 32]);
      const result = await session.run({ [session.inputNames[0]!]: input });
      expect(Object.values(result)[0]!.data.length).toBeGreaterThan(0);
    },
    300_000,
  );
});
