// Headless command line of the same core the app runs in workers: `quantbench inspect MODEL [--json]`.
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { checkModelSize } from '../onnx/model-io';
import type { ModelCard } from '../onnx/summary';
import { inspectModel } from '../pipeline/inspect';
import { toQbError } from '../shared/errors';
import { formatCard } from './format-card';

const USAGE = `Usage: quantbench <command> [options]

Commands:
  inspect MODEL.onnx [--json]   Describe a model: inputs/outputs, opsets, operators, parameters,
                                bytes by dtype, quantizable nodes, whether it is already quantized.
                                External-data files are read from the model's folder.

Options:
  --json      Print machine-readable JSON instead of text
  -h, --help  Show this help`;

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

/** Runs the CLI and returns the process exit code (0 ok, 1 the input was bad, 2 usage error). */
export async function main(argv: readonly string[], out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  const args = argv.filter((a) => !a.startsWith('-'));
  const flags = new Set(argv.filter((a) => a.startsWith('-')));
  if (flags.has('-h') || flags.has('--help') || args.length === 0) {
    out(`${USAGE}\n`);
    return args.length === 0 && !flags.has('-h') && !flags.has('--help') ? 2 : 0;
  }
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
    const q = toQbError(e, e instanceof Error ? e.message : 'Something went wrong.');
    if (flags.has('--json')) out(`${JSON.stringify({ error: q.toData() }, null, 2)}\n`);
    err(`Error: ${q.message}${q.detail !== undefined ? `\n  (${q.detail})` : ''}\n`);
    return 1;
  }
}
