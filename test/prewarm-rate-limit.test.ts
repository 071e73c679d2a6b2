// 429 answers: retried after Retry-After (seconds or an HTTP date, capped), and the adaptive
// concurrency halves what is in flight per origin when they rise, then grows back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runPrewarmJob } from '../prep/prewarm/prewarm-job.js';
import { createConcurrencyLimiter } from '../prep/prewarm/adaptive-concurrency.js';
import { DEFAULT_DERIVATIVES } from '../common/derivatives.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultsFile } from '../common/results-record.js';

let server: Server;
let base = '';
let inFlight = 0;
let maxInFlight = 0;
// A CDN that allows `allow` requests in flight and answers 429 beyond that.
let allow = 4;
let retryAfter: string | undefined = '1';
let count429 = 0;
const dir = mkdtempSync(join(tmpdir(), 'mt-rate-limit-'));

beforeAll(async () => {
  server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const done = () => inFlight--;
    if (inFlight > allow) {
      count429++;
      res.writeHead(429, retryAfter ? { 'retry-after': retryAfter } : {});
      res.end('slow down', done);
      return;
    }
    setTimeout(() => {
      res.writeHead(200, { 'content-length': '100' });
      res.end(Buffer.alloc(100), done);
    }, 30);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function* keys(n: number) {
  for (let i = 0; i < n; i++) yield { key: `v${i}.mp4`, size: 1000, lastModified: '', etag: '' };
}

const job = (output: string, over: Record<string, unknown> = {}) =>
  runPrewarmJob({
    objects: keys(60), baseUrl: base, mediaType: 'auto', derivatives: [DEFAULT_DERIVATIVES[0]], variants: [], thresholds: { smallMiB: 50, mediumMiB: 200 },
    workers: 32, timeoutMs: 5000, retries: 8, keepAliveMs: 1000, output, backoffBaseMs: 20, backoffMaxMs: 100, maxRetryAfterMs: 150, ...over,
  });

describe('rate limits', () => {
  it('retries 429 after Retry-After (capped by --max-retry-after) until every URL ends 200, cutting concurrency per origin', async () => {
    allow = 4;
    retryAfter = '1';
    count429 = 0;
    const out = join(dir, 'adaptive.json');
    const t0 = Date.now();
    const { summary } = await job(out);
    const recs = (JSON.parse(readFileSync(out, 'utf8')) as ResultsFile).records;
    expect(recs).toHaveLength(60);
    expect(recs.every((r) => r.ok && r.status === 200)).toBe(true);
    expect(recs.some((r) => r.attempts > 1)).toBe(true);
    // Retry-After 1 s was capped at 150 ms: 60 URLs with retries could not have taken a second each.
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(summary.answers.status429).toBe(count429);
    expect(summary.answers.status429).toBeGreaterThan(0);
    expect(summary.concurrency.adaptive).toBe(true);
    expect(summary.concurrency.cuts).toBeGreaterThan(0);
    expect(summary.concurrency.lowest).toBeLessThanOrEqual(16);
    expect(summary.concurrency.samples.length).toBeGreaterThan(0);
    expect(summary.concurrency.samples.some(([, allowed]) => allowed < 32)).toBe(true);
  });

  it('--no-adaptive keeps every worker in flight: more 429s for the same work', async () => {
    allow = 4;
    count429 = 0;
    const adaptive = await job(join(dir, 'a2.json'));
    const a429 = adaptive.summary.answers.status429;
    count429 = 0;
    const fixed = await job(join(dir, 'fixed.json'), { adaptive: false });
    expect(fixed.summary.concurrency).toMatchObject({ adaptive: false, cuts: 0 });
    expect(fixed.summary.stats.overall.ok).toBe(60);
    expect(fixed.summary.answers.status429).toBeGreaterThan(a429);
  });

  it('a 429 that never clears ends as rate_limited after the retries', async () => {
    allow = 0;
    retryAfter = new Date(Date.now() + 60_000).toUTCString();
    const out = join(dir, 'never.json');
    const { summary } = await job(out, { objects: keys(3), retries: 2 });
    expect(summary.stats.byErrorClass).toEqual({ rate_limited: 3 });
    const r = (JSON.parse(readFileSync(out, 'utf8')) as ResultsFile).records[0];
    expect(r).toMatchObject({ ok: false, status: 429, attempts: 3, errorClass: 'rate_limited' });
    allow = 4;
  });
});

describe('the concurrency limiter', () => {
  it('halves once per round trip on throttling, then grows back by one per window', async () => {
    const l = createConcurrencyLimiter(8);
    for (let i = 0; i < 8; i++) await l.acquire('o');
    const before = performance.now() - 1;
    // Eight throttled answers to requests sent before the cut: one cut, not eight.
    for (let i = 0; i < 8; i++) l.release('o', true, before);
    expect(l.cuts).toBe(1);
    expect(l.allowed()).toBe(4);
    // A fresh request throttled after the cut cuts again.
    await l.acquire('o');
    l.release('o', true, performance.now());
    expect(l.allowed()).toBe(1);
    for (let i = 0; i < 3; i++) {
      await l.acquire('o');
      l.release('o', false, performance.now());
    }
    expect(l.allowed()).toBeGreaterThanOrEqual(3);
    expect(l.lowest).toBe(1);
  });
});
