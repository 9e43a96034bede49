// Headless command line of the same core the app runs in workers: `quantbench inspect MODEL [--json]` and
// `quantbench evaluate MODEL --images DIR | --tensors DIR | --random N [...]`.
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PRESETS } from '../data/presets';
import { checkModelSize } from '../onnx/model-io';
import type { ModelCard } from '../onnx/summary';
import { evaluateFolder, type EvaluateFolderOptions } from '../pipeline/evaluate-node';
import { inspectModel } from '../pipeline/inspect';
import { toQbError } from '../shared/errors';
import { runBench } from './bench';
import { formatCard } from './format-card';
import { formatReport } from './format-report';
import { runQuantize } from './quantize';
import { resolvePreprocess } from './recipe';

const USAGE = `Usage: quantbench <command> [options]

Commands:
  inspect MODEL.onnx [--json]   Describe a model: inputs/outputs, opsets, operators, parameters,
                                bytes by dtype, quantizable nodes, whether it is already quantized.
                                External-data files are read from the model's folder.

  evaluate MODEL.onnx --images DIR [--labels FILE ...] [--reference FP32.onnx]
           [--preprocess PRESET|RECIPE.json] [--limit N] [--json]
  evaluate MODEL.onnx --tensors DIR [--labels FILE ...] [--reference FP32.onnx] [--limit N] [--json]
  evaluate MODEL.onnx --random N [--shape D1,D2,...] [--range MIN,MAX] [--seed S] [--reference FP32.onnx] [--json]
                                Accuracy (top-1, top-5, per class) of a classifier on a folder of
                                JPEG/PNG images or NumPy tensors, its fidelity to an FP32 reference,
                                and throughput; or speed and fidelity on seeded random inputs.
                                Labels come from --labels files (CSV with a header, "file label"
                                lists like val.txt, class lists) or files in DIR, else from class
                                sub-folders or synsets in file names (n01440764_tench.JPEG).
    --images DIR                The image folder (read recursively). A folder without images but with
                                .npy/.npz files is read as tensors (see --tensors).
    --tensors DIR               A folder of NumPy tensors for models with non-image inputs (audio,
                                features), fed to the model's first input as they are (no
                                preprocessing; values converted to float32). Each .npy is one sample,
                                or one per row when its first dim is a batch (N x ...) and the model's
                                batch dim is 1 or symbolic; a missing batch dim is added. Each array of
                                an .npz is a sample, or only the array named like the model's input.
                                Samples are named "a.npy", "waves.npy[3]", "clips.npz:arr_0": a CSV
                                with columns file,label naming them gives labels.
    --random N                  N seeded random inputs shaped like the model's input: for speed and
                                agreement with --reference only; accuracy is meaningless on them.
    --shape D1,D2,...           Random inputs: the full input shape (default: the model's, with open
                                dims 1 for the batch, 224 for image sides, 1536 otherwise).
    --range MIN,MAX             Random inputs: value range (default 0,1 for images, -1,1 otherwise).
    --seed S                    Random inputs: generator seed (default 1).
    --labels FILE ...           One or more label files; repeat the option or list several files.
    --reference FP32.onnx       Compare outputs with this model: top-1 agreement, top-5 overlap,
                                SQNR and cosine (and pixel agreement / mIoU for segmentation maps).
    --preprocess PRESET|FILE    Images only: a preset (${Object.keys(PRESETS).join(', ')})
                                or a JSON file holding a full recipe; suggested from the model if absent.
    --limit N                   Only the first N images (or tensor samples) in path order.

  quantize MODEL.onnx --precision int8 --out OUT.onnx [--images DIR] [--eval-images DIR]
           [--preprocess PRESET|JSON] [--mode auto|static|dynamic] [--calibration minmax|percentile|entropy|mse]
           [--preset performance|mixed] [--model-type auto|cnn|transformer] [--exclude NODE,NODE]
           [--exclude-ops OP,OP] [--per-tensor] [--subset N] [--json]
                                Quantize to INT8 like the app: static QDQ calibrated on images (CNNs) or
                                dynamic int8 weights (transformers), checked against the original, with
                                the worst layers by SQNR. Ctrl+C stops cleanly (exit 130, nothing
                                written). See quantize --help.
  quantize MODEL.onnx --precision fp16 --out OUT.onnx [--keep-io|--no-keep-io] [--json]
                                Convert to FP16, check it against the original on seeded random
                                inputs, keep drifting nodes in FP32 (see quantize --help).

  bench MODEL.onnx [--ep wasm|webgpu] [--threads N] [--time-ms N] [--batch N] [--sweep 1,2,4,8] [--json]
                                Benchmark in headless Chromium with the app's engine: cold start,
                                latency p50/p90/p99, throughput, size and gzip size, warnings; an
                                optional batch sweep. See bench --help.

Options:
  --json      Print machine-readable JSON instead of text (evaluate writes an infinite SQNR as
              "Infinity", quantize as null)
  -h, --help  Show this help

Exit codes: 0 done, 1 the input could not be used (message on stderr), 2 wrong command line,
130 interrupted (quantize, bench).`;

/** Sizes of the files beside the model, so external-data references can be checked like in the app. */
async function neighbourSizes(modelPath: string): Promise<Record<string, number>> {
  const dir = dirname(modelPath);
  const sizes: Record<string, number> = {};
  for (const name of await readdir(dir)) {
    if (name === basename(modelPath)) continue;
    const s = await stat(join(dir, name)).catch(() => undefined);
    if (s?.isFile()) sizes[name] = s.size;
  }
  return sizes;
}

async function inspect(path: string): Promise<ModelCard> {
  const s = await stat(path).catch(() => undefined);
  if (s === undefined || !s.isFile()) throw new Error(`No such file: ${path}`);
  checkModelSize(basename(path), s.size);
  const bytes = new Uint8Array(await readFile(path));
  return inspectModel(basename(path), bytes, await neighbourSizes(path));
}

/** A command line that cannot be run as written (exit code 2). */
class UsageError extends Error {}

interface EvaluateArgs {
  options: EvaluateFolderOptions;
  /** The --preprocess value, resolved after parsing (a preset id or a JSON file). */
  preprocess?: string;
  json: boolean;
}

/** "1,16000" -> [1, 16000]; every part must be a finite number (whole when `whole`). */
function numberList(raw: string, name: string, whole: boolean): number[] {
  const parts = raw.split(',').map((t) => t.trim());
  const values = parts.map(Number);
  if (parts.some((t) => t === '') || values.some((v) => !Number.isFinite(v) || (whole && (!Number.isSafeInteger(v) || v < 1)))) {
    throw new UsageError(`${name} takes ${whole ? 'whole numbers above zero' : 'numbers'} separated by commas (got "${raw}").`);
  }
  return values;
}

function positiveInt(raw: string, name: string): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${name} takes a whole number above zero (got "${raw}").`);
  return n;
}

/** Parses `evaluate` arguments (after the command word). Options take `--name value` or `--name=value`. */
function parseEvaluateArgs(args: readonly string[]): EvaluateArgs {
  let model: string | undefined;
  let images: string | undefined;
  let tensors: string | undefined;
  let reference: string | undefined;
  let preprocess: string | undefined;
  let limit: number | undefined;
  let randomCount: number | undefined;
  let shape: number[] | undefined;
  let range: number[] | undefined;
  let seed: number | undefined;
  let json = false;
  const labels: string[] = [];
  const queue = args.flatMap((a) => (/^--[a-z]+=/.test(a) ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a]));
  const value = (name: string): string => {
    const v = queue.shift();
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${name} needs a value.`);
    return v;
  };
  while (queue.length > 0) {
    const a = queue.shift()!;
    switch (a) {
      case '--images':
        images = value(a);
        break;
      case '--tensors':
        tensors = value(a);
        break;
      case '--labels':
        labels.push(value(a));
        // More files may follow without repeating the option; a .onnx file is the model, not a label file.
        while (queue.length > 0 && !queue[0]!.startsWith('-') && !/\.onnx$/i.test(queue[0]!)) labels.push(queue.shift()!);
        break;
      case '--reference':
        reference = value(a);
        break;
      case '--preprocess':
        preprocess = value(a);
        break;
      case '--limit':
        limit = positiveInt(value(a), a);
        break;
      case '--random':
        randomCount = positiveInt(value(a), a);
        break;
      case '--shape':
        shape = numberList(value(a), a, true);
        break;
      case '--range': {
        const raw = value(a);
        range = numberList(raw, a, false);
        if (range.length !== 2 || range[0]! >= range[1]!) throw new UsageError(`--range takes MIN,MAX with MIN below MAX (got "${raw}").`);
        break;
      }
      case '--seed': {
        const raw = value(a);
        seed = Number(raw);
        if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed takes a whole number (got "${raw}").`);
        break;
      }
      case '--json':
        json = true;
        break;
      default:
        if (a.startsWith('-')) throw new UsageError(`Unknown option ${a}`);
        if (model !== undefined) throw new UsageError(`evaluate takes one model file (got "${model}" and "${a}").`);
        model = a;
    }
  }
  if (model === undefined) throw new UsageError('evaluate needs a model file.');
  const sources = [images !== undefined, tensors !== undefined, randomCount !== undefined].filter(Boolean).length;
  if (sources === 0) throw new UsageError('evaluate needs --images DIR, the folder of images (or .npy/.npz tensors) to evaluate on; or --tensors DIR; or --random N.');
  if (sources > 1) throw new UsageError('Give one of --images DIR, --tensors DIR and --random N.');
  if (randomCount === undefined && (shape !== undefined || range !== undefined || seed !== undefined)) throw new UsageError('--shape, --range and --seed go with --random N.');
  if (preprocess !== undefined && images === undefined) throw new UsageError('--preprocess applies to images only (--images DIR).');
  const options: EvaluateFolderOptions = { model, labels };
  if (images !== undefined) options.images = images;
  if (tensors !== undefined) {
    options.images = tensors;
    options.inputKind = 'tensors';
  }
  if (randomCount !== undefined) {
    options.random = { count: randomCount, ...(shape !== undefined ? { dims: shape } : {}), ...(range !== undefined ? { min: range[0]!, max: range[1]! } : {}), ...(seed !== undefined ? { seed } : {}) };
  }
  if (reference !== undefined) options.reference = reference;
  if (limit !== undefined) options.limit = limit;
  return preprocess !== undefined ? { options, preprocess, json } : { options, json };
}

/** JSON with infinite SQNR kept readable ("Infinity") instead of JSON.stringify's null. */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2);
}

async function runEvaluate(
  args: readonly string[],
  out: (s: string) => void,
  err: (s: string) => void,
  progress: ((done: number, total: number) => void) | undefined,
): Promise<number> {
  let parsed: EvaluateArgs;
  try {
    parsed = parseEvaluateArgs(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`${e.message}\n\n${USAGE}\n`);
    return 2;
  }
  try {
    const options = { ...parsed.options };
    if (parsed.preprocess !== undefined) options.preprocess = await resolvePreprocess(parsed.preprocess);
    if (progress !== undefined && !parsed.json) options.onStep = progress;
    const result = await evaluateFolder(options);
    if (parsed.json) {
      const { report, inputKind, presetId, recipe, presetReason, random, labelSource, classList } = result;
      const images = options.images ?? null;
      out(`${toJson({ model: options.model, images, inputKind, reference: options.reference ?? null, presetId, recipe, presetReason, random, labelSource, classes: classList?.names.length ?? null, report })}\n`);
    } else {
      out(formatReport(result, options.images ?? 'random inputs', options.reference !== undefined ? basename(options.reference) : undefined));
    }
    return 0;
  } catch (e) {
    return fail(e, parsed.json, out, err);
  }
}

/** Prints an error in plain language (and as JSON with --json); exit code 1. */
function fail(e: unknown, json: boolean, out: (s: string) => void, err: (s: string) => void): number {
  const q = toQbError(e, e instanceof Error ? e.message : 'Something went wrong.');
  if (json) out(`${JSON.stringify({ error: q.toData() }, null, 2)}\n`);
  err(`Error: ${q.message}${q.detail !== undefined ? `\n  (${q.detail})` : ''}\n`);
  return 1;
}

/** Progress on an interactive terminal: one line rewritten in place, about 20 updates per run. */
function terminalProgress(): ((done: number, total: number) => void) | undefined {
  if (process.stderr.isTTY !== true) return undefined;
  let shown = -1;
  return (done, total) => {
    const step = Math.floor((done / Math.max(1, total)) * 20);
    if (step === shown && done !== total) return;
    shown = step;
    process.stderr.write(`\r  ${done} / ${total} images${done === total ? '\n' : ''}`);
  };
}

/** Runs the CLI and returns the process exit code (0 ok, 1 the input was bad, 2 usage error). */
export async function main(argv: readonly string[], out?: (s: string) => void, err?: (s: string) => void): Promise<number> {
  // Progress lines only go to a real terminal, never into captured output (tests, pipes).
  const progress = out === undefined && err === undefined ? terminalProgress() : undefined;
  const write = out ?? ((s: string) => void process.stdout.write(s));
  const writeErr = err ?? ((s: string) => void process.stderr.write(s));
  return run(argv, write, writeErr, progress);
}

async function run(argv: readonly string[], out: (s: string) => void, err: (s: string) => void, progress: ((done: number, total: number) => void) | undefined): Promise<number> {
  if (argv[0] === 'quantize') return runQuantize(argv.slice(1), out, err); // before the global --help: it has its own
  if (argv[0] === 'bench') return runBench(argv.slice(1), out, err); // likewise
  const args = argv.filter((a) => !a.startsWith('-'));
  const flags = new Set(argv.filter((a) => a.startsWith('-')));
  if (flags.has('-h') || flags.has('--help') || args.length === 0) {
    out(`${USAGE}\n`);
    return args.length === 0 && !flags.has('-h') && !flags.has('--help') ? 2 : 0;
  }
  if (args[0] === 'evaluate') return runEvaluate(argv.slice(argv.indexOf('evaluate') + 1), out, err, progress);
  const [command, ...rest] = args;
  const unknown = [...flags].filter((f) => f !== '--json');
  if (unknown.length > 0) {
    err(`Unknown option ${unknown.join(', ')}\n\n${USAGE}\n`);
    return 2;
  }
  if (command !== 'inspect' || rest.length !== 1) {
    err(`${command === 'inspect' ? 'inspect takes exactly one model file' : `Unknown command "${command}"`}\n\n${USAGE}\n`);
    return 2;
  }
  try {
    const card = await inspect(rest[0]!);
    out(flags.has('--json') ? `${JSON.stringify(card, null, 2)}\n` : formatCard(card));
    return 0;
  } catch (e) {
    return fail(e, flags.has('--json'), out, err);
  }
}
