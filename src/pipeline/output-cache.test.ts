// The output cache serves repeated inputs without running the model, tells inputs apart, and respects its budget.
import { describe, expect, it } from 'vitest';
import { cachingRunner, inputKey } from './output-cache';

function countingRunner() {
  const r = {
    calls: 0,
    async runFloat(input: { data: Float32Array; dims: number[] }) {
      r.calls++;
      return { data: Float32Array.from(input.data, (v) => v * 2), dims: input.dims };
    },
  };
  return r;
}

const t = (...v: number[]) => ({ data: Float32Array.from(v), dims: [1, v.length] });

describe('cachingRunner', () => {
  it('runs each distinct input once and returns identical outputs for repeats', async () => {
    const inner = countingRunner();
    const cached = cachingRunner(inner);
    const first = await cached.runFloat(t(1, 2, 3));
    const again = await cached.runFloat(t(1, 2, 3));
    await cached.runFloat(t(1, 2, 4));
    expect(inner.calls).toBe(2);
    expect(cached.hits).toBe(1);
    expect([...again.data]).toEqual([...first.data]);
    expect([...again.data]).toEqual([2, 4, 6]);
  });

  it('keys on content and shape, including -0 vs 0 bit patterns', () => {
    expect(inputKey(t(1, 2))).not.toBe(inputKey(t(2, 1)));
    expect(inputKey({ data: Float32Array.from([1, 2]), dims: [2, 1] })).not.toBe(inputKey(t(1, 2)));
    expect(inputKey(t(0))).not.toBe(inputKey(t(-0)));
  });

  it('stops storing past its budget but keeps answering', async () => {
    const inner = countingRunner();
    const cached = cachingRunner(inner, 3);
    await cached.runFloat(t(1, 2, 3));
    await cached.runFloat(t(4, 5, 6)); // over budget: not stored
    await cached.runFloat(t(4, 5, 6));
    expect(inner.calls).toBe(3);
    await cached.runFloat(t(1, 2, 3));
    expect(inner.calls).toBe(3);
  });
});
