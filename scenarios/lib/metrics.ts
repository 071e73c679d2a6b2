// Custom metrics: cache-hit rate (normalised by the same parser the
// pre-warmer uses) and range correctness. Added without a tags object: the
// VU's tags (vu-tags.ts) give each sample its derivative and size category,
// few distinct values, never the URL.
// TTFB is k6's own http_req_waiting and bytes per derivative k6's own
// data_received (both carry the VU's tags): a Trend or Counter of our own
// would only add samples k6 handles on every request.
import { Rate } from 'k6/metrics';
import { isCacheHit } from '../../common/cache-status.js';
import type { CacheStatus } from '../../common/results-record.js';
import { cacheStatusOf } from './cache-status-memo.js';
import { METRIC } from './metric-names.js';

export interface MediaMetrics {
  cacheHit: Rate;
  rangeOk: Rate;
}

/** Create once, at module level (k6 allows new metrics only in init context). */
export function createMetrics(): MediaMetrics {
  return {
    cacheHit: new Rate(METRIC.cacheHit),
    rangeOk: new Rate(METRIC.rangeOk),
  };
}

/**
 * Records one response (status and headers read once by the caller: each read
 * of a k6 response's headers converts them from Go again); returns its cache status.
 */
export function recordResponse(
  m: MediaMetrics,
  status: number,
  headers: Record<string, string | undefined>,
  rangeOk: boolean | null,
): CacheStatus {
  if (rangeOk !== null) m.rangeOk.add(rangeOk);
  // No response at all: no cache status, but a range asked is a range not served (above).
  if (status === 0) return 'unknown';
  const cache = cacheStatusOf(headers);
  m.cacheHit.add(isCacheHit(cache));
  return cache;
}
