// The count-and-discard HTTP/1.1 client of plain-http pre-warming: one keep-alive TCP
// socket per worker; all of them read into one reused buffer (net.Socket `onread`) and only
// counts body bytes. undici reads each 64 KB chunk into a fresh Buffer and copies it into
// its WebAssembly parser; node:http adds a stream per response. Neither is needed to warm a
// cache, and at 20 MB bodies or 10 KB bodies at wrk's pace they were the bottleneck
// (bench/prewarm.mjs, BENCHMARKS.md). TLS and HTTP/2 stay with undici.
//
// It speaks the part of HTTP/1.1 a GET or HEAD answer needs (RFC 9112): the status line,
// header fields (folded lines refused), a body framed by Content-Length, chunked transfer
// coding (extensions and trailers skipped) or the end of the connection; 1xx answers are
// skipped; HEAD, 204 and 304 have no body. Anything malformed fails the request with
// UND_ERR_SOCKET-like codes, which the caller classes and retries as connection errors.
import { connect, type Socket } from 'node:net';
import type { Dispatcher } from 'undici';
import { socketLabel, type Edge } from './edges.js';

/** The subset of undici's dispatch handler the pre-warming requests use (h2-connection.ts too). */
export interface Handler {
  onConnect(abort: (err?: Error) => void): void;
  onHeaders(status: number, raw: string[], resume: () => void, statusText: string): boolean;
  onData(chunk: Buffer): boolean;
  onComplete(trailers: null): void;
  onError(err: Error): void;
  /** Set when the handler only counts body bytes: onBodyBytes(n) then stands in for onData, no chunk view made. */
  countOnly?: boolean;
  onBodyBytes?(n: number): void;
}

const NOOP = () => {};

// What String.prototype.trim takes off a header value's ends, for the characters a header may hold.
const isBlank = (c: number) => c === 32 || c === 9 || c === 13 || c === 10 || c === 11 || c === 12 || c === 160;

function isDigits(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
const CRLF2 = Buffer.from('\r\n\r\n');

function onIdleTimer(c: CountingConnection): void {
  c.idleCheck();
}

export interface CountingOptions {
  keepAliveMs: number;
  connectTimeoutMs: number;
}

// One read buffer for every socket: libuv reads into it and the callback runs at once, on
// this one thread, before any other read; nothing keeps a reference to it after the
// callback (a header block cut across reads is copied out). 1,000 workers cost 256 KiB, not 256 MB.
const SHARED_READ_BUFFER = Buffer.allocUnsafe(256 * 1024);
const MAX_HEADER_BYTES = 64 * 1024;

function protocolError(message: string): Error {
  return Object.assign(new Error(message), { code: 'UND_ERR_SOCKET' });
}

const enum Body {
  None,
  Length,
  Chunked,
  UntilClose,
}

const enum Chunk {
  Size,
  Data,
  DataEnd,
  Trailer,
}

interface Pending {
  method: string;
  handler: Handler;
  /** The socket had served a request before: a close before any byte is a stale keep-alive, retried once. */
  reused: boolean;
  request: string;
  retried: boolean;
}

/** One origin (and edge): a socket reused request after request, one request at a time. */
export class CountingConnection {
  private socket: Socket | undefined;
  // One lazy keep-alive timer per connection, not one per request: it checks, when it fires,
  // how long the socket has been idle (lastUsed) and waits the rest.
  private idle: NodeJS.Timeout | undefined;
  private lastUsed = 0;
  private readonly abortCurrent = (err?: Error) => this.fail(err ?? protocolError('aborted'), true);
  private readonly requestLine: string;
  private current: Pending | undefined;
  private served = 0;
  private readonly buf = SHARED_READ_BUFFER;
  // Response parsing state.
  private head: Buffer | undefined;
  private inHead = true;
  private body = Body.None;
  private left = 0;
  private chunk = Chunk.Size;
  private line = '';
  private keepAlive = true;
  private gotBytes = false;
  remote: string | undefined;

  constructor(
    private readonly host: string,
    private readonly dialHost: string,
    private readonly dialPort: number,
    private readonly o: CountingOptions,
  ) {
    this.requestLine = ` HTTP/1.1\r\nhost: ${host}\r\n`;
  }

  dispatch(opts: Dispatcher.DispatchOptions, handler: Handler): boolean {
    const method = opts.method;
    let req = `${method} ${opts.path}${this.requestLine}`;
    const h = opts.headers as Record<string, string> | undefined;
    if (h) for (const k in h) req += `${k}: ${h[k]}\r\n`;
    req += '\r\n';
    this.start({ method, handler, reused: false, request: req, retried: false });
    return true;
  }

  private start(p: Pending): void {
    this.current = p;
    this.resetParser();
    if (!this.socket || this.socket.destroyed) this.open();
    else p.reused = this.served > 0;
    p.handler.onConnect(this.abortCurrent);
    this.socket!.write(p.request);
  }

  /** The keep-alive timer fired: close the socket if it has been idle keepAliveMs, else wait the rest. */
  idleCheck(): void {
    this.idle = undefined;
    const s = this.socket;
    if (!s) return;
    const left = this.current ? this.o.keepAliveMs : this.o.keepAliveMs - (performance.now() - this.lastUsed);
    if (left > 0) this.armIdle(left);
    else {
      this.socket = undefined;
      s.destroy();
    }
  }

  private armIdle(ms: number): void {
    this.idle = setTimeout(onIdleTimer, ms, this);
    this.idle.unref();
  }

  private resetParser(): void {
    this.head = undefined;
    this.inHead = true;
    this.body = Body.None;
    this.left = 0;
    this.chunk = Chunk.Size;
    this.line = '';
    this.keepAlive = true;
    this.gotBytes = false;
  }

  private open(): void {
    this.served = 0;
    const s = connect({
      host: this.dialHost,
      port: this.dialPort,
      noDelay: true,
      onread: { buffer: this.buf, callback: (n: number) => this.onRead(n) },
    } as unknown as import('node:net').NetConnectOpts);
    this.socket = s;
    const timer = setTimeout(() => s.destroy(Object.assign(new Error(`connect timeout after ${this.o.connectTimeoutMs} ms`), { code: 'UND_ERR_CONNECT_TIMEOUT' })), this.o.connectTimeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      this.remote = socketLabel(s) ?? this.remote;
    });
    s.on('error', (err) => {
      clearTimeout(timer);
      if (this.socket === s) this.onClose(err);
    });
    s.on('close', () => {
      clearTimeout(timer);
      if (this.socket === s) this.onClose(undefined);
    });
  }

  private onClose(err: Error | undefined): void {
    const p = this.current;
    this.socket = undefined;
    if (!p) return;
    if (!this.inHead && this.body === Body.UntilClose) return this.complete();
    // A keep-alive socket the server closed just as we reused it: send again on a new one.
    if (p.reused && !this.gotBytes && !p.retried) {
      p.retried = true;
      p.reused = false;
      this.current = undefined;
      this.start(p);
      return;
    }
    this.fail(err ?? Object.assign(new Error('the server closed the connection'), { code: 'UND_ERR_SOCKET' }), false);
  }

  private fail(err: Error, destroy: boolean): void {
    const p = this.current;
    this.current = undefined;
    if (destroy || this.socket) {
      const s = this.socket;
      this.socket = undefined;
      s?.destroy();
    }
    p?.handler.onError(err);
  }

  private complete(): void {
    const p = this.current!;
    this.current = undefined;
    this.served++;
    if (!this.keepAlive && this.socket) {
      const s = this.socket;
      this.socket = undefined;
      s.destroy();
    } else if (this.socket) {
      this.lastUsed = performance.now();
      if (!this.idle) this.armIdle(this.o.keepAliveMs);
    }
    p.handler.onComplete(null);
  }

  private onRead(n: number): boolean {
    if (!this.current) {
      // Bytes nobody asked for: the connection cannot be trusted any more.
      this.socket?.destroy();
      this.socket = undefined;
      return false;
    }
    this.gotBytes = true;
    let at = 0;
    const b = this.buf;
    while (at < n && this.current) {
      if (this.inHead) {
        at = this.readHead(b, at, n);
        continue;
      }
      at = this.readBody(b, at, n);
    }
    return true;
  }

  /** Collects the header block; parses it once whole. Returns the offset after what was used. */
  private readHead(b: Buffer, at: number, n: number): number {
    if (!this.head) {
      // The whole header block in this read (the usual case): parsed straight from the shared buffer.
      // (indexOf may find a stale match past n, in bytes of an earlier read: that is no match.)
      const end = b.indexOf(CRLF2, at);
      if (end >= 0 && end + 4 <= n) {
        this.parseHead(b.toString('latin1', at, end));
        return end + 4;
      }
    }
    const piece = b.subarray(at, n);
    const sofar = this.head ? Buffer.concat([this.head, piece]) : piece;
    const end = sofar.indexOf('\r\n\r\n');
    if (end < 0) {
      if (sofar.length > MAX_HEADER_BYTES) {
        this.fail(protocolError('response header block over 64 KiB'), true);
        return n;
      }
      this.head = Buffer.from(sofar);
      return n;
    }
    const used = end + 4 - (this.head ? this.head.length : 0);
    const text = sofar.toString('latin1', 0, end);
    this.head = undefined;
    this.parseHead(text);
    return at + used;
  }

  private parseHead(text: string): void {
    const p = this.current!;
    let eol = text.indexOf('\r\n');
    if (eol < 0) eol = text.length;
    // `HTTP/1.x NNN[ reason]`, read by position (no regular expression, no match array).
    const minor = text.charCodeAt(7) - 48;
    const status = (text.charCodeAt(9) - 48) * 100 + (text.charCodeAt(10) - 48) * 10 + (text.charCodeAt(11) - 48);
    const reason = eol > 12 ? text.slice(13, eol) : '';
    if (
      !text.startsWith('HTTP/1.') || (minor !== 0 && minor !== 1) || text.charCodeAt(8) !== 32 || !isDigits(text, 9, 12) ||
      (eol > 12 && text.charCodeAt(12) !== 32) || reason.includes('\n') || reason.includes('\r')
    ) {
      return this.fail(protocolError(`not an HTTP/1.x status line: ${JSON.stringify(text.slice(0, Math.min(eol, 60)))}`), true);
    }
    const raw: string[] = [];
    let length = -1;
    let chunked = false;
    let close = minor === 0;
    // Header lines, one at a time from the text (no array of lines, no trimmed copies).
    for (let at = eol + 2; at < text.length; at = eol + 2) {
      eol = text.indexOf('\r\n', at);
      if (eol < 0) eol = text.length;
      const c = text.indexOf(':', at);
      const first = text.charCodeAt(at);
      if (c <= at || c >= eol || first === 32 || first === 9) return this.fail(protocolError('malformed response header line'), true);
      let v = c + 1;
      let e = eol;
      while (v < e && isBlank(text.charCodeAt(v))) v++;
      while (e > v && isBlank(text.charCodeAt(e - 1))) e--;
      const name = text.slice(at, c);
      const value = text.slice(v, e);
      raw.push(name, value);
      const lower = name.length === 14 || name.length === 17 || name.length === 10 ? name.toLowerCase() : '';
      if (lower === 'content-length') {
        if (!/^\d+$/.test(value) || (length >= 0 && Number(value) !== length)) return this.fail(protocolError('bad Content-Length'), true);
        length = Number(value);
      } else if (lower === 'transfer-encoding') chunked = /(^|,)\s*chunked\s*$/i.test(value);
      else if (lower === 'connection') {
        if (/\bclose\b/i.test(value)) close = true;
        else if (minor === 0 && /\bkeep-alive\b/i.test(value)) close = false;
      }
    }
    if (status < 200) {
      // 1xx: the real answer follows on the same connection.
      this.resetParser();
      return;
    }
    this.keepAlive = !close;
    this.inHead = false;
    if (p.method === 'HEAD' || status === 204 || status === 304) this.body = Body.None;
    else if (chunked) this.body = Body.Chunked;
    else if (length >= 0) {
      this.body = Body.Length;
      this.left = length;
    } else {
      this.body = Body.UntilClose;
      this.keepAlive = false;
    }
    p.handler.onHeaders(status, raw, NOOP, reason);
    if (this.current && (this.body === Body.None || (this.body === Body.Length && this.left === 0))) this.complete();
  }

  private readBody(b: Buffer, at: number, n: number): number {
    const h = this.current!.handler;
    switch (this.body) {
      case Body.Length: {
        const take = Math.min(this.left, n - at);
        if (h.countOnly) h.onBodyBytes!(take);
        else h.onData(b.subarray(at, at + take));
        this.left -= take;
        if (this.left === 0) this.complete();
        return at + take;
      }
      case Body.UntilClose:
        h.onData(b.subarray(at, n));
        return n;
      case Body.Chunked:
        return this.readChunked(b, at, n, h);
      default:
        // Bytes after a bodiless answer: not something a keep-alive connection may carry.
        this.fail(protocolError('unexpected bytes after the response'), true);
        return n;
    }
  }

  private readChunked(b: Buffer, at: number, n: number, h: Handler): number {
    while (at < n && this.current) {
      if (this.chunk === Chunk.Data) {
        const take = Math.min(this.left, n - at);
        h.onData(b.subarray(at, at + take));
        this.left -= take;
        at += take;
        if (this.left === 0) this.chunk = Chunk.DataEnd;
        continue;
      }
      // Size lines, the CRLF after data, and trailer lines: read a line at a time.
      const nl = b.indexOf(10, at);
      const end = nl < 0 || nl >= n ? n : nl + 1;
      this.line += b.toString('latin1', at, end);
      at = end;
      if (this.line.length > 4096) {
        this.fail(protocolError('chunk line too long'), true);
        return n;
      }
      if (!this.line.endsWith('\n')) continue;
      const line = this.line.replace(/\r?\n$/, '');
      this.line = '';
      if (this.chunk === Chunk.DataEnd) {
        if (line !== '') {
          this.fail(protocolError('chunk data not followed by CRLF'), true);
          return n;
        }
        this.chunk = Chunk.Size;
      } else if (this.chunk === Chunk.Size) {
        const size = /^([0-9a-f]+)\s*(;.*)?$/i.exec(line);
        if (!size) {
          this.fail(protocolError('bad chunk size line'), true);
          return n;
        }
        this.left = parseInt(size[1], 16);
        this.chunk = this.left === 0 ? Chunk.Trailer : Chunk.Data;
      } else if (line === '') {
        this.complete();
        return at;
      }
    }
    return at;
  }

  close(): void {
    if (this.idle) clearTimeout(this.idle);
    const s = this.socket;
    this.socket = undefined;
    if (this.current) this.fail(Object.assign(new Error('connection closed'), { code: 'UND_ERR_DESTROYED' }), true);
    s?.destroy();
  }
}

/** host[:port] of an http:// origin for the Host header, and where to dial (an edge, or the origin). */
export function countingConnectionFor(origin: string, edge: Edge | undefined, o: CountingOptions): CountingConnection {
  const m = /^http:\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?$/i.exec(origin);
  if (!m) throw new Error(`not a plain http origin: ${origin}`);
  const hostName = m[1].replace(/^\[|\]$/g, '');
  const port = m[2] ? Number(m[2]) : 80;
  const hostHeader = origin.slice('http://'.length);
  return new CountingConnection(hostHeader, edge?.host ?? hostName, edge?.port ?? port, o);
}
