// Distributed runs: two real k6 processes share the load with
// --execution-segment (as k6-operator's runners do), each writes its reports
// under its own name, and `loadtest merge` joins them: counts and rates equal
// the origin's own counters, checks add up, percentiles stay within one
// percentile rank of the exact ones computed from every sample, thresholds
// are judged on the whole.
import { describe, expect, it } from 'vitest';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadtestSummary } from '../common/loadtest-report/summary.js';
import { mergedPercentile } from '../common/loadtest-report/quantiles.js';
import { QUANTILE_GRID } from '../common/loadtest-report/summary.js';
import { evaluateThreshold } from '../common/loadtest-report/threshold-eval.js';
import { BUNDLE, k6, servedLibrary } from './loadtest-fixture.js';
import { runCli } from './helpers/cli.js';

const served = servedLibrary(6, { errorRate: 0.1 });

/** Exact percentile of sorted values, the way k6 computes it (linear between ranks). */
function exact(sorted: number[], p: number): number {
  const i = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(i);
  return lo + 1 < sorted.length ? sorted[lo] + (i - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
}

describe('loadtest merge', () => {
  it('joins two execution segments: exact counts and rates, percentiles within one rank, thresholds on the whole', async () => {
    const reports = join(served.lib.dir, 'runners');
    await mkdir(reports, { recursive: true });
    const env = {
      BASE_URL: served.origin.url, RESULTS_FILE: served.lib.resultsFile, SEED: 9, STAGE1_USERS: 4, STAGE1_DURATION: '1s', STAGE2_USERS: 4, STAGE2_DURATION: '2s',
      MIN_SLEEP: 0.01, MAX_SLEEP: 0.03, FAILURE_RATE_THRESHOLD: 0.3, TTFB_THRESHOLD: 5000,
      SUMMARY_JSON: join(reports, 'loadtest-summary.json'), SUMMARY_MD: join(reports, 'loadtest-summary.md'),
      SUMMARY_HTML: join(reports, 'loadtest-summary.html'), JUNIT_XML: join(reports, 'loadtest-junit.xml'),
    };
    const run = (segment: string, out: string) =>
      k6(['run', '--execution-segment', segment, '--execution-segment-sequence', '0,1/2,1', '--out', `json=${join(served.lib.dir, out)}`, BUNDLE], env);
    const [a, b] = await Promise.all([run('0:1/2', 'a.jsonl'), run('1/2:1', 'b.jsonl')]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const files = (await readdir(reports)).sort();
    expect(files).toEqual([
      'loadtest-junit.runner-1-of-2.xml', 'loadtest-junit.runner-2-of-2.xml',
      'loadtest-summary.runner-1-of-2.html', 'loadtest-summary.runner-1-of-2.json', 'loadtest-summary.runner-1-of-2.md',
      'loadtest-summary.runner-2-of-2.html', 'loadtest-summary.runner-2-of-2.json', 'loadtest-summary.runner-2-of-2.md',
    ]);
    const ra = JSON.parse(await readFile(join(reports, 'loadtest-summary.runner-1-of-2.json'), 'utf8')) as LoadtestSummary;
    const rb = JSON.parse(await readFile(join(reports, 'loadtest-summary.runner-2-of-2.json'), 'utf8')) as LoadtestSummary;
    expect(ra.runner).toMatchObject({ index: 1, count: 2 });
    expect(ra.requests).toBeGreaterThan(10);
    expect(rb.requests).toBeGreaterThan(10);

    const merged = join(served.lib.dir, 'merged');
    const r = await runCli(['loadtest', 'merge', reports, '--reports-dir', merged]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/media-toolkit loadtest: PASSED \(2 runners merged\)/);
    const s = JSON.parse(await readFile(join(merged, 'loadtest-summary.json'), 'utf8')) as LoadtestSummary;
    const stats = served.origin.stats();
    // Exact: every request the origin saw, failures as it injected them, checks summed.
    expect(s.requests).toBe(stats.requests);
    expect(s.requests).toBe(ra.requests + rb.requests);
    expect(s.failedRate).toBeCloseTo(stats.errorsInjected / stats.requests, 12);
    expect(s.cacheHitRate).toBeCloseTo(stats.hits / stats.requests, 12); // an injected error has no cache status: a miss
    expect(s.checks.passes + s.checks.fails).toBe(ra.checks.passes + ra.checks.fails + rb.checks.passes + rb.checks.fails);
    expect(s.iterations).toBe(ra.iterations + rb.iterations);
    // Percentiles: from every sample of both runners, the merged p(95) lies between the exact p(94) and p(96).
    const samples: number[] = [];
    for (const f of ['a.jsonl', 'b.jsonl']) {
      for (const line of (await readFile(join(served.lib.dir, f), 'utf8')).split('\n')) {
        if (!line.includes('"metric":"http_req_duration"') || !line.includes('"type":"Point"')) continue;
        samples.push(JSON.parse(line).data.value);
      }
    }
    samples.sort((x, y) => x - y);
    expect(samples).toHaveLength(s.requests);
    for (const [p, lo, hi] of [[95, 94, 96], [90, 89, 91], [50, 49, 51]] as const) {
      const stat = p === 50 ? 'med' : `p(${p})`;
      expect(s.durationMs[stat], stat).toBeGreaterThanOrEqual(exact(samples, lo) - 1e-6);
      expect(s.durationMs[stat], stat).toBeLessThanOrEqual(exact(samples, hi) + 1e-6);
    }
    expect(s.durationMs.max).toBe(samples[samples.length - 1]);
    expect(s.durationMs.min).toBe(samples[0]);
    // Thresholds judged on the merged figures, percentiles marked approximate.
    const failed = s.thresholds.find((t) => t.metric === 'http_req_failed')!;
    expect(failed).toMatchObject({ expression: 'rate<0.3', ok: s.failedRate < 0.3 });
    expect(failed.approximate).toBeUndefined();
    expect(s.thresholds.find((t) => t.metric === 'http_req_waiting')).toMatchObject({ expression: 'p(95)<5000', ok: true, approximate: true });
    expect(await readFile(join(merged, 'loadtest-summary.md'), 'utf8')).toMatch(/Merged from 2 runner summaries/);
    expect(await readFile(join(merged, 'loadtest-summary.html'), 'utf8')).toMatch(/within one percentile rank of exact/);
    expect(await readFile(join(merged, 'loadtest-junit.xml'), 'utf8')).toMatch(/failures="\d+"/);

    // A threshold crossed on the whole makes merge exit 99: runners whose summaries say
    // http_req_failed must stay below 1% (both saw about 10% injected errors).
    const strict = join(served.lib.dir, 'strict');
    await mkdir(strict, { recursive: true });
    for (const f of ['loadtest-summary.runner-1-of-2.json', 'loadtest-summary.runner-2-of-2.json']) {
      const j = JSON.parse(await readFile(join(reports, f), 'utf8'));
      j.k6.http_req_failed.thresholds['rate<0.01'] = { ok: true };
      await writeFile(join(strict, f), JSON.stringify(j));
    }
    const r2 = await runCli(['loadtest', 'merge', join(strict, 'loadtest-summary.runner-1-of-2.json'), join(strict, 'loadtest-summary.runner-2-of-2.json'), '--reports-dir', join(strict, 'out')]);
    expect(r2.code).toBe(99);
    expect(r2.stdout).toMatch(/FAIL http_req_failed rate<0.01/);
    expect(await readFile(join(strict, 'out', 'loadtest-junit.xml'), 'utf8')).toMatch(/<failure message="http_req_failed rate&lt;0.01 crossed/);
  });

  it('merges quantile grids: one runner gives its own percentiles back; two give the mix', () => {
    const grid = (f: (p: number) => number) => QUANTILE_GRID.map((p) => f(p));
    const a = { count: 1000, min: 0, max: 100, q: grid((p) => p) }; // uniform 0..100
    const b = { count: 1000, min: 100, max: 200, q: grid((p) => 100 + p) }; // uniform 100..200
    expect(mergedPercentile([a], 95)).toBeCloseTo(95, 6);
    expect(mergedPercentile([a, b], 50)).toBeCloseTo(100, 6);
    expect(mergedPercentile([a, b], 95)).toBeCloseTo(190, 6);
    expect(mergedPercentile([{ ...a, count: 3000 }, b], 50)).toBeCloseTo(200 / 3, 6);
    expect(evaluateThreshold('p(95)<200', { 'p(95)': 190 })).toBe(true);
    expect(evaluateThreshold('rate>=0.9', { rate: 0.8 })).toBe(false);
    expect(evaluateThreshold('avg<=0.01', { avg: 0.01 })).toBe(true);
  });

  it('bad input: one line, exit 2', async () => {
    const r = await runCli(['loadtest', 'merge', served.lib.resultsFile]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/not a media-toolkit loadtest summary/);
  });
});
