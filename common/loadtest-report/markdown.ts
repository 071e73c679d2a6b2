// The Markdown summary (SUMMARY_MD).
import { formatBytes } from '../byte-size.js';
import { actualText, ms, pct, ratio } from './format.js';
import type { LoadtestSummary } from './summary.js';

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

export function markdownSummary(s: LoadtestSummary): string {
  const out = [
    '# Load test summary',
    '',
    `**Result: ${s.passed ? 'passed' : 'failed (thresholds crossed)'}**`,
    '',
  ];
  if (s.runner) out.push(`Runner ${s.runner.index} of ${s.runner.count} (execution segment ${s.runner.segment}): its own share of the load only; \`media-toolkit loadtest merge\` joins the runners.`, '');
  if (s.merged) out.push(`Merged from ${s.merged.runners} runner summaries: ${s.merged.files.map((f) => `\`${mdCell(f)}\``).join(', ')}. ${s.merged.note}`, '');
  out.push(
    '| figure | value |',
    '|---|---|',
    `| duration | ${s.durationSeconds.toFixed(1)}s |`,
    `| iterations | ${s.iterations} |`,
    `| max VUs | ${s.vusMax} |`,
    `| requests | ${s.requests} (${s.requestRate.toFixed(1)}/s) |`,
    `| failed requests | ${pct(s.failedRate)} |`,
    `| request duration p(95) | ${ms(s.durationMs['p(95)'])} |`,
    `| TTFB p(95) | ${ms(s.ttfbMs['p(95)'])} |`,
    `| cache hits | ${pct(s.cacheHitRate)} |`,
    `| ranges correct | ${pct(s.rangeCorrectRate)} |`,
    `| bytes | ${formatBytes(s.bytes, 2)} |`,
    `| checks | ${s.checks.passes} passed, ${s.checks.fails} failed |`,
  );
  const v = s.video;
  if (v) {
    const sources = Object.entries(v.durationSources).map(([k, n]) => `${k} ${n}`).join(', ');
    out.push(
      '',
      '## Player',
      '',
      '| figure | value |',
      '|---|---|',
      `| sessions | ${v.sessions} (duration from: ${sources || '-'}) |`,
      `| startup time med / p(95) / max | ${ms(v.startupMs.med)} / ${ms(v.startupMs['p(95)'])} / ${ms(v.startupMs.max)} |`,
      `| stalls | ${v.stalls} (stall time p(95) ${ms(v.stallTimeMs['p(95)'])}) |`,
      `| rebuffer ratio, mean of sessions / max | ${ratio(v.rebufferRatio.avg)} / ${ratio(v.rebufferRatio.max)} |`,
      `| download ratio med / p(95) (above 1: slower than playback) | ${ratio(v.downloadRatio.med)} / ${ratio(v.downloadRatio['p(95)'])} |`,
      `| abandoned before start | ${pct(v.abandonedRate)} |`,
      `| MP4 with the moov at the end | ${pct(v.moovAtEndRate)} |`,
    );
    if (v.bitrateSwitches && v.selectedBitrate) {
      out.push(
        `| selected bitrate avg / min / max | ${Math.round((v.selectedBitrate.avg ?? 0) / 1000)} / ${Math.round((v.selectedBitrate.min ?? 0) / 1000)} / ${Math.round((v.selectedBitrate.max ?? 0) / 1000)} kbit/s |`,
        `| rendition switches (down / up) | ${v.bitrateSwitches.total} (${v.bitrateSwitches.down} / ${v.bitrateSwitches.up}) |`,
      );
    }
  }
  out.push('', '## Thresholds', '', '| metric | threshold | actual | result |', '|---|---|---|---|');
  for (const t of s.thresholds) {
    if (t.baseline) continue;
    out.push(`| ${mdCell(t.metric)} | \`${mdCell(t.expression)}\` | ${actualText(t) || '-'}${t.approximate ? ' (approximate)' : ''} | ${t.ok ? 'pass' : '**fail**'} |`);
  }
  if (s.baseline) {
    const b = s.baseline;
    out.push('', '## Against the baseline', '', `Baseline \`${mdCell(b.file)}\`; a regression is a change for the worse beyond ${pct(b.maxRegression)} that is also larger than the floor (${b.floorText}).`, '');
    out.push('| derivative | figure | baseline | now | change | limit | result |', '|---|---|---|---|---|---|---|');
    for (const c of b.rows) out.push(`| ${mdCell(c.derivative)} | ${c.label} | ${c.baselineText} | ${c.currentText} | ${c.changeText} | ${c.limitText} | ${c.regression ? '**regression**' : c.current === undefined ? 'not measured' : 'ok'} |`);
    if (b.missing.length > 0) out.push('', `Not in this run: ${b.missing.map(mdCell).join(', ')}.`);
  }
  if (s.byDerivative.length > 0) {
    out.push('', '## By derivative', '', '| derivative | requests | TTFB p(95) | duration p(95) | cache hits | bytes | startup p(95) | rebuffer ratio |', '|---|---|---|---|---|---|---|---|');
    for (const d of s.byDerivative) {
      out.push(`| ${mdCell(d.derivative)} | ${d.requests ?? '-'} | ${ms(d.ttfbP95)} | ${ms(d.durationP95)} | ${pct(d.cacheHitRate)} | ${formatBytes(d.bytes ?? 0, 2)} | ${ms(d.startupP95)} | ${ratio(d.rebufferRatio)} |`);
    }
  }
  const statuses = Object.keys(s.statuses);
  if (statuses.length > 0) {
    out.push('', '## Status codes', '', '| status | requests |', '|---|---|');
    for (const k of statuses) out.push(`| ${k === '0' ? '0 (no response)' : k} | ${s.statuses[k]} |`);
  }
  const settings = Object.keys(s.settings);
  if (settings.length > 0) {
    out.push('', '## Settings', '', '| setting | value |', '|---|---|');
    for (const k of settings) out.push(`| ${mdCell(k)} | ${mdCell(String(s.settings[k]))} |`);
  }
  out.push('');
  return out.join('\n');
}
