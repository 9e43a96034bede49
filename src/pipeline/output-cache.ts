// Remembers a model's outputs by input content, so a second pass over the same inputs (comparing a variant
// with the reference) reuses the reference's first-pass outputs instead of running the reference again.
import type { ScoreRunner } from './classify';

type Tensor = { data: Float32Array; dims: number[] };

/** Two independent 32-bit FNV-1a style hashes over the input's bits and dims: a 64-bit content key. */
export function inputKey(input: Tensor): string {
  const words = new Uint32Array(input.data.buffer, input.data.byteOffset, input.data.length);
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ input.data.length;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    a = Math.imul(a ^ w, 0x01000193);
    b = Math.imul(b ^ ((w >>> 16) | (w << 16)), 0x5bd1e995);
  }
  return `${input.dims.join('x')}:${(a >>> 0).toString(16)}:${(b >>> 0).toString(16)}`;
}

/**
 * Wraps `runner` so outputs are kept (up to `budgetFloats` output values in all, default 32 M = 128 MB) and
 * served again for the same input. Past the budget it simply runs the model: caching is only a saving.
 */
export function cachingRunner(runner: ScoreRunner, budgetFloats = 32 * 1024 * 1024): ScoreRunner & { hits: number } {
  const cache = new Map<string, Tensor>();
  let storedFloats = 0;
  const wrapped = {
    hits: 0,
    async runFloat(input: Tensor): Promise<Tensor> {
      const key = inputKey(input);
      const hit = cache.get(key);
      if (hit !== undefined) {
        wrapped.hits++;
        return hit;
      }
      const out = await runner.runFloat(input);
      if (storedFloats + out.data.length <= budgetFloats) {
        // ORT may reuse output buffers between runs: keep our own copy.
        cache.set(key, { data: out.data.slice(), dims: [...out.dims] });
        storedFloats += out.data.length;
      }
      return out;
    },
  };
  return wrapped;
}
