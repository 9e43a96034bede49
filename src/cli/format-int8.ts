// Text report of `quantbench quantize --precision int8`: what was done, how close the INT8 model stays to FP32,
// and where the error comes from (worst layers by local SQNR).
import { basename } from 'node:path';
import type { PresetId, PreprocessRecipe } from '../data/types';
import type { Int8Report, LayerError } from '../pipeline/int8';

export interface Int8TextContext {
  model: string;
  /** The written file, or null when nothing was written. */
  out: string | null;
  report: Int8Report;
  presetId: PresetId | null;
  recipe: PreprocessRecipe | null;
  presetReason: string | null;
  /** Where the check inputs came from: image folders, or seeded random inputs (dynamic mode without images). */
  checkSource: 'images' | 'random';
}

/** Nodes kept in float listed in full; the rest is in --json. */
const KEPT_SHOWN = 20;
/** Worst layers listed. */
export const WORST_LAYERS = 10;

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(2)} MB`;
const pct = (x: number, digits = 1): string => `${(100 * x).toFixed(digits)}%`;
/** dB with an exact (noise-free) result written as "exact" instead of Infinity. */
const db = (x: number): string => (x === Infinity ? 'exact' : Number.isNaN(x) ? 'n/a' : `${x.toFixed(1)} dB`);
const dbCell = (x: number): string => (x === Infinity ? 'exact' : Number.isNaN(x) ? 'n/a' : x.toFixed(1));

function counts(items: readonly { opType: string }[]): string {
  const by = new Map<string, number>();
  for (const i of items) by.set(i.opType, (by.get(i.opType) ?? 0) + 1);
  return [...by].map(([op, n]) => `${op} ${n}`).join(', ');
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function padStart(text: string, width: number): string {
  return text.length >= width ? text : ' '.repeat(width - text.length) + text;
}

/** Shortens a long tensor name in the middle so the table stays readable ("/layer3/…/Relu_output_0"). */
function shorten(name: string, max: number): string {
  if (name.length <= max) return name;
  const keep = max - 1;
  const head = Math.ceil(keep / 3);
  return `${name.slice(0, head)}…${name.slice(name.length - (keep - head))}`;
}

/** The layers with the lowest local SQNR (the error each quantized activation adds by itself), worst first. */
export function worstLayers(layers: readonly LayerError[], count = WORST_LAYERS): LayerError[] {
  const key = (l: LayerError): number => (Number.isNaN(l.localSqnrDb) ? Infinity : l.localSqnrDb);
  return [...layers].sort((a, b) => key(a) - key(b)).slice(0, count);
}

function layerTable(layers: readonly LayerError[]): string[] {
  const rows = worstLayers(layers).map((l) => [shorten(l.tensor, 60), l.producer, dbCell(l.localSqnrDb), dbCell(l.cumulativeSqnrDb), pct(l.clippedShare, 2)]);
  const head = ['tensor', 'producer', 'local dB', 'cumul. dB', 'clipped'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => `    ${pad(r[0]!, widths[0]!)}  ${pad(r[1]!, widths[1]!)}  ${r.slice(2).map((c, i) => padStart(c, widths[i + 2]!)).join('  ')}`;
  return [line(head), ...rows.map(line)];
}

/** The plain-text report printed by `quantize --precision int8` without --json. */
export function formatInt8Text(c: Int8TextContext): string {
  const r = c.report;
  const lines = [`INT8 quantization of ${basename(c.model)}`];
  if (r.mode === 'static') {
    lines.push(`  Mode: static (QDQ), preset ${r.preset}, calibration ${r.method}, ${r.perChannel ? 'per-channel' : 'per-tensor'} weights, model type ${r.modelType}`);
  } else {
    lines.push(`  Mode: dynamic (int8 MatMul/Gemm weights, activations quantized at run time), ${r.perChannel ? 'per-channel' : 'per-tensor'} weights`);
  }
  if (r.opsetUpgrade !== null) {
    const u = r.opsetUpgrade;
    lines.push(`  Opset upgrade: ${u.fromVersion} -> ${u.toVersion} (${u.changedNodes.length} node${u.changedNodes.length === 1 ? '' : 's'} changed${u.changedNodes.length > 0 ? `: ${counts(u.changedNodes)}` : ''})`);
  } else {
    lines.push('  Opset upgrade: none needed');
  }
  if (c.recipe !== null) {
    lines.push(`  Preprocessing: ${c.presetId ?? 'custom recipe'} (${c.recipe.width}x${c.recipe.height} ${c.recipe.layout} ${c.recipe.channelOrder})${c.presetReason !== null && c.presetReason !== '' ? ` — ${c.presetReason}` : ''}`);
  }
  if (r.calibration !== null) {
    const cal = r.calibration;
    lines.push(`  Calibration: ${cal.images} of ${cal.available} images in ${(cal.elapsedMs / 1000).toFixed(1)} s (${cal.imagesPerSecond.toFixed(1)} images/s)`);
  }
  lines.push(`  Size: ${mb(r.sizeBeforeBytes)} -> ${mb(r.sizeAfterBytes)} (${pct(r.sizeAfterBytes / r.sizeBeforeBytes)})`);
  if (r.speed !== null) {
    const sp = r.speed;
    const x = (v: number): string => `${v.toFixed(2)}x${v < 1 ? ' (slower)' : ''}`;
    lines.push(sp.faster
      ? `  Speed on ${sp.device}: ${x(sp.speedup)} FP32 (${sp.chosenMs.toFixed(2)} ms vs ${sp.fp32Ms.toFixed(2)} ms); every layer INT8 would be ${x(sp.fp32Ms / sp.plainInt8Ms)}; ${sp.floatNodes.length} layer${sp.floatNodes.length === 1 ? '' : 's'} kept in float for speed`
      : `  Speed on ${sp.device}: no INT8 layout beat FP32 by more than noise (best ${Math.max(...sp.candidates.slice(1).map((c) => sp.fp32Ms / c.measuredMs)).toFixed(2)}x); the plain INT8 model was written: smaller, not faster`);
  }
  if (r.accuracy !== null) {
    const a = r.accuracy;
    const unit = a.goal.metric === 'sqnr' ? ' dB' : '%';
    lines.push(`  ${a.trigger === 'guard' ? 'Collapse guard' : 'Accuracy-aware'} on ${a.validationInputs} validation input${a.validationInputs === 1 ? '' : 's'}: ${a.initial.value.toFixed(2)}${unit} -> ${a.final.value.toFixed(2)}${unit} (needs ${a.threshold.toFixed(2)}${unit}); ${a.floatUnits.length} layer${a.floatUnits.length === 1 ? '' : 's'} kept in float${a.floatCostBytes > 0 ? ` (+${mb(a.floatCostBytes)})` : ''}, ${(a.elapsedMs / 1000).toFixed(0)} s`);
    lines.push(`    ${a.explanation}`);
    if (a.ranking.length > 0) {
      const kept = new Set(a.floatUnits);
      lines.push(`    Most sensitive layers (share of the output error when quantized alone): ${a.ranking.slice(0, 8).map((u) => `${u.name} ${(100 * u.errorShare).toFixed(1)}%${kept.has(u.name) ? ' (float)' : ''}`).join(', ')}`);
    }
  }
  lines.push(`  Quantized: ${r.quantizedNodes.length} node${r.quantizedNodes.length === 1 ? '' : 's'}${r.quantizedNodes.length > 0 ? ` (${counts(r.quantizedNodes)})` : ''}`);
  if (r.dynamic !== null && r.dynamic.quantizedNodes.length > 0) {
    const worst = [...r.dynamic.quantizedNodes].sort((a, b) => a.weightSqnrDb - b.weightSqnrDb)[0]!;
    lines.push(`  Weights: lowest int8 weight SQNR ${db(worst.weightSqnrDb)} (${worst.name})`);
  }

  const k = r.check;
  const source = c.checkSource === 'random' ? `${k.inputs} seeded random input${k.inputs === 1 ? '' : 's'}` : `${k.inputs} ${k.heldOut ? 'held-out' : 'calibration (not held-out)'} image${k.inputs === 1 ? '' : 's'}`;
  const agreement = k.detectionAgreement !== undefined ? `detection agreement ${pct(k.detectionAgreement, 2)}, score SQNR ${db(k.scoreSqnrDb ?? NaN)}` : k.pixelAgreement !== undefined ? `pixel agreement ${pct(k.pixelAgreement, 2)}${k.miou !== undefined ? `, mIoU ${pct(k.miou, 1)}` : ''}` : `top-1 agreement ${pct(k.top1Agreement, 0)}`;
  lines.push(`  Check vs FP32 on ${source}: SQNR ${db(k.sqnrDb)}, ${agreement}, cosine ${k.cosine.toFixed(5)}, max |diff| ${k.maxAbsDiff.toPrecision(3)}`);

  if (r.warnings.length > 0) {
    lines.push('  Warnings:');
    for (const w of r.warnings) lines.push(`    - ${w}`);
  }
  if (r.skippedNodes.length > 0) {
    lines.push(`  Kept in float: ${r.skippedNodes.length} node${r.skippedNodes.length === 1 ? '' : 's'}`);
    for (const s of r.skippedNodes.slice(0, KEPT_SHOWN)) lines.push(`    ${s.name} (${s.opType}): ${s.reason}`);
    if (r.skippedNodes.length > KEPT_SHOWN) lines.push(`    … and ${r.skippedNodes.length - KEPT_SHOWN} more (see --json)`);
  }
  const floatOps = Object.entries(r.floatOps);
  if (floatOps.length > 0) lines.push(`  Float op types (not quantized by design): ${floatOps.map(([op, n]) => `${op} ${n}`).join(', ')}`);
  if (r.layers.length > 0) {
    lines.push(`  Worst layers by local SQNR (${Math.min(WORST_LAYERS, r.layers.length)} of ${r.layers.length}; local = error this activation's rounding and clipping adds, cumulative = vs FP32 at that point):`);
    lines.push(...layerTable(r.layers));
  }
  lines.push(c.out !== null ? `  Written: ${c.out}` : '  Not written.');
  return `${lines.join('\n')}\n`;
}
