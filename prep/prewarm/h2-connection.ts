// One HTTP/2 connection of `prewarm --http2` (and verify), on node:http2 directly: many
// streams over one TLS socket, bodies counted and dropped. undici's HTTP/2 client drives the
// same node:http2 streams through its own request and body machinery, about 210 µs of CPU
// per request against about 90 µs here, and the client's CPU is what limits a 200 ms origin
// at 5,000 requests a second (bench/prewarm.mjs, BENCHMARKS.md).
//
// The TLS socket is opened first, with ALPN offering h2 and http/1.1: when the server picks
// h2 the session is built on it; when it does not, this connection hands every request to an
// HTTP/1.1 fallback (undici), as `--http2` always did against servers without h2.
// --edge: the socket goes to the edge's address; the :authority, the TLS server name and the
// certificate check stay the base URL's (as curl --connect-to does).
import { connect as h2connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { connect as tlsConnect, checkServerIdentity, type TLSSocket, type PeerCertificate } from 'node:tls';
import { isIP } from 'node:net';
import type { Dispatcher } from 'undici';
import { socketLabel, type Edge } from './edges.js';
import type { Handler } from './counting-connection.js';

export interface H2Options {
  connectTimeoutMs: number;
  /** Close the connection after this long without a request in flight, ms. */
  keepAliveMs: number;
  ca?: string | Buffer;
  insecure?: boolean;
  /** Where requests go when the server does not negotiate h2 (ALPN picked http/1.1); its owner closes it. */
  fallback: () => Pick<Dispatcher, 'dispatch'>;
}

interface Queued {
  opts: Dispatcher.DispatchOptions;
  handler: Handler;
}

function streamError(message: string): Error {
  // UND_ERR_SOCKET: fetch-one classes it as a connection error (or an incomplete body after the headers) and retries.
  return Object.assign(new Error(message), { code: 'UND_ERR_SOCKET' });
}

const noop = () => undefined;

export class H2Connection {
  private session: ClientHttp2Session | undefined;
  private connecting = false;
  private queue: Queued[] = [];
  private h1: Pick<Dispatcher, 'dispatch'> | undefined;
  private active = 0;
  private idle: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly streams = new Set<ClientHttp2Stream>();
  remote: string | undefined;

  constructor(
    private readonly authority: string,
    private readonly hostName: string,
    private readonly dialHost: string,
    private readonly dialPort: number,
    private readonly o: H2Options,
  ) {}

  dispatch(opts: Dispatcher.DispatchOptions, handler: Handler): boolean {
    if (this.h1) return this.h1.dispatch(opts, handler as unknown as Dispatcher.DispatchHandler);
    if (this.session && !this.session.closed && !this.session.destroyed) {
      this.request(this.session, opts, handler);
      return true;
    }
    this.queue.push({ opts, handler });
    if (!this.connecting) this.open();
    return true;
  }

  private open(): void {
    this.connecting = true;
    const servername = isIP(this.hostName) ? undefined : this.hostName;
    const socket: TLSSocket = tlsConnect({
      host: this.dialHost,
      port: this.dialPort,
      servername,
      ALPNProtocols: ['h2', 'http/1.1'],
      ca: this.o.ca,
      rejectUnauthorized: !this.o.insecure,
      // The certificate must name the base URL's host, whatever address was dialled (--edge).
      checkServerIdentity: (_host: string, cert: PeerCertificate) => checkServerIdentity(this.hostName, cert),
    });
    socket.setNoDelay(true);
    const timer = setTimeout(
      () => socket.destroy(Object.assign(new Error(`connect timeout after ${this.o.connectTimeoutMs} ms`), { code: 'UND_ERR_CONNECT_TIMEOUT' })),
      this.o.connectTimeoutMs,
    );
    const failAll = (err: Error) => {
      clearTimeout(timer);
      this.connecting = false;
      const q = this.queue;
      this.queue = [];
      for (const { handler } of q) handler.onError(err);
    };
    socket.once('error', failAll);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      socket.off('error', failAll);
      this.connecting = false;
      this.remote = socketLabel(socket) ?? this.remote;
      const q = this.queue;
      this.queue = [];
      if (socket.alpnProtocol !== 'h2') {
        socket.destroy();
        this.h1 = this.o.fallback();
        for (const { opts, handler } of q) this.h1.dispatch(opts, handler as unknown as Dispatcher.DispatchHandler);
        return;
      }
      const session = h2connect(`https://${this.authority}`, { createConnection: () => socket, settings: { enablePush: false } });
      session.on('error', noop); // each stream reports its own failure
      const forget = () => {
        if (this.session === session) this.session = undefined;
      };
      session.once('close', forget);
      session.once('goaway', forget); // requests already sent finish; new ones open a new connection
      this.session = session;
      for (const { opts, handler } of q) this.request(session, opts, handler);
    });
  }

  private request(session: ClientHttp2Session, opts: Dispatcher.DispatchOptions, handler: Handler): void {
    const headers: OutgoingHttpHeaders = { ':method': opts.method, ':path': opts.path, ':authority': this.authority, ':scheme': 'https' };
    const h = opts.headers as Record<string, string> | undefined;
    if (h) for (const k in h) headers[k.toLowerCase()] = h[k];
    let stream: ClientHttp2Stream;
    try {
      stream = session.request(headers, { endStream: true });
    } catch (err) {
      // The session closed between the check and the request (GOAWAY): a new one next time.
      if (this.session === session) this.session = undefined;
      handler.onError(Object.assign(streamError(`cannot open an HTTP/2 stream: ${(err as Error).message}`), { cause: err }));
      return;
    }
    this.started();
    this.streams.add(stream);
    let done = false;
    handler.onConnect((err) => {
      if (done) return;
      done = true;
      stream.close(constants.NGHTTP2_CANCEL);
      handler.onError(err ?? streamError('aborted'));
    });
    stream.on('response', (rh: IncomingHttpHeaders) => {
      if (done) return;
      const raw: string[] = [];
      for (const k in rh) {
        if (k.charCodeAt(0) === 58 /* ':' */) continue;
        const v = rh[k];
        raw.push(k, Array.isArray(v) ? v.join(', ') : String(v));
      }
      handler.onHeaders(Number(rh[':status']), raw, noop, '');
    });
    stream.on('data', (chunk: Buffer) => {
      if (!done) handler.onData(chunk);
    });
    stream.once('end', () => {
      if (done) return;
      done = true;
      handler.onComplete(null);
    });
    stream.on('error', (err: Error) => {
      if (done) return;
      done = true;
      handler.onError(err);
    });
    stream.once('close', () => {
      this.streams.delete(stream);
      this.finished();
      if (done) return;
      done = true;
      // Reset by the server (RST_STREAM) or the connection went away before the answer ended.
      handler.onError(streamError(`HTTP/2 stream closed before the answer ended (code ${stream.rstCode ?? '?'})`));
    });
  }

  private started(): void {
    this.active++;
    if (this.idle) {
      clearTimeout(this.idle);
      this.idle = undefined;
    }
  }

  private finished(): void {
    this.active--;
    if (this.active > 0 || this.closed) return;
    const session = this.session;
    this.idle = setTimeout(() => {
      if (this.active === 0 && this.session === session) {
        this.session = undefined;
        session?.close();
      }
    }, this.o.keepAliveMs);
    this.idle.unref();
  }

  /** Lets streams in flight finish, then closes. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.idle) clearTimeout(this.idle);
    const s = this.session;
    this.session = undefined;
    if (s && !s.closed) await new Promise<void>((resolve) => s.close(resolve));
  }

  /** Ends every stream in flight now. */
  async destroy(): Promise<void> {
    this.closed = true;
    if (this.idle) clearTimeout(this.idle);
    const s = this.session;
    this.session = undefined;
    for (const st of this.streams) st.close(constants.NGHTTP2_CANCEL);
    s?.destroy();
    const q = this.queue;
    this.queue = [];
    for (const { handler } of q) handler.onError(Object.assign(new Error('connection closed'), { code: 'UND_ERR_DESTROYED' }));
  }
}

/** The connection for an https origin (and edge): its :authority, the host name the certificate must carry, where to dial. */
export function h2ConnectionFor(origin: string, edge: Edge | undefined, o: H2Options): H2Connection {
  const m = /^https:\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?$/i.exec(origin);
  if (!m) throw new Error(`--http2 needs an https origin, not ${origin}`);
  const hostName = m[1].replace(/^\[|\]$/g, '');
  const port = m[2] ? Number(m[2]) : 443;
  return new H2Connection(origin.slice('https://'.length), hostName, edge?.host ?? hostName, edge?.port ?? port, o);
}
