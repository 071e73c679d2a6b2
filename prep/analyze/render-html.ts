// The size report as one self-contained HTML page: inline CSS and inline SVG
// charts (histogram and size categories), no scripts, no external fonts or files.
import { formatBytes } from '../../common/byte-size.js';
import type { SizeReport } from './size-report.js';
import { histogramLabel, num, pct, sizeWithBytes } from './render-text.js';
import { escapeHtml as esc } from '../../common/escape-html.js';


function histogramSvg(r: SizeReport): string {
  const rows = r.histogram;
  if (rows.length === 0) return '<p>No files.</p>';
  const w = 760;
  const h = 260;
  const left = 50;
  const right = 60; // room for the last rotated tick label
  const bottom = 70;
  const plotW = w - left - right;
  const plotH = h - bottom - 20;
  const most = Math.max(...rows.map((x) => x.count), 1);
  const bw = plotW / rows.length;
  const bars = rows
    .map((x, i) => {
      const bh = (x.count / most) * plotH;
      const bx = left + i * bw;
      const by = 20 + plotH - bh;
      const label = x.fromBytes === 0 ? '0 B' : formatBytes(x.fromBytes);
      return (
        `<rect class="bar" x="${(bx + 1).toFixed(1)}" y="${by.toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${bh.toFixed(1)}"><title>${esc(histogramLabel(x))}: ${num(x.count)} files, ${esc(formatBytes(x.bytes))}</title></rect>` +
        (x.count > 0 ? `<text x="${(bx + bw / 2).toFixed(1)}" y="${(by - 4).toFixed(1)}" class="val">${num(x.count)}</text>` : '') +
        `<text transform="translate(${(bx + bw / 2).toFixed(1)},${20 + plotH + 10}) rotate(45)" class="tick">${esc(label)}</text>`
      );
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="Files per power-of-two size bucket">` +
    `<line x1="${left}" y1="${20 + plotH}" x2="${left + plotW}" y2="${20 + plotH}" class="axis"/>` +
    `<line x1="${left}" y1="20" x2="${left}" y2="${20 + plotH}" class="axis"/>` +
    `<text x="${left - 6}" y="26" class="ylab">${num(most)}</text><text x="${left - 6}" y="${20 + plotH}" class="ylab">0</text>` +
    bars +
    '</svg>'
  );
}

function categorySvg(r: SizeReport): string {
  const w = 760;
  const rowH = 34;
  const h = r.categories.length * rowH * 2 + 30;
  const left = 250;
  const plotW = w - left - 140;
  const colors: Record<string, string> = { small: '#4e9a06', medium: '#c4a000', large: '#cc0000' };
  let y = 10;
  const parts: string[] = [];
  for (const [what, key] of [['files', 'countShare'], ['bytes', 'bytesShare']] as const) {
    for (const c of r.categories) {
      const v = c[key];
      parts.push(
        `<text x="${left - 8}" y="${y + 20}" class="rlab">${esc(`${c.category} (${c.range}), ${what}`)}</text>` +
          `<rect x="${left}" y="${y + 6}" width="${plotW}" height="20" class="track"/>` +
          `<rect x="${left}" y="${y + 6}" width="${(v * plotW).toFixed(1)}" height="20" fill="${colors[c.category]}"><title>${esc(c.category)}: ${num(c.count)} files, ${esc(formatBytes(c.bytes))}</title></rect>` +
          `<text x="${left + plotW + 8}" y="${y + 20}" class="pct">${pct(v)} (${what === 'files' ? num(c.count) : esc(formatBytes(c.bytes))})</text>`,
      );
      y += rowH;
    }
    y += 10;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="Share of files and bytes per size category">${parts.join('')}</svg>`;
}

function table(head: string[], rows: string[][], numeric: boolean[] = []): string {
  const th = head.map((x, i) => `<th${numeric[i] ? ' class="n"' : ''}>${esc(x)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((x, i) => `<td${numeric[i] ? ' class="n"' : ''}>${esc(x)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

export function renderHtml(r: SizeReport): string {
  const stats: string[][] = [
    ['Files', num(r.count)],
    ['Total size', sizeWithBytes(r.totalBytes)],
  ];
  if (r.stats) {
    stats.push(
      ['Smallest', sizeWithBytes(r.stats.min)],
      ['Largest', sizeWithBytes(r.stats.max)],
      ['Mean', sizeWithBytes(r.stats.mean)],
      ['Median', sizeWithBytes(r.stats.median)],
      ['p90', sizeWithBytes(r.stats.p90)],
      ['p99', sizeWithBytes(r.stats.p99)],
    );
  }
  const a = r.aboveThreshold;
  const body = [
    `<h1>File size report</h1>`,
    `<p class="meta">${r.source ? `Source: <code>${esc(r.source)}</code> · ` : ''}Generated ${esc(r.generatedAt)}</p>`,
    `<h2>Summary</h2>`,
    table(['Measure', 'Value'], stats, [false, true]),
    `<p class="note">${r.count === 0 ? 'The listing is empty: no files matched.' : `Quantiles: ${esc(r.quantiles.definition)}.`}</p>`,
    `<h2>Size histogram (power-of-two buckets)</h2>`,
    histogramSvg(r),
    `<h2>Size categories</h2>`,
    categorySvg(r),
    table(
      ['Category', 'Range', 'Files', 'Share of files', 'Size', 'Share of bytes'],
      r.categories.map((c) => [c.category, c.range, num(c.count), pct(c.countShare), formatBytes(c.bytes), pct(c.bytesShare)]),
      [false, false, true, true, true, true],
    ),
    `<h2>By extension</h2>`,
    table(['Extension', 'Files', 'Size', 'Share of bytes'], r.extensions.map((e) => [e.extension || '(none)', num(e.count), formatBytes(e.bytes), pct(e.bytesShare)]), [false, true, true, true]),
    `<h2>${r.largest.length} largest files</h2>`,
    table(['#', 'Key', 'Size', 'Share of bytes', 'Last modified'], r.largest.map((f, i) => [String(i + 1), f.key, sizeWithBytes(f.size), pct(f.share), f.lastModified || '-']), [true, false, true, true, false]),
    `<h2>Files above ${esc(String(r.thresholds.sizeThresholdMiB))} MiB</h2>`,
    `<p>${num(a.count)} file(s) above ${esc(sizeWithBytes(a.thresholdBytes))} hold ${esc(sizeWithBytes(a.bytes))}, <strong>${pct(a.bytesShare)}</strong> of all bytes.${a.files.length < a.count ? ` The ${a.files.length} largest:` : ''}</p>`,
    a.files.length > 0 ? table(['Key', 'Size', 'Share of bytes'], a.files.map((f) => [f.key, sizeWithBytes(f.size), pct(f.share)]), [false, true, true]) : '',
    `<h2>Estimated savings if re-encoded</h2>`,
    `<p>Basis: ${esc(r.savings.basis)}, ${esc(sizeWithBytes(r.savings.bytes))}.</p>`,
    table(
      ['Codec', 'Assumed size vs H.264', 'Range', 'Estimated size after', 'Estimated savings', 'Savings range'],
      r.savings.estimates.map((e) => [e.label, pct(e.assumedRelativeSize), `${pct(e.relativeSizeLow)} to ${pct(e.relativeSizeHigh)}`, formatBytes(e.estimatedSizeAfterBytes), formatBytes(e.estimatedSavingsBytes), `${formatBytes(e.savingsLowBytes)} to ${formatBytes(e.savingsHighBytes)}`]),
      [false, true, false, true, true, false],
    ),
    `<p class="note">Assumptions: ${esc(r.savings.note)}</p>`,
  ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>File size report</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
table { border-collapse: collapse; margin: .5rem 0; } th, td { padding: .25rem .6rem; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; } td { overflow-wrap: anywhere; }
.meta, .note { color: #555; font-size: .9rem; } code { background: #f4f4f4; padding: 0 .2rem; }
svg { max-width: 100%; height: auto; display: block; margin: .5rem 0; font-family: inherit; }
svg .bar { fill: #3465a4; } svg .axis { stroke: #888; } svg .track { fill: #eee; }
svg .tick { font-size: 11px; fill: #444; } svg .val { font-size: 10px; fill: #222; text-anchor: middle; }
svg .ylab, svg .rlab { font-size: 11px; fill: #444; text-anchor: end; } svg .pct { font-size: 12px; fill: #222; }
</style>
</head>
<body>
${body}
</body>
</html>
`;
}
