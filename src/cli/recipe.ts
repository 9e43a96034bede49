// --preprocess for every CLI command: a preset id, a recipe as JSON text, or a JSON recipe file, checked with
// every problem listed in one message.
import { readFile, stat } from 'node:fs/promises';
import { PRESETS } from '../data/presets';
import type { PresetId, PreprocessRecipe } from '../data/types';

const RESIZE_MODES = ['stretch', 'shorter-side-crop', 'letterbox'];
const RECIPE_KEYS = new Set(['width', 'height', 'resize', 'resizeShorterTo', 'letterbox', 'layout', 'channelOrder', 'scale', 'mean', 'std', 'dtype']);

/**
 * Checks a recipe read from JSON and lists every problem in one message.
 * @throws Error naming the source and the fields to fix.
 */
export function checkRecipe(value: unknown, source: string): PreprocessRecipe {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${source} is not a usable preprocessing recipe: it must be a JSON object ({"width": 224, ...}).`);
  const r = value as Record<string, unknown>;
  const wrong: string[] = [];
  const unknown = Object.keys(r).filter((k) => !RECIPE_KEYS.has(k));
  if (unknown.length > 0) wrong.push(`unknown field${unknown.length === 1 ? '' : 's'} ${unknown.map((k) => `"${k}"`).join(', ')} (known: ${[...RECIPE_KEYS].join(', ')})`);
  const posInt = (k: string): void => {
    if (!Number.isSafeInteger(r[k]) || (r[k] as number) <= 0) wrong.push(`"${k}" must be a whole number of pixels above zero`);
  };
  const triple = (k: string, nonZero: boolean): void => {
    const v = r[k];
    if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x) && (!nonZero || x !== 0))) {
      wrong.push(`"${k}" must be 3 numbers${nonZero ? ', none of them 0' : ''} (one per channel, in the model's channel order)`);
    }
  };
  posInt('width');
  posInt('height');
  if (!RESIZE_MODES.includes(r.resize as string)) wrong.push(`"resize" must be one of ${RESIZE_MODES.join(', ')}`);
  if (r.resizeShorterTo !== undefined) posInt('resizeShorterTo');
  if (r.letterbox !== undefined) {
    const l = r.letterbox as Record<string, unknown> | null;
    if (typeof l !== 'object' || l === null || typeof l.padValue !== 'number' || !Number.isFinite(l.padValue) || (l.placement !== 'top-left' && l.placement !== 'center')) {
      wrong.push('"letterbox" must be {"padValue": number, "placement": "top-left" or "center"}');
    }
  }
  if (r.layout !== 'NCHW' && r.layout !== 'NHWC') wrong.push('"layout" must be NCHW or NHWC');
  if (r.channelOrder !== 'RGB' && r.channelOrder !== 'BGR') wrong.push('"channelOrder" must be RGB or BGR');
  if (typeof r.scale !== 'number' || !Number.isFinite(r.scale)) wrong.push('"scale" must be a number (1/255 = 0.00392156862745098)');
  triple('mean', false);
  triple('std', true);
  if (r.dtype !== undefined && r.dtype !== 'float32' && r.dtype !== 'float16' && r.dtype !== 'uint8') wrong.push('"dtype" must be float32, float16 or uint8');
  if (wrong.length > 0) throw new Error(`${source} is not a usable preprocessing recipe: ${wrong.join('; ')}.`);
  return r as unknown as PreprocessRecipe;
}

/** --preprocess: a preset id as it is, a recipe given as JSON text, or a recipe read from a JSON file. */
export async function resolvePreprocess(value: string): Promise<PresetId | PreprocessRecipe> {
  if (Object.hasOwn(PRESETS, value)) return value as PresetId;
  const parse = (text: string, source: string): PreprocessRecipe => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new Error(`${source} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    return checkRecipe(parsed, source);
  };
  if (value.trimStart().startsWith('{')) return parse(value, 'The --preprocess recipe');
  const s = await stat(value).catch(() => undefined);
  if (s === undefined || !s.isFile()) {
    throw new Error(`--preprocess "${value}" is neither a preset (${Object.keys(PRESETS).join(', ')}) nor a JSON recipe or recipe file.`);
  }
  return parse(await readFile(value, 'utf8'), value);
}

