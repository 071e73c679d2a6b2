// One media request with its checks and metrics: the expected status set per
// request (206 for a range, 200 otherwise), the range verified against the
// known size, metrics tagged by derivative and size category.
import { check } from 'k6';
import http from 'k6/http';
import type { LoadRecord } from './records.js';
import { recordResponse, type MediaMetrics } from './metrics.js';
import { rangeHeader, expectedSpan, type ByteRange } from './ranges.js';
import { verifyResponse } from './response-check.js';

export interface RequestContext {
  metrics: MediaMetrics;
  timeout: string;
}

// Built once: http.expectedStatuses allocates, and it is the same two callbacks every time.
let expect200: ReturnType<typeof http.expectedStatuses> | undefined;
let expect206: ReturnType<typeof http.expectedStatuses> | undefined;

/** Check names: constant strings, so they make a handful of series. */
export const CHECK_STATUS = 'status is 200 (whole file) or 206 (range)';
export const CHECK_RANGE = 'Content-Range and Content-Length match the range asked';

export interface MediaResult {
  status: number;
  ok: boolean;
  /** Milliseconds the request took (for player pacing). */
  durationMs: number;
}

export function mediaRequest(url: string, rec: LoadRecord, range: ByteRange | null, ctx: RequestContext): MediaResult {
  expect200 ??= http.expectedStatuses(200);
  expect206 ??= http.expectedStatuses(206);
  const tags = { derivative: rec.derivative, size_category: rec.sizeCategory };
  const res = http.get(url, {
    headers: range ? { Range: rangeHeader(range) } : {},
    // `name` groups every URL of a derivative into one series (k6 then reports it as the url tag too).
    tags: { name: `media ${rec.derivative}`, ...tags },
    responseCallback: range ? expect206 : expect200,
    timeout: ctx.timeout,
  });
  const verdict = verifyResponse(range, rec.size, {
    status: res.status,
    contentRange: res.headers['Content-Range'],
    contentLength: res.headers['Content-Length'],
  });
  const checks: Record<string, () => boolean> = { [CHECK_STATUS]: () => verdict.statusOk };
  if (verdict.rangeOk !== null) checks[CHECK_RANGE] = () => verdict.rangeOk === true;
  const passed = check(null, checks, tags);
  const announced = Number(res.headers['Content-Length']);
  const bodyBytes = Number.isFinite(announced) && announced > 0 ? announced : range && rec.size > 0 ? expectedSpan(range, rec.size).length : 0;
  recordResponse(ctx.metrics, res, tags, verdict.rangeOk, res.status === 0 ? 0 : bodyBytes);
  return { status: res.status, ok: passed, durationMs: res.timings.duration };
}
