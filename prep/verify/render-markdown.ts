// The verify report in Markdown: the verdict, hit shares per group, the URLs not HIT.
import type { Coverage, HitShare } from './coverage.js';
import type { VerifyReport } from './verify-report.js';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function statuses(h: HitShare): string {
  return Object.entries(h.statuses).map(([k, v]) => `${k} ${v}`).join(', ');
}

function table(title: string, groups: Record<string, HitShare>): string[] {
  const rows = Object.entries(groups);
  if (rows.length === 0) return [];
  return [
    `## By ${title}`,
    '',
    `| ${title} | URLs | HIT | hit share | cache statuses |`,
    '|---|---:|---:|---:|---|',
    ...rows.map(([k, h]) => `| ${esc(k)} | ${h.total} | ${h.hits} | ${pct(h.ratio)} | ${esc(statuses(h))} |`),
    '',
  ];
}

export function renderVerifyMarkdown(r: VerifyReport): string {
  const c: Coverage = r.coverage;
  const lines = [
    '# Cache coverage (verify)',
    '',
    `Results file \`${r.resultsFile}\`, base URL \`${r.baseUrl}\`, ${r.method === 'range' ? 'GET with Range: bytes=0-0' : 'HEAD'} requests, generated ${r.generatedAt}.`,
    '',
    `**${r.passed ? 'PASSED' : 'FAILED'}**: ${c.overall.hits} of ${c.overall.total} URLs are cache HITs (${pct(c.overall.ratio)}; --min-hit-ratio ${pct(r.minHitRatio)}).`,
    '',
    '| measure | value |',
    '|---|---|',
    `| URLs | ${c.overall.total} (${r.requested} re-requested, ${r.notWarmed} not warmed by prewarm) |`,
    `| cache HITs | ${c.overall.hits} (${pct(c.overall.ratio)}) |`,
    `| cache statuses | ${esc(statuses(c.overall))} |`,
    `| keys | ${c.keys}, ${c.keysNotHit} with a URL not HIT |`,
    `| duration | ${r.durationSeconds.toFixed(1)} s |`,
    '',
    ...table('derivative', c.byDerivative),
    ...table('PoP', c.byPop),
    ...table('edge', c.byEdge),
    ...table('size category', c.bySizeCategory),
    ...table('cache-key variant', c.byCacheVariant),
  ];
  lines.push('## URLs not HIT', '');
  if (c.notHitTotal === 0) lines.push('None: every URL is a cache HIT.', '');
  else {
    lines.push('| key | derivative | edge | PoP | variant | status | detail |', '|---|---|---|---|---|---|---|');
    for (const n of c.notHit) lines.push(`| ${esc(n.key)} | ${esc(n.derivative)} | ${n.edge ?? ''} | ${esc(n.pop ?? '')} | ${esc(n.cacheVariant ?? '')} | ${n.status} | ${esc(n.detail ?? '')} |`);
    if (c.notHitTotal > c.notHit.length) lines.push('', `(${c.notHitTotal - c.notHit.length} more in ${r.logFile})`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
