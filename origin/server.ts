// The request handler: URL form -> file -> faults, cache status, conditional
// and Range handling -> body (source file, synthetic bytes or ffmpeg render).
// Kept lean: the benchmarks send millions of requests; nothing is logged per request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { createReadStream, realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { extensionOf } from '../common/media-type.js';
import { parseRequestTarget, contentTypeFor, transformId, type Transform } from './routes.js';
import { parseRange } from './range.js';
import { decideFault, NO_FAULT } from './faults.js';
import type { EdgeCache } from './cache-status.js';
import { fnv1a } from '../common/fnv1a.js';
import { bodyShift, streamSynthetic } from './synthetic-body.js';
import type { Renderer } from './ffmpeg-render.js';
import type { OriginFaults } from './types.js';
import { matchStreamingPath } from './streaming/paths.js';
import type { StreamingServer } from './streaming/serve.js';
import { throttled } from './bandwidth.js';

export interface OriginStats {
  requests: number;
  hits: number;
  misses: number;
  errorsInjected: number;
  resets: number;
}

export interface HandlerContext {
  /** Real path of the root folder (symlinks resolved). */
  realRoot: string;
  basePath: string;
  mode: 'synthetic' | 'ffmpeg';
  bytesPerWidth: number;
  cache: EdgeCache;
  renderer?: Renderer;
  /** Sources from a bucket instead of realRoot. */
  remote?: RemoteSource;
  /** Every key exists with a synthetic source; the folder is never read (benchmarks with millions of keys). */
  virtual?: boolean;
  /** Start time, the Last-Modified of virtual sources. */
  startedAt?: number;
  faults: () => OriginFaults;
  random: () => number;
  stats: OriginStats;
  /** HLS/DASH renditions under <key>/hls/, <key>/cmaf/, <key>/dash/ (origin/streaming/). */
  streaming?: StreamingServer;
  /** Called once per finished request (the request log). */
  onRequest?: (entry: RequestLogEntry) => void;
}

/** One line of the origin's request log (`origin --request-log`, `startOrigin({ onRequest })`). */
export interface RequestLogEntry {
  /** ms since the epoch when the request arrived. */
  time: number;
  method: string;
  /** Path and query as received. */
  url: string;
  range: string | null;
  status: number;
  cacheStatus: string | null;
  /** Content-Length of the answer. */
  bytes: number | null;
  /** ms until the answer was sent or the connection closed. */
  ms: number;
}

// What the request log says about an answer (writeHead's headers cannot be read back from the response).
const answered = new WeakMap<object, { cacheStatus: string; bytes: number }>();

/** Bytes [start, end] of a stored body (a local file or a remote object). */
export type OpenRange = (start: number, end: number) => Promise<Readable>;

/** A source found in the root or a remote bucket, or a virtual one (no open) in --virtual mode. */
export interface Source {
  size: number;
  mtimeMs: number;
  open?: OpenRange;
  /** A local file with the source's bytes, for ffmpeg (a remote object is downloaded once). */
  localPath?: () => Promise<string>;
}

/** Where sources come from when they are not in the local root (--remote s3). */
export interface RemoteSource {
  head(key: string): Promise<Source | null>;
}

interface Body {
  size: number;
  etag: string;
  lastModified: string;
  contentType: string;
  /** Stored bytes to stream, or undefined for synthetic bytes. */
  open?: OpenRange;
  shift: number;
  cacheControl?: string;
  cacheKeySuffix?: string;
  /** Access-Control-Allow-Origin: *, so a browser player on another origin may read it. */
  cors?: boolean;
}

const openFile = (path: string): OpenRange => async (start, end) => createReadStream(path, { start, end });

function sendStatus(res: ServerResponse, status: number, message: string, extra: Record<string, string | number> = {}): void {
  const body = `${message}\n`;
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(res.req?.method === 'HEAD' ? undefined : body);
}

/**
 * Resolves key segments to a regular file inside the root, or null (missing, folder, or escaping via symlink).
 * Synchronous on purpose: two cached-inode syscalls take a few microseconds, far less than two
 * thread-pool round trips, and this server only ever serves a local folder.
 */
function resolveFile(realRoot: string, segments: string[]): Source | null {
  try {
    const real = realpathSync.native(join(realRoot, ...segments));
    if (!real.startsWith(realRoot + sep)) return null;
    const st = statSync(real, { throwIfNoEntry: false });
    if (!st || !st.isFile()) return null;
    return { size: st.size, mtimeMs: st.mtimeMs, open: openFile(real), localPath: async () => real };
  } catch {
    return null;
  }
}

/** The source at a key: virtual, in the bucket, or in the root folder (synchronous for the root, see resolveFile). */
function sourceAt(ctx: HandlerContext, key: string, segments: string[]): Source | null | Promise<Source | null> {
  if (ctx.virtual) return { size: 1920 * ctx.bytesPerWidth, mtimeMs: ctx.startedAt ?? 0 };
  if (ctx.remote) return ctx.remote.head(key);
  return resolveFile(ctx.realRoot, segments);
}

/** Derivative width for synthetic sizes: the width asked, else from the height at 16:9. */
export function syntheticWidth(t: Transform): number | undefined {
  if (t.width) return t.width;
  if (t.height) return Math.round((t.height * 16) / 9);
  return undefined;
}

function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  // Weak comparison for If-None-Match (RFC 9110 13.1.2).
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === bare);
}

async function bodyFor(ctx: HandlerContext, key: string, cacheKey: string, t: Transform | null, file: Source): Promise<Body> {
  const sourceTag = `${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}`;
  const lastModified = new Date(file.mtimeMs).toUTCString();
  const ext = extensionOf(key);
  if (!t) return { size: file.size, etag: `"${sourceTag}"`, lastModified, contentType: contentTypeFor(ext), open: file.open, shift: bodyShift(key) };
  const contentType = t.format && t.format !== 'auto' ? contentTypeFor(t.format) : contentTypeFor(ext);
  if (ctx.mode === 'ffmpeg' && ctx.renderer && file.localPath) {
    const out = await ctx.renderer.render({ sourcePath: await file.localPath(), key, transform: t, sourceSize: file.size, sourceMtimeMs: file.mtimeMs });
    const tag = `${fnv1a(cacheKey).toString(16)}-${out.size.toString(16)}-${Math.floor(out.mtimeMs).toString(16)}`;
    return { size: out.size, etag: `"r-${tag}"`, lastModified: new Date(out.mtimeMs).toUTCString(), contentType: contentTypeFor(extensionOf(out.path)), open: openFile(out.path), shift: 0 };
  }
  const width = syntheticWidth(t);
  // A format change without resize keeps the source's size.
  const size = width ? width * ctx.bytesPerWidth : file.size;
  return { size, etag: `"s-${fnv1a(cacheKey).toString(16)}-${size.toString(16)}-${sourceTag}"`, lastModified, contentType, shift: bodyShift(cacheKey) };
}

export function createHandler(ctx: HandlerContext): (req: IncomingMessage, res: ServerResponse) => void {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const faults = ctx.faults();
    if (faults.latencyMs && faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendStatus(res, 405, 'method not allowed', { Allow: 'GET, HEAD' });
    const parsed = parseRequestTarget(req.url ?? '/', ctx.basePath);
    if (!parsed.ok) return sendStatus(res, parsed.status, parsed.status === 404 ? 'not found' : 'bad request');

    const fault = faults.errorRate || faults.resetRate ? decideFault(faults, ctx.random) : NO_FAULT;
    if (fault.status) {
      ctx.stats.errorsInjected++;
      const extra: Record<string, string | number> = {};
      if (fault.retryAfterSeconds !== undefined) extra['Retry-After'] = fault.retryAfterSeconds;
      return sendStatus(res, fault.status, `injected ${fault.status}`, extra);
    }

    const found = sourceAt(ctx, parsed.key, parsed.segments);
    const file = found instanceof Promise ? await found : found;
    let body: Body | undefined;
    if (file) body = await bodyFor(ctx, parsed.key, parsed.cacheKey, parsed.transform, file);
    else if (ctx.streaming && !ctx.virtual) {
      // <key>/hls/..., <key>/cmaf/..., <key>/dash/...: a streaming rendition of the video at <key>.
      const target = matchStreamingPath(parsed.segments);
      const source = target ? await sourceAt(ctx, target.sourceSegments.join('/'), target.sourceSegments) : null;
      const streamed = target && source ? await ctx.streaming.body(target, target.sourceSegments.join('/'), source) : null;
      if (streamed) body = { ...streamed, shift: 0, cors: true };
    }
    if (!body) return sendStatus(res, 404, 'not found');

    const { hit, ageSeconds } = ctx.cache.touch(body.cacheKeySuffix ? parsed.cacheKey + body.cacheKeySuffix : parsed.cacheKey);
    if (hit) ctx.stats.hits++;
    else ctx.stats.misses++;
    const headers: Record<string, string | number> = {
      'Content-Type': body.contentType,
      'Accept-Ranges': 'bytes',
      ETag: body.etag,
      'Last-Modified': body.lastModified,
      'Cache-Control': body.cacheControl ?? 'public, max-age=31536000',
      'cf-cache-status': hit ? 'HIT' : 'MISS',
    };
    if (hit) headers.Age = ageSeconds;
    if (body.cors) headers['Access-Control-Allow-Origin'] = '*';
    // Header values must be printable ASCII: anything else in a parameter is percent-encoded.
    if (parsed.transform) headers['x-media-transform'] = transformId(parsed.transform).replace(/[^\x20-\x7e]+/g, (c) => encodeURIComponent(c));

    const inm = req.headers['if-none-match'];
    if (inm && etagMatches(inm, body.etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }

    let range = faults.ignoreRange ? ({ kind: 'full' } as const) : parseRange(req.headers.range, body.size);
    const ifRange = req.headers['if-range'];
    if (range.kind !== 'full' && ifRange && ifRange !== body.etag && ifRange !== body.lastModified) range = { kind: 'full' };
    if (range.kind === 'unsatisfiable') {
      headers['Content-Range'] = `bytes */${body.size}`;
      headers['Content-Length'] = 0;
      res.writeHead(416, headers);
      res.end();
      return;
    }
    const start = range.kind === 'partial' ? range.start : 0;
    const end = range.kind === 'partial' ? range.end : body.size - 1;
    const length = end - start + 1;
    headers['Content-Length'] = length;
    if (ctx.onRequest) answered.set(res, { cacheStatus: hit ? 'HIT' : 'MISS', bytes: length });
    if (range.kind === 'partial') headers['Content-Range'] = `bytes ${start}-${end}/${body.size}`;

    if (fault.reset) {
      ctx.stats.resets++;
      const cut = (): void => void res.socket?.destroy();
      // Nothing to cut in half (HEAD, 0-1 byte bodies): the connection drops before any answer.
      if (req.method === 'HEAD' || length <= 1) return cut();
      // Promise a full body, send about half of it, then cut the connection.
      res.writeHead(range.kind === 'partial' ? 206 : 200, headers);
      const half = Math.max(1, Math.floor(length / 2));
      if (body.open) {
        const rs = await body.open(start, start + half - 1);
        rs.on('error', cut);
        rs.on('end', () => setImmediate(cut));
        rs.pipe(res, { end: false });
      } else {
        streamSynthetic(res, body.shift, start, end, half, cut);
      }
      return;
    }

    if (req.method === 'HEAD' || length === 0) {
      res.writeHead(range.kind === 'partial' ? 206 : 200, headers);
      res.end();
      return;
    }
    // --bandwidth: the body goes through a per-connection pace (origin/bandwidth.ts).
    const sink = faults.bandwidthBytesPerSecond ? throttled(res, faults.bandwidthBytesPerSecond, faults.bandwidthJitter ?? 0, ctx.random) : res;
    if (body.open) {
      // Opened before the status is sent, so a failing bucket read is still a clean 500.
      const rs = await body.open(start, end);
      res.writeHead(range.kind === 'partial' ? 206 : 200, headers);
      rs.on('error', () => res.destroy());
      // A client that leaves early must not keep a file or a bucket download open.
      res.on('close', () => rs.destroy());
      rs.pipe(sink);
    } else {
      res.writeHead(range.kind === 'partial' ? 206 : 200, headers);
      streamSynthetic(sink, body.shift, start, end);
    }
  };
  return (req, res) => {
    ctx.stats.requests++;
    if (ctx.onRequest) {
      const started = Date.now();
      const log = ctx.onRequest;
      res.once('close', () =>
        log({
          time: started,
          method: req.method ?? '',
          url: req.url ?? '',
          range: req.headers.range ?? null,
          status: res.statusCode,
          cacheStatus: answered.get(res)?.cacheStatus ?? null,
          bytes: answered.get(res)?.bytes ?? null,
          ms: Date.now() - started,
        }),
      );
    }
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) res.destroy();
      else sendStatus(res, 500, `origin error: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    });
  };
}
