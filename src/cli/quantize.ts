// `quantbench quantize MODEL --precision int8|fp16 --out OUT.onnx`. INT8: quantizeFolder (the same
// makeInt8Variant the browser worker runs), written atomically, Ctrl+C-safe. FP16: converts, checks the result
// against FP32 in onnxruntime-web on seeded random inputs (mixed precision when needed), writes the file.
import { engineMemoryBytes } from '../runtime/engine-memory';
import { StageTimer, type JobStats } from '../shared/job-stats';
import type { ExternalFiles } from '../onnx/weight-views';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { PRESETS } from '../data/presets';
import { forEachWeight } from '../onnx/graph';
import { checkModelSize, decodeModel } from '../onnx/model-io';
import { externalDataRef, isExternal, type ExternalDataResolver } from '../onnx/tensor-data';
import { makeFp16Variant, type Fp16Variant } from '../pipeline/fp16';
import { DEFAULT_SUBSET, type Int8Options, type Int8Progress } from '../pipeline/int8';
import { quantizeFolder } from '../pipeline/int8-node';
import type { Fp16Runner } from '../quant/mixed-precision';
import { ModelSession } from '../runtime/session';
import { QbError, toQbError } from '../shared/errors';
import { openBenchBrowser, type BenchBrowser } from './browser';
import { formatInt8Text } from './format-int8';
import { browserSpeedProbe, type BrowserSpeedProbe } from './speed-probe';
import { resolvePreprocess } from './recipe';

export const QUANTIZE_USAGE = `Usage: quantbench quantize MODEL.onnx --precision int8 --out OUT.onnx [--images DIR] [options]
       quantbench quantize MODEL.onnx --precision fp16 --out OUT.onnx [options]

INT8 (--precision int8) quantizes a float32 model the way the app does. Static mode calibrates activation
ranges on images and inserts QuantizeLinear/DequantizeLinear pairs (int8 weights, per channel); dynamic
mode stores MatMul/Gemm weights in int8 and quantizes activations at run time (no images needed). The
INT8 model is then run in onnxruntime-web and compared with the original. OUT.onnx is written through a
temporary OUT.onnx.partial-<pid> file and renamed at the end: after an error or Ctrl+C (exit 130) there
is no OUT file and no partial file.

INT8 options:
  --precision int8       Target precision (int8 or fp16; required)
  --out FILE             Where to write the quantized model
  --images DIR           Calibration images (JPEG/PNG, or .npy/.npz tensors), read recursively;
                         required for static mode
  --eval-images DIR      Held-out images for the check (default: the images in --images after the
                         first --subset; when --images holds no more than that, the check reuses
                         calibration images and the report says it is not held-out). Dynamic mode
                         without images checks on seeded random inputs
  --preprocess P         Images only: a preset, a recipe as JSON text ('{"width":32,...}') or a .json
                         recipe file (default: suggested from the model). Presets:
                         ${Object.keys(PRESETS).join(', ')}
  --mode M               auto (default: dynamic for transformer-like models, else static), static,
                         dynamic
  --calibration M        Static: mse (default: the clipping range with the least expected error), minmax, percentile or entropy
  --preset P             Static: performance (symmetric activations; default for CNNs) or mixed
                         (asymmetric activations; default for transformers)
  --model-type T         Static: auto (default), cnn or transformer
  --exclude N,N          Keep these nodes in float (node name, or first output name when unnamed);
                         repeatable
  --exclude-ops OP,OP    Keep every node of these op types in float, e.g. Gemm,MatMul; repeatable
  --per-tensor           One scale per weight tensor instead of one per output channel
  --subset N             Static: calibrate on at most N images (default ${DEFAULT_SUBSET})
  --runtime-aware        Static: time every layer in FP32 and INT8 in headless Chromium (the app's
                         engine: onnxruntime-web, WebAssembly) and keep integer only the layers that
                         run faster there; needs Chromium (QB_CHROMIUM or /usr/bin/chromium)
  --threads N            With --runtime-aware: threads to time with (default 2)
  --max-drop X           Static: accuracy-aware INT8. The layers causing most of the error go back to
                         float until the metric is within X points of FP32 on the validation images
                         (--eval-images, else images after --subset, else the last quarter of --images)
  --relative             With --max-drop: X is a percent of the FP32 value, not points
  --metric M             With --max-drop: top1 (accuracy vs labels; needs labels), agreement (with
                         FP32: top-1 class, pixels or detections) or sqnr (then --min-sqnr applies).
                         Default: top1 when the validation images have labels, else agreement
  --min-sqnr DB          With --metric sqnr: the lowest acceptable output SQNR (default 25)
  --time-budget S        With --max-drop: stop after S seconds keeping the best model found (default 600)
  --labels FILE          Label file for the validation images (CSV, val.txt, class list); repeatable
  --sensitivity          Static: measure every layer's share of the output error (quantized alone) and
                         print the ranking, even when nothing needs to go back to float
  --no-guard             Static: skip the collapse guard (by default, when the INT8 model agrees with
                         FP32 on less than 90% or its SQNR is below 10 dB, the layers causing it are
                         found and kept in float automatically)
  --json                 Print { model, out, report, presetId, recipe, presetReason } as JSON instead
                         of text. An infinite SQNR (a tensor reproduced exactly) is written as null,
                         as JSON.stringify writes Infinity
  Progress (one line per stage) goes to stderr unless --json; the result goes to stdout.

FP16 (--precision fp16) converts a float32 model to float16 (weights and activations), keeping graph
inputs/outputs float32 by default, checks the result against the original on seeded random inputs in
onnxruntime-web, keeps nodes in FP32 where FP16 drifts, and writes OUT.onnx only when the check passes.

FP16 options:
  --precision fp16       Target precision
  --out FILE             Where to write the converted model
  --keep-io              Graph inputs/outputs stay float32, Casts at the edges (default)
  --no-keep-io           Graph inputs/outputs become float16 too
  --keep NODE            Keep this node in FP32 (repeatable; node name, or first output name if unnamed)
  --no-mixed             Do not search for nodes to keep in FP32 when the check fails
  --cosine-min X         Output cosine vs FP32 needed to pass (default 0.999)
  --inputs N             Number of random check inputs (default 3)
  --seed N               Seed of the random check inputs (default 1)
  --range MIN,MAX        Value range of the random inputs, e.g. 0,255 for raw pixels (default -1,1)
  --shape D1,D2,...      Input dims when the model's are symbolic (default: symbolic dims = 1)
  --json                 Print machine-readable JSON instead of text

Exit codes: 0 written, 1 the input could not be used or the check failed (message on stderr),
2 wrong command line, 130 interrupted (Ctrl+C).`;

interface QuantizeArgs {
  model: string;
  out: string;
  keepIO: boolean;
  keep: string[];
  mixed: boolean;
  cosineMin: number;
  count: number;
  seed: number;
  range: [number, number];
  shape: number[] | undefined;
  json: boolean;
}

class UsageError extends Error {}

function numbers(text: string, what: string): number[] {
  const values = text.split(',').map((s) => Number(s.trim()));
  if (values.length === 0 || values.some((v) => !Number.isFinite(v))) throw new UsageError(`${what} must be numbers separated by commas, got "${text}".`);
  return values;
}

function parseArgs(argv: readonly string[]): QuantizeArgs {
  const positional: string[] = [];
  const args: Partial<QuantizeArgs> & { precision?: string } = { keepIO: true, keep: [], mixed: true, json: false };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value.`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    switch (a) {
      case '--precision': args.precision = value(i++, a); break;
      case '--out': args.out = value(i++, a); break;
      case '--keep-io': args.keepIO = true; break;
      case '--no-keep-io': args.keepIO = false; break;
      case '--keep': args.keep!.push(value(i++, a)); break;
      case '--no-mixed': args.mixed = false; break;
      case '--json': args.json = true; break;
      case '--cosine-min': args.cosineMin = numbers(value(i++, a), a)[0]; break;
      case '--inputs': args.count = numbers(value(i++, a), a)[0]; break;
      case '--seed': args.seed = numbers(value(i++, a), a)[0]; break;
      case '--range': {
        const r = numbers(value(i++, a), a);
        if (r.length !== 2 || r[0]! >= r[1]!) throw new UsageError('--range takes MIN,MAX with MIN < MAX.');
        args.range = [r[0]!, r[1]!];
        break;
      }
      case '--shape': args.shape = numbers(value(i++, a), a); break;
      default:
        if (a.startsWith('-')) throw new UsageError(`Unknown option ${a}`);
        positional.push(a);
    }
  }
  if (positional.length !== 1) throw new UsageError('quantize takes exactly one model file.');
  if (args.precision !== 'fp16') throw new UsageError(args.precision === undefined ? '--precision is required (int8 or fp16).' : `Precision "${args.precision}" is not supported yet; use int8 or fp16.`);
  if (args.out === undefined) throw new UsageError('--out is required.');
  const count = args.count ?? 3;
  if (!Number.isInteger(count) || count < 1 || count > 100) throw new UsageError('--inputs must be a whole number from 1 to 100.');
  return {
    model: positional[0]!,
    out: args.out,
    keepIO: args.keepIO!,
    keep: args.keep!,
    mixed: args.mixed!,
    cosineMin: args.cosineMin ?? 0.999,
    count,
    seed: args.seed ?? 1,
    range: args.range ?? [-1, 1],
    shape: args.shape,
    json: args.json!,
  };
}

/** External-data files named by the model, read from its folder (the FP32 session needs them too). */
function externalFiles(modelPath: string, bytes: Uint8Array): { path: string; data: Uint8Array }[] {
  const names = new Set<string>();
  forEachWeight(decodeModel(bytes, basename(modelPath)).graph!, (t) => {
    if (isExternal(t)) names.add(externalDataRef(t).location);
  });
  return [...names].map((name) => {
    const path = resolve(dirname(modelPath), name);
    if (!existsSync(path)) {
      throw new QbError('missing-external-data', `This model keeps its weights in a separate file, "${name}", which is not next to the model.`);
    }
    return { path: name, data: new Uint8Array(readFileSync(path)) };
  });
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(2)} MB`;

function formatText(model: string, out: string, args: QuantizeArgs, v: Fp16Variant): string {
  const r = v.report;
  const lines = [`FP16 conversion of ${model}`];
  if (r.alreadyFp16) {
    lines.push('  The model already stores its weights in float16: written unchanged, nothing to compare with.');
    lines.push(`  Written: ${out}`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(`  Size: ${mb(r.sizeBeforeBytes)} -> ${mb(r.sizeAfterBytes)} (${((100 * r.sizeAfterBytes) / r.sizeBeforeBytes).toFixed(1)}%)`);
  lines.push(`  Converted: ${r.convertedInitializers} initializers, ${r.convertedConstants} constants; ${r.fixedCasts} Cast(to=float) retargeted; ${r.castsInserted} Casts inserted`);
  lines.push(`  Weights changed: ${r.clampedValues} clamped to ±65504, ${r.flushedValues} tiny values flushed to 0`);
  lines.push(`  Inputs/outputs: ${args.keepIO ? 'float32 (Casts at the edges)' : 'float16'}`);
  if (r.keptFp32Nodes.length > 0) {
    lines.push(`  Kept in FP32: ${r.keptFp32Nodes.length} node(s)`);
    for (const k of r.keptFp32Nodes.slice(0, 20)) lines.push(`    ${k.name} (${k.opType}): ${k.reason}`);
    if (r.keptFp32Nodes.length > 20) lines.push(`    … and ${r.keptFp32Nodes.length - 20} more (see --json)`);
  }
  if (v.mixedPrecision !== undefined) {
    const m = v.mixedPrecision;
    lines.push(`  Mixed precision: plain FP16 drifted; ${m.keepNodes.length} of ${m.candidates} nodes moved back to FP32 after ${m.steps.length} trial conversions`);
  }
  const c = v.check!;
  lines.push(
    `  Check on ${c.inputs} ${c.inputSource} input(s) (seed ${args.seed}, range [${args.range.join(', ')}]): cosine ${c.cosine.toFixed(6)}, ` +
      `top-1 agreement ${(100 * c.top1Agreement).toFixed(0)}%, max |diff| ${c.maxAbsDiff.toPrecision(3)} — ${c.passed ? 'passed' : `FAILED (needs cosine >= ${args.cosineMin})`}`,
  );
  lines.push(c.passed ? `  Written: ${out}` : '  Not written: the FP16 model does not match the original closely enough.');
  return `${lines.join('\n')}\n`;
}

/** Runs `quantize` with its arguments (after the command word); returns the exit code (0 ok, 1 failed, 2 usage). */
export async function runQuantize(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    out(`${QUANTIZE_USAGE}\n`);
    return 0;
  }
  if (precisionOf(argv) === 'int8') return runQuantizeInt8(argv, out, err);
  let args: QuantizeArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`${e.message}\n\n${QUANTIZE_USAGE}\n`);
    return 2;
  }
  const json = args.json;
  const timer = new StageTimer();
  timer.mark('read');
  try {
    const s = await stat(args.model).catch(() => undefined);
    if (s === undefined || !s.isFile()) throw new Error(`No such file: ${args.model}`);
    checkModelSize(basename(args.model), s.size);
    const bytes = new Uint8Array(await readFile(args.model));
    const ext = externalFiles(args.model, bytes);
    const external: ExternalDataResolver = (location) => ext.find((f) => f.path === location)?.data;
    const makeRunner = (b: Uint8Array, e?: ExternalFiles): Promise<Fp16Runner> => ModelSession.create(b, e ?? (b === bytes ? ext : []));
    timer.mark('convert');
    const variant = await makeFp16Variant(bytes, {
      onStage: (stage) => timer.mark(stage === 'check' ? 'check-fp16' : stage),
      random: { count: args.count, seed: args.seed, range: args.range, dims: args.shape },
      tolerance: { cosineMin: args.cosineMin },
      convert: { keepIO: args.keepIO, keepNodes: args.keep },
      mixedPrecision: args.mixed,
      external,
      makeRunner,
    });
    const passed = variant.check === null || variant.check.passed;
    if (passed) await writeFile(args.out, variant.bytes);
    const stats = cliStats(timer, bytes.byteLength + ext.reduce((sum, f) => sum + f.data.byteLength, 0), variant.bytes.byteLength);
    if (json) {
      out(`${JSON.stringify({ model: args.model, out: passed ? args.out : null, report: variant.report, check: variant.check, mixedPrecision: variant.mixedPrecision ?? null, stats }, null, 2)}\n`);
    } else {
      out(formatText(args.model, args.out, args, variant));
      out(`${formatStats(stats)}\n`);
    }
    return passed ? 0 : 1;
  } catch (e) {
    const q = toQbError(e, e instanceof Error ? e.message : 'Something went wrong.');
    if (json) out(`${JSON.stringify({ error: q.toData() }, null, 2)}\n`);
    err(`Error: ${q.message}${q.detail !== undefined ? `\n  (${q.detail})` : ''}\n`);
    return 1;
  }
}

// ---------------------------------------------------------------------------------------------------------
// INT8

/** The value of --precision (also --precision=X), or undefined. */
function precisionOf(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--precision') return argv[i + 1];
    if (argv[i]!.startsWith('--precision=')) return argv[i]!.slice('--precision='.length);
  }
  return undefined;
}

interface Int8Args {
  model: string;
  out: string;
  images?: string;
  evalImages?: string;
  /** --preprocess as given: a preset id, JSON text or a recipe file (resolved after parsing). */
  preprocess?: string;
  options: Int8Options;
  json: boolean;
  /** --runtime-aware: layers timed in headless Chromium with this many threads. */
  runtimeAware?: { threads: number };
  labels?: string[];
  /** --max-drop without --metric: top1 when the validation images have labels, else agreement. */
  metricAuto?: boolean;
}

const MODES = ['auto', 'static', 'dynamic'] as const;
const METHODS = ['minmax', 'percentile', 'entropy', 'mse'] as const;
const PRESET_NAMES = ['performance', 'mixed'] as const;
const MODEL_TYPES = ['auto', 'cnn', 'transformer'] as const;
const METRICS = ['top1', 'agreement', 'sqnr'] as const;
/** FP16-only options, refused with --precision int8 so a typo does not pass silently. */
const FP16_ONLY = new Set(['--keep-io', '--no-keep-io', '--keep', '--no-mixed', '--cosine-min', '--inputs', '--seed', '--range', '--shape']);

function oneOf<T extends string>(raw: string, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly string[]).includes(raw)) throw new UsageError(`${flag} takes ${allowed.join(', ')} (got "${raw}").`);
  return raw as T;
}

/** "a, b,c" -> ['a', 'b', 'c']; empty names are a usage error. */
function nameList(raw: string, flag: string): string[] {
  const names = raw.split(',').map((t) => t.trim());
  if (names.some((n) => n === '')) throw new UsageError(`${flag} takes names separated by commas (got "${raw}").`);
  return names;
}

/** Parses `quantize --precision int8` arguments. Options take `--name value` or `--name=value`. */
function parseInt8Args(argv: readonly string[]): Int8Args {
  const queue = argv.flatMap((a) => (/^--[a-z-]+=/.test(a) ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a]));
  const value = (flag: string): string => {
    const v = queue.shift();
    if (v === undefined || (v.startsWith('--') && !v.startsWith('--='))) throw new UsageError(`${flag} needs a value.`);
    return v;
  };
  const positional: string[] = [];
  let out: string | undefined;
  let images: string | undefined;
  let evalImages: string | undefined;
  let preprocess: string | undefined;
  let mode: (typeof MODES)[number] | undefined;
  let calibration: (typeof METHODS)[number] | undefined;
  let preset: (typeof PRESET_NAMES)[number] | undefined;
  let modelType: (typeof MODEL_TYPES)[number] | undefined;
  let subset: number | undefined;
  let perTensor = false;
  let json = false;
  let runtimeAware = false;
  let threads: number | undefined;
  const exclude: string[] = [];
  const excludeOps: string[] = [];
  const labels: string[] = [];
  let maxDrop: number | undefined;
  let relative = false;
  let metric: (typeof METRICS)[number] | undefined;
  let minSqnr: number | undefined;
  let timeBudgetS: number | undefined;
  let guard = true;
  let sensitivity = false;
  const positiveNumber = (flag: string, raw: string, allowZero = false): number => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) throw new UsageError(`${flag} takes a number${allowZero ? ' of zero or more' : ' above zero'} (got "${raw}").`);
    return n;
  };
  while (queue.length > 0) {
    const a = queue.shift()!;
    switch (a) {
      case '--precision': value(a); break; // int8, checked by the caller
      case '--out': out = value(a); break;
      case '--images': images = value(a); break;
      case '--eval-images': evalImages = value(a); break;
      case '--preprocess': preprocess = value(a); break;
      case '--mode': mode = oneOf(value(a), MODES, a); break;
      case '--calibration': calibration = oneOf(value(a), METHODS, a); break;
      case '--preset': preset = oneOf(value(a), PRESET_NAMES, a); break;
      case '--model-type': modelType = oneOf(value(a), MODEL_TYPES, a); break;
      case '--exclude': exclude.push(...nameList(value(a), a)); break;
      case '--exclude-ops': excludeOps.push(...nameList(value(a), a)); break;
      case '--per-tensor': perTensor = true; break;
      case '--runtime-aware': runtimeAware = true; break;
      case '--max-drop': maxDrop = positiveNumber(a, value(a), true); break;
      case '--relative': relative = true; break;
      case '--metric': metric = oneOf(value(a), METRICS, a); break;
      case '--min-sqnr': minSqnr = positiveNumber(a, value(a)); break;
      case '--time-budget': timeBudgetS = positiveNumber(a, value(a)); break;
      case '--labels': labels.push(value(a)); break;
      case '--no-guard': guard = false; break;
      case '--sensitivity': sensitivity = true; break;
      case '--threads': {
        const raw = value(a);
        const n = Number(raw);
        if (!Number.isSafeInteger(n) || n < 1 || n > 64) throw new UsageError(`--threads takes a whole number from 1 to 64 (got "${raw}").`);
        threads = n;
        break;
      }
      case '--json': json = true; break;
      case '--subset': {
        const raw = value(a);
        const n = Number(raw);
        if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--subset takes a whole number above zero (got "${raw}").`);
        subset = n;
        break;
      }
      default:
        if (FP16_ONLY.has(a)) throw new UsageError(`${a} is an FP16 option; it does not apply to --precision int8.`);
        if (a.startsWith('-')) throw new UsageError(`Unknown option ${a}`);
        positional.push(a);
    }
  }
  if (positional.length !== 1) throw new UsageError(positional.length === 0 ? 'quantize needs a model file.' : `quantize takes exactly one model file (got ${positional.map((p) => `"${p}"`).join(', ')}).`);
  if (out === undefined) throw new UsageError('--out is required.');
  if (mode === 'dynamic') {
    const staticOnly = [calibration !== undefined && '--calibration', preset !== undefined && '--preset', modelType !== undefined && '--model-type', subset !== undefined && '--subset'].filter((f): f is string => f !== false);
    if (staticOnly.length > 0) throw new UsageError(`${staticOnly.join(', ')} appl${staticOnly.length === 1 ? 'ies' : 'y'} to static mode only, not --mode dynamic.`);
  }
  if (preprocess !== undefined && images === undefined && evalImages === undefined) throw new UsageError('--preprocess applies to images (--images DIR or --eval-images DIR).');
  const options: Int8Options = { mode: mode ?? 'auto' };
  if (calibration !== undefined) options.calibration = calibration;
  if (preset !== undefined) options.preset = preset;
  if (modelType !== undefined) options.modelType = modelType;
  if (subset !== undefined) options.subset = subset;
  if (exclude.length > 0) options.excludeNodes = exclude;
  if (excludeOps.length > 0) options.excludeOpTypes = excludeOps;
  if (perTensor) options.perChannel = false;
  if (threads !== undefined && !runtimeAware) throw new UsageError('--threads applies to --runtime-aware.');
  if (runtimeAware && mode === 'dynamic') throw new UsageError('--runtime-aware applies to static mode only, not --mode dynamic.');
  const accuracyFlags = [relative && '--relative', metric !== undefined && metric !== 'sqnr' && '--metric', timeBudgetS !== undefined && metric !== 'sqnr' && '--time-budget'].filter((f): f is string => f !== false);
  if (maxDrop === undefined && accuracyFlags.length > 0) throw new UsageError(`${accuracyFlags.join(', ')} appl${accuracyFlags.length === 1 ? 'ies' : 'y'} to --max-drop.`);
  if (minSqnr !== undefined && metric !== 'sqnr') throw new UsageError('--min-sqnr applies to --metric sqnr.');
  if (maxDrop !== undefined && metric === 'sqnr') throw new UsageError('--metric sqnr takes --min-sqnr DB instead of --max-drop.');
  if ((maxDrop !== undefined || metric !== undefined) && mode === 'dynamic') throw new UsageError('--max-drop and --metric apply to static mode only, not --mode dynamic.');
  if (maxDrop !== undefined || metric === 'sqnr') {
    options.accuracy = {
      goal: { metric: metric ?? 'agreement', maxDrop: maxDrop ?? 1, ...(relative ? { relative } : {}), ...(minSqnr !== undefined ? { minSqnrDb: minSqnr } : {}) },
      ...(timeBudgetS !== undefined ? { timeBudgetMs: timeBudgetS * 1000 } : {}),
    };
  }
  if (!guard) options.guard = false;
  if (sensitivity) {
    if (mode === 'dynamic') throw new UsageError('--sensitivity applies to static mode only, not --mode dynamic.');
    options.sensitivity = true;
  }
  const args: Int8Args = { model: positional[0]!, out, options, json, ...(runtimeAware ? { runtimeAware: { threads: threads ?? 2 } } : {}) };
  if (images !== undefined) args.images = images;
  if (evalImages !== undefined) args.evalImages = evalImages;
  if (preprocess !== undefined) args.preprocess = preprocess;
  if (labels.length > 0) args.labels = labels;
  // --max-drop without --metric: top1 when the validation images turn out labelled (known once they are read).
  if (options.accuracy !== undefined && metric === undefined) args.metricAuto = true;
  return args;
}

/** A CLI job's stats: stage times, the engine's heap and the process's peak resident memory. */
export interface CliStats extends JobStats {
  /** Peak resident set size of this process (ru_maxrss): what the job cost the machine. */
  peakRssBytes: number;
}

function cliStats(timer: StageTimer, fileBytes: number, outputBytes: number): CliStats {
  const engineBytes = engineMemoryBytes();
  const stats = timer.finish({ engineBytes, fileBytes, outputBytes, peakBytes: engineBytes + fileBytes + outputBytes });
  return { ...stats, peakRssBytes: process.resourceUsage().maxRSS * 1024 };
}

function formatStats(s: CliStats): string {
  const sec = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const stages = s.stages.filter((t) => t.ms >= 50).map((t) => `${t.stage} ${sec(t.ms)}`).join(', ');
  const gb = (b: number): string => (b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : `${Math.round(b / 1e6)} MB`);
  return `  Time: ${sec(s.wallMs)} (${stages})\n  Memory: peak RSS ${gb(s.peakRssBytes)}; inference engine heap ${gb(s.memory?.engineBytes ?? 0)}`;
}

const STATIC_NEEDS_IMAGES = 'Static INT8 needs calibration images: --images DIR (100–300 images like the ones the model will see).';

/** One stderr line per stage (not per image). */
function stageLines(err: (s: string) => void): (p: Int8Progress) => void {
  let last: Int8Progress['stage'] | undefined;
  return (p) => {
    if (p.stage === last && p.stage !== 'accuracy-search') return;
    const first = p.stage !== last;
    last = p.stage;
    if (first) switch (p.stage) {
      case 'prepare': err('Preparing the model…\n'); break;
      case 'calibrate': err(`Calibrating on ${p.total} image${p.total === 1 ? '' : 's'}…\n`); break;
      case 'bias-correction': err(`Correcting biases on ${p.total} image${p.total === 1 ? '' : 's'}…\n`); break;
      case 'quantize': err('Inserting QuantizeLinear/DequantizeLinear…\n'); break;
      case 'validate': err(`Checking the INT8 model against FP32 on ${p.total / 2} input${p.total === 2 ? '' : 's'}…\n`); break;
      case 'speed-profile': err('Timing every layer in FP32 and INT8…\n'); break;
      case 'speed-candidates': err(`Timing ${p.total} runs of FP32 and INT8 layouts, interleaved…\n`); break;
      case 'layer-report': err(`Measuring the error of each quantized layer on ${p.total} input${p.total === 1 ? '' : 's'}…\n`); break;
      case 'accuracy-baseline': err('Measuring the INT8 model on the validation images…\n'); break;
      case 'sensitivity': err(`Sensitivity: quantizing each of ${p.total} layers alone…\n`); break;
    }
    if (p.stage === 'accuracy-search') {
      const s = p.step;
      err(`  ${s.floatUnits} layer${s.floatUnits === 1 ? '' : 's'} in float${s.added.length > 0 ? ` (+${s.added.slice(0, 3).join(', ')}${s.added.length > 3 ? ', …' : ''})` : ''}: ${s.value.toFixed(2)} — ${s.met ? 'within budget' : 'not yet'}\n`);
    }
  };
}

/**
 * `quantize --precision int8`. The model is written to OUT.partial-<pid> and renamed, so OUT appears complete or
 * not at all; SIGINT sets a flag the pipeline's checkpoint reads between images (exit 130, nothing written), a
 * second SIGINT quits at once.
 */
async function runQuantizeInt8(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  let args: Int8Args;
  try {
    args = parseInt8Args(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`${e.message}\n\n${QUANTIZE_USAGE}\n`);
    return 2;
  }
  const json = args.json;
  const timer = new StageTimer();
  timer.mark('read');
  let interrupted = false;
  let partial: string | undefined;
  const onSigint = (): void => {
    if (interrupted) {
      if (partial !== undefined) rmSync(partial, { force: true });
      process.exit(130);
    }
    interrupted = true;
    err('Interrupted: stopping at the next step, nothing will be written (Ctrl+C again to quit at once).\n');
  };
  const checkpoint = (): void => {
    if (interrupted) throw new QbError('cancelled', 'Interrupted: nothing was written.');
  };
  process.on('SIGINT', onSigint);
  try {
    const dir = await stat(dirname(resolve(args.out))).catch(() => undefined);
    if (dir === undefined || !dir.isDirectory()) throw new Error(`The folder of --out does not exist: ${dirname(resolve(args.out))}`);
    if (args.options.mode === 'static' && args.images === undefined) throw new QbError('unsupported', STATIC_NEEDS_IMAGES);
    for (const folder of [args.images, args.evalImages]) {
      if (folder === undefined) continue;
      const s = await stat(folder).catch(() => undefined);
      if (s === undefined || !s.isDirectory()) throw new Error(`No such image folder: ${folder}`);
    }
    const preprocess = args.preprocess !== undefined ? await resolvePreprocess(args.preprocess) : undefined;
    let speedProbe: BrowserSpeedProbe | undefined;
    let browser: BenchBrowser | undefined;
    if (args.runtimeAware !== undefined) {
      if (!json) err(`Starting Chromium to time layers (${args.runtimeAware.threads} thread${args.runtimeAware.threads === 1 ? '' : 's'})…\n`);
      browser = await openBenchBrowser({ log: (line) => err(`${line}\n`) });
      speedProbe = browserSpeedProbe(browser, args.runtimeAware.threads);
    }
    const result = await quantizeFolder({
      model: args.model,
      ...(args.images !== undefined ? { images: args.images } : {}),
      // Dynamic mode calibrates nothing, so its images are the check inputs (quantizeFolder would otherwise only
      // use images after the first `subset`, i.e. none in a small folder).
      ...(args.evalImages !== undefined ? { validationImages: args.evalImages } : args.options.mode === 'dynamic' && args.images !== undefined ? { validationImages: args.images } : {}),
      ...(preprocess !== undefined ? { preprocess } : {}),
      ...(args.labels !== undefined ? { labels: args.labels } : {}),
      options: args.options,
      ...(args.metricAuto === true ? { metricAuto: true } : {}),
      onProgress: ((lines) => (p: Int8Progress) => (timer.mark(p.stage), lines?.(p)))(json ? undefined : stageLines(err)),
      checkpoint,
      ...(speedProbe !== undefined ? { speedProbe } : {}),
    }).finally(async () => {
      speedProbe?.dispose();
      await browser?.close();
    });
    checkpoint();
    partial = `${args.out}.partial-${process.pid}`;
    try {
      await writeFile(partial, result.bytes);
      checkpoint();
      await rename(partial, args.out);
    } catch (e) {
      if (e instanceof QbError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST' ? 'it is a folder' : e instanceof Error ? e.message : String(e);
      throw new Error(`Could not write ${args.out}: ${why}. Nothing was written.`, { cause: e });
    }
    partial = undefined;
    const { report, presetId, recipe, presetReason } = result;
    const stats = cliStats(timer, report.sizeBeforeBytes, result.bytes.byteLength);
    if (json) {
      out(`${JSON.stringify({ model: args.model, out: args.out, report, presetId, recipe, presetReason, stats }, null, 2)}\n`);
    } else {
      const checkSource = args.images === undefined && args.evalImages === undefined ? 'random' : 'images';
      out(formatInt8Text({ model: args.model, out: args.out, report, presetId, recipe, presetReason, checkSource }));
      out(`${formatStats(stats)}\n`);
    }
    return 0;
  } catch (e) {
    if (partial !== undefined) await rm(partial, { force: true }).catch(() => undefined);
    let q = toQbError(e, e instanceof Error ? e.message : 'Something went wrong.');
    // A plain Error (missing folder, bad recipe) is the message itself: no "(Error: <same message>)" detail.
    if (!(e instanceof QbError) && e instanceof Error && e.name === 'Error') q = new QbError(q.code, q.message);
    if (q.code === 'unsupported' && args.images === undefined && q.message.startsWith('Static INT8 needs calibration images')) q = new QbError('unsupported', STATIC_NEEDS_IMAGES);
    if (json) out(`${JSON.stringify({ error: q.toData() }, null, 2)}\n`);
    err(`Error: ${q.message}${q.detail !== undefined ? `\n  (${q.detail})` : ''}\n`);
    return q.code === 'cancelled' ? 130 : 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
