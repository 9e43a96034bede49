// WebGPU sessions in Node: the checks that run before ORT is touched (refusals), with a stubbed adapter.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tinyConvModel } from '../../test/fixtures';
import { encodeModel } from '../onnx/model-io';
import { convertToFloat16 } from '../quant/fp16';
import { QbError } from '../shared/errors';

/** A GPU adapter like SwiftShader's in headless Chromium: no shader-f16. */
function stubAdapter(features: string[]): void {
  const adapter = { features: new Set(features), limits: { maxBufferSize: 268435456 }, info: { vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true } };
  vi.stubGlobal('navigator', { gpu: { requestAdapter: async () => adapter }, hardwareConcurrency: 2 });
}

/** A fresh module graph per test: the adapter probe and the ORT build are cached per realm. */
async function freshSession(build: 'wasm' | 'webgpu'): Promise<typeof import('./session')> {
  vi.resetModules();
  (await import('./ort')).selectOrtBuild(build);
  return import('./session');
}

async function rejection(p: Promise<unknown>): Promise<QbError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as QbError;
}

describe('ModelSession.create on WebGPU', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('refuses an FP16 model on an adapter without shader-f16, with the plain message, before loading ORT', async () => {
    stubAdapter([]);
    const { ModelSession, NO_SHADER_F16_MESSAGE } = await freshSession('webgpu');
    const fp16 = encodeModel(convertToFloat16(tinyConvModel().model).model);
    const err = await rejection(ModelSession.create(fp16, [], { device: 'webgpu' }));
    expect(err.name).toBe('QbError');
    expect((err as QbError).code).toBe('unsupported');
    expect(err.message).toBe(NO_SHADER_F16_MESSAGE);
    expect(err.message).toMatch(/^This GPU cannot run FP16 models \(no shader-f16 support\)/);
  });

  it('says WebGPU is unavailable when the browser has no adapter', async () => {
    vi.stubGlobal('navigator', { gpu: { requestAdapter: async () => null }, hardwareConcurrency: 2 });
    const { ModelSession } = await freshSession('webgpu');
    const err = await rejection(ModelSession.create(tinyConvModel().bytes, [], { device: 'webgpu' }));
    expect((err as QbError).code).toBe('unsupported');
    expect(err.message).toMatch(/WebGPU is not available in this browser/);
  });

  it('keeps WebGPU out of realms that loaded the wasm build', async () => {
    stubAdapter(['shader-f16']);
    const { ModelSession } = await freshSession('wasm');
    const err = await rejection(ModelSession.create(tinyConvModel().bytes, [], { device: 'webgpu' }));
    expect((err as QbError).code).toBe('internal');
  });
});
