// Fidelity metrics against numbers worked out by hand: top-k ties and NaN, SQNR, cosine, segmentation maps, detections.
import { describe, expect, it } from 'vitest';
import { detectionLayout, FidelityAccumulator, segmentationLayout, topK } from './metrics';

const f32 = (values: number[]): Float32Array => new Float32Array(values);

describe('topK', () => {
  it('returns indices largest first, lower index first on ties, NaN last', () => {
    const scores = f32([0.1, 0.5, 0.3, 0.5, NaN, 0.2]);
    expect(topK(scores, 3)).toEqual([1, 3, 2]);
    expect(topK(scores, 10)).toEqual([1, 3, 2, 5, 0, 4]);
    expect(topK(scores, 1)).toEqual([1]);
    expect(topK(f32([]), 5)).toEqual([]);
    expect(topK(f32([-3, -1, -2]), 2)).toEqual([1, 2]);
  });
});

describe('segmentationLayout', () => {
  it('tells classifiers from NCHW and NHWC segmentation maps', () => {
    expect(segmentationLayout([1, 1000, 1, 1])).toBeNull();
    expect(segmentationLayout([1, 10])).toBeNull();
    expect(segmentationLayout([1, 257, 257, 21])).toEqual({ classes: 21, outer: 257 * 257, inner: 1 });
    expect(segmentationLayout([1, 21, 257, 257])).toEqual({ classes: 21, outer: 1, inner: 257 * 257 });
    expect(segmentationLayout([1, 3, 3, 3], 3)).toEqual({ classes: 3, outer: 9, inner: 1 });
  });
});

describe('FidelityAccumulator, classification', () => {
  it('matches hand-computed agreement, SQNR and cosine', () => {
    const acc = new FidelityAccumulator();
    // Image 1: the two best classes swap. Argmax 5 vs 4; top-5 sets equal; Σr² = 91, Σo² = 91,
    // r·o = 1+4+9+16+30+30 = 90, Σ(r-o)² = 2.
    const first = acc.add(f32([1, 2, 3, 4, 5, 6]), f32([1, 2, 3, 4, 6, 5]), [1, 6]);
    expect(first).toMatchObject({ referenceTop1: 5, outputTop1: 4, segmentation: false });
    expect(first.cosine).toBeCloseTo(90 / 91, 12);
    // Image 2: same argmax (2), scaled: Σr² = 1, Σ(r-o)² = 1, cosine 1.
    acc.add(f32([0, 0, 1, 0, 0, 0]), f32([0, 0, 2, 0, 0, 0]), [1, 6, 1, 1]);
    const f = acc.result();
    expect(acc.count).toBe(2);
    expect(f.top1Agreement).toBe(0.5);
    expect(f.top5Overlap).toBe(1);
    expect(f.sqnrDb).toBeCloseTo(10 * Math.log10(92 / 3), 10); // 14.8659…
    expect(f.cosine).toBeCloseTo((90 / 91 + 1) / 2, 12);
    expect(f.pixelAgreement).toBeUndefined();
    expect(f.miou).toBeUndefined();
  });

  it('counts partial top-5 overlap', () => {
    const acc = new FidelityAccumulator();
    // top5(ref) = {0,1,2,3,4}, top5(out) = {6,5,4,3,2}: 3 shared.
    acc.add(f32([6, 5, 4, 3, 2, 1, 0]), f32([0, 1, 2, 3, 4, 5, 6]), [1, 7]);
    expect(acc.result().top5Overlap).toBeCloseTo(3 / 5, 12);
    expect(acc.result().top1Agreement).toBe(0);
    // r·o = 0+5+8+9+8+5+0 = 35, Σr² = 91.
    expect(acc.result().cosine).toBeCloseTo(35 / 91, 12);
  });

  it('gives +Infinity dB for identical outputs and handles zero vectors', () => {
    const acc = new FidelityAccumulator();
    acc.add(f32([0.25, 0.75]), f32([0.25, 0.75]), [1, 2]);
    expect(acc.result().sqnrDb).toBe(Infinity);
    expect(acc.result().cosine).toBeCloseTo(1, 12);
    const zeros = new FidelityAccumulator();
    zeros.add(f32([0.25, 0.75]), f32([0, 0]), [1, 2]);
    expect(zeros.result().cosine).toBe(0);
    expect(zeros.result().sqnrDb).toBeCloseTo(0, 12);
  });

  it('rejects mismatched outputs and empty results', () => {
    const acc = new FidelityAccumulator();
    expect(() => acc.add(f32([1, 2]), f32([1, 2, 3]), [1, 2])).toThrow(RangeError);
    expect(() => acc.add(f32([1, 2]), f32([1, 2]), [1, 3])).toThrow(RangeError);
    expect(() => acc.result()).toThrow(RangeError);
  });
});

describe('FidelityAccumulator, segmentation', () => {
  // A 3x3 map. Reference classes and variant classes per pixel, row-major:
  //   ref  0 0 1 / 0 1 1 / 0 0 0
  //   out  0 1 1 / 0 1 0 / 0 0 0
  // Agreement 7/9. Class 0: I = 5 (pixels 0,3,6,7,8), U = 7 -> 5/7. Class 1: I = 2 (2,4), U = 4 (1,2,4,5) -> 1/2.
  const ref = [0, 0, 1, 0, 1, 1, 0, 0, 0];
  const out = [0, 1, 1, 0, 1, 0, 0, 0, 0];
  /** NHWC one-hot scores with `classes` channels. */
  const nhwc = (map: number[], classes: number): Float32Array => f32(map.flatMap((c) => Array.from({ length: classes }, (_, k) => (k === c ? 1 : 0))));

  it('computes pixel agreement and mIoU on NHWC [1,3,3,2] (class axis found: 2 < 3)', () => {
    const acc = new FidelityAccumulator();
    const cmp = acc.add(nhwc(ref, 2), nhwc(out, 2), [1, 3, 3, 2]);
    expect(cmp.segmentation).toBe(true);
    const f = acc.result();
    expect(f.pixelAgreement).toBeCloseTo(7 / 9, 12);
    expect(f.top1Agreement).toBeCloseTo(7 / 9, 12);
    expect(f.miou).toBeCloseTo((5 / 7 + 1 / 2) / 2, 12); // 0.607142…
    expect(f.top5Overlap).toBe(1); // k = min(5, 2) and both classes are always in it
    // Σr² = 9 (one 1 per pixel); each of the 2 differing pixels adds (1-0)² + (0-1)² = 2.
    expect(f.sqnrDb).toBeCloseTo(10 * Math.log10(9 / 4), 10);
    expect(f.cosine).toBeCloseTo(7 / 9, 12);
  });

  it('ignores classes absent from both maps; classAxis picks NHWC when C equals H', () => {
    const acc = new FidelityAccumulator({ classAxis: 3 });
    acc.add(nhwc(ref, 3), nhwc(out, 3), [1, 3, 3, 3]);
    const f = acc.result();
    expect(f.pixelAgreement).toBeCloseTo(7 / 9, 12);
    expect(f.miou).toBeCloseTo((5 / 7 + 1 / 2) / 2, 12);
  });

  it('reads NCHW [1,2,3,3] the same way and accumulates IoU over images', () => {
    const nchw = (map: number[]): Float32Array => f32([...map.map((c) => (c === 0 ? 1 : 0)), ...map.map((c) => (c === 1 ? 1 : 0))]);
    const acc = new FidelityAccumulator();
    acc.add(nchw(ref), nchw(out), [1, 2, 3, 3]);
    // Second image: identical all-zero-class maps add 9 agreeing pixels, I0 += 9, U0 += 9.
    acc.add(nchw(new Array(9).fill(0)), nchw(new Array(9).fill(0)), [1, 2, 3, 3]);
    const f = acc.result();
    expect(f.pixelAgreement).toBeCloseTo(16 / 18, 12);
    expect(f.miou).toBeCloseTo((14 / 16 + 1 / 2) / 2, 12);
  });
});

describe('detection outputs (YOLOX [1, anchors, 5 + C])', () => {
  /** Anchors × (4 box + obj + 2 classes), objectness and class scores given per anchor. */
  const det = (rows: [number, number, number][], box = 10): Float32Array => f32(rows.flatMap(([obj, c0, c1]) => [box, box, 1, 1, obj, c0, c1]));
  const dims = (n: number): number[] => [1, n, 7];
  const rows = (n: number, fill: [number, number, number]): [number, number, number][] => Array.from({ length: n }, () => fill);

  it('recognises the layout by shape and by scores in [0, 1]; not hidden states or short outputs', () => {
    const ref = det(rows(8, [0.1, 0.2, 0.3]));
    expect(detectionLayout(dims(8), ref)).toEqual({ anchors: 8, stride: 7 });
    const hidden = ref.map((v, i) => (i % 7 === 5 ? 3.5 : v)); // a class "score" of 3.5: not sigmoided
    expect(detectionLayout(dims(8), hidden)).toBeNull();
    expect(detectionLayout([1, 4, 7], det(rows(4, [0.1, 0.2, 0.3])))).toBeNull(); // fewer anchors than columns
    expect(detectionLayout([2, 8, 7], f32(new Array(112).fill(0.5)))).toBeNull(); // batch 2
  });

  it('detection agreement = Σ|A∩B| / Σ|A∪B| over images at score > 0.3 (obj x best class), score SQNR on scores', () => {
    const acc = new FidelityAccumulator();
    // Image 1: reference detects anchors 0, 1 (0.9*0.9, 0.8*0.5 = 0.4); variant detects 0 and 2 (0.6*0.6 = 0.36).
    const r1: [number, number, number][] = [[0.9, 0.9, 0.1], [0.8, 0.5, 0.2], [0.5, 0.5, 0.5], ...rows(5, [0, 0, 0])];
    const o1: [number, number, number][] = [[0.9, 0.9, 0.1], [0.8, 0.2, 0.3], [0.6, 0.6, 0.1], ...rows(5, [0, 0, 0])];
    const c = acc.add(det(r1), det(o1, 50), dims(8)); // box values differ wildly: they do not count
    expect(c.detections).toEqual({ both: 1, either: 3 });
    // Image 2: both detect anchor 3 only.
    const r2: [number, number, number][] = [...rows(3, [0, 0, 0]), [1, 0.5, 0.9], ...rows(4, [0, 0, 0])];
    acc.add(det(r2), det(r2), dims(8));
    const f = acc.result();
    expect(f.detectionAgreement).toBeCloseTo(2 / 4, 12);
    expect(f.top1Agreement).toBeCloseTo(2 / 4, 12);
    // Scores: image 1 ref [0.81, 0.4, 0.25, 0…], out [0.81, 0.24, 0.36, 0…]; image 2 identical [0,0,0,0.9,0…].
    const signal = 0.81 ** 2 + 0.4 ** 2 + 0.25 ** 2 + 0.9 ** 2;
    const noise = (0.4 - 0.24) ** 2 + (0.25 - 0.36) ** 2;
    expect(f.scoreSqnrDb).toBeCloseTo(10 * Math.log10(signal / noise), 4);
  });

  it('no detection anywhere agrees fully; detection: false forces the classification metrics', () => {
    const empty = det(rows(8, [0.1, 0.1, 0.1]));
    const acc = new FidelityAccumulator();
    acc.add(empty, empty, dims(8));
    expect(acc.result().detectionAgreement).toBe(1);
    const plain = new FidelityAccumulator({ detection: false });
    plain.add(empty, empty, dims(8));
    expect(plain.result().detectionAgreement).toBeUndefined();
  });
});
