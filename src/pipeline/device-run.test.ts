// runOnDevice in Node (wasm on both sides): the comparison, the output summary and the timings are all filled in.
import { beforeAll, describe, expect, it } from 'vitest';
import { tinyConvModel } from '../../test/fixtures';
import { loadOrt } from '../runtime/ort';
import { runOnDevice } from './device-run';

describe('runOnDevice', () => {
  beforeAll(async () => {
    await loadOrt(1);
  });

  it('runs the model cold and warm on each side and compares the outputs', async () => {
    const stages: string[] = [];
    const r = await runOnDevice(tinyConvModel().bytes, 'wasm', { inputSeed: 3, onStage: (s) => stages.push(s) });
    expect(stages).toEqual(['device', 'reference']);
    expect(r.device).toBe('wasm');
    expect(r.inputSeed).toBe(3);
    expect(r.checkedAgainstWasm.cosine).toBeCloseTo(1, 6);
    expect(r.checkedAgainstWasm.maxAbsDiff).toBe(0);
    expect(r.outputs).toMatchObject({ name: 'output', dims: [1, 10] });
    expect(r.outputs.argmax).toBeGreaterThanOrEqual(0);
    expect(r.outputs.min).toBeLessThanOrEqual(r.outputs.max);
    expect(r.placement).toBeNull();
    for (const ms of [r.firstRunMs, r.latencyMs, r.wasmLatencyMs]) expect(ms).toBeGreaterThanOrEqual(0);
    expect(r.warmRuns.device).toBeGreaterThanOrEqual(1);
    expect(r.warmRuns.wasm).toBeLessThanOrEqual(5);
  });
});
