// ffmpeg mode: a derivative is the source scaled (and re-encoded) by ffmpeg,
// rendered once into cacheDir and never again. Concurrent first requests for
// one derivative share one render.
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { extensionOf, mediaTypeOf } from '../common/media-type.js';
import { requireTool } from '../lib/tools.js';
import { errorSummary, runTool } from '../media/ffmpeg.js';
import type { Transform } from './routes.js';
import { fnv1a } from '../common/fnv1a.js';

export interface RenderRequest {
  sourcePath: string;
  key: string;
  transform: Transform;
  /** Source size and mtime: part of the rendered file's name, so a changed source renders again. */
  sourceSize: number;
  sourceMtimeMs: number;
}

/** A rendered derivative on disk, with the stat the response headers need. */
export interface Rendered {
  path: string;
  size: number;
  mtimeMs: number;
}

export interface Renderer {
  /** The rendered derivative (rendering it on first call). */
  render(req: RenderRequest): Promise<Rendered>;
  /** How many renders actually ran ffmpeg (for tests). */
  renders(): number;
}

/** Output extension: the asked format, else the source's own. */
export function outputExtension(key: string, t: Transform): string {
  if (t.format && t.format !== 'auto') return `.${t.format === 'jpeg' ? 'jpg' : t.format}`;
  return extensionOf(key) || '.mp4';
}

function scaleFilter(t: Transform, ext: string): string | undefined {
  // Video encoders want even dimensions; images keep the exact size asked.
  const even = mediaTypeOf(`x${ext}`) !== 'image';
  const round = even ? 2 : 1;
  // Like Akamai and Cloudflare, a width or a fit-inside box never enlarges the source.
  const atMost = (n: number, side: 'iw' | 'ih') => (even ? `'trunc(min(${n},${side})/2)*2'` : `'min(${n},${side})'`);
  if (t.width && t.height) {
    const w = evenize(t.width, round);
    const h = evenize(t.height, round);
    if (t.fit === 'fill' || t.fit === 'stretch') return `scale=${w}:${h}`;
    // cover/crop fill the exact box, cropping what overflows.
    if (t.fit === 'cover' || t.fit === 'crop') return `scale=${w}:${h}:force_original_aspect_ratio=increase,crop=${w}:${h}`;
    return `scale=${atMost(w, 'iw')}:${atMost(h, 'ih')}:force_original_aspect_ratio=decrease${even ? ':force_divisible_by=2' : ''}`;
  }
  if (t.width) return `scale=${atMost(t.width, 'iw')}:-${round}`;
  if (t.height) return `scale=-${round}:${atMost(t.height, 'ih')}`;
  return undefined;
}

function evenize(n: number, round: number): number {
  return round === 2 ? Math.max(2, n - (n % 2)) : n;
}

function codecArgs(ext: string, t: Transform): string[] {
  const q = t.quality;
  switch (ext) {
    case '.mp4':
    case '.m4v':
    case '.mov':
      return ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', String(q ? Math.round(51 - (q / 100) * 33) : 26), '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k', '-movflags', '+faststart'];
    case '.webm':
      return ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '0', '-crf', '36', '-c:a', 'libopus'];
    case '.jpg':
    case '.jpeg':
      return ['-frames:v', '1', '-q:v', String(q ? Math.max(2, Math.round(31 - (q / 100) * 29)) : 4)];
    case '.webp':
      return ['-frames:v', '1', '-c:v', 'libwebp', '-quality', String(q ?? 80)];
    case '.png':
    case '.gif':
    case '.avif':
      return ['-frames:v', '1'];
    default:
      return [];
  }
}

async function runFfmpeg(ffmpeg: string, args: string[]): Promise<void> {
  const res = await runTool(ffmpeg, args, { timeoutMs: 300_000 });
  if (res.code !== 0) throw new Error(`ffmpeg failed: ${errorSummary(res.stderrTail, 2)}`);
}

/** A tiny semaphore: at most `limit` renders at once, the rest wait their turn. */
function limiter(limit: number): <T>(job: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (job) => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await job();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** maxConcurrent: ffmpeg processes at once (default 2: many distinct first requests must not fork dozens). */
export function createRenderer(cacheDir: string, opts: { ffmpegPath?: string; maxConcurrent?: number } = {}): Renderer {
  const inFlight = new Map<string, Promise<Rendered>>();
  let count = 0;
  let ffmpeg: string | undefined = opts.ffmpegPath;
  const limit = limiter(Math.max(1, opts.maxConcurrent ?? 2));

  const renderOnce = async (req: RenderRequest, id: string, out: string, ext: string): Promise<Rendered> => {
    const before = await stat(out).catch(() => undefined);
    if (before) return { path: out, size: before.size, mtimeMs: before.mtimeMs }; // rendered before (this run or an earlier one)
    ffmpeg ??= requireTool('ffmpeg');
    await mkdir(cacheDir, { recursive: true });
    const tmp = join(cacheDir, `.${id}.${process.pid}.${randomBytes(3).toString('hex')}.tmp${ext}`);
    const filter = scaleFilter(req.transform, ext);
    const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', req.sourcePath];
    if (filter) args.push('-vf', filter);
    args.push(...codecArgs(ext, req.transform), tmp);
    count++;
    try {
      await runFfmpeg(ffmpeg, args);
      await rename(tmp, out);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    const st = await stat(out);
    return { path: out, size: st.size, mtimeMs: st.mtimeMs };
  };

  return {
    render(req) {
      const ext = outputExtension(req.key, req.transform);
      const tid = JSON.stringify([req.key, req.transform, req.sourceSize, Math.round(req.sourceMtimeMs)]);
      const id = `${fnv1a(tid).toString(16).padStart(8, '0')}${fnv1a(tid, 0x1234567).toString(16).padStart(8, '0')}`;
      const out = join(cacheDir, `${id}${ext}`);
      let p = inFlight.get(out);
      if (!p) {
        p = limit(() => renderOnce(req, id, out, ext)).finally(() => inFlight.delete(out));
        inFlight.set(out, p);
      }
      return p;
    },
    renders: () => count,
  };
}
