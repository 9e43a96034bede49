// Optimize slice without workers: file naming, and a WebGPU request on a browser without an adapter is answered
// "unavailable" at once (nothing is run, nothing is spawned).
import { describe, expect, it } from 'vitest';
import type { RuntimeInfo } from '../runtime/probe';
import { fp16FileName } from './optimize-slice';
import { useStore } from './store';

const NO_GPU: RuntimeInfo = {
  crossOriginIsolated: true,
  hardwareConcurrency: 2,
  ortThreads: 2,
  ortVersion: '1.30.0',
  backend: 'wasm',
  webgpu: { available: false, adapter: '', isFallbackAdapter: false, shaderF16: false, features: [], limits: {}, reason: 'This browser has no WebGPU; models run on the CPU (WebAssembly).' },
  userAgent: 'test',
};

describe('optimize slice', () => {
  it('names the variant <model>-fp16.onnx', () => {
    expect(fp16FileName('resnet20-cifar10-ace.onnx')).toBe('resnet20-cifar10-ace-fp16.onnx');
    expect(fp16FileName('Model.ONNX')).toBe('Model-fp16.onnx');
    expect(fp16FileName('weights')).toBe('weights-fp16.onnx');
  });

  it('answers a WebGPU run without an adapter with "unavailable" and the probe reason', async () => {
    useStore.setState({ runtime: { status: 'done', info: NO_GPU, error: null } });
    await useStore.getState().runOnWebGpu('model');
    const run = useStore.getState().webgpu.model;
    expect(run.status).toBe('unavailable');
    expect(run.message).toBe(NO_GPU.webgpu.reason);
    expect(run.result).toBeNull();
    expect(useStore.getState().webgpu.variant.status).toBe('idle');
  });
});
