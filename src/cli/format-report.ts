// Plain-text rendering of an evaluation for the terminal: accuracy, per-class summary, fidelity, problems, speed.
import type { EvalReport, Fidelity, PreprocessRecipe } from '../data/types';
import type { EvaluateFolderResult } from '../pipeline/evaluate-node';

const pct = (x: number, digits = 2): string => `${(x * 100).toFixed(digits)}%`;

/** SQNR for people: identical outputs have no noise at all. */
export function formatSqnr(db: number): string {
  if (db === Infinity) return '∞ dB (identical outputs)';
  return Number.isNaN(db) ? 'not a number (the outputs contain NaN)' : `${db.toFixed(1)} dB`;
}

function recipeLine(r: PreprocessRecipe): string {
  const resize =
    r.resize === 'shorter-side-crop'
      ? `shorter side to ${r.resizeShorterTo ?? '?'}, centre crop`
      : r.resize === 'letterbox'
        ? `letterbox (${r.letterbox?.placement ?? 'top-left'}, pad ${r.letterbox?.padValue ?? 114})`
        : 'stretched';
  const list = (v: readonly number[]): string => `[${v.map((x) => +x.toFixed(4)).join(', ')}]`;
  return `${r.width}x${r.height} ${r.layout} ${r.channelOrder}, ${resize}; (pixel x ${+r.scale.toFixed(6)} - ${list(r.mean)}) / ${list(r.std)}${r.dtype !== undefined ? `, ${r.dtype}` : ''}`;
}

function classLabel(names: Map<number, string>, index: number): string {
  const name = names.get(index);
  return name !== undefined && name !== `class ${index}` ? `${index} "${name}"` : String(index);
}

function perClassLines(report: EvalReport): string[] {
  const classes = report.perClass;
  if (classes.length === 0) return [];
  const allRight = classes.filter((c) => c.top1 === 1).length;
  const allWrong = classes.filter((c) => c.top1 === 0).length;
  const weakest = [...classes].sort((a, b) => a.top1 - b.top1 || b.count - a.count).slice(0, 5);
  const lines = [`Per class      ${classes.length} classes: ${allRight} all right, ${allWrong} all wrong`];
  if (classes.length <= 20) {
    for (const c of classes) lines.push(`               ${c.name.padEnd(20)} ${pct(c.top1, 1).padStart(6)}  (${c.count} images)`);
  } else {
    lines.push(`               weakest: ${weakest.map((c) => `${c.name} ${pct(c.top1, 0)} of ${c.count}`).join(', ')}`);
  }
  return lines;
}

function fidelityLines(f: Fidelity, reference: string, report: EvalReport): string[] {
  const lines = [
    `Fidelity       against ${reference}: top-1 agreement ${pct(f.top1Agreement)}, top-5 overlap ${pct(f.top5Overlap)}, SQNR ${formatSqnr(f.sqnrDb)}, cosine ${f.cosine.toFixed(8)}`,
  ];
  if (f.pixelAgreement !== undefined) lines.push(`               pixel agreement ${pct(f.pixelAgreement)}, mean IoU ${pct(f.miou ?? 0)}`);
  const names = new Map(report.perClass.map((c) => [c.classIndex, c.name]));
  const d = report.disagreements;
  if (d.length > 0) {
    const more = d.length === 100 ? ' (first 100 listed in --json)' : '';
    lines.push(`               ${d.length} images change their top-1 class${more}, e.g.:`);
    for (const x of d.slice(0, 3)) lines.push(`                 ${x.name}: ${classLabel(names, x.predicted)} instead of ${classLabel(names, x.reference)}`);
  }
  return lines;
}

/** The warning printed with every random-input result. */
export const RANDOM_WARNING = 'Random inputs: accuracy is meaningless here; use them to compare speed and output agreement between models.';

const dimsText = (dims: readonly (number | string | null)[] | null): string => (dims === null ? 'an undeclared shape' : `[${dims.map((d) => d ?? '?').join(', ')}]`);

/** How the samples reached the model: the preprocessing of images, or tensors / random values fed as they are. */
function inputLines(result: EvaluateFolderResult): string[] {
  const { input, random } = result;
  if (result.inputKind === 'images' && result.recipe !== null) {
    return [`Preprocessing  ${result.presetId ?? 'custom recipe'}: ${recipeLine(result.recipe)}`, `               ${result.presetReason}`];
  }
  const to = input !== null ? `the model's input "${input.name}" ${dimsText(input.shape)} ${input.dtype}` : 'the model';
  if (result.inputKind === 'random' && random !== null) {
    return [`Inputs         ${random.count} random samples of [${random.dims.join(', ')}], uniform in [${random.min}, ${random.max}), seed ${random.seed}, fed to ${to}`, `               ${RANDOM_WARNING}`];
  }
  return [`Inputs         tensors fed as they are to ${to} (converted to float32, no preprocessing)`];
}

const UNITS: Record<EvaluateFolderResult['inputKind'], { many: string; rate: string; endToEnd: string }> = {
  images: { many: 'images', rate: 'images/s', endToEnd: 'decode, preprocess, inference' },
  tensors: { many: 'samples', rate: 'samples/s', endToEnd: 'reading the files, inference' },
  random: { many: 'random inputs', rate: 'samples/s', endToEnd: 'drawing the values, inference' },
};

/**
 * The evaluation as text: what was run, how the inputs were made, top-1/top-5, per-class summary, fidelity,
 * problems and throughput. `source` names the folder (or "random inputs"); `referenceName` labels the fidelity line.
 */
export function formatReport(result: EvaluateFolderResult, source: string, referenceName?: string): string {
  const { report, card } = result;
  const units = UNITS[result.inputKind];
  const lines: string[] = [];
  lines.push(`${card.fileName} on ${source}: ${report.images} ${units.many}, ${report.labelled} labelled`);
  lines.push(...inputLines(result));
  if (result.inputKind !== 'random') lines.push(`Labels         ${report.mapping?.description ?? 'none found: accuracy cannot be measured (speed and fidelity still are).'}`);
  if (report.top1 !== null && report.top5 !== null) {
    lines.push(`Top-1          ${pct(report.top1)}  (${Math.round(report.top1 * report.labelled)} of ${report.labelled})`);
    lines.push(`Top-5          ${pct(report.top5)}  (${Math.round(report.top5 * report.labelled)} of ${report.labelled})`);
  }
  lines.push(...perClassLines(report));
  if (report.fidelity !== null) lines.push(...fidelityLines(report.fidelity, referenceName ?? 'the reference', report));
  for (const [i, p] of report.problems.entries()) {
    const head = i === 0 ? 'Problems       ' : '               ';
    const examples = p.items.length > 0 ? ` (e.g. ${p.items.slice(0, 3).join('; ')})` : '';
    lines.push(`${head}! ${p.message}${examples}`);
  }
  lines.push(`Speed          ${report.imagesPerSecond.toFixed(1)} ${units.rate} end to end (${units.endToEnd}); ${report.inferenceMsMean.toFixed(1)} ms per inference`);
  return `${lines.join('\n')}\n`;
}
