// The change-aware cycle with real caches nobody here wrote: Varnish (Debian's varnishd, a
// VCL taking PURGE and BAN from 127.0.0.1) and nginx proxy_cache with Debian's cache purge
// module, both in front of the local origin. Warm, replace a source with
// `optimize --optimize-in-place`, see the caches still serve the old derivatives, diff,
// purge, re-warm, and the derivatives served afterwards are the new ones and HITs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { request as httpRequest } from 'node:http';
import { runCli } from './helpers/cli.js';
import { makeClip } from './optimize-clips.js';
import { startOrigin } from '../origin/index.js';
import type { RunningOrigin } from '../origin/types.js';
import { startNginxCache, startVarnish, type RunningCache } from './fixtures/caches.js';
import type { ResultsFile } from '../common/results-record.js';

let dir: string;
let lib: string;
let origin: RunningOrigin;
const caches: RunningCache[] = [];
const CLIP = 'videos/clip.mp4';
const derivativePaths = ['?imwidth=1920', '?imwidth=1280', '?imwidth=854'].map((q) => `/videos/clip.mp4${q}`);

/** GET through a cache (as a player would), with the Host the cache keys on. */
async function head(base: string, path: string, host?: string): Promise<{ etag: string; length: string; cache: string }> {
  const r = await request(`${base}${path}`, { method: 'GET', headers: host ? { host } : {} });
  await r.body.dump();
  const h = r.headers;
  return { etag: String(h.etag), length: String(h['content-length']), cache: String(h['x-cache'] ?? h['x-cache-status']) };
}

function records(path: string): ResultsFile['records'] {
  return (JSON.parse(readFileSync(path, 'utf8')) as ResultsFile).records;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mt-purge-caches-'));
  lib = join(dir, 'library');
  // A high-quality 640x360 clip: the 360p re-encode is much smaller, so optimize replaces it.
  await makeClip(join(lib, CLIP), { width: 640, height: 360, seconds: 1 });
  await makeClip(join(lib, 'videos/small.mp4'), { width: 160, height: 90, seconds: 0.2, audio: false });
  mkdirSync(join(lib, 'images'), { recursive: true });
  writeFileSync(join(lib, 'images/pic.jpg'), Buffer.alloc(2000, 3));
  origin = await startOrigin({ root: lib, host: '127.0.0.1', port: 0, mode: 'synthetic', syntheticBytesPerWidth: 16 });
  caches.push(await startVarnish(origin.port), await startNginxCache(origin.port));
});

afterAll(async () => {
  for (const c of caches) await c.stop();
  await origin?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('purge with real caches', () => {
  it('warm, optimize in place, purge, re-warm: Varnish and nginx serve the new derivatives, as HITs', async () => {
    const before = join(dir, 'before.jsonl');
    expect((await runCli(['list', '--remote', 'local', '--bucket', lib, '--format', 'jsonl', '--output', before])).code).toBe(0);

    // 1. Warm both caches; every derivative is then a HIT.
    const old = new Map<string, Array<{ etag: string; length: string }>>();
    for (const c of caches) {
      const out = join(dir, `warm-${c.name}.json`);
      const r = await runCli(['prewarm', '--remote', 'local', '--bucket', lib, '--base-url', c.url, '--output', out, '--workers', '4', '--progress', 'false']);
      expect(r.code, `${c.name}: ${r.stderr}`).toBe(0);
      expect(records(out).every((x) => x.ok && x.cacheStatus === 'miss'), c.name).toBe(true);
      const now = await Promise.all(derivativePaths.map((p) => head(c.url, p)));
      expect(now.map((x) => x.cache), c.name).toEqual(['HIT', 'HIT', 'HIT']);
      old.set(c.name, now);
    }

    // 2. Replace the clip in place; the caches keep serving the derivatives of the old one.
    const size = statSync(join(lib, CLIP)).size;
    const opt = await runCli(['optimize', '--remote', 'local', '--bucket', lib, '--size-threshold', '0.05', '--optimize-in-place', '--quality', 'efficient', '--target-resolution', '360p',
      '--preset', 'ultrafast', '--workers', '1', '--manifest', join(dir, 'manifest.json'), '--report', join(dir, 'optimize.md'), '--no-progress'], { env: { XDG_CACHE_HOME: join(dir, 'xdg') } });
    expect(opt.code, opt.stderr).toBe(0);
    expect(statSync(join(lib, CLIP)).size).toBeLessThan(size);
    const fresh = await Promise.all(derivativePaths.map(async (p) => head(origin.url, p)));
    for (const c of caches) {
      const stale = await Promise.all(derivativePaths.map((p) => head(c.url, p)));
      expect(stale.map((x) => x.etag), `${c.name} still serves the old derivatives`).toEqual(old.get(c.name)!.map((x) => x.etag));
      expect(stale.map((x) => x.etag)).not.toEqual(fresh.map((x) => x.etag));
    }

    // 3. What changed: the clip alone.
    const changes = join(dir, 'changes.jsonl');
    const d = await runCli(['diff', '--before', before, '--remote', 'local', '--bucket', lib, '--output', changes]);
    expect(d.code, d.stderr).toBe(0);
    expect(readFileSync(changes, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).map((x) => `${x.change} ${x.key}`)).toEqual([`changed ${CLIP}`]);

    for (const c of caches) {
      // 4. Purge its URLs: PURGE to Varnish, to nginx's /purge location.
      const p = await runCli(['purge', '--provider', 'http', '--base-url', c.url, ...c.purgeArgs, '--keys-file', changes, '--progress', 'false', '--report', join(dir, `purge-${c.name}.json`)]);
      expect(p.code, `${c.name}: ${p.stderr}`).toBe(0);
      const report = JSON.parse(readFileSync(join(dir, `purge-${c.name}.json`), 'utf8'));
      // source + 3 derivatives; the source URL was never requested, so the cache did not hold it.
      expect(report).toMatchObject({ keys: 1, items: 4, failed: 0 });
      expect(report.purged).toBeGreaterThanOrEqual(3);

      // 5. Re-warm the changed key only: every request goes to the origin again (MISS).
      const out = join(dir, `rewarm-${c.name}.json`);
      const r = await runCli(['prewarm', '--remote', 'local', '--bucket', lib, '--base-url', c.url, '--only-keys', changes, '--output', out, '--progress', 'false']);
      expect(r.code, r.stderr).toBe(0);
      const again = records(out);
      expect(again.map((x) => x.key)).toEqual([CLIP, CLIP, CLIP]);
      expect(again.every((x) => x.ok && x.cacheStatus === 'miss'), `${c.name}: ${JSON.stringify(again.map((x) => x.cacheStatus))}`).toBe(true);

      // 6. Verify: `media-toolkit verify` finds every re-warmed derivative a HIT, and they are the new ones.
      const v = await runCli(['verify', '--results-file', out, '--output', join(dir, `verify-${c.name}.md`), '--min-hit-ratio', '1', '--progress', 'false']);
      expect(v.code, `${c.name}: ${v.stdout}${v.stderr}`).toBe(0);
      expect(JSON.parse(readFileSync(join(dir, `verify-${c.name}.json`), 'utf8')).coverage.overall).toMatchObject({ total: 3, hits: 3, ratio: 1 });
      const now = await Promise.all(derivativePaths.map((q) => head(c.url, q)));
      expect(now.map((x) => x.cache), c.name).toEqual(['HIT', 'HIT', 'HIT']);
      expect(now.map((x) => x.etag), c.name).toEqual(fresh.map((x) => x.etag));
      expect(now.map((x) => x.etag), c.name).not.toEqual(old.get(c.name)!.map((x) => x.etag));
    }
  });

  it('Varnish: BAN removes one URL, and a PURGE from elsewhere than 127.0.0.1 is refused', async () => {
    const varnish = caches.find((c) => c.name === 'varnish')!;
    const path = '/images/pic.jpg?width=400';
    await head(varnish.url, path, 'cdn.example.test');
    expect((await head(varnish.url, path, 'cdn.example.test')).cache).toBe('HIT');
    const ban = await runCli(['purge', '--provider', 'http', '--method', 'BAN', '--base-url', 'http://cdn.example.test', '--edge', `127.0.0.1:${varnish.port}`, '--urls-file', '-', '--progress', 'false'], { input: `http://cdn.example.test${path}\n` });
    expect(ban.code, ban.stderr).toBe(0);
    expect((await head(varnish.url, path, 'cdn.example.test')).cache).toBe('MISS');
    // The VCL's ACL: the same PURGE sent from 127.0.0.2 (another loopback address) gets 405.
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: varnish.port, path, method: 'PURGE', headers: { host: 'cdn.example.test' }, localAddress: '127.0.0.2' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(405);
    expect((await head(varnish.url, path, 'cdn.example.test')).cache).toBe('HIT');
  });
});
