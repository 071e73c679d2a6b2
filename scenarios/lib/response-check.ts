// What a correct answer to one request looks like: 200 for a whole file, 206
// for a range whose Content-Range start, end and total match what was asked
// and the known size, with a Content-Length equal to the range length. A
// server that ignores Range (200 with the whole file) fails; it never passes.
import { expectedSpan, type ByteRange } from './ranges.js';

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
 */
export function verifyResponse(range: ByteRange | null, knownSize: number, facts: ResponseFacts): ResponseVerdict {
  const statusOk = facts.status === expectedStatus(range);
  if (!range) return { statusOk, rangeOk: null };
  if (facts.status !== 206) return { statusOk, rangeOk: false, reason: `status ${facts.status}, not 206` };
  const cr = parseContentRange(facts.contentRange);
  if (!cr) return { statusOk, rangeOk: false, reason: 'no valid Content-Range' };
  const size = knownSize > 0 ? knownSize : (cr.total ?? 0);
  const want = expectedSpan(range, size);
  if (cr.start !== want.start || cr.end !== want.end) {
    return { statusOk, rangeOk: false, reason: `Content-Range ${cr.start}-${cr.end}, asked ${want.start}-${want.end}` };
  }
  if (knownSize > 0 && cr.total !== knownSize) {
    return { statusOk, rangeOk: false, reason: `Content-Range total ${cr.total ?? '*'}, known size ${knownSize}` };
  }
  if (facts.contentLength === undefined || Number(facts.contentLength) !== want.length) {
    return { statusOk, rangeOk: false, reason: `Content-Length ${facts.contentLength ?? 'missing'}, range length ${want.length}` };
  }
  return { statusOk, rangeOk: true };
}
