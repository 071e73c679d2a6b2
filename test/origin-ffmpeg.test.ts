// ffmpeg mode: derivatives are real scaled renders, cached on disk, rendered once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOrigin, type RunningOrigin } from '../origin/index.js';
import { requireTool } from '../lib/tools.js';

function probe(path: string): { width: number; height: number; codec: string } {
  const out = JSON.parse(String(execFileSync(requireTool('ffprobe'), ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,codec_name', '-of', 'json', path])));
  const s = out.streams[0];
  return { width: s.width, height: s.height, codec: s.codec_name };
}

describe('origin --mode ffmpeg', () => {
  let root: string;
  let cacheDir: string;
  let work: string;
  let origin: RunningOrigin;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'origin-ffmpeg-'));
    cacheDir = join(root, '..', `${root.split('/').pop()}-cache`);
    work = await mkdtemp(join(tmpdir(), 'origin-ffmpeg-work-'));
    const ffmpeg = requireTool('ffmpeg');
    execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=15:duration=1', '-f', 'lavfi', '-i', 'sine=duration=1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', join(root, 'clip one.mp4')]);
    execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=400x300', '-frames:v', '1', join(root, 'pic.png')]);
    origin = await startOrigin({ root, mode: 'ffmpeg', cacheDir });
  });
  afterAll(async () => {
    await origin?.close();
    for (const d of [root, cacheDir, work]) await rm(d, { recursive: true, force: true });
  });

  async function fetchTo(url: string, name: string): Promise<{ res: Response; path: string }> {
    const res = await fetch(url);
    const path = join(work, name);
    await writeFile(path, Buffer.from(await res.arrayBuffer()));
    return { res, path };
  }

  it('renders a real scaled video, caches it on disk and never renders it again', async () => {
    const url = `${origin.url}/clip%20one.mp4?imwidth=160`;
    const first = await fetchTo(url, 'first.mp4');
    expect(first.res.status).toBe(200);
    expect(first.res.headers.get('cf-cache-status')).toBe('MISS');
    expect(first.res.headers.get('content-type')).toBe('video/mp4');
    expect(probe(first.path)).toMatchObject({ width: 160, height: 90, codec: 'h264' });
    expect(origin.stats().renders).toBe(1);
    const cached = (await readdir(cacheDir)).filter((f) => !f.startsWith('.'));
    expect(cached).toHaveLength(1);
    const mtime = (await stat(join(cacheDir, cached[0]))).mtimeMs;

    const second = await fetchTo(url, 'second.mp4');
    expect(second.res.headers.get('cf-cache-status')).toBe('HIT');
    expect(second.res.headers.get('etag')).toBe(first.res.headers.get('etag'));
    expect(origin.stats().renders).toBe(1);
    expect((await stat(join(cacheDir, cached[0]))).mtimeMs).toBe(mtime);

    const ranged = await fetch(url, { headers: { Range: 'bytes=0-99' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toMatch(/^bytes 0-99\/\d+$/);
    expect((await ranged.arrayBuffer()).byteLength).toBe(100);
  });

  it('renders once when several first requests for one derivative arrive together', async () => {
    const url = `${origin.url}/clip%20one.mp4/mobile/`;
    const before = origin.stats().renders;
    const all = await Promise.all([0, 1, 2, 3].map(async () => {
      const r = await fetch(url);
      return { status: r.status, size: (await r.arrayBuffer()).byteLength };
    }));
    expect(all.every((r) => r.status === 200 && r.size === all[0].size && r.size > 0)).toBe(true);
    expect(origin.stats().renders - before).toBe(1);
    const { path } = await fetchTo(url, 'mobile.mp4');
    // mobile is 854x640: the 320x180 source already fits inside it and is never enlarged.
    expect(probe(path)).toMatchObject({ width: 320, height: 180 });
    const cover = await fetchTo(`${origin.url}/pic.png?width=120&height=120&fit=cover`, 'cover.png');
    expect(probe(cover.path)).toMatchObject({ width: 120, height: 120 });
  });

  it('renders image variants in the format asked', async () => {
    const { res, path } = await fetchTo(`${origin.url}/_width=100/_format=webp/pic.png`, 'pic.webp');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/webp');
    expect(probe(path)).toMatchObject({ width: 100, height: 75, codec: 'webp' });
  });

  it('reuses renders left in the cache folder by an earlier run', async () => {
    const again = await startOrigin({ root, mode: 'ffmpeg', cacheDir });
    try {
      const r = await fetch(`${again.url}/clip%20one.mp4?imwidth=160`);
      expect(r.status).toBe(200);
      await r.arrayBuffer();
      expect(again.stats().renders).toBe(0);
    } finally {
      await again.close();
    }
  });
});
