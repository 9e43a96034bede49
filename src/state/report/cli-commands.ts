// The headless CLI commands (`npx quantbench ...`) that reproduce one Optimize run: quantize, evaluate and bench.
import type { RunInputs, VariantId } from './types';

/** How every command starts (package.json "bin"). */
export const CLI_PREFIX = 'npx quantbench';

/** Placeholder for the image folder when the run does not know where its images came from. */
export const IMAGES_PLACEHOLDER = 'IMAGES_DIR';

/**
 * The CLI's own defaults (src/cli/quantize.ts, src/cli/bench.ts): options equal to them are left out so the
 * commands stay short. Mirrored, not imported: the state layer may not load the CLI (cli.test.ts checks the help
 * text still names these defaults).
 */
export const CLI_DEFAULTS = { calibration: 'mse', subset: 300, fp16CheckInputs: 3, runtimeAwareThreads: 2, latencyLimitMs: 100 } as const;

/** Characters a POSIX shell takes literally in a word. */
const SHELL_SAFE = /^[A-Za-z0-9_./:=,@%+-]+$/;

/** A shell word: as is when safe, else single-quoted ("it's.onnx" -> 'it'\''s.onnx'). */
export function shellQuote(word: string): string {
  return SHELL_SAFE.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A file name the CLI cannot take for an option: "-x.onnx" -> "./-x.onnx". */
function fileArg(name: string): string {
  return name.startsWith('-') ? `./${name}` : name;
}

function command(words: readonly string[]): string {
  return [CLI_PREFIX, ...words.map(shellQuote)].join(' ');
}

/** "0.5" not "0.5000000001": option values as a person would type them. */
function num(x: number): string {
  return String(Number(x.toPrecision(6)));
}

/** Where the run's samples are for the CLI: an image / tensor folder, N random inputs, or nothing. */
type SampleArgs = { kind: 'folder'; flag: '--images' | '--tensors'; dir: string } | { kind: 'random'; count: number } | { kind: 'none' };

function sampleArgs(inputs: RunInputs): SampleArgs {
  const d = inputs.dataset;
  if (d.kind === 'images' || d.kind === 'tensors') return { kind: 'folder', flag: d.kind === 'images' ? '--images' : '--tensors', dir: d.source ?? IMAGES_PLACEHOLDER };
  if (d.kind === 'random') return { kind: 'random', count: d.samples };
  return { kind: 'none' };
}

function labelArgs(inputs: RunInputs): string[] {
  return inputs.dataset.labelFiles.flatMap((f) => ['--labels', fileArg(f)]);
}

function fp16Command(inputs: RunInputs): string | null {
  const fp16 = inputs.fp16;
  if (fp16 === null) return null;
  const words = ['quantize', fileArg(inputs.card.fileName), '--precision', 'fp16', '--out', fileArg(fp16.fileName)];
  // The nodes the mixed-precision search kept in FP32, pinned: the CLI then writes the same model without searching.
  for (const node of fp16.result.mixedPrecision?.keepNodes ?? []) words.push('--keep', node);
  const check = fp16.result.check;
  if (check !== null && check.inputSource === 'random' && check.inputs !== CLI_DEFAULTS.fp16CheckInputs) words.push('--inputs', String(check.inputs));
  return command(words);
}

function int8Command(inputs: RunInputs): string | null {
  const int8 = inputs.int8;
  if (int8 === null) return null;
  const { options: o, report, source } = int8.outcome;
  const dynamic = report.mode === 'dynamic';
  const words = ['quantize', fileArg(inputs.card.fileName), '--precision', 'int8', '--out', fileArg(int8.fileName)];
  if (o.mode !== 'auto') words.push('--mode', o.mode);
  // The samples it was made with: the dataset's folder, else (demo images, random calibration) a folder to fill in.
  const fromFolder = source.kind === 'dataset' && source.inputKind !== 'random';
  if (fromFolder || source.kind === 'demo' || !dynamic) {
    const samples = sampleArgs(inputs);
    words.push('--images', fromFolder && samples.kind === 'folder' ? fileArg(samples.dir) : IMAGES_PLACEHOLDER);
    if (fromFolder) words.push(...labelArgs(inputs));
  }
  if (!dynamic) {
    const method = report.method ?? o.calibration;
    if (method !== CLI_DEFAULTS.calibration) words.push('--calibration', method);
    if (o.preset !== 'auto') words.push('--preset', o.preset);
    if (o.subset !== CLI_DEFAULTS.subset) words.push('--subset', String(o.subset));
  }
  if (!o.perChannel) words.push('--per-tensor');
  if (o.excludeNodes.length > 0) words.push('--exclude', o.excludeNodes.join(','));
  if (o.excludeOpTypes.length > 0) words.push('--exclude-ops', o.excludeOpTypes.join(','));
  if (!dynamic) {
    // The app timed layers on the device (runtime-aware layout); the CLI does the same in headless Chromium.
    if (report.speed !== null) {
      words.push('--runtime-aware');
      const threads = inputs.benchSettings?.device === 'wasm' ? inputs.benchSettings.threads : undefined;
      if (threads !== undefined && threads !== CLI_DEFAULTS.runtimeAwareThreads && threads >= 1 && threads <= 64) words.push('--threads', String(threads));
    }
    const accuracy = report.accuracy;
    if (o.accuracyAware) {
      // The goal as run (top-1 without labels became agreement), else the one chosen.
      const goal = accuracy !== null && accuracy.trigger === 'max-drop' ? accuracy.goal : null;
      const metric = goal?.metric ?? o.metric;
      if (metric === 'sqnr') {
        words.push('--metric', 'sqnr', '--min-sqnr', num(goal?.minSqnrDb ?? o.minSqnrDb));
      } else {
        words.push('--max-drop', num(goal?.maxDrop ?? o.maxDrop));
        if (goal !== null ? goal.relative === true : o.dropKind === 'relative') words.push('--relative');
        words.push('--metric', metric);
      }
      words.push('--time-budget', num(o.timeBudgetMin * 60));
    }
    if (!o.guard) words.push('--no-guard');
    if (o.sensitivity) words.push('--sensitivity');
  }
  return command(words);
}

function evaluateCommand(inputs: RunInputs, file: string, reference: string | null): string | null {
  const samples = sampleArgs(inputs);
  const words = ['evaluate', fileArg(file)];
  if (samples.kind === 'folder') words.push(samples.flag, fileArg(samples.dir), ...labelArgs(inputs));
  else if (samples.kind === 'random') words.push('--random', String(samples.count));
  else return null;
  if (reference !== null) words.push('--reference', fileArg(reference));
  return command(words);
}

function benchCommand(inputs: RunInputs, variant: VariantId, file: string): string | null {
  const settings = inputs.benchSettings;
  const entry = inputs.bench.find((e) => e.variant === variant && (settings === null || (e.device === settings.device && e.threads === settings.threads))) ?? inputs.bench.find((e) => e.variant === variant);
  if (entry === undefined) return null;
  const timeMs = Math.max(1, Math.round((settings?.timeBudgetS ?? 3) * 1000));
  const words = ['bench', fileArg(file), '--ep', entry.device, '--threads', String(entry.threads), '--time-ms', String(timeMs)];
  const sweep = entry.result.sweep;
  if (sweep !== null && sweep.points.length > 0) {
    words.push('--sweep', sweep.points.map((p) => p.batch).join(','));
    if (sweep.latencyLimitMs !== CLI_DEFAULTS.latencyLimitMs && sweep.latencyLimitMs > 0) words.push('--latency-limit-ms', num(sweep.latencyLimitMs));
  }
  return command(words);
}

/**
 * The commands that reproduce the run headlessly, in order: make FP16, make INT8, evaluate each variant the run
 * evaluated (against FP32 with --reference), benchmark each file the run benchmarked.
 */
export function cliCommands(inputs: RunInputs): string[] {
  const fp32 = inputs.card.fileName;
  const files: { id: VariantId; file: string }[] = [
    { id: 'fp32', file: fp32 },
    ...(inputs.fp16 !== null ? [{ id: 'fp16' as const, file: inputs.fp16.fileName }] : []),
    ...(inputs.int8 !== null ? [{ id: 'int8' as const, file: inputs.int8.fileName }] : []),
  ];
  const out: (string | null)[] = [fp16Command(inputs), int8Command(inputs)];
  for (const { id, file } of files) {
    if (inputs.evaluation[id] !== null) out.push(evaluateCommand(inputs, file, id === 'fp32' ? null : fp32));
  }
  for (const { id, file } of files) out.push(benchCommand(inputs, id, file));
  return out.filter((c): c is string => c !== null);
}
