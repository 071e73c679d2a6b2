// A results record read from disk, checked and completed: files written by
// older versions or by hand may lack optional fields.
import { redactUrl } from '../common/redact.js';
import { CACHE_STATUSES, type CacheStatus, type ErrorClass, type ResultsRecord, type SizeCategory } from '../common/results-record.js';

const num = (v: unknown, d = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);
const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The record, or a short reason why the value is not one. */
export function normaliseRecord(v: unknown): ResultsRecord | string {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return 'not a JSON object';
  const o = v as Record<string, unknown>;
  if (typeof o.key !== 'string' || o.key === '') return 'missing "key"';
  if (o.status !== undefined && typeof o.status !== 'number') return '"status" is not a number';
  const status = num(o.status);
  const derivative = typeof o.derivative === 'string' ? o.derivative : typeof o.variant === 'string' ? o.variant : '';
  const cacheStatus = (CACHE_STATUSES as readonly string[]).includes(o.cacheStatus as string) ? (o.cacheStatus as CacheStatus) : 'unknown';
  const sizeCategory: SizeCategory = o.sizeCategory === 'medium' || o.sizeCategory === 'large' ? o.sizeCategory : 'small';
  const ok = typeof o.ok === 'boolean' ? o.ok : status >= 200 && status < 300;
  const r: ResultsRecord = {
    key: o.key,
    derivative,
    kind: typeof o.kind === 'string' && o.kind !== '' ? o.kind : 'derivative',
    // Whatever wrote the file, a reader never passes on a secret (--redact patterns included).
    url: typeof o.url === 'string' ? redactUrl(o.url) : '',
    status,
    ok,
    attempts: num(o.attempts, 1),
    ttfbMs: num(o.ttfbMs),
    totalMs: num(o.totalMs),
    bytesReceived: num(o.bytesReceived),
    contentLength: typeof o.contentLength === 'number' ? o.contentLength : null,
    contentType: strOrNull(o.contentType),
    cacheStatus,
    errorClass: typeof o.errorClass === 'string' ? (o.errorClass as ErrorClass) : ok ? null : status >= 500 ? 'server_error' : status >= 400 ? 'client_error' : null,
    errorMessage: strOrNull(o.errorMessage),
    sourceSize: num(o.sourceSize),
    sizeCategory,
    startedAt: typeof o.startedAt === 'string' ? o.startedAt : '',
  };
  if (typeof o.width === 'number') r.width = o.width;
  if (typeof o.height === 'number') r.height = o.height;
  if (typeof o.edge === 'string') r.edge = o.edge;
  if (typeof o.pop === 'string' || o.pop === null) r.pop = o.pop as string | null;
  if (typeof o.cacheVariant === 'string') r.cacheVariant = o.cacheVariant;
  // HLS/DASH records: which rendition, which segment, which bytes of a byte-range file.
  if (typeof o.rendition === 'string') r.rendition = o.rendition;
  if (typeof o.sequence === 'number') r.sequence = o.sequence;
  if (typeof o.byteRange === 'string' && /^\d+-\d+$/.test(o.byteRange)) r.byteRange = o.byteRange;
  return r;
}
