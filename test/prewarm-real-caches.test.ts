// Pre-warming and verify against caches nobody here wrote: nginx proxy_cache on two loopback
// addresses (two PoPs of one CDN host name), Varnish, nginx limit_req answering 429, and nginx
// requiring a token. The local origin sits behind them all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOrigin, type RunningOrigin } from '../origin/index.js';
import { startNginxCaches, startVarnish, type NginxCaches, type VarnishCache } from './fixtures/real-caches.js';
import { runCli } from './helpers/cli.js';
import type { ResultsFile, ResultsRecord } from '../common/results-record.js';

const TOKEN = 'ngx-t0ken-9a8b7c';
let dir: string;
let bucket: string;
let origin: RunningOrigin;
let nginx: NginxCaches;
let varnish: VarnishCache;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mt-real-caches-'));
  bucket = join(dir, 'bucket');
  for (const k of ['v/a b.mp4', 'v/ünï.mp4', 'v/c.mp4', 'img/p.jpg', 'img/q.png']) {
    mkdirSync(join(bucket, k, '..'), { recursive: true });
    writeFileSync(join(bucket, k), Buffer.alloc(400, 1));
  }
  origin = await startOrigin({ root: bucket, syntheticBytesPerWidth: 2 });
  [nginx, varnish] = await Promise.all([
    startNginxCaches(
      origin.url,
      [
        { host: '127.0.0.2', popHeaders: { 'cf-ray': '${request_id}-AMS' } },
        { host: '127.0.0.3', popHeaders: { 'x-served-by': 'cache-fra19129-FRA' } },
      ],
      { token: TOKEN, rateLimit: 20 },
    ),
    startVarnish(origin.url),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([nginx?.stop(), varnish?.stop()]);
  await origin?.close();
});

const records = (f: string): ResultsRecord[] => (JSON.parse(readFileSync(f, 'utf8')) as ResultsFile).records;
const storage = () => ['--remote', 'local', '--bucket', bucket, '--progress', 'false'];

describe('nginx proxy_cache on two PoP addresses', () => {
  it('warming through --edge makes each PoP a HIT on verify, PoP named from cf-ray and x-served-by', async () => {
    // The host name resolves nowhere: only --edge reaches the caches, and nginx sees it as Host.
    const base = `http://cdn.media-toolkit.invalid:${nginx.port}`;
    const out = join(dir, 'pops', 'r.json');
    const res = await runCli(['prewarm', ...storage(), '--base-url', base, '--edge', '127.0.0.2', '--edge', '127.0.0.3', '--derivatives', 'desktop,mobile', '--image-variants', 'small,webp', '--output', out, '--verify', '--min-hit-ratio', '1']);
    expect(res.code, res.stderr + res.stdout).toBe(0);
    const warmed = records(out);
    // (3 videos x 2 + 2 images x 2) x 2 PoPs
    expect(warmed).toHaveLength(20);
    expect(warmed.every((r) => r.ok && r.cacheStatus === 'miss')).toBe(true);
    expect(new Set(warmed.map((r) => `${r.edge} ${r.pop}`))).toEqual(new Set([`127.0.0.2:${nginx.port} AMS`, `127.0.0.3:${nginx.port} FRA`]));
    const report = JSON.parse(readFileSync(join(dir, 'pops', 'r.verify.json'), 'utf8'));
    expect(report.coverage.overall).toMatchObject({ total: 20, hits: 20, ratio: 1 });
    expect(report.coverage.byPop).toMatchObject({ AMS: { total: 10, hits: 10 }, FRA: { total: 10, hits: 10 } });
    const answers = readFileSync(join(dir, 'pops', 'r.verify.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ResultsRecord);
    expect(answers.every((a) => a.cacheStatus === 'hit' && a.status === 200 && a.bytesReceived === 0)).toBe(true);
    expect(res.stdout).toMatch(/^by PoP: AMS 100\.0% \(10\/10\), FRA 100\.0% \(10\/10\)$/m);
    const summary = JSON.parse(readFileSync(join(dir, 'pops', 'r.summary.json'), 'utf8'));
    expect(Object.keys(summary.stats.byPop).sort()).toEqual(['AMS', 'FRA']);
    // The HTML matrix shows one square per PoP per cell, every one a hit.
    const html = readFileSync(join(dir, 'pops', 'r.verify.html'), 'utf8');
    expect(html.match(/class="dot" style="background:#2e9e44" title="[^"]+@ (AMS|FRA): hit"/g)).toHaveLength(20);
  });

  it('one warmed PoP only: verify finds the other still cold and exits 1', async () => {
    const base = `http://cdn2.media-toolkit.invalid:${nginx.port}`;
    const out = join(dir, 'onepop', 'r.json');
    const warm = await runCli(['prewarm', ...storage(), '--base-url', base, '--edge', '127.0.0.2', '--media-type', 'video', '--derivatives', 'tablet', '--output', out]);
    expect(warm.code, warm.stderr).toBe(0);
    // Pretend the run had also covered 127.0.0.3: the same records, pointed at the other PoP.
    const both = records(out).flatMap((r) => [r, { ...r, edge: `127.0.0.3:${nginx.port}` }]);
    writeFileSync(join(dir, 'onepop', 'both.jsonl'), both.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const res = await runCli(['verify', '--results-file', join(dir, 'onepop', 'both.jsonl'), '--output', join(dir, 'onepop', 'cov.md'), '--min-hit-ratio', '0.9', '--progress', 'false']);
    expect(res.code, res.stderr).toBe(1);
    expect(res.stdout).toMatch(/by PoP: AMS 100\.0% \(3\/3\), FRA 0\.0% \(0\/3\)/);
    expect(readFileSync(join(dir, 'onepop', 'cov.md'), 'utf8')).toMatch(/\| v\/c\.mp4 \| tablet \| 127\.0\.0\.3:\d+ \| FRA \|  \| miss \|/);
  });

  it('--variant-header warms each Accept set apart (the cache key holds Accept), and verify sends the same sets', async () => {
    const base = `http://img.media-toolkit.invalid:${nginx.port}`;
    const out = join(dir, 'accept', 'r.json');
    const before = origin.stats().requests;
    const res = await runCli(['prewarm', ...storage(), '--base-url', base, '--edge', '127.0.0.2', '--media-type', 'image', '--image-variants', 'small',
      '--variant-header', 'Accept: image/avif,image/webp,*/*', '--variant-header', 'Accept: image/jpeg', '--output', out, '--verify', '--min-hit-ratio', '1']);
    expect(res.code, res.stderr + res.stdout).toBe(0);
    const recs = records(out);
    expect(recs.map((r) => `${r.key} ${r.cacheVariant}`).sort()).toEqual([
      'img/p.jpg Accept: image/avif,image/webp,*/*', 'img/p.jpg Accept: image/jpeg', 'img/q.png Accept: image/avif,image/webp,*/*', 'img/q.png Accept: image/jpeg',
    ]);
    // Two Accept values, two cache entries per URL: the origin was asked four times, verify never.
    expect(origin.stats().requests - before).toBe(4);
    expect(recs.every((r) => r.cacheStatus === 'miss')).toBe(true);
    expect(res.stdout).toMatch(/verify: 4 of 4 URL\(s\) HIT/);
    const summary = JSON.parse(readFileSync(join(dir, 'accept', 'r.summary.json'), 'utf8'));
    expect(Object.keys(summary.stats.byCacheVariant)).toHaveLength(2);
  });
});

describe('Varnish', () => {
  it('warms through Varnish, then verify sees X-Varnish hits from PoP "varnish"', async () => {
    const out = join(dir, 'varnish', 'r.json');
    const res = await runCli(['prewarm', ...storage(), '--base-url', varnish.url, '--derivatives', 'desktop', '--image-variants', 'medium', '--output', out, '--verify', '--min-hit-ratio', '1']);
    expect(res.code, res.stderr + res.stdout).toBe(0);
    const recs = records(out);
    expect(recs).toHaveLength(5);
    expect(recs.every((r) => r.ok && r.cacheStatus === 'miss' && r.pop === 'varnish')).toBe(true);
    expect(res.stdout).toMatch(/verify: 5 of 5 URL\(s\) HIT \(100\.0%\)/);
  });
});

describe('nginx limit_req answering 429 with Retry-After', () => {
  it('every URL ends 200: 429s are retried after Retry-After and the concurrency is cut', async () => {
    const out = join(dir, 'limited', 'r.json');
    const res = await runCli(['prewarm', ...storage(), '--base-url', nginx.limitedUrl, '--workers', '12', '--retry', '20', '--output', out]);
    expect(res.code, res.stderr + res.stdout).toBe(0);
    const recs = records(out);
    expect(recs).toHaveLength(3 * 3 + 2 * 5);
    expect(recs.every((r) => r.ok && r.status === 200)).toBe(true);
    expect(recs.some((r) => r.attempts > 1)).toBe(true);
    const summary = JSON.parse(readFileSync(join(dir, 'limited', 'r.summary.json'), 'utf8'));
    expect(summary.answers.status429).toBeGreaterThan(0);
    expect(summary.concurrency.cuts).toBeGreaterThan(0);
    expect(summary.concurrency.lowest).toBeLessThan(12);
    expect(res.stdout).toMatch(/^rate limiting: \d+ answer\(s\) 429 .*concurrency cut \d+ time\(s\), lowest \d+ of 12/m);
  });
});

describe('nginx requiring a token', () => {
  it('the token in the base URL reaches every request and the file; it appears in no output', async () => {
    const out = join(dir, 'token', 'r.json');
    const res = await runCli(['prewarm', ...storage(), '--base-url', `${nginx.tokenUrl}/?token=${TOKEN}`, '--output', out, '--verify']);
    expect(res.code, res.stderr + res.stdout).toBe(0);
    const recs = records(out);
    expect(recs).toHaveLength(19);
    expect(recs.every((r) => r.ok && r.status === 200 && r.bytesReceived > 0)).toBe(true);
    expect(recs.every((r) => r.url.includes('token=REDACTED'))).toBe(true);
    expect(res.stdout + res.stderr).not.toContain(TOKEN);
    for (const f of readdirSync(join(dir, 'token'))) expect(readFileSync(join(dir, 'token', f), 'utf8'), f).not.toContain(TOKEN);
  });

  it('without the token every request is a 403: exit 1, the last line says so', async () => {
    const out = join(dir, 'notoken', 'r.json');
    const res = await runCli(['prewarm', ...storage(), '--base-url', nginx.tokenUrl, '--media-type', 'video', '--derivatives', 'desktop', '--output', out]);
    expect(res.code).toBe(1);
    expect(res.stdout.trim().split('\n').pop()).toBe('prewarm: FAILED: 3 of 3 URL(s) failed (100.0%, above --max-failure-rate 0.0%): client_error 3');
    expect(records(out).every((r) => r.status === 403 && r.attempts === 1)).toBe(true);
  });
});
