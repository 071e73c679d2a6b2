// The bundled scenario under the real k6 binary against the real origin: a
// staged run that passes, every sample tagged with its request's derivative and
// size category, a failing origin that makes k6 exit 99, range checks
// that catch an origin ignoring Range, MISS turning to HIT, two execution
// segments covering the records without overlap, an archive run elsewhere,
// player sessions, and the init-time stop on a missing or empty data file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { RunningOrigin } from '../origin/types.js';
import { derivativeUrl } from '../common/url.js';
import type { LoadtestSummary } from '../common/loadtest-report/summary.js';
import { BUNDLE, k6, makeLibrary, serve, writeResults, type Library } from './loadtest-fixture.js';

let lib: Library;
const origins: RunningOrigin[] = [];

async function origin(faults = {}): Promise<RunningOrigin> {
  const o = await serve(lib, faults);
  origins.push(o);
  return o;
}

async function summary(path: string): Promise<LoadtestSummary & { k6: Record<string, { values: Record<string, number> }> }> {
  return JSON.parse(await readFile(path, 'utf8'));
}

function reportEnv(name: string) {
  return { SUMMARY_JSON: join(lib.dir, `${name}.json`), SUMMARY_MD: join(lib.dir, `${name}.md`), SUMMARY_HTML: join(lib.dir, `${name}.html`), JUNIT_XML: join(lib.dir, `${name}.xml`) };
}

beforeAll(async () => {
  lib = await makeLibrary(10); // 10 keys x 2 derivatives = 20 records
});

afterAll(async () => {
  await Promise.all(origins.map((o) => o.close()));
  await rm(lib.dir, { recursive: true, force: true });
});

describe('k6 scenario against the origin', () => {
  it('a short staged run passes its thresholds, checks every range, and counts cache hits as the origin served them', async () => {
    const o = await origin();
    const r = await k6(['run', BUNDLE], {
      BASE_URL: o.url, RESULTS_FILE: lib.resultsFile, SEED: 5,
      STAGE1_USERS: 3, STAGE1_DURATION: '2s', STAGE2_USERS: 3, STAGE2_DURATION: '1s',
      MIN_SLEEP: 0.02, MAX_SLEEP: 0.08,
      CACHE_HIT_THRESHOLD: 0.3, RANGE_CORRECTNESS_THRESHOLD: 1, TTFB_THRESHOLD: 5000,
      ...reportEnv('staged'),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/media-toolkit loadtest: PASSED/);
    expect(r.stdout).toMatch(/ok {3}media_range_ok rate>=1/);
    const s = await summary(join(lib.dir, 'staged.json'));
    const stats = o.stats();
    expect(s.passed).toBe(true);
    expect(s.requests).toBe(stats.requests);
    expect(s.requests).toBeGreaterThan(30);
    expect(s.failedRate).toBe(0);
    expect(s.rangeCorrectRate).toBe(1);
    // The first request of each URL is a MISS, later ones HITs: the rate k6
    // measured from cf-cache-status is exactly the origin's own count.
    expect(stats.misses).toBeGreaterThan(0);
    expect(stats.misses).toBeLessThanOrEqual(20);
    expect(stats.hits).toBeGreaterThan(stats.misses);
    expect(s.cacheHitRate).toBeCloseTo(stats.hits / stats.requests, 9);
    expect(s.checks.fails).toBe(0);
    // 80% ranges: range checks ran on most requests, not all.
    const rangeChecks = s.k6.media_range_ok.values.passes + s.k6.media_range_ok.values.fails;
    expect(rangeChecks).toBeGreaterThan(s.requests * 0.55);
    expect(rangeChecks).toBeLessThan(s.requests);
    expect(s.byDerivative.map((d) => d.derivative)).toEqual(['desktop', 'mobile']);
    for (const d of s.byDerivative) expect(d.bytes).toBeGreaterThan(0);
    expect(await readFile(join(lib.dir, 'staged.md'), 'utf8')).toMatch(/\*\*Result: passed\*\*/);
    const xml = await readFile(join(lib.dir, 'staged.xml'), 'utf8');
    expect(xml).toMatch(/<testsuites name="media-toolkit loadtest" tests="\d+" failures="0"/);
  });

  it("every sample carries its own request's derivative and size category (VU tags), k6's data_received included", async () => {
    const o = await origin();
    // Desktop records medium, mobile small: a stale tag from the previous request would show.
    const results = join(lib.dir, 'categories.json');
    await writeResults(results, lib.records.map((x) => ({ ...x, sizeCategory: x.derivative === 'desktop' ? 'medium' : 'small' })));
    const out = join(lib.dir, 'samples.json');
    const r = await k6(['run', '--out', `json=${out}`, BUNDLE], {
      BASE_URL: o.url, RESULTS_FILE: results, SMOKE: true, SMOKE_ITERATIONS: 16, SEED: 11, RANGE_PROBABILITY: 1, MIN_SLEEP: 0, MAX_SLEEP: 0,
      ...reportEnv('tags'),
    });
    expect(r.code, r.stderr).toBe(0);
    const category: Record<string, string> = { desktop: 'medium', mobile: 'small' };
    const seen: Record<string, Set<string>> = {};
    const received: Record<string, number> = {};
    for (const line of (await readFile(out, 'utf8')).split('\n')) {
      if (!line) continue;
      const p = JSON.parse(line) as { type: string; metric: string; data: { value: number; tags: Record<string, string> } };
      // setup() runs before any request: its network samples carry no record.
      if (p.type !== 'Point' || p.metric === 'vus' || p.metric === 'vus_max' || p.data.tags.group === '::setup') continue;
      const { derivative, size_category: sizeCategory, name } = p.data.tags;
      expect(category[derivative], `${p.metric} ${JSON.stringify(p.data.tags)}`).toBeDefined();
      expect(sizeCategory, p.metric).toBe(category[derivative]);
      (seen[p.metric] ??= new Set()).add(derivative);
      // http_req_* samples: the VU's tags agree with the request's own name tag.
      if (p.metric.startsWith('http_req')) expect(name).toBe(`media ${derivative}`);
      if (p.metric === 'data_received') received[derivative] = (received[derivative] ?? 0) + p.data.value;
    }
    for (const metric of ['http_reqs', 'http_req_waiting', 'checks', 'media_cache_hit', 'media_range_ok', 'data_received', 'iterations']) {
      expect([...(seen[metric] ?? [])].sort(), metric).toEqual(['desktop', 'mobile']);
    }
    expect(received.desktop).toBeGreaterThan(0);
    expect(received.mobile).toBeGreaterThan(0);
    const s = await summary(join(lib.dir, 'tags.json'));
    expect(s.byDerivative.map((d) => [d.derivative, d.bytes])).toEqual([['desktop', received.desktop], ['mobile', received.mobile]]);
  });

  it('an origin failing 30% of requests crosses the failure threshold: k6 exits 99', async () => {
    const o = await origin({ errorRate: 0.3 });
    const r = await k6(['run', BUNDLE], {
      BASE_URL: o.url, RESULTS_FILE: lib.resultsFile, SEQUENTIAL: true, ITERATIONS: 60, VUS: 2, MIN_SLEEP: 0, MAX_SLEEP: 0,
      ...reportEnv('errors'),
    });
    expect(r.code, r.stderr).toBe(99);
    expect(r.stdout).toMatch(/FAIL http_req_failed rate<0.05/);
    const s = await summary(join(lib.dir, 'errors.json'));
    expect(s.passed).toBe(false);
    expect(s.failedRate).toBeCloseTo(o.stats().errorsInjected / 60, 9);
    expect(s.failedRate).toBeGreaterThan(0.15);
    expect(await readFile(join(lib.dir, 'errors.xml'), 'utf8')).toMatch(/<failure message="http_req_failed rate&lt;0.05 crossed/);
  });

  it('ABORT_ON_FAIL stops a long run as soon as the failure threshold is crossed', async () => {
    const o = await origin({ errorRate: 0.5 });
    const r = await k6(['run', BUNDLE], {
      BASE_URL: o.url, RESULTS_FILE: lib.resultsFile, STAGE1_USERS: 2, STAGE1_DURATION: '1s', STAGE2_USERS: 2, STAGE2_DURATION: '60s', MIN_SLEEP: 0.01, MAX_SLEEP: 0.02,
      ABORT_ON_FAIL: true, ...reportEnv('abort'),
    });
    expect(r.code).toBe(99);
    const s = await summary(join(lib.dir, 'abort.json'));
    expect(s.passed).toBe(false);
    // Stopped a few seconds in (2 s evaluation delay), not after the 61 s of stages.
    expect(s.durationSeconds).toBeLessThan(30);
  });

  it('range checks catch an origin that ignores Range (200 with the whole file)', async () => {
    const o = await origin({ ignoreRange: true });
    const r = await k6(['run', BUNDLE], {
      BASE_URL: o.url, RESULTS_FILE: lib.resultsFile, SMOKE: true, SMOKE_ITERATIONS: 8, RANGE_PROBABILITY: 1, MIN_SLEEP: 0, MAX_SLEEP: 0,
      ...reportEnv('norange'),
    });
    expect(r.code).toBe(99);
    const s = await summary(join(lib.dir, 'norange.json'));
    expect(s.requests).toBe(8);
    expect(s.rangeCorrectRate).toBe(0);
    expect(s.failedRate).toBe(1); // 206 was expected per request
    const rangeCheck = s.checks.list.find((c) => /Content-Range/.test(c.name));
    expect(rangeCheck).toMatchObject({ passes: 0, fails: 8 });
    expect(r.stdout).toMatch(/x range: 206 with Content-Range and Content-Length matching the range asked: 8 failed of 8/);
  });

  it('two execution segments cover every record once (all MISS), then an archive run elsewhere finds them all HIT', async () => {
    const o = await origin();
    const seq = '0,1/2,1';
    const common = { BASE_URL: o.url, RESULTS_FILE: lib.resultsFile, SEQUENTIAL: true, VUS: 2, MIN_SLEEP: 0, MAX_SLEEP: 0 };
    const run = (segment: string, name: string) =>
      k6(['run', '--execution-segment', segment, '--execution-segment-sequence', seq, '--http-debug', BUNDLE], { ...common, ...reportEnv(name) });
    const [a, b] = await Promise.all([run('0:1/2', 'seg-a'), run('1/2:1', 'seg-b')]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    // --http-debug logs each request line: the paths each instance asked for.
    const pathsOf = (stderr: string) => [...stderr.matchAll(/Request:\\nGET (\S+) HTTP\/1\.1/g)].map((m) => `${o.url}${m[1]}`);
    const ua = pathsOf(a.stderr);
    const ub = pathsOf(b.stderr);
    expect(ua.length).toBe(10);
    expect(ub.length).toBe(10);
    const expected = lib.records.map((r) => derivativeUrl(o.url, r.key, { name: r.derivative, width: r.width!, height: r.height! }));
    expect([...ua, ...ub].sort()).toEqual([...expected].sort()); // together: every record, none twice
    expect(ua.filter((u) => ub.includes(u))).toEqual([]);
    expect(o.stats()).toMatchObject({ requests: 20, misses: 20, hits: 0 });
    // Each runner wrote its reports under its own name (instance index of the segment sequence).
    const segA = await summary(join(lib.dir, 'seg-a.runner-1-of-2.json'));
    expect(segA.cacheHitRate).toBe(0);
    expect(segA.runner).toEqual({ segment: '0:1/2', index: 1, count: 2 });
    expect((await summary(join(lib.dir, 'seg-b.runner-2-of-2.json'))).runner).toMatchObject({ index: 2, count: 2 });
    for (const ext of ['md', 'xml']) expect(existsSync(join(lib.dir, `seg-b.runner-2-of-2.${ext}`)), ext).toBe(true);
    expect(existsSync(join(lib.dir, 'seg-a.json'))).toBe(false);

    // Archive with the data inside, then run it from another folder with the data file gone.
    const dataCopy = join(lib.dir, 'archived-results.json');
    await copyFile(lib.resultsFile, dataCopy);
    const archive = join(lib.dir, 'loadtest.tar');
    const ar = await k6(['archive', '-O', archive, BUNDLE], { ...common, RESULTS_FILE: dataCopy });
    expect(ar.code, ar.stderr).toBe(0);
    await rm(dataCopy);
    const elsewhere = await mkdtemp(join(tmpdir(), 'mt-archive-run-'));
    try {
      const r = await k6(['run', archive], reportEnv('archive'), { cwd: elsewhere });
      expect(r.code, r.stderr).toBe(0);
      const s = await summary(join(lib.dir, 'archive.json'));
      expect(s.requests).toBe(20);
      expect(s.cacheHitRate).toBe(1); // warmed by the two segments: MISS turned to HIT
      expect(o.stats()).toMatchObject({ requests: 40, misses: 20, hits: 20 });
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('player sessions on bytes that are no MP4: paced by an assumed bitrate, said so, every range correct', async () => {
    const o = await origin();
    const r = await k6(['run', BUNDLE], {
      BASE_URL: o.url, RESULTS_FILE: lib.resultsFile, MODE: 'player', SMOKE: true, SEED: 3, PLAYER_OPEN_KB: 16,
      PLAYER_TIME_SCALE: 0.001, PLAYER_CHUNK_SECONDS: 1, SESSION_MEAN_SECONDS: 4, SEEK_PROBABILITY: 0.2,
      RANGE_CORRECTNESS_THRESHOLD: 1, ...reportEnv('player'),
    });
    expect(r.code, r.stderr).toBe(0);
    const s = await summary(join(lib.dir, 'player.json'));
    expect(s.iterations).toBe(3);
    expect(s.requests).toBeGreaterThan(3);
    expect(s.rangeCorrectRate).toBe(1);
    expect(s.video?.sessions).toBe(3);
    expect(s.video?.durationSources).toEqual({ assumed: 3 });
    expect(r.stdout).toMatch(/3 session\(s\) paced by an assumed bitrate/);
    // Every request of a session is a bounded range.
    expect(s.k6.media_range_ok.values.passes).toBe(s.requests);
  });

  it('reads a CSV results file, drops keys from the error report and large files', async () => {
    const o = await origin();
    const cols = ['key', 'derivative', 'kind', 'status', 'ok', 'bytesReceived', 'contentLength', 'sourceSize', 'sizeCategory', 'width', 'height'];
    const big = lib.keys[1];
    const rows = lib.records.map((r) => cols.map((c) => {
      const v = c === 'sourceSize' && r.key === big ? 300 * 1024 * 1024 : (r as unknown as Record<string, unknown>)[c];
      return c === 'key' ? `"${String(v)}"` : String(v);
    }).join(','));
    const csv = join(lib.dir, 'results.csv');
    await writeFile(csv, `${cols.join(',')}\n${rows.join('\n')}\n`);
    const report = join(lib.dir, 'exclude.txt');
    await writeFile(report, `# from the error report\n${lib.keys[0]}\n${lib.keys[2]}\n`);
    const r = await k6(['run', '--http-debug', BUNDLE], {
      BASE_URL: o.url, RESULTS_FILE: csv, SEQUENTIAL: true, MIN_SLEEP: 0, MAX_SLEEP: 0, URL_FORMAT: 'query',
      USE_ERROR_REPORT: true, ERROR_REPORT_FILE: report, SKIP_LARGE_FILES: true, ...reportEnv('csv'),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/loadtest: 14 records to request \(20 in the results file, 0 not successful, 4 excluded by the error report, 2 large files skipped\)/);
    const asked = [...r.stderr.matchAll(/Request:\\nGET (\S+) HTTP\/1\.1/g)].map((m) => decodeURIComponent(m[1].split('?')[0].slice(1)));
    expect(asked).toHaveLength(14);
    for (const k of [lib.keys[0], lib.keys[1], lib.keys[2]]) expect(asked).not.toContain(k);
    expect(new Set(asked)).toEqual(new Set(lib.keys.slice(3)));
  });

  it('stops at init with one clear message when the results file is missing, empty or has nothing usable', async () => {
    const missing = join(lib.dir, 'nope.json');
    const r1 = await k6(['run', BUNDLE], { BASE_URL: 'http://127.0.0.1:9', RESULTS_FILE: missing });
    expect(r1.code).not.toBe(0);
    expect(r1.stderr).toContain(`RESULTS_FILE cannot be read: ${missing}`);
    const empty = join(lib.dir, 'empty.json');
    await writeFile(empty, '');
    const r2 = await k6(['run', BUNDLE], { BASE_URL: 'http://127.0.0.1:9', RESULTS_FILE: empty });
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toContain(`RESULTS_FILE is empty: ${empty}`);
    const failedOnly = join(lib.dir, 'failed-only.json');
    await writeResults(failedOnly, lib.records.map((x) => ({ ...x, ok: false, status: 500 })));
    const r3 = await k6(['run', BUNDLE], { BASE_URL: 'http://127.0.0.1:9', RESULTS_FILE: failedOnly });
    expect(r3.code).not.toBe(0);
    expect(r3.stderr).toMatch(/RESULTS_FILE has no records to load-test: .*\(20 records, 20 not successful/);
    expect(existsSync(join(lib.dir, 'reports'))).toBe(false);
  });
});
