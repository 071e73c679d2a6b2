import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSampleLibrary, manifestPath, type SampleFile } from '../demo/sample-library.js';
import { requireTool } from '../lib/tools.js';
import { walkTopLevel } from '../scenarios/lib/player/mp4-boxes.js';

function ffprobe(path: string): { streams: { codec_type: string; codec_name: string; width?: number; height?: number }[]; format: { duration?: string; format_name: string } } {
  const out = execFileSync(requireTool('ffprobe'), ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,width,height:format=duration,format_name', '-of', 'json', path]);
  return JSON.parse(String(out));
}

describe('makeSampleLibrary', () => {
  let parent: string;
  let dir: string;
  let files: SampleFile[];

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'sample-library-'));
    dir = join(parent, 'library');
    files = await makeSampleLibrary(dir);
  });
  afterAll(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('creates videos and images in nested folders, with space and unicode keys', async () => {
    const keys = files.map((f) => f.key);
    expect(keys).toContain('videos/city walk 720p.mp4');
    expect(keys.some((k) => /[^\x00-\x7f]/.test(k))).toBe(true);
    expect(keys.some((k) => k.split('/').length >= 3)).toBe(true);
    for (const ext of ['.mp4', '.mov', '.webm', '.jpg', '.png', '.webp']) expect(keys.some((k) => k.endsWith(ext)), ext).toBe(true);
    for (const f of files) {
      const st = await stat(join(dir, ...f.key.split('/')));
      expect(st.size, f.key).toBe(f.size);
      expect(f.size, f.key).toBeGreaterThan(0);
    }
    // Only media inside the folder: no temp files, no manifest.
    const all = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
    expect(all).toHaveLength(files.length);
  });

  it('ffprobe confirms the shapes, codecs and audio the library promises', () => {
    const byKey = new Map(files.map((f) => [f.key, f]));
    const shape = (key: string) => {
      const p = ffprobe(join(dir, ...key.split('/')));
      const v = p.streams.find((s) => s.codec_type === 'video')!;
      return { width: v.width, height: v.height, codec: v.codec_name, audio: p.streams.some((s) => s.codec_type === 'audio'), duration: Number(p.format.duration ?? 0) };
    };
    const big = shape('videos/city walk 720p.mp4');
    expect(big).toMatchObject({ width: 1280, height: 720, codec: 'h264', audio: true });
    expect(big.duration).toBeGreaterThan(2.5);
    expect(shape('videos/clips/plain-360p.mp4')).toMatchObject({ width: 640, height: 360, audio: false });
    expect(shape('videos/portrait/vertical-360x640.mp4')).toMatchObject({ width: 360, height: 640, audio: true });
    // One MP4 without faststart (moov after mdat), the others with it.
    const moovFirst = (key: string) => {
      const bytes = readFileSync(join(dir, ...key.split('/')));
      return walkTopLevel(new Uint8Array(bytes.subarray(0, 64 * 1024)), 0, bytes.length).moov !== undefined;
    };
    expect(moovFirst('videos/portrait/vertical-360x640.mp4')).toBe(false);
    for (const key of ['videos/city walk 720p.mp4', 'videos/clips/plain-360p.mp4', 'videos/café ünïcode.mp4']) expect(moovFirst(key), key).toBe(true);
    expect(shape('videos/legacy/camera.mov').codec).toBe('h264');
    expect(shape('videos/web/loop.webm').codec).toBe('vp9');
    expect(shape('images/banner.webp')).toMatchObject({ codec: 'webp', width: 800, height: 400 });
    expect(shape('images/poster.jpg').codec).toBe('mjpeg');
    expect(shape('images/thumbs/thumb-320.png').codec).toBe('png');
    for (const f of files) {
      const s = shape(f.key);
      expect({ width: f.width, height: f.height }, f.key).toEqual({ width: s.width, height: s.height });
      if (f.kind === 'video') expect(Math.abs(f.duration - s.duration), f.key).toBeLessThan(0.1);
    }
    expect(byKey.size).toBe(files.length);
  });

  it('has one clearly largest video above 1 MiB while the others stay under 0.5 MiB', () => {
    const sorted = [...files].sort((a, b) => b.size - a.size);
    expect(sorted[0].kind).toBe('video');
    expect(sorted[0].size).toBeGreaterThan(1024 * 1024);
    for (const f of sorted.slice(1)) expect(f.size, f.key).toBeLessThan(512 * 1024);
  });

  it('reuses a complete library on the second call and rebuilds when a file changed', async () => {
    const key = files[0].key;
    const path = join(dir, ...key.split('/'));
    const before = (await stat(path)).mtimeMs;
    const again = await makeSampleLibrary(dir);
    expect(again).toEqual(files);
    expect((await stat(path)).mtimeMs).toBe(before);

    await writeFile(join(dir, ...files[1].key.split('/')), 'truncated');
    const rebuilt = await makeSampleLibrary(dir);
    const remade = rebuilt.find((f) => f.key === files[1].key)!;
    const onDisk = (await stat(join(dir, ...files[1].key.split('/')))).size;
    expect(onDisk).toBeGreaterThan(1000);
    expect(remade.size).toBe(onDisk);
    expect((await stat(manifestPath(dir))).isFile()).toBe(true);
  });

  it('waits while another maker holds the lock, and shares one run between concurrent calls', async () => {
    const other = join(parent, 'other');
    const lock = join(parent, '.other.sample-library.lock');
    await writeFile(lock, '999999\n');
    let settled = false;
    const both = Promise.all([makeSampleLibrary(other), makeSampleLibrary(other)]).finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 700));
    expect(settled).toBe(false);
    await expect(stat(manifestPath(other))).rejects.toThrow();
    await rm(lock);
    const [a, b] = await both;
    expect(a).toEqual(b);
    expect(a).toHaveLength(files.length);
    await expect(stat(lock)).rejects.toThrow();
    const made = (await readdir(other, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
    expect(made).toHaveLength(files.length);
  });
});
