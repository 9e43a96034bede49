// Progress view: labels, details and an ETA timed from a counted stage's first event (calibration reports its first
// image only after creating a session, which must not make the ETA promise half the real time).
import { describe, expect, it } from 'vitest';
import { progressTracker, toProgressView, type ProgressView } from './progress-view';

describe('progress view', () => {
  it('labels the INT8 stages in plain words, with counts', () => {
    const v = toProgressView({ stage: 'calibrate', done: 3, total: 16 }, 0, 0);
    expect(v.label).toBe('Calibrating: measuring activation ranges');
    expect(v.detail).toBe('3 of 16');
    expect(toProgressView({ stage: 'quantize' }, 0, 0)).toMatchObject({ label: 'Writing the INT8 model', fraction: null, etaSeconds: null });
    expect(toProgressView({ stage: 'validate', done: 1, total: 16 }, 0, 0).label).toBe('Checking the INT8 model against FP32');
    expect(toProgressView({ stage: 'layer-report', done: 1, total: 4 }, 0, 0).label).toBe('Measuring the error of each layer');
  });

  it('times the ETA from the rate since the stage’s first event', () => {
    let now = 0;
    const views: ProgressView[] = [];
    const track = progressTracker((v) => views.push(v), () => now);
    // 1 s per image; the first event arrives with 1 image already done.
    for (let done = 1; done <= 4; done++) {
      now = done * 1000;
      track({ stage: 'calibrate', done, total: 16 });
    }
    expect(views[0]!.etaSeconds).toBeNull();
    expect(views.at(-1)!.etaSeconds).toBeCloseTo(12, 5);
    // A new stage restarts the clock.
    now = 10_000;
    track({ stage: 'validate', done: 1, total: 16 });
    expect(views.at(-1)!.etaSeconds).toBeNull();
    now = 10_500;
    track({ stage: 'validate', done: 2, total: 16 });
    expect(views.at(-1)!.etaSeconds).toBeCloseTo(7, 5);
  });

  it('file reading gets an ETA once bytes flow', () => {
    let now = 0;
    let last: ProgressView | undefined;
    const track = progressTracker((v) => (last = v), () => now);
    track({ stage: 'read', doneBytes: 0, totalBytes: 100e6 });
    now = 1000;
    track({ stage: 'read', doneBytes: 25e6, totalBytes: 100e6 });
    expect(last!.etaSeconds).toBeCloseTo(3, 5);
    expect(last!.detail).toBe('25.0 / 100.0 MB');
  });
});
