// The prewarm CLI end to end against the real local origin (origin/index.ts) and its fault knobs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOrigin, type RunningOrigin } from '../origin/index.js';
import { CLI, ROOT, runCli } from './helpers/cli.js';
import { runPrewarmJob, type PrewarmJobOptions } from '../prep/prewarm/prewarm-job.js';
import { DEFAULT_DERIVATIVES } from '../common/derivatives.js';
import { selectImageVariants } from '../common/image-variants.js';
import { parseShard } from '../prep/prewarm/shard.js';
import type { ResultsFile, ResultsRecord } from '../common/results-record.js';

let dir: string;
let bucket: string;
let origin: RunningOrigin;

const ODD_KEY = 'ünï cødé/a+b#c%d?e.mp4';

function put(rel: string, bytes: number) {
  const full = join(bucket, rel);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, Buffer.alloc(bytes, 1));
}

function lines(path: string): ResultsRecord[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ResultsRecord);
}

function pairs(records: ResultsRecord[]): string[] {
  return records.map((r) => `${r.key}|${r.derivative}`);
}

/** The records of a log another process is still writing: whole lines only (the last may be mid-write). */
function completeLines(path: string): ResultsRecord[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').slice(0, -1).filter(Boolean).map((l) => JSON.parse(l) as ResultsRecord);
}

/** Resolves once cond() holds, checking every 20 ms; the test's own timeout is the limit. */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 20));
}

/** A CDN stand-in: answers the first `open` requests (200), holds every later one until release(). */
async function gate(open: number) {
  let answered = 0;
  let released = false;
  const held: ServerResponse[] = [];
  const server = createServer((_req, res) => {
    if (released || answered < open) {
      answered++;
      res.end('ok');
    } else held.push(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    holding: (n: number) => until(() => held.length >= n),
    release() {
      released = true;
      for (const res of held.splice(0)) res.end('ok');
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(r));
    },
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mt-prewarm-cli-'));
  bucket = join(dir, 'bucket');
  put('a b.mp4', 3000);
  put(ODD_KEY, 2000);
  put('img/p.jpg', 500);
  put('notes.txt', 10);
  for (let i = 0; i < 40; i++) put(`many/v${String(i).padStart(2, '0')}.mp4`, 1000 + i);
  origin = await startOrigin({ root: bucket, syntheticBytesPerWidth: 8, seed: 42 });
});

afterAll(async () => {
  await origin?.close();
});

const common = () => ['--remote', 'local', '--bucket', bucket, '--base-url', origin.url, '--progress', 'false'];

describe('prewarm CLI', () => {
  it('warms every derivative and variant, odd keys included, and writes JSONL, results JSON and summary', async () => {
    origin.setFaults({});
    const out = join(dir, 'basic', 'r.json');
    const res = await runCli(['prewarm', ...common(), '--directory', '', '--workers', '8', '--timeout', '10', '--retry', '2', '--output', out, '--limit', '3']);
    expect(res.code, res.stderr).toBe(0);
    const file = JSON.parse(readFileSync(out, 'utf8')) as ResultsFile;
    // --limit 3 files: the listing is sorted, so 'a b.mp4', 'img/p.jpg', then 'many/v00.mp4' (notes.txt is neither video nor image).
    expect(file.records).toHaveLength(3 + 5 + 3);
    expect(file.records.every((r) => r.ok && r.status === 200)).toBe(true);
    const img = file.records.filter((r) => r.key === 'img/p.jpg');
    expect(img.map((r) => r.derivative).sort()).toEqual(['large', 'medium', 'small', 'thumbnail', 'webp']);
    expect(img.every((r) => r.kind === 'variant')).toBe(true);
    const desktop = file.records.find((r) => r.key === 'a b.mp4' && r.derivative === 'desktop')!;
    expect(desktop).toMatchObject({ url: `${origin.url}/a%20b.mp4?imwidth=1920`, bytesReceived: 1920 * 8, contentLength: 1920 * 8, width: 1920, height: 1080, cacheStatus: 'miss' });
    expect(lines(join(dir, 'basic', 'r.jsonl'))).toHaveLength(11);
    const summary = JSON.parse(readFileSync(join(dir, 'basic', 'r.summary.json'), 'utf8'));
    expect(summary).toMatchObject({ version: 1, files: 3, requests: 11, totalRecords: 11, interrupted: false });
    expect(summary.stats.overall.ok).toBe(11);
    expect(summary.stats.byDerivative.desktop.requests).toBe(2);
    expect(res.stdout).toMatch(/prewarm: 11 request\(s\) for 3 file\(s\)/);
    expect(res.stdout).toMatch(/\| all \| 11 \| 11 \| 0 \|/);
  });

  it('reaches odd keys in all three URL formats and a template, and sees cache hits the second time', async () => {
    const job = (output: string, over: Partial<PrewarmJobOptions>) =>
      runPrewarmJob({
        objects: (async function* () {
          yield { key: ODD_KEY, size: 2000, lastModified: '', etag: '' };
        })(),
        baseUrl: origin.url, mediaType: 'auto', derivatives: DEFAULT_DERIVATIVES, variants: selectImageVariants(undefined), urlFormat: 'imwidth',
        thresholds: { smallMiB: 50, mediumMiB: 200 }, workers: 4, timeoutMs: 10_000, retries: 1, keepAliveMs: 1000, output, ...over,
      });
    const forms: Partial<PrewarmJobOptions>[] = [{ urlFormat: 'imwidth' }, { urlFormat: 'derivative' }, { urlFormat: 'query' }, { urlTemplate: '{base}/{key}?derivative={derivative}' }];
    for (const [i, over] of forms.entries()) {
      const out = join(dir, `fmt-${i}.json`);
      const { summary } = await job(out, over);
      expect(summary.requests).toBe(3);
      const recs = (JSON.parse(readFileSync(out, 'utf8')) as ResultsFile).records;
      // A 404 would mean the key was mangled on the way.
      for (const r of recs) expect(r, `${r.url} ${r.errorMessage}`).toMatchObject({ ok: true, status: 200 });
    }
    const again = join(dir, 'fmt-again.json');
    await job(again, {});
    const recs = (JSON.parse(readFileSync(again, 'utf8')) as ResultsFile).records;
    expect(recs.every((r) => r.cacheStatus === 'hit')).toBe(true);
  });

  it('HEAD for size gets the length without the body', async () => {
    const out = join(dir, 'head.json');
    await runPrewarmJob({
      location: { remote: 'local', bucket, directory: 'many' }, limit: 2, useHead: true, baseUrl: origin.url, mediaType: 'auto', derivatives: DEFAULT_DERIVATIVES,
      variants: [], urlFormat: 'imwidth', thresholds: { smallMiB: 50, mediumMiB: 200 }, workers: 4, timeoutMs: 10_000, retries: 1, keepAliveMs: 1000, output: out,
    });
    const recs = (JSON.parse(readFileSync(out, 'utf8')) as ResultsFile).records;
    expect(recs).toHaveLength(6);
    for (const r of recs) expect(r).toMatchObject({ ok: true, bytesReceived: 0, contentLength: (r.width ?? 0) * 8 });
  });

  it('splits the work between shards that together cover everything, with pools by size', async () => {
    const got: string[][] = [];
    const categories = new Set<string>();
    for (const s of ['0/2', '1/2']) {
      const out = join(dir, `shard-${s.replace('/', 'of')}.json`);
      const { summary } = await runPrewarmJob({
        location: { remote: 'local', bucket, directory: 'many' }, shard: parseShard(s), optimizeBySize: true, baseUrl: origin.url, mediaType: 'auto',
        derivatives: [DEFAULT_DERIVATIVES[2]], variants: [], urlFormat: 'imwidth', thresholds: { smallMiB: 0.00097, mediumMiB: 0.00098 }, workers: 6,
        timeoutMs: 10_000, retries: 1, keepAliveMs: 1000, output: out,
      });
      expect(summary.workers).toEqual([2, 2, 2]);
      Object.keys(summary.stats.bySizeCategory).forEach((c) => categories.add(c));
      got.push(pairs((JSON.parse(readFileSync(out, 'utf8')) as ResultsFile).records));
    }
    expect(got[0].length).toBeGreaterThan(5);
    expect(got[1].length).toBeGreaterThan(5);
    expect(new Set([...got[0], ...got[1]]).size).toBe(40);
    expect(got[0].length + got[1].length).toBe(40);
    expect([...categories].sort()).toEqual(['large', 'medium', 'small']);
  });

  it('passes the listing filters to storage: --exclude, --min-size, --max-size', async () => {
    const out = join(dir, 'filters.json');
    const { summary } = await runPrewarmJob({
      location: { remote: 'local', bucket, directory: 'many' }, exclude: ['many/v0*'], minSize: 1005, maxSize: 1035, baseUrl: origin.url, mediaType: 'auto',
      derivatives: [DEFAULT_DERIVATIVES[2]], variants: [], urlFormat: 'imwidth', thresholds: { smallMiB: 50, mediumMiB: 200 }, workers: 4,
      timeoutMs: 10_000, retries: 1, keepAliveMs: 1000, output: out,
    });
    // v10..v35: v00-v09 excluded by the glob, v36-v39 above 1035 bytes.
    expect(summary.files).toBe(26);
    const keys = (JSON.parse(readFileSync(out, 'utf8')) as ResultsFile).records.map((r) => r.key).sort();
    expect(keys[0]).toBe('many/v10.mp4');
    expect(keys[keys.length - 1]).toBe('many/v35.mp4');
  });

  it('prints the image variant catalogue', async () => {
    const res = await runCli(['prewarm', '--list-variants']);
    expect(res.code).toBe(0);
    expect(res.stdout.split('\n').filter((l) => /^\w+\s+(size|mobile|aspect|format|social|akamai|path|compact|effect|smart)\s/.test(l)).length).toBeGreaterThanOrEqual(60);
    expect(res.stdout).toContain('im=Resize=(400,300)');
  });

  it('rejects bad input with exit 2 and one line', async () => {
    const cases: [string[], RegExp][] = [
      [['prewarm', '--remote', 'local', '--bucket', bucket], /--base-url is required/],
      [['prewarm', '--base-url', 'http://127.0.0.1:1'], /no storage given/],
      [['prewarm', '--bucket', bucket, '--base-url', 'not a url'], /not a valid URL/],
      [['prewarm', '--bucket', bucket, '--base-url', origin.url, '--workers', '-5'], /at least 1/],
      [['prewarm', '--bucket', bucket, '--base-url', origin.url, '--derivatives', 'huge'], /unknown derivative "huge"/],
    ];
    for (const [args, msg] of cases) {
      const res = await runCli(args);
      expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(2);
      expect(res.stderr).toMatch(msg);
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('prewarm reliability on the real origin', () => {
  it('30% 503 with Retry-After plus connection resets: exactly one final record per URL, most successful after retries', async () => {
    origin.setFaults({ errorRate: 0.3, errorStatuses: [503], retryAfterSeconds: 1, resetRate: 0.1 });
    const out = join(dir, 'faults', 'r.json');
    const res = await runCli(['prewarm', ...common(), '--directory', 'many', '--workers', '40', '--retry', '3', '--timeout', '10', '--output', out, '--max-failure-rate', '0.1']);
    origin.setFaults({});
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.trim().split('\n').pop()).toMatch(/^prewarm: OK: (all 120 URL\(s\) answered 2xx|\d+ of 120 URL\(s\) failed .*within --max-failure-rate 10\.0%)/);
    const log = lines(join(dir, 'faults', 'r.jsonl'));
    const recs = (JSON.parse(readFileSync(out, 'utf8')) as ResultsFile).records;
    expect(log).toHaveLength(120);
    expect(new Set(pairs(log)).size).toBe(120);
    expect(pairs(recs).sort()).toEqual(pairs(log).sort());
    const ok = recs.filter((r) => r.ok).length;
    expect(ok).toBeGreaterThanOrEqual(108);
    expect(recs.some((r) => r.ok && r.attempts > 1)).toBe(true);
    for (const r of recs.filter((x) => !x.ok)) expect(['server_error', 'connection_error', 'incomplete_body']).toContain(r.errorClass);
    expect(origin.stats().errorsInjected).toBeGreaterThan(10);
    expect(origin.stats().resets).toBeGreaterThan(0);
  });

  it('classifies a slow origin as timeouts', async () => {
    origin.setFaults({ latencyMs: 1500 });
    const out = join(dir, 'timeouts.json');
    const res = await runCli(['prewarm', ...common(), '--directory', 'many', '--limit', '2', '--timeout', '0.3', '--retry', '1', '--output', out]);
    origin.setFaults({});
    // Every URL failed: exit 1 (default --max-failure-rate 0), the results written all the same, the last line says why.
    expect(res.code, res.stderr).toBe(1);
    expect(res.stdout.trim().split('\n').pop()).toBe('prewarm: FAILED: 6 of 6 URL(s) failed (100.0%, above --max-failure-rate 0.0%): timeout 6');
    const recs = (JSON.parse(readFileSync(out, 'utf8')) as ResultsFile).records;
    expect(recs).toHaveLength(6);
    for (const r of recs) expect(r).toMatchObject({ ok: false, status: 0, attempts: 2, errorClass: 'timeout' });
  });

  it('kill -9 in the middle, then --resume: the union is complete with no duplicates', async () => {
    // The CDN answers 15 requests, then holds the rest: the kill lands when exactly 15 are recorded.
    const cdn = await gate(15);
    try {
      const sub = join(dir, 'kill');
      const out = join(sub, 'r.json');
      const base = ['--remote', 'local', '--bucket', bucket, '--base-url', cdn.url, '--progress', 'false', '--directory', 'many', '--output', out];
      const child = spawn(process.execPath, [CLI, 'prewarm', ...base, '--workers', '3'], { cwd: ROOT, stdio: 'ignore' });
      const jsonl = join(sub, 'r.jsonl');
      await cdn.holding(3);
      await until(() => completeLines(jsonl).length >= 15);
      child.kill('SIGKILL');
      await new Promise((r) => child.on('close', r));
      const before = completeLines(jsonl).length;
      expect(before).toBe(15);
      expect(existsSync(out)).toBe(false);
      cdn.release();
      const res = await runCli(['prewarm', ...base, '--workers', '8', '--resume']);
      expect(res.code, res.stderr).toBe(0);
      const log = lines(jsonl);
      expect(log).toHaveLength(120);
      expect(new Set(pairs(log)).size).toBe(120);
      const summary = JSON.parse(readFileSync(join(sub, 'r.summary.json'), 'utf8'));
      expect(summary.resumedRecords).toBe(15);
      expect(summary.requests).toBe(105);
      expect((JSON.parse(readFileSync(out, 'utf8')) as ResultsFile).records).toHaveLength(120);
    } finally {
      await cdn.close();
    }
  });

  it('SIGINT: takes no new work, finishes what is in flight, writes results and summary, exits 130', async () => {
    // 8 answered, then the 4 workers' next requests are held; SIGINT arrives while they are in flight,
    // and they are answered only once prewarm says it takes no new work.
    const cdn = await gate(8);
    try {
      const sub = join(dir, 'sigint');
      const out = join(sub, 'r.json');
      const child = spawn(process.execPath, [CLI, 'prewarm', '--remote', 'local', '--bucket', bucket, '--base-url', cdn.url, '--progress', 'false', '--directory', 'many', '--workers', '4', '--output', out], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const code = new Promise((r) => child.on('close', r));
      const jsonl = join(sub, 'r.jsonl');
      await cdn.holding(4);
      await until(() => completeLines(jsonl).length >= 8);
      child.kill('SIGINT');
      await until(() => /SIGINT: taking no new work/.test(stderr));
      cdn.release();
      expect(await code).toBe(130);
      const log = lines(jsonl);
      // The 8 answered before, and the 4 in flight at the signal, finished normally: nothing new started.
      expect(log).toHaveLength(12);
      expect(log.every((r) => r.ok)).toBe(true);
      expect((JSON.parse(readFileSync(out, 'utf8')) as ResultsFile).records).toHaveLength(12);
      expect(JSON.parse(readFileSync(join(sub, 'r.summary.json'), 'utf8')).interrupted).toBe(true);
      expect(stdout).toMatch(/INTERRUPTED/);
    } finally {
      await cdn.close();
    }
  });
});
