// Custom metrics: TTFB, cache-hit rate (normalised by the same parser the
// pre-warmer uses), bytes per derivative and range correctness. Tagged by
// derivative and size category only: few distinct values, never the URL.
import { Counter, Rate, Trend } from 'k6/metrics';
import { isCacheHit } from '../../common/cache-status.js';
import type { CacheStatus } from '../../common/results-record.js';
import { cacheStatusOf } from './cache-status-memo.js';
import { METRIC } from './metric-names.js';

export interface MediaMetrics {
  ttfb: Trend;
  cacheHit: Rate;
  bytes: Counter;
  rangeOk: Rate;
}

/** Create once, at module level (k6 allows new metrics only in init context). */
export function createMetrics(): MediaMetrics {
  return {
    ttfb: new Trend(METRIC.ttfb, true),
    cacheHit: new Rate(METRIC.cacheHit),
    bytes: new Counter(METRIC.bytes, true),
    rangeOk: new Rate(METRIC.rangeOk),
  };
}

export interface ResponseLike {
  status: number;
  headers: Record<string, string>;
  timings: { waiting: number };
}

/** Records one response; returns its cache status. */
export function recordResponse(
  m: MediaMetrics,
  res: ResponseLike,
  tags: Record<string, string>,
  rangeOk: boolean | null,
  bodyBytes: number,
): CacheStatus {
  if (res.status === 0) {
    // No response at all: nothing to time or count, but a range asked is a range not served.
    if (rangeOk !== null) m.rangeOk.add(rangeOk, tags);
    return 'unknown';
  }
  const cache = cacheStatusOf(res.headers);
  m.ttfb.add(res.timings.waiting, tags);
  m.cacheHit.add(isCacheHit(cache), tags);
  if (bodyBytes > 0) m.bytes.add(bodyBytes, tags);
  if (rangeOk !== null) m.rangeOk.add(rangeOk, tags);
  return cache;
}
