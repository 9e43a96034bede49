// Error metrics of a variant's outputs against the FP32 reference: top-k, SQNR, cosine, and for
// segmentation maps pixel agreement and mean IoU. Pure and streaming (one image at a time, float64 sums).
import type { Fidelity } from '../data/types';

/** `a` ranks above `b`: larger first, NaN never above a number (a broken output must not look confident). */
function ranksAbove(a: number, b: number): boolean {
  if (Number.isNaN(a)) return false;
  return Number.isNaN(b) || a > b;
}

/**
 * Indices of the `k` largest scores, largest first; ties keep the lower index first, NaN ranks last.
 * Returns min(k, scores.length) indices. O(n·k), meant for small k (top-1, top-5).
 */
export function topK(scores: ArrayLike<number>, k: number): number[] {
  return topKStrided(scores, 0, 1, scores.length, k);
}

/** topK over `count` values at base, base + stride, …; indices are 0..count-1. */
function topKStrided(values: ArrayLike<number>, base: number, stride: number, count: number, k: number): number[] {
  const n = Math.max(0, Math.min(k, count));
  const best: number[] = [];
  if (n === 0) return best;
  for (let i = 0; i < count; i++) {
    const v = values[base + i * stride]!;
    if (best.length === n && !ranksAbove(v, values[base + best[n - 1]! * stride]!)) continue;
    // Insertion keeps `best` sorted; a strict comparison keeps earlier (lower) indices ahead on ties.
    let at = best.length < n ? best.length : n - 1;
    while (at > 0 && ranksAbove(v, values[base + best[at - 1]! * stride]!)) at--;
    if (best.length === n) best.pop();
    best.splice(at, 0, i);
  }
  return best;
}

/** Index of the largest of `count` values at base, base + stride, … (first one on ties, NaN last). */
function argmaxStrided(values: ArrayLike<number>, base: number, stride: number, count: number): number {
  let best = 0;
  for (let i = 1; i < count; i++) if (ranksAbove(values[base + i * stride]!, values[base + best * stride]!)) best = i;
  return best;
}

/** |a ∩ b| for two short index lists. */
function overlap(a: readonly number[], b: readonly number[]): number {
  let n = 0;
  for (const x of a) if (b.includes(x)) n++;
  return n;
}

export interface FidelityOptions {
  /**
   * Detection outputs ([1, anchors, 5 + C] with objectness and class scores already in [0, 1], YOLOX/YOLOv5 style)
   * are recognised by shape and content; true forces the detection metric, false never uses it.
   */
  detection?: boolean;
  /**
   * Class axis of 4-D segmentation outputs (1 for NCHW [1,C,H,W], 3 for NHWC [1,H,W,C]). When absent it is
   * the smaller of dims 1 and 3 among those > 1 (C = 21 is smaller than H = W = 257).
   */
  classAxis?: number;
}

/** An anchor counts as a detection when objectness x best class score exceeds this (YOLOX demo threshold 0.3). */
export const DETECTION_SCORE = 0.3;

/** Where a detector's predictions live: anchor a has box a·stride+0..3, objectness +4, class scores +5..stride-1. */
export interface DetLayout {
  anchors: number;
  stride: number;
}

/**
 * The detection layout of an output ([1, anchors, 5 + C] or [anchors, 5 + C], 1 <= C <= 1000, more anchors than
 * columns) when every objectness and class value of `data` is in [0, 1] (sigmoided scores; a transformer's hidden
 * states [1, 197, 768] are not), else null.
 */
export function detectionLayout(dims: readonly number[], data: ArrayLike<number>): DetLayout | null {
  const shape = detectionShape(dims);
  if (shape === null || shape.anchors * shape.stride !== data.length) return null;
  const { anchors, stride } = shape;
  for (let a = 0; a < anchors; a++) {
    for (let c = 4; c < stride; c++) {
      const v = data[a * stride + c]!;
      if (!(v >= 0 && v <= 1)) return null;
    }
  }
  return { anchors, stride };
}

/** The layout a detection output of these dims would have (shape only; detectionLayout also checks the values). */
export function detectionShape(dims: readonly number[]): DetLayout | null {
  if (dims.length !== 3 && dims.length !== 2) return null;
  if (dims.length === 3 && dims[0] !== 1) return null;
  const stride = dims[dims.length - 1]!;
  const anchors = dims[dims.length - 2]!;
  if (stride < 6 || stride > 1005 || anchors <= stride) return null;
  return { anchors, stride };
}

/** Per-anchor detection scores: objectness x best class score. */
export function detectionScores(data: ArrayLike<number>, { anchors, stride }: DetLayout): Float32Array {
  const scores = new Float32Array(anchors);
  for (let a = 0; a < anchors; a++) {
    const base = a * stride;
    let best = 0;
    for (let c = 5; c < stride; c++) if (data[base + c]! > best) best = data[base + c]!;
    scores[a] = data[base + 4]! * best;
  }
  return scores;
}

/** How one image compared; evaluate() uses it to list disagreements. */
export interface ImageComparison {
  /** Argmax of the flattened reference and variant outputs (classification); -1 for segmentation maps. */
  referenceTop1: number;
  outputTop1: number;
  /** Cosine similarity of the two flattened outputs. */
  cosine: number;
  segmentation: boolean;
  /** Detection outputs: anchors above DETECTION_SCORE in both, in either (the image's agreement is their ratio). */
  detections?: { both: number; either: number };
}

/** Where the class scores of a segmentation output live: pixel (o, i) has class c at o·C·inner + c·inner + i. */
interface SegLayout {
  classes: number;
  outer: number;
  inner: number;
}

/** The segmentation layout of a 4-D output with more than one pixel and class, else null (classification). */
export function segmentationLayout(dims: readonly number[], classAxis?: number): SegLayout | null {
  if (dims.length !== 4) return null;
  const d1 = dims[1]!;
  const d3 = dims[3]!;
  const axis = classAxis ?? (d1 > 1 && d3 > 1 ? (d1 <= d3 ? 1 : 3) : d1 > 1 ? 1 : 3);
  if (axis < 1 || axis > 3) return null;
  const classes = dims[axis]!;
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  // [1,1000,1,1] is a classifier with a 1x1 "image"; one class has no argmax to compare.
  if (classes < 2 || outer * inner < 2) return null;
  return { classes, outer, inner };
}

/**
 * Streaming fidelity of a variant against a reference, one image at a time, all sums in float64.
 * With N images, image n's flattened reference r_n and variant output o_n (same length):
 *  - top1Agreement = (1/N) Σ_n [argmax r_n = argmax o_n]
 *  - top5Overlap   = (1/N) Σ_n |top5(r_n) ∩ top5(o_n)| / k, k = min(5, length)
 *  - sqnrDb        = 10 log10( Σ_n Σ_i r_ni² / Σ_n Σ_i (r_ni − o_ni)² ) over every element of every image;
 *                    +Infinity when the outputs are identical (also when both are all zero)
 *  - cosine        = (1/N) Σ_n (r_n·o_n) / (‖r_n‖ ‖o_n‖); 1 when both vectors are zero, 0 when only one is
 * Segmentation outputs (4-D, see FidelityOptions.classAxis) are compared per pixel instead: with P pixels
 * over all images, the class at a pixel being the argmax over the class axis,
 *  - pixelAgreement = (1/P) Σ_p [argmax r_p = argmax o_p], and top1Agreement takes the same value
 *  - top5Overlap    = (1/P) Σ_p |top5(r_p) ∩ top5(o_p)| / min(5, C)
 *  - miou           = mean over classes c present in either map (union > 0) of I_c / U_c, where
 *                     I_c = #pixels with both argmaxes = c and U_c = #pixels with either = c, summed over
 *                     all images (dataset-level IoU, as in VOC/Cityscapes scoring)
 * Detection outputs (see detectionLayout) are compared by their sets of detections instead: with D_n the anchors of
 * image n whose score (objectness x best class) exceeds DETECTION_SCORE in the reference and D'_n in the variant,
 *  - detectionAgreement = Σ_n |D_n ∩ D'_n| / Σ_n |D_n ∪ D'_n| (1 when no image has a detection in either), and
 *                         top1Agreement takes the same value
 *  - scoreSqnrDb        = SQNR of the per-anchor scores (what decides detections, unlike the raw box values)
 * NaN outputs propagate into SQNR and cosine, so a broken variant never looks accurate.
 */
export class FidelityAccumulator {
  private images = 0;
  private top1Agree = 0;
  private top5Sum = 0;
  private signal = 0;
  private noise = 0;
  private cosineSum = 0;
  private pixels = 0;
  private pixelAgree = 0;
  private pixelTop5Sum = 0;
  private intersection: Float64Array = new Float64Array(0);
  private union: Float64Array = new Float64Array(0);
  private segImages = 0;
  private detImages = 0;
  private detBoth = 0;
  private detEither = 0;
  private scoreSignal = 0;
  private scoreNoise = 0;
  /** Decided on the first image: detection outputs stay detection outputs. */
  private detection: boolean | undefined;

  constructor(private readonly options: FidelityOptions = {}) {}

  /** Number of images added. */
  get count(): number {
    return this.images;
  }

  /**
   * Adds one image: `reference` and `output` are the same float32 output tensor flattened, `dims` its shape.
   * @throws RangeError when the two lengths differ or do not match `dims`.
   */
  add(reference: Float32Array, output: Float32Array, dims: readonly number[]): ImageComparison {
    if (reference.length !== output.length) {
      throw new RangeError(`Reference has ${reference.length} values, the variant ${output.length}.`);
    }
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== reference.length) throw new RangeError(`Output dims [${dims.join(',')}] do not match ${reference.length} values.`);
    let dot = 0;
    let rr = 0;
    let oo = 0;
    let diff = 0;
    for (let i = 0; i < reference.length; i++) {
      const r = reference[i]!;
      const o = output[i]!;
      dot += r * o;
      rr += r * r;
      oo += o * o;
      diff += (r - o) * (r - o);
    }
    const cosine = rr === 0 && oo === 0 ? 1 : rr === 0 || oo === 0 ? 0 : dot / Math.sqrt(rr * oo);
    this.images++;
    this.signal += rr;
    this.noise += diff;
    this.cosineSum += cosine;

    this.detection ??= this.options.detection ?? detectionLayout(dims, reference) !== null;
    const det = this.detection ? detectionShape(dims) : null;
    if (det !== null) {
      const detections = this.addDetection(reference, output, det);
      return { referenceTop1: -1, outputTop1: -1, cosine, segmentation: false, detections };
    }
    const seg = segmentationLayout(dims, this.options.classAxis);
    if (seg !== null) {
      this.addSegmentation(reference, output, seg);
      return { referenceTop1: -1, outputTop1: -1, cosine, segmentation: true };
    }
    const refTop = topK(reference, 5);
    const outTop = topK(output, 5);
    const refTop1 = refTop[0] ?? -1;
    const outTop1 = outTop[0] ?? -1;
    if (refTop1 === outTop1) this.top1Agree++;
    this.top5Sum += refTop.length > 0 ? overlap(refTop, outTop) / refTop.length : 1;
    return { referenceTop1: refTop1, outputTop1: outTop1, cosine, segmentation: false };
  }

  private addDetection(reference: Float32Array, output: Float32Array, layout: DetLayout): { both: number; either: number } {
    const r = detectionScores(reference, layout);
    const o = detectionScores(output, layout);
    let both = 0;
    let either = 0;
    for (let a = 0; a < r.length; a++) {
      const inR = r[a]! > DETECTION_SCORE;
      const inO = o[a]! > DETECTION_SCORE;
      if (inR && inO) both++;
      if (inR || inO) either++;
      this.scoreSignal += r[a]! * r[a]!;
      this.scoreNoise += (r[a]! - o[a]!) ** 2;
    }
    this.detImages++;
    this.detBoth += both;
    this.detEither += either;
    return { both, either };
  }

  private addSegmentation(reference: Float32Array, output: Float32Array, { classes, outer, inner }: SegLayout): void {
    if (this.intersection.length < classes) {
      const grow = (old: Float64Array): Float64Array => {
        const next = new Float64Array(classes);
        next.set(old);
        return next;
      };
      this.intersection = grow(this.intersection);
      this.union = grow(this.union);
    }
    const k = Math.min(5, classes);
    this.segImages++;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * classes * inner + i;
        const r = argmaxStrided(reference, base, inner, classes);
        const v = argmaxStrided(output, base, inner, classes);
        if (r === v) {
          this.pixelAgree++;
          this.intersection[r]!++;
          this.union[r]!++;
        } else {
          this.union[r]!++;
          this.union[v]!++;
        }
        this.pixelTop5Sum += overlap(topKStrided(reference, base, inner, classes, k), topKStrided(output, base, inner, classes, k)) / k;
        this.pixels++;
      }
    }
  }

  /**
   * The metrics so far (formulas on the class). Classification and segmentation images should not be mixed;
   * if they are, top1Agreement/top5Overlap average each image's share (segmentation images count once).
   * @throws RangeError before any image was added.
   */
  result(): Fidelity {
    if (this.images === 0) throw new RangeError('No images were compared.');
    const sqnrDb = this.noise === 0 ? Infinity : 10 * Math.log10(this.signal / this.noise);
    const cosine = this.cosineSum / this.images;
    if (this.detImages > 0) {
      const detectionAgreement = this.detEither === 0 ? 1 : this.detBoth / this.detEither;
      const scoreSqnrDb = this.scoreNoise === 0 ? Infinity : 10 * Math.log10(this.scoreSignal / this.scoreNoise);
      return { top1Agreement: detectionAgreement, top5Overlap: detectionAgreement, sqnrDb, cosine, detectionAgreement, scoreSqnrDb };
    }
    if (this.segImages === 0) {
      return { top1Agreement: this.top1Agree / this.images, top5Overlap: this.top5Sum / this.images, sqnrDb, cosine };
    }
    const pixelAgreement = this.pixelAgree / this.pixels;
    const pixelTop5 = this.pixelTop5Sum / this.pixels;
    let iouSum = 0;
    let present = 0;
    for (let c = 0; c < this.union.length; c++) {
      if (this.union[c]! > 0) {
        iouSum += this.intersection[c]! / this.union[c]!;
        present++;
      }
    }
    return {
      top1Agreement: (this.top1Agree + pixelAgreement * this.segImages) / this.images,
      top5Overlap: (this.top5Sum + pixelTop5 * this.segImages) / this.images,
      sqnrDb,
      cosine,
      pixelAgreement,
      miou: present > 0 ? iouSum / present : 1,
    };
  }
}
