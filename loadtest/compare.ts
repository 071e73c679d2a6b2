// `loadtest compare BASELINE.json CURRENT.json`: the baseline comparison of
// two run summaries without running k6 (the same rules as --baseline, from
// common/loadtest-report/baseline.ts), as text or Markdown.
import { regressionCount, type BaselineComparison } from '../common/loadtest-report/baseline.js';

export function comparisonText(c: BaselineComparison, current: string): string {
  const n = regressionCount(c);
  const head = ['derivative', 'figure', 'baseline', 'now', 'change', 'limit', 'result'];
  const rows = c.rows.map((r) => [r.derivative, r.label, r.baselineText, r.currentText, r.changeText, r.limitText, r.regression ? 'REGRESSION' : r.current === undefined ? 'not measured' : 'ok']);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((x, i) => x.padEnd(widths[i])).join('  ').trimEnd();
  const out = [
    `loadtest compare: ${c.file} -> ${current}: ${n === 0 ? 'no regression' : `${n} regression(s)`} beyond ${(c.maxRegression * 100).toFixed(1)}% (floors: ${c.floorText})`,
    line(head),
    ...rows.map(line),
  ];
  if (c.missing.length) out.push(`not in ${current}: ${c.missing.join(', ')}`);
  return `${out.join('\n')}\n`;
}

export function comparisonMarkdown(c: BaselineComparison, current: string): string {
  const out = [
    `# Load test against the baseline`,
    '',
    `\`${c.file}\` -> \`${current}\`: ${regressionCount(c)} regression(s) beyond ${(c.maxRegression * 100).toFixed(1)}% (floors: ${c.floorText}).`,
    '',
    '| derivative | figure | baseline | now | change | limit | result |',
    '|---|---|---|---|---|---|---|',
    ...c.rows.map((r) => `| ${r.derivative} | ${r.label} | ${r.baselineText} | ${r.currentText} | ${r.changeText} | ${r.limitText} | ${r.regression ? '**regression**' : r.current === undefined ? 'not measured' : 'ok'} |`),
    '',
  ];
  return out.join('\n');
}
