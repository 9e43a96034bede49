// Preprocessing recipes and presets in plain words, for the Preprocessing panel.
import type { PresetId, PreprocessRecipe } from '../../data/types';

export const PRESET_LABELS: Record<PresetId, string> = {
  'imagenet-torchvision': 'ImageNet (torchvision)',
  'caffe-bgr': 'Caffe (BGR, mean subtraction)',
  'tf-minus1-1': 'TensorFlow [-1, 1]',
  'yolo-letterbox': 'YOLO letterbox',
  'raw-0-1': 'Raw 0–1',
};

export const PRESET_IDS = Object.keys(PRESET_LABELS) as PresetId[];

function num(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toFixed(4)));
}

function triple(v: readonly number[]): string {
  return v.every((x) => x === v[0]) ? num(v[0] ?? 0) : `[${v.map(num).join(', ')}]`;
}

export function resizeWords(r: PreprocessRecipe): string {
  const size = `${r.width} × ${r.height}`;
  switch (r.resize) {
    case 'stretch':
      return `Resized to ${size} (aspect ratio not kept)`;
    case 'shorter-side-crop':
      return `Shorter side to ${r.resizeShorterTo ?? Math.min(r.width, r.height)}, then centre crop ${size}`;
    case 'letterbox':
      return `Fit inside ${size} keeping aspect ratio, padded with ${r.letterbox?.padValue ?? 0} (${r.letterbox?.placement === 'center' ? 'centred' : 'top-left'})`;
  }
}

export function scaleWords(r: PreprocessRecipe): string {
  // Scales are usually 1/255 or 1/127.5: say "÷ 127.5" rather than "× 0.0078".
  const inverse = 1 / r.scale;
  const divisor = Number.isFinite(inverse) && Math.abs(inverse - Number(inverse.toFixed(1))) < 1e-6 ? Number(inverse.toFixed(1)) : null;
  const pixel = r.scale === 1 ? 'pixel (0–255)' : divisor !== null ? `pixel ÷ ${num(divisor)}` : `pixel × ${num(r.scale)}`;
  const noMean = r.mean.every((m) => m === 0);
  const noStd = r.std.every((s) => s === 1);
  if (noMean && noStd) return `${pixel}, no normalisation`;
  if (noStd) return `${pixel} − ${triple(r.mean)}`;
  return noMean ? `${pixel} ÷ ${triple(r.std)}` : `(${pixel} − ${triple(r.mean)}) ÷ ${triple(r.std)}`;
}

/** Range of values the recipe produces from pixels 0..255, over the three channels. */
export function valueRange(r: PreprocessRecipe): [number, number] {
  const ends = [0, 1, 2].flatMap((k) => [0, 255].map((p) => (p * r.scale - (r.mean[k] ?? 0)) / (r.std[k] ?? 1)));
  return [Math.min(...ends), Math.max(...ends)];
}

export function layoutWords(r: PreprocessRecipe): string {
  const dims = r.layout === 'NCHW' ? `1 × 3 × ${r.height} × ${r.width}` : `1 × ${r.height} × ${r.width} × 3`;
  const first = r.layout === 'NCHW' ? 'channels first' : 'channels last';
  return `${r.layout} (${first}), ${dims}, ${r.dtype ?? 'float32'}`;
}
