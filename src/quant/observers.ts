// Streaming calibration statistics for one activation tensor (running min/max or fixed-size histograms, memory
// independent of the number of images) and the clipping range they select: MinMax (optionally moving average),
// Percentile, Entropy (KL divergence, the TensorRT method) and MSE-optimal clipping.
import { QbError } from '../shared/errors';
import { QRANGE, asymmetricParams, symmetricParams, type QType, type TensorQParams } from './qparams';

/** How a tensor's clipping range is chosen from its calibration statistics. */
export type CalibrationMethod = 'minmax' | 'percentile' | 'entropy' | 'mse';

export interface ObserverOptions {
  method: CalibrationMethod;
  /** minmax only: 0 = plain running min/max (default); c in (0,1] = moving average of per-image min/max with constant c (ORT's averaging_constant, e.g. 0.01). */
  movingAverage?: number;
  /** percentile only: the percentile of |x| (symmetric) or of each tail (asymmetric) kept, default 99.999. */
  percentile?: number;
  /** histogram bins per side, default 2048. */
  bins?: number;
}

/** How the range will be used: 'symmetric' int8 zp 0 (or uint8 zp 0 when the data is non-negative), or 'asymmetric' (min/max both chosen). */
export type RangeKind = 'symmetric' | 'asymmetric';

export const DEFAULT_BINS = 2048;
export const DEFAULT_PERCENTILE = 99.999;

/**
 * Narrowest range `range()` returns (data units): what an all-zero tensor gets, and the floor for constant or
 * vanishingly small tensors (the range is max(|value|, MIN_RANGE)). Any positive width quantizes zeros exactly;
 * this one keeps scales far above qparams' MIN_SCALE. It does not make int32 biases safe on its own: a Conv fed an
 * all-zero tensor still gets a tiny bias scale (inputScale * weightScale), which the QDQ rewrite must check.
 */
export const MIN_RANGE = 1e-6;

/**
 * Smoothing of the KL candidate distribution: a bin where P > 0 but Q = 0 gets this many counts instead of an
 * infinite divergence (the epsilon of MXNet's / ONNX Runtime's smooth_distribution, which works in counts too).
 */
const KL_EPS_COUNTS = 1e-4;

/**
 * A tail that would hold fewer than this many of the 256 asymmetric levels is not clipped by entropy: it spans at
 * most 1/16 of the range, so clipping it barely changes the step, while a KL estimate over so few levels is noise.
 */
const MIN_TAIL_LEVELS = 16;

/** Approximate fixed cost of an observer's scalar fields and object header (bytes). */
const OBJECT_BYTES = 160;

/**
 * Calibration statistics of one activation tensor, fed one image at a time.
 *
 * Memory: minmax keeps a handful of numbers; the histogram methods keep two Float64Array(bins) histograms — one
 * for x > 0, one for -x where x < 0 — plus a count of exact zeros, whatever the number of images.
 *
 * Histogram ranges: each side covers magnitudes (0, R] with `bins` equal bins, where R is always a power of two.
 * The first non-zero value of a side sets R to the smallest power of two >= it; whenever a value exceeds R, R
 * doubles as many times as needed (R *= 2^k) and groups of 2^k adjacent bins are summed into one. Because R only
 * ever changes by powers of two, every old bin lies entirely inside one new bin, so the re-binning is exact at the
 * coarser resolution, and a stream of chunks gives the very same histogram as one concatenated array. The side's
 * maximum always lies in (R/2, R], so at least bins/2 bins span the data; the price of power-of-two growth is at
 * most that factor of 2 in resolution, in exchange for exactness and no second pass. Growth can happen in the
 * middle of an image, so one pass over the data suffices; memory is fixed at construction.
 */
export class TensorObserver {
  readonly method: CalibrationMethod;
  private readonly movingAverage: number;
  private readonly percentile: number;
  private readonly bins: number;

  private imageCount = 0;
  private lo = Infinity;
  private hi = -Infinity;
  /** Moving averages of per-image min/max (NaN until the first finite value). */
  private avgLo = NaN;
  private avgHi = NaN;
  private nonFiniteCount = 0;

  /**
   * Both histograms in one array (null for minmax): side 0 (sign bit clear: x >= +0) at slots [0, bins], side 1
   * (sign bit set: |x| for x <= -0) at slots [bins + 1, 2·bins + 1]. In each side, slot 0 counts exact zeros and
   * slot k >= 1 counts magnitudes in ((k-1)·R/bins, k·R/bins] — one ceil() gives the slot of every finite value.
   */
  private readonly hist: Float64Array | null;
  /** Upper end R of each side's histogram: a power of two, or 0 until that side has seen a non-zero value. */
  private readonly sideR = new Float64Array(2);

  constructor(options: ObserverOptions) {
    const { method } = options;
    if (method !== 'minmax' && method !== 'percentile' && method !== 'entropy' && method !== 'mse') {
      throw new RangeError(`unknown calibration method "${String(method)}"`);
    }
    const movingAverage = options.movingAverage ?? 0;
    if (!(movingAverage >= 0 && movingAverage <= 1)) throw new RangeError(`movingAverage must be in [0, 1], got ${movingAverage}`);
    const percentile = options.percentile ?? DEFAULT_PERCENTILE;
    if (!(percentile > 0 && percentile <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${percentile}`);
    const bins = options.bins ?? DEFAULT_BINS;
    // <= 2^20 keeps x·bins exact in float64 for float32 x, which the bin-index arithmetic relies on.
    if (!Number.isInteger(bins) || bins < 16 || bins > 1 << 20) throw new RangeError(`bins must be an integer in [16, 2^20], got ${bins}`);
    this.method = method;
    this.movingAverage = movingAverage;
    this.percentile = percentile;
    this.bins = bins;
    const histogram = TensorObserver.needsFullTensor(method);
    this.hist = histogram ? new Float64Array(2 * (bins + 1)) : null;
  }

  /** Whether the method needs the full tensor (histograms) or only per-image min/max. */
  static needsFullTensor(method: CalibrationMethod): boolean {
    return method !== 'minmax';
  }

  /** Images observed (calls to observe / observeMinMax). */
  get images(): number {
    return this.imageCount;
  }

  /** Smallest finite value seen (not averaged); Infinity until a finite value has been seen. */
  get min(): number {
    return this.lo;
  }

  /** Largest finite value seen (not averaged); -Infinity until a finite value has been seen. */
  get max(): number {
    return this.hi;
  }

  /** NaN and ±Infinity values seen and ignored. */
  get nonFinite(): number {
    return this.nonFiniteCount;
  }

  /** Approximate bytes held: the two histograms (if any) plus a fixed object cost; constant over the stream. */
  get bytesHeld(): number {
    return OBJECT_BYTES + this.sideR.byteLength + (this.hist?.byteLength ?? 0);
  }

  /**
   * One image's full activation tensor (any length, any layout: only the values matter). Histogram methods bin
   * every element; minmax only tracks min/max. Non-finite values are counted (nonFinite) and ignored.
   */
  observe(data: Float32Array): void {
    this.imageCount++;
    const hist = this.hist;
    if (hist === null) {
      this.observeMinMaxOnly(data);
      return;
    }
    const bins = this.bins;
    const stride = bins + 1;
    const sideR = this.sideR;
    // bins / R is exact (R is a power of two), so ceil(|x| · scale) is exactly the slot of any |x| <= R.
    const scale = new Float64Array(2);
    for (let side = 0; side < 2; side++) scale[side] = sideR[side]! > 0 ? bins / sideR[side]! : 0;
    // This image's largest magnitude per side so far; -1 until the side gets a value. Always <= R, so the hot path
    // needs one comparison for NaN, ±Infinity, growth and the image's max alike.
    const top = new Float64Array([-1, -1]);
    // The sign bit, read from the same memory, picks the side without a data-dependent branch: a branch on x > 0
    // mispredicts half the time on signed data and measured ~2x slower in V8 (~60-110 vs ~135-190 M elements/s).
    const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
    let lo = Infinity;
    let bad = 0;
    const n = data.length;
    for (let i = 0; i < n; i++) {
      const x = data[i]!;
      const side = bits[i]! >>> 31;
      const a = Math.abs(x);
      if (!(a <= top[side]!)) {
        // Rare (a new record of this image, ~log(n) times in random order): NaN, ±Infinity, or growth of R.
        if (!(a < Infinity)) {
          bad++;
          continue;
        }
        top[side] = a;
        if (a > sideR[side]!) {
          sideR[side] = growRange(hist.subarray(side * stride, side * stride + stride), sideR[side]!, a);
          scale[side] = bins / sideR[side]!;
        }
      }
      const k = side * stride + Math.ceil(a * scale[side]!);
      hist[k] = hist[k]! + 1;
      if (x < lo) lo = x;
    }
    // The max is the positive side's top, unless every finite value was negative (or -0): then one more pass.
    const hi = top[0]! >= 0 ? top[0]! : top[1]! >= 0 ? maxOf(data) : -Infinity;
    this.nonFiniteCount += bad;
    this.noteImageRange(lo, hi);
  }

  /**
   * One image's min and max only (from in-graph ReduceMin/ReduceMax) — valid for method 'minmax' only.
   * A non-finite bound is counted in nonFinite and ignored; the other bound is still used.
   * @throws QbError('internal') for the histogram methods; RangeError when min > max.
   */
  observeMinMax(min: number, max: number): void {
    if (this.method !== 'minmax') {
      throw new QbError('internal', `The ${this.method} calibration needs whole tensors, not just their min and max.`, 'observeMinMax called on a histogram observer');
    }
    const minOk = Number.isFinite(min);
    const maxOk = Number.isFinite(max);
    if (minOk && maxOk && min > max) throw new RangeError(`min ${min} is greater than max ${max}`);
    this.imageCount++;
    this.nonFiniteCount += (minOk ? 0 : 1) + (maxOk ? 0 : 1);
    this.noteImageRange(minOk ? min : Infinity, maxOk ? max : -Infinity);
  }

  /**
   * The clipping range [min, max] (data units) to quantize with, for the given kind and integer type.
   *
   * - minmax: the (moving-averaged) min/max.
   * - percentile: symmetric clips |x| at the percentile p; asymmetric cuts (100 - p)/2 % of all elements from each
   *   tail (ONNX Runtime's convention), so p % of the elements stay inside the range in both kinds and symmetric
   *   data gets the same range either way.
   * - entropy: the TensorRT KL search (see klThresholdBins). Symmetric runs it on the |x| histogram with as many
   *   levels as the quantization grid has on [0, T]: 256 for uint8 over non-negative data, else 128 (int8 0..127,
   *   uint8 zp 128 has 127.5 steps per side). Asymmetric runs it on each tail separately, sharing the 256 levels
   *   between the tails in proportion to their extents (re-shared once with the clipped extents). Exact zeros
   *   are left out of the KL histogram: they are quantized exactly at any threshold, and their spike (ReLU) would
   *   otherwise pull the threshold down (pytorch-quantization's `bins[0] = bins[1]` trick, made exact).
   * - mse: the threshold(s) minimising the expected squared error of quantize-dequantize over the histogram
   *   (rounding plus clipping, on the exact grid symmetricParams / asymmetricParams produce); asymmetric
   *   alternates between the two clipping points (coordinate descent) because they share one scale.
   *
   * 'symmetric' returns [-T, T], or [0, T] when the observed min >= 0. 'asymmetric' returns lo <= 0 <= hi. Every
   * range includes 0, never exceeds the observed min/max, and is at least MIN_RANGE wide (all-zero or constant
   * tensors). A side whose chosen clip point is 0 although it holds non-zero data keeps its observed extreme.
   * @throws QbError('bad-tensor') when no finite value has been observed.
   */
  range(kind: RangeKind, type: QType): { min: number; max: number } {
    if (this.lo === Infinity && this.hi === -Infinity) {
      throw new QbError('bad-tensor', 'No finite calibration values were seen for this tensor, so no range can be chosen for it.', `images: ${this.imageCount}, non-finite values: ${this.nonFiniteCount}`);
    }
    // observeMinMax may have seen only one finite bound; then it is both.
    const min = this.lo < Infinity ? this.lo : this.hi;
    const max = this.hi > -Infinity ? this.hi : this.lo;
    const nonNegative = min >= 0;
    const posMax = Math.max(max, 0);
    const negMax = Math.max(-min, 0);
    if (min === max) {
      // A constant tensor needs no statistics (and a histogram would only blur the value by a bin).
      const t = Math.max(posMax, negMax, MIN_RANGE);
      if (kind === 'symmetric') return nonNegative ? { min: 0, max: t } : { min: -t, max: t };
      return nonNegative ? { min: 0, max: t } : { min: -t, max: 0 };
    }
    if (kind === 'symmetric') {
      const absMax = nonNegative ? posMax : Math.max(posMax, negMax);
      let t = this.symmetricThreshold(nonNegative, type, absMax);
      if (!(t > 0)) t = absMax;
      t = Math.max(Math.min(t, absMax), MIN_RANGE);
      return nonNegative ? { min: 0, max: t } : { min: -t, max: t };
    }
    // lo and hi are the magnitudes of the two clip points.
    let [lo, hi] = this.asymmetricClips(type, negMax, posMax);
    if (this.method !== 'minmax') {
      if (!(lo > 0)) lo = negMax;
      if (!(hi > 0)) hi = posMax;
    }
    lo = Math.min(lo, negMax);
    hi = Math.min(hi, posMax);
    if (lo + hi < MIN_RANGE) {
      if (lo > hi) lo = MIN_RANGE - hi;
      else hi = MIN_RANGE - lo;
    }
    return { min: lo === 0 ? 0 : -lo, max: hi };
  }

  private observeMinMaxOnly(data: Float32Array): void {
    let lo = Infinity;
    let hi = -Infinity;
    let bad = 0;
    const n = data.length;
    for (let i = 0; i < n; i++) {
      const x = data[i]!;
      // x - x is NaN exactly for NaN and ±Infinity.
      if (x - x !== 0) {
        bad++;
        continue;
      }
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    this.nonFiniteCount += bad;
    this.noteImageRange(lo, hi);
  }

  /** Folds one image's finite min/max (±Infinity when absent) into the running and averaged ranges. */
  private noteImageRange(lo: number, hi: number): void {
    const c = this.movingAverage;
    if (lo < Infinity) {
      // + 0 turns -0 into 0.
      if (lo < this.lo) this.lo = lo + 0;
      this.avgLo = Number.isNaN(this.avgLo) ? lo : this.avgLo + c * (lo - this.avgLo);
    }
    if (hi > -Infinity) {
      if (hi > this.hi) this.hi = hi + 0;
      this.avgHi = Number.isNaN(this.avgHi) ? hi : this.avgHi + c * (hi - this.avgHi);
    }
  }

  /** The min/max a minmax observer quantizes with: averaged when movingAverage > 0, else the running extremes. */
  private minmaxBounds(): [number, number] {
    const averaged = this.movingAverage > 0;
    const lo = averaged && !Number.isNaN(this.avgLo) ? this.avgLo : this.lo;
    const hi = averaged && !Number.isNaN(this.avgHi) ? this.avgHi : this.hi;
    return [lo < Infinity ? lo : hi, hi > -Infinity ? hi : lo];
  }

  /** T for a symmetric range (0 or NaN means "no usable clip": the caller falls back to the extreme). */
  private symmetricThreshold(nonNegative: boolean, type: QType, absMax: number): number {
    if (this.method === 'minmax') {
      const [lo, hi] = this.minmaxBounds();
      return nonNegative ? hi : Math.max(Math.abs(lo), Math.abs(hi));
    }
    const side = nonNegative ? this.side('pos') : this.absSide();
    if (this.method === 'percentile') {
      return percentileOfSide(side, this.zeros, this.percentile / 100);
    }
    if (this.method === 'entropy') {
      const levels = nonNegative && type === 'uint8' ? 256 : 128;
      const i = klThresholdBins(side.h, levels);
      // TensorRT's threshold for "keep bins [0, i)": (i + 0.5) · binWidth.
      return i === null ? absMax : (i + 0.5) * side.w;
    }
    const pos = this.side('pos');
    const neg = this.side('neg');
    return minimise1d(absMax, (t) => expectedSquaredError(nonNegative ? symmetricParams(0, t, type) : symmetricParams(-t, t, type), pos, neg));
  }

  /** [negative clip magnitude, positive clip] for an asymmetric range (0 or NaN: keep the extreme). */
  private asymmetricClips(type: QType, negMax: number, posMax: number): [number, number] {
    if (this.method === 'minmax') {
      const [lo, hi] = this.minmaxBounds();
      return [Math.max(-lo, 0), Math.max(hi, 0)];
    }
    const pos = this.side('pos');
    const neg = this.side('neg');
    if (this.method === 'percentile') {
      const cut = (1 - this.percentile / 100) / 2;
      return [Math.max(-this.signedQuantile(cut), 0), Math.max(this.signedQuantile(1 - cut), 0)];
    }
    if (this.method === 'entropy') {
      const total = QRANGE[type].max - QRANGE[type].min + 1;
      let lo = negMax;
      let hi = posMax;
      // Two rounds: share the levels by the observed extents, then by the clipped ones.
      for (let round = 0; round < 2; round++) {
        const posLevels = lo + hi > 0 ? Math.round((total * hi) / (lo + hi)) : total;
        const negLevels = total - posLevels;
        hi = tailClip(pos, posLevels, posMax);
        lo = tailClip(neg, negLevels, negMax);
      }
      return [lo, hi];
    }
    let lo = negMax;
    let hi = posMax;
    const error = (l: number, h: number): number => expectedSquaredError(asymmetricParams(-l, h, type), pos, neg);
    for (let round = 0; round < 4; round++) {
      const prevLo = lo;
      const prevHi = hi;
      if (posMax > 0) hi = minimise1d(posMax, (t) => error(lo, t));
      if (negMax > 0) lo = minimise1d(negMax, (t) => error(t, hi));
      if (lo === prevLo && hi === prevHi) break;
    }
    return [lo, hi];
  }

  /** Exact zeros (+0 and -0) seen. */
  private get zeros(): number {
    return this.hist === null ? 0 : this.hist[0]! + this.hist[this.bins + 1]!;
  }

  /** One side's bins (exact zeros excluded), as a view. */
  private side(which: 'pos' | 'neg'): Side {
    const index = which === 'pos' ? 0 : 1;
    const start = index * (this.bins + 1) + 1;
    return { h: this.hist!.subarray(start, start + this.bins), w: this.sideR[index]! / this.bins };
  }

  /** The |x| histogram (both sides at the coarser side's resolution; exact zeros not included). */
  private absSide(): Side {
    const r = Math.max(this.sideR[0]!, this.sideR[1]!);
    const h = new Float64Array(this.bins);
    for (const side of [this.side('pos'), this.side('neg')]) {
      if (side.w === 0) continue;
      // Both R are powers of two, so the finer side merges exactly by an integer factor.
      const factor = r / this.bins / side.w;
      for (let k = 0; k < this.bins; k++) {
        const j = Math.floor(k / factor);
        h[j] = h[j]! + side.h[k]!;
      }
    }
    return { h, w: r / this.bins };
  }

  /** The value below which a fraction f of all finite values lie (linear inside a bin; zeros are a point mass). */
  private signedQuantile(f: number): number {
    const neg = this.side('neg');
    const pos = this.side('pos');
    const bins = this.bins;
    let total = this.zeros;
    for (let k = 0; k < bins; k++) total += neg.h[k]! + pos.h[k]!;
    const target = f * total;
    let cum = 0;
    for (let k = bins - 1; k >= 0; k--) {
      const c = neg.h[k]!;
      if (c > 0 && cum + c >= target) return -(k + 1 - (target - cum) / c) * neg.w;
      cum += c;
    }
    if (cum + this.zeros >= target) return 0;
    cum += this.zeros;
    for (let k = 0; k < bins; k++) {
      const c = pos.h[k]!;
      if (c > 0 && cum + c >= target) return (k + (target - cum) / c) * pos.w;
      cum += c;
    }
    return this.hi;
  }
}

/** One side's histogram: h[k] counts magnitudes in (k·w, (k+1)·w]; w = 0 when the side has seen no non-zero value. */
interface Side {
  h: Float64Array;
  w: number;
}

/** Largest finite value of data (-Infinity when there is none). */
function maxOf(data: Float32Array): number {
  let m = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    if (x > m && x < Infinity) m = x;
  }
  return m;
}

/** Smallest power of two >= x (x > 0, finite). */
function powerOfTwoAtLeast(x: number): number {
  let r = 2 ** Math.ceil(Math.log2(x));
  // Math.log2 may be off by one ulp near powers of two.
  while (r < x) r *= 2;
  while (r / 2 >= x) r /= 2;
  return r;
}

/**
 * Grows a side's range so that x <= R. `slots` is one side: slot 0 (zeros) then `bins` bins. An empty side (r = 0)
 * takes the smallest power of two >= x; otherwise R doubles k times and each group of 2^k adjacent bins is summed
 * into one, in place — exact, because old bin k, ((k-1)·w, k·w], lies inside new bin ceil(k / 2^k). Returns R.
 */
function growRange(slots: Float64Array, r: number, x: number): number {
  if (r === 0) return powerOfTwoAtLeast(x);
  let factor = 1;
  while (r * factor < x) factor *= 2;
  const bins = slots.length - 1;
  const kept = Math.ceil(bins / factor);
  for (let j = 1; j <= kept; j++) {
    let s = 0;
    const end = Math.min(bins, j * factor);
    for (let k = (j - 1) * factor + 1; k <= end; k++) s += slots[k]!;
    slots[j] = s;
  }
  slots.fill(0, kept + 1);
  return r * factor;
}

/** Percentile f (0..1) of a magnitude histogram plus `zeros` exact zeros, interpolating linearly inside the bin. */
function percentileOfSide(side: Side, zeros: number, f: number): number {
  const { h, w } = side;
  let total = zeros;
  for (let k = 0; k < h.length; k++) total += h[k]!;
  const target = f * total;
  if (target <= zeros) return 0;
  let cum = zeros;
  for (let k = 0; k < h.length; k++) {
    const c = h[k]!;
    if (c > 0 && cum + c >= target) return (k + (target - cum) / c) * w;
    cum += c;
  }
  return h.length * w;
}

/** Entropy clip of one tail with `levels` quantization levels; the tail's extreme when it cannot or should not clip. */
function tailClip(side: Side, levels: number, extreme: number): number {
  if (side.w === 0 || levels < MIN_TAIL_LEVELS) return extreme;
  const i = klThresholdBins(side.h, levels);
  return i === null ? extreme : Math.min((i + 0.5) * side.w, extreme);
}

/**
 * The TensorRT entropy calibration on a magnitude histogram h: for each candidate i (bins kept) from `levels` to
 * the last non-empty bin + 1, the reference P = h[0:i] with all counts of h[i:] (outliers) added to P[i-1]; the
 * candidate Q = h[0:i] (without the outliers) merged into `levels` groups of floor(i / levels) bins (the last group
 * takes the remainder), each group's sum spread evenly over the bins where P is non-zero (empty bins stay empty).
 * Returns the i minimising KL(P || Q) (P and Q normalised), or null when the data fills fewer bins than levels (no
 * clipping is possible at this resolution).
 *
 * Every candidate is evaluated (stride 1): with prefix sums of h, h·ln h and non-empty bins, KL(P || Q) costs
 * O(levels) instead of O(i), since Q is constant inside a group: Σ p ln q = Σ_groups (Σ_group p) · ln q_group.
 */
export function klThresholdBins(h: Float64Array, levels: number): number | null {
  let end = h.length;
  while (end > 0 && h[end - 1] === 0) end--;
  if (end <= levels) return null;
  const cum = new Float64Array(end + 1);
  const plogp = new Float64Array(end + 1);
  const nonEmpty = new Float64Array(end + 1);
  for (let k = 0; k < end; k++) {
    const c = h[k]!;
    cum[k + 1] = cum[k]! + c;
    plogp[k + 1] = plogp[k]! + (c > 0 ? c * Math.log(c) : 0);
    nonEmpty[k + 1] = nonEmpty[k]! + (c > 0 ? 1 : 0);
  }
  const total = cum[end]!;
  let best = Infinity;
  let bestI: number | null = null;
  for (let i = levels; i <= end; i++) {
    const kept = cum[i]!;
    if (kept === 0) continue;
    const outliers = total - kept;
    const last = h[i - 1]! + outliers;
    const sumPLogP = plogp[i - 1]! + (last > 0 ? last * Math.log(last) : 0);
    const width = Math.floor(i / levels);
    let sumPLogQ = 0;
    let qTotal = kept;
    for (let j = 0; j < levels; j++) {
      const a = j * width;
      const b = j === levels - 1 ? i : a + width;
      const s = cum[b]! - cum[a]!;
      let pSum = s;
      let nz = nonEmpty[b]! - nonEmpty[a]!;
      if (j === levels - 1) {
        pSum += outliers;
        if (h[i - 1] === 0 && outliers > 0) nz += 1;
      }
      if (pSum === 0) continue;
      let q: number;
      if (s > 0) {
        q = s / nz;
      } else {
        q = KL_EPS_COUNTS;
        qTotal += KL_EPS_COUNTS;
      }
      sumPLogQ += pSum * Math.log(q);
    }
    // KL = Σ (p/N) ln((p/N) / (q/Nq)) = (Σ p ln p - Σ p ln q) / N + ln(Nq / N).
    const kl = (sumPLogP - sumPLogQ) / total + Math.log(qTotal / total);
    if (kl < best) {
      best = kl;
      bestI = i;
    }
  }
  return bestI;
}

/**
 * Expected total squared error (data units², summed over all counted values) of quantize-dequantize with `p`,
 * assuming values spread uniformly inside each histogram bin. Both tails are measured on the exact grid:
 * multiples of the scale up to (qmax - zp)·scale above zero and (zp - qmin)·scale below; beyond, values clip.
 * Exact zeros cost nothing (zero is on every grid).
 */
function expectedSquaredError(p: TensorQParams, pos: Side, neg: Side): number {
  const { min: qmin, max: qmax } = QRANGE[p.type];
  return sideError(pos, p.scale, (qmax - p.zeroPoint) * p.scale) + sideError(neg, p.scale, (p.zeroPoint - qmin) * p.scale);
}

/** ∫ e(t)² dt from -s/2 to x for the rounding error e(t) = t - s·round(t/s) (a sawtooth of period s). */
function sawtoothIntegral(x: number, s: number): number {
  const m = Math.floor(x / s + 0.5);
  const r = x - m * s;
  return (m * s * s * s) / 12 + (r * r * r + (s * s * s) / 8) / 3;
}

/** Σ_k h[k] · mean over [k·w, (k+1)·w) of the squared error of rounding to step s and clipping at g. */
function sideError(side: Side, s: number, g: number): number {
  const { h, w } = side;
  if (w === 0) return 0;
  let end = h.length;
  while (end > 0 && h[end - 1] === 0) end--;
  let total = 0;
  let ga = sawtoothIntegral(0, s);
  const gAtClip = sawtoothIntegral(g, s);
  for (let k = 0; k < end; k++) {
    const a = k * w;
    const b = a + w;
    let e: number;
    if (b <= g) {
      const gb = sawtoothIntegral(b, s);
      e = gb - ga;
      ga = gb;
    } else if (a >= g) {
      const da = a - g;
      const db = b - g;
      e = (db * db * db - da * da * da) / 3;
    } else {
      const db = b - g;
      e = gAtClip - ga + (db * db * db) / 3;
    }
    const c = h[k]!;
    if (c > 0) total += c * e;
  }
  return total / w;
}

/**
 * argmin of f over thresholds in (0, max]: 96 log-spaced candidates from max·2^-12 to max (outliers can put the
 * optimum far below the max), then 48 evenly spaced ones between the best candidate's neighbours.
 */
function minimise1d(max: number, f: (t: number) => number): number {
  const coarse = 96;
  const decades = 12;
  const at = (k: number): number => max * 2 ** (-decades * (1 - k / (coarse - 1)));
  let bestK = coarse - 1;
  let best = Infinity;
  for (let k = 0; k < coarse; k++) {
    const e = f(at(k));
    if (e < best) {
      best = e;
      bestK = k;
    }
  }
  let bestT = at(bestK);
  const a = bestK > 0 ? at(bestK - 1) : 0;
  const b = at(Math.min(bestK + 1, coarse - 1));
  const fine = 48;
  for (let k = 1; k < fine; k++) {
    const t = a + ((b - a) * k) / fine;
    const e = f(t);
    if (e < best) {
      best = e;
      bestT = t;
    }
  }
  return bestT;
}
