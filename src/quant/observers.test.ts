// Calibration observers against exact answers: running/averaged min/max, streaming histograms that grow mid-stream,
// percentiles vs sorted arrays, clipping that beats MinMax on outliers, edge tensors, flat memory, throughput (printed).
import { describe, expect, it } from 'vitest';
import { QbError } from '../shared/errors';
import { makeRng, type Rng } from '../shared/rng';
import { MIN_RANGE, TensorObserver, klThresholdBins, type CalibrationMethod, type RangeKind } from './observers';
import { fakeQuantize, sqnrDb, symmetricParams, type QType } from './qparams';

const HISTOGRAM_METHODS: CalibrationMethod[] = ['percentile', 'entropy', 'mse'];
const ALL_METHODS: CalibrationMethod[] = ['minmax', ...HISTOGRAM_METHODS];
const KINDS: RangeKind[] = ['symmetric', 'asymmetric'];

/** Standard normal samples (Box-Muller on the project's seeded generator). */
function normals(rng: Rng, n: number, sigma = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = 1 - rng();
    const v = rng();
    out[i] = sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  return out;
}

function uniforms(rng: Rng, n: number, lo: number, hi: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rng();
  return out;
}

function concat(chunks: Float32Array[]): Float32Array {
  const out = new Float32Array(chunks.reduce((s, c) => s + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function observer(method: CalibrationMethod, images: Float32Array[], options: { percentile?: number; bins?: number } = {}): TensorObserver {
  const o = new TensorObserver({ method, ...options });
  for (const image of images) o.observe(image);
  return o;
}

/** numpy-style percentile (linear interpolation between order statistics) of a sorted array. */
function sortedPercentile(sorted: Float64Array, p: number): number {
  const pos = (p / 100) * (sorted.length - 1);
  const i = Math.floor(pos);
  const j = Math.min(i + 1, sorted.length - 1);
  return sorted[i]! + (pos - i) * (sorted[j]! - sorted[i]!);
}

/** SQNR (dB) of the data after symmetric int8 quantize-dequantize with the given range. */
function sqnrWith(data: Float32Array, range: { min: number; max: number }): number {
  return sqnrDb(data, fakeQuantize(data, symmetricParams(range.min, range.max, 'int8')));
}

describe('TensorObserver: minmax', () => {
  it('tracks the exact running min/max over several arrays', () => {
    const rng = makeRng(11);
    const images = [normals(rng, 1000, 0.5), uniforms(rng, 777, -3, 0.25), normals(rng, 4096, 2)];
    const o = observer('minmax', images);
    let lo = Infinity;
    let hi = -Infinity;
    for (const image of images) {
      for (const x of image) {
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
    }
    expect(o.images).toBe(3);
    expect(o.min).toBe(lo);
    expect(o.max).toBe(hi);
    expect(o.range('asymmetric', 'int8')).toEqual({ min: lo, max: hi });
    const t = Math.max(-lo, hi);
    expect(o.range('symmetric', 'int8')).toEqual({ min: -t, max: t });
    expect(o.bytesHeld).toBeLessThan(512);
  });

  it('moving average matches a hand computation (c = 0.25) while min/max stay absolute', () => {
    const o = new TensorObserver({ method: 'minmax', movingAverage: 0.25 });
    o.observe(new Float32Array([-1, 0, 2]));
    o.observe(new Float32Array([-3, 1]));
    o.observe(new Float32Array([0.5, 4, 1]));
    // min: -1 -> -1 + 0.25·(-3 + 1) = -1.5 -> -1.5 + 0.25·(0.5 + 1.5) = -1
    // max:  2 ->  2 + 0.25·(1 - 2) = 1.75 -> 1.75 + 0.25·(4 - 1.75) = 2.3125
    expect(o.range('asymmetric', 'uint8')).toEqual({ min: -1, max: 2.3125 });
    expect(o.range('symmetric', 'int8')).toEqual({ min: -2.3125, max: 2.3125 });
    expect(o.min).toBe(-3);
    expect(o.max).toBe(4);
  });

  it('observeMinMax gives the same ranges as observe, plain and averaged', () => {
    const rng = makeRng(12);
    for (const movingAverage of [0, 0.01, 0.5]) {
      const full = new TensorObserver({ method: 'minmax', movingAverage });
      const reduced = new TensorObserver({ method: 'minmax', movingAverage });
      for (let k = 0; k < 20; k++) {
        const image = normals(rng, 500, 1 + k / 4);
        full.observe(image);
        let lo = Infinity;
        let hi = -Infinity;
        for (const x of image) {
          lo = Math.min(lo, x);
          hi = Math.max(hi, x);
        }
        reduced.observeMinMax(lo, hi);
      }
      expect(reduced.images).toBe(20);
      for (const kind of KINDS) expect(reduced.range(kind, 'int8')).toEqual(full.range(kind, 'int8'));
      expect([reduced.min, reduced.max]).toEqual([full.min, full.max]);
    }
  });

  it('observeMinMax is refused by the histogram methods and checks its arguments', () => {
    for (const method of HISTOGRAM_METHODS) {
      expect(() => new TensorObserver({ method }).observeMinMax(-1, 1)).toThrow(QbError);
    }
    expect(() => new TensorObserver({ method: 'minmax' }).observeMinMax(2, 1)).toThrow(RangeError);
    expect(TensorObserver.needsFullTensor('minmax')).toBe(false);
    for (const method of HISTOGRAM_METHODS) expect(TensorObserver.needsFullTensor(method)).toBe(true);
  });
});

describe('TensorObserver: streaming histograms', () => {
  it('10 chunks give the same ranges as one concatenated array, even when later chunks grow R 64x', () => {
    const rng = makeRng(21);
    const chunks = [uniforms(rng, 20_000, 0, 1)];
    for (let k = 1; k < 10; k++) chunks.push(k % 2 === 0 ? uniforms(rng, 20_000, 0, 40) : normals(rng, 20_000, 6));
    const all = concat(chunks);
    // Largest magnitudes first: each side's R is set once by its extreme and never grows, so this reference checks
    // that re-binning on growth is exact (the concatenated array grows R at the same values as the chunks do).
    const noGrowth = Float32Array.from(all).sort((a, b) => Math.abs(b) - Math.abs(a));
    for (const method of HISTOGRAM_METHODS) {
      const streamed = observer(method, chunks);
      expect(streamed.max).toBeGreaterThan(32);
      expect(streamed.min).toBeLessThan(-16);
      // After growth R is the power of two above the max on each side: 64 here, so a bin is 64/2048 wide.
      const binWidth = 64 / 2048;
      for (const reference of [observer(method, [all]), observer(method, [noGrowth])]) {
        for (const kind of KINDS) {
          for (const type of ['int8', 'uint8'] as QType[]) {
            const a = streamed.range(kind, type);
            const b = reference.range(kind, type);
            expect(Math.abs(a.min - b.min), `${method} ${kind} ${type}`).toBeLessThanOrEqual(binWidth);
            expect(Math.abs(a.max - b.max), `${method} ${kind} ${type}`).toBeLessThanOrEqual(binWidth);
          }
        }
      }
      // The first chunk alone lies in [0, 1]: its own percentile must not be the streamed one (growth happened).
      expect(observer(method, [chunks[0]!]).range('symmetric', 'int8').max).toBeLessThanOrEqual(1);
    }
  });

  it('percentile of a seeded normal sample matches the exact sorted-array percentile within 1%', () => {
    const rng = makeRng(31);
    const chunks = Array.from({ length: 5 }, () => normals(rng, 100_000, 1.7));
    const all = concat(chunks);
    const abs = Float64Array.from(all, Math.abs).sort();
    const signed = Float64Array.from(all).sort();
    for (const p of [99, 99.9, 99.99]) {
      const o = observer('percentile', chunks, { percentile: p });
      const sym = o.range('symmetric', 'int8');
      const expected = sortedPercentile(abs, p);
      expect(Math.abs(sym.max - expected) / expected).toBeLessThan(0.01);
      expect(sym.min).toBe(-sym.max);
      // Asymmetric: (100 - p)/2 % of all values cut from each tail.
      const asym = o.range('asymmetric', 'uint8');
      const lo = sortedPercentile(signed, (100 - p) / 2);
      const hi = sortedPercentile(signed, 100 - (100 - p) / 2);
      expect(Math.abs(asym.min - lo) / -lo).toBeLessThan(0.01);
      expect(Math.abs(asym.max - hi) / hi).toBeLessThan(0.01);
    }
  });

  it('entropy, mse and percentile clip a few huge outliers and beat MinMax SQNR by >= 3 dB', () => {
    const rng = makeRng(41);
    const chunks = Array.from({ length: 10 }, () => normals(rng, 100_000));
    chunks[3]![123] = 50;
    chunks[7]![4567] = -48;
    const all = concat(chunks);
    const minmax = observer('minmax', chunks).range('symmetric', 'int8');
    expect(minmax.max).toBe(50);
    const baseline = sqnrWith(all, minmax);
    for (const method of HISTOGRAM_METHODS) {
      const o = observer(method, chunks);
      const r = o.range('symmetric', 'int8');
      expect(r.max, method).toBeLessThan(0.8 * 50);
      expect(r.max, method).toBeGreaterThan(2.5);
      expect(sqnrWith(all, r) - baseline, method).toBeGreaterThanOrEqual(3);
    }
  });

  it('MSE picks the range with the best measured SQNR among nearby candidates', () => {
    const rng = makeRng(42);
    const data = normals(rng, 400_000);
    data[10] = 30;
    const r = observer('mse', [data]).range('symmetric', 'int8');
    const best = sqnrWith(data, r);
    for (const f of [0.8, 1.25]) expect(sqnrWith(data, { min: -r.max * f, max: r.max * f })).toBeLessThan(best);
  });

  it('uniform data: entropy, mse and percentile keep (nearly) the whole range', () => {
    const rng = makeRng(51);
    const chunks = Array.from({ length: 4 }, () => uniforms(rng, 50_000, -3, 3));
    for (const method of HISTOGRAM_METHODS) {
      const o = observer(method, chunks);
      const trueMax = Math.max(-o.min, o.max);
      const sym = o.range('symmetric', 'int8');
      expect(sym.max / trueMax, method).toBeGreaterThan(0.95);
      expect(sym.max).toBeLessThanOrEqual(trueMax);
      const asym = o.range('asymmetric', 'uint8');
      expect(asym.min / o.min, method).toBeGreaterThan(0.95);
      expect(asym.max / o.max, method).toBeGreaterThan(0.95);
    }
  });

  it('ReLU-like data (half zeros): symmetric ranges start at 0, asymmetric ranges include 0, the zero spike does not drag entropy down', () => {
    const rng = makeRng(61);
    const chunks = Array.from({ length: 4 }, () => normals(rng, 50_000).map((x) => Math.max(x, 0)));
    for (const method of ALL_METHODS) {
      const o = observer(method, chunks);
      expect(o.min).toBe(0);
      for (const type of ['int8', 'uint8'] as QType[]) {
        const sym = o.range('symmetric', type);
        expect(sym.min, method).toBe(0);
        expect(sym.max, method).toBeGreaterThan(0.5 * o.max);
        const asym = o.range('asymmetric', type);
        expect(asym.min, method).toBe(0);
        expect(asym.max, method).toBeGreaterThan(0.5 * o.max);
      }
    }
  });

  it('klThresholdBins keeps every bin of flat data and cuts a histogram with a far outlier', () => {
    const flat = new Float64Array(2048).fill(0);
    for (let k = 0; k < 1500; k++) flat[k] = 1000;
    expect(klThresholdBins(flat, 128)).toBe(1500);
    const spiky = new Float64Array(2048);
    for (let k = 0; k < 200; k++) spiky[k] = Math.round(1e6 * Math.exp(-((k / 50) ** 2) / 2));
    spiky[2000] = 1;
    const i = klThresholdBins(spiky, 128)!;
    expect(i).toBeGreaterThanOrEqual(128);
    expect(i).toBeLessThan(400);
    expect(klThresholdBins(new Float64Array(2048).fill(1, 0, 100), 128)).toBeNull();
  });
});

describe('TensorObserver: edge tensors', () => {
  it('constant and all-zero tensors give usable non-zero-width ranges', () => {
    const cases: { value: number; sym: [number, number]; asym: [number, number] }[] = [
      { value: 3.5, sym: [0, 3.5], asym: [0, 3.5] },
      { value: -2, sym: [-2, 2], asym: [-2, 0] },
      { value: 0, sym: [0, MIN_RANGE], asym: [0, MIN_RANGE] },
    ];
    for (const method of ALL_METHODS) {
      for (const { value, sym, asym } of cases) {
        const data = new Float32Array(1000).fill(value);
        const o = observer(method, [data, data]);
        const s = o.range('symmetric', 'int8');
        expect([s.min, s.max], `${method} ${value}`).toEqual(sym);
        const a = o.range('asymmetric', 'uint8');
        expect([a.min, a.max], `${method} ${value}`).toEqual(asym);
        const p = symmetricParams(s.min, s.max, 'int8');
        expect(p.scale).toBeGreaterThan(0);
        const back = fakeQuantize(data, p);
        expect(Math.abs(back[0]! - value)).toBeLessThanOrEqual(p.scale / 2);
      }
    }
  });

  it('NaN and ±Infinity are counted and ignored', () => {
    const dirty = new Float32Array([1, NaN, -2, Infinity, 0.5, -Infinity, 0, NaN]);
    const clean = new Float32Array([1, -2, 0.5, 0]);
    for (const method of ALL_METHODS) {
      const o = observer(method, [dirty, dirty]);
      const ref = observer(method, [clean, clean]);
      expect(o.nonFinite, method).toBe(8);
      expect([o.min, o.max]).toEqual([-2, 1]);
      for (const kind of KINDS) expect(o.range(kind, 'int8'), `${method} ${kind}`).toEqual(ref.range(kind, 'int8'));
    }
    const onlyBad = observer('entropy', [new Float32Array([NaN, Infinity])]);
    expect(onlyBad.nonFinite).toBe(2);
    expect(() => onlyBad.range('symmetric', 'int8')).toThrow(QbError);
    const minmax = new TensorObserver({ method: 'minmax' });
    minmax.observeMinMax(NaN, 3);
    expect(minmax.nonFinite).toBe(1);
    expect(minmax.range('asymmetric', 'int8')).toEqual({ min: 0, max: 3 });
  });

  it('an all-negative image keeps its exact max; -0 counts as zero', () => {
    const o = observer('percentile', [new Float32Array([-3, -0.25, -1])]);
    expect([o.min, o.max]).toEqual([-3, -0.25]);
    const z = observer('entropy', [new Float32Array([-0, -0, 2])]);
    expect(Object.is(z.min, 0)).toBe(true);
    expect(z.range('symmetric', 'uint8').min).toBe(0);
  });

  it('rejects bad options', () => {
    expect(() => new TensorObserver({ method: 'percentile', percentile: 0 })).toThrow(RangeError);
    expect(() => new TensorObserver({ method: 'minmax', movingAverage: 1.5 })).toThrow(RangeError);
    expect(() => new TensorObserver({ method: 'entropy', bins: 100.5 })).toThrow(RangeError);
  });
});

describe('TensorObserver: memory and speed', () => {
  it('bytesHeld after 10 images equals bytesHeld after 1,000 images of varying ranges', () => {
    const rng = makeRng(71);
    for (const method of ALL_METHODS) {
      const o = new TensorObserver({ method });
      let after10 = 0;
      for (let k = 0; k < 1000; k++) {
        o.observe(normals(rng, 256, 10 ** (6 * rng() - 3)));
        if (k === 9) after10 = o.bytesHeld;
      }
      expect(o.images).toBe(1000);
      expect(o.bytesHeld, method).toBe(after10);
      if (method !== 'minmax') expect(o.bytesHeld).toBeGreaterThanOrEqual(2 * 2048 * 8);
    }
  });

  it('prints throughput (M elements/s) and range() time per method (not asserted)', () => {
    const rng = makeRng(81);
    const data = normals(rng, 4_000_000);
    const relu = data.map((x) => Math.max(x, 0));
    const lines: string[] = [];
    for (const method of ALL_METHODS) {
      for (const [name, d] of [['normal', data], ['relu', relu]] as const) {
        const o = new TensorObserver({ method });
        o.observe(d);
        let best = Infinity;
        for (let r = 0; r < 5; r++) {
          const t0 = performance.now();
          o.observe(d);
          best = Math.min(best, performance.now() - t0);
        }
        const t1 = performance.now();
        o.range('symmetric', 'int8');
        const t2 = performance.now();
        o.range('asymmetric', 'uint8');
        const t3 = performance.now();
        lines.push(`${method.padEnd(10)} ${name.padEnd(6)} observe ${(d.length / best / 1000).toFixed(0).padStart(4)} M elem/s; range sym ${(t2 - t1).toFixed(1)} ms, asym ${(t3 - t2).toFixed(1)} ms`);
      }
    }
    console.log(`observer throughput on 4M-element tensors:\n${lines.join('\n')}`);
  });
});
