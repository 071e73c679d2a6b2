// The self-contained HTML report (SUMMARY_HTML): verdict, thresholds, the
// baseline comparison and inline SVG charts (request-duration percentiles and
// cache-hit share per derivative, startup time and rebuffer ratio per
// derivative, status mix). No script and nothing fetched: it opens offline.
import { formatBytes } from '../byte-size.js';
import { actualText, ms, pct, ratio } from './format.js';
import type { LoadtestSummary } from './summary.js';
import { regressionCount } from './baseline.js';
import { barChart, esc, type BarRow } from './svg-chart.js';

/** Chart colours (the tests look for them in a screenshot). */
export const COLORS = {
  pass: '#1e7d32',
  fail: '#b3261e',
  med: '#4e79a7',
  p90: '#59a14f',
  p95: '#f28e2b',
  p99: '#e15759',
  cacheHit: '#76b7b2',
  rebuffer: '#b07aa1',
  status2xx: '#59a14f',
  status3xx: '#4e79a7',
  status4xx: '#f28e2b',
  status5xx: '#e15759',
  status0: '#9c9c9c',
} as const;

function statusColor(code: string): string {
  if (code.startsWith('2')) return COLORS.status2xx;
  if (code.startsWith('3')) return COLORS.status3xx;
  if (code.startsWith('4')) return COLORS.status4xx;
  if (code.startsWith('5')) return COLORS.status5xx;
  return COLORS.status0;
}

function table(head: string[], rows: string[][], cls = ''): string {
  return `<table${cls ? ` class="${cls}"` : ''}><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r.join('')}</tr>`).join('')}</table>`;
}

const td = (s: string, cls = '') => `<td${cls ? ` class="${cls}"` : ''}>${esc(s)}</td>`;

export function htmlSummary(s: LoadtestSummary): string {
  const verdict = s.passed ? 'passed' : 'failed: thresholds crossed';
  const sections: string[] = [];
  const scope = s.runner
    ? `<p class="note">Runner ${s.runner.index} of ${s.runner.count} (execution segment ${esc(s.runner.segment)}): its own share of the load only. <code>media-toolkit loadtest merge</code> joins the runners.</p>`
    : s.merged
      ? `<p class="note">Merged from ${s.merged.runners} runner summaries. ${esc(s.merged.note)}</p>`
      : '';
  const figures: Array<[string, string]> = [
    ['duration', `${s.durationSeconds.toFixed(1)} s, ${s.iterations} iterations, up to ${s.vusMax} VUs`],
    ['requests', `${s.requests} (${s.requestRate.toFixed(1)}/s), failed ${pct(s.failedRate)}`],
    ['request duration', `med ${ms(s.durationMs.med)}, p(95) ${ms(s.durationMs['p(95)'])}, max ${ms(s.durationMs.max)}`],
    ['TTFB p(95)', ms(s.ttfbMs['p(95)'])],
    ['cache hits', pct(s.cacheHitRate)],
    ['ranges correct', pct(s.rangeCorrectRate)],
    ['bytes', formatBytes(s.bytes, 2)],
    ['checks', `${s.checks.passes} passed, ${s.checks.fails} failed`],
  ];
  const v = s.video;
  if (v) {
    figures.push(
      ['player sessions', `${v.sessions} (duration from: ${Object.entries(v.durationSources).map(([k, n]) => `${k} ${n}`).join(', ') || '-'})`],
      ['startup time', `med ${ms(v.startupMs.med)}, p(95) ${ms(v.startupMs['p(95)'])}`],
      ['stalls', `${v.stalls} (stall time p(95) ${ms(v.stallTimeMs['p(95)'])})`],
      ['rebuffer ratio', `mean ${ratio(v.rebufferRatio.avg)}, max ${ratio(v.rebufferRatio.max)}`],
      ['download ratio', `med ${ratio(v.downloadRatio.med)}, p(95) ${ratio(v.downloadRatio['p(95)'])} (above 1: slower than playback)`],
      ['abandoned', pct(v.abandonedRate)],
      ['moov at the end', pct(v.moovAtEndRate)],
    );
    if (v.bitrateSwitches && v.selectedBitrate) {
      figures.push(
        ['selected bitrate', `avg ${Math.round((v.selectedBitrate.avg ?? 0) / 1000)} kbit/s, min ${Math.round((v.selectedBitrate.min ?? 0) / 1000)}, max ${Math.round((v.selectedBitrate.max ?? 0) / 1000)}`],
        ['rendition switches', `${v.bitrateSwitches.total} (down ${v.bitrateSwitches.down}, up ${v.bitrateSwitches.up})`],
      );
    }
  }
  sections.push(`<h2>Figures</h2>${table(['figure', 'value'], figures.map(([k, val]) => [td(k), td(val)]), 'figures')}`);

  const user = s.thresholds.filter((t) => !t.baseline);
  sections.push(
    `<h2>Thresholds</h2>${
      user.length
        ? table(['metric', 'threshold', 'actual', 'result'], user.map((t) => [td(t.metric), `<td><code>${esc(t.expression)}</code></td>`, td(`${actualText(t) || '-'}${t.approximate ? ' (approximate)' : ''}`), td(t.ok ? 'pass' : 'FAIL', t.ok ? 'ok' : 'bad')]))
        : '<p>No thresholds.</p>'
    }`,
  );

  if (s.baseline) {
    const b = s.baseline;
    const n = regressionCount(b);
    sections.push(
      `<h2>Against the baseline</h2><p>Baseline <code>${esc(b.file)}</code>: ${n === 0 ? 'no regression' : `<b class="bad">${n} regression(s)</b>`}. A regression is a change for the worse beyond ${pct(b.maxRegression)} that is also larger than the floor (${esc(b.floorText)}).</p>` +
        table(
          ['derivative', 'figure', 'baseline', 'now', 'change', 'limit', 'result'],
          b.rows.map((c) => [td(c.derivative), td(c.label), td(c.baselineText), td(c.currentText), td(c.changeText), td(c.limitText), td(c.regression ? 'REGRESSION' : c.current === undefined ? 'not measured' : 'ok', c.regression ? 'bad' : 'ok')]),
        ) +
        (b.missing.length ? `<p>Not in this run: ${esc(b.missing.join(', '))}.</p>` : ''),
    );
  }

  // Charts.
  const charts: string[] = [];
  const rows: BarRow[] = [];
  const overall = { label: 'all requests', d: s.durationMs };
  for (const r of [overall, ...s.byDerivative.filter((d) => d.duration).map((d) => ({ label: d.derivative, d: d.duration as Record<string, number> }))]) {
    rows.push({
      label: r.label,
      bars: [
        { value: r.d.med, color: COLORS.med, text: `med ${ms(r.d.med)}` },
        { value: r.d['p(90)'], color: COLORS.p90, text: `p(90) ${ms(r.d['p(90)'])}` },
        { value: r.d['p(95)'], color: COLORS.p95, text: `p(95) ${ms(r.d['p(95)'])}` },
        { value: r.d['p(99)'], color: COLORS.p99, text: `p(99) ${ms(r.d['p(99)'])}` },
      ].filter((b) => b.value !== undefined),
    });
  }
  charts.push(barChart('Request duration percentiles per derivative (ms)', rows, [
    { color: COLORS.med, label: 'median' },
    { color: COLORS.p90, label: 'p(90)' },
    { color: COLORS.p95, label: 'p(95)' },
    { color: COLORS.p99, label: 'p(99)' },
  ]));
  const hits = s.byDerivative.filter((d) => d.cacheHitRate !== undefined);
  charts.push(barChart('Cache-hit share per derivative', [
    ...(s.cacheHitRate !== null ? [{ label: 'all requests', bars: [{ value: s.cacheHitRate, color: COLORS.cacheHit, text: pct(s.cacheHitRate) }] }] : []),
    ...hits.map((d) => ({ label: d.derivative, bars: [{ value: d.cacheHitRate as number, color: COLORS.cacheHit, text: pct(d.cacheHitRate) }] })),
  ], [], 1));
  if (v) {
    const started = s.byDerivative.filter((d) => d.startupP95 !== undefined);
    charts.push(barChart('Startup time per derivative (ms)', [
      { label: 'all sessions', bars: [{ value: v.startupMs.med, color: COLORS.med, text: `med ${ms(v.startupMs.med)}` }, { value: v.startupMs['p(95)'], color: COLORS.p95, text: `p(95) ${ms(v.startupMs['p(95)'])}` }] },
      ...started.map((d) => ({ label: d.derivative, bars: [{ value: d.startupMed as number, color: COLORS.med, text: `med ${ms(d.startupMed)}` }, { value: d.startupP95 as number, color: COLORS.p95, text: `p(95) ${ms(d.startupP95)}` }] })),
    ], [{ color: COLORS.med, label: 'median' }, { color: COLORS.p95, label: 'p(95)' }]));
    const reb = s.byDerivative.filter((d) => d.rebufferRatio !== undefined);
    const maxRatio = Math.max(0.01, v.rebufferRatio.avg ?? 0, ...reb.map((d) => d.rebufferRatio as number));
    charts.push(barChart('Rebuffer ratio per derivative (mean of sessions; stall time over watch time)', [
      { label: 'all sessions', bars: [{ value: v.rebufferRatio.avg, color: COLORS.rebuffer, text: ratio(v.rebufferRatio.avg) }] },
      ...reb.map((d) => ({ label: d.derivative, bars: [{ value: d.rebufferRatio as number, color: COLORS.rebuffer, text: `${ratio(d.rebufferRatio)} (${d.stalls ?? 0} stalls)` }] })),
    ], [], maxRatio));
  }
  const codes = Object.keys(s.statuses);
  charts.push(barChart('Status codes (requests)', codes.map((c) => ({ label: c === '0' ? '0 (no response)' : c, bars: [{ value: s.statuses[c], color: statusColor(c), text: `${s.statuses[c]} (${pct(s.requests ? s.statuses[c] / s.requests : 0)})` }] }))));
  sections.push(`<h2>Charts</h2>${charts.map((c) => `<figure>${c}</figure>`).join('\n')}`);

  if (s.byDerivative.length > 0) {
    sections.push(
      `<h2>By derivative</h2>${table(
        ['derivative', 'requests', 'TTFB p(95)', 'duration p(95)', 'cache hits', 'bytes', 'startup p(95)', 'rebuffer ratio'],
        s.byDerivative.map((d) => [td(d.derivative), td(String(d.requests ?? '-')), td(ms(d.ttfbP95)), td(ms(d.durationP95)), td(pct(d.cacheHitRate)), td(formatBytes(d.bytes ?? 0, 2)), td(ms(d.startupP95)), td(ratio(d.rebufferRatio))]),
      )}`,
    );
  }
  const failedChecks = s.checks.list.filter((c) => c.fails > 0);
  if (failedChecks.length) sections.push(`<h2>Failed checks</h2>${table(['check', 'failed'], failedChecks.map((c) => [td(c.name), td(`${c.fails} of ${c.passes + c.fails}`, 'bad')]))}`);
  const settings = Object.keys(s.settings);
  if (settings.length) sections.push(`<h2>Settings</h2>${table(['setting', 'value'], settings.map((k) => [td(k), td(String(s.settings[k]))]))}`);

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>media-toolkit load test: ${esc(verdict)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:64rem;padding:0 1rem;color:#222}
h1{font-size:1.4rem;margin:0}h2{font-size:1.1rem;margin-top:1.8rem}
.verdict{padding:.8rem 1rem;color:#fff;border-radius:4px}.verdict.pass{background:${COLORS.pass}}.verdict.fail{background:${COLORS.fail}}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
.figures th:first-child,.figures td:first-child{width:12rem;color:#555}.ok{color:#176117}.bad{color:#a11;font-weight:600}
code{background:#f3f3f3;padding:0 .2rem}figure{margin:1rem 0}.note{color:#555}
svg .t{font:600 14px system-ui,sans-serif;fill:#222}svg .l{font:12px system-ui,sans-serif;fill:#333}svg .v{font:11px system-ui,sans-serif;fill:#333}
</style></head><body>
<div class="verdict ${s.passed ? 'pass' : 'fail'}"><h1>media-toolkit load test: ${esc(verdict)}</h1></div>
${scope}
${sections.join('\n')}
</body></html>
`;
}
