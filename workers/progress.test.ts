// Progress throttle invariants: at most ~10 Hz, every stage change and the final event always delivered.
import { describe, expect, it } from 'vitest';
import { throttleProgress, type Progress } from './progress';

describe('throttleProgress', () => {
  it('drops events inside the interval but keeps stage changes and the last of each stage', () => {
    const seen: Progress[] = [];
    let t = 0;
    const sink = throttleProgress((p) => seen.push(p), 100, () => t);
    for (let i = 0; i <= 1000; i++) {
      t = i; // 1 ms apart: 1001 events in ~1 s
      sink({ stage: 'infer', done: i, total: 1000 });
    }
    sink({ stage: 'done' });
    expect(seen.length).toBeGreaterThanOrEqual(10);
    expect(seen.length).toBeLessThanOrEqual(13);
    expect(seen.at(-2)).toEqual({ stage: 'infer', done: 1000, total: 1000 });
    expect(seen.at(-1)).toEqual({ stage: 'done' });
    const dones = seen.flatMap((p) => (p.stage === 'infer' ? [p.done] : []));
    expect([...dones].sort((a, b) => a - b)).toEqual(dones);
  });

  it('never lets a throwing listener fail the job', () => {
    const sink = throttleProgress(() => {
      throw new Error('page closed');
    });
    expect(() => sink({ stage: 'decode' })).not.toThrow();
  });
});
