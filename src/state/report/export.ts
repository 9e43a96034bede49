// The run report's exports: pretty JSON, CSV and the self-contained HTML page, and the file name they are saved under.
import { reportCsv as csv } from './csv';
import { reportHtml as html } from './html';
import type { RunReport } from './types';

export function reportJson(r: RunReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
export function reportCsv(r: RunReport): string {
  return csv(r);
}
export function reportHtml(r: RunReport): string {
  return html(r);
}
/**
 * "squeezenet1.1-quantbench-2026-11-22": letters, digits, '.', '_' and '-' only (anything else becomes '-'), so the
 * name is safe on every file system and in a download attribute.
 */
export function reportFileBase(r: RunReport): string {
  const raw = `${r.model.fileName.replace(/\.onnx$/i, '')}-quantbench-${r.createdAt.slice(0, 10)}`;
  // Leading dots or dashes would make a hidden file or read as an option on a command line.
  const safe = raw.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '');
  return safe === '' ? 'quantbench-report' : safe;
}
