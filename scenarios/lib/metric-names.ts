// Metric names, shared by the metrics module, thresholds and the summary.
export const METRIC = {
  /** Trend (ms): time to first byte of each media request: k6's built-in http_req_waiting. */
  ttfb: 'http_req_waiting',
  /** Rate: responses served from cache (normalised cache status). */
  cacheHit: 'media_cache_hit',
  /** Counter (bytes): body bytes per derivative, from Content-Length. */
  bytes: 'media_bytes',
  /** Rate: range requests answered with the right Content-Range and Content-Length. */
  rangeOk: 'media_range_ok',
} as const;
