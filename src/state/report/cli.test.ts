// cliCommands: every emitted command is split by a real shell and parsed by the CLI's own parsers; every flag is one
// the CLI's help documents, and the defaults the commands leave out are the CLI's.
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../test/cli-run';
import { BENCH_USAGE, parseBenchArgs } from '../../cli/bench';
import { QUANTIZE_USAGE } from '../../cli/quantize';
import type { SpeedReport } from '../../pipeline/int8-speed';
import { CLI_DEFAULTS, CLI_PREFIX, cliCommands, IMAGES_PLACEHOLDER, shellQuote } from './cli-commands';
import { benchEntry, fakeCard, fp16Result, fullRun, int8Outcome } from './report-fixtures';
import type { RunInputs } from './types';

/** The words a POSIX shell makes of a command line (after "npx quantbench"). */
function shellWords(commandLine: string): string[] {
  expect(commandLine.startsWith(`${CLI_PREFIX} `)).toBe(true);
  const rest = commandLine.slice(CLI_PREFIX.length + 1);
  const out = execFileSync('sh', ['-c', `set -- ${rest}; for a in "$@"; do printf '%s\\0' "$a"; done`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

/** A folder that does not exist: commands pointed there fail after parsing (exit 1), never with a usage error (2). */
const MISSING = join(tmpdir(), `quantbench-no-such-dir-${process.pid}`);

/** The command with every file and folder argument moved into MISSING, so nothing real is read or written. */
function intoMissing(words: string[]): string[] {
  const pathFlags = new Set(['--out', '--images', '--tensors', '--reference', '--labels']);
  return words.map((w, i) => (i === 1 || pathFlags.has(words[i - 1] ?? '') ? join(MISSING, w) : w));
}

async function expectParsed(commandLine: string): Promise<void> {
  const words = shellWords(commandLine);
  if (words[0] === 'bench') {
    expect(() => parseBenchArgs(words.slice(1))).not.toThrow();
    return;
  }
  const { code, err } = await runCli(intoMissing(words));
  // 2 would be "wrong command line": the parser refused a flag or a combination.
  expect({ commandLine, code, err: err.split('\n')[0] }).toMatchObject({ code: 1 });
  expect(err).not.toMatch(/Unknown option|needs a value|applies to|appl(y|ies) to|takes /);
}

function flagsOf(commandLine: string): string[] {
  return shellWords(commandLine).filter((w) => w.startsWith('--'));
}

const speedReport: SpeedReport = {
  device: 'wasm', fp32Ms: 8, plainInt8Ms: 6.4, chosen: 'runtime-aware', chosenMs: 5.6, speedup: 8 / 5.6, faster: true,
  floatNodes: ['conv1'], candidates: [], layers: [], rates: {} as SpeedReport['rates'],
};

/** Every INT8 option away from its default, names that need quoting, a sweep and 4 threads. */
function busyRun(): RunInputs {
  const r = fullRun();
  const card = fakeCard("my model's v2 (final).onnx");
  const sweepEntry = benchEntry('fp32', card.fileName, 8.0, { threads: 4 });
  sweepEntry.result.sweep = { points: [1, 2, 4].map((batch) => ({ batch, p50Ms: 8 * batch * 0.8, p90Ms: 9 * batch, throughput: 1000 / 8 / 0.8 })), latencyLimitMs: 50, sweetSpot: 4 };
  return {
    ...r,
    card,
    dataset: { kind: 'images', samples: 400, labelled: 400, labelFiles: ['labels $HOME.csv'], source: 'photos; rm -rf ~' },
    fp16: { fileName: "my model's v2 (final)-fp16.onnx", sizeBytes: 2_400_000, result: fp16Result(['conv_a', 'conv b']) },
    int8: {
      fileName: "my model's v2 (final)-int8.onnx",
      sizeBytes: 1_300_000,
      outcome: int8Outcome(
        { method: 'percentile', preset: 'mixed', perChannel: false, speed: speedReport },
        {
          mode: 'static', preset: 'mixed', calibration: 'percentile', perChannel: false, subset: 120, excludeNodes: ['conv a', 'conv_b'], excludeOpTypes: ['Gemm'],
          accuracyAware: true, maxDrop: 0.5, dropKind: 'relative', metric: 'agreement', timeBudgetMin: 2, guard: false, sensitivity: true,
        },
      ),
    },
    bench: [sweepEntry, benchEntry('fp16', "my model's v2 (final)-fp16.onnx", 8.1, { threads: 4 }), benchEntry('int8', "my model's v2 (final)-int8.onnx", 5.5, { threads: 4 })],
    benchSettings: { device: 'wasm', threads: 4, timeBudgetS: 2.5 },
  };
}

function dynamicRandomRun(): RunInputs {
  const r = fullRun();
  return {
    ...r,
    dataset: { kind: 'random', samples: 16, labelled: 0, labelFiles: [], source: null },
    fp16: null,
    int8: { ...r.int8!, outcome: { ...int8Outcome({ mode: 'dynamic', preset: null, method: null, calibration: null }, { mode: 'dynamic', perChannel: false }), source: { kind: 'dataset', inputKind: 'random', count: 16 } } },
    evaluation: { fp32: null, fp16: null, int8: r.evaluation.int8 },
  };
}

describe('cliCommands', () => {
  it('reproduces a default run: FP16, INT8 with the images and labels, evaluate against FP32, bench', () => {
    expect(cliCommands(fullRun())).toEqual([
      'npx quantbench quantize squeezenet1.1.onnx --precision fp16 --out squeezenet1.1-fp16.onnx',
      'npx quantbench quantize squeezenet1.1.onnx --precision int8 --out squeezenet1.1-int8.onnx --images imagenet-sample --labels imagenet-sample-labels.csv',
      'npx quantbench evaluate squeezenet1.1.onnx --images imagenet-sample --labels imagenet-sample-labels.csv',
      'npx quantbench evaluate squeezenet1.1-fp16.onnx --images imagenet-sample --labels imagenet-sample-labels.csv --reference squeezenet1.1.onnx',
      'npx quantbench evaluate squeezenet1.1-int8.onnx --images imagenet-sample --labels imagenet-sample-labels.csv --reference squeezenet1.1.onnx',
      'npx quantbench bench squeezenet1.1.onnx --ep wasm --threads 2 --time-ms 3000',
      'npx quantbench bench squeezenet1.1-fp16.onnx --ep wasm --threads 2 --time-ms 3000',
      'npx quantbench bench squeezenet1.1-int8.onnx --ep wasm --threads 2 --time-ms 3000',
    ]);
  });

  it('emits every non-default INT8 option with the CLI\'s spelling', () => {
    const commands = cliCommands(busyRun());
    const int8 = shellWords(commands[1]!);
    expect(int8.slice(0, 6)).toEqual(['quantize', "my model's v2 (final).onnx", '--precision', 'int8', '--out', "my model's v2 (final)-int8.onnx"]);
    const after = (flag: string): string | undefined => int8[int8.indexOf(flag) + 1];
    expect(after('--mode')).toBe('static');
    expect(after('--images')).toBe('photos; rm -rf ~');
    expect(after('--labels')).toBe('labels $HOME.csv');
    expect(after('--calibration')).toBe('percentile');
    expect(after('--preset')).toBe('mixed');
    expect(after('--subset')).toBe('120');
    expect(after('--exclude')).toBe('conv a,conv_b');
    expect(after('--exclude-ops')).toBe('Gemm');
    expect(after('--threads')).toBe('4');
    expect(after('--max-drop')).toBe('0.5');
    expect(after('--metric')).toBe('agreement');
    expect(after('--time-budget')).toBe('120');
    for (const flag of ['--per-tensor', '--runtime-aware', '--relative', '--no-guard', '--sensitivity']) expect(int8).toContain(flag);

    const fp16 = shellWords(commands[0]!);
    expect(fp16.filter((_w, i) => fp16[i - 1] === '--keep')).toEqual(['conv_a', 'conv b']);

    const bench = parseBenchArgs(shellWords(commands.find((c) => c.includes(' bench '))!).slice(1));
    expect(bench).toMatchObject({ model: "my model's v2 (final).onnx", ep: 'wasm', threads: 4, options: { timeBudgetMs: 2500 }, sweep: { batches: [1, 2, 4], latencyLimitMs: 50 } });
  });

  it('uses --random for random inputs and no static options for dynamic INT8', () => {
    const commands = cliCommands(dynamicRandomRun());
    expect(commands[0]).toBe('npx quantbench quantize squeezenet1.1.onnx --precision int8 --out squeezenet1.1-int8.onnx --mode dynamic --per-tensor');
    expect(commands[1]).toBe('npx quantbench evaluate squeezenet1.1-int8.onnx --random 16 --reference squeezenet1.1.onnx');
  });

  it('writes an SQNR goal as --metric sqnr --min-sqnr', () => {
    const r = fullRun();
    r.int8 = { ...r.int8!, outcome: int8Outcome({}, { accuracyAware: true, metric: 'sqnr', minSqnrDb: 30 }) };
    const words = shellWords(cliCommands(r)[1]!);
    expect(words.slice(-6)).toEqual(['--metric', 'sqnr', '--min-sqnr', '30', '--time-budget', '600']);
    expect(words).not.toContain('--max-drop');
  });

  it('falls back on the image placeholder when the folder is unknown', () => {
    const r = fullRun();
    r.dataset = { ...r.dataset, source: null };
    expect(cliCommands(r)[1]).toContain(`--images ${IMAGES_PLACEHOLDER}`);
  });

  it('quotes words a shell would change, and keeps plain ones bare', () => {
    expect(shellQuote('squeezenet1.1-int8.onnx')).toBe('squeezenet1.1-int8.onnx');
    expect(shellQuote("it's.onnx")).toBe(`'it'\\''s.onnx'`);
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote('$(reboot)')).toBe("'$(reboot)'");
    const r = fullRun();
    r.card = fakeCard('-tricky.onnx');
    expect(shellWords(cliCommands(r)[0]!)[1]).toBe('./-tricky.onnx');
  });

  it('emits commands the CLI\'s own parsers accept', async () => {
    const commands = [...cliCommands(fullRun()), ...cliCommands(busyRun()), ...cliCommands(dynamicRandomRun())];
    expect(commands.length).toBe(8 + 8 + 4);
    for (const c of commands) await expectParsed(c);
  });

  it('emits only flags the CLI help documents', async () => {
    const { out: mainHelp } = await runCli(['--help']);
    const help: Record<string, string> = { quantize: QUANTIZE_USAGE, bench: BENCH_USAGE, evaluate: mainHelp };
    const commands = [...cliCommands(fullRun()), ...cliCommands(busyRun()), ...cliCommands(dynamicRandomRun())];
    for (const c of commands) {
      const sub = shellWords(c)[0]!;
      for (const flag of flagsOf(c)) expect(help[sub], `${flag} in ${sub} --help`).toMatch(new RegExp(`${flag}(?![a-z-])`));
    }
  });

  it('leaves out exactly the CLI\'s defaults', () => {
    expect(QUANTIZE_USAGE).toMatch(new RegExp(`--calibration M\\s+Static: ${CLI_DEFAULTS.calibration} \\(default`));
    expect(QUANTIZE_USAGE).toMatch(new RegExp(`--subset N.*\\(default ${CLI_DEFAULTS.subset}\\)`));
    expect(QUANTIZE_USAGE).toMatch(new RegExp(`--inputs N.*\\(default ${CLI_DEFAULTS.fp16CheckInputs}\\)`));
    expect(QUANTIZE_USAGE).toMatch(new RegExp(`--threads N.*\\(default ${CLI_DEFAULTS.runtimeAwareThreads}\\)`));
    expect(BENCH_USAGE).toMatch(new RegExp(`\\(default ${CLI_DEFAULTS.latencyLimitMs}\\)`));
  });
});
