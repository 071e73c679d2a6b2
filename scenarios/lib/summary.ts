// End-of-test reports from k6's summary data: a readable text summary for
// stdout, a JSON summary, a Markdown summary and JUnit XML for CI. Written
// here rather than imported from jslib, so nothing is fetched at run time.
import { METRIC } from './metric-names.js';
import { formatBytes } from '../../common/byte-size.js';

/** The parts of k6's handleSummary data this module reads. */
export interface K6Metric {
  type: 'counter' | 'gauge' | 'rate' | 'trend';
  contains?: string;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

export interface K6Check {
  name: string;
  passes: number;
  fails: number;
}

export interface K6Group {
  name: string;
  checks: K6Check[];
  groups: K6Group[];
}

export interface K6SummaryData {
  metrics: Record<string, K6Metric>;
  root_group?: K6Group;
  state?: { testRunDurationMs?: number };
}

export interface ThresholdResult {
  metric: string;
  expression: string;
  ok: boolean;
  /** The figure the expression is about, e.g. the p(95) or the rate. */
  actual?: number;
}

export interface DerivativeFigures {
  derivative: string;
  requests?: number;
  ttfbP95?: number;
  cacheHitRate?: number;
  bytes?: number;
}

export interface LoadtestSummary {
  tool: 'media-toolkit loadtest';
  passed: boolean;
  durationSeconds: number;
  iterations: number;
  vusMax: number;
  requests: number;
  requestRate: number;
  failedRate: number;
  durationMs: Record<string, number>;
  ttfbMs: Record<string, number>;
  cacheHitRate: number | null;
  rangeCorrectRate: number | null;
  bytes: number;
  checks: { passes: number; fails: number; list: K6Check[] };
  thresholds: ThresholdResult[];
  byDerivative: DerivativeFigures[];
  /** Settings worth seeing beside the figures (base URL redacted). */
  settings: Record<string, string | number | boolean>;
}

function allChecks(g: K6Group | undefined): K6Check[] {
  if (!g) return [];
  return [...g.checks, ...g.groups.flatMap(allChecks)];
}

/** The figure a threshold expression such as `p(95)<100` or `rate<0.05` reads. */
function actualFor(m: K6Metric | undefined, expression: string): number | undefined {
  if (!m) return undefined;
  const stat = /^\s*([a-z]+(\(\d+(\.\d+)?\))?)/i.exec(expression)?.[1];
  if (!stat) return undefined;
  return m.values[stat];
}

/** metric{tag:value} -> [metric, tag value] */
function splitSubmetric(name: string): [string, string | undefined] {
  const m = /^([^{]+)\{[^:]+:([^}]*)\}$/.exec(name);
  return m ? [m[1], m[2]] : [name, undefined];
}

export function summarize(data: K6SummaryData, settings: Record<string, string | number | boolean> = {}): LoadtestSummary {
  const m = data.metrics;
  const v = (name: string, stat: string): number | undefined => m[name]?.values[stat];
  const thresholds: ThresholdResult[] = [];
  for (const name of Object.keys(m).sort()) {
    const t = m[name].thresholds;
    if (!t) continue;
    for (const expression of Object.keys(t)) thresholds.push({ metric: name, expression, ok: t[expression].ok, actual: actualFor(m[name], expression) });
  }
  const per = new Map<string, DerivativeFigures>();
  for (const name of Object.keys(m)) {
    const [base, derivative] = splitSubmetric(name);
    if (derivative === undefined || !name.includes('{derivative:')) continue;
    const f = per.get(derivative) ?? { derivative };
    if (base === METRIC.ttfb) {
      f.ttfbP95 = m[name].values['p(95)'];
      f.requests = m[name].values.count;
    }
    if (base === METRIC.cacheHit) f.cacheHitRate = m[name].values.rate;
    if (base === METRIC.bytes) f.bytes = m[name].values.count;
    per.set(derivative, f);
  }
  const checks = allChecks(data.root_group);
  const trend = (name: string) => {
    const values = m[name]?.values ?? {};
    const out: Record<string, number> = {};
    for (const k of Object.keys(values)) out[k] = values[k];
    return out;
  };
  return {
    tool: 'media-toolkit loadtest',
    passed: thresholds.every((t) => t.ok),
    durationSeconds: (data.state?.testRunDurationMs ?? 0) / 1000,
    iterations: v('iterations', 'count') ?? 0,
    vusMax: v('vus_max', 'max') ?? v('vus_max', 'value') ?? 0,
    requests: v('http_reqs', 'count') ?? 0,
    requestRate: v('http_reqs', 'rate') ?? 0,
    failedRate: v('http_req_failed', 'rate') ?? 0,
    durationMs: trend('http_req_duration'),
    ttfbMs: trend(METRIC.ttfb),
    cacheHitRate: v(METRIC.cacheHit, 'rate') ?? null,
    rangeCorrectRate: v(METRIC.rangeOk, 'rate') ?? null,
    bytes: v(METRIC.bytes, 'count') ?? 0,
    checks: { passes: checks.reduce((a, c) => a + c.passes, 0), fails: checks.reduce((a, c) => a + c.fails, 0), list: checks },
    thresholds,
    byDerivative: [...per.values()].sort((a, b) => a.derivative.localeCompare(b.derivative)),
    settings,
  };
}

function ms(n: number | undefined): string {
  if (n === undefined) return '-';
  return n >= 1000 ? `${(n / 1000).toFixed(2)}s` : `${n.toFixed(1)}ms`;
}

function pct(n: number | null | undefined): string {
  return n === null || n === undefined ? '-' : `${(n * 100).toFixed(1)}%`;
}

function actualText(t: ThresholdResult): string {
  if (t.actual === undefined) return '';
  return /rate/.test(t.expression) ? pct(t.actual) : ms(t.actual);
}

/** Plain text for stdout. */
export function textSummary(s: LoadtestSummary): string {
  const lines = [
    '',
    `media-toolkit loadtest: ${s.passed ? 'PASSED' : 'FAILED (thresholds crossed)'}`,
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
  if (s.byDerivative.length > 0) {
    lines.push('  by derivative');
    for (const d of s.byDerivative) {
      lines.push(`    ${d.derivative.padEnd(14)} requests ${d.requests ?? '-'}  TTFB p(95) ${ms(d.ttfbP95)}  cache hits ${pct(d.cacheHitRate)}  bytes ${formatBytes(d.bytes ?? 0, 2)}`);
    }
  }
  lines.push('  thresholds');
  for (const t of s.thresholds) lines.push(`    ${t.ok ? 'ok  ' : 'FAIL'} ${t.metric} ${t.expression}${t.actual === undefined ? '' : ` (actual ${actualText(t)})`}`);
  lines.push('');
  return lines.join('\n');
}

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

export function markdownSummary(s: LoadtestSummary): string {
  const out = [
    '# Load test summary',
    '',
    `**Result: ${s.passed ? 'passed' : 'failed (thresholds crossed)'}**`,
    '',
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
    '',
    '## Thresholds',
    '',
    '| metric | threshold | actual | result |',
    '|---|---|---|---|',
    ...s.thresholds.map((t) => `| ${mdCell(t.metric)} | \`${mdCell(t.expression)}\` | ${actualText(t) || '-'} | ${t.ok ? 'pass' : '**fail**'} |`),
  ];
  if (s.byDerivative.length > 0) {
    out.push('', '## By derivative', '', '| derivative | requests | TTFB p(95) | cache hits | bytes |', '|---|---|---|---|---|');
    for (const d of s.byDerivative) out.push(`| ${mdCell(d.derivative)} | ${d.requests ?? '-'} | ${ms(d.ttfbP95)} | ${pct(d.cacheHitRate)} | ${formatBytes(d.bytes ?? 0, 2)} |`);
  }
  const settings = Object.keys(s.settings);
  if (settings.length > 0) {
    out.push('', '## Settings', '', '| setting | value |', '|---|---|');
    for (const k of settings) out.push(`| ${mdCell(k)} | ${mdCell(String(s.settings[k]))} |`);
  }
  out.push('');
  return out.join('\n');
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** JUnit XML: one test case per threshold and per check, so CI shows what failed. */
export function junitXml(s: LoadtestSummary): string {
  const cases: string[] = [];
  let failures = 0;
  for (const t of s.thresholds) {
    const name = `${t.metric} ${t.expression}`;
    if (t.ok) cases.push(`    <testcase classname="thresholds" name="${xml(name)}"/>`);
    else {
      failures++;
      cases.push(`    <testcase classname="thresholds" name="${xml(name)}">\n      <failure message="${xml(`${name} crossed${t.actual === undefined ? '' : ` (actual ${actualText(t)})`}`)}"/>\n    </testcase>`);
    }
  }
  for (const c of s.checks.list) {
    if (c.fails === 0) cases.push(`    <testcase classname="checks" name="${xml(c.name)}"/>`);
    else {
      failures++;
      cases.push(`    <testcase classname="checks" name="${xml(c.name)}">\n      <failure message="${xml(`${c.fails} of ${c.passes + c.fails} failed`)}"/>\n    </testcase>`);
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
