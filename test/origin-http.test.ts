// The origin's HTTP behaviour: URL forms, keys, Range, HEAD, ETag/304, cache status.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOrigin, type RunningOrigin } from '../origin/index.js';
import { DEFAULT_DERIVATIVES } from '../common/derivatives.js';
import { IMAGE_VARIANTS, variantUrl } from '../common/image-variants.js';
import { derivativeUrl, objectUrl } from '../common/url.js';
import { parseCacheStatus } from '../common/cache-status.js';
import { headerLookup } from './helpers/header-lookup.js';

const BPW = 16; // synthetic bytes per pixel of width: small bodies, fast tests

interface Got {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** GET/HEAD with the path sent exactly as written (fetch would normalise ../ away). */
function raw(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

function pathOf(url: string): string {
  return url.replace(/^http:\/\/[^/]+/, '');
}

describe('origin HTTP', () => {
  let root: string;
  let outside: string;
  let origin: RunningOrigin;
  const source = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7 + 3) % 251));
  const get = (url: string, headers: Record<string, string> = {}, method = 'GET') => raw(origin.port, pathOf(url), headers, method);

  const KEYS: Record<string, string> = {
    'sp ace.mp4': 'space',
    'ünï/cödé.mp4': 'unicode',
    'a+b.mp4': 'plus',
    'a b+.mp4': 'space and plus',
    'h#sh.mp4': 'hash',
    '100%.mp4': 'percent',
    '100%25.mp4': 'literal percent-two-five',
    'q?x=1.mp4': 'question',
    "it's (1).jpg": 'quote and parens',
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'origin-http-'));
    outside = await mkdtemp(join(tmpdir(), 'origin-outside-'));
    await mkdir(join(root, 'videos', 'nested'), { recursive: true });
    await writeFile(join(root, 'videos', 'nested', 'clip.mp4'), source);
    await writeFile(join(root, 'photo.jpg'), Buffer.alloc(300, 1));
    for (const [key, body] of Object.entries(KEYS)) {
      await mkdir(join(root, ...key.split('/').slice(0, -1)), { recursive: true });
      await writeFile(join(root, ...key.split('/')), body);
    }
    await writeFile(join(outside, 'secret.txt'), 'secret');
    await symlink(outside, join(root, 'escape'));
    await symlink(join(outside, 'secret.txt'), join(root, 'secret-link.txt'));
    origin = await startOrigin({ root, syntheticBytesPerWidth: BPW });
  });
  afterAll(async () => {
    await origin?.close();
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('serves the source itself at <base>/<key> with type, length, validators and Accept-Ranges', async () => {
    const r = await get(objectUrl(origin.url, 'videos/nested/clip.mp4'));
    expect(r.status).toBe(200);
    expect(r.body.equals(source)).toBe(true);
    expect(r.headers['content-type']).toBe('video/mp4');
    expect(r.headers['content-length']).toBe(String(source.length));
    expect(r.headers['accept-ranges']).toBe('bytes');
    expect(r.headers.etag).toMatch(/^"[^"]+"$/);
    expect(new Date(r.headers['last-modified']!).getTime()).toBeGreaterThan(0);
    expect((await get(objectUrl(origin.url, 'photo.jpg'))).headers['content-type']).toBe('image/jpeg');
  });

  it('maps every derivative URL form to the derivative, body size proportional to its width', async () => {
    for (const d of DEFAULT_DERIVATIVES) {
      for (const format of ['imwidth', 'derivative', 'query'] as const) {
        const url = derivativeUrl(origin.url, 'videos/nested/clip.mp4', d, { format });
        const r = await get(url);
        expect(r.status, url).toBe(200);
        expect(r.body.length, url).toBe(d.width * BPW);
        expect(r.headers['content-length'], url).toBe(String(d.width * BPW));
        expect(r.headers['content-type'], url).toBe('video/mp4');
        expect(r.headers['x-media-transform'], url).toContain(`w=${d.width}`);
      }
    }
    // Query form with its own width overriding the derivative's.
    const r = await get(`${objectUrl(origin.url, 'videos/nested/clip.mp4')}?derivative=tablet&width=640&height=360`);
    expect(r.body.length).toBe(640 * BPW);
    expect((await get(`${objectUrl(origin.url, 'videos/nested/clip.mp4')}/nosuch/`)).status).toBe(404);
  });

  it('maps every image variant form (query, Akamai im=, path segments) to its width and format', async () => {
    for (const v of IMAGE_VARIANTS) {
      const url = variantUrl(origin.url, 'photo.jpg', v);
      const r = await get(url);
      expect(r.status, url).toBe(200);
      // No width in the variant: a format change or crop keeps the source's size.
      expect(r.body.length, url).toBe(v.width ? v.width * BPW : 300);
      const format = /(?:^|[&/]|im=)_?format=(\w+)/.exec(`${v.path ?? ''}&${v.query ?? ''}`)?.[1];
      expect(r.headers['content-type'], url).toBe(`image/${format ?? 'jpeg'}`);
      const mark = r.headers['x-media-transform'] as string;
      if (v.width) expect(mark, url).toContain(`w=${v.width}`);
      if (v.height) expect(mark, url).toContain(`h=${v.height}`);
    }
    const forms: [string, number][] = [
      ['?w=300&h=200&f=webp&q=70', 300],
      ['?im=Resize,width=250', 250],
      ['?im=Resize=(220,100)', 220],
      ['?imwidth=128', 128],
      ['?height=90', 160],
      ['?im=Resize=width:300;Format=webp', 300],
    ];
    for (const [q, width] of forms) {
      const r = await get(`${objectUrl(origin.url, 'photo.jpg')}${q}`);
      expect(r.body.length, q).toBe(width * BPW);
    }
    const odd = await get(`${objectUrl(origin.url, 'photo.jpg')}?width=90&blur=%C3%A9%0A`);
    expect(odd.status).toBe(200);
    expect(odd.headers['x-media-transform']).toBe('w=90&x=blur=%C3%A9%0A');
    const path = await get(`${origin.url}/_w=333/_quality=50/photo.jpg`);
    expect(path.body.length).toBe(333 * BPW);
  });

  it('gives each derivative its own stable bytes and a strong ETag stable per body', async () => {
    const a1 = await get(`${objectUrl(origin.url, 'videos/nested/clip.mp4')}?imwidth=100`);
    const a2 = await get(`${objectUrl(origin.url, 'videos/nested/clip.mp4')}?imwidth=100`);
    const b = await get(`${objectUrl(origin.url, 'photo.jpg')}?imwidth=100`);
    expect(a1.body.equals(a2.body)).toBe(true);
    expect(a1.headers.etag).toBe(a2.headers.etag);
    expect(a1.headers.etag).not.toMatch(/^W\//);
    expect(b.body.equals(a1.body)).toBe(false);
    expect(b.headers.etag).not.toBe(a1.headers.etag);
  });

  it('decodes keys segment by segment: space, unicode, +, #, %, ?, quotes reach the right file', async () => {
    for (const [key, body] of Object.entries(KEYS)) {
      const r = await get(objectUrl(origin.url, key));
      expect(r.status, key).toBe(200);
      expect(r.body.toString(), key).toBe(body);
      const d = await get(derivativeUrl(origin.url, key, DEFAULT_DERIVATIVES[2], { format: 'derivative' }));
      expect(d.status, key).toBe(200);
      expect(d.body.length, key).toBe(854 * BPW);
    }
    // An encoded slash is not a folder separator.
    expect((await raw(origin.port, '/videos%2Fnested%2Fclip.mp4')).status).toBe(404);
  });

  it('refuses paths that would leave the root: ../, encoded %2e%2e, symlinks out', async () => {
    for (const p of ['/../etc/passwd', '/videos/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/videos/%2E%2E/%2E%2E/etc/passwd', '/..%2f..%2fetc%2fpasswd', '/escape/secret.txt', '/secret-link.txt', '/./photo.jpg', '/videos/nested']) {
      const r = await raw(origin.port, p);
      expect([400, 404], p).toContain(r.status);
      expect(r.body.toString(), p).not.toContain('secret');
    }
  });

  it('answers Range: first bytes, middle, last, suffix, open-ended, on sources and derivatives', async () => {
    for (const url of [objectUrl(origin.url, 'videos/nested/clip.mp4'), `${objectUrl(origin.url, 'videos/nested/clip.mp4')}/tablet/`]) {
      const full = (await get(url)).body;
      const size = full.length;
      const cases: [string, number, number][] = [
        ['bytes=0-0', 0, 0],
        ['bytes=0-99', 0, 99],
        ['bytes=1000-1999', 1000, 1999],
        [`bytes=${size - 10}-${size - 1}`, size - 10, size - 1],
        ['bytes=-500', size - 500, size - 1],
        [`bytes=${size - 300}-`, size - 300, size - 1],
        [`bytes=10-${size + 5000}`, 10, size - 1],
        [`bytes=-${size + 10}`, 0, size - 1],
        ['bytes=5-9, 20-29', 5, 9],
      ];
      for (const [range, start, end] of cases) {
        const r = await get(url, { Range: range });
        expect(r.status, `${url} ${range}`).toBe(206);
        expect(r.headers['content-range'], range).toBe(`bytes ${start}-${end}/${size}`);
        expect(r.headers['content-length'], range).toBe(String(end - start + 1));
        expect(r.body.equals(full.subarray(start, end + 1)), range).toBe(true);
      }
    }
  });

  it('answers 416 with bytes */SIZE when the range cannot be satisfied, and ignores a malformed Range', async () => {
    const url = objectUrl(origin.url, 'videos/nested/clip.mp4');
    for (const range of [`bytes=${source.length}-`, `bytes=${source.length + 10}-${source.length + 20}`, 'bytes=-0']) {
      const r = await get(url, { Range: range });
      expect(r.status, range).toBe(416);
      expect(r.headers['content-range'], range).toBe(`bytes */${source.length}`);
      expect(r.body.length).toBe(0);
    }
    for (const range of ['items=0-5', 'bytes=abc', 'bytes=9-3']) {
      const r = await get(url, { Range: range });
      expect(r.status, range).toBe(200);
      expect(r.body.length).toBe(source.length);
    }
  });

  it('answers HEAD with the same headers and no body', async () => {
    for (const url of [objectUrl(origin.url, 'videos/nested/clip.mp4'), `${objectUrl(origin.url, 'videos/nested/clip.mp4')}?imwidth=854`]) {
      const g = await get(url);
      const h = await get(url, {}, 'HEAD');
      expect(h.status).toBe(200);
      expect(h.body.length).toBe(0);
      for (const name of ['content-length', 'content-type', 'etag', 'last-modified', 'accept-ranges']) expect(h.headers[name], name).toBe(g.headers[name]);
      const hr = await get(url, { Range: 'bytes=0-9' }, 'HEAD');
      expect(hr.status).toBe(206);
      expect(hr.headers['content-length']).toBe('10');
      expect(hr.body.length).toBe(0);
    }
  });

  it('answers If-None-Match with 304 when the ETag matches, 200 otherwise; If-Range guards ranges', async () => {
    const url = `${objectUrl(origin.url, 'videos/nested/clip.mp4')}?imwidth=200`;
    const first = await get(url);
    const etag = first.headers.etag!;
    const again = await get(url, { 'If-None-Match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe(etag);
    expect((await get(url, { 'If-None-Match': `"other", ${etag}` })).status).toBe(304);
    expect((await get(url, { 'If-None-Match': '"stale"' })).status).toBe(200);
    expect((await get(url, { Range: 'bytes=0-9', 'If-Range': etag })).status).toBe(206);
    const changed = await get(url, { Range: 'bytes=0-9', 'If-Range': '"changed"' });
    expect(changed.status).toBe(200);
    expect(changed.body.length).toBe(200 * BPW);
  });

  it('reports MISS on the first request for a derivative and HIT with Age afterwards, per cache key', async () => {
    const url = `${objectUrl(origin.url, 'videos/nested/clip.mp4')}?imwidth=777`;
    const before = origin.stats();
    const miss = await get(url);
    expect(miss.headers['cf-cache-status']).toBe('MISS');
    expect(parseCacheStatus(headerLookup(miss.headers))).toBe('miss');
    const hit = await get(url, { Range: 'bytes=0-0' });
    expect(hit.headers['cf-cache-status']).toBe('HIT');
    expect(Number(hit.headers.age)).toBeGreaterThanOrEqual(0);
    expect(parseCacheStatus(headerLookup(hit.headers))).toBe('hit');
    // Same width through another URL form is the same cache key only when the transform is the same.
    const other = await get(`${objectUrl(origin.url, 'videos/nested/clip.mp4')}?imwidth=778`);
    expect(other.headers['cf-cache-status']).toBe('MISS');
    const after = origin.stats();
    expect(after.misses - before.misses).toBe(2);
    expect(after.hits - before.hits).toBe(1);
    expect(after.requests - before.requests).toBe(3);
    await new Promise((r) => setTimeout(r, 1100));
    const aged = await get(url);
    expect(aged.headers['cf-cache-status']).toBe('HIT');
    expect(Number(aged.headers.age)).toBeGreaterThanOrEqual(1);
  });

  it('answers 405 to other methods and 404 to missing keys', async () => {
    expect((await get(objectUrl(origin.url, 'photo.jpg'), {}, 'POST')).status).toBe(405);
    expect((await get(objectUrl(origin.url, 'nope.mp4'))).status).toBe(404);
  });

  it('serves under a base path and nothing outside it', async () => {
    const o = await startOrigin({ root, basePath: '/media/', syntheticBytesPerWidth: BPW });
    try {
      expect(o.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/media$/);
      const r = await raw(o.port, pathOf(`${objectUrl(o.url, 'videos/nested/clip.mp4')}?imwidth=50`));
      expect(r.status).toBe(200);
      expect(r.body.length).toBe(50 * BPW);
      expect((await raw(o.port, '/videos/nested/clip.mp4')).status).toBe(404);
    } finally {
      await o.close();
    }
  });

  it('streams large synthetic bodies completely (20 MB)', async () => {
    const o = await startOrigin({ root, syntheticBytesPerWidth: 10_923 });
    try {
      const r = await raw(o.port, '/photo.jpg?imwidth=1920');
      expect(r.status).toBe(200);
      expect(r.body.length).toBe(1920 * 10_923);
      const tail = await raw(o.port, '/photo.jpg?imwidth=1920', { Range: 'bytes=-65537' });
      expect(tail.body.equals(r.body.subarray(r.body.length - 65537))).toBe(true);
    } finally {
      await o.close();
    }
  });

  it('serves any key in virtual mode without reading the folder, still refusing traversal', async () => {
    const o = await startOrigin({ root, virtual: true, syntheticBytesPerWidth: BPW });
    try {
      const src = await raw(o.port, pathOf(objectUrl(o.url, 'not/on disk/clip 7.mp4')));
      expect(src.status).toBe(200);
      expect(src.body.length).toBe(1920 * BPW);
      expect(src.headers['content-type']).toBe('video/mp4');
      const d = await raw(o.port, pathOf(derivativeUrl(o.url, 'not/on disk/clip 7.mp4', DEFAULT_DERIVATIVES[1])));
      expect(d.body.length).toBe(1280 * BPW);
      expect(d.body.equals(src.body.subarray(0, d.body.length))).toBe(false);
      const part = await raw(o.port, pathOf(objectUrl(o.url, 'x.mp4')), { Range: 'bytes=100-199' });
      expect(part.status).toBe(206);
      expect(part.body.length).toBe(100);
      expect((await raw(o.port, '/../x.mp4')).status).toBe(404);
    } finally {
      await o.close();
    }
    await expect(startOrigin({ root, virtual: true, mode: 'ffmpeg' })).rejects.toThrow(/synthetic/);
  });

  it('refuses a root that is missing or not a folder', async () => {
    await expect(startOrigin({ root: join(root, 'nope') })).rejects.toThrow(/does not exist/);
    await expect(startOrigin({ root: join(root, 'photo.jpg') })).rejects.toThrow(/not a folder/);
  });
});
