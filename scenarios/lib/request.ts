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

// Callbacks built once, in init. Most requests are ranges, so 206 is the VU's
// default and whole-file requests name 200 on the request itself: every
// request still has its own expected status.
let expect200: ReturnType<typeof http.expectedStatuses> | undefined;

/** Call in init context. */
export function setUpExpectedStatuses(): void {
  expect200 = http.expectedStatuses(200);
  http.setResponseCallback(http.expectedStatuses(206));
}

// Tag objects per derivative and size category, reused (few distinct values).
const tagCache: Record<string, { request: Record<string, string>; metric: Record<string, string> }> = {};

function tagsFor(rec: RequestTarget): { request: Record<string, string>; metric: Record<string, string> } {
  const id = `${rec.derivative}\u0000${rec.sizeCategory}`;
  let t = tagCache[id];
  if (!t) {
    const metric = { derivative: rec.derivative, size_category: rec.sizeCategory };
    // `name` groups every URL of a derivative into one series (k6 reports it as the url tag too).
    t = tagCache[id] = { metric, request: { name: `media ${rec.derivative}`, ...metric } };
  }
  return t;
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
  if (!expect200) throw new Error('call setUpExpectedStatuses() in init context first');
  const t = tagsFor(rec);
  const tags = t.metric;
  const res = range
    ? http.get(url, { headers: { Range: rangeHeader(range) }, tags: t.request, timeout: ctx.timeoutMs })
    : http.get(url, { tags: t.request, responseCallback: expect200, timeout: ctx.timeoutMs });
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
