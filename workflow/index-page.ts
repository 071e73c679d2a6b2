// index.md and index.html in --output-dir: every report linked, headline figures first.
// Self-contained (inline style, relative links), so the folder can be zipped or served as is.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../lib/atomic-write.js';
import { formatBytes } from '../common/byte-size.js';
import { redactUrl } from '../common/redact.js';
import { STAGES, type StageName, type WorkflowOptions } from './options.js';
import { planStage } from './stages.js';
import { FILES } from './files.js';
import { statusText, type WorkflowState } from './state.js';
import { readHeadlines, type Headlines } from './headlines.js';
import { baselineListing } from './changes.js';
import { escapeHtml as esc } from '../common/escape-html.js';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** [label, text] rows of the headline table. */
export function headlineRows(h: Headlines): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  const push = rows.push.bind(rows);
  const earlier = (k: keyof NonNullable<Headlines['earlier']>) => (h.earlier?.[k] ? ' (from an earlier run: the stage did not run this time)' : '');
  if (h.objects) push(['Objects', `${h.objects.count} objects, ${formatBytes(h.objects.bytes)}${earlier('objects')}`]);
  if (h.changes !== undefined) {
    const c = h.changes;
    if (!c) push(['Changes', h.baseline ? 'nothing changed since the previous listing; optimize replaced nothing' : 'no previous listing to compare with (the first run in this folder); optimize replaced nothing']);
    else {
      const since = c.baseline ? `${plural(c.new, 'new key')}, ${c.changed} changed, ${c.deleted} deleted since the previous listing` : 'no previous listing to compare with';
      push(['Changes', `${since}; ${plural(c.replaced, 'source')} replaced by optimize; ${c.toPurge} to purge, ${c.toWarm} to warm again`]);
    }
  }
  if (h.purge) {
    const p = h.purge;
    const what = `${p.items} ${p.itemLabel ?? 'item'}(s)${p.keys ? ` for ${plural(p.keys, 'key')}` : ''}${p.wildcards ? ` (${p.wildcards} wildcards)` : ''}`;
    const nc = p.notCached ? `, ${p.notCached} not cached` : '';
    push(['Purge', `${p.dryRun ? 'dry run: ' : ''}${what} via ${p.provider} in ${plural(p.calls, 'call')}: ${p.purged} purged${nc}, ${p.failed} failed${earlier('purge')}`]);
  }
  if (h.prewarm) {
    const mix = Object.entries(h.prewarm.cacheStatus)
      .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
      .map(([s, n]) => `${s} ${n}`)
      .join(', ');
    push(['Pre-warming', `${pct(h.prewarm.successRate)} of ${h.prewarm.requests} requests succeeded (${h.prewarm.ok} ok)${earlier('prewarm')}`]);
    rows.push(['Cache status', mix || 'no requests']);
  }
  if (h.coverage) {
    push(['Coverage after warming', `${pct(h.coverage.hitRatio)} HIT (${h.coverage.hits} of ${h.coverage.total} re-requested)${earlier('verify')}`]);
  }
  if (h.errors) {
    const excl = h.errors.excludedKeys !== undefined ? `; ${plural(h.errors.excludedKeys, 'key')} in the exclusion list` : '';
    push(['Errors', `${plural(h.errors.failedRequests, 'failed request')} on ${plural(h.errors.failedKeys, 'key')}${excl}${earlier('errors')}`]);
  }
  if (h.loadtest) {
    const verdict = h.loadtest.verdict === 'passed' ? 'thresholds passed' : h.loadtest.verdict === 'breached' ? 'thresholds BREACHED' : 'verdict unknown';
    const p95 = h.loadtest.p95Ms !== undefined ? `, p95 ${h.loadtest.p95Ms.toFixed(1)} ms` : '';
    const reqs = h.loadtest.requests !== undefined ? `, ${h.loadtest.requests} requests` : '';
    const failed = h.loadtest.failedThresholds.length ? ` (${h.loadtest.failedThresholds.join('; ')})` : '';
    const hits = h.loadtest.cacheHitRate !== undefined ? `, cache hits ${pct(h.loadtest.cacheHitRate)}` : '';
    push(['Load test (k6)', `${verdict}${p95}${reqs}${hits}${failed}${earlier('loadtest')}`]);
  }
  if (h.optimize) {
    const o = h.optimize;
    const parts: string[] = [];
    if (o.savedBytes !== undefined) parts.push(`saved ${formatBytes(o.savedBytes)}${o.savedPercent !== undefined ? ` (${o.savedPercent.toFixed(1)}%)` : ''}`);
    if (o.bytesBefore !== undefined && o.bytesAfter !== undefined) parts.push(`${formatBytes(o.bytesBefore)} -> ${formatBytes(o.bytesAfter)}`);
    if (o.optimized !== undefined) parts.push(`${plural(o.optimized, 'file')} optimized`);
    if (o.candidates !== undefined) parts.push(plural(o.candidates, 'candidate'));
    push(['Optimization', `${parts.join(', ') || 'see the report'}${earlier('optimize')}`]);
  }
  return rows;
}

interface StageRow {
  name: StageName;
  status: string;
  duration: string;
  links: Array<{ label: string; file: string }>;
}

function stageRows(o: WorkflowOptions, state: WorkflowState): StageRow[] {
  return STAGES.map((name) => {
    const s = state.stages[name];
    const plan = planStage(name, o, existsSync);
    const links = plan.reports.filter((r) => existsSync(join(o.outputDir, r.file)));
    if (s.log && existsSync(join(o.outputDir, s.log))) links.push({ label: 'log', file: s.log });
    return { name, status: statusText(s), duration: s.durationMs !== undefined ? `${(s.durationMs / 1000).toFixed(1)} s` : '', links };
  });
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const mdLink = (l: { label: string; file: string }) => `[${l.label}](${encodeURI(l.file)})`;

export function renderMarkdown(o: WorkflowOptions, state: WorkflowState, h: Headlines): string {
  const target = `${o.remote}:${o.bucket}${o.directory ? `/${o.directory}` : ''}`;
  const lines = [
    `# media-toolkit workflow: ${target}`,
    '',
    `Base URL ${o.baseUrl ? redactUrl(o.baseUrl) : '(none)'}; started ${state.startedAt}, updated ${state.updatedAt}.`,
    '',
    '## Headline figures',
    '',
  ];
  const rows = headlineRows(h);
  if (rows.length) lines.push('| | |', '|---|---|', ...rows.map(([k, v]) => `| ${mdCell(k)} | ${mdCell(v)} |`));
  else lines.push('No stage has written results yet.');
  lines.push('', '## Stages', '', '| stage | status | time | reports |', '|---|---|---|---|');
  for (const r of stageRows(o, state)) lines.push(`| ${r.name} | ${mdCell(r.status)} | ${r.duration} | ${r.links.map(mdLink).join(', ')} |`);
  lines.push('', `Progress is saved in [${FILES.state}](${FILES.state}); \`media-toolkit workflow --resume\` continues after the last finished stage.`, '');
  return lines.join('\n');
}


export function renderHtml(o: WorkflowOptions, state: WorkflowState, h: Headlines): string {
  const target = `${o.remote}:${o.bucket}${o.directory ? `/${o.directory}` : ''}`;
  const rows = headlineRows(h);
  const stage = stageRows(o, state)
    .map((r) => {
      const cls = r.status.startsWith('done') ? 'ok' : r.status.startsWith('failed') ? 'bad' : 'muted';
      const links = r.links.map((l) => `<a href="${esc(encodeURI(l.file))}">${esc(l.label)}</a>`).join(' · ');
      return `<tr><td>${esc(r.name)}</td><td class="${cls}">${esc(r.status)}</td><td>${esc(r.duration)}</td><td>${links}</td></tr>`;
    })
    .join('\n');
  const figures = rows.length
    ? `<table class="figures">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`
    : '<p>No stage has written results yet.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>media-toolkit workflow: ${esc(target)}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #ddd;vertical-align:top}
.figures th{width:12rem;color:#555;font-weight:600}.ok{color:#176117}.bad{color:#a11}.muted{color:#777}
code{background:#f3f3f3;padding:0 .2rem}
</style></head><body>
<h1>media-toolkit workflow: ${esc(target)}</h1>
<p>Base URL ${esc(o.baseUrl ? redactUrl(o.baseUrl) : '(none)')}; started ${esc(state.startedAt)}, updated ${esc(state.updatedAt)}.</p>
<h2>Headline figures</h2>
${figures}
<h2>Stages</h2>
<table><tr><th>stage</th><th>status</th><th>time</th><th>reports</th></tr>
${stage}
</table>
<p>Progress is saved in <a href="${FILES.state}">${FILES.state}</a>; <code>media-toolkit workflow --resume</code> continues after the last finished stage.</p>
</body></html>
`;
}

export async function writeIndex(o: WorkflowOptions, state: WorkflowState): Promise<{ md: string; html: string; headlines: Headlines }> {
  const ran = (s: StageName) => state.stages[s].status === 'done' || state.stages[s].status === 'failed';
  const h = await readHeadlines(o.outputDir, ran('loadtest') ? state.stages.loadtest.exitCode : undefined);
  h.earlier = { objects: !ran('analysis'), prewarm: !ran('prewarm'), errors: !ran('prewarm'), loadtest: !ran('loadtest'), optimize: !ran('optimize'), purge: !ran('purge'), verify: !ran('verify') };
  // Changes are this run's own: undefined when no stage needed them, null when nothing changed.
  h.changes = state.stages.purge.status === 'pending' && state.stages.prewarm.status === 'pending' ? undefined : (state.changes ?? null);
  h.baseline = baselineListing(o.outputDir, o.previousListing, existsSync);
  // A purge report of an earlier run says nothing about this one.
  if (!ran('purge')) h.purge = undefined;
  const md = join(o.outputDir, FILES.indexMd);
  const html = join(o.outputDir, FILES.indexHtml);
  await writeFileAtomic(md, renderMarkdown(o, state, h));
  await writeFileAtomic(html, renderHtml(o, state, h));
  return { md, html, headlines: h };
}
