// Tensor sample assembly: shapes against the model's declared input, batch/sample splits, dtype conversion,
// .npz archives, plain-language errors; and random-input defaults, checks and determinism.
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { floatsToFloat16Bits } from '../onnx/float16';
import type { TensorIO } from '../onnx/summary';
import { QbError } from '../shared/errors';
import { encodeNpy, parseNpy } from './npy';
import { checkRandomSpec, defaultRandomSpec, randomSamples } from './random-inputs';
import { explainRunError, feedableInput, layoutFor, readTensorFile, samplesFromArray, TensorFileReader, toFloat32 } from './tensor-samples';

const AUDIO: TensorIO = { name: 'input', dtype: 'float32', shape: ['batch', 'samples'] };
const IMAGE: TensorIO = { name: 'image', dtype: 'float32', shape: [1, 3, 32, 32] };

function qbError(fn: () => unknown): QbError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(QbError);
    return err as QbError;
  }
  throw new Error('expected a QbError');
}

const ramp = (n: number, scale = 1): Float32Array => Float32Array.from({ length: n }, (_, i) => i * scale);

describe('layoutFor', () => {
  it('takes a sample with or without its batch dim, and splits a leading batch or sample axis', () => {
    expect(layoutFor([1, 1536], AUDIO, 'a.npy')).toEqual({ count: 1, dims: [1, 1536] });
    expect(layoutFor([1536], AUDIO, 'a.npy')).toEqual({ count: 1, dims: [1, 1536] });
    // Symbolic dims accept any size.
    expect(layoutFor([1, 16000], AUDIO, 'a.npy')).toEqual({ count: 1, dims: [1, 16000] });
    // A batch of 5 rows becomes 5 samples of one row each.
    expect(layoutFor([5, 1536], AUDIO, 'a.npy')).toEqual({ count: 5, dims: [1, 1536] });
    expect(layoutFor([5, 3, 32, 32], IMAGE, 'x.npy')).toEqual({ count: 5, dims: [1, 3, 32, 32] });
    expect(layoutFor([3, 32, 32], IMAGE, 'x.npy')).toEqual({ count: 1, dims: [1, 3, 32, 32] });
    // One dim more than the model: stacked samples, each with its own batch dim.
    expect(layoutFor([4, 1, 3, 32, 32], IMAGE, 'x.npy')).toEqual({ count: 4, dims: [1, 3, 32, 32] });
    // An undeclared shape takes the array as it is.
    expect(layoutFor([2, 7], { name: 'x', dtype: 'float32', shape: null }, 'x.npy')).toEqual({ count: 1, dims: [2, 7] });
  });

  it('feeds a whole batch when the model fixes the batch dim above 1', () => {
    const batch4: TensorIO = { name: 'x', dtype: 'float32', shape: [4, 10] };
    expect(layoutFor([4, 10], batch4, 'b.npy')).toEqual({ count: 1, dims: [4, 10] });
    expect(qbError(() => layoutFor([2, 10], batch4, 'b.npy')).message).toBe(
      'b.npy has shape [2, 10] but the model\'s input "x" is [4, 10]: its dimension 1 is 2 where the model needs 4.',
    );
  });

  it('names the dim that does not fit, in the model card\'s terms', () => {
    const e = qbError(() => layoutFor([1, 3, 64, 64], IMAGE, 'sample_3.npy'));
    expect(e.code).toBe('bad-tensor');
    expect(e.message).toBe('sample_3.npy has shape [1, 3, 64, 64] but the model\'s input "image" is [1, 3, 32, 32]: its dimension 3 is 64 where the model needs 32.');
    expect(qbError(() => layoutFor([3, 64, 64], IMAGE, 's.npy')).message).toContain('its dimension 2 is 64 where the model needs 32 (the file has no batch dimension)');
    expect(qbError(() => layoutFor([2, 1, 3, 64, 32], IMAGE, 's.npy')).message).toContain('(its first dimension was taken as the sample count)');
    expect(qbError(() => layoutFor([1, 2, 3, 4, 5, 6], AUDIO, 'w.npy')).message).toBe(
      'w.npy has shape [1, 2, 3, 4, 5, 6] but the model\'s input "input" is [batch, samples]: it has 6 dimensions where the model takes 2 (or 1 without the batch dimension).',
    );
    expect(qbError(() => layoutFor([], AUDIO, 's.npy')).message).toContain('holds a single number');
    expect(qbError(() => layoutFor([0, 1536], AUDIO, 's.npy')).message).toBe('s.npy is empty (shape [0, 1536]): it holds no values.');
  });
});

describe('dtype conversion', () => {
  it('converts every .npy dtype to float32', () => {
    const values = [0, 1, -2, 3];
    const cases = [
      encodeNpy(Float64Array.from(values), [4]),
      encodeNpy(Int32Array.from(values), [4]),
      encodeNpy(Int8Array.from(values), [4]),
      encodeNpy(BigInt64Array.from(values.map(BigInt)), [4]),
      encodeNpy(floatsToFloat16Bits(Float32Array.from(values)), [4]),
    ];
    for (const bytes of cases) expect(Array.from(toFloat32(parseNpy(bytes)))).toEqual(values);
    expect(Array.from(toFloat32(parseNpy(encodeNpy(Uint8Array.from([0, 1, 255]), [3]))))).toEqual([0, 1, 255]);
    expect(Array.from(toFloat32(parseNpy(encodeNpy(Uint8Array.from([1, 0]), [2], 'bool'))))).toEqual([1, 0]);
    expect(toFloat32(parseNpy(encodeNpy(Float64Array.from([0.1]), [1])))[0]).toBeCloseTo(0.1, 7);
  });

  it('splits a batch into rows that own their data, in order', () => {
    const samples = samplesFromArray(parseNpy(encodeNpy(ramp(6), [3, 2])), 'w.npy', { name: 'x', dtype: 'float32', shape: ['n', 2] });
    expect(samples.map((s) => s.name)).toEqual(['w.npy[0]', 'w.npy[1]', 'w.npy[2]']);
    expect(samples.map((s) => Array.from(s.data))).toEqual([[0, 1], [2, 3], [4, 5]]);
    expect(samples.every((s) => s.data.byteLength === s.data.buffer.byteLength)).toBe(true);
    expect(samples[0]!.dims).toEqual([1, 2]);
  });
});

describe('readTensorFile and TensorFileReader', () => {
  const npz = (members: Record<string, Uint8Array>): Uint8Array => zipSync(Object.fromEntries(Object.entries(members).map(([k, v]) => [`${k}.npy`, v])));

  it('takes each .npz array as a sample, leaving out the ones that do not fit', () => {
    const bytes = npz({ arr_0: encodeNpy(ramp(1536), [1536]), arr_1: encodeNpy(ramp(3072), [2, 1536]), arr_2: encodeNpy(ramp(8), [1, 2, 2, 2]) });
    const got = readTensorFile(bytes, 'clips.npz', AUDIO);
    expect(got.samples.map((s) => s.name)).toEqual(['clips.npz:arr_0', 'clips.npz:arr_1[0]', 'clips.npz:arr_1[1]']);
    expect(got.rejected).toEqual(['clips.npz:arr_2 has shape [1, 2, 2, 2] but the model\'s input "input" is [batch, samples]: it has 4 dimensions where the model takes 2 (or 1 without the batch dimension).']);
  });

  it('feeds the .npz array named after the model input, and reports the others as unused', () => {
    const bytes = npz({ input: encodeNpy(ramp(1536), [1, 1536]), sr: encodeNpy(Int32Array.from([16000]), [1]) });
    const got = readTensorFile(bytes, 'speech/a.npz', AUDIO);
    expect(got.samples.map((s) => [s.name, s.dims])).toEqual([['speech/a.npz', [1, 1536]]]);
    expect(got.unused).toEqual(['speech/a.npz:sr']);
  });

  it('reports unusable files as problems, keeps the good ones, and fails only when nothing fits', () => {
    const reader = new TensorFileReader(AUDIO);
    expect(reader.read(encodeNpy(ramp(1536), [1, 1536]), 'a.npy')).toHaveLength(1);
    expect(reader.read(new TextEncoder().encode('not numpy'), 'b.npy')).toEqual([]);
    expect(reader.read(encodeNpy(ramp(8), [1, 2, 2, 2]), 'c.npy')).toEqual([]);
    const problems = reader.problems();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'bad-tensor', count: 2 });
    expect(problems[0]!.message).toContain('2 tensor files cannot be used and are left out. The first: b.npy is not a NumPy .npy file');
    expect(problems[0]!.items[1]).toContain('c.npy: c.npy has shape [1, 2, 2, 2]');
    expect(() => reader.requireSamples()).not.toThrow();

    const none = new TensorFileReader(AUDIO);
    none.read(encodeNpy(ramp(8), [1, 2, 2, 2]), 'only.npy');
    expect(none.problems()[0]!.message).toMatch(/^only\.npy has shape \[1, 2, 2, 2\].* It is left out\.$/);
    expect(qbError(() => none.requireSamples()).message).toMatch(/^only\.npy has shape \[1, 2, 2, 2\] but the model's input "input" is \[batch, samples\]/);
    none.read(encodeNpy(ramp(4), [1, 1, 1, 4]), 'two.npy');
    expect(qbError(() => none.requireSamples()).message).toMatch(/^None of the 2 tensor files fits the model's input "input" \[batch, samples\]\. The first: only\.npy/);
  });
});

describe('feedableInput', () => {
  it('accepts one float input and refuses the rest in plain words', () => {
    expect(feedableInput([AUDIO])).toBe(AUDIO);
    expect(feedableInput([{ ...AUDIO, dtype: 'float16' }]).dtype).toBe('float16');
    expect(qbError(() => feedableInput([])).message).toContain('no inputs');
    expect(qbError(() => feedableInput([{ name: 'input_ids', dtype: 'int64', shape: ['batch', 'seq'] }])).message).toBe(
      'The model\'s input "input_ids" takes int64 values (such as token ids); Quantbench can feed float32 and float16 inputs only so far, so it cannot run this model on tensors.',
    );
    const two = qbError(() => feedableInput([AUDIO, { name: 'sr', dtype: 'int64', shape: [] }], 'random inputs'));
    expect(two.code).toBe('unsupported');
    expect(two.message).toContain('takes 2 inputs (input, sr)');
    expect(two.message).toContain('random inputs');
  });
});

describe('explainRunError', () => {
  it('names the sample, its shape and the declared shape, keeping the runtime\'s words as detail', () => {
    const ort = new QbError('runtime', 'The browser runtime could not run this model.', 'Pad: invalid reflect pad');
    const e = explainRunError(ort, { name: 'sample_3.npy', input: { dims: [1, 512] } }, AUDIO, 'tensors') as QbError;
    expect(e.message).toMatch(/^The model could not run on sample_3\.npy \(shape \[1, 512\]\)\. The model's input "input" is declared as \[batch, samples\]/);
    expect(e.detail).toContain('invalid reflect pad');
    const r = explainRunError(ort, { name: 'random-01', input: { dims: [1, 512] } }, AUDIO, 'random') as QbError;
    expect(r.message).toContain('open dimensions');
    const cancelled = new QbError('cancelled', 'Cancelled.');
    expect(explainRunError(cancelled, { name: 'x', input: { dims: [1] } }, AUDIO, 'tensors')).toBe(cancelled);
  });
});

describe('random inputs', () => {
  it('sizes open dims: 1 for the batch, 224 for image sides, 1536 otherwise', () => {
    expect(defaultRandomSpec(AUDIO)).toMatchObject({ spec: { count: 16, dims: [1, 1536], min: -1, max: 1, seed: 1 }, open: [{ index: 0, name: 'batch' }, { index: 1, name: 'samples' }], imageLike: false });
    expect(defaultRandomSpec(IMAGE)).toMatchObject({ spec: { dims: [1, 3, 32, 32], min: 0, max: 1 }, open: [], imageLike: true });
    expect(defaultRandomSpec({ name: 'x', dtype: 'float32', shape: ['N', 3, 'H', 'W'] }).spec.dims).toEqual([1, 3, 224, 224]);
    expect(defaultRandomSpec({ name: 'x', dtype: 'float32', shape: ['N', 'H', 'W', 3] }).spec.dims).toEqual([1, 224, 224, 3]);
    expect(defaultRandomSpec({ name: 'x', dtype: 'float32', shape: null })).toMatchObject({ spec: { dims: [1, 1536] }, shapeKnown: false });
  });

  it('checks the spec against the model and lists every problem', () => {
    const ok = defaultRandomSpec(IMAGE).spec;
    expect(() => checkRandomSpec(ok, IMAGE)).not.toThrow();
    const e = qbError(() => checkRandomSpec({ ...ok, count: 0, dims: [1, 3, 64, 32], min: 1, max: 1 }, IMAGE));
    expect(e.code).toBe('bad-tensor');
    expect(e.message).toContain('the number of samples must be a whole number from 1 to 10000');
    expect(e.message).toContain('dimension 3 must be 32 (the model fixes it), not 64');
    expect(e.message).toContain('the value range needs a lowest value below the highest');
    expect(qbError(() => checkRandomSpec({ ...ok, dims: [1, 3, 32] }, IMAGE)).message).toContain('has 4 dimensions [1, 3, 32, 32], not 3');
    expect(qbError(() => checkRandomSpec({ ...ok, dims: [1, 100000, 1000] }, { name: 'x', dtype: 'float32', shape: null })).message).toContain('more than the');
  });

  it('draws the same seeded values every time, uniform in the range', () => {
    const spec = { count: 3, dims: [1, 1000], min: -1, max: 1, seed: 7 };
    const a = [...randomSamples(spec)];
    const b = [...randomSamples(spec)];
    expect(a.map((s) => s.name)).toEqual(['random-01', 'random-02', 'random-03']);
    expect(a.map((s) => Array.from(s.data))).toEqual(b.map((s) => Array.from(s.data)));
    expect(Array.from(a[0]!.data)).not.toEqual(Array.from(a[1]!.data));
    const all = a.flatMap((s) => Array.from(s.data));
    expect(Math.min(...all)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...all)).toBeLessThan(1);
    expect(Math.abs(all.reduce((x, y) => x + y, 0) / all.length)).toBeLessThan(0.05);
    expect([...randomSamples({ ...spec, seed: 8 })][0]!.data[0]).not.toBe(a[0]!.data[0]);
  });
});
