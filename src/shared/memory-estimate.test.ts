// Tests of memory-estimate.ts: the parts each job holds, and when a browser is told it cannot run a job.
import { describe, expect, it } from 'vitest';
import { ACTIVATION_FACTOR, ENGINE_OVERHEAD_BYTES, estimateJobMemory, judgeMemory, WASM_HEAP_LIMIT_BYTES, type ModelMemoryFacts } from './memory-estimate';

const MB = 1e6;
/** DeiT-Base as its card says: 346 MB file of float32 weights, the heaviest node 3.7 MB (attention Softmax). */
const DEIT: ModelMemoryFacts = { fileBytes: 346 * MB, floatWeightBytes: 346 * MB, weightBytes: 346 * MB, peakNodeBytes: 3.7 * MB, activationSumBytes: 200 * MB };

describe('estimateJobMemory', () => {
  it('dynamic INT8: the file once, the INT8 model being written, and the FP32 session in the engine', () => {
    const e = estimateJobMemory('int8-dynamic', DEIT);
    const engine = 346 * MB + ACTIVATION_FACTOR * 3.7 * MB + ENGINE_OVERHEAD_BYTES;
    expect(e.engineBytes).toBeCloseTo(engine, -1);
    expect(e.totalBytes).toBeCloseTo(346 * MB + 173 * MB + engine, -1);
    expect(e.parts.map((p) => p.what)).toEqual(['the model file, read once', 'the INT8 model being written', 'weights and activations in the engine']);
  });

  it('static INT8 adds the encoded float model and the activations calibration takes out', () => {
    const dyn = estimateJobMemory('int8-dynamic', DEIT);
    const stat = estimateJobMemory('int8-static', DEIT);
    expect(stat.totalBytes - dyn.totalBytes).toBeCloseTo(346 * MB + 200 * MB, -1);
  });

  it('FP16: the engine holds the FP16 weights and their FP32 copies', () => {
    const e = estimateJobMemory('fp16', DEIT);
    expect(e.engineBytes).toBeCloseTo(346 * MB + 173 * MB + ACTIVATION_FACTOR * 3.7 * MB + ENGINE_OVERHEAD_BYTES, -1);
  });

  it('SAM ViT-B at 1024x1024: the 805 MB attention matrices dominate the engine', () => {
    const attention = 12 * 4096 * 4096 * 4;
    const e = estimateJobMemory('int8-dynamic', { fileBytes: 358 * MB, floatWeightBytes: 358 * MB, weightBytes: 358 * MB, peakNodeBytes: 2 * attention, activationSumBytes: 9000 * MB });
    expect(e.engineBytes).toBeGreaterThan(2.5e9);
    expect(e.engineBytes).toBeLessThan(WASM_HEAP_LIMIT_BYTES);
  });
});

describe('judgeMemory', () => {
  const deit = estimateJobMemory('int8-dynamic', DEIT);

  it('runs a DeiT job anywhere Chrome reports 8 GB (its cap) or says nothing', () => {
    expect(judgeMemory(deit, { deviceMemoryGb: 8 })).toEqual({ fits: true, warning: null });
    expect(judgeMemory(deit, { deviceMemoryGb: null })).toEqual({ fits: true, warning: null });
  });

  it('warns above 60% of a small device and refuses beyond it, saying what to do', () => {
    // Static INT8 of DeiT needs ~1.6 GB: 79% of a 2 GB device.
    const two = judgeMemory(estimateJobMemory('int8-static', DEIT), { deviceMemoryGb: 2 });
    expect(two.fits).toBe(true);
    expect(two.fits && two.warning).toMatch(/close other tabs/);
    const one = judgeMemory(deit, { deviceMemoryGb: 1 });
    expect(one.fits).toBe(false);
    expect(!one.fits && one.reason).toMatch(/this device reports 1\.0 GB.*more memory, or the command line/);
  });

  it('refuses a job whose engine needs more than 4 GiB on any device: 32-bit WebAssembly cannot address it', () => {
    const huge = estimateJobMemory('int8-dynamic', { ...DEIT, peakNodeBytes: 3e9 });
    const v = judgeMemory(huge, { deviceMemoryGb: 8 });
    expect(v.fits).toBe(false);
    expect(!v.fits && v.reason).toMatch(/more than the 4 GB a browser's WebAssembly engine can address, so it cannot run here\. Export the model with a smaller input size/);
  });
});
