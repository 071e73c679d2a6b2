// Answers streaming URLs: packages the source on first use, then serves the
// package's files (playlists, MPD, segments) like any stored body, or, with
// --live, the media playlists as a sliding live window computed per request.
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { extensionOf } from '../../common/media-type.js';
import { fnv1a } from '../../common/fnv1a.js';
import { parseMediaPlaylist, type HlsSegment } from '../../common/playlist/hls.js';
import { createPackager, type Packager } from './package.js';
import { liveWindow } from './live.js';
import { writeMediaPlaylist } from './playlists.js';
import { STREAMING_CONTENT_TYPES, type StreamingTarget } from './paths.js';

export interface StreamingOptions {
  /** Where packages are kept (default: a temp folder removed on close). */
  cacheDir?: string;
  /** Segment length, seconds (default 2). */
  segmentSeconds?: number;
  /** Serve the HLS media playlists as live sliding windows. */
  live?: boolean;
  /** Segments in a live playlist (default 6). */
  liveWindow?: number;
  /** Start of the live clock, ms since the epoch (default: now). */
  liveStartedAt?: number;
  ffmpegPath?: string;
  ffprobePath?: string;
}

export interface StreamingSource {
  size: number;
  mtimeMs: number;
  localPath?: () => Promise<string>;
}

/** A body the request handler serves as it serves any other (Range, ETag, cache status). */
export interface StreamingBody {
  size: number;
  etag: string;
  lastModified: string;
  contentType: string;
  open: (start: number, end: number) => Promise<Readable>;
  /** Replaces the year-long default (live playlists change every segment). */
  cacheControl?: string;
  /** Added to the cache key, so each version of a live playlist is its own cache entry. */
  cacheKeySuffix?: string;
}

export interface StreamingServer {
  /** The body for a streaming URL, or null when the package has no such file. */
  body(target: StreamingTarget, key: string, source: StreamingSource): Promise<StreamingBody | null>;
  /** Packages made by ffmpeg so far. */
  packaged(): number;
  close(): Promise<void>;
}

function contentTypeOf(name: string): string {
  const ext = extensionOf(name);
  if (ext === '.m4s' && name.startsWith('init')) return 'video/mp4';
  return STREAMING_CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

function textBody(text: string, contentType: string, extra: Partial<StreamingBody>): StreamingBody {
  const buf = Buffer.from(text, 'utf8');
  return {
    size: buf.length,
    etag: `"l-${fnv1a(text).toString(16)}-${buf.length.toString(16)}"`,
    lastModified: new Date().toUTCString(),
    contentType,
    open: async (start, end) => Readable.from([buf.subarray(start, end + 1)]),
    ...extra,
  };
}

export function createStreaming(opts: StreamingOptions = {}): StreamingServer {
  let tempDir: Promise<string> | undefined;
  const root = async (): Promise<string> => {
    if (opts.cacheDir) return join(opts.cacheDir, 'streaming');
    tempDir ??= mkdtemp(join(tmpdir(), 'media-toolkit-streaming-'));
    return tempDir;
  };
  const packager: Packager = createPackager(root, { segmentSeconds: opts.segmentSeconds ?? 2, ffmpegPath: opts.ffmpegPath, ffprobePath: opts.ffprobePath });
  const clock = { startedAt: opts.liveStartedAt ?? Date.now(), windowSegments: Math.max(1, opts.liveWindow ?? 6) };
  // Parsed VOD playlists the live windows are cut from (a few per source).
  const vodCache = new Map<string, Promise<{ targetDuration: number; segments: HlsSegment[] }>>();

  const vodPlaylist = (path: string) => {
    let p = vodCache.get(path);
    if (!p) {
      p = readFile(path, 'utf8').then((text) => {
        const { info, segments } = parseMediaPlaylist(text);
        return { targetDuration: info.targetDuration ?? 1, segments };
      });
      if (vodCache.size > 1000) vodCache.delete(vodCache.keys().next().value as string);
      vodCache.set(path, p);
      p.catch(() => vodCache.delete(path));
    }
    return p;
  };

  return {
    async body(target, key, source) {
      const name = target.rest[target.rest.length - 1];
      // cmaf/ holds segments only; everything else there is ffmpeg's and not served.
      if (target.area === 'cmaf' && extensionOf(name) !== '.m4s') return null;
      if (!source.localPath) return null;
      const { dir, pkg } = await packager.packageFor({ sourcePath: await source.localPath(), key, sourceSize: source.size, sourceMtimeMs: source.mtimeMs });
      const path = join(dir, target.area, ...target.rest);
      const st = await stat(path).catch(() => undefined);
      if (!st || !st.isFile()) return null;
      if (opts.live && target.area === 'hls' && name.endsWith('.m3u8') && name !== 'master.m3u8') {
        const vod = await vodPlaylist(path);
        const w = liveWindow(vod.segments, vod.targetDuration, Date.now(), clock, pkg.durationSec);
        // Players reload about every target duration; a cache may keep a version half as long.
        return textBody(writeMediaPlaylist(w.head, w.segments), contentTypeOf(name), {
          cacheControl: `public, max-age=${Math.max(1, Math.floor(vod.targetDuration / 2))}`,
          cacheKeySuffix: `#live-${w.version}`,
        });
      }
      const tag = `${fnv1a(path).toString(16)}-${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}`;
      return {
        size: st.size,
        etag: `"p-${tag}"`,
        lastModified: new Date(st.mtimeMs).toUTCString(),
        contentType: contentTypeOf(name),
        open: async (start, end) => createReadStream(path, { start, end }),
      };
    },
    packaged: () => packager.packaged(),
    async close() {
      if (tempDir) await rm(await tempDir, { recursive: true, force: true });
    },
  };
}
