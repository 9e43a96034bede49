// inspectModel: external-data files are matched by name (or base name) and checked for length before use.
import { describe, expect, it } from 'vitest';
import { externalDataModel, tinyConvModel } from '../../test/fixtures';
import { QbError } from '../shared/errors';
import { pickModelFile } from '../shared/files';
import { checkModelSize } from '../onnx/model-io';
import { baseName, inspectModel } from './inspect';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof QbError ? e.code : `not a QbError: ${String(e)}`;
  }
  return undefined;
}

describe('inspectModel', () => {
  it('describes an inline model', () => {
    const { bytes } = tinyConvModel();
    const card = inspectModel('tiny.onnx', bytes);
    expect(card.fileSizeBytes).toBe(bytes.byteLength);
    expect(card.externalData).toEqual([]);
  });

  it('needs the external-data file, matches it by base name and checks its length', () => {
    const ext = externalDataModel();
    expect(codeOf(() => inspectModel('tiny-ext.onnx', ext.onnxBytes))).toBe('missing-external-data');
    const card = inspectModel('tiny-ext.onnx', ext.onnxBytes, { [`some/folder/${ext.dataFileName}`]: ext.dataBytes.byteLength });
    expect(card.externalData.map((e) => e.location)).toEqual([ext.dataFileName]);
    expect(codeOf(() => inspectModel('tiny-ext.onnx', ext.onnxBytes, { [ext.dataFileName]: 3 }))).toBe('bad-external-data');
  });

  it('baseName handles both separators', () => {
    expect(baseName('a/b\\c.data')).toBe('c.data');
  });
});

describe('file checks before reading', () => {
  it('rejects empty and over-large files with plain messages', () => {
    expect(codeOf(() => checkModelSize('m.onnx', 0))).toBe('empty-file');
    expect(codeOf(() => checkModelSize('m.onnx', 3e9))).toBe('too-large');
    expect(codeOf(() => checkModelSize('m.onnx', 1e6))).toBeUndefined();
  });

  it('picks the .onnx file among dropped files', () => {
    const files = [{ name: 'm.onnx.data', size: 10 }, { name: 'M.ONNX', size: 5 }];
    expect(pickModelFile(files).model.name).toBe('M.ONNX');
    expect(pickModelFile(files).others.map((f) => f.name)).toEqual(['m.onnx.data']);
    expect(codeOf(() => pickModelFile([{ name: 'a.txt', size: 1 }, { name: 'b.txt', size: 1 }]))).toBe('not-onnx');
  });
});
