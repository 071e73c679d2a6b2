// Horizontal bar charts as inline SVG: no script, no font or style from the
// network, so the HTML report opens anywhere, offline.
import { escapeHtml } from '../escape-html.js';

export interface Bar {
  value: number;
  color: string;
  /** Text at the end of the bar. */
  text: string;
}

export interface BarRow {
  label: string;
  bars: Bar[];
}

export interface Legend {
  color: string;
  label: string;
}

/** The one escape for markup (common/escape-html.ts), under the name this module's users know. */
export const esc = escapeHtml;

/**
 * One chart: a group of bars per row (e.g. p50/p90/p95/p99 per derivative),
 * scaled to `max` (default: the largest value), with a legend.
 */
export function barChart(title: string, rows: BarRow[], legend: Legend[] = [], max?: number): string {
  const width = 720;
  const labelW = 150;
  const textW = 80;
  const barH = 14;
  const gap = 3;
  const rowGap = 12;
  const top = 30 + (legend.length > 0 ? 20 : 0);
  const top0 = top;
  const biggest = max ?? Math.max(0, ...rows.flatMap((r) => r.bars.map((b) => b.value)).filter((v) => Number.isFinite(v)));
  const scale = biggest > 0 ? (width - labelW - textW - 10) / biggest : 0;
  const parts: string[] = [];
  let y = top0;
  for (const r of rows) {
    const h = r.bars.length * (barH + gap) - gap;
    parts.push(`<text x="${labelW - 8}" y="${y + h / 2 + 4}" text-anchor="end" class="l">${esc(r.label)}</text>`);
    for (const b of r.bars) {
      const w = Number.isFinite(b.value) && b.value > 0 ? Math.max(1, b.value * scale) : 0;
      parts.push(`<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${b.color}"><title>${esc(b.text)}</title></rect>`);
      parts.push(`<text x="${(labelW + w + 4).toFixed(1)}" y="${y + barH - 3}" class="v">${esc(b.text)}</text>`);
      y += barH + gap;
    }
    y += rowGap - gap;
  }
  const height = Math.max(y + 6, top0 + 20);
  const leg = legend
    .map((l, i) => `<rect x="${labelW + i * 110}" y="26" width="12" height="12" fill="${l.color}"/><text x="${labelW + i * 110 + 16}" y="36" class="v">${esc(l.label)}</text>`)
    .join('');
  const empty = rows.length === 0 ? `<text x="${labelW}" y="${top0 + 14}" class="v">no data</text>` : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${esc(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><text x="0" y="16" class="t">${esc(title)}</text>${leg}<line x1="${labelW}" y1="${top0 - 4}" x2="${labelW}" y2="${height - 4}" stroke="#999"/>${parts.join('')}${empty}</svg>`;
}
