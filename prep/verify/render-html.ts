// The verify report as one self-contained HTML page: the verdict, hit-share bars per
// derivative and PoP, and the keys x derivatives x PoPs matrix coloured by cache status.
import type { Coverage, HitShare } from './coverage.js';
import type { VerifyReport } from './verify-report.js';
import { escapeHtml as esc } from '../../common/escape-html.js';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

const COLOURS: Record<string, string> = {
  hit: '#2e9e44', revalidated: '#62b874', stale: '#9bc53d', miss: '#e0a100', expired: '#e07b00', bypass: '#b0b0b0',
  dynamic: '#8c8c8c', unknown: '#c9c9c9', failed: '#d32f2f', 'not warmed': '#7b1fa2',
};
const colour = (s: string) => COLOURS[s] ?? '#c9c9c9';

function bars(title: string, groups: Record<string, HitShare>): string {
  const rows = Object.entries(groups);
  if (rows.length === 0) return '';
  const width = 320;
  const body = rows
    .map(([k, h]) => {
      let x = 0;
      const segs = Object.entries(h.statuses)
        .map(([s, n]) => {
          const w = h.total > 0 ? (n / h.total) * width : 0;
          const r = `<rect x="${x.toFixed(1)}" y="0" width="${w.toFixed(1)}" height="14" fill="${colour(s)}"><title>${esc(s)}: ${n}</title></rect>`;
          x += w;
          return r;
        })
        .join('');
      return `<tr><td>${esc(k)}</td><td><svg width="${width}" height="14" role="img" aria-label="${esc(k)} ${pct(h.ratio)} hit">${segs}</svg></td><td class="n">${pct(h.ratio)}</td><td class="n">${h.hits}/${h.total}</td></tr>`;
    })
    .join('\n');
  return `<h2>By ${esc(title)}</h2>\n<table><tr><th>${esc(title)}</th><th>cache statuses</th><th>hit share</th><th>HIT/URLs</th></tr>\n${body}\n</table>`;
}

function matrix(c: Coverage): string {
  const m = c.matrix;
  if (m.keys.length === 0) return '';
  const head = `<tr><th>key</th>${m.derivatives.map((d) => `<th>${esc(d)}</th>`).join('')}</tr>`;
  const rows = m.keys
    .map((k) => {
      const cells = m.derivatives
        .map((d) => {
          const cell = m.cells[k]?.[d];
          if (!cell) return '<td></td>';
          const dots = m.pops
            .filter((p) => cell[p] !== undefined)
            .map((p) => `<span class="dot" style="background:${colour(cell[p])}" title="${esc(`${k} ${d} @ ${p}: ${cell[p]}`)}"></span>`)
            .join('');
          return `<td>${dots}</td>`;
        })
        .join('');
      return `<tr><td class="key">${esc(k)}</td>${cells}</tr>`;
    })
    .join('\n');
  const note = m.truncated ? `<p class="note">Showing ${m.keys.length} keys (those with a URL not HIT first) and at most ${m.derivatives.length} derivatives; the JSON and Markdown reports count every URL.</p>` : '';
  return `<h2>Keys × derivatives × PoPs</h2>\n<p>One square per PoP (${m.pops.map(esc).join(', ')}) in each cell, coloured by the cache status it answered.</p>${note}\n<div class="scroll"><table class="matrix">${head}\n${rows}</table></div>`;
}

export function renderVerifyHtml(r: VerifyReport): string {
  const c = r.coverage;
  const legend = Object.entries(COLOURS).map(([s, col]) => `<span class="dot" style="background:${col}"></span> ${esc(s)}`).join(' &nbsp; ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cache coverage: ${pct(c.overall.ratio)} HIT</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{padding:3px 8px;border-bottom:1px solid #eee;text-align:left}
.n{text-align:right;font-variant-numeric:tabular-nums}.verdict{font-size:1.3em;font-weight:600}
.pass{color:#2e7d32}.fail{color:#c62828}.dot{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 1px;vertical-align:middle}
.matrix td,.matrix th{border:1px solid #eee;padding:2px 4px}.key{max-width:28em;overflow-wrap:anywhere}.scroll{overflow:auto}.note{color:#666}
</style></head><body>
<h1>Cache coverage (verify)</h1>
<p class="verdict ${r.passed ? 'pass' : 'fail'}">${r.passed ? 'PASSED' : 'FAILED'}: ${c.overall.hits} of ${c.overall.total} URLs are cache HITs (${pct(c.overall.ratio)}; minimum ${pct(r.minHitRatio)})</p>
<p>Results file <code>${esc(r.resultsFile)}</code>, base URL <code>${esc(r.baseUrl)}</code>, ${r.method === 'range' ? 'GET bytes=0-0' : 'HEAD'} requests, generated ${esc(r.generatedAt)}. ${c.keys} keys, ${c.keysNotHit} with a URL not HIT.</p>
<p>${legend}</p>
${bars('derivative', c.byDerivative)}
${bars('PoP', c.byPop)}
${bars('edge', c.byEdge)}
${bars('size category', c.bySizeCategory)}
${bars('cache-key variant', c.byCacheVariant)}
${matrix(c)}
</body></html>
`;
}
