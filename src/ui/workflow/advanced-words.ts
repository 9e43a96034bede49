// Owns the Advanced panel's pure words and limits: short names, number ranges and checks, what differs from the defaults, list suggestions.
import { TIME_BUDGET_MAX_S, TIME_BUDGET_MIN_S } from '../../state/bench-view';
import { splitList, type Int8Choices } from '../../state/int8-slice';
import { defaultChoices } from '../../state/workflow-plan';
import type { OptimizeChoices } from '../../state/workflow-types';
import { formatInt } from '../format';
import { INT8_METHOD_WORDS } from '../optimize/words';

/** A number field's range; `integer` refuses fractions (sample counts, seconds of the benchmark). */
export interface NumberLimits {
  min: number;
  max: number;
  integer: boolean;
}

/**
 * Ranges of the panel's number fields. The accuracy ones mirror Int8AccuracyFields' LIMITS (not exported there) so
 * both panels accept the same values; the benchmark time is bench-view's, the subset Int8Panel's MAX_SUBSET.
 */
export const ADV_LIMITS = {
  subset: { min: 1, max: 10_000, integer: true },
  maxDrop: { min: 0, max: 100, integer: false },
  minSqnrDb: { min: 0, max: 200, integer: false },
  timeBudgetMin: { min: 0.1, max: 600, integer: false },
  benchTimeS: { min: TIME_BUDGET_MIN_S, max: TIME_BUDGET_MAX_S, integer: true },
} as const satisfies Record<string, NumberLimits>;

/** The number typed when it is within the limits, else null ("" and "1e" are not numbers; "0." is 0). */
export function parseWithin(text: string, l: NumberLimits): number | null {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < l.min || n > l.max) return null;
  return l.integer && !Number.isInteger(n) ? null : n;
}

/** "Choose a whole number from 1 to 10,000 samples." — shown under a field holding something else. */
export function limitWords(l: NumberLimits, unit: string): string {
  const what = l.integer ? 'a whole number' : 'a number';
  return `Choose ${what} from ${formatLimit(l.min)} to ${formatLimit(l.max)}${unit === '' ? '' : ` ${unit}`}.`;
}

function formatLimit(n: number): string {
  return Number.isInteger(n) ? formatInt(n) : String(n);
}

/** Short names of the choices, as the closed panel's summary says them. */
export const MODE_SHORT: Record<Int8Choices['mode'], string> = { auto: 'Automatic', static: 'Static', dynamic: 'Dynamic' };
export const PRESET_SHORT: Record<Int8Choices['preset'], string> = { auto: 'Automatic', performance: 'Performance', mixed: 'Mixed' };
export const DEVICE_SHORT: Record<OptimizeChoices['device'], string> = { auto: 'automatic', wasm: 'CPU', webgpu: 'WebGPU' };
export const METRIC_SHORT: Record<Int8Choices['metric'], string> = { top1: 'top-1', agreement: 'agreement', sqnr: 'SQNR' };

/** The runtime-aware speed search's values (pipeline/int8 Int8Options['speed']) in plain words. */
export const SPEED_WORDS: Record<Int8Choices['speed'], { label: string; hint: string }> = {
  auto: {
    label: 'Measure each layer on this device',
    hint: 'Times every layer in FP32 and INT8 here and keeps in float the ones that run slower as integers. Adds about half a minute.',
  },
  off: { label: 'Off: every layer in INT8', hint: 'Quantizes every layer it can, whether or not it is faster here.' },
};

/**
 * Defaults when the caller passes none: workflow-plan's defaultChoices for this browser, which is what the store
 * starts from and Reset goes back to (the caller may pass its own as `defaults`).
 */
export function fallbackDefaults(platform: { cores: number; crossOriginIsolated: boolean }): OptimizeChoices {
  return defaultChoices({ hardwareConcurrency: platform.cores, crossOriginIsolated: platform.crossOriginIsolated });
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** "Gemm, MatMul" or "3 nodes": short enough for a summary line. */
function listWords(list: readonly string[], noun: string): string {
  return list.length <= 2 ? list.join(', ') : `${list.length} ${noun}`;
}

/**
 * What differs from the defaults, one short phrase each, in the panel's order. The budget's numbers count only while
 * the budget is on: they change nothing otherwise, and the closed panel should not claim they do.
 */
export function changedWords(c: OptimizeChoices, d: OptimizeChoices): string[] {
  const out: string[] = [];
  if (c.makeFp16 !== d.makeFp16) out.push(c.makeFp16 ? 'FP16 on' : 'no FP16');
  if (c.makeInt8 !== d.makeInt8) out.push(c.makeInt8 ? 'INT8 on' : 'no INT8');
  if (c.evaluate !== d.evaluate) out.push(c.evaluate ? 'accuracy check on' : 'no accuracy check');
  const i = c.int8;
  const j = d.int8;
  if (i.mode !== j.mode) out.push(`mode ${MODE_SHORT[i.mode]}`);
  if (i.calibration !== j.calibration) out.push(`calibration ${INT8_METHOD_WORDS[i.calibration].label}`);
  if (i.preset !== j.preset) out.push(`preset ${PRESET_SHORT[i.preset]}`);
  if (i.subset !== j.subset) out.push(`subset ${formatInt(i.subset)}`);
  if (i.perChannel !== j.perChannel) out.push(i.perChannel ? 'per-channel weights' : 'per-tensor weights');
  if (i.speed !== j.speed) out.push(i.speed === 'auto' ? 'speed search on' : 'speed search off');
  if (i.guard !== j.guard) out.push(i.guard ? 'collapse guard on' : 'collapse guard off');
  if (!sameList(i.excludeNodes, j.excludeNodes)) out.push(i.excludeNodes.length === 0 ? 'no nodes kept in float' : `float nodes ${listWords(i.excludeNodes, 'nodes')}`);
  if (!sameList(i.excludeOpTypes, j.excludeOpTypes)) out.push(i.excludeOpTypes.length === 0 ? 'no op types kept in float' : `float ops ${listWords(i.excludeOpTypes, 'types')}`);
  if (i.accuracyAware !== j.accuracyAware) out.push(i.accuracyAware ? 'accuracy budget on' : 'accuracy budget off');
  if (i.accuracyAware) {
    if (i.metric !== j.metric) out.push(`metric ${METRIC_SHORT[i.metric]}`);
    if (i.metric === 'sqnr') {
      if (i.minSqnrDb !== j.minSqnrDb) out.push(`SQNR ≥ ${i.minSqnrDb} dB`);
    } else {
      if (i.maxDrop !== j.maxDrop) out.push(`max drop ${i.maxDrop}`);
      if (i.dropKind !== j.dropKind) out.push(i.dropKind === 'relative' ? 'drop in % of FP32' : 'drop in points');
    }
    if (i.timeBudgetMin !== j.timeBudgetMin) out.push(`search ${i.timeBudgetMin} min`);
  }
  if (i.sensitivity !== j.sensitivity) out.push(i.sensitivity ? 'layer sensitivity on' : 'layer sensitivity off');
  if (c.device !== d.device) out.push(`benchmark on ${DEVICE_SHORT[c.device]}`);
  if (c.threads !== d.threads) out.push(`${c.threads} ${c.threads === 1 ? 'thread' : 'threads'}`);
  if (c.benchTimeS !== d.benchTimeS) out.push(`${c.benchTimeS} s per variant`);
  return out;
}

/** The closed panel's line: "All at the defaults for this model and browser" or "2 changed: calibration Percentile, subset 64". */
export function changedSummary(changes: readonly string[]): string {
  return changes.length === 0 ? 'all at the defaults for this model and browser' : `${changes.length} changed: ${changes.join(', ')}`;
}

/** Most suggestions a list field offers at once: a big model has thousands of nodes, and the browser lists them all. */
const MAX_SUGGESTIONS = 200;

/**
 * Suggestions for a comma-separated list field. A datalist completes the whole value, so each suggestion is the text
 * already typed up to the last comma plus one name not in the list yet: choosing it appends that name.
 */
export function listSuggestions(text: string, names: readonly string[]): string[] {
  const cut = text.lastIndexOf(',');
  const prefix = cut < 0 ? '' : `${text.slice(0, cut + 1)} `;
  const partial = (cut < 0 ? text : text.slice(cut + 1)).trim().toLowerCase();
  const have = new Set(splitList(text));
  const out: string[] = [];
  for (const name of names) {
    if (out.length >= MAX_SUGGESTIONS) break;
    if (have.has(name) || (partial !== '' && !name.toLowerCase().includes(partial))) continue;
    out.push(`${prefix}${name}`);
  }
  return out;
}

/** Names in the list the model does not have (a typo, or a name from another model); empty when nothing to check against. */
export function unknownNames(list: readonly string[], known: readonly string[]): string[] {
  if (known.length === 0) return [];
  const set = new Set(known);
  return list.filter((n) => !set.has(n));
}
