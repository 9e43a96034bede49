// Inline SVG charts of the HTML report, drawn by hand so the exported page needs no script or library to show them.

/** Escapes text for HTML and SVG content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export interface Bar {
  /** Shown left of the bar (inside a group: the bar's own name, e.g. "gzip"). */
  label: string;
  value: number;
  color: string;
  /** The number printed after the bar, already formatted. */
  text: string;
  /** Drawn lighter (a second series beside the first). */
  light?: boolean;
  /** Latency spread: a tick at p90, the whisker ends at p99 (same unit as value). */
  whisker?: { p90: number; p99: number };
  /** Tooltip (full name when the label is shortened). */
  title?: string;
}

export interface BarGroup {
  /** Group heading above its bars; '' for single bars. */
  label: string;
  bars: Bar[];
}

const WIDTH = 1000;
const LABEL_W = 270;
const TEXT_W = 170;
const BAR_AREA = WIDTH - LABEL_W - TEXT_W - 20;
const BAR_H = 26;
const ROW_H = 36;
const HEADING_H = 30;
const FONT = 20;

/** "a-very-long-tensor-name" -> "a-very-long-ten…": labels must fit their column at a projector-readable size. */
export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Rounds for SVG coordinates: short, and no exponent notation. */
function px(x: number): string {
  return (Math.round(x * 10) / 10).toFixed(1).replace(/\.0$/, '');
}

/**
 * Horizontal bars from zero, grouped, scaled to `max` (default: the largest value or whisker). Values below zero draw
 * nothing; values above `max` fill the width. Empty string when there is nothing to draw.
 */
export function barChart(opts: { title: string; groups: BarGroup[]; max?: number; caption?: string }): string {
  const groups = opts.groups.filter((g) => g.bars.length > 0);
  if (groups.length === 0) return '';
  const ends = groups.flatMap((g) => g.bars.map((b) => Math.max(b.value, b.whisker?.p99 ?? 0))).filter((v) => Number.isFinite(v));
  const max = opts.max ?? Math.max(0, ...ends);
  const scale = (v: number): number => (max > 0 && Number.isFinite(v) ? (Math.min(Math.max(v, 0), max) / max) * BAR_AREA : 0);
  const parts: string[] = [];
  let y = 8;
  for (const g of groups) {
    if (g.label !== '') {
      parts.push(`<text x="0" y="${px(y + FONT)}" font-size="${FONT}" font-weight="700" fill="#111827">${escapeXml(g.label)}</text>`);
      y += HEADING_H;
    }
    for (const b of g.bars) {
      const mid = y + ROW_H / 2;
      const w = scale(b.value);
      const title = b.title !== undefined ? `<title>${escapeXml(b.title)}</title>` : '';
      parts.push(`<g>${title}<text x="${LABEL_W - 12}" y="${px(mid + FONT / 3)}" font-size="${FONT}" text-anchor="end" fill="#374151">${escapeXml(b.label)}</text>`);
      parts.push(`<rect x="${LABEL_W}" y="${px(mid - BAR_H / 2)}" width="${px(w)}" height="${BAR_H}" rx="3" fill="${b.color}"${b.light === true ? ' fill-opacity="0.45"' : ''}/>`);
      let end = LABEL_W + w;
      if (b.whisker !== undefined) {
        const x90 = LABEL_W + scale(b.whisker.p90);
        const x99 = LABEL_W + scale(b.whisker.p99);
        parts.push(`<line x1="${px(LABEL_W + w)}" y1="${px(mid)}" x2="${px(x99)}" y2="${px(mid)}" stroke="#111827" stroke-width="2"/>`);
        parts.push(`<line x1="${px(x90)}" y1="${px(mid - 8)}" x2="${px(x90)}" y2="${px(mid + 8)}" stroke="#111827" stroke-width="2"/>`);
        parts.push(`<line x1="${px(x99)}" y1="${px(mid - 12)}" x2="${px(x99)}" y2="${px(mid + 12)}" stroke="#111827" stroke-width="2"/>`);
        end = Math.max(end, x99);
      }
      parts.push(`<text x="${px(end + 10)}" y="${px(mid + FONT / 3)}" font-size="${FONT}" fill="#111827">${escapeXml(b.text)}</text></g>`);
      y += ROW_H;
    }
    y += 10;
  }
  const height = Math.ceil(y);
  const caption = opts.caption !== undefined ? `<figcaption>${escapeXml(opts.caption)}</figcaption>` : '';
  return (
    `<figure class="chart"><h3>${escapeXml(opts.title)}</h3>${caption}` +
    `<svg viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="${escapeXml(opts.title)}" font-family="system-ui, sans-serif">${parts.join('')}</svg></figure>`
  );
}
