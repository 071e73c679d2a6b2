// Custom metrics: cache-hit rate (normalised by the same parser the
// pre-warmer uses), bytes per derivative and range correctness. Tagged by
// derivative and size category only: few distinct values, never the URL.
// TTFB is k6's own http_req_waiting (the same figure, already tagged by the
// request's tags): a second Trend would only double the samples k6 handles.
import { Counter, Rate } from 'k6/metrics';
import { isCacheHit } from '../../common/cache-status.js';
import type { CacheStatus } from '../../common/results-record.js';
import { cacheStatusOf } from './cache-status-memo.js';
import { METRIC } from './metric-names.js';

export interface MediaMetrics {
  cacheHit: Rate;
  bytes: Counter;
  rangeOk: Rate;
}

/** Create once, at module level (k6 allows new metrics only in init context). */
export function createMetrics(): MediaMetrics {
  return {
    cacheHit: new Rate(METRIC.cacheHit),
    bytes: new Counter(METRIC.bytes, true),
    rangeOk: new Rate(METRIC.rangeOk),
  };
}

export interface ResponseLike {
  status: number;
  headers: Record<string, string>;
}

/** Records one response; returns its cache status. */
export function recordResponse(
  m: MediaMetrics,
  res: ResponseLike,
  tags: Record<string, string>,
  rangeOk: boolean | null,
  bodyBytes: number,
): CacheStatus {
  if (rangeOk !== null) m.rangeOk.add(rangeOk, tags);
  // No response at all: no cache status and no bytes, but a range asked is a range not served (above).
  if (res.status === 0) return 'unknown';
  const cache = cacheStatusOf(res.headers);
  m.cacheHit.add(isCacheHit(cache), tags);
  if (bodyBytes > 0) m.bytes.add(bodyBytes, tags);
  return cache;
}
