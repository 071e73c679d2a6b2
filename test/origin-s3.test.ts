// --remote s3: sources read from a real S3 server (versitygw on 127.0.0.1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3Server, type S3TestServer } from './fixtures/s3-server.js';
import { startOrigin, type RunningOrigin } from '../origin/index.js';
import { objectUrl } from '../common/url.js';
import { requireTool } from '../lib/tools.js';
import { spawn } from 'node:child_process';
import { CLI, ROOT, runCli } from './helpers/cli.js';

describe('origin --remote s3', () => {
  let s3: S3TestServer;
  let origin: RunningOrigin;
  let work: string;
  const body = Buffer.from(Array.from({ length: 20_000 }, (_, i) => i % 253));

  beforeAll(async () => {
    s3 = await startS3Server();
    Object.assign(process.env, s3.awsEnv());
    work = await mkdtemp(join(tmpdir(), 'origin-s3-'));
    execFileSync(requireTool('ffmpeg'), ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=10:duration=1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', join(work, 'src.mp4')]);
    await s3.createBucket('media');
    await s3.putObjects('media', [
      { key: 'site/videos/clip one.mp4', body },
      { key: 'site/ünï+code#.mp4', body: 'unicode' },
      { key: 'site/real.mp4', body: await readFile(join(work, 'src.mp4')) },
      { key: 'outside.mp4', body: 'not served' },
    ]);
    origin = await startOrigin({ remote: { type: 's3', bucket: 'media', prefix: 'site', endpoint: s3.endpoint, region: s3.region }, syntheticBytesPerWidth: 10 });
  }, 120_000);
  afterAll(async () => {
    await origin?.close();
    await s3?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('streams a video of the bucket as HLS and DASH: downloaded once, packaged by ffmpeg', async () => {
    const base = objectUrl(origin.url, 'real.mp4');
    const master = await fetch(`${base}/hls/master.m3u8`);
    expect(master.status).toBe(200);
    expect(await master.text()).toMatch(/#EXT-X-STREAM-INF:BANDWIDTH=\d+/);
    const mpd = await fetch(`${base}/dash/manifest.mpd`);
    expect(mpd.status).toBe(200);
    expect(await mpd.text()).toContain('<BaseURL>../cmaf/</BaseURL>');
    const seg = await fetch(`${base}/cmaf/chunk-stream0-00001.m4s`, { headers: { Range: 'bytes=0-7' } });
    expect(seg.status).toBe(206);
    expect(Buffer.from(await seg.arrayBuffer()).subarray(4, 8).toString('latin1')).toMatch(/^(moof|styp)$/);
    expect(origin.stats().packages).toBe(1);
    expect((await fetch(objectUrl(origin.url, 'missing.mp4') + '/hls/master.m3u8')).status).toBe(404);
  });

  it('serves objects under the prefix with Range, HEAD, ETag and cache status', async () => {
    const url = objectUrl(origin.url, 'videos/clip one.mp4');
    const full = await fetch(url);
    expect(full.status).toBe(200);
    expect(Buffer.from(await full.arrayBuffer()).equals(body)).toBe(true);
    expect(full.headers.get('cf-cache-status')).toBe('MISS');
    const part = await fetch(url, { headers: { Range: 'bytes=1000-1099' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-1099/${body.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(body.subarray(1000, 1100))).toBe(true);
    expect(part.headers.get('cf-cache-status')).toBe('HIT');
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(body.length));
    expect((await fetch(url, { headers: { 'If-None-Match': full.headers.get('etag')! } })).status).toBe(304);
    const unicode = await fetch(objectUrl(origin.url, 'ünï+code#.mp4'));
    expect(await unicode.text()).toBe('unicode');
  });

  it('serves synthetic derivatives of bucket objects and 404 for missing or outside keys', async () => {
    const d = await fetch(`${objectUrl(origin.url, 'videos/clip one.mp4')}/mobile/`);
    expect(d.status).toBe(200);
    expect((await d.arrayBuffer()).byteLength).toBe(8540);
    expect((await fetch(objectUrl(origin.url, 'nope.mp4'))).status).toBe(404);
    expect((await fetch(`${origin.url}/%2e%2e/outside.mp4`)).status).toBe(404);
  });

  it('renders real derivatives from a bucket object in ffmpeg mode', async () => {
    const o = await startOrigin({ remote: { type: 's3', bucket: 'media', prefix: 'site', endpoint: s3.endpoint, region: s3.region }, mode: 'ffmpeg' });
    try {
      const r = await fetch(`${o.url}/real.mp4?imwidth=160`);
      expect(r.status).toBe(200);
      const out = join(work, 'rendered.mp4');
      await writeFile(out, Buffer.from(await r.arrayBuffer()));
      const probe = JSON.parse(String(execFileSync(requireTool('ffprobe'), ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width', '-of', 'json', out])));
      expect(probe.streams[0].width).toBe(160);
      expect(o.stats().renders).toBe(1);
    } finally {
      await o.close();
    }
  });

  it('runs from the CLI with --remote s3 --bucket --directory --endpoint, and needs --bucket', async () => {
    const child = spawn(process.execPath, [CLI, 'origin', '--remote', 's3', '--bucket', 'media', '--directory', 'site', '--endpoint', s3.endpoint], {
      cwd: ROOT,
      env: { ...process.env, ...s3.awsEnv() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error('no URL line')), 30_000);
      child.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('\n')) {
          clearTimeout(timer);
          resolve(out.split('\n')[0]);
        }
      });
    });
    try {
      const base = line.replace('origin listening on ', '');
      const r = await fetch(objectUrl(base, 'videos/clip one.mp4'), { headers: { Range: 'bytes=-10' } });
      expect(r.status).toBe(206);
      expect(Buffer.from(await r.arrayBuffer()).equals(body.subarray(body.length - 10))).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const bad = await runCli(['origin', '--remote', 's3'], { timeoutMs: 60_000 });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--bucket');
  });
});
