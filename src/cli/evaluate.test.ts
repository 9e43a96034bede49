// `quantbench evaluate`: command-line parsing, plain-language failures with exit codes, text and JSON reports.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasSharedData, sharedPath } from '../../test/shared-data';
import { runCli } from '../../test/cli-run';

const run = runCli;

const hasData = hasSharedData();
const RESNET = hasData ? sharedPath('models', 'resnet20-cifar10-ace.onnx') : '';
const CIFAR = hasData ? sharedPath('images', 'cifar10-test-1000') : '';
const CLASSES = hasData ? sharedPath('labels', 'cifar10_classes.txt') : '';

describe('quantbench evaluate: command line', () => {
  it('rejects incomplete or unknown arguments with usage (exit 2)', async () => {
    const noImages = await run(['evaluate', 'm.onnx']);
    expect(noImages.code).toBe(2);
    expect(noImages.err).toContain('evaluate needs --images DIR');
    expect(noImages.err).toContain('Usage: quantbench');
    expect((await run(['evaluate', '--images', 'x'])).err).toContain('evaluate needs a model file');
    expect((await run(['evaluate', 'm.onnx', '--images'])).err).toContain('--images needs a value');
    expect((await run(['evaluate', 'm.onnx', '--images', 'x', '--frobnicate'])).err).toContain('Unknown option --frobnicate');
    expect((await run(['evaluate', 'a.onnx', 'b.onnx', '--images', 'x'])).err).toContain('one model file');
    const limit = await run(['evaluate', 'm.onnx', '--images', 'x', '--limit', '0']);
    expect(limit.code).toBe(2);
    expect(limit.err).toContain('--limit takes a whole number above zero');
  });

  it('documents evaluate in the help', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('evaluate MODEL.onnx --images DIR');
    expect(help.out).toContain('caffe-bgr');
  });

  it('explains missing files, unknown presets and bad recipes in plain language (exit 1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qb-eval-'));
    mkdirSync(join(dir, 'imgs'));
    const missingModel = await run(['evaluate', join(dir, 'nope.onnx'), '--images', join(dir, 'imgs')]);
    expect(missingModel.code).toBe(1);
    expect(missingModel.err).toContain('No such model file');
    const missingDir = await run(['evaluate', 'm.onnx', '--images', join(dir, 'none'), '--json']);
    expect(missingDir.code).toBe(1);
    expect(JSON.parse(missingDir.out).error.message).toContain('No such image folder');
    const preset = await run(['evaluate', 'm.onnx', '--images', join(dir, 'imgs'), '--preprocess', 'imagenet']);
    expect(preset.code).toBe(1);
    expect(preset.err).toContain('neither a preset (imagenet-torchvision, caffe-bgr');
    writeFileSync(join(dir, 'recipe.json'), JSON.stringify({ width: 32, height: 32, resize: 'zoom', layout: 'NCHW', channelOrder: 'RGB', scale: 1, mean: [0, 0], std: [1, 0, 1] }));
    const recipe = await run(['evaluate', 'm.onnx', '--images', join(dir, 'imgs'), '--preprocess', join(dir, 'recipe.json')]);
    expect(recipe.code).toBe(1);
    expect(recipe.err).toContain('is not a usable preprocessing recipe: "resize" must be one of');
    expect(recipe.err).toContain('"mean" must be 3 numbers');
    expect(recipe.err).toContain('"std" must be 3 numbers, none of them 0');
    writeFileSync(join(dir, 'broken.json'), '{ width: 3');
    expect((await run(['evaluate', 'm.onnx', '--images', join(dir, 'imgs'), '--preprocess', join(dir, 'broken.json')])).err).toContain('is not valid JSON');
  });

  it.skipIf(!hasData)('says so when the folder holds no images', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qb-eval-'));
    writeFileSync(join(dir, 'readme.md'), 'no pictures here');
    const r = await run(['evaluate', RESNET, '--images', dir]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('No images were found');
  });
});

describe.skipIf(!hasData)('quantbench evaluate on CIFAR-10 (ResNet20)', () => {
  it('prints accuracy, per-class results, preprocessing and speed', async () => {
    const r = await run(['evaluate', RESNET, '--images', CIFAR, '--labels', CLASSES]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('1000 images, 1000 labelled');
    expect(r.out).toMatch(/Preprocessing {2}imagenet-torchvision: 32x32 NCHW RGB, stretched/);
    expect(r.out).toMatch(/Labels {9}Labels from folder names/);
    // MANIFEST.md: 81.6%, one image of difference from our JPEG decoder.
    expect(r.out).toMatch(/Top-1 {10}81\.[5-7]0%/);
    expect(r.out).toMatch(/airplane +\d+\.\d%/);
    expect(r.out).toMatch(/Speed {10}[\d.]+ images\/s end to end/);
  }, 60_000);

  it('writes JSON with a custom recipe, --limit, several label files and --reference (infinite SQNR as "Infinity")', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qb-eval-'));
    const recipe = { width: 32, height: 32, resize: 'stretch', layout: 'NCHW', channelOrder: 'RGB', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
    writeFileSync(join(dir, 'recipe.json'), JSON.stringify(recipe));
    writeFileSync(join(dir, 'notes.txt'), 'This folder holds the CIFAR-10 test images I use.\n');
    const r = await run(['evaluate', `--images=${CIFAR}`, '--labels', CLASSES, join(dir, 'notes.txt'), RESNET, '--preprocess', join(dir, 'recipe.json'), '--limit', '30', '--reference', RESNET, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.presetId).toBeNull();
    expect(json.recipe).toEqual(recipe);
    expect(json.labelSource).toBe('folder-per-class');
    expect(json.report.images).toBe(30);
    expect(json.report.fidelity).toMatchObject({ top1Agreement: 1, top5Overlap: 1, sqnrDb: 'Infinity', cosine: 1 });
    expect(json.report.disagreements).toEqual([]);
    // The notes file is not a label file; that is reported, not hidden.
    expect(json.report.problems.map((p: { kind: string }) => p.kind)).toContain('unsupported-file');
  }, 60_000);

  it('runs as a real process through the package bin', () => {
    const bin = resolve(import.meta.dirname, 'bin.mjs');
    const out = execFileSync(process.execPath, [bin, 'evaluate', RESNET, '--images', CIFAR, '--labels', CLASSES, '--limit', '10', '--json'], { encoding: 'utf8' });
    const json = JSON.parse(out);
    expect(json.report.images).toBe(10);
    expect(json.report.perClass).toEqual([{ classIndex: 0, name: 'airplane', count: 10, top1: expect.any(Number) }]);
  }, 60_000);
});
