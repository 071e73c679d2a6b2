// What a correct answer to one request looks like: 200 for a whole file, 206
// for a range whose Content-Range start, end and total match what was asked
// and the known size, with a Content-Length equal to the range length. A
// server that ignores Range (200 with the whole file) fails; it never passes.
import type { ByteRange } from './ranges.js';

export interface ResponseFacts {
  status: number;
  /** Content-Range header value, if any. */
  contentRange?: string;
  /** Content-Length header value, if any. */
  contentLength?: string;
}

export interface ResponseVerdict {
  /** The status is the one expected: 206 for a range, 200 otherwise. */
  statusOk: boolean;
  /** For a range: Content-Range and Content-Length match. Null for whole-file requests. */
  rangeOk: boolean | null;
  /** Why the range check failed, one short phrase. */
  reason?: string;
}

const CONTENT_RANGE = /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i;

export function parseContentRange(value: string | undefined): { start: number; end: number; total: number | null } | null {
  if (!value) return null;
  // Fast path for the usual `bytes S-E/T`, with no regex and no calls beyond
  // indexOf/slice (k6's JS runtime is slow at both); anything else takes the regex.
  if (value.startsWith('bytes ')) {
    const dash = value.indexOf('-', 6);
    const slash = value.indexOf('/', dash + 1);
    if (dash > 6 && slash > dash + 1 && slash < value.length - 1) {
      const start = +value.slice(6, dash);
      const end = +value.slice(dash + 1, slash);
      const t = value.slice(slash + 1);
      const total = t === '*' ? null : +t;
      // NaN !== NaN: each part must be a number.
      if (start === start && end === end && total === total && start % 1 === 0 && end % 1 === 0) return { start, end, total };
    }
  }
  const m = CONTENT_RANGE.exec(value);
  if (!m) return null;
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? null : Number(m[3]) };
}

/** Status the request must get, for http.expectedStatuses. */
export function expectedStatus(range: ByteRange | null): number {
  return range ? 206 : 200;
}

/**
 * Checks a response against what was asked. `knownSize` is the derivative's
 * size from the pre-warm results (0 when unknown: then the total is not compared).
 * request.ts compares a correct server's exact headers as strings first and
 * calls this only when that fast path fails, so no fast path here.
 */
export function verifyResponse(range: ByteRange | null, knownSize: number, facts: ResponseFacts): ResponseVerdict {
  const statusOk = facts.status === expectedStatus(range);
  if (!range) return { statusOk, rangeOk: null };
  if (facts.status !== 206) return { statusOk, rangeOk: false, reason: `status ${facts.status}, not 206` };
  const cr = parseContentRange(facts.contentRange);
  if (!cr) return { statusOk, rangeOk: false, reason: 'no valid Content-Range' };
  const size = knownSize > 0 ? knownSize : (cr.total ?? 0);
  const wantEnd = range.end === null || range.end > size - 1 ? size - 1 : range.end;
  if (cr.start !== range.start || cr.end !== wantEnd) {
    return { statusOk, rangeOk: false, reason: `Content-Range ${cr.start}-${cr.end}, asked ${range.start}-${wantEnd}` };
  }
  if (knownSize > 0 && cr.total !== knownSize) {
    return { statusOk, rangeOk: false, reason: `Content-Range total ${cr.total ?? '*'}, known size ${knownSize}` };
  }
  const length = wantEnd - range.start + 1;
  if (facts.contentLength === undefined || Number(facts.contentLength) !== length) {
    return { statusOk, rangeOk: false, reason: `Content-Length ${facts.contentLength ?? 'missing'}, range length ${length}` };
  }
  return { statusOk, rangeOk: true };
}
