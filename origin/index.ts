// startOrigin: the local media-transforming CDN, in-process. Used by the
// `origin` subcommand, the demo, the tests and the benchmarks.
import { createServer, type Server } from 'node:http';
import { createSecureServer, type Http2Session } from 'node:http2';
import { realpath, stat, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import type { OriginFaults, OriginOptions, RunningOrigin } from './types.js';
import { createEdgeCache } from './cache-status.js';
import { createHandler, type OriginStats } from './server.js';
import { seededRng } from '../common/random.js';
import { validateFaults } from './faults.js';
import { createRenderer } from './ffmpeg-render.js';
import { UsageError } from '../lib/errors.js';
import { createS3Source } from './s3-source.js';
import { createStreaming } from './streaming/serve.js';
import { selfSignedCertificate, writeCertificate } from './tls.js';

export type { OriginFaults, OriginOptions, RunningOrigin } from './types.js';
export type { RequestLogEntry } from './server.js';

/** '/videos/' -> '/videos', '' and '/' -> ''. */
export function normaliseBasePath(p: string | undefined): string {
  if (!p) return '';
  const trimmed = p.replace(/\/+$/, '');
  if (!trimmed) return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

async function checkedRoot(root: string | undefined): Promise<string> {
  // Bad input, not a failure: UsageError, so the CLI exits 2 without checking again.
  if (!root) throw new UsageError('origin needs a root folder (or a remote bucket)');
  const st = await stat(root).catch(() => undefined);
  if (!st) throw new UsageError(`origin root ${root} does not exist`);
  if (!st.isDirectory()) throw new UsageError(`origin root ${root} is not a folder`);
  return realpath(root);
}

export async function startOrigin(opts: OriginOptions): Promise<RunningOrigin> {
  const realRoot = opts.remote ? '' : await checkedRoot(opts.root);
  const mode = opts.mode ?? 'synthetic';
  const bytesPerWidth = opts.syntheticBytesPerWidth ?? 1024;
  if (opts.virtual && mode !== 'synthetic') throw new UsageError('virtual keys need synthetic mode (ffmpeg needs real sources)');
  if (!(bytesPerWidth >= 0)) throw new Error(`syntheticBytesPerWidth must be >= 0, got ${bytesPerWidth}`);
  let faults: OriginFaults = { ...(opts.faults ?? {}) };
  validateFaults(faults);
  const basePath = normaliseBasePath(opts.basePath);
  // Without a cacheDir, renders, streaming packages and downloaded S3 sources go to a temp folder removed on close.
  const tempCache = !opts.cacheDir && !opts.virtual ? await mkdtemp(join(tmpdir(), 'media-toolkit-origin-')) : undefined;
  const renderDir = (opts.cacheDir ?? tempCache) as string;
  const renderer = mode === 'ffmpeg' ? createRenderer(renderDir) : undefined;
  const remote = opts.remote ? createS3Source(opts.remote, renderDir) : undefined;
  const stats: OriginStats = { requests: 0, hits: 0, misses: 0, errorsInjected: 0, resets: 0 };
  // Streaming renditions are always ffmpeg-made, whatever the derivative mode.
  const streaming = opts.virtual ? undefined : createStreaming({ cacheDir: renderDir, ...opts.streaming });

  const handler = createHandler({
    realRoot,
    remote,
    virtual: Boolean(opts.virtual),
    startedAt: Date.now(),
    basePath,
    mode,
    bytesPerWidth,
    cache: createEdgeCache(),
    renderer,
    faults: () => faults,
    random: seededRng(opts.seed ?? 1),
    stats,
    streaming,
    onRequest: opts.onRequest,
  });
  const host = opts.host ?? '127.0.0.1';
  // --tls: HTTPS with a certificate made now, HTTP/2 and HTTP/1.1 on the same port (ALPN).
  const tls = opts.tls ? await selfSignedCertificate([host]) : undefined;
  const tlsDir = tls ? await mkdtemp(join(tmpdir(), 'media-toolkit-origin-tls-')) : undefined;
  const certificateFile = tlsDir ? join(tlsDir, 'origin-cert.pem') : undefined;
  if (tls && certificateFile) await writeCertificate(certificateFile, tls.cert);
  const sessions = new Set<Http2Session>();
  // Connections accepted and HTTP/2 sessions among them: how a client spread its requests.
  const wire = { connections: 0, http2Sessions: 0 };
  const server = (
    tls
      ? createSecureServer({ key: tls.key, cert: tls.cert, allowHTTP1: true, settings: { maxConcurrentStreams: 1000 } }, handler as never)
      : createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, handler)
  ) as Server;
  if (tls) {
    server.on('session', (s: Http2Session) => {
      wire.http2Sessions++;
      sessions.add(s);
      s.on('close', () => sessions.delete(s));
    });
  }
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    wire.connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // A client that vanishes mid-request must not take the server down.
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // An error after listen must not crash the process with a stack trace: it is handed to
  // whoever runs the origin (the origin command ends with one line and its counters).
  let reportFailure: (err: Error) => void = () => undefined;
  const failed = new Promise<Error>((resolve) => (reportFailure = resolve));
  server.on('error', (err) => reportFailure(err));
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;

  return {
    url: `${tls ? 'https' : 'http'}://${urlHost}:${port}${basePath}`,
    port,
    certificateFile,
    stats: () => ({ ...stats, renders: renderer?.renders() ?? 0, ...wire, packages: streaming?.packaged() ?? 0 }),
    setFaults(f) {
      validateFaults(f);
      faults = { ...f };
    },
    failed,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sessions) s.destroy();
        for (const s of sockets) s.destroy();
      }).then(async () => {
        await streaming?.close();
        if (tempCache) await rm(tempCache, { recursive: true, force: true });
        if (tlsDir) await rm(tlsDir, { recursive: true, force: true });
      });
      return closing;
    },
  };
}
