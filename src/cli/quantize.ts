// `quantbench quantize MODEL --precision fp16 --out OUT.onnx`: converts, checks the result against FP32 in
// onnxruntime-web on seeded random inputs (mixed precision when needed), writes the file and prints the report.
import { existsSync, readFileSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { forEachWeight } from '../onnx/graph';
import { checkModelSize, decodeModel } from '../onnx/model-io';
import { externalDataRef, isExternal, type ExternalDataResolver } from '../onnx/tensor-data';
import { makeFp16Variant, type Fp16Variant } from '../pipeline/fp16';
import type { Fp16Runner } from '../quant/mixed-precision';
import { ModelSession } from '../runtime/session';
import { QbError, toQbError } from '../shared/errors';

export const QUANTIZE_USAGE = `Usage: quantbench quantize MODEL.onnx --precision fp16 --out OUT.onnx [options]

Converts a float32 model to float16 (weights and activations), keeping graph inputs/outputs float32 by
default, checks the result against the original on seeded random inputs in onnxruntime-web, keeps nodes
in FP32 where FP16 drifts, and writes OUT.onnx only when the check passes.

Options:
  --precision fp16       Target precision (only fp16 for now)
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
  --json                 Print machine-readable JSON instead of text`;

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
  if (args.precision !== 'fp16') throw new UsageError(args.precision === undefined ? '--precision is required (fp16).' : `Precision "${args.precision}" is not supported yet; use fp16.`);
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
  let args: QuantizeArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`${e.message}\n\n${QUANTIZE_USAGE}\n`);
    return 2;
  }
  const json = args.json;
  try {
    const s = await stat(args.model).catch(() => undefined);
    if (s === undefined || !s.isFile()) throw new Error(`No such file: ${args.model}`);
    checkModelSize(basename(args.model), s.size);
    const bytes = new Uint8Array(await readFile(args.model));
    const ext = externalFiles(args.model, bytes);
    const external: ExternalDataResolver = (location) => ext.find((f) => f.path === location)?.data;
    const makeRunner = (b: Uint8Array): Promise<Fp16Runner> => ModelSession.create(b, b === bytes ? ext : []);
    const variant = await makeFp16Variant(bytes, {
      random: { count: args.count, seed: args.seed, range: args.range, dims: args.shape },
      tolerance: { cosineMin: args.cosineMin },
      convert: { keepIO: args.keepIO, keepNodes: args.keep },
      mixedPrecision: args.mixed,
      external,
      makeRunner,
    });
    const passed = variant.check === null || variant.check.passed;
    if (passed) await writeFile(args.out, variant.bytes);
    if (json) {
      out(`${JSON.stringify({ model: args.model, out: passed ? args.out : null, report: variant.report, check: variant.check, mixedPrecision: variant.mixedPrecision ?? null }, null, 2)}\n`);
    } else {
      out(formatText(args.model, args.out, args, variant));
    }
    return passed ? 0 : 1;
  } catch (e) {
    const q = toQbError(e, e instanceof Error ? e.message : 'Something went wrong.');
    if (json) out(`${JSON.stringify({ error: q.toData() }, null, 2)}\n`);
    err(`Error: ${q.message}${q.detail !== undefined ? `\n  (${q.detail})` : ''}\n`);
    return 1;
  }
}
