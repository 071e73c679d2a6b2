// `media-toolkit purge` against local stand-ins of the vendor APIs (test/fixtures/vendor-apis.ts),
// each checking the documented request and answering as documented: batch limits, auth,
// 429 + Retry-After, a partial failure and the re-run of what failed, and no credential in
// anything printed or written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, runCli } from './helpers/cli.js';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { akamaiMock, cloudflareMock, cloudFrontMock, fastlyMock, purgeableEdge, type EdgeRc } from './fixtures/vendor-apis.js';

let dir: string;
const BASE = 'https://cdn.example.test/media';
const CF_TOKEN = 'cf-token-abcdef0123456789';
const FASTLY_TOKEN = 'fastly-token-0123456789';
const AWS = { AWS_ACCESS_KEY_ID: 'AKIDTESTPURGE', AWS_SECRET_ACCESS_KEY: 'aws-secret-never-shown', AWS_EC2_METADATA_DISABLED: 'true', AWS_PROFILE: '', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };

/** A change list of `n` changed videos (and one deleted image, one new video that is not purged). */
function changes(name: string, n: number): string {
  const lines = [];
  for (let i = 0; i < n; i++) lines.push(JSON.stringify({ change: 'changed', key: `videos/v${String(i).padStart(3, '0')}.mp4`, size: 2, lastModified: '', etag: 'b', before: { size: 1, lastModified: '', etag: 'a' } }));
  lines.push(JSON.stringify({ change: 'deleted', key: 'images/old pic.jpg', size: 1, lastModified: '', etag: 'x' }));
  lines.push(JSON.stringify({ change: 'new', key: 'videos/zz-new.mp4', size: 1, lastModified: '', etag: 'y' }));
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

function everything(out: string, r: { stdout: string; stderr: string }): string {
  const files = ['failed.txt', 'report.json'].map((f) => join(out, f)).filter(existsSync).map((f) => readFileSync(f, 'utf8'));
  return [r.stdout, r.stderr, ...files].join('\n');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mt-purge-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fast = ['--progress', 'false', '--retry', '3'];

describe('purge --provider cloudflare', () => {
  it('sends every URL of the changed and deleted keys in calls of at most 30, waits out a 429, and fails only the refused call', async () => {
    const api = await cloudflareMock({ zone: 'zone123', token: CF_TOKEN, throttle: [2], refuse: 'v011.mp4' });
    try {
      const out = mkdtempSync(join(dir, 'cf-'));
      const keys = changes('cf.jsonl', 12);
      const args = ['purge', '--provider', 'cloudflare', '--zone-id', 'zone123', '--base-url', BASE, '--keys-file', keys, '--api-base-url', `${api.url}/client/v4`,
        '--failed-output', join(out, 'failed.txt'), '--report', join(out, 'report.json'), '--concurrency', '1', ...fast];
      const r = await runCli(args, { env: { CLOUDFLARE_API_TOKEN: CF_TOKEN } });
      expect(r.code, r.stderr).toBe(1);
      expect(api.violations).toEqual([]);
      // 12 videos x (source + 3 derivatives) + the deleted image x (source + 5 variants) = 54 URLs; the new key is not purged.
      const sent = api.requests.filter((q) => q.status === 200).flatMap((q) => JSON.parse(q.body).files as string[]);
      const tried = new Set(api.requests.flatMap((q) => JSON.parse(q.body).files as string[]));
      expect(tried.size).toBe(54);
      expect([...tried].some((u) => u.includes('zz-new'))).toBe(false);
      expect(tried).toContain(`${BASE}/videos/v000.mp4?imwidth=1920`);
      expect(tried).toContain(`${BASE}/images/old%20pic.jpg?width=150&height=150&fit=cover`);
      expect(Math.max(...api.requests.map((q) => JSON.parse(q.body).files.length))).toBe(30);
      // The 429's Retry-After (1 s) was honoured before the same batch went again.
      const i429 = api.requests.findIndex((q) => q.status === 429);
      expect(i429).toBeGreaterThanOrEqual(0);
      expect(api.requests[i429 + 1].body).toBe(api.requests[i429].body);
      expect(api.requests[i429 + 1].at - api.requests[i429].at).toBeGreaterThanOrEqual(950);
      // The refused call (its 24 URLs hold v011) failed; the others were purged.
      const failed = readFileSync(join(out, 'failed.txt'), 'utf8').trim().split('\n');
      expect(failed.some((u) => u.includes('v011.mp4'))).toBe(true);
      expect(sent.length + failed.length).toBe(54);
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
      expect(report).toMatchObject({ provider: 'cloudflare', keys: 13, urls: 54, items: 54, purged: sent.length, failed: failed.length, throttled: 1 });
      expect(r.stdout).toMatch(/purge: 54 URL\(s\) for 13 key\(s\) in \d+ call\(s\) via cloudflare .* \d+ failed \(.*1 throttled \(429\)\)/);
      expect(r.stderr).toContain('HTTP 400: 1012 Invalid url');
      expect(everything(out, r)).not.toContain(CF_TOKEN);

      // The re-run takes the failed URLs alone.
      const before = api.requests.length;
      const again = await runCli(['purge', '--provider', 'cloudflare', '--zone-id', 'zone123', '--items-file', join(out, 'failed.txt'), '--api-base-url', `${api.url}/client/v4`, '--failed-output', join(out, 'failed-again.txt'), ...fast], { env: { CLOUDFLARE_API_TOKEN: CF_TOKEN } });
      const resent = api.requests.slice(before).flatMap((q) => JSON.parse(q.body).files as string[]);
      expect(resent.sort()).toEqual([...failed].sort());
      expect(again.code).toBe(1); // still refused by the stand-in: the same URLs fail again, nothing else is sent
    } finally {
      await api.close();
    }
  });

  it('--by prefix sends host/path prefixes (no scheme, no query), one per key path; --dry-run sends nothing and shows no token', async () => {
    const api = await cloudflareMock({ zone: 'z', token: CF_TOKEN });
    try {
      const keys = changes('cfp.jsonl', 2);
      const r = await runCli(['purge', '--provider', 'cloudflare', '--by', 'prefix', '--plan', 'enterprise', '--zone-id', 'z', '--base-url', BASE, '--keys-file', keys, '--api-base-url', `${api.url}/client/v4`, '--failed-output', join(dir, 'p-failed.txt'), ...fast], { env: { CLOUDFLARE_API_TOKEN: CF_TOKEN } });
      expect(r.code, r.stderr).toBe(0);
      const prefixes = api.requests.flatMap((q) => JSON.parse(q.body).prefixes as string[]);
      expect(prefixes).toEqual(['cdn.example.test/media/videos/v000.mp4', 'cdn.example.test/media/videos/v001.mp4', 'cdn.example.test/media/images/old%20pic.jpg']);
      expect(api.violations).toEqual([]);

      const seen = api.requests.length;
      const dry = await runCli(['purge', '--provider', 'cloudflare', '--zone-id', 'z', '--base-url', BASE, '--keys-file', keys, '--dry-run', '--api-base-url', `${api.url}/client/v4`], { env: { CLOUDFLARE_API_TOKEN: CF_TOKEN } });
      expect(dry.code, dry.stderr).toBe(0);
      expect(api.requests.length).toBe(seen);
      expect(dry.stdout).toContain('(Bearer token from CLOUDFLARE_API_TOKEN) {"files":["https://cdn.example.test/media/videos/v000.mp4"');
      expect(dry.stdout).toContain('purge (dry run): 14 URL(s) for 3 key(s) in 1 call(s) via cloudflare; nothing sent');
      expect(dry.stdout + dry.stderr).not.toContain(CF_TOKEN);
    } finally {
      await api.close();
    }
  });

  it('a missing token is a usage error that names the variable', async () => {
    const r = await runCli(['purge', '--provider', 'cloudflare', '--zone-id', 'z', '--base-url', BASE, '--key', 'a.mp4'], { env: { CLOUDFLARE_API_TOKEN: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('needs CLOUDFLARE_API_TOKEN in the environment');
  });
});

describe('purge --provider fastly', () => {
  it('purges by URL (POST /purge/<host><path>, Fastly-Key) and by surrogate key in batches, failing the keys Fastly did not acknowledge', async () => {
    const api = await fastlyMock({ token: FASTLY_TOKEN, service: 'SVC1', throttle: [1], skip: 'v002' });
    try {
      const out = mkdtempSync(join(dir, 'fastly-'));
      const byUrl = await runCli(['purge', '--provider', 'fastly', '--base-url', BASE, '--key', 'videos/a b.mp4', '--soft', '--api-base-url', api.url, ...fast], { env: { FASTLY_API_TOKEN: FASTLY_TOKEN } });
      expect(byUrl.code, byUrl.stderr).toBe(0);
      const urls = api.requests.filter((q) => q.status === 200).map((q) => decodeURI(q.path));
      expect(urls.sort()).toEqual(['/purge/cdn.example.test/media/videos/a b.mp4', '/purge/cdn.example.test/media/videos/a b.mp4?imwidth=1280', '/purge/cdn.example.test/media/videos/a b.mp4?imwidth=1920', '/purge/cdn.example.test/media/videos/a b.mp4?imwidth=854']);
      expect(api.requests.every((q) => q.headers['fastly-soft-purge'] === '1')).toBe(true);
      expect(byUrl.stdout).toContain('1 throttled (429)');

      const keys = changes('fastly.jsonl', 300);
      const r = await runCli(['purge', '--provider', 'fastly', '--by', 'surrogate-key', '--service-id', 'SVC1', '--keys-file', keys, '--api-base-url', api.url,
        '--failed-output', join(out, 'failed.txt'), '--report', join(out, 'report.json'), ...fast], { env: { FASTLY_API_TOKEN: FASTLY_TOKEN } });
      expect(r.code).toBe(1);
      const batches = api.requests.filter((q) => q.path === '/service/SVC1/purge').map((q) => String(q.headers['surrogate-key']).split(' '));
      // 300 changed videos: 256 + 44 keys; the deleted image's key holds a space, which a Surrogate-Key list cannot carry.
      expect(batches.map((b) => b.length).sort((a, b) => b - a)).toEqual([256, 44]);
      expect(readFileSync(join(out, 'failed.txt'), 'utf8').split('\n').filter(Boolean).sort()).toEqual(['images/old pic.jpg', 'videos/v002.mp4']);
      expect(r.stderr).toContain('a surrogate key cannot contain spaces');
      expect(api.violations).toEqual([]);
      expect(everything(out, r) + byUrl.stdout + byUrl.stderr).not.toContain(FASTLY_TOKEN);
    } finally {
      await api.close();
    }
  });
});

describe('purge --provider akamai', () => {
  const rc: EdgeRc = { host: 'akab-test.purge.akamaiapis.net', client_token: 'akab-client-token-1', client_secret: 'c2VjcmV0LWNsaWVudC1zZWNyZXQ=', access_token: 'akab-access-token-1' };
  let edgerc: string;
  beforeAll(() => {
    edgerc = join(dir, 'edgerc');
    writeFileSync(edgerc, `[default]\nhost = nowhere.example\nclient_token = x\nclient_secret = y\naccess_token = z\n\n[ccu]\nclient_secret = ${rc.client_secret}\nhost = ${rc.host}\naccess_token = ${rc.access_token}\nclient_token = ${rc.client_token}\n`);
  });

  it('signs every call with EdgeGrid from the .edgerc section, keeps bodies under 50,000 bytes, waits 5 s after a 429 and fails the 403 call', async () => {
    const api = await akamaiMock({ rc, throttle: [2], refuse: 'v500.mp4' });
    try {
      const out = mkdtempSync(join(dir, 'akamai-'));
      const keys = changes('akamai.jsonl', 700);
      const r = await runCli(['purge', '--provider', 'akamai', '--edgerc', edgerc, '--section', 'ccu', '--base-url', BASE, '--keys-file', keys, '--api-base-url', api.url,
        '--failed-output', join(out, 'failed.txt'), '--report', join(out, 'report.json'), '--concurrency', '1', ...fast], { env: { AKAMAI_LOG_LEVEL: 'info' } });
      expect(r.code).toBe(1);
      expect(api.violations).toEqual([]);
      expect(api.requests.every((q) => q.path === '/ccu/v3/invalidate/url/production')).toBe(true);
      const sizes = api.requests.map((q) => Buffer.byteLength(q.body));
      expect(Math.max(...sizes)).toBeLessThanOrEqual(50_000);
      expect(Math.max(...sizes)).toBeGreaterThan(45_000);
      const i429 = api.requests.findIndex((q) => q.status === 429);
      expect(api.requests[i429 + 1].body).toBe(api.requests[i429].body);
      expect(api.requests[i429 + 1].at - api.requests[i429].at).toBeGreaterThanOrEqual(4900);
      const failed = readFileSync(join(out, 'failed.txt'), 'utf8').trim().split('\n');
      const refused = api.requests.find((q) => q.status === 403)!;
      expect(failed.sort()).toEqual((JSON.parse(refused.body).objects as string[]).sort());
      expect(r.stderr).toContain('HTTP 403: unauthorized arl');
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
      expect(report.urls).toBe(700 * 4 + 6);
      expect(report.purged + report.failed).toBe(report.urls);
      // The secret, the tokens and the signature stay out, although AKAMAI_LOG_LEVEL asks the package to log them.
      const all = everything(out, r);
      for (const s of [rc.client_secret, rc.access_token, rc.client_token, 'signature=']) expect(all).not.toContain(s);
    } finally {
      await api.close();
    }
  });

  it('delete by CP code on staging', async () => {
    const api = await akamaiMock({ rc });
    try {
      const r = await runCli(['purge', '--provider', 'akamai', '--edgerc', edgerc, '--section', 'ccu', '--action', 'delete', '--network', 'staging', '--cpcode', '123456', '--cpcode', '7890', '--api-base-url', api.url, ...fast]);
      expect(r.code, r.stderr).toBe(0);
      expect(api.requests).toHaveLength(1);
      expect(api.requests[0].path).toBe('/ccu/v3/delete/cpcode/staging');
      expect(JSON.parse(api.requests[0].body)).toEqual({ objects: [123456, 7890] });
      expect(api.violations).toEqual([]);
      const bad = await runCli(['purge', '--provider', 'akamai', '--edgerc', edgerc, '--section', 'nope', '--cpcode', '1']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('cannot read section [nope]');
    } finally {
      await api.close();
    }
  });
});

describe('purge --provider cloudfront', () => {
  it('uses one wildcard per key where cheaper, within 15 in progress, retries Throttling, and --wait waits with the SDK waiter', async () => {
    const api = await cloudFrontMock({ distribution: 'E2TEST', accessKeyId: AWS.AWS_ACCESS_KEY_ID, throttle: [1], completeAfterPolls: 2 });
    try {
      const out = mkdtempSync(join(dir, 'cf-wild-'));
      const keys = changes('cloudfront.jsonl', 20);
      const r = await runCli(['purge', '--provider', 'cloudfront', '--distribution-id', 'E2TEST', '--base-url', BASE, '--keys-file', keys, '--api-base-url', api.url, '--wait', '--wait-poll', '0.2',
        '--report', join(out, 'report.json'), ...fast], { env: AWS });
      expect(r.code, r.stderr).toBe(0);
      expect(api.violations).toEqual([]);
      expect(api.invalidations).toHaveLength(1);
      const paths = api.invalidations[0].paths;
      // The biggest savings first, up to 15 wildcards: the deleted image (6 paths become 1), then 14 of the
      // videos (4 paths each become 1); the other 6 videos stay path by path.
      expect(paths.filter((p) => p.endsWith('*'))).toHaveLength(15);
      expect(paths[0]).toBe('/media/images/old%20pic.jpg*');
      expect(paths.length).toBe(15 + 6 * 4);
      expect(api.invalidations[0].status).toBe('Completed');
      expect(api.requests.filter((q) => q.method === 'GET').length).toBeGreaterThanOrEqual(2);
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
      expect(report).toMatchObject({ provider: 'cloudfront', wildcards: 15, items: 39, purged: 39, failed: 0, throttled: 1, ids: [api.invalidations[0].id] });
      expect(r.stdout + r.stderr).not.toContain(AWS.AWS_SECRET_ACCESS_KEY);
    } finally {
      await api.close();
    }
  });

  it('over 3,000 paths: the next invalidation waits for the first to complete; TooManyInvalidationsInProgress is waited out', async () => {
    const api = await cloudFrontMock({ distribution: 'E3', accessKeyId: AWS.AWS_ACCESS_KEY_ID, completeAfterPolls: 1, busyWildcards: { count: 15, refusals: 2 } });
    try {
      const urls = join(dir, 'cf-urls.txt');
      writeFileSync(urls, `${Array.from({ length: 3500 }, (_, i) => `${BASE}/v/${i}.mp4?imwidth=854`).join('\n')}\n${BASE}/folder/*\n`);
      const r = await runCli(['purge', '--provider', 'cloudfront', '--distribution-id', 'E3', '--urls-file', urls, '--api-base-url', api.url, '--wait-poll', '0.2', '--in-progress-pause', '0.5', ...fast], { env: AWS });
      expect(r.code, r.stderr).toBe(0);
      expect(api.invalidations.map((i) => i.paths.length)).toEqual([3000, 501]);
      expect(api.peak.paths).toBeLessThanOrEqual(3000);
      // The batch with the wildcard found another client's 15 in progress: refused twice, then sent once they completed.
      expect(api.requests.filter((q) => q.status === 400 && q.method === 'POST').length).toBe(2);
      expect(api.invalidations[1].paths).toContain('/media/folder/*');
      expect(r.stdout).toMatch(/purge: 3501 path\(s\) in \d+ call\(s\) via cloudfront .* 3501 purged, 0 failed/);
    } finally {
      await api.close();
    }
  });
  it('a refused invalidation fails its own paths only; the others are created and the exit code is 1', async () => {
    const api = await cloudFrontMock({ distribution: 'E4', accessKeyId: AWS.AWS_ACCESS_KEY_ID, refuse: 'bad' });
    try {
      const urls = join(dir, 'cf-partial.txt');
      writeFileSync(urls, `${['a', 'b', 'bad', 'c'].map((n) => `${BASE}/${n}.mp4`).join('\n')}\n`);
      const failed = join(dir, 'cf-partial-failed.txt');
      const r = await runCli(['purge', '--provider', 'cloudfront', '--distribution-id', 'E4', '--urls-file', urls, '--batch-size', '2', '--api-base-url', api.url, '--failed-output', failed, ...fast], { env: AWS });
      expect(r.code).toBe(1);
      expect(api.invalidations.map((i) => i.paths)).toEqual([['/media/a.mp4', '/media/b.mp4']]);
      expect(readFileSync(failed, 'utf8')).toBe('/media/bad.mp4\n/media/c.mp4\n');
      expect(r.stderr).toContain('InvalidArgument');
    } finally {
      await api.close();
    }
  });
});

describe('purge --provider cloudfront --listing-file', () => {
  it('one wildcard for a folder every current key of which changed (or that is gone), never for a folder with an unchanged key', async () => {
    const api = await cloudFrontMock({ distribution: 'E5', accessKeyId: AWS.AWS_ACCESS_KEY_ID });
    try {
      const row = (change: string, key: string) => JSON.stringify({ change, key, size: 2, lastModified: '', etag: 'b' });
      const changeList = join(dir, 'cf-folders.jsonl');
      writeFileSync(changeList, `${[
        row('deleted', 'mixed/m0.mp4'), row('changed', 'mixed/m1.mp4'),
        row('deleted', 'old/p.mp4'), row('deleted', 'old/q.mp4'),
        row('changed', 'videos/2024/a.mp4'), row('changed', 'videos/2024/b.mp4'), row('changed', 'videos/2024/c.mp4'),
        row('changed', 'videos/2025/x.mp4'),
      ].join('\n')}\n`);
      // The bucket now: mixed/ keeps an unchanged key, old/ is gone, videos/2025/ keeps an unchanged key.
      const listing = join(dir, 'cf-folders-listing.jsonl');
      writeFileSync(listing, `${['mixed/m1.mp4', 'mixed/m2.mp4', 'videos/2024/a.mp4', 'videos/2024/b.mp4', 'videos/2024/c.mp4', 'videos/2025/x.mp4', 'videos/2025/y.mp4'].map((key) => JSON.stringify({ key, size: 2, lastModified: '', etag: 'b' })).join('\n')}\n`);
      const r = await runCli(['purge', '--provider', 'cloudfront', '--distribution-id', 'E5', '--base-url', BASE, '--keys-file', changeList, '--listing-file', listing, '--derivatives', 'mobile', '--api-base-url', api.url, ...fast], { env: AWS });
      expect(r.code, r.stderr).toBe(0);
      expect(api.violations).toEqual([]);
      // Each video has two URLs here (source and ?imwidth=854): a key wildcard saves one path, a folder one more per key.
      expect([...api.invalidations[0].paths].sort()).toEqual(['/media/mixed/m0.mp4*', '/media/mixed/m1.mp4*', '/media/old/*', '/media/videos/2024/*', '/media/videos/2025/x.mp4*']);
    } finally {
      await api.close();
    }
  });
});

describe('purge --provider http', () => {
  it('--results-file adds the URLs prewarm recorded for the keys (HLS playlists and segments), secrets restored from --base-url', async () => {
    const a = await purgeableEdge('r');
    try {
      const base = 'http://cdn.example.test/media?token=sekret-42';
      const rec = (key: string, derivative: string, kind: string, path: string) =>
        JSON.stringify({ key, derivative, kind, url: `http://cdn.example.test/media/${path}?token=REDACTED`, status: 200, ok: true, attempts: 1, ttfbMs: 1, totalMs: 1, bytes: 1, contentLength: 1, contentType: 'x', cacheStatus: 'miss', errorClass: null, errorMessage: null, sourceSize: 1, sizeCategory: 'small', startedAt: '2026-12-01T00:00:00.000Z' });
      const results = join(dir, 'stream-results.jsonl');
      writeFileSync(results, `${[rec('videos/a.mp4', 'hls master', 'master', 'videos/a.mp4/hls/master.m3u8'), rec('videos/a.mp4', 'hls 640x360', 'segment', 'videos/a.mp4/cmaf/chunk-stream0-00001.m4s'), rec('videos/other.mp4', 'hls master', 'master', 'videos/other.mp4/hls/master.m3u8')].join('\n')}\n`);
      const r = await runCli(['purge', '--provider', 'http', '--base-url', base, '--key', 'videos/a.mp4', '--derivatives', 'mobile', '--results-file', results, '--edge', a.url.replace('http://', ''), ...fast]);
      expect(r.code, r.stderr).toBe(0);
      expect(a.requests.map((q) => q.path).sort()).toEqual([
        '/media/videos/a.mp4/cmaf/chunk-stream0-00001.m4s?token=sekret-42',
        '/media/videos/a.mp4/hls/master.m3u8?token=sekret-42',
        '/media/videos/a.mp4?token=sekret-42&imwidth=854',
        '/media/videos/a.mp4?token=sekret-42',
      ].sort());
      expect(r.stdout + r.stderr).not.toContain('sekret-42');
    } finally {
      await a.close();
    }
  });

  it('the failed-URL file masks a token like every report; --items-file with the same --base-url sends the real URL again', async () => {
    const a = await purgeableEdge('t');
    try {
      const base = 'http://cdn.example.test/media?token=sekret-77';
      const failed = join(dir, 'token-failed.txt');
      const down = await runCli(['purge', '--provider', 'http', '--base-url', base, '--key', 'x.mp4', '--derivatives', 'mobile', '--edge', '127.0.0.1:9', '--retry', '0', '--progress', 'false', '--failed-output', failed]);
      expect(down.code).toBe(1);
      expect(readFileSync(failed, 'utf8').trim().split('\n').sort()).toEqual(['http://cdn.example.test/media/x.mp4?token=REDACTED', 'http://cdn.example.test/media/x.mp4?token=REDACTED&imwidth=854']);
      const dry = await runCli(['purge', '--provider', 'http', '--base-url', base, '--key', 'x.mp4', '--dry-run']);
      expect(dry.stdout).toContain('PURGE http://cdn.example.test/media/x.mp4?token=REDACTED');
      const again = await runCli(['purge', '--provider', 'http', '--base-url', base, '--items-file', failed, '--edge', a.url.replace('http://', ''), ...fast]);
      expect(again.code, again.stderr).toBe(0);
      expect(a.requests.map((q) => q.path).sort()).toEqual(['/media/x.mp4?token=sekret-77', '/media/x.mp4?token=sekret-77&imwidth=854']);
      for (const r of [down, dry, again]) expect(r.stdout + r.stderr).not.toContain('sekret-77');
    } finally {
      await a.close();
    }
  });

  it('Ctrl-C: no new call, the one in flight finishes, what was not sent is in the failed file, exit 130', async () => {
    const seen: string[] = [];
    let first: () => void = () => {};
    const arrived = new Promise<void>((resolve) => (first = resolve));
    // Each answer waits until purge has said it was interrupted: the first call is in flight at Ctrl-C, however slow the machine.
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const slow = createServer((req, res) => {
      seen.push(String(req.url));
      first();
      void released.then(() => res.end('purged'));
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      const failed = join(dir, 'interrupted-failed.txt');
      const child = spawn(process.execPath, [CLI, 'purge', '--provider', 'http', '--base-url', 'http://cdn.example.test/media', '--key', 'x.mp4', '--concurrency', '1',
        '--edge', `127.0.0.1:${(slow.address() as AddressInfo).port}`, '--failed-output', failed, '--progress', 'false'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => {
        out += d;
        if (out.includes('purge: interrupted')) release();
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await arrived;
      child.kill('SIGINT');
      expect(await exited, out).toBe(130);
      expect(seen).toEqual(['/media/x.mp4']);
      expect(out).toMatch(/purge: 4 URL\(s\) for 1 key\(s\) .* 1 purged, 3 failed, INTERRUPTED/);
      expect(readFileSync(failed, 'utf8').trim().split('\n').sort()).toEqual(['1280', '1920', '854'].map((w) => `http://cdn.example.test/media/x.mp4?imwidth=${w}`).sort());
    } finally {
      release();
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }
  });

  it('a cache answering 429 with Retry-After is waited for, then purged', async () => {
    const a = await purgeableEdge('busy', '127.0.0.1', { throttleFirst: 2 });
    try {
      const r = await runCli(['purge', '--provider', 'http', '--base-url', a.url, '--key', 'x.mp4', '--derivatives', 'mobile', '--concurrency', '1', ...fast]);
      expect(r.code, r.stderr).toBe(0);
      expect(a.requests.map((q) => q.status)).toEqual([429, 429, 200, 200]);
      // Each 429's Retry-After (1 s) held every call back.
      expect(a.requests[2].at - a.requests[1].at).toBeGreaterThanOrEqual(950);
      expect(r.stdout).toContain('2 throttled (429)');
    } finally {
      await a.close();
    }
  });

  it('sends PURGE for every URL to each --edge with the base URL\'s Host header; 404 counts as not cached', async () => {
    const a = await purgeableEdge('a');
    const b = await purgeableEdge('b');
    try {
      const edge = (e: { url: string }) => e.url.replace('http://', '');
      const r = await runCli(['purge', '--provider', 'http', '--base-url', 'http://cdn.example.test/media', '--key', 'videos/a.mp4', '--key', 'uncached.jpg', '--image-variants', 'thumbnail',
        '--edge', edge(a), '--edge', edge(b), '--header', 'X-Purge-Secret: s3cr3t', ...fast]);
      expect(r.code, r.stderr).toBe(0);
      for (const e of [a, b]) {
        expect(e.requests.map((q) => `${q.method} ${q.path}`).sort()).toEqual([
          'PURGE /media/uncached.jpg', 'PURGE /media/uncached.jpg?width=150&height=150&fit=cover',
          'PURGE /media/videos/a.mp4', 'PURGE /media/videos/a.mp4?imwidth=1280', 'PURGE /media/videos/a.mp4?imwidth=1920', 'PURGE /media/videos/a.mp4?imwidth=854',
        ]);
        expect(e.requests.every((q) => q.headers.host === 'cdn.example.test' && q.headers['x-purge-secret'] === 's3cr3t')).toBe(true);
      }
      expect(r.stdout).toContain('purge: 6 URL(s) for 2 key(s)');
      expect(r.stdout).toContain('4 purged, 0 failed (2 not cached');
      // An edge that refuses connections fails its URLs, after the retries.
      const down = await runCli(['purge', '--provider', 'http', '--base-url', 'http://cdn.example.test', '--key', 'x.mp4', '--edge', '127.0.0.1:9', '--retry', '1', '--progress', 'false', '--failed-output', join(dir, 'down.txt')]);
      expect(down.code).toBe(1);
      expect(readFileSync(join(dir, 'down.txt'), 'utf8').trim().split('\n')).toHaveLength(4);
      expect(down.stderr).toMatch(/edge 127\.0\.0\.1:9: .*ECONNREFUSED/);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
