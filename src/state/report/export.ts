// TEMPORARY signatures (helper replaces): the report as JSON, CSV and a self-contained HTML page, and file names.
import type { RunReport } from './types';

export function reportJson(r: RunReport): string {
  return JSON.stringify(r, null, 2);
}
export function reportCsv(r: RunReport): string {
  return r.variants.map((v) => v.id).join('\n');
}
export function reportHtml(r: RunReport): string {
  return `<!doctype html><title>${r.model.fileName}</title>`;
}
/** "squeezenet1.1-quantbench-2026-11-22" */
export function reportFileBase(r: RunReport): string {
  return `${r.model.fileName.replace(/\.onnx$/i, '')}-quantbench-${r.createdAt.slice(0, 10)}`;
}
