// JUnit XML: one test case per threshold, per check and per baseline
// comparison, so CI shows what failed.
import { actualText } from './format.js';
import type { LoadtestSummary } from './summary.js';
import { escapeHtml as xml } from '../escape-html.js';

export function junitXml(s: LoadtestSummary): string {
  const cases: string[] = [];
  let failures = 0;
  const add = (classname: string, name: string, failure?: string) => {
    if (failure === undefined) cases.push(`    <testcase classname="${classname}" name="${xml(name)}"/>`);
    else {
      failures++;
      cases.push(`    <testcase classname="${classname}" name="${xml(name)}">\n      <failure message="${xml(failure)}"/>\n    </testcase>`);
    }
  };
  for (const t of s.thresholds) {
    if (t.baseline) continue; // a case of its own below, with both figures
    const name = `${t.metric} ${t.expression}`;
    add('thresholds', name, t.ok ? undefined : `${name} crossed${t.actual === undefined ? '' : ` (actual ${actualText(t)}${t.approximate ? ', approximate' : ''})`}`);
  }
  for (const c of s.checks.list) add('checks', c.name, c.fails === 0 ? undefined : `${c.fails} of ${c.passes + c.fails} failed`);
  if (s.baseline) {
    for (const c of s.baseline.rows) {
      if (c.current === undefined) continue;
      const name = `${c.derivative} ${c.label} against the baseline`;
      add('baseline', name, c.regression ? `regression: ${c.baselineText} -> ${c.currentText} (${c.changeText}), limit ${c.limitText}` : undefined);
    }
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="media-toolkit loadtest" tests="${cases.length}" failures="${failures}" time="${s.durationSeconds.toFixed(3)}">`,
    `  <testsuite name="loadtest" tests="${cases.length}" failures="${failures}" errors="0" time="${s.durationSeconds.toFixed(3)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
