// Tests of job-stats.ts: stage times from progress marks with a scripted clock.
import { describe, expect, it } from 'vitest';
import { StageTimer } from './job-stats';

describe('StageTimer', () => {
  it('gives each stage the time until the next one, adds repeated stages up, and leaves out "done"', () => {
    let now = 1000;
    const timer = new StageTimer(() => now);
    timer.mark('read');
    now += 400;
    timer.mark('quantize');
    timer.mark('quantize'); // repeated progress of the same stage
    now += 3000;
    timer.mark('validate');
    now += 12_000;
    timer.mark('quantize');
    now += 500;
    timer.mark('done');
    now += 5;
    const memory = { engineBytes: 561e6, fileBytes: 346e6, outputBytes: 90e6, peakBytes: 997e6 };
    const stats = timer.finish(memory);
    expect(stats.stages).toEqual([
      { stage: 'read', ms: 400 },
      { stage: 'quantize', ms: 3500 },
      { stage: 'validate', ms: 12_000 },
    ]);
    expect(stats.wallMs).toBe(15_905);
    expect(stats.memory).toEqual(memory);
  });
});
