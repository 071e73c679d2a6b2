// The plain-text summary printed on stdout at the end of a run (and by `loadtest merge`).
import { formatBytes } from '../byte-size.js';
import { actualText, ms, pct, ratio } from './format.js';
import type { LoadtestSummary } from './summary.js';
import { regressionCount } from './baseline.js';

export function textSummary(s: LoadtestSummary): string {
  const lines = [
    '',
    `media-toolkit loadtest: ${s.passed ? 'PASSED' : 'FAILED (thresholds crossed)'}${s.runner ? ` (runner ${s.runner.index} of ${s.runner.count}, its own share only)` : ''}${s.merged ? ` (${s.merged.runners} runners merged)` : ''}`,
    `  duration        ${s.durationSeconds.toFixed(1)}s, ${s.iterations} iterations, up to ${s.vusMax} VUs`,
    `  requests        ${s.requests} (${s.requestRate.toFixed(1)}/s), failed ${pct(s.failedRate)}`,
    `  req duration    avg ${ms(s.durationMs.avg)}  med ${ms(s.durationMs.med)}  p(95) ${ms(s.durationMs['p(95)'])}  max ${ms(s.durationMs.max)}`,
    `  TTFB            avg ${ms(s.ttfbMs.avg)}  p(95) ${ms(s.ttfbMs['p(95)'])}`,
    `  cache hits      ${pct(s.cacheHitRate)}`,
    `  ranges correct  ${pct(s.rangeCorrectRate)}`,
    `  bytes           ${formatBytes(s.bytes, 2)}`,
    `  checks          ${s.checks.passes} passed, ${s.checks.fails} failed`,
  ];
  for (const c of s.checks.list) if (c.fails > 0) lines.push(`    x ${c.name}: ${c.fails} failed of ${c.passes + c.fails}`);
  const v = s.video;
  if (v) {
    const sources = Object.entries(v.durationSources).map(([k, n]) => `${k} ${n}`).join(', ');
    lines.push(
      '  player',
      `    sessions      ${v.sessions} (duration from: ${sources || '-'})`,
      `    startup       med ${ms(v.startupMs.med)}  p(95) ${ms(v.startupMs['p(95)'])}  max ${ms(v.startupMs.max)}`,
      `    stalls        ${v.stalls}, stall time p(95) ${ms(v.stallTimeMs['p(95)'])}`,
      `    rebuffering   mean ratio ${ratio(v.rebufferRatio.avg)}  max ${ratio(v.rebufferRatio.max)}`,
      `    download      ratio med ${ratio(v.downloadRatio.med)}  p(95) ${ratio(v.downloadRatio['p(95)'])} (above 1: slower than playback)`,
      `    abandoned     ${pct(v.abandonedRate)}   moov at end ${pct(v.moovAtEndRate)}`,
    );
    if (v.bitrateSwitches && v.selectedBitrate) {
      const kbps = (b: number | undefined) => (b === undefined ? '-' : `${Math.round(b / 1000)} kbit/s`);
      lines.push(`    bitrate       selected avg ${kbps(v.selectedBitrate.avg)}  min ${kbps(v.selectedBitrate.min)}  max ${kbps(v.selectedBitrate.max)}; switches ${v.bitrateSwitches.total} (down ${v.bitrateSwitches.down}, up ${v.bitrateSwitches.up})`);
    }
    if (v.durationSources.assumed) lines.push(`    ${v.durationSources.assumed} session(s) paced by an assumed bitrate: neither the file's header nor the results record gave a duration`);
  }
  if (s.byDerivative.length > 0) {
    lines.push('  by derivative');
    for (const d of s.byDerivative) {
      const video = d.startupP95 !== undefined || d.rebufferRatio !== undefined ? `  startup p(95) ${ms(d.startupP95)}  rebuffer ${ratio(d.rebufferRatio)}` : '';
      lines.push(`    ${d.derivative.padEnd(14)} requests ${d.requests ?? '-'}  TTFB p(95) ${ms(d.ttfbP95)}  cache hits ${pct(d.cacheHitRate)}  bytes ${formatBytes(d.bytes ?? 0, 2)}${video}`);
    }
  }
  if (s.baseline) {
    const n = regressionCount(s.baseline);
    lines.push(`  baseline        ${s.baseline.file}: ${n === 0 ? 'no regression' : `${n} regression(s)`} beyond ${pct(s.baseline.maxRegression)}`);
    for (const c of s.baseline.rows) if (c.regression) lines.push(`    REGRESSION ${c.derivative} ${c.label}: ${c.baselineText} -> ${c.currentText} (limit ${c.limitText})`);
  }
  lines.push('  thresholds');
  for (const t of s.thresholds) {
    if (t.baseline) continue;
    lines.push(`    ${t.ok ? 'ok  ' : 'FAIL'} ${t.metric} ${t.expression}${t.actual === undefined ? '' : ` (actual ${actualText(t)}${t.approximate ? ', approximate' : ''})`}`);
  }
  if (s.merged) lines.push(`  note            ${s.merged.note}`);
  lines.push('');
  return lines.join('\n');
}
