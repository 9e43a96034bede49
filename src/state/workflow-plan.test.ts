// The one-button plan: static INT8 for CNNs with samples, dynamic for transformers (and CNNs without samples),
// WebGPU only with shader-f16, and the reasons the button is blocked.
import { describe, expect, it } from 'vitest';
import type { ModelCard } from '../onnx/summary';
import type { RuntimeInfo } from '../runtime/probe';
import { defaultChoices, optimizePlan, type PlanInputs } from './workflow-plan';

const CNN = { fileName: 'squeezenet.onnx', opTypes: { Conv: 26, Relu: 26, MaxPool: 3 }, blockers: [], quantization: { quantized: false } } as unknown as ModelCard;
const VIT = { fileName: 'deit.onnx', opTypes: { MatMul: 48, Softmax: 12, LayerNormalization: 25 }, blockers: [], quantization: { quantized: false } } as unknown as ModelCard;
const PLATFORM = { hardwareConcurrency: 4, crossOriginIsolated: true };

function inputs(patch: Partial<PlanInputs> = {}): PlanInputs {
  return {
    card: CNN,
    runtime: null,
    platform: PLATFORM,
    choices: defaultChoices(PLATFORM),
    source: { kind: 'dataset', inputKind: 'images', count: 250 },
    hasDataset: true,
    labelled: true,
    busy: null,
    ...patch,
  };
}

const gpu = (shaderF16: boolean): RuntimeInfo => ({ webgpu: { available: true, shaderF16, reason: '' } }) as unknown as RuntimeInfo;

describe('optimizePlan', () => {
  it('makes static INT8 for a CNN with images, calibrated on min(subset, samples)', () => {
    const p = optimizePlan(inputs());
    expect(p.int8Mode).toBe('static');
    expect(p.device).toBe('wasm');
    expect(p.blocked).toBeNull();
    expect(p.reasons.join(' ')).toContain('calibrated on 250 of your 250 samples');
    expect(p.choices.threads).toBe(4);
  });

  it('makes dynamic INT8 for a transformer, and for a CNN without samples (saying static needs images)', () => {
    expect(optimizePlan(inputs({ card: VIT })).int8Mode).toBe('dynamic');
    const bare = optimizePlan(inputs({ source: { kind: 'none' }, hasDataset: false, labelled: false }));
    expect(bare.int8Mode).toBe('dynamic');
    expect(bare.blocked).toBeNull();
    expect(bare.reasons.join(' ')).toMatch(/static INT8 suits this CNN better but needs 100–300 images/);
  });

  it('benchmarks on WebGPU only when it has 16-bit floats, unless the user chose', () => {
    expect(optimizePlan(inputs({ runtime: gpu(true) })).device).toBe('webgpu');
    expect(optimizePlan(inputs({ runtime: gpu(false) })).device).toBe('wasm');
    expect(optimizePlan(inputs({ runtime: gpu(true), choices: { ...defaultChoices(PLATFORM), device: 'wasm' } })).device).toBe('wasm');
  });

  it('is blocked, in plain words, while another job runs, with nothing to make, or static INT8 without images', () => {
    expect(optimizePlan(inputs({ busy: 'the benchmark' })).blocked).toBe('Wait for the benchmark to finish.');
    expect(optimizePlan(inputs({ choices: { ...defaultChoices(PLATFORM), makeFp16: false, makeInt8: false } })).blocked).toMatch(/at least one variant/);
    const staticChoice = { ...defaultChoices(PLATFORM), int8: { ...defaultChoices(PLATFORM).int8, mode: 'static' as const } };
    expect(optimizePlan(inputs({ choices: staticChoice, source: { kind: 'none' }, hasDataset: false })).blocked).toMatch(/needs images to calibrate/);
  });

  it('keeps threads within the cores', () => {
    expect(optimizePlan(inputs({ choices: { ...defaultChoices(PLATFORM), threads: 64 } })).choices.threads).toBe(4);
  });
});
