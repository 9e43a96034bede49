// Every model we write passes the reference implementation's checker: fixtures and re-encoded shared models.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { customDomainModel, externalDataModel, qdqModel, tinyConvModel } from '../../test/fixtures';
import { checkerPython, onnxCheck } from '../../test/onnx-checker';
import { hasSharedData, sharedPath, SHARED_MODELS } from '../../test/shared-data';
import { decodeModel, encodeModel } from './model-io';

const dir = mkdtempSync(join(tmpdir(), 'qb-checker-'));
const write = (name: string, bytes: Uint8Array): string => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};

describe.skipIf(checkerPython === undefined)('onnx.checker accepts what we write', () => {
  it('fixture models (inline, QDQ, custom domain)', () => {
    expect(onnxCheck(write('tiny.onnx', tinyConvModel().bytes))).toBe('');
    expect(onnxCheck(write('qdq.onnx', qdqModel().bytes))).toBe('');
    // A custom domain has no schema to check against, so only the structural check applies.
    expect(onnxCheck(write('custom.onnx', customDomainModel().bytes), false)).toBe('');
  });

  it('a model with external data, its weights file beside it', () => {
    const ext = externalDataModel();
    write(ext.dataFileName, ext.dataBytes);
    expect(onnxCheck(write('tiny-ext.onnx', ext.onnxBytes))).toBe('');
  });

  it('catches a broken model (the check can fail)', () => {
    const m = tinyConvModel().model;
    m.graph!.node[0]!.input[1] = 'no_such_tensor';
    expect(onnxCheck(write('broken.onnx', encodeModel(m)))).toMatch(/no_such_tensor/);
  });

  it.skipIf(!hasSharedData()).each(SHARED_MODELS)('re-encoded %s', (name) => {
    const bytes = new Uint8Array(readFileSync(sharedPath('models', name)));
    expect(onnxCheck(write(name, encodeModel(decodeModel(bytes, name))))).toBe('');
  });
});
