// `quantbench evaluate` on NumPy tensors and random inputs: the silero VAD model (audio, input float32
// [batch, samples], needs >= 1536 samples) on generated .npy/.npz waveforms, against itself, and on random inputs.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { hasSharedData, sharedPath } from '../../test/shared-data';
import { encodeNpy } from '../data/npy';
import { RANDOM_WARNING } from './format-report';
import { runCli } from '../../test/cli-run';

const run = runCli;

const hasData = hasSharedData();
const SILERO = hasData ? sharedPath('models', 'silero-vad-mini-transformer.onnx') : '';
const SAMPLES = 1536;

/** A 16 kHz tone with a little seeded noise, amplitude below 1 (a waveform in [-1, 1]). */
function waveform(hz: number, n = SAMPLES, seed = 1): Float32Array {
  let state = seed;
  const noise = (): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31 - 0.5;
  };
  return Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / 16000) + 0.05 * noise());
}

describe('quantbench evaluate: tensor and random options', () => {
  it('rejects contradictory or incomplete options with usage (exit 2)', async () => {
    expect((await run(['evaluate', 'm.onnx', '--random', '0'])).err).toContain('--random takes a whole number above zero');
    expect((await run(['evaluate', 'm.onnx', '--images', 'x', '--random', '4'])).err).toContain('Give one of --images DIR, --tensors DIR and --random N.');
    expect((await run(['evaluate', 'm.onnx', '--tensors', 'x', '--shape', '1,2'])).err).toContain('--shape, --range and --seed go with --random N.');
    expect((await run(['evaluate', 'm.onnx', '--random', '2', '--range', '1,-1'])).err).toContain('--range takes MIN,MAX with MIN below MAX');
    expect((await run(['evaluate', 'm.onnx', '--random', '2', '--shape', '1,x'])).err).toContain('--shape takes whole numbers above zero');
    const pre = await run(['evaluate', 'm.onnx', '--tensors', 'x', '--preprocess', 'raw-0-1']);
    expect(pre.code).toBe(2);
    expect(pre.err).toContain('--preprocess applies to images only');
  });

  it('documents tensors and random inputs in the help', async () => {
    const help = await run(['--help']);
    expect(help.out).toContain('--tensors DIR');
    expect(help.out).toContain('--random N');
    expect(help.out).toContain('accuracy is meaningless on them');
  });
});

describe.skipIf(!hasData)('quantbench evaluate on silero VAD (tensors, random inputs)', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'qb-tensors-'));
    const waves = join(dir, 'waves');
    mkdirSync(waves);
    writeFileSync(join(waves, 'tone-200.npy'), encodeNpy(waveform(200), [1, SAMPLES]));
    writeFileSync(join(waves, 'tone-440.npy'), encodeNpy(waveform(440, SAMPLES, 2), [SAMPLES])); // no batch dim
    // Float64 with a batch of 2: two samples, converted to float32.
    const pair = new Float64Array(2 * SAMPLES);
    pair.set(waveform(1000, SAMPLES, 3));
    pair.set(waveform(3000, SAMPLES, 4), SAMPLES);
    writeFileSync(join(waves, 'pair.npy'), encodeNpy(pair, [2, SAMPLES]));
    writeFileSync(join(waves, 'clips.npz'), zipSync({ 'arr_0.npy': encodeNpy(waveform(600, 4096, 5), [1, 4096]) }));
    // Rank 4 does not fit [batch, samples]: reported, not fatal.
    writeFileSync(join(waves, 'stereo.npy'), encodeNpy(new Float32Array(2 * 2 * 8), [2, 2, 2, 4]));
    writeFileSync(join(waves, 'labels.csv'), 'file,label\ntone-200.npy,0\ntone-440.npy,1\npair.npy[0],1\npair.npy[1],0\nclips.npz:arr_0,1\n');
  });

  it('evaluates .npy/.npz waveforms against itself: agreement 1, labels by sample name, a bad file reported', async () => {
    const r = await run(['evaluate', SILERO, '--images', join(dir, 'waves'), '--reference', SILERO, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.inputKind).toBe('tensors');
    expect(json.recipe).toBeNull();
    expect(json.labelSource).toBe('csv');
    expect(json.report.images).toBe(5);
    expect(json.report.labelled).toBe(5);
    expect(json.report.top1).toEqual(expect.any(Number));
    expect(json.report.fidelity).toMatchObject({ top1Agreement: 1, top5Overlap: 1, sqnrDb: 'Infinity', cosine: 1 });
    const bad = json.report.problems.find((p: { kind: string }) => p.kind === 'bad-tensor');
    expect(bad.message).toBe('stereo.npy has shape [2, 2, 2, 4] but the model\'s input "input" is [batch, samples]: it has 4 dimensions where the model takes 2 (or 1 without the batch dimension). It is left out.');
  }, 60_000);

  it('prints the tensor run as text, --tensors with --limit', async () => {
    const r = await run(['evaluate', SILERO, '--tensors', join(dir, 'waves'), '--limit', '3']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('silero-vad-mini-transformer.onnx on');
    expect(r.out).toContain(': 3 samples, 3 labelled');
    expect(r.out).toContain('Inputs         tensors fed as they are to the model\'s input "input" [batch, samples] float32');
    expect(r.out).toMatch(/Speed {10}[\d.]+ samples\/s end to end \(reading the files, inference\)/);
  }, 60_000);

  it('explains in plain words when a file fits the declared shape but is too short for the model', async () => {
    const short = join(dir, 'short');
    mkdirSync(short);
    writeFileSync(join(short, 'sample_3.npy'), encodeNpy(waveform(440, 512), [1, 512]));
    const r = await run(['evaluate', SILERO, '--tensors', short]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('The model could not run on sample_3.npy (shape [1, 512]). The model\'s input "input" is declared as [batch, samples], so the file fits on paper');
  }, 60_000);

  it('runs on random inputs (4 of [1, 1536] by default), labelled as meaningless for accuracy, agreement with itself 1', async () => {
    const text = await run(['evaluate', SILERO, '--random', '4']);
    expect(text.code).toBe(0);
    expect(text.out).toContain('on random inputs: 4 random inputs, 0 labelled');
    expect(text.out).toContain('4 random samples of [1, 1536], uniform in [-1, 1), seed 1');
    expect(text.out).toContain(RANDOM_WARNING);
    expect(text.out).not.toContain('Top-1');
    const json = JSON.parse((await run(['evaluate', SILERO, '--random', '4', '--shape', '1,16000', '--seed', '3', '--reference', SILERO, '--json'])).out);
    expect(json.inputKind).toBe('random');
    expect(json.random).toEqual({ count: 4, dims: [1, 16000], min: -1, max: 1, seed: 3 });
    expect(json.report).toMatchObject({ images: 4, labelled: 0, top1: null });
    expect(json.report.fidelity.top1Agreement).toBe(1);
  }, 60_000);

  it('says which random sizes the model refused', async () => {
    const r = await run(['evaluate', SILERO, '--random', '2', '--shape', '1,512']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('The model could not run on random inputs of shape [1, 512].');
    const wrongRank = await run(['evaluate', SILERO, '--random', '2', '--shape', '1,2,3']);
    expect(wrongRank.code).toBe(1);
    expect(wrongRank.err).toContain('the model\'s input has 2 dimensions [batch, samples], not 3');
  }, 60_000);
});
