// evaluate() with fake runners: accuracy counts, per-class table, fidelity, disagreements, prefetch and cancel.
import { describe, expect, it } from 'vitest';
import { QbError } from '../shared/errors';
import type { ScoreRunner } from './classify';
import { evaluate, type EvalItem } from './evaluate';

/** A "model" that returns the input values as scores, shaped like SqueezeNet's [1, C, 1, 1]. */
const echo: ScoreRunner = {
  runFloat: async (input) => ({ data: input.data, dims: [1, input.data.length, 1, 1] }),
};

/** Each item's input is a score vector; the echo runner predicts its argmax. */
function item(name: string, scores: number[], label: number): EvalItem {
  return { name, input: { data: new Float32Array(scores), dims: [1, scores.length] }, label };
}

const items = [
  item('a.jpg', [0.1, 0.7, 0.2, 0, 0, 0], 1), // right
  item('b.jpg', [0.5, 0.1, 0.4, 0, 0, 0], 2), // top-1 wrong, in top-5
  item('c.jpg', [0.9, 0.1, 0, 0, 0, 0], 1), // wrong, in top-5
  item('d.jpg', [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], 0), // label 0 ranks 6th: not in top-5
  item('e.jpg', [0, 0, 1, 0, 0, 0], -1), // unlabelled
];

async function* asAsync<T>(values: T[], log?: string[]): AsyncGenerator<T> {
  for (const [i, v] of values.entries()) {
    log?.push(`decode ${i}`);
    await Promise.resolve();
    yield v;
  }
}

describe('evaluate', () => {
  it('scores top-1, top-5 and per-class accuracy over labelled images only', async () => {
    const steps: [number, number][] = [];
    const report = await evaluate({ images: asAsync(items), runner: echo, total: items.length, classNames: ['zero', 'one', 'two'], onStep: (d, t) => steps.push([d, t]) });
    expect(report.images).toBe(5);
    expect(report.labelled).toBe(4);
    expect(report.top1).toBe(1 / 4);
    expect(report.top5).toBe(3 / 4);
    expect(report.perClass).toEqual([
      { classIndex: 0, name: 'zero', count: 1, top1: 0 },
      { classIndex: 1, name: 'one', count: 2, top1: 0.5 },
      { classIndex: 2, name: 'two', count: 1, top1: 0 },
    ]);
    expect(report.fidelity).toBeNull();
    expect(report.disagreements).toEqual([]);
    expect(steps).toEqual([[1, 5], [2, 5], [3, 5], [4, 5], [5, 5]]);
    expect(report.imagesPerSecond).toBeGreaterThan(0);
    expect(report.mapping).toBeNull();
    expect(report.problems).toEqual([]);
  });

  it('compares with the reference and lists disagreements', async () => {
    // The variant zeroes score 1, so images whose reference argmax is 1 disagree.
    const variant: ScoreRunner = {
      runFloat: async (input) => {
        const data = Float32Array.from(input.data);
        data[1] = 0;
        return { data, dims: [1, data.length] };
      },
    };
    const report = await evaluate({ images: items, runner: variant, reference: echo, total: items.length });
    expect(report.fidelity!.top1Agreement).toBe(4 / 5);
    expect(report.disagreements).toEqual([{ name: 'a.jpg', predicted: 2, reference: 1, label: 1 }]);
    // Labelled accuracy is the variant's: a.jpg is now wrong.
    expect(report.top1).toBe(0);
  });

  it('reports labels beyond the output size as a problem and passes mapping/problems through', async () => {
    const mapping = { source: 'csv' as const, offset: 0, outputClasses: 6, description: 'CSV' };
    const given = { kind: 'bad-label-line' as const, message: 'x', items: ['l3'], count: 1 };
    const report = await evaluate({ images: [item('z.jpg', [1, 0], 7)], runner: echo, total: 1, mapping, problems: [given] });
    expect(report.top1).toBe(0);
    expect(report.mapping).toBe(mapping);
    expect(report.problems[0]).toBe(given);
    expect(report.problems[1]).toMatchObject({ kind: 'unknown-class', count: 1, items: ['z.jpg (class 7)'] });
  });

  it('pulls the next image while the current one is inferred', async () => {
    const log: string[] = [];
    const runner: ScoreRunner = {
      runFloat: async (input) => {
        log.push(`run ${input.data[0]}`);
        await new Promise((r) => setTimeout(r, 1));
        return { data: input.data, dims: [1, input.data.length] };
      },
    };
    const three = [0, 1, 2].map((i) => item(`${i}`, [i, 0], -1));
    await evaluate({ images: asAsync(three, log), runner, total: 3 });
    expect(log).toEqual(['decode 0', 'decode 1', 'run 0', 'decode 2', 'run 1', 'run 2']);
  });

  it('stops at checkpoint() and closes the image source', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<EvalItem> {
      try {
        for (const it of items) yield it;
      } finally {
        closed = true;
      }
    }
    let calls = 0;
    const checkpoint = (): void => {
      if (++calls === 3) throw new QbError('cancelled', 'Cancelled.');
    };
    await expect(evaluate({ images: source(), runner: echo, total: items.length, checkpoint })).rejects.toMatchObject({ code: 'cancelled' });
    expect(closed).toBe(true);
  });

  it('rejects with the error of the source when it fails mid-stream', async () => {
    async function* failing(): AsyncGenerator<EvalItem> {
      yield items[0]!;
      throw new QbError('bad-image', 'b.jpg is damaged');
    }
    await expect(evaluate({ images: failing(), runner: echo, total: 2 })).rejects.toThrow('b.jpg is damaged');
  });

  it('refuses to compare outputs of different sizes and empty outputs', async () => {
    const short: ScoreRunner = { runFloat: async () => ({ data: new Float32Array(2), dims: [1, 2] }) };
    await expect(evaluate({ images: items, runner: echo, reference: short, total: 5 })).rejects.toMatchObject({ code: 'runtime' });
    const empty: ScoreRunner = { runFloat: async () => ({ data: new Float32Array(0), dims: [1, 0] }) };
    await expect(evaluate({ images: items, runner: empty, total: 5 })).rejects.toMatchObject({ code: 'runtime' });
  });

  it('hands a failed run to onRunError with the item, and throws what it returns', async () => {
    const failing: ScoreRunner = { runFloat: async () => Promise.reject(new QbError('runtime', 'The browser runtime could not run this model.')) };
    const seen: string[] = [];
    const explained = evaluate({
      images: items,
      runner: failing,
      total: 5,
      onRunError: (err, it) => {
        seen.push(it.name);
        return new QbError('runtime', `${it.name} [${it.input.dims.join(', ')}] failed: ${(err as Error).message}`);
      },
    });
    await expect(explained).rejects.toThrow('a.jpg [1, 6] failed: The browser runtime could not run this model.');
    expect(seen).toEqual(['a.jpg']);
    await expect(evaluate({ images: items, runner: failing, total: 5 })).rejects.toThrow('The browser runtime could not run this model.');
  });
});
