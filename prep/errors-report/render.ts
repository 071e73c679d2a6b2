// The error report as Markdown (for people) or JSON (for dashboards), and the
// exclusion list the load test reads.
import type { ErrorReport, RateRow, CountRow } from './analyze-errors.js';
import type { TimingSummary } from '../stats/run-stats.js';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function rateTable(title: string, rows: RateRow[]): string[] {
  if (rows.length === 0) return [];
  return [`### ${title}`, '', '| name | requests | failed | failure rate |', '|---|---|---|---|', ...rows.map((r) => `| ${cell(r.name)} | ${r.total} | ${r.failed} | ${pct(r.failureRate)} |`), ''];
}

function countTable(title: string, rows: CountRow[]): string[] {
  if (rows.length === 0) return [];
  return [`### ${title}`, '', '| name | failed requests | share of all requests |', '|---|---|---|', ...rows.map((r) => `| ${cell(r.name)} | ${r.count} | ${pct(r.share)} |`), ''];
}

function statRow(name: string, t: TimingSummary): string {
  return `| ${name} | ${t.count} | ${t.mean.toFixed(2)} | ${t.stdDev.toFixed(2)} | ${t.min.toFixed(2)} | ${t.p50.toFixed(2)} | ${t.p95.toFixed(2)} | ${t.max.toFixed(2)} |`;
}

export function errorReportMarkdown(r: ErrorReport): string {
  const t = r.totals;
  const lines: string[] = [
    '# Pre-warming error report',
    '',
    `From \`${r.resultsFile}\`, generated ${r.generatedAt}.`,
    '',
    '| measure | value |',
    '|---|---|',
    `| requests | ${t.records} |`,
    `| successful | ${t.ok} |`,
    `| failed | ${t.failed} (${pct(t.errorRate)}) |`,
    `| files | ${t.files} |`,
    `| files with a failure | ${t.failedFiles} |`,
    `| requests retried | ${t.retried} |`,
    `| first error | ${r.firstErrorAt ?? '-'} |`,
    `| last error | ${r.lastErrorAt ?? '-'} |`,
    '',
    '## Recommendations',
    '',
    ...r.recommendations.map((x) => `- ${x}`),
    '',
    '## Failures by kind',
    '',
    ...countTable('Error class', r.byErrorClass),
    ...countTable('Status code (0 = no response)', r.byStatus),
    ...rateTable('Size category', r.bySizeCategory),
    ...rateTable('Derivative or variant', r.byDerivative),
    ...rateTable('Extension', r.byExtension),
    ...(r.byPop.length > 0 ? rateTable('PoP', r.byPop) : []),
    ...(r.byEdge.length > 0 ? rateTable('Edge', r.byEdge) : []),
    '## Failed against successful files',
    '',
    '| measure | count | mean | std dev | min | p50 | p95 | max |',
    '|---|---|---|---|---|---|---|---|',
    statRow('source size, MiB, failed', r.sizes.failed),
    statRow('source size, MiB, successful', r.sizes.successful),
    statRow('total time, ms, failed', r.timings.failed),
    statRow('total time, ms, successful', r.timings.successful),
    '',
  ];
  if (r.topMessages.length) {
    lines.push('## Most common messages', '', '| message | count |', '|---|---|', ...r.topMessages.map((m) => `| ${cell(m.message)} | ${m.count} |`), '');
  }
  if (r.urlPatterns.length) {
    lines.push('## URL patterns of failures', '', '| pattern | count |', '|---|---|', ...r.urlPatterns.map((m) => `| \`${cell(m.pattern)}\` | ${m.count} |`), '');
  }
  if (r.problemFiles.length) {
    lines.push(
      '## Most problematic files',
      '',
      '| key | size MiB | category | failed | error classes | statuses |',
      '|---|---|---|---|---|---|',
      ...r.problemFiles.map(
        (f) => `| ${cell(f.key)} | ${(f.sourceSize / 1048576).toFixed(2)} | ${f.sizeCategory} | ${f.failed} of ${f.total} | ${f.errorClasses.join(', ')} | ${f.statuses.join(', ')} |`,
      ),
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}

export function errorReportJson(r: ErrorReport): string {
  const { excludedKeys, ...rest } = r;
  return `${JSON.stringify({ ...rest, excludedFiles: excludedKeys.length }, null, 2)}\n`;
}

/** `{"version":1,"generatedAt":"...","keys":[...]}` (flag contract). */
export function exclusionListJson(r: ErrorReport): string {
  return `${JSON.stringify({ version: 1, generatedAt: r.generatedAt, keys: r.excludedKeys }, null, 2)}\n`;
}
