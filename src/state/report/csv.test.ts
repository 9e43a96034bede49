// reportCsv: RFC 4180 quoting, the header, raw numbers and empty cells for what was not measured.
import { describe, expect, it } from 'vitest';
import { buildRunReport } from './build';
import { CSV_HEADER, csvField, reportCsv } from './csv';
import { checkOnlyRun, fakeCard, fullRun } from './report-fixtures';

/** A minimal RFC 4180 reader (quoted fields, doubled quotes, CRLF), to read back what reportCsv wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = (): void => {
    row.push(field);
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') endField();
    else if (c === '\r' && text[i + 1] === '\n') {
      endField();
      rows.push(row);
      row = [];
      i++;
    } else field += c;
  }
  return rows;
}

describe('reportCsv', () => {
  it('writes the header and one row per variant with raw numbers', () => {
    const csv = reportCsv(buildRunReport(fullRun()));
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual([...CSV_HEADER]);
    expect(rows[0]!.join(',')).toBe('variant,file,size_bytes,gzip_bytes,shrink_x,fps,p50_ms,p90_ms,p99_ms,mean_ms,cold_start_ms,speedup_x,top1,top5,agreement,sqnr_db,cosine,quality_samples,quality_source,verdict');
    expect(rows.map((r) => r[0])).toEqual(['variant', 'fp32', 'fp16', 'int8']);
    const int8 = Object.fromEntries(CSV_HEADER.map((h, i) => [h, rows[3]![i]!]));
    expect(Number(int8.size_bytes)).toBe(1_301_844);
    expect(Number(int8.shrink_x)).toBeCloseTo(3.8063, 3);
    expect(Number(int8.speedup_x)).toBeCloseTo(8 / 5.6, 9);
    expect(Number(int8.fps)).toBeCloseTo(1000 / 5.6, 9);
    expect(Number(int8.cold_start_ms)).toBeCloseTo(53.75, 9);
    expect(Number(int8.top1)).toBeCloseTo(0.696, 9);
    expect(int8.quality_source).toBe('dataset');
    expect(int8.verdict).toContain('INT8: 3.8x smaller, 1.4x faster');
    const fp32 = Object.fromEntries(CSV_HEADER.map((h, i) => [h, rows[1]![i]!]));
    expect(fp32.sqnr_db).toBe('');
  });

  it('quotes a file name with a comma and a quote, and round-trips it', () => {
    const inputs = fullRun();
    inputs.card = fakeCard('resnet "v2", final.onnx');
    const csv = reportCsv(buildRunReport(inputs));
    expect(csv).toContain('"resnet ""v2"", final.onnx"');
    expect(parseCsv(csv)[1]![1]).toBe('resnet "v2", final.onnx');
    expect(parseCsv(csv).every((r) => r.length === CSV_HEADER.length)).toBe(true);
  });

  it('leaves cells empty for what was not measured', () => {
    const inputs = checkOnlyRun();
    inputs.bench = [];
    const rows = parseCsv(reportCsv(buildRunReport(inputs)));
    const fp32 = Object.fromEntries(CSV_HEADER.map((h, i) => [h, rows[1]![i]!]));
    expect(fp32.fps).toBe('');
    expect(fp32.gzip_bytes).toBe('');
    expect(fp32.speedup_x).toBe('');
    expect(fp32.quality_source).toBe('');
    expect(fp32.shrink_x).toBe('1');
  });

  it('quotes line breaks and never prints Infinity', () => {
    expect(csvField('a\nb')).toBe('"a\nb"');
    expect(csvField(Infinity)).toBe('');
    expect(csvField(NaN)).toBe('');
    expect(csvField(0.5)).toBe('0.5');
    expect(csvField(null)).toBe('');
  });
});
