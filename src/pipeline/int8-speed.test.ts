// The runtime-aware search with a scripted probe: it keeps the fastest measured INT8 model, and hands back plain INT8
// (the smallest) saying "not faster" when nothing beats FP32.
import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { node, valueInfo } from '../onnx/build';
import { DataType } from '../onnx/dtypes';
import { GraphProtoSchema, ValueInfoProtoSchema } from '../onnx/proto/onnx_pb';
import type { TimedNode } from '../quant/speed-plan';
import { searchFastLayout, type SpeedProbe } from './int8-speed';

const graph = create(GraphProtoSchema, {
  node: [node('Conv', ['x', 'wa'], ['a'], {}, 'A'), node('Conv', ['a', 'wb'], ['b'], {}, 'B'), node('Conv', ['b', 'wc'], ['c'], {}, 'C')],
  input: [valueInfo('x', DataType.FLOAT, [1, 1000])],
  output: [create(ValueInfoProtoSchema, { name: 'c' })],
});
const t = (name: string, medianUs: number): TimedNode => ({ name, opType: 'Conv', medianUs, outputElements: 1000, inputType: 'float' });

/** Models are tagged by their first byte: 1 FP32, 2 FP32 named, 3 plain INT8, 4 all-integer build, 5 a layout build. */
function probe(ms: Record<number, number>): SpeedProbe & { timed: number[] } {
  const timed: number[] = [];
  return {
    timed,
    profile: async (b) => ({ nodes: b[0] === 2 ? [t('A', 100), t('B', 10), t('C', 100)] : [t('A', 50), t('B', 60), t('C', 50)] }),
    time: async (b) => {
      timed.push(b[0]!);
      return ms[b[0]!]!;
    },
    describe: () => 'test device',
  };
}

const request = (p: SpeedProbe) => ({
  graph,
  candidates: ['A', 'B', 'C'],
  fp32Bytes: Uint8Array.of(1),
  fp32NamedBytes: Uint8Array.of(2),
  plainBytes: Uint8Array.of(3),
  build: (floatNodes: readonly string[]) => Uint8Array.of(floatNodes.length === 0 ? 4 : 5),
  probe: p,
  rounds: 2,
});

describe('searchFastLayout', () => {
  it('keeps B in float when that layout measures fastest, timing models interleaved', async () => {
    const p = probe({ 1: 10, 3: 12, 4: 12, 5: 7 });
    const r = await searchFastLayout(request(p));
    expect(r.report.chosen).toBe('runtime-aware');
    expect(r.report.floatNodes).toEqual(['B']);
    expect(r.bytes[0]).toBe(5);
    expect(r.report.speedup).toBeCloseTo(10 / 7, 9);
    expect(r.report.faster).toBe(true);
    expect(r.report.device).toBe('test device');
    // Interleaved rounds: FP32, plain, layout… then again.
    const perRound = r.report.candidates.length;
    expect(p.timed.slice(0, perRound)).toEqual(p.timed.slice(perRound));
    expect(r.report.layers.find((l) => l.name === 'B')).toMatchObject({ fp32Us: 10, int8Us: 60, int8: false });
  });

  it('returns plain INT8 and says not faster when no INT8 model beats FP32', async () => {
    const r = await searchFastLayout(request(probe({ 1: 5, 3: 12, 4: 12, 5: 7 })));
    expect(r.report.faster).toBe(false);
    expect(r.report.chosen).toBe('plain');
    expect(r.bytes[0]).toBe(3);
    expect(r.report.speedup).toBeCloseTo(5 / 12, 9);
  });

  it('does not call a model faster within the noise margin, and then returns plain INT8', async () => {
    const r = await searchFastLayout(request(probe({ 1: 10, 3: 12, 4: 12, 5: 9.9 })));
    expect(r.report.faster).toBe(false);
    expect(r.report.chosen).toBe('plain');
    expect(r.bytes[0]).toBe(3);
  });

  it('never offers a layout whose weighted layers are all float', async () => {
    // Integer B would be slow and A, C gain nothing: no layout keeps a Conv integer, so only FP32 and plain are timed.
    const p: SpeedProbe = { ...probe({ 1: 10, 3: 12 }), profile: async (b) => ({ nodes: b[0] === 2 ? [t('A', 10), t('B', 10), t('C', 10)] : [t('A', 50), t('B', 60), t('C', 50)] }) };
    const r = await searchFastLayout(request(p));
    expect(r.report.candidates.map((c) => c.label)).toEqual(['FP32', 'INT8 (every layer)']);
    expect(r.report.chosen).toBe('plain');
  });

  it('stops at a checkpoint that throws', async () => {
    let calls = 0;
    const req = { ...request(probe({ 1: 10, 3: 12, 4: 12, 5: 7 })), checkpoint: () => { if (++calls > 2) throw new Error('cancelled'); } };
    await expect(searchFastLayout(req)).rejects.toThrow('cancelled');
  });
});

describe('searchFastLayout with paired timing', () => {
  it('uses the probe\'s compare (all models alternating) once per round instead of timing models one by one', async () => {
    const p = probe({ 1: 10, 3: 12, 4: 12, 5: 7 });
    const calls: number[][] = [];
    const paired: SpeedProbe = {
      ...p,
      compare: async (models) => {
        calls.push(models.map((b) => b[0]!));
        return models.map((b) => ({ 1: 10, 3: 12, 4: 12, 5: 7 })[b[0]!]!);
      },
    };
    const r = await searchFastLayout(request(paired));
    expect(calls).toHaveLength(2);
    expect(calls[0]![0]).toBe(1);
    expect(p.timed).toHaveLength(0);
    expect(r.report.chosen).toBe('runtime-aware');
    expect(r.report.candidates.every((c) => c.roundsMs.length === 2)).toBe(true);
  });
});
