// `quantbench quantize --precision int8`: real models through the same quantizeFolder the app's worker runs,
// written files checked independently (onnx.checker, onnxruntime-node), plain failures that leave no file behind,
// and Ctrl+C in a real process (exit 130, no file).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../../test/cli-run';
import { checkerPython, onnxCheck } from '../../test/onnx-checker';
import { hasSharedData, sharedPath } from '../../test/shared-data';
import type { Int8Report } from '../pipeline/int8';

const hasData = hasSharedData();
const dir = mkdtempSync(join(tmpdir(), 'qb-int8-cli-'));
const RESNET = hasData ? sharedPath('models', 'resnet20-cifar10-ace.onnx') : '';
const VAD = hasData ? sharedPath('models', 'silero-vad-mini-transformer.onnx') : '';
const CIFAR = hasData ? sharedPath('images', 'cifar10-test-1000') : '';
const AIRPLANE = hasData ? sharedPath('images', 'cifar10-test-1000', 'airplane') : '';

interface Int8Json {
  model: string;
  out: string;
  report: Int8Report;
  presetId: string | null;
  recipe: Record<string, unknown> | null;
  presetReason: string | null;
}

const int8 = (...args: string[]): Promise<CliRun> => runCli(['quantize', '--precision', 'int8', ...args]);

/** Files left in `folder` whose name starts with `base` (OUT or OUT.partial-<pid>). */
const leftovers = (folder: string, base: string): string[] => readdirSync(folder).filter((f) => f.startsWith(base));

/** ResNet20 quantized once on 32 airplane images (several tests read it). */
let resnetRun: Promise<{ run: CliRun; out: string }> | undefined;
function resnetInt8(): Promise<{ run: CliRun; out: string }> {
  const out = join(dir, 'resnet20-int8.onnx');
  resnetRun ??= int8(RESNET, '--out', out, '--images', AIRPLANE, '--subset', '32', '--json').then((run) => ({ run, out }));
  return resnetRun;
}

describe('quantbench quantize --precision int8: command line', () => {
  it('rejects a wrong command line with usage (exit 2)', async () => {
    const calibration = await int8('m.onnx', '--out', join(dir, 'u.onnx'), '--images', 'x', '--calibration', 'kl');
    expect(calibration.code).toBe(2);
    expect(calibration.err).toContain('--calibration takes minmax, percentile, entropy, mse (got "kl")');
    expect(calibration.err).toContain('Usage: quantbench quantize');
    const subset = await int8('m.onnx', '--out', join(dir, 'u.onnx'), '--images', 'x', '--subset', '0');
    expect(subset.code).toBe(2);
    expect(subset.err).toContain('--subset takes a whole number above zero (got "0")');
    expect((await int8('m.onnx', '--out', join(dir, 'u.onnx'), '--subset=2.5')).code).toBe(2);
    expect((await int8('m.onnx', '--out', join(dir, 'u.onnx'), '--mode', 'fast')).err).toContain('--mode takes auto, static, dynamic');
    expect((await int8('m.onnx', '--out', join(dir, 'u.onnx'), '--mode', 'dynamic', '--calibration', 'mse')).err).toContain('--calibration applies to static mode only');
    expect((await int8('m.onnx', '--out', join(dir, 'u.onnx'), '--keep', 'Conv_0')).err).toContain('--keep is an FP16 option');
    expect((await int8('m.onnx', '--out', join(dir, 'u.onnx'), '--exclude', 'a,,b')).err).toContain('--exclude takes names separated by commas');
    expect((await int8('m.onnx', '--out', join(dir, 'u.onnx'), '--preprocess', 'raw-0-1')).err).toContain('--preprocess applies to images');
    expect((await int8('m.onnx', '--images', 'x')).err).toContain('--out is required');
    expect((await int8('--out', join(dir, 'u.onnx'))).err).toContain('quantize needs a model file');
    const precision = await runCli(['quantize', 'm.onnx', '--out', join(dir, 'u.onnx')]);
    expect(precision.code).toBe(2);
    expect(precision.err).toContain('--precision is required (int8 or fp16)');
    const help = await runCli(['quantize', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('--precision int8');
    expect(help.out).toContain('written as null');
    expect((await int8('m.onnx', '--out', join(dir, 'u.onnx'), '--metric', 'top1')).err).toContain('--metric applies to --max-drop');
    expect((await int8('m.onnx', '--out', join(dir, 'u.onnx'), '--max-drop', '-1')).err).toContain('--max-drop takes a number of zero or more (got "-1")');
    expect((await int8('m.onnx', '--out', join(dir, 'u.onnx'), '--max-drop', '1', '--metric', 'f1')).err).toContain('--metric takes top1, agreement, sqnr');
    expect((await int8('m.onnx', '--out', join(dir, 'u.onnx'), '--min-sqnr', '30')).err).toContain('--min-sqnr applies to --metric sqnr');
    expect((await int8('m.onnx', '--out', join(dir, 'u.onnx'), '--max-drop', '1', '--metric', 'sqnr')).err).toContain('--metric sqnr takes --min-sqnr DB instead of --max-drop');
    expect((await int8('m.onnx', '--out', join(dir, 'u.onnx'), '--mode', 'dynamic', '--max-drop', '1')).err).toContain('apply to static mode only');
    expect((await int8('m.onnx', '--out', join(dir, 'u.onnx'), '--time-budget', '60')).err).toContain('--time-budget applies to --max-drop');
    expect(leftovers(dir, 'u.onnx')).toEqual([]);
  });

  it('--max-drop on ResNet20 with labels: top-1 budget on held-out images, the search logged on stderr', async () => {
    const out = join(dir, 'resnet20-maxdrop.onnx');
    // 40 calibration images (first in path order: airplanes), validation: the next images up to 200, labelled by folder.
    const run = await int8(RESNET, '--out', out, '--images', CIFAR, '--subset', '40', '--max-drop', '0.5', '--json');
    expect(run.code).toBe(0);
    const r = (JSON.parse(run.out) as Int8Json).report;
    const a = r.accuracy!;
    expect(a.trigger).toBe('max-drop');
    expect(a.goal).toEqual({ metric: 'top1', maxDrop: 0.5 }); // labelled folders: top1 chosen automatically
    expect(a.validationInputs).toBe(960);
    expect(a.threshold).toBeCloseTo(a.fp32Value - 0.5, 9);
    expect(a.met).toBe(true);
    expect(a.final.value).toBeGreaterThanOrEqual(a.threshold);
    expect(existsSync(out)).toBe(true);
  }, 180_000);

  it('--metric sqnr with an unreachable --min-sqnr: every layer tried, best model written, plain explanation', async () => {
    const out = join(dir, 'resnet20-sqnr.onnx');
    const run = await int8(RESNET, '--out', out, '--images', AIRPLANE, '--eval-images', join(CIFAR, 'ship'), '--subset', '24', '--metric', 'sqnr', '--min-sqnr', '120');
    expect(run.code).toBe(0);
    expect(run.err).toContain('Sensitivity: quantizing each of ');
    expect(run.err).toMatch(/ {2}1 layer in float \(\+\S+\): [\d.]+ — not yet/);
    expect(run.out).toMatch(/Accuracy-aware on 100 validation inputs: [\d.]+ dB -> [\d.]+ dB \(needs 120\.00 dB\); \d+ layers kept in float/);
    expect(run.out).toContain('Even with every layer but the least sensitive one in float, the budget (output SQNR at least 120 dB) was not met');
    expect(run.out).toMatch(/Quantized: [1-9]\d* node/); // never an all-float "INT8" model
    expect(run.out).toContain('Most sensitive layers (share of the output error when quantized alone): ');
    expect(existsSync(out)).toBe(true);
  }, 180_000);

  it('explains unusable input in plain words (exit 1) and writes nothing', async () => {
    const images = join(dir, 'imgs');
    mkdirSync(images, { recursive: true });
    const out = join(dir, 'never.onnx');
    const noImages = await int8('m.onnx', '--out', out, '--mode', 'static');
    expect(noImages.code).toBe(1);
    expect(noImages.err).toBe('Error: Static INT8 needs calibration images: --images DIR (100–300 images like the ones the model will see).\n');
    const missing = await int8('m.onnx', '--out', out, '--images', join(dir, 'nope'), '--json');
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.out).error.message).toBe(`No such image folder: ${join(dir, 'nope')}`);
    const preset = await int8('m.onnx', '--out', out, '--images', images, '--preprocess', 'imagenet');
    expect(preset.code).toBe(1);
    expect(preset.err).toContain('--preprocess "imagenet" is neither a preset (imagenet-torchvision, caffe-bgr');
    const recipe = await int8('m.onnx', '--out', out, '--images', images, '--preprocess', '{"width": 32, "height": 0, "resize": "zoom", "layout": "NCHW", "channelOrder": "RGB", "scale": 1, "mean": [0, 0, 0], "std": [1, 1, 1], "colour": 1}');
    expect(recipe.code).toBe(1);
    expect(recipe.err).toContain('The --preprocess recipe is not a usable preprocessing recipe: unknown field "colour"');
    expect(recipe.err).toContain('"height" must be a whole number of pixels above zero; "resize" must be one of stretch, shorter-side-crop, letterbox.');
    expect((await int8('m.onnx', '--out', out, '--images', images, '--preprocess', '{"width": 3')).err).toContain('The --preprocess recipe is not valid JSON');
    const model = await int8(join(dir, 'nope.onnx'), '--out', out, '--images', images);
    expect(model.code).toBe(1);
    expect(model.err).toContain('No such model file');
    expect(leftovers(dir, 'never.onnx')).toEqual([]);
  });
});

describe.skipIf(!hasData)('quantbench quantize --precision int8 on the shared models', () => {
  it('ResNet20, 32 calibration images: SQNR > 20 dB, < 35% of the size, valid ONNX that runs in onnxruntime-node', async () => {
    const { run, out } = await resnetInt8();
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const json = JSON.parse(run.out) as Int8Json;
    expect(Object.keys(json)).toEqual(['model', 'out', 'report', 'presetId', 'recipe', 'presetReason', 'stats']);
    expect(json.out).toBe(out);
    // Stage times and memory: calibration took time, the process's peak RSS holds at least the engine's heap.
    const stats = (json as unknown as { stats: { wallMs: number; stages: { stage: string; ms: number }[]; peakRssBytes: number; memory: { engineBytes: number } } }).stats;
    expect(stats.stages.map((t) => t.stage)).toEqual(expect.arrayContaining(['prepare', 'calibrate', 'validate']));
    expect(stats.stages.find((t) => t.stage === 'calibrate')!.ms).toBeGreaterThan(0);
    expect(stats.wallMs).toBeGreaterThanOrEqual(stats.stages.reduce((sum, t) => sum + t.ms, 0));
    expect(stats.memory.engineBytes).toBeGreaterThan(1e6);
    expect(stats.peakRssBytes).toBeGreaterThan(stats.memory.engineBytes);
    const r = json.report;
    expect(r.mode).toBe('static');
    expect(r.preset).toBe('performance');
    expect(r.method).toBe('mse');
    expect(r.calibration!.images).toBe(32);
    expect(r.calibration!.available).toBe(100);
    expect(r.check.heldOut).toBe(true);
    expect(r.check.inputs).toBe(8);
    expect(r.check.sqnrDb).toBeGreaterThan(20);
    expect(r.check.top1Agreement).toBeGreaterThanOrEqual(0.875);
    expect(r.sizeAfterBytes / r.sizeBeforeBytes).toBeLessThan(0.35);
    expect(r.quantizedNodes.filter((n) => n.opType === 'Conv')).toHaveLength(21);
    expect(r.layers.length).toBeGreaterThan(10);
    expect(r.warnings.some((w) => w.includes('only 32 images'))).toBe(true);
    expect(json.presetId).not.toBeNull();
    expect(existsSync(out)).toBe(true);
    expect(leftovers(dir, 'resnet20-int8.onnx')).toEqual(['resnet20-int8.onnx']);
    if (checkerPython !== undefined) expect(onnxCheck(out)).toBe('');
    const session = await ort.InferenceSession.create(readFileSync(out));
    try {
      const result = await session.run({ input: new ort.Tensor('float32', new Float32Array(3 * 32 * 32).fill(0.25), [1, 3, 32, 32]) });
      const logits = result[session.outputNames[0]!]!.data as Float32Array;
      expect(logits).toHaveLength(10);
      expect(logits.every((v) => Number.isFinite(v))).toBe(true);
    } finally {
      await session.release();
    }
  }, 60_000);

  it('refuses an already quantized model (exit 1) and writes nothing', async () => {
    const { out: quantized } = await resnetInt8();
    const again = join(dir, 'twice.onnx');
    const run = await int8(quantized, '--out', again, '--images', AIRPLANE, '--subset', '8');
    expect(run.code).toBe(1);
    expect(run.err).toContain('This model is already quantized (qdq)');
    expect(run.out).toBe('');
    expect(leftovers(dir, 'twice.onnx')).toEqual([]);
  }, 30_000);

  it('says a CNN in auto mode needs --images, and writes nothing', async () => {
    const out = join(dir, 'no-images.onnx');
    const run = await int8(RESNET, '--out', out, '--json');
    expect(run.code).toBe(1);
    expect(JSON.parse(run.out).error).toEqual({ code: 'unsupported', message: 'Static INT8 needs calibration images: --images DIR (100–300 images like the ones the model will see).' });
    expect(leftovers(dir, 'no-images.onnx')).toEqual([]);
  }, 30_000);

  it('silero VAD in auto mode without images: dynamic, 16 MatMul weights in int8, checked on random inputs', async () => {
    const out = join(dir, 'vad-int8.onnx');
    const run = await int8(VAD, '--out', out, '--mode', 'auto', '--json');
    expect(run.code).toBe(0);
    const json = JSON.parse(run.out) as Int8Json;
    const r = json.report;
    expect(r.mode).toBe('dynamic');
    expect(r.calibration).toBeNull();
    expect(r.dynamic!.quantizedNodes).toHaveLength(16);
    expect(r.dynamic!.quantizedNodes.every((n) => n.opType === 'MatMul')).toBe(true);
    expect(r.check.inputs).toBe(4);
    expect(r.check.sqnrDb).toBeGreaterThan(30);
    expect(json.presetId).toBeNull();
    expect(json.recipe).toBeNull();
    expect(r.sizeAfterBytes).toBeLessThan(r.sizeBeforeBytes);
    expect(existsSync(out)).toBe(true);
    if (checkerPython !== undefined) expect(onnxCheck(out)).toBe('');
  }, 30_000);

  it('removes its partial file when the final rename fails (--out names a folder)', async () => {
    const out = join(dir, 'a-folder');
    mkdirSync(join(out, 'inside'), { recursive: true });
    const run = await int8(VAD, '--out', out);
    expect(run.code).toBe(1);
    expect(run.err).toContain(`Could not write ${out}: it is a folder. Nothing was written.`);
    expect(leftovers(dir, 'a-folder')).toEqual(['a-folder']);
  }, 30_000);

  it('prints a text report: options, calibration, check, kept nodes and the 10 worst layers', async () => {
    const out = join(dir, 'resnet20-text.onnx');
    const recipe = JSON.stringify({ width: 32, height: 32, resize: 'stretch', layout: 'NCHW', channelOrder: 'RGB', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
    const run = await int8(RESNET, '--out', out, '--images', AIRPLANE, '--eval-images', join(CIFAR, 'ship'), '--preprocess', recipe, '--subset', '24', '--calibration', 'percentile', '--per-tensor', '--exclude-ops', 'Gemm');
    expect(run.code).toBe(0);
    const text = run.out;
    expect(text).toContain('INT8 quantization of resnet20-cifar10-ace.onnx');
    expect(text).toContain('Mode: static (QDQ), preset performance, calibration percentile, per-tensor weights, model type cnn');
    // Static INT8 always moves to opset 13: onnxruntime's QDQ fusion emits opset-11+ ops (Round) for some plans.
    expect(text).toContain('Opset upgrade: 10 -> 13 (0 nodes changed)');
    expect(text).toContain('Preprocessing: custom recipe (32x32 NCHW RGB)');
    expect(text).toMatch(/Calibration: 24 of 100 images in [\d.]+ s \([\d.]+ images\/s\)/);
    expect(text).toMatch(/Size: 1\.10 MB -> 0\.\d\d MB \(\d\d\.\d%\)/);
    expect(text).toMatch(/Check vs FP32 on 8 held-out images: SQNR \d+\.\d dB, top-1 agreement \d+%, cosine 0\.\d{5}/);
    expect(text).toContain('Kept in float: 1 node');
    expect(text).toContain('/fc/Gemm (Gemm)');
    expect(text).toContain('Worst layers by local SQNR (10 of ');
    const table = text.slice(text.indexOf('Worst layers'));
    expect(table.split('\n').filter((l) => /^ {4}\S.*\d+\.\d\d%$/.test(l))).toHaveLength(10);
    expect(text).toContain(`Written: ${out}`);
    // One progress line per stage on stderr, not one per image.
    expect(run.err.split('\n').filter(Boolean)).toEqual([
      'Preparing the model…',
      'Calibrating on 24 images…',
      'Correcting biases on 24 images…',
      'Inserting QuantizeLinear/DequantizeLinear…',
      'Measuring the INT8 model on the validation images…', // the collapse guard: fine here, nothing searched
      'Checking the INT8 model against FP32 on 8 inputs…',
      'Measuring the error of each quantized layer on 4 inputs…',
    ]);
    expect(existsSync(out)).toBe(true);
  }, 60_000);

  it('Ctrl+C during calibration in a real process: exit 130, no output file, no partial file', async () => {
    const out = join(dir, 'interrupted.onnx');
    const bin = resolve(import.meta.dirname, 'bin.mjs');
    const child = spawn(process.execPath, [bin, 'quantize', RESNET, '--precision', 'int8', '--out', out, '--images', CIFAR, '--subset', '300'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    let signalled = false;
    const code = await new Promise<number | null>((done) => {
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        // One SIGINT: a second one quits at once (also exit 130, but without the orderly stop tested here).
        if (!signalled && err.includes('Calibrating on 300 images')) signalled = child.kill('SIGINT');
      });
      child.on('close', (c) => done(c));
    });
    expect(code).toBe(130);
    expect(err).toContain('Interrupted: stopping at the next step');
    expect(err).toContain('Error: Interrupted: nothing was written.');
    expect(err).not.toContain('Checking the INT8 model');
    expect(stdout).toBe('');
    expect(leftovers(dir, 'interrupted.onnx')).toEqual([]);
  }, 60_000);
});
