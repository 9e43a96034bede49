// reportHtml: self-contained (no URLs, scripts or links), escaped, the table cells equal format.ts, JSON round-trips.
import { describe, expect, it } from 'vitest';
import { buildRunReport } from './build';
import { reportFileBase, reportHtml, reportJson } from './export';
import { RESULT_COLUMNS, resultCells } from './format';
import { MAX_CHART_LAYERS, REPORT_JSON_ID } from './html';
import { checkOnlyRun, fakeCard, fullRun } from './report-fixtures';
import type { RunReport } from './types';

function embeddedJson(html: string): unknown {
  const m = new RegExp(`<script type="application/json" id="${REPORT_JSON_ID}">([\\s\\S]*?)</script>`).exec(html);
  expect(m).not.toBeNull();
  return JSON.parse(m![1]!);
}

/** Text of an HTML fragment with the five entities escapeXml writes decoded. */
function text(fragment: string): string {
  return fragment.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

function hostile(): RunReport {
  const inputs = fullRun();
  inputs.card = fakeCard('<img src=x onerror=alert(1)>.onnx');
  inputs.problems = ['FP16: </script><script>alert(2)</script> & more'];
  return buildRunReport(inputs);
}

describe('reportHtml', () => {
  it('is one self-contained document: no URLs, no script sources, no links', () => {
    for (const r of [buildRunReport(fullRun()), buildRunReport(checkOnlyRun()), hostile()]) {
      const html = reportHtml(r);
      expect(html.startsWith('<!doctype html>')).toBe(true);
      expect(html).not.toMatch(/http/i);
      expect(html).not.toMatch(/<script\s+src/i);
      expect(html).not.toMatch(/<link/i);
      expect(html).not.toMatch(/url\(/i);
      expect(html).not.toMatch(/@import/i);
      // The only script is the inert JSON.
      expect(html.match(/<script/g)).toHaveLength(1);
      expect(html).toContain(`<script type="application/json" id="${REPORT_JSON_ID}">`);
    }
  });

  it('escapes file names and messages', () => {
    const html = reportHtml(hostile());
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;.onnx');
    expect(html).not.toContain('<script>alert(2)');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt; &amp; more');
  });

  it('embeds the report JSON, which round-trips even with "</script>" inside', () => {
    const r = hostile();
    const html = reportHtml(r);
    expect(embeddedJson(html)).toEqual(r);
    expect(embeddedJson(reportHtml(buildRunReport(fullRun())))).toEqual(buildRunReport(fullRun()));
  });

  it('shows the table cells exactly as format.ts formats them', () => {
    const r = buildRunReport(fullRun());
    const html = reportHtml(r);
    const table = /<table id="results-table">[\s\S]*?<\/table>/.exec(html)![0];
    for (const v of r.variants) {
      const row = new RegExp(`<tr data-variant="${v.id}">([\\s\\S]*?)</tr>`).exec(table);
      expect(row).not.toBeNull();
      const expected = resultCells(v);
      for (const { field } of RESULT_COLUMNS) {
        const cell = new RegExp(`<td data-field="${field}">([\\s\\S]*?)</td>`).exec(row![1]!);
        // The file name sits under the variant's name, not in a column of its own.
        if (field === 'file') {
          expect(cell).toBeNull();
          expect(row![1]).toContain(`<small title="${expected.file}">${expected.file}</small>`);
        } else if (field === 'variant') {
          expect(text(cell![1]!), `${v.id}.${field}`).toBe(`${expected.variant}${expected.file}`);
        } else {
          expect(text(cell![1]!), `${v.id}.${field}`).toBe(expected[field]);
        }
      }
    }
    const int8 = resultCells(r.variants[2]!);
    expect(int8).toMatchObject({ size: '1.30 MB', shrink: '3.8x', fps: '179', p50: '5.60 ms', speedup: '1.4x', top1: '69.6%', agreement: '97.2%', sqnr: '24.3 dB', cosine: '0.9910' });
    expect(resultCells(r.variants[0]!)).toMatchObject({ variant: 'FP32 (original)', size: '4.96 MB', fps: '125', speedup: '1.0x', sqnr: '—' });
  });

  it('draws the charts as inline SVG with the variant colours, and the verdicts, settings and commands', () => {
    const r = buildRunReport(fullRun());
    const html = reportHtml(r);
    expect(html.match(/<svg /g)!.length).toBe(5);
    for (const colour of ['#4f46e5', '#0e7490', '#c2410c']) expect(html).toContain(colour);
    for (const v of r.variants) expect(text(html)).toContain(v.verdict);
    expect(text(html)).toContain("this computer's CPU (WebAssembly, 2 threads)");
    expect(html).toContain('<pre id="cli">');
    expect(text(html)).toContain(r.cli[0]!);
    expect(html).toContain('2026-11-22');
    // An exact layer reads "∞ dB", not the stand-in number.
    expect(html).toContain('∞ dB');
    expect(html).not.toContain('200.0 dB');
    expect(html).toContain('>\u2212∞ dB<'); // the NaN-free stand-in for a layer whose signal vanished
  });

  it('charts the worst layers when there are many', () => {
    const inputs = fullRun();
    const many = Array.from({ length: 100 }, (_, i) => ({ tensor: `t${i}`, producer: 'Conv', localSqnrDb: 30, cumulativeSqnrDb: 10 + i * 0.3, clippedShare: 0 }));
    inputs.int8 = { ...inputs.int8!, outcome: { ...inputs.int8!.outcome, report: { ...inputs.int8!.outcome.report, layers: many } } };
    const html = reportHtml(buildRunReport(inputs));
    const layerSvg = html.slice(html.indexOf('INT8 error per layer'));
    expect(layerSvg.match(/<rect /g)!.length).toBe(MAX_CHART_LAYERS);
    expect(layerSvg).toContain('>t0<');
    expect(layerSvg).toContain(`>t${MAX_CHART_LAYERS - 1}<`);
    expect(layerSvg).not.toContain(`>t${MAX_CHART_LAYERS}<`);
  });

  it('draws no speed charts without a benchmark', () => {
    const inputs = checkOnlyRun();
    inputs.bench = [];
    inputs.int8 = { ...inputs.int8!, outcome: { ...inputs.int8!.outcome, report: { ...inputs.int8!.outcome.report, layers: [] } } };
    const html = reportHtml(buildRunReport(inputs));
    expect(html).not.toContain('Throughput');
    expect(html).toContain('Speed was not measured');
    expect(html.match(/<svg /g)!.length).toBe(2); // size, agreement
  });
});

describe('exports', () => {
  it('writes pretty JSON that parses back to the report', () => {
    const r = buildRunReport(fullRun());
    const json = reportJson(r);
    expect(json).toContain('\n  "schema": "quantbench-report/1"');
    expect(JSON.parse(json)).toEqual(r);
  });

  it('names files after the model and date, with safe characters only', () => {
    expect(reportFileBase(buildRunReport(fullRun()))).toBe('squeezenet1.1-quantbench-2026-11-22');
    const base = reportFileBase(hostile());
    expect(base).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(base).toBe('img-src-x-onerror-alert-1--quantbench-2026-11-22');
  });
});
