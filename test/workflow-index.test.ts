// The index page's figures and escaping, from the stage outputs' JSON shapes.
import { describe, expect, it } from 'vitest';
import { fromK6Summary, fromOptimizeReport, fromPurgeReport, fromVerifyReport } from '../workflow/headlines.js';
import { headlineRows, renderHtml } from '../workflow/index-page.js';
import { formatBytes } from '../common/byte-size.js';
import { newState } from '../workflow/state.js';
import { shortError } from '../workflow/run-step.js';
import { loadStages, planStage } from '../workflow/stages.js';
import type { WorkflowOptions } from '../workflow/options.js';

const options = (o: Partial<WorkflowOptions> = {}): WorkflowOptions => ({
  remote: 'local', bucket: '/srv/media', outputDir: '/nonexistent-output', sizeThreshold: 100, analysisFormat: 'markdown',
  loadtestUsers: 50, loadtestDuration: '2m', loadStages: [{}, {}, {}, {}, {}], skipLargeFiles: true, largeFileThresholdMb: 256,
  requestTimeout: '120s', useErrorReport: true, optimizeVideos: true, optimizeThreshold: 256, optimizeCodec: 'h264',
  optimizeQuality: 'balanced', optimizeResolution: '1080p', skip: {}, resume: false, saveProgress: true, continueOnError: false,
  dryRun: false, interactive: false, purge: {}, ...o,
});

describe('workflow index figures', () => {
  it('reads the verdict and p95 from the loadtest summary and from raw k6 summaries', () => {
    const own = { passed: false, requests: 120, durationMs: { 'p(95)': 812.5 }, cacheHitRate: 0.9, thresholds: [{ metric: 'http_req_duration', expression: 'p(95)<500', ok: false }, { metric: 'checks', expression: 'rate>0.9', ok: true }] };
    expect(fromK6Summary(own, 99)).toMatchObject({ verdict: 'breached', p95Ms: 812.5, requests: 120, failedThresholds: ['http_req_duration: p(95)<500'] });
    // handleSummary data: thresholds { expr: { ok } }, figures under values.
    const handle = { metrics: { http_req_duration: { values: { 'p(95)': 42 }, thresholds: { 'p(95)<500': { ok: true } } }, http_reqs: { values: { count: 7 } } } };
    expect(fromK6Summary(handle, 0)).toMatchObject({ verdict: 'passed', p95Ms: 42, requests: 7, failedThresholds: [] });
    // --summary-export: figures on the metric, thresholds { expr: failed? }.
    const exported = { metrics: { http_req_duration: { 'p(95)': 900, thresholds: { 'p(95)<500': true } } } };
    expect(fromK6Summary(exported, undefined)).toMatchObject({ verdict: 'breached', p95Ms: 900 });
    expect(fromK6Summary(undefined, undefined)).toBeUndefined();
  });

  it('reads savings from the optimizer report', () => {
    const report = { totals: { files: 2, optimized: 1, bytesBefore: 3_000_000, bytesAfter: 1_000_000, savedBytes: 2_000_000, savedPercent: 66.7 }, files: [{}, {}] };
    expect(fromOptimizeReport(report)).toMatchObject({ optimized: 1, savedBytes: 2_000_000, savedPercent: 66.7, candidates: 2 });
    // Without a saved figure it is derived from before and after.
    expect(fromOptimizeReport({ originalBytes: 1000, optimizedBytes: 250 })).toMatchObject({ savedBytes: 750, savedPercent: 75 });
  });

  it('writes one row per figure a stage produced, and marks figures from an earlier run', () => {
    const rows = headlineRows({
      objects: { count: 3, bytes: 5 * 1024 * 1024 },
      prewarm: { requests: 10, ok: 9, successRate: 0.9, cacheStatus: { miss: 7, hit: 3 } },
      errors: { failedRequests: 1, failedKeys: 1, excludedKeys: 1 },
      earlier: { objects: true },
    });
    expect(Object.fromEntries(rows)).toEqual({
      Objects: '3 objects, 5.0 MiB (from an earlier run: the stage did not run this time)',
      'Pre-warming': '90.0% of 10 requests succeeded (9 ok)',
      'Cache status': 'miss 7, hit 3',
      Errors: '1 failed request on 1 key; 1 key in the exclusion list',
    });
    expect(formatBytes(512)).toBe('512 B');
  });

  it('escapes what it puts in the HTML page', () => {
    const html = renderHtml(options({ bucket: '<script>alert(1)</script>', baseUrl: 'http://127.0.0.1/?token=abc' }), newState({ remote: 'local', bucket: 'x' }), {});
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('token=REDACTED');
  });

  it('keeps one readable line of a failing tool\'s error', () => {
    const k6 = 'time="2026-01-01T00:00:00Z" level=error msg="Error: RESULTS_FILE has no records\\n\\tat build (file:///x.js:1:1)" hint="script exception"';
    expect(shortError(k6)).toBe('Error: RESULTS_FILE has no records');
    expect(shortError('media-toolkit: bucket "x" does not exist')).toBe('bucket "x" does not exist');
    expect(shortError('y'.repeat(500))).toHaveLength(240);
  });

  it('turns --loadtest-users/--loadtest-duration into ramp, hold, ramp down; --stageN-* win', () => {
    expect(loadStages(options({ loadtestUsers: 8, loadtestDuration: '1m' }))).toEqual([
      { users: 8, duration: '15s' }, { users: 8, duration: '30s' }, { users: 0, duration: '15s' },
    ]);
    expect(loadStages(options({ loadStages: [{ users: 2, duration: '5s' }, { users: 0 }, {}, {}, {}] }))).toEqual([
      { users: 2, duration: '5s' }, { users: 0, duration: '2m' },
    ]);
  });

  it('shows what changed, what was purged and the coverage after warming, from purge\'s and verify\'s reports', () => {
    const purge = fromPurgeReport({ provider: 'cloudfront', itemLabel: 'path', keys: 21, urls: 90, items: 39, calls: 1, purged: 39, failed: 0, wildcards: 15, notCached: 0 });
    const coverage = fromVerifyReport({ coverage: { overall: { total: 40, hits: 38, ratio: 0.95 } } });
    const rows = Object.fromEntries(headlineRows({ changes: { baseline: 'x', new: 2, changed: 3, deleted: 1, replaced: 1, toPurge: 5, toWarm: 6 }, purge, coverage }));
    expect(rows.Changes).toBe('2 new keys, 3 changed, 1 deleted since the previous listing; 1 source replaced by optimize; 5 to purge, 6 to warm again');
    expect(rows.Purge).toBe('39 path(s) for 21 keys (15 wildcards) via cloudfront in 1 call: 39 purged, 0 failed');
    expect(rows['Coverage after warming']).toBe('95.0% HIT (38 of 40 re-requested)');
    expect(Object.fromEntries(headlineRows({ changes: null })).Changes).toBe('no previous listing to compare with (the first run in this folder); optimize replaced nothing');
    expect(fromPurgeReport({ nothing: 1 })).toBeUndefined();
    expect(fromVerifyReport({ coverage: {} })).toBeUndefined();
  });

  it('plans the purge and prewarm stages from what changed, and skips them with the reason', () => {
    const o = options({ baseUrl: 'https://cdn.example.com/v?token=abc', purge: { provider: 'cloudflare', zoneId: 'Z' }, changedOnly: true });
    const exists = () => false;
    const none = planStage('purge', o, exists, { changesKnown: true });
    expect(none.blocked).toBe('no previous listing to compare with (the first run in this folder), and optimize replaced nothing');
    const onlyNew = planStage('purge', o, exists, { changesKnown: true, changes: { new: 3, changed: 0, deleted: 0, replaced: 0, toPurge: 0, toWarm: 3 } });
    expect(onlyNew.blocked).toBe('only new keys (3): nothing of theirs is cached yet');
    const some = { changesKnown: true, compared: true, changes: { new: 0, changed: 2, deleted: 0, replaced: 0, toPurge: 2, toWarm: 2 } };
    const p = planStage('purge', o, exists, some);
    expect(p.blocked).toBeUndefined();
    expect(p.steps[0].args.slice(0, 5)).toEqual(['purge', '--provider', 'cloudflare', '--keys-file', '/nonexistent-output/changes.jsonl']);
    expect(p.steps[0].args).toContain('--zone-id');
    // The base URL and its token never go on the command line.
    expect(p.steps[0].args.join(' ')).not.toContain('token');
    expect(p.steps[0].env).toEqual({ MEDIA_TOOLKIT_BASE_URL: 'https://cdn.example.com/v?token=abc' });
    expect(planStage('purge', options({ baseUrl: 'https://x' }), exists, some).blocked).toBe('no --purge-provider: the cached derivatives of 2 changed key(s) may be stale');
    const w = planStage('prewarm', o, exists, some);
    expect(w.steps[0].args).toContain('--only-keys');
    expect(planStage('prewarm', o, exists, { changesKnown: true, compared: true, changes: { new: 0, changed: 0, deleted: 4, replaced: 0, toPurge: 4, toWarm: 0 } }).blocked).toBe('nothing new or changed to warm (--changed-only)');
    expect(planStage('prewarm', o, exists, { changesKnown: true, compared: true }).blocked).toBe('nothing changed since the previous listing (--changed-only)');
    // Nothing compared (the first run, or no analysis): optimize's replacements are purged, but everything is warmed.
    const replacedOnly = { changesKnown: true, compared: false, changes: { new: 0, changed: 0, deleted: 0, replaced: 1, toPurge: 1, toWarm: 1 } };
    expect(planStage('purge', o, exists, replacedOnly).blocked).toBeUndefined();
    const all = planStage('prewarm', o, exists, replacedOnly);
    expect(all.blocked).toBeUndefined();
    expect(all.steps[0].args).not.toContain('--only-keys');
    expect(planStage('prewarm', o, exists, { changesKnown: true, compared: false }).blocked).toBeUndefined();
    // A prewarm with nothing to warm leaves verify nothing new; a missing --base-url is no such reason.
    const nothing = planStage('prewarm', o, exists, { changesKnown: true, compared: true });
    expect(nothing.nothingToDo).toBe(true);
    expect(planStage('prewarm', options({ changedOnly: true }), exists, { changesKnown: true, compared: true })).toMatchObject({ blocked: 'needs --base-url', nothingToDo: false });
    const results = (p: string) => p.endsWith('prewarm-results.json');
    expect(planStage('verify', o, results, { changesKnown: true, warmedNothing: nothing.blocked }).blocked).toBe(`nothing was warmed in this run (${nothing.blocked})`);
    expect(planStage('verify', o, results).blocked).toBeUndefined();
  });
});
