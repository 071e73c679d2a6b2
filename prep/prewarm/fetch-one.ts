// One work item through the CDN: attempts with retries, each attempt timed on
// its own, the body streamed and discarded (only counted), and the outcome
// turned into a results record.
import type { Dispatcher } from 'undici';
import type { CacheStatus, ErrorClass, ResultsRecord } from '../../common/results-record.js';
import { parseCacheStatus } from '../../common/cache-status.js';
import { parsePop, POP_HEADERS } from '../../common/pop.js';
import type { ConcurrencyLimiter } from './adaptive-concurrency.js';
import { redactText, redactUrl } from '../../common/redact.js';
import type { WorkItem } from './work-list.js';
import { backoffDelay, parseRetryAfter } from './backoff.js';
import type { Connection } from './worker-connections.js';
import type { Edge } from './edges.js';

export interface FetchSettings {
  /** Per attempt, whole request (connect, headers and body). */
  timeoutMs: number;
  /** Extra attempts after the first. */
  retries: number;
  /** HEAD instead of GET; falls back to `Range: bytes=0-0` when HEAD gives no length. */
  useHead: boolean;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Longest Retry-After honoured, ms (longer ones are cut to this). */
  maxRetryAfterMs: number;
  /** Awaited before every attempt (the --rate limiter). */
  beforeAttempt?: () => Promise<void> | void;
  /** Extra request headers (e.g. a CDN's warm-up header). */
  headers?: Record<string, string>;
  /** Adaptive concurrency per origin and edge (absent with --no-adaptive). */
  limiter?: ConcurrencyLimiter;
  /** Each answer's status as it arrives, retried attempts included (the 429 count). */
  onAnswer?: (status: number) => void;
  /** --pop-header NAME: read the PoP from this header first. */
  popHeader?: string;
  /** GET with `Range: bytes=0-0` instead of the whole body (verify --method range). */
  rangeProbe?: boolean;
}

/** A worker's handle on its current request or back-off sleep, so shutdown can cut it short. */
export interface Slot {
  aborted: boolean;
  /** The worker's own connection (worker-connections.ts). */
  connection: Connection;
  /** Ends the current back-off sleep. */
  abort?: () => void;
  /** The request in flight. */
  active?: { shutdown(): void };
  /**
   * The worker's attempt timer: one per worker, not one per attempt. When it fires it times out
   * the attempt in flight if that one's deadline has passed, else waits for the rest of it.
   */
  watchdog?: NodeJS.Timeout;
}

/** Cuts a worker's current request or sleep short (shutdown after the grace period). */
export function abortSlot(slot: Slot): void {
  slot.aborted = true;
  slot.abort?.();
  slot.active?.shutdown();
}

interface Outcome {
  status: number;
  ttfbMs: number;
  totalMs: number;
  bytes: number;
  contentLength: number | null;
  contentType: string | null;
  cacheStatus: CacheStatus;
  errorClass: ErrorClass | null;
  errorMessage: string | null;
  retryAfterMs: number | null;
  startedAt: number;
  pop: string | null;
  /** The body's chunks, kept only for discovery items (WorkItem.onBody). */
  body: Buffer[] | null;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);
const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_DESTROYED',
]);
// Certificate and handshake failures (Node's ERR_TLS_*, OpenSSL's verify codes): retrying cannot help.
const TLS_CODE = /^ERR_TLS_|^ERR_SSL_|CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;
const RETRYABLE = new Set<ErrorClass>(['timeout', 'connection_error', 'server_error', 'incomplete_body', 'rate_limited']);

// The origin of the last URL split: a run's URLs mostly share one, so the next is a prefix test.
let lastOrigin = '';

/** Splits an absolute URL into undici's origin and path without building a URL object. */
export function splitUrl(url: string): { origin: string; path: string } {
  const o = lastOrigin;
  if (o !== '' && url.length > o.length && url.charCodeAt(o.length) === 47 && url.startsWith(o) && !url.includes('#')) return { origin: o, path: url.slice(o.length) };
  const m = /^(https?:\/\/[^/?#]+)([^#]*)/i.exec(url);
  if (!m) throw new Error(`not an http(s) URL: ${redactUrl(url)}`);
  const rest = m[2];
  lastOrigin = m[1];
  return { origin: m[1], path: rest === '' ? '/' : rest.startsWith('/') ? rest : `/${rest}` };
}

function errorCode(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  if (typeof e?.code === 'string') return e.code;
  if (typeof e?.cause?.code === 'string') return e.cause.code;
  return '';
}

function oneLineMessage(err: unknown): string {
  const code = errorCode(err);
  const msg = err instanceof Error ? err.message : String(err);
  const cause = (err as { cause?: { message?: string } })?.cause?.message;
  const text = [code, msg, cause && cause !== msg ? cause : ''].filter(Boolean).join(': ');
  return redactText(text.replace(/\s+/g, ' ').trim()).slice(0, 300);
}

/** Total size from `Content-Range: bytes 0-0/12345`; null when absent or `*`. */
export function contentRangeTotal(v: string | undefined): number | null {
  const m = v ? /\/\s*(\d+)\s*$/.exec(v) : null;
  return m ? Number(m[1]) : null;
}

// The response headers the record needs, picked from undici's raw [name, value, ...] list
// without building a header object for every response.
const WANTED = new Set([
  'content-length', 'content-range', 'content-type', 'retry-after', 'location', 'age', 'cache-status',
  'cf-cache-status', 'x-cache-status', 'x-proxy-cache', 'x-cache', 'x-cache-remote', 'x-vercel-cache', 'x-served-by-cache',
  ...POP_HEADERS,
]);

// Most response headers (Server, Date, ETag, Connection...) are skipped by length alone, before any string is made.
const WANTED_LENGTHS = new Set([...WANTED].map((n) => n.length));

// One map for every response: onHeaders reads what it needs from it before returning, and
// nothing else runs in between (one thread), so it is cleared and reused instead of made anew.
const PICKED = new Map<string, string>();
const pickedHeader = (name: string) => PICKED.get(name);

function pickHeaders(raw: Buffer[] | string[], extra: string | undefined): Map<string, string> {
  const out = PICKED;
  out.clear();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!WANTED_LENGTHS.has(raw[i].length) && (extra === undefined || raw[i].length !== extra.length)) continue;
    const name = raw[i].toString().toLowerCase();
    if (!WANTED.has(name) && name !== extra) continue;
    const value = raw[i + 1].toString();
    const prev = out.get(name);
    out.set(name, prev === undefined ? value : `${prev}, ${value}`);
  }
  return out;
}

/** Largest playlist or MPD body kept for discovery. */
const MAX_KEPT_BODY = 16 * 1024 * 1024;

const TIMEOUT_ERROR = Object.assign(new Error('attempt timed out'), { code: 'MT_ATTEMPT_TIMEOUT' });
const SHUTDOWN_ERROR = Object.assign(new Error('aborted by shutdown'), { code: 'MT_SHUTDOWN' });

function onAttemptTimeout(h: AttemptHandler): void {
  h.cutShort(TIMEOUT_ERROR, 'timeout', `no complete response within ${h.timeoutMs / 1000} s (${h.gotHeaders ? 'reading body' : 'waiting for headers'})`);
}

function onWatchdog(slot: Slot): void {
  slot.watchdog = undefined;
  const h = slot.active;
  if (!(h instanceof AttemptHandler) || h.settled) return;
  const left = h.deadline - performance.now();
  if (left <= 0) onAttemptTimeout(h);
  // Whole milliseconds: Node keeps one timer list per distinct duration.
  else slot.watchdog = setTimeout(onWatchdog, Math.ceil(left), slot);
}

// Date.now() -> ISO string, for the record's startedAt: requests started in the same millisecond share one.
let isoMs = -1;
let isoText = '';
function isoOf(ms: number): string {
  if (ms !== isoMs) {
    isoMs = ms;
    isoText = new Date(ms).toISOString();
  }
  return isoText;
}

/**
 * One request through undici's dispatch API: no body stream, no AbortSignal, no
 * promise per chunk; chunks are counted and dropped as they arrive, so memory
 * stays flat for any body size. A class rather than closures, and the attempt's outcome
 * itself: one allocation per request instead of a dozen, which matters for GC at
 * thousands of requests in flight. No timer of its own: the worker's watchdog (Slot).
 */
class AttemptHandler implements Outcome {
  status = 0;
  ttfbMs = 0;
  totalMs = 0;
  bytes = 0;
  contentLength: number | null = null;
  contentType: string | null = null;
  cacheStatus: CacheStatus = 'unknown';
  errorClass: ErrorClass | null = null;
  errorMessage: string | null = null;
  retryAfterMs: number | null = null;
  startedAt = Date.now();
  pop: string | null = null;
  body: Buffer[] | null;
  readonly t0 = performance.now();
  readonly deadline: number;
  settled = false;
  gotHeaders = false;
  expected: number | null = null;
  abortRequest: ((err?: Error) => void) | undefined = undefined;
  cut: Error | undefined = undefined;
  /** The counting client hands over byte counts instead of chunks when the body is not kept. */
  readonly countOnly: boolean;

  constructor(
    readonly method: 'GET' | 'HEAD',
    readonly timeoutMs: number,
    readonly slot: Slot,
    readonly resolve: (o: Outcome) => void,
    readonly popHeader: string | undefined,
    keepBody = false,
  ) {
    this.body = keepBody ? [] : null;
    this.countOnly = !keepBody;
    this.deadline = this.t0 + timeoutMs;
    slot.active = this;
    const w = slot.watchdog;
    if (w === undefined) slot.watchdog = setTimeout(onWatchdog, timeoutMs, slot);
    else w.ref();
  }

  settle(): void {
    if (this.settled) return;
    this.settled = true;
    // The watchdog stays armed for the worker's next attempt, but does not keep the process alive meanwhile.
    this.slot.watchdog?.unref();
    this.slot.active = undefined;
    this.totalMs = performance.now() - this.t0;
    if (!this.gotHeaders) this.ttfbMs = this.totalMs;
    this.resolve(this);
  }

  fail(cls: ErrorClass, message: string): void {
    if (this.settled) return;
    this.errorClass = cls;
    this.errorMessage = message;
    this.settle();
  }

  // Timeout and shutdown settle at once; the request is cut now or as soon as undici hands it a socket.
  cutShort(err: Error, cls: ErrorClass, message: string): void {
    this.cut = err;
    this.fail(cls, message);
    this.abortRequest?.(err);
  }

  shutdown(): void {
    this.cutShort(SHUTDOWN_ERROR, 'aborted', 'aborted by shutdown');
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abortRequest = abort;
    if (this.cut) abort(this.cut);
  }

  onHeaders(statusCode: number, raw: Buffer[]): boolean {
    if (statusCode < 200) return true; // 1xx: the real answer follows
    if (this.settled) return false;
    this.gotHeaders = true;
    this.ttfbMs = performance.now() - this.t0;
    this.status = statusCode;
    const h = pickHeaders(raw, this.popHeader);
    const cl = h.get('content-length');
    this.expected = cl !== undefined && /^\d+$/.test(cl) ? Number(cl) : null;
    this.contentLength = contentRangeTotal(h.get('content-range')) ?? this.expected;
    this.contentType = h.get('content-type') ?? null;
    this.cacheStatus = parseCacheStatus(pickedHeader);
    this.pop = parsePop(pickedHeader, this.popHeader);
    if (statusCode >= 500 || statusCode === 429) this.retryAfterMs = parseRetryAfter(h.get('retry-after'));
    if (statusCode >= 300 && statusCode < 400) this.errorMessage = `HTTP ${statusCode} to ${redactUrl(h.get('location') ?? '?')}`;
    return true;
  }

  onBodyBytes(n: number): void {
    this.bytes += n;
  }

  onData(chunk: Buffer): boolean {
    this.bytes += chunk.length;
    // Chunks may be views of a reused read buffer: a kept body is copied.
    if (this.body) {
      if (this.bytes <= MAX_KEPT_BODY) this.body.push(Buffer.from(chunk));
      else this.body = null;
    }
    return true;
  }

  onComplete(): void {
    if (this.settled) return;
    if (this.method === 'GET' && this.expected !== null && this.bytes !== this.expected) this.fail('incomplete_body', `body ended after ${this.bytes} of ${this.expected} bytes`);
    else if (this.status >= 500) this.fail('server_error', `HTTP ${this.status}`);
    else if (this.status === 429) this.fail('rate_limited', `HTTP 429${this.retryAfterMs !== null ? ` (Retry-After ${Math.round(this.retryAfterMs / 1000)} s)` : ''}`);
    else if (this.status >= 400) this.fail('client_error', `HTTP ${this.status}`);
    else if (this.status >= 300) this.fail('redirect', this.errorMessage ?? `HTTP ${this.status}`);
    else this.settle();
  }

  onError(err: Error): void {
    if (this.settled) return;
    const code = errorCode(err);
    if (TIMEOUT_CODES.has(code)) this.fail('timeout', oneLineMessage(err));
    else if (TLS_CODE.test(code)) this.fail('tls_error', oneLineMessage(err));
    else if (this.gotHeaders) this.fail('incomplete_body', oneLineMessage(err));
    else if (CONNECTION_CODES.has(code)) this.fail('connection_error', oneLineMessage(err));
    else this.fail('unknown_error', oneLineMessage(err));
  }
}

/** Where one item goes: its origin and path, the edge to dial and the headers to send. */
interface Target {
  origin: string;
  path: string;
  edge: Edge | undefined;
  headers: Record<string, string> | undefined;
}

function attempt(t: Target, method: 'GET' | 'HEAD', extra: Record<string, string> | undefined, s: FetchSettings, slot: Slot, keepBody = false): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    const h = new AttemptHandler(method, s.timeoutMs, slot, resolve, s.popHeader, keepBody);
    try {
      slot.connection.dispatch(
        // Our own per-attempt timer covers the whole request; undici's would refresh a timer on every chunk.
        { origin: t.origin, path: t.path, method, headers: extra ?? t.headers, headersTimeout: 0, bodyTimeout: 0, edge: t.edge } as Dispatcher.DispatchOptions,
        h as unknown as Dispatcher.DispatchHandler,
      );
    } catch (err) {
      h.fail('unknown_error', oneLineMessage(err));
    }
  });
}

// HEAD for the size; when HEAD says nothing about it (or is not allowed), a one-byte
// range request gives the total in Content-Range.
async function headAttempt(t: Target, s: FetchSettings, slot: Slot): Promise<Outcome> {
  const head = await attempt(t, 'HEAD', undefined, s, slot);
  const noLength = head.errorClass === null && (head.contentLength === null || head.contentLength === 0);
  const notAllowed = head.status === 405 || head.status === 501;
  if (!noLength && !notAllowed) return head;
  if (slot.aborted) return head;
  if (s.beforeAttempt) await s.beforeAttempt();
  const ranged = await attempt(t, 'GET', { ...t.headers, range: 'bytes=0-0' }, s, slot);
  if (ranged.errorClass === null && ranged.status === 200 && ranged.contentLength === null) ranged.contentLength = ranged.bytes;
  return ranged;
}

function sleep(ms: number, slot: Slot): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      slot.abort = undefined;
      resolve();
    }, ms);
    slot.abort = () => {
      clearTimeout(t);
      slot.abort = undefined;
      resolve();
    };
  });
}

/**
 * Requests one item, retrying 5xx, 429, timeouts and connection errors (never
 * other 4xx) with exponential back-off and jitter, or after Retry-After (capped
 * by maxRetryAfterMs) when the server sends one. Resolves to the final record, or null when shutdown cut it short
 * (so a resumed run does it again).
 */
export async function fetchItem(item: WorkItem, s: FetchSettings, slot: Slot): Promise<ResultsRecord | null> {
  const { origin, path } = splitUrl(item.url);
  const headers = item.cacheVariant ? { ...s.headers, ...item.cacheVariant.headers } : s.headers;
  const t: Target = { origin, path, edge: item.edge, headers };
  const limiterKey = item.edge ? `${origin}|${item.edge.label}` : origin;
  let o: Outcome | undefined;
  let attempts = 0;
  for (;;) {
    if (slot.aborted) return null;
    if (s.limiter) {
      const wait = s.limiter.acquire(limiterKey);
      if (wait) await wait;
    }
    if (s.beforeAttempt) await s.beforeAttempt();
    if (slot.aborted) {
      s.limiter?.release(limiterKey, false, 0);
      return null;
    }
    attempts++;
    const startedAt = performance.now();
    o = s.rangeProbe
      ? await attempt(t, 'GET', { ...headers, range: 'bytes=0-0' }, s, slot)
      : item.range
        ? await attempt(t, 'GET', { ...headers, range: `bytes=${item.range.offset}-${item.range.offset + item.range.length - 1}` }, s, slot)
        : item.onBody
          ? await attempt(t, 'GET', undefined, s, slot, true)
          : s.useHead || item.method === 'HEAD'
            ? await headAttempt(t, s, slot)
            : await attempt(t, 'GET', undefined, s, slot);
    s.limiter?.release(limiterKey, o.status === 429 || o.status === 503, startedAt);
    if (o.status > 0) s.onAnswer?.(o.status);
    if (o.errorClass === 'aborted' || slot.aborted) return null;
    if (o.errorClass === null || !RETRYABLE.has(o.errorClass) || attempts > s.retries) break;
    const delay = o.retryAfterMs !== null ? Math.min(o.retryAfterMs, s.maxRetryAfterMs) + Math.random() * 100 : backoffDelay(attempts, s.backoffBaseMs, s.backoffMaxMs);
    await sleep(delay, slot);
  }
  const ok = o.errorClass === null && o.status >= 200 && o.status < 300;
  const r: ResultsRecord = {
    key: item.key,
    derivative: item.name,
    kind: item.kind,
    url: redactUrl(item.url),
    status: o.status,
    ok,
    attempts,
    ttfbMs: Math.round(o.ttfbMs * 1000) / 1000,
    totalMs: Math.round(o.totalMs * 1000) / 1000,
    bytesReceived: o.bytes,
    contentLength: o.contentLength,
    contentType: o.contentType,
    cacheStatus: o.cacheStatus,
    errorClass: ok ? null : (o.errorClass ?? 'unknown_error'),
    errorMessage: ok ? null : (o.errorMessage ?? `HTTP ${o.status}`),
    sourceSize: item.sourceSize,
    sizeCategory: item.sizeCategory,
    startedAt: isoOf(o.startedAt),
  };
  if (item.width !== undefined) r.width = item.width;
  if (item.height !== undefined) r.height = item.height;
  const edge = item.edge?.label ?? slot.connection.remoteAddress(origin, undefined);
  if (edge) r.edge = edge;
  if (o.status > 0) r.pop = o.pop;
  if (item.cacheVariant) r.cacheVariant = item.cacheVariant.label;
  if (item.rendition !== undefined) r.rendition = item.rendition;
  if (item.sequence !== undefined) r.sequence = item.sequence;
  if (item.range) r.byteRange = `${item.range.offset}-${item.range.offset + item.range.length - 1}`;
  if (item.onBody) item.bodyText = ok && o.body ? Buffer.concat(o.body).toString('utf8') : null;
  return r;
}
