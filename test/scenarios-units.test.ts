// The pure modules of the k6 scenario (no k6 imports): range picking, response
// checks, record selection, exclusion lists, settings, load shapes,
// thresholds, player sessions, record picking and the summary reports.
import { describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import { seededRng } from '../scenarios/lib/random.js';
import { pickRequestRange, rangeHeader, REGION_BOUNDS, KB, type RangeOptions } from '../scenarios/lib/ranges.js';
import { verifyResponse, parseContentRange } from '../scenarios/lib/response-check.js';
import { parseResultsText, selectRecordsFromText } from '../scenarios/lib/records.js';

const selectRecords = (raw: Partial<ResultsRecord>[], filter = {}) => selectRecordsFromText(JSON.stringify(raw), filter);
import { decodeTarget, encodeTarget } from '../scenarios/lib/target.js';
import { parseExclusionList } from '../scenarios/lib/exclusions.js';
import { resolveConfig, missingSettings } from '../scenarios/lib/config.js';
import { buildScenarios } from '../scenarios/lib/load-shape.js';
import { buildThresholds } from '../scenarios/lib/thresholds.js';
import { randomIndex, sequentialIndex } from '../scenarios/lib/pick.js';
import { recordUrl } from '../scenarios/lib/urls.js';
import { canonicalHeaderName, k6HeaderLookup } from '../scenarios/lib/headers.js';
import { summarize, type K6SummaryData } from '../common/loadtest-report/summary.js';
import { textSummary } from '../common/loadtest-report/text.js';
import { markdownSummary } from '../common/loadtest-report/markdown.js';
import { junitXml } from '../common/loadtest-report/junit.js';
import { parseCacheStatus } from '../common/cache-status.js';
import type { ResultsRecord } from '../common/results-record.js';

const OPTS: RangeOptions = { rangeProbability: 0.8, minChunkBytes: 50 * KB, maxChunkBytes: 500 * KB };
// Every request ranged: the region and chunk rules on their own, through the function the scenario calls.
const ALWAYS: RangeOptions = { ...OPTS, rangeProbability: 1 };

describe('range picker', () => {
  it('starts 50% in the first third, 40% in the middle third, 10% at 66-85%', () => {
    const rng = seededRng(42);
    const size = 90_000_000;
    const counts = { first: 0, middle: 0, end: 0 };
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const r = pickRequestRange(size, rng, ALWAYS)!;
      const f = r.start / size;
      if (f < 1 / 3) counts.first++;
      else if (f < 0.66) counts.middle++;
      else {
        expect(f).toBeLessThan(0.85);
        counts.end++;
      }
    }
    expect(counts.first / n).toBeCloseTo(0.5, 1);
    expect(counts.middle / n).toBeCloseTo(0.4, 1);
    expect(counts.end / n).toBeCloseTo(0.1, 1);
    expect(Math.abs(counts.first / n - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(counts.end / n - 0.1)).toBeLessThan(0.015);
  });

  it('keeps every range inside the file with chunks of 50-500 KB', () => {
    const rng = seededRng(7);
    const bad: string[] = [];
    for (const size of [1, 10, 1000, 60 * KB, 300 * KB, 2_000_000, 5_000_000_000]) {
      for (let i = 0; i < 2000; i++) {
        const r = pickRequestRange(size, rng, ALWAYS)!;
        const end = r.end ?? -1;
        const len = end - r.start + 1;
        // Shorter than the minimum only where the file ends first.
        if (r.start < 0 || end > size - 1 || end < r.start || len > 500 * KB || (len < 50 * KB && end !== size - 1)) bad.push(`${size}: ${r.start}-${end}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('sends a Range header on about 80% of requests and none when the size is unknown', () => {
    const rng = seededRng(3);
    let ranged = 0;
    for (let i = 0; i < 10_000; i++) if (pickRequestRange(1_000_000, rng, OPTS)) ranged++;
    expect(Math.abs(ranged / 10_000 - 0.8)).toBeLessThan(0.02);
    expect(pickRequestRange(0, rng, ALWAYS)).toBeNull();
    expect(pickRequestRange(1000, rng, { ...OPTS, rangeProbability: 0 })).toBeNull();
  });

  it('is repeatable from a seed', () => {
    const a = seededRng(99);
    const b = seededRng(99);
    for (let i = 0; i < 50; i++) expect(pickRequestRange(123_456_789, a, OPTS)).toEqual(pickRequestRange(123_456_789, b, OPTS));
    expect(REGION_BOUNDS.end).toEqual([0.66, 0.85]);
    // The first draw picks the region: 0.95 of the ranged share falls in the 66-85% stretch.
    const draws = [0.95 * 0.8, 0, 0];
    const r = pickRequestRange(1000, () => draws.shift()!, OPTS)!;
    expect(r.start).toBe(660);
    expect(rangeHeader({ start: 0, end: null })).toBe('bytes=0-');
    expect(rangeHeader({ start: 5, end: 9 })).toBe('bytes=5-9');
  });
});

describe('response check', () => {
  it('accepts a correct 206 and a whole-file 200', () => {
    expect(verifyResponse({ start: 10, end: 19 }, 100, { status: 206, contentRange: 'bytes 10-19/100', contentLength: '10' })).toEqual({ statusOk: true, rangeOk: true });
    expect(verifyResponse({ start: 0, end: null }, 100, { status: 206, contentRange: 'bytes 0-99/100', contentLength: '100' }).rangeOk).toBe(true);
    // A range past the end is clamped by the server to the last byte.
    expect(verifyResponse({ start: 90, end: 150 }, 100, { status: 206, contentRange: 'bytes 90-99/100', contentLength: '10' }).rangeOk).toBe(true);
    expect(verifyResponse(null, 100, { status: 200, contentLength: '100' })).toEqual({ statusOk: true, rangeOk: null });
  });

  it('fails a server that ignores Range, and wrong start, end, total or length', () => {
    const ignored = verifyResponse({ start: 10, end: 19 }, 100, { status: 200, contentLength: '100' });
    expect(ignored.statusOk).toBe(false);
    expect(ignored.rangeOk).toBe(false);
    expect(verifyResponse({ start: 10, end: 19 }, 100, { status: 206, contentRange: 'bytes 11-19/100', contentLength: '9' }).rangeOk).toBe(false);
    expect(verifyResponse({ start: 10, end: 19 }, 100, { status: 206, contentRange: 'bytes 10-20/100', contentLength: '11' }).rangeOk).toBe(false);
    expect(verifyResponse({ start: 10, end: 19 }, 100, { status: 206, contentRange: 'bytes 10-19/101', contentLength: '10' }).reason).toMatch(/total/);
    expect(verifyResponse({ start: 10, end: 19 }, 100, { status: 206, contentRange: 'bytes 10-19/100', contentLength: '11' }).reason).toMatch(/Content-Length/);
    expect(verifyResponse({ start: 10, end: 19 }, 100, { status: 206, contentRange: 'bytes 10-19/100' }).rangeOk).toBe(false);
    expect(verifyResponse({ start: 10, end: 19 }, 100, { status: 206, contentLength: '10' }).rangeOk).toBe(false);
    expect(verifyResponse(null, 100, { status: 206 }).statusOk).toBe(false);
    expect(parseContentRange('bytes 1-2/*')).toEqual({ start: 1, end: 2, total: null });
  });
});

function rec(over: Partial<ResultsRecord>): Partial<ResultsRecord> {
  return { key: 'a.mp4', derivative: 'desktop', kind: 'derivative', status: 200, ok: true, bytesReceived: 1000, contentLength: 1000, sourceSize: 5000, sizeCategory: 'small', width: 1920, height: 1080, ...over };
}

describe('records', () => {
  it('keeps successful records only, minus excluded keys and large files', () => {
    const raw = [
      rec({ key: 'ok.mp4' }),
      rec({ key: 'failed.mp4', ok: false, status: 500 }),
      rec({ key: 'excluded.mp4' }),
      rec({ key: 'huge.mp4', sourceSize: 300 * 1024 * 1024 }),
      rec({ key: 'sized.mp4', contentLength: null, bytesReceived: 777 }),
    ];
    const all = selectRecords(raw);
    expect(all.records.map((r) => r.key)).toEqual(['ok.mp4', 'excluded.mp4', 'huge.mp4', 'sized.mp4']);
    const sel = selectRecords(raw, { exclude: ['excluded.mp4'], skipLargeFiles: true, largeFileThresholdMb: 256 });
    expect(sel.records.map((r) => r.key)).toEqual(['ok.mp4', 'sized.mp4']);
    expect(sel).toMatchObject({ total: 5, failed: 1, excluded: 1, large: 1 });
    expect(sel.records[1].size).toBe(777);
    expect(Object.keys(sel.records[0]).sort()).toEqual(['derivative', 'height', 'key', 'kind', 'size', 'sizeCategory', 'video', 'width']);
    // Fractional thresholds (the demo's files are small).
    expect(selectRecords([rec({ sourceSize: 300_000 })], { skipLargeFiles: true, largeFileThresholdMb: 0.2 }).records).toHaveLength(0);
  });

  it('reads the results JSON, a bare array and a CSV', () => {
    const file = { version: 1, generatedAt: 'x', baseUrl: 'b', urlFormat: 'imwidth', records: [rec({})] };
    expect(parseResultsText(JSON.stringify(file))).toHaveLength(1);
    expect(parseResultsText(JSON.stringify([rec({}), rec({})]))).toHaveLength(2);
    expect(parseResultsText('  ')).toEqual([]);
    expect(() => parseResultsText('{"nope":1}')).toThrow(/records/);
    const csv = 'key,derivative,kind,status,ok,bytesReceived,contentLength,sourceSize,sizeCategory,width,height\n' +
      'videos/a b.mp4,mobile,derivative,200,true,4096,4096,9000,small,854,640\nvideos/c.mp4,mobile,derivative,503,false,0,,9000,small,854,640\n';
    const parseCsv = (t: string) => Papa.parse<Record<string, unknown>>(t, { header: true, dynamicTyping: true, skipEmptyLines: 'greedy' }).data;
    const sel = selectRecordsFromText(csv, {}, parseCsv);
    expect(parseResultsText(csv, parseCsv)).toHaveLength(2);
    expect(sel.records).toEqual([{ key: 'videos/a b.mp4', derivative: 'mobile', kind: 'derivative', size: 4096, sizeCategory: 'small', width: 854, height: 640, video: true }]);
  });

  it('reads a results JSON one record at a time, braces inside strings included, same answer as the whole-file parse', () => {
    const records = [rec({ key: 'a.mp4' }), rec({ key: 'b {1}.mp4', errorMessage: 'odd } text {' }), rec({ key: 'c.mp4', ok: false }), rec({ key: 'd.mp4' })];
    const file = { version: 1, generatedAt: 'x', baseUrl: 'b', urlFormat: 'imwidth', records };
    for (const text of [JSON.stringify(file), JSON.stringify(file, null, 2), JSON.stringify(records)]) {
      const streamed = selectRecordsFromText(text, { exclude: ['d.mp4'] });
      expect(streamed).toMatchObject({ total: 4, failed: 1, excluded: 1 });
      expect(streamed.records.map((r) => r.key)).toEqual(['a.mp4', 'b {1}.mp4']);
    }
    expect(selectRecordsFromText('   ').total).toBe(0);
    expect(() => selectRecordsFromText('{"nope":[]}')).toThrow(/records/);
    expect(() => selectRecordsFromText('{"records":[{"key":"a.mp4",')).toThrow(/not valid JSON near record 1/);
  });

  it('keeps each record as one short string and reads it back', () => {
    const t = { url: 'http://h/a%20b.mp4?imwidth=854', derivative: 'mobile', sizeCategory: 'small' as const, size: 4096, width: 854, height: 640, video: true, durationSeconds: 12.5 };
    expect(decodeTarget(encodeTarget(t))).toEqual(t);
    expect(decodeTarget(encodeTarget({ ...t, width: undefined, height: undefined, size: 0, video: false, durationSeconds: undefined }))).toEqual({ url: t.url, derivative: 'mobile', sizeCategory: 'small', size: 0, video: false });
  });

  it('parses exclusion lists in every accepted form', () => {
    expect(parseExclusionList('{"version":1,"generatedAt":"x","keys":["a.mp4","b c.mp4"]}')).toEqual(['a.mp4', 'b c.mp4']);
    expect(parseExclusionList('["a.mp4"]')).toEqual(['a.mp4']);
    expect(parseExclusionList('[{"key":"a.mp4","errorClass":"timeout"}]')).toEqual(['a.mp4']);
    expect(parseExclusionList('# failing\na.mp4\n\n  b.mp4  \n')).toEqual(['a.mp4', 'b.mp4']);
    expect(() => parseExclusionList('{"other":1}')).toThrow(/keys/);
    expect(() => parseExclusionList('{bad json')).toThrow(/JSON/);
  });
});

describe('settings', () => {
  const base = { BASE_URL: 'http://127.0.0.1:1', RESULTS_FILE: '/r.json' };

  it('reads up to five stages, env over the config file over defaults', () => {
    const cfg = resolveConfig({ ...base, STAGE1_USERS: '5', STAGE1_DURATION: '10s', STAGE2_USERS: '0', STAGE2_DURATION: '1m30s' });
    expect(cfg.stages).toEqual([{ target: 5, duration: '10s' }, { target: 0, duration: '1m30s' }]);
    expect(cfg.thresholds).toMatchObject({ reqDurationMs: 15000, failureRate: 0.05, abortOnFail: false });
    expect(cfg.largeFileThresholdMb).toBe(256);
    const fromFile = resolveConfig({ ...base, MIN_SLEEP: '0' }, { stages: [{ users: 3, duration: '5s' }], minSleep: 2, MAX_SLEEP: 4, urlFormat: 'derivative' });
    expect(fromFile.stages).toEqual([{ target: 3, duration: '5s' }]);
    expect(fromFile.minSleep).toBe(0);
    expect(fromFile.maxSleep).toBe(4);
    expect(fromFile.urlFormat).toBe('derivative');
    expect(resolveConfig(base).stages).toHaveLength(3);
    expect(resolveConfig({ ...base, STAGE5_USERS: '1', STAGE5_DURATION: '5' }).stages).toEqual([{ target: 1, duration: '5s' }]);
  });

  it('says clearly what is wrong', () => {
    expect(missingSettings(resolveConfig({}))).toMatch(/BASE_URL.*RESULTS_FILE/);
    expect(missingSettings(resolveConfig(base))).toBeUndefined();
    expect(() => resolveConfig({ ...base, URL_FORMAT: 'nope' })).toThrow(/URL_FORMAT/);
    expect(() => resolveConfig({ ...base, STAGE1_DURATION: 'soon' })).toThrow(/STAGE1_DURATION/);
    expect(() => resolveConfig({ ...base, RANGE_PROBABILITY: '2' })).toThrow(/RANGE_PROBABILITY/);
    expect(() => resolveConfig({ ...base, SMOKE: 'maybe' })).toThrow(/SMOKE/);
    expect(() => resolveConfig({ ...base, MIN_CHUNK_KB: '600' , MAX_CHUNK_KB: '500' })).toThrow(/MAX_CHUNK_KB/);
  });

  it('builds ramping-vus, ramping-arrival-rate, smoke and sequential scenarios', () => {
    const vus = buildScenarios(resolveConfig({ ...base, STAGE1_USERS: '4', STAGE1_DURATION: '2s' }), 10).media;
    expect(vus).toMatchObject({ executor: 'ramping-vus', startVUs: 0, stages: [{ target: 4, duration: '2s' }] });
    const ar = buildScenarios(resolveConfig({ ...base, LOAD_MODE: 'arrival-rate', STAGE1_USERS: '20', STAGE1_DURATION: '2s', PRE_ALLOCATED_VUS: '5', MAX_VUS: '50' }), 10).media;
    expect(ar).toMatchObject({ executor: 'ramping-arrival-rate', timeUnit: '1s', preAllocatedVUs: 5, maxVUs: 50, stages: [{ target: 20, duration: '2s' }] });
    expect(buildScenarios(resolveConfig({ ...base, SMOKE: 'true' }), 10).media).toMatchObject({ executor: 'per-vu-iterations', vus: 1, iterations: 3 });
    expect(buildScenarios(resolveConfig({ ...base, LOAD_PRESET: 'smoke' }), 10).media).toMatchObject({ vus: 1 });
    expect(buildScenarios(resolveConfig({ ...base, SEQUENTIAL: 'true', VUS: '2' }), 7).media).toMatchObject({ executor: 'shared-iterations', vus: 2, iterations: 7 });
  });

  it('builds thresholds, optional ones only when asked, abortOnFail when asked', () => {
    const t = buildThresholds(resolveConfig(base).thresholds);
    expect(t).toEqual({ http_req_duration: ['p(95)<15000'], http_req_failed: ['rate<0.05'] });
    const all = buildThresholds(resolveConfig({ ...base, CACHE_HIT_THRESHOLD: '0.9', TTFB_THRESHOLD: '200', RANGE_CORRECTNESS_THRESHOLD: '1', ABORT_ON_FAIL: 'true' }).thresholds);
    expect(all.media_cache_hit).toEqual([{ threshold: 'rate>=0.9', abortOnFail: true, delayAbortEval: '2s' }]);
    expect(all.http_req_waiting[0]).toMatchObject({ threshold: 'p(95)<200' });
    expect(all.media_range_ok[0]).toMatchObject({ threshold: 'rate>=1' });
  });
});

describe('record picking, URLs, headers', () => {
  it('sequential iterations take record i % n; random ones spread over all records', () => {
    expect([0, 1, 2, 3, 4].map((i) => sequentialIndex(i, 3))).toEqual([0, 1, 2, 0, 1]);
    expect(sequentialIndex(7, 0)).toBe(0);
    // Random mode: the VU's generator, uniform over the records and inside them.
    const drawn = new Array(10).fill(0);
    const rng = seededRng(11);
    for (let i = 0; i < 10_000; i++) drawn[randomIndex(rng, 10)]++;
    for (const h of drawn) expect(h).toBeGreaterThan(800);
    expect(randomIndex(() => 0.999999, 10)).toBe(9);
  });

  it('builds URLs through the common module', () => {
    const r = { key: 'videos/a b.mp4', derivative: 'mobile', kind: 'derivative' as const, size: 1, sizeCategory: 'small' as const, width: 854, height: 640, video: true };
    expect(recordUrl(r, { baseUrl: 'http://h/', urlFormat: 'imwidth' })).toBe('http://h/videos/a%20b.mp4?imwidth=854');
    expect(recordUrl(r, { baseUrl: 'http://h', urlFormat: 'derivative' })).toBe('http://h/videos/a%20b.mp4/mobile/');
    expect(recordUrl(r, { baseUrl: 'http://h', urlFormat: 'query' })).toBe('http://h/videos/a%20b.mp4?derivative=mobile&width=854&height=640');
    expect(recordUrl(r, { baseUrl: 'http://h', urlFormat: 'imwidth', urlTemplate: '{base}/vid/{derivative}/{key}' })).toBe('http://h/vid/mobile/videos/a%20b.mp4');
    // Image variants: unset keeps the catalogue form (prewarm's default); an explicit imwidth is imwidth, as prewarm --url-format imwidth built it.
    const img = { ...r, key: 'i.jpg', derivative: 'small', kind: 'variant' as const };
    expect(recordUrl(img, { baseUrl: 'http://h' })).toBe('http://h/i.jpg?width=400');
    expect(recordUrl(img, { baseUrl: 'http://h', urlFormat: 'imwidth' })).toBe('http://h/i.jpg?imwidth=400');
    expect(recordUrl(r, { baseUrl: 'http://h' })).toBe('http://h/videos/a%20b.mp4?imwidth=854');
  });

  it('looks headers up in k6 canonical form with the common cache-status parser', () => {
    expect(canonicalHeaderName('cf-cache-status')).toBe('Cf-Cache-Status');
    expect(parseCacheStatus(k6HeaderLookup({ 'Cf-Cache-Status': 'HIT' }))).toBe('hit');
    expect(parseCacheStatus(k6HeaderLookup({ 'X-Cache': 'Miss from cloudfront' }))).toBe('miss');
    expect(parseCacheStatus(k6HeaderLookup({}))).toBe('unknown');
  });
});

describe('summary', () => {
  const data: K6SummaryData = {
    state: { testRunDurationMs: 4200 },
    metrics: {
      http_reqs: { type: 'counter', values: { count: 100, rate: 23.8 } },
      http_req_failed: { type: 'rate', values: { rate: 0.3, passes: 30, fails: 70 }, thresholds: { 'rate<0.05': { ok: false } } },
      http_req_duration: { type: 'trend', values: { avg: 3, med: 2, 'p(95)': 9, max: 20 }, thresholds: { 'p(95)<15000': { ok: true } } },
      media_cache_hit: { type: 'rate', values: { rate: 0.75 } },
      'http_req_waiting{derivative:mobile}': { type: 'trend', values: { 'p(95)': 4, count: 60 } },
      'media_cache_hit{derivative:mobile}': { type: 'rate', values: { rate: 0.8 } },
      iterations: { type: 'counter', values: { count: 100 } },
    },
    root_group: { name: '', groups: [], checks: [{ name: 'status <ok> & "fine"', passes: 70, fails: 30 }] },
  };

  it('reports crossed thresholds in text, Markdown and JUnit', () => {
    const s = summarize(data, { settings: { baseUrl: 'http://h' } });
    expect(s.passed).toBe(false);
    expect(s.thresholds.find((t) => t.metric === 'http_req_failed')).toMatchObject({ ok: false, actual: 0.3 });
    expect(s.byDerivative).toEqual([{ derivative: 'mobile', ttfbP95: 4, requests: 60, cacheHitRate: 0.8 }]);
    expect(textSummary(s)).toMatch(/FAIL http_req_failed rate<0.05 \(actual 30.0%\)/);
    expect(textSummary(s)).toMatch(/cache hits\s+75.0%/);
    expect(markdownSummary(s)).toMatch(/\| http_req_failed \| `rate<0.05` \| 30.0% \| \*\*fail\*\* \|/);
    const xml = junitXml(s);
    expect(xml).toMatch(/failures="2"/);
    expect(xml).toContain('name="status &lt;ok&gt; &amp; &quot;fine&quot;"');
    expect(xml).toMatch(/<testcase classname="thresholds" name="http_req_duration p\(95\)&lt;15000"\/>/);
  });
  it('a derivative this run drew no record of has no figures (k6 reports its declared submetrics as 0)', () => {
    const none: K6SummaryData = {
      ...data,
      metrics: {
        ...data.metrics,
        'http_req_waiting{derivative:desktop}': { type: 'trend', values: { 'p(95)': 0, count: 0 } },
        'http_req_duration{derivative:desktop}': { type: 'trend', values: { med: 0, 'p(90)': 0, 'p(95)': 0, 'p(99)': 0, count: 0 } },
        'media_cache_hit{derivative:desktop}': { type: 'rate', values: { rate: 0, passes: 0, fails: 0 } },
      },
    };
    const desktop = summarize(none, { settings: { baseUrl: 'http://h' } }).byDerivative.find((d) => d.derivative === 'desktop');
    expect(desktop).toEqual({ derivative: 'desktop', requests: 0 });
  });
});
