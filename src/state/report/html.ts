// The run report as one self-contained HTML page (inline CSS and SVG, no scripts, no external resources) that opens
// offline, prints, and reads on a projector; the report's JSON rides along as inert data.
import { EXACT_SQNR_DB, formatBytes, formatFps, formatLayerDb, formatMs, formatPercent, RESULT_COLUMNS, resultCells } from './format';
import { barChart, escapeXml, shorten, type BarGroup } from './svg-charts';
import type { RunReport, VariantId, VariantResult } from './types';

export const VARIANT_COLOR: Record<VariantId, string> = { fp32: '#4f46e5', fp16: '#0e7490', int8: '#c2410c' };
const TONE_COLOR: Record<VariantResult['tone'], string> = { good: '#15803d', mixed: '#b45309', bad: '#b91c1c', neutral: '#4b5563' };
const TONE_WORD: Record<VariantResult['tone'], string> = { good: 'Good', mixed: 'Mixed', bad: 'Poor', neutral: 'Baseline' };

/** Layers the SQNR chart shows at most: beyond that it shows the worst ones (a chart of hundreds of bars is unreadable). */
export const MAX_CHART_LAYERS = 40;
/** SQNR above this is excellent for any purpose; the chart's scale stops there so poor layers stay visible. */
const LAYER_CHART_MAX_DB = 60;

/** The id of the script element holding the report JSON. */
export const REPORT_JSON_ID = 'quantbench-report';

/**
 * JSON safe inside a <script> element: every "<" written as \u003c (covers "</script" and "<!--"), which JSON.parse
 * reads back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 20px; line-height: 1.45; color: #111827; background: #fff; margin: 0; padding: 32px 40px; max-width: 1400px; }
h1 { font-size: 40px; margin: 0 0 4px; line-height: 1.15; word-break: break-word; }
h2 { font-size: 30px; margin: 40px 0 12px; border-bottom: 3px solid #e5e7eb; padding-bottom: 6px; }
h3 { font-size: 24px; margin: 0 0 6px; }
.sub { color: #4b5563; font-size: 22px; margin: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 20px; }
.card { border: 2px solid #e5e7eb; border-left: 12px solid var(--tone); border-radius: 10px; padding: 16px 20px; break-inside: avoid; }
.card h3 { color: var(--variant); }
.card .tone { display: inline-block; font-size: 16px; font-weight: 700; text-transform: uppercase; letter-spacing: .05em; color: #fff; background: var(--tone); border-radius: 6px; padding: 2px 10px; margin-left: 8px; vertical-align: middle; }
.card .verdict { font-size: 24px; font-weight: 600; margin: 8px 0; }
.card ul { margin: 6px 0 0; padding-left: 22px; color: #374151; font-size: 18px; }
table { border-collapse: collapse; width: 100%; font-size: 18px; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #d1d5db; padding: 6px 10px; text-align: right; white-space: nowrap; }
th { background: #f3f4f6; }
td[data-field="variant"] { text-align: left; font-weight: 700; }
td[data-field="variant"] small { display: block; font-weight: 400; font-size: 13px; color: #4b5563; max-width: 22ch; overflow: hidden; text-overflow: ellipsis; }
.table-wrap { overflow-x: auto; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 28px; }
figure.chart { margin: 0; break-inside: avoid; }
figcaption { color: #4b5563; font-size: 17px; margin-bottom: 4px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 20px; margin: 0; }
dt { font-weight: 700; }
dd { margin: 0; word-break: break-word; }
pre { background: #f3f4f6; border-radius: 8px; padding: 14px 16px; font-size: 16px; white-space: pre-wrap; word-break: break-all; }
.problems li { color: #b91c1c; }
footer { margin-top: 40px; color: #6b7280; font-size: 16px; }
@media print {
  body { padding: 0; font-size: 14pt; max-width: none; }
  h2 { break-after: avoid; }
  .charts { grid-template-columns: 1fr; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;

/** "2026-11-22 14:05 UTC" from an ISO date; the text itself when it is not one. */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} UTC`;
}

function cardHtml(v: VariantResult): string {
  const notes = v.notes.length > 0 ? `<ul>${v.notes.map((n) => `<li>${escapeXml(n)}</li>`).join('')}</ul>` : '';
  return (
    `<article class="card tone-${v.tone}" data-variant="${v.id}" style="--tone: ${TONE_COLOR[v.tone]}; --variant: ${VARIANT_COLOR[v.id]}">` +
    `<h3>${escapeXml(v.label)}<span class="tone">${TONE_WORD[v.tone]}</span></h3>` +
    `<p class="verdict">${escapeXml(v.verdict)}</p>${notes}</article>`
  );
}

function tableHtml(r: RunReport): string {
  // The file name goes under the variant's name (a column of its own wraps long names into a tall, narrow strip).
  const columns = RESULT_COLUMNS.filter((c) => c.field !== 'file');
  const head = columns.map((c) => `<th scope="col" data-field="${c.field}">${escapeXml(c.header)}</th>`).join('');
  const rows = r.variants.map((v) => {
    const cells = resultCells(v);
    const cell = (field: (typeof columns)[number]['field']): string =>
      field === 'variant' ? `${escapeXml(cells.variant)}<small title="${escapeXml(cells.file)}">${escapeXml(cells.file)}</small>` : escapeXml(cells[field]);
    return `<tr data-variant="${v.id}">${columns.map((c) => `<td data-field="${c.field}">${cell(c.field)}</td>`).join('')}</tr>`;
  });
  return `<div class="table-wrap"><table id="results-table"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function chartsHtml(r: RunReport): string {
  const timed = r.variants.filter((v) => v.speed !== null);
  const fps = barChart({
    title: 'Throughput (inferences per second, higher is better)',
    groups: timed.map((v) => ({ label: '', bars: [{ label: v.label, value: v.speed!.fps, color: VARIANT_COLOR[v.id], text: formatFps(v.speed!.fps) }] })),
  });
  const latency = barChart({
    title: 'Latency (ms, lower is better)',
    caption: 'Bar: median (p50). Tick: p90. Whisker end: p99.',
    groups: timed.map((v) => ({
      label: '',
      bars: [{ label: v.label, value: v.speed!.p50Ms, color: VARIANT_COLOR[v.id], text: formatMs(v.speed!.p50Ms), whisker: { p90: v.speed!.p90Ms, p99: v.speed!.p99Ms } }],
    })),
  });
  const size = barChart({
    title: 'File size (smaller is better)',
    caption: 'Solid: the file. Light: gzip, what a web server sends.',
    groups: r.variants.map((v) => ({
      label: v.label,
      bars: [
        { label: 'file', value: v.sizeBytes, color: VARIANT_COLOR[v.id], text: formatBytes(v.sizeBytes) },
        ...(v.gzipBytes !== null ? [{ label: 'gzip', value: v.gzipBytes, color: VARIANT_COLOR[v.id], text: formatBytes(v.gzipBytes), light: true }] : []),
      ],
    })),
  });
  const labelled = r.variants.some((v) => v.quality?.top1 !== null && v.quality?.top1 !== undefined);
  const accuracyGroups: BarGroup[] = r.variants
    .filter((v) => v.quality !== null)
    .map((v) => {
      const q = v.quality!;
      const bars = [];
      if (q.top1 !== null) bars.push({ label: 'top-1', value: q.top1, color: VARIANT_COLOR[v.id], text: formatPercent(q.top1) });
      if (q.agreement !== null) bars.push({ label: 'agrees w/ FP32', value: q.agreement, color: VARIANT_COLOR[v.id], text: formatPercent(q.agreement), light: q.top1 !== null });
      return { label: v.label, bars };
    });
  const accuracy = barChart({
    title: labelled ? 'Accuracy and agreement with FP32 (%)' : 'Agreement with FP32 (%)',
    caption: labelled ? 'Top-1 against your labels (solid) and share of samples with FP32\'s answer (light).' : 'Share of samples where the variant gives FP32\'s answer.',
    groups: accuracyGroups,
    max: 1,
  });
  return `<div class="charts">${[fps, latency, size, accuracy, layerChart(r)].filter((c) => c !== '').join('')}</div>`;
}

/** INT8 cumulative SQNR per layer: all layers in graph order when few, else the worst MAX_CHART_LAYERS. */
function layerChart(r: RunReport): string {
  if (r.layers.length === 0) return '';
  const few = r.layers.length <= MAX_CHART_LAYERS;
  const rows = few ? r.layers : [...r.layers].sort((a, b) => a.cumulativeSqnrDb - b.cumulativeSqnrDb).slice(0, MAX_CHART_LAYERS);
  return barChart({
    title: 'INT8 error per layer (cumulative SQNR against FP32, dB, higher is better)',
    caption: few
      ? `All ${r.layers.length} quantized layers in graph order.`
      : `The ${MAX_CHART_LAYERS} worst of ${r.layers.length} quantized layers, worst first. Bars stop at ${LAYER_CHART_MAX_DB} dB.`,
    groups: [
      {
        label: '',
        bars: rows.map((l) => ({
          label: shorten(l.tensor, 24),
          title: `${l.tensor} (${l.producer})`,
          value: l.cumulativeSqnrDb >= EXACT_SQNR_DB ? LAYER_CHART_MAX_DB : l.cumulativeSqnrDb,
          color: VARIANT_COLOR.int8,
          text: formatLayerDb(l.cumulativeSqnrDb),
        })),
      },
    ],
    max: LAYER_CHART_MAX_DB,
  });
}

function settingsHtml(r: RunReport): string {
  const rows: [string, string][] = [];
  const s = r.settings;
  rows.push(['Model', `${r.model.fileName} — ${formatBytes(r.model.sizeBytes)}, ${r.model.parameters.toLocaleString('en-US')} parameters${r.model.opset !== null ? `, opset ${r.model.opset}` : ''}, ${r.model.kind}`]);
  if (r.model.inputs.length > 0) rows.push(['Inputs', r.model.inputs.join('; ')]);
  rows.push(['Dataset', r.dataset.description]);
  rows.push(['FP16', s.fp16 ? 'made' : 'not made']);
  if (s.int8 !== null) {
    const i = s.int8;
    const parts = [`${i.mode} mode`, `calibration ${i.calibration}`, `preset ${i.preset}`, i.perChannel ? 'per-channel weights' : 'per-tensor weights', `subset ${i.subset}`];
    if (i.excludeNodes.length > 0) parts.push(`excluded nodes: ${i.excludeNodes.join(', ')}`);
    if (i.excludeOpTypes.length > 0) parts.push(`excluded op types: ${i.excludeOpTypes.join(', ')}`);
    if (i.maxDrop !== null) {
      parts.push(i.maxDrop.metric === 'sqnr' ? `accuracy-aware: SQNR at least ${i.maxDrop.value} dB` : `accuracy-aware: ${i.maxDrop.metric} within ${i.maxDrop.value}${i.maxDrop.kind === 'relative' ? '%' : ' points'} of FP32`);
    }
    rows.push(['INT8', parts.join(', ')]);
  } else {
    rows.push(['INT8', 'not made']);
  }
  if (s.bench !== null) rows.push(['Benchmark', `${s.bench.device === 'webgpu' ? 'WebGPU' : 'CPU (WebAssembly)'}, ${s.bench.threads} thread${s.bench.threads === 1 ? '' : 's'}, ${s.bench.timeBudgetS} s per variant`]);
  return `<dl>${rows.map(([k, v]) => `<dt>${escapeXml(k)}</dt><dd>${escapeXml(v)}</dd>`).join('')}</dl>`;
}

function environmentHtml(r: RunReport): string {
  const e = r.environment;
  if (e === null) return '<p>Speed was not measured in this run.</p>';
  const sentence = `Measured on ${e.description} in ${e.browser}, ${e.cores} core${e.cores === 1 ? '' : 's'}, onnxruntime-web ${e.ortVersion}${e.crossOriginIsolated ? '' : ' (not cross-origin isolated: one thread)'}.`;
  return `<p id="environment">${escapeXml(sentence)}</p>`;
}

/** The whole page. Every piece of user text (file names, node names, messages) goes through escapeXml. */
export function reportHtml(r: RunReport): string {
  const title = `${r.model.fileName} — Quantbench report`;
  const cli = r.cli.length > 0 ? `<h2>Reproduce with the command line</h2><pre id="cli">${escapeXml(r.cli.join('\n'))}</pre>` : '';
  const problems = r.problems.length > 0 ? `<h2>Problems</h2><ul class="problems">${r.problems.map((p) => `<li>${escapeXml(p)}</li>`).join('')}</ul>` : '';
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeXml(title)}</title>`,
    `<style>${CSS}</style></head><body>`,
    `<header><h1>${escapeXml(r.model.fileName)}</h1><p class="sub">Quantbench run report · ${escapeXml(formatDate(r.createdAt))} · ${escapeXml(r.dataset.description)}</p></header>`,
    `<h2>Verdict</h2><section class="cards">${r.variants.map(cardHtml).join('')}</section>`,
    `<h2>Results</h2>${tableHtml(r)}`,
    environmentHtml(r),
    `<h2>Charts</h2>${chartsHtml(r)}`,
    `<h2>Settings</h2>${settingsHtml(r)}`,
    cli,
    problems,
    `<footer>Made with Quantbench (report ${escapeXml(r.schema)}, run ${escapeXml(r.id)}). The full report is embedded in this file as JSON.</footer>`,
    `<script type="application/json" id="${REPORT_JSON_ID}">${jsonForScript(r)}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
