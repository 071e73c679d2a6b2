// One media request with its checks and metrics: the expected status set per
// request (206 for a range, 200 otherwise), the range verified against the
// known size, metrics tagged by derivative and size category.
import { check } from 'k6';
import http from 'k6/http';
import type { RequestTarget } from './target.js';
import { recordResponse, type MediaMetrics } from './metrics.js';
import { rangeHeader, expectedSpan, type ByteRange } from './ranges.js';
import { verifyResponse } from './response-check.js';

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
  metric: Record<string, string>;
  /** Params objects reused request after request (k6 copies them on each call). */
  ranged: { headers: { Range: string }; tags: Record<string, string>; responseCallback: Callback; timeout: number };
  whole: { tags: Record<string, string>; responseCallback: Callback; timeout: number };
}

// Per derivative and size category (few distinct values): tags and params built once per VU.
const shapes: Record<string, RequestShapes> = {};

function shapesFor(rec: RequestTarget, timeout: number): RequestShapes {
  const id = `${rec.derivative}\u0000${rec.sizeCategory}\u0000${timeout}`;
  let s = shapes[id];
  if (!s) {
    const metric = { derivative: rec.derivative, size_category: rec.sizeCategory };
    // `name` groups every URL of a derivative into one series (k6 reports it as the url tag too).
    const tags = { name: `media ${rec.derivative}`, ...metric };
    s = shapes[id] = {
      metric,
      ranged: { headers: { Range: '' }, tags, responseCallback: expect206 as Callback, timeout },
      whole: { tags, responseCallback: expect200 as Callback, timeout },
    };
  }
  return s;
}

export interface MediaResult {
  status: number;
  ok: boolean;
  /** Milliseconds the request took (for player pacing). */
  durationMs: number;
}

const isTrue = (v: boolean) => v;
const RANGE_CHECK = { [CHECK_RANGE]: isTrue };
const WHOLE_CHECK = { [CHECK_WHOLE]: isTrue };

export function mediaRequest(rec: RequestTarget, range: ByteRange | null, ctx: RequestContext): MediaResult {
  const url = rec.url;
  if (!expect200 || !expect206) throw new Error('call setUpExpectedStatuses() in init context first');
  const shape = shapesFor(rec, ctx.timeoutMs);
  const tags = shape.metric;
  let res;
  if (range) {
    shape.ranged.headers.Range = rangeHeader(range);
    res = http.get(url, shape.ranged);
  } else {
    res = http.get(url, shape.whole);
  }
  // Each read of res.headers / res.timings converts from Go again: read once.
  const status = res.status;
  const headers = res.headers;
  const timings = res.timings;
  const contentLength = headers['Content-Length'];
  const verdict = verifyResponse(range, rec.size, { status, contentRange: headers['Content-Range'], contentLength });
  const ok = range ? verdict.rangeOk === true && verdict.statusOk : verdict.statusOk;
  const passed = check(ok, range ? RANGE_CHECK : WHOLE_CHECK, tags);
  const announced = Number(contentLength);
  const bodyBytes = Number.isFinite(announced) && announced > 0 ? announced : range && rec.size > 0 ? expectedSpan(range, rec.size).length : 0;
  recordResponse(ctx.metrics, { status, headers, timings }, tags, verdict.rangeOk, status === 0 ? 0 : bodyBytes);
  return { status, ok: passed, durationMs: timings.duration };
}
