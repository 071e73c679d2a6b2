// One media request with its checks and metrics: the expected status set per
// request (206 for a range, 200 otherwise), the range verified against the
// known size, every sample tagged by derivative and size category (VU tags).
import { check } from 'k6';
import http from 'k6/http';
import type { RequestTarget } from './target.js';
import { recordResponse, type MediaMetrics } from './metrics.js';
import { rangeHeader, type ByteRange } from './ranges.js';
import { verifyResponse } from './response-check.js';
import { tagVu } from './vu-tags.js';

export interface RequestContext {
  metrics: MediaMetrics;
  /** Per-request timeout, ms. */
  timeoutMs: number;
}

/** Check names: constant strings, so they make a handful of series. One check per request keeps k6's overhead low. */
export const CHECK_WHOLE = 'whole file: status 200';
export const CHECK_RANGE = 'range: 206 with Content-Range and Content-Length matching the range asked';

// Callbacks built once, in init (http.expectedStatuses allocates); each request
// names its own: 206 for a range, 200 for the whole file.
type Callback = ReturnType<typeof http.expectedStatuses>;
let expect200: Callback | undefined;
let expect206: Callback | undefined;

/** Call in init context, before the first mediaRequest. Leaves k6's default callback alone. */
export function setUpExpectedStatuses(): void {
  expect200 = http.expectedStatuses(200);
  expect206 = http.expectedStatuses(206);
}

interface RequestShapes {
  /** Params objects reused request after request (k6 copies them on each call). */
  ranged: { headers: { Range: string }; tags: { name: string }; responseCallback: Callback; timeout: number };
  /** A range whose bytes the script reads (the player's box structure): responseType binary. */
  rangedBody: { headers: { Range: string }; tags: { name: string }; responseCallback: Callback; timeout: number; responseType: 'binary' };
  whole: { tags: { name: string }; responseCallback: Callback; timeout: number };
}

// Per derivative: params built once per VU, found by one property read. Only
// `name` is a request tag (it groups every URL of a derivative into one
// series; k6 reports it as the url tag too); derivative and size category are
// VU tags (vu-tags.ts).
const shapes: Record<string, RequestShapes> = {};

function shapesFor(derivative: string, timeout: number): RequestShapes {
  let s = shapes[derivative];
  if (!s || s.whole.timeout !== timeout) {
    const tags = { name: `media ${derivative}` };
    s = shapes[derivative] = {
      ranged: { headers: { Range: '' }, tags, responseCallback: expect206 as Callback, timeout },
      rangedBody: { headers: { Range: '' }, tags, responseCallback: expect206 as Callback, timeout, responseType: 'binary' },
      whole: { tags, responseCallback: expect200 as Callback, timeout },
    };
  }
  return s;
}

export interface MediaResult {
  status: number;
  ok: boolean;
  /** The body, only when asked for (withBody). */
  body?: ArrayBuffer | null;
}

// k6 builds a new JavaScript wrapper for a named export of its own modules
// (`check` from 'k6') on every read of the imported name (~3 µs): read it once.
const runCheck = check;

// The verdict as the check's value, not a function: k6 then reads it without
// calling back into JavaScript (k6 takes any value; @types/k6 asks for functions).
// Four constant objects, none built per request.
type Verdicts = Parameters<typeof check>[1];
const RANGE_PASS = { [CHECK_RANGE]: true };
const RANGE_FAIL = { [CHECK_RANGE]: false };
const WHOLE_PASS = { [CHECK_WHOLE]: true };
const WHOLE_FAIL = { [CHECK_WHOLE]: false };

/** One checked, measured request; `withBody` (ranges only) keeps the response bytes for the script to read. */
export function mediaRequest(rec: RequestTarget, range: ByteRange | null, ctx: RequestContext, withBody = false): MediaResult {
  if (!expect200 || !expect206) throw new Error('call setUpExpectedStatuses() in init context first');
  tagVu(rec.derivative, rec.sizeCategory);
  const shape = shapesFor(rec.derivative, ctx.timeoutMs);
  const size = rec.size;
  let res;
  if (range && withBody) {
    shape.rangedBody.headers.Range = rangeHeader(range);
    res = http.get(rec.url, shape.rangedBody);
  } else if (range) {
    shape.ranged.headers.Range = rangeHeader(range);
    res = http.get(rec.url, shape.ranged);
  } else {
    res = http.get(rec.url, shape.whole);
  }
  // Each read of res.headers converts from Go again: read once. res.timings is
  // never read: TTFB is k6's own http_req_waiting.
  const status = res.status;
  const headers = res.headers;
  let rangeOk: boolean | null = null;
  let ok: boolean;
  if (range) {
    // One computation for the check and the range-correctness Rate: a range is
    // right only with a 206 and matching Content-Range and Content-Length.
    // Fast path: the exact headers a correct server sends, compared as strings.
    if (status === 206 && size > 0) {
      const end = range.end === null || range.end > size - 1 ? size - 1 : range.end;
      ok = headers['Content-Range'] === 'bytes ' + range.start + '-' + end + '/' + size && headers['Content-Length'] === '' + (end - range.start + 1);
    } else {
      ok = false;
    }
    if (!ok) ok = verifyResponse(range, size, { status, contentRange: headers['Content-Range'], contentLength: headers['Content-Length'] }).rangeOk === true;
    rangeOk = ok;
  } else {
    ok = status === 200;
  }
  const passed = runCheck(null, (range ? (ok ? RANGE_PASS : RANGE_FAIL) : ok ? WHOLE_PASS : WHOLE_FAIL) as unknown as Verdicts);
  recordResponse(ctx.metrics, status, headers, rangeOk);
  return withBody ? { status, ok: passed, body: res.body as ArrayBuffer | null } : { status, ok: passed };
}
