// Builds the run report from what one Optimize run produced (pure: no workers, no DOM; Node-testable).
import type { Fp16Result } from '../../../workers/optimize-api';
import type { EvalReport } from '../../data/types';
import type { ModelCard, TensorIO } from '../../onnx/summary';
import type { BenchEntry } from '../bench-view';
import type { Int8Outcome } from '../int8-slice';
import { cliCommands } from './cli-commands';
import { EXACT_SQNR_DB, formatFactor } from './format';
import { verdictFor, type VerdictContext } from './verdict';
import {
  REPORT_SCHEMA,
  type LayerErrorRow,
  type RunInputs,
  type RunReport,
  type RunSettings,
  type VariantId,
  type VariantQuality,
  type VariantResult,
  type VariantSpeed,
} from './types';

const LABEL: Record<VariantId, string> = { fp32: 'FP32 (original)', fp16: 'FP16', int8: 'INT8' };

/** A finite number, or null: JSON has no Infinity or NaN (JSON.stringify would silently write null). */
function finiteOrNull(x: number | null | undefined): number | null {
  return x === null || x === undefined || !Number.isFinite(x) ? null : x;
}

/** A finite number, or `fallback` for fields the contract types as plain numbers. */
function finiteOr(x: number, fallback: number): number {
  return Number.isFinite(x) ? x : fallback;
}

/** A per-layer SQNR as a finite number: +∞ (reproduced exactly) -> EXACT_SQNR_DB, −∞ -> −EXACT_SQNR_DB, NaN -> 0. */
function layerDb(db: number): number {
  if (Number.isNaN(db)) return 0;
  return Math.max(-EXACT_SQNR_DB, Math.min(EXACT_SQNR_DB, db));
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The model's file plus its external-data files: what the user downloads and ships. */
export function fp32SizeBytes(card: ModelCard): number {
  return card.fileSizeBytes + card.externalData.reduce((sum, f) => sum + f.bytes, 0);
}

/** "input: float32 [1, 3, 224, 224]" (unknown dims "?", symbolic dims by name). */
export function describeTensor(t: TensorIO): string {
  return t.shape === null ? `${t.name}: ${t.dtype}` : `${t.name}: ${t.dtype} [${t.shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

const NORM_OPS = ['LayerNormalization', 'SimplifiedLayerNormalization', 'SkipLayerNormalization', 'SkipSimplifiedLayerNormalization', 'RMSNormalization'];

/**
 * 'transformer' / 'cnn' / 'other' from the card alone (the INT8 report's own finding wins when there is one): the
 * same test as int8-slice likelyAutoMode, a LayerNorm-family op or attention's Softmax beside MatMuls.
 */
export function modelKind(card: ModelCard, int8ModelType: string | null): string {
  if (int8ModelType !== null) return int8ModelType;
  const ops = card.opTypes;
  const count = (op: string): number => ops[op] ?? ops[`com.microsoft:${op}`] ?? 0;
  if (NORM_OPS.some((op) => count(op) > 0) || (count('Softmax') > 0 && count('MatMul') >= 2)) return 'transformer';
  return count('Conv') > 0 ? 'cnn' : 'other';
}

/** The default-domain opset, or null when the card lists none. */
function mainOpset(card: ModelCard): number | null {
  return card.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? null;
}

/** The entry of a variant measured with the run's settings (else any entry of it). */
function entryOf(inputs: RunInputs, id: VariantId): BenchEntry | undefined {
  const s = inputs.benchSettings;
  const same = (e: BenchEntry): boolean => s === null || (e.device === s.device && e.threads === s.threads);
  return inputs.bench.find((e) => e.variant === id && same(e)) ?? inputs.bench.find((e) => e.variant === id);
}

export function speedOf(entry: BenchEntry | undefined): VariantSpeed | null {
  if (entry === undefined) return null;
  const { run, sweep } = entry.result;
  const l = run.latency;
  return {
    fps: finiteOr(l.fps, 0),
    meanMs: finiteOr(l.meanMs, 0),
    p50Ms: finiteOr(l.p50Ms, 0),
    p90Ms: finiteOr(l.p90Ms, 0),
    p99Ms: finiteOr(l.p99Ms, 0),
    runs: l.runs,
    samplesMs: run.samplesMs.filter((ms) => Number.isFinite(ms)),
    coldStart: { sessionCreateMs: finiteOr(run.coldStart.sessionCreateMs, 0), firstRunMs: finiteOr(run.coldStart.firstRunMs, 0) },
    sweep: (sweep?.points ?? []).filter((p) => Number.isFinite(p.p50Ms) && Number.isFinite(p.throughput)).map((p) => ({ batch: p.batch, p50Ms: p.p50Ms, throughput: p.throughput })),
    warnings: run.warnings.map((w) => w.message),
  };
}

/** Quality from the user's dataset: accuracy against labels, and fidelity against FP32 (FP32 agrees with itself). */
function datasetQuality(id: VariantId, e: EvalReport): VariantQuality {
  const f = e.fidelity;
  const self = id === 'fp32';
  return {
    source: 'dataset',
    samples: e.images,
    top1: finiteOrNull(e.top1),
    top5: finiteOrNull(e.top5),
    agreement: self ? 1 : finiteOrNull(f?.top1Agreement),
    sqnrDb: self ? null : finiteOrNull(f?.sqnrDb),
    cosine: self ? 1 : finiteOrNull(f?.cosine),
  };
}

function fp16CheckQuality(result: Omit<Fp16Result, 'bytes'>): VariantQuality | null {
  const c = result.check;
  if (c === null) return null;
  return { source: 'check', samples: c.inputs, top1: null, top5: null, agreement: finiteOrNull(c.top1Agreement), sqnrDb: null, cosine: finiteOrNull(c.cosine) };
}

function int8CheckQuality(outcome: Int8Outcome): VariantQuality {
  const c = outcome.report.check;
  return { source: 'check', samples: c.inputs, top1: null, top5: null, agreement: finiteOrNull(c.top1Agreement), sqnrDb: finiteOrNull(c.sqnrDb), cosine: finiteOrNull(c.cosine) };
}

const METHOD_WORDS: Record<string, string> = { mse: 'MSE', minmax: 'min-max', percentile: 'percentile', entropy: 'entropy' };

/** Facts about how the INT8 variant was made, shortest first. */
export function int8Notes(outcome: Int8Outcome): string[] {
  const r = outcome.report;
  const notes: string[] = [];
  if (r.mode === 'dynamic') {
    notes.push('dynamic INT8 (weights int8, activations quantized at run time)');
  } else {
    const method = r.method !== null ? (METHOD_WORDS[r.method] ?? r.method) : 'default';
    notes.push(r.calibration !== null ? `static INT8, ${method} calibration on ${plural(r.calibration.images, 'image')}` : `static INT8, ${method} calibration`);
    if (r.preset !== null) notes.push(`${r.preset} preset`);
  }
  if (!r.perChannel) notes.push('one weight scale per tensor (per-tensor)');
  if (r.skippedNodes.length > 0) {
    const forSpeed = new Set(r.speed?.chosen === 'runtime-aware' ? r.speed.floatNodes : []);
    const forAccuracy = new Set(r.accuracy?.floatNodes ?? []);
    let speed = 0;
    let accuracy = 0;
    let yours = 0;
    for (const s of r.skippedNodes) {
      if (forAccuracy.has(s.name)) accuracy++;
      else if (forSpeed.has(s.name)) speed++;
      else if (s.reason.startsWith('Excluded by you')) yours++;
    }
    const other = r.skippedNodes.length - speed - accuracy - yours;
    const why = [
      accuracy > 0 ? `${accuracy} for accuracy` : '',
      speed > 0 ? `${speed} faster in float` : '',
      yours > 0 ? `${yours} excluded by you` : '',
      other > 0 ? `${other} not supported as INT8` : '',
    ].filter((w) => w !== '');
    notes.push(`kept ${plural(r.skippedNodes.length, 'layer')} in float (${why.join(', ')})`);
  }
  if (r.speed !== null) {
    notes.push(r.speed.faster ? `runtime-aware layout: ${formatFactor(r.speed.speedup)} faster than FP32 on ${r.speed.device} in the search` : `no INT8 layout beat FP32 on ${r.speed.device}: smaller, not faster`);
  }
  if (r.accuracy !== null) {
    const a = r.accuracy;
    notes.push(`${a.trigger === 'guard' ? 'collapse guard' : 'accuracy-aware search'}: ${a.explanation}`);
    if (a.presetSwitch !== null) notes.push(`preset switched from ${a.presetSwitch.from} to ${a.presetSwitch.to}`);
  }
  if (outcome.checkSource === 'calibration') notes.push('checked on calibration images (none were left over to hold out)');
  return notes;
}

/** Facts about how the FP16 variant was made. */
export function fp16Notes(result: Omit<Fp16Result, 'bytes'>): string[] {
  const notes: string[] = [];
  if (result.report.alreadyFp16) notes.push('the model was already FP16: returned unchanged');
  const mp = result.mixedPrecision;
  if (mp !== null) notes.push(`mixed precision: kept ${plural(mp.keepNodes.length, 'node')} in FP32 (plain FP16 drifted)`);
  if (result.report.clampedValues > 0) notes.push(`${plural(result.report.clampedValues, 'weight value')} clamped to ±65504 (beyond float16's range)`);
  return notes;
}

/** "250 images, 250 labelled (imagenet-sample-labels.csv)", "8 random inputs", "no dataset". */
export function describeDataset(d: RunInputs['dataset']): string {
  if (d.kind === 'none') return 'no dataset';
  if (d.kind === 'random') return plural(d.samples, 'random input');
  const what = d.kind === 'images' ? plural(d.samples, 'image') : plural(d.samples, 'tensor sample');
  if (d.labelled === 0) return `${what}, no labels`;
  return `${what}, ${d.labelled} labelled${d.labelFiles.length > 0 ? ` (${d.labelFiles.join(', ')})` : ''}`;
}

function environmentOf(inputs: RunInputs): RunReport['environment'] {
  const first = inputs.bench[0];
  if (first === undefined) return null;
  const env = first.result.run.env;
  const description =
    env.ep === 'webgpu'
      ? `this computer's GPU (WebGPU${env.adapter !== undefined && env.adapter !== '' ? `, ${env.adapter}` : ''})`
      : `this computer's CPU (WebAssembly, ${plural(env.threads, 'thread')})`;
  return {
    browser: env.browser,
    device: env.ep,
    threads: env.threads,
    cores: env.hardwareConcurrency,
    ortVersion: env.ortVersion,
    crossOriginIsolated: env.crossOriginIsolated,
    description,
  };
}

/** Where the verdicts say speed was measured: "this computer's CPU". */
function whereOf(env: RunReport['environment']): string | null {
  if (env === null) return null;
  return env.device === 'webgpu' ? "this computer's GPU" : "this computer's CPU";
}

function settingsOf(inputs: RunInputs): RunSettings {
  const int8 = inputs.int8;
  let int8Settings: RunSettings['int8'] = null;
  if (int8 !== null) {
    const { options: o, report: r } = int8.outcome;
    const goal = r.accuracy !== null && r.accuracy.trigger === 'max-drop' ? r.accuracy.goal : null;
    const metric = goal?.metric ?? o.metric;
    int8Settings = {
      mode: r.mode,
      calibration: r.method ?? (r.mode === 'dynamic' ? 'none' : o.calibration),
      preset: r.preset ?? (r.mode === 'dynamic' ? 'none' : o.preset),
      perChannel: r.perChannel,
      subset: o.subset,
      excludeNodes: [...o.excludeNodes],
      excludeOpTypes: [...o.excludeOpTypes],
      // An SQNR goal is a floor, not a drop: its value is the lowest SQNR allowed, dB.
      maxDrop: o.accuracyAware
        ? metric === 'sqnr'
          ? { value: goal?.minSqnrDb ?? o.minSqnrDb, kind: 'absolute', metric }
          : { value: goal?.maxDrop ?? o.maxDrop, kind: (goal !== null ? goal.relative === true : o.dropKind === 'relative') ? 'relative' : 'absolute', metric }
        : null,
    };
  }
  return { int8: int8Settings, fp16: inputs.fp16 !== null, bench: inputs.benchSettings === null ? null : { ...inputs.benchSettings } };
}

function layersOf(outcome: Int8Outcome | undefined): LayerErrorRow[] {
  return (outcome?.report.layers ?? []).map((l) => ({
    tensor: l.tensor,
    producer: l.producer,
    localSqnrDb: layerDb(l.localSqnrDb),
    cumulativeSqnrDb: layerDb(l.cumulativeSqnrDb),
    clippedShare: finiteOr(l.clippedShare, 0),
  }));
}

export function buildRunReport(inputs: RunInputs): RunReport {
  const { card } = inputs;
  const fp32Bytes = fp32SizeBytes(card);
  const environment = environmentOf(inputs);
  const ctx: VerdictContext = { where: whereOf(environment), datasetKind: inputs.dataset.kind };

  type Draft = Omit<VariantResult, 'verdict' | 'tone' | 'speedup' | 'shrink'>;
  const drafts: Draft[] = [];
  const common = (id: VariantId, fileName: string, sizeBytes: number): Pick<Draft, 'id' | 'label' | 'fileName' | 'sizeBytes' | 'gzipBytes' | 'speed'> => {
    const entry = entryOf(inputs, id);
    return { id, label: LABEL[id], fileName, sizeBytes, gzipBytes: finiteOrNull(entry?.result.size.gzipBytes), speed: speedOf(entry) };
  };
  const evaluated = (id: VariantId): VariantQuality | null => {
    const e = inputs.evaluation[id];
    return e !== null ? datasetQuality(id, e) : null;
  };

  drafts.push({ ...common('fp32', card.fileName, fp32Bytes), quality: evaluated('fp32'), notes: [] });
  if (inputs.fp16 !== null) {
    const { fileName, sizeBytes, result } = inputs.fp16;
    drafts.push({ ...common('fp16', fileName, sizeBytes), quality: evaluated('fp16') ?? fp16CheckQuality(result), notes: fp16Notes(result) });
  }
  if (inputs.int8 !== null) {
    const { fileName, sizeBytes, outcome } = inputs.int8;
    drafts.push({ ...common('int8', fileName, sizeBytes), quality: evaluated('int8') ?? int8CheckQuality(outcome), notes: int8Notes(outcome) });
  }

  const fp32Entry = entryOf(inputs, 'fp32');
  const withRatios = drafts.map((d): Omit<VariantResult, 'verdict' | 'tone'> => {
    const entry = entryOf(inputs, d.id);
    // Speed is compared like for like only: the same device and thread count as the FP32 measurement.
    const comparable = entry !== undefined && fp32Entry !== undefined && entry.device === fp32Entry.device && entry.threads === fp32Entry.threads;
    const speedup = d.id === 'fp32' ? (d.speed !== null ? 1 : null) : comparable && d.speed !== null && fp32Entry !== undefined ? finiteOrNull(fp32Entry.result.run.latency.p50Ms / d.speed.p50Ms) : null;
    const shrink = d.id === 'fp32' ? 1 : finiteOr(fp32Bytes / d.sizeBytes, 0);
    return { ...d, speedup: speedup !== null && speedup > 0 ? speedup : null, shrink };
  });
  const fp32 = withRatios[0]!;
  const variants: VariantResult[] = withRatios.map((v) => ({ ...v, ...verdictFor(v, fp32, ctx) }));

  return {
    schema: REPORT_SCHEMA,
    id: inputs.id,
    createdAt: inputs.createdAt,
    model: {
      fileName: card.fileName,
      sizeBytes: fp32Bytes,
      parameters: card.params,
      opset: mainOpset(card),
      inputs: card.inputs.map(describeTensor),
      kind: modelKind(card, inputs.int8?.outcome.report.modelType ?? null),
    },
    dataset: {
      kind: inputs.dataset.kind,
      samples: inputs.dataset.samples,
      labelled: inputs.dataset.labelled,
      description: describeDataset(inputs.dataset),
    },
    environment,
    settings: settingsOf(inputs),
    variants,
    layers: layersOf(inputs.int8?.outcome),
    cli: cliCommands(inputs),
    problems: [...inputs.problems],
  };
}
