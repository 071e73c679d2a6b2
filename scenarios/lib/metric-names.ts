// Metric names, shared by the metrics module, thresholds and the summary.
export const METRIC = {
  /** Trend (ms): time to first byte of each media request: k6's built-in http_req_waiting. */
  ttfb: 'http_req_waiting',
  /** Rate: responses served from cache (normalised cache status). */
  cacheHit: 'media_cache_hit',
  /**
   * Counter (bytes): bytes received, k6's built-in data_received. k6 emits it
   * once per iteration with the VU's tags, so the VU's derivative tag
   * (vu-tags.ts) splits it by derivative without a sample of our own per request.
   * Wire bytes: bodies plus response headers.
   */
  bytes: 'data_received',
  /** Rate: range requests answered with the right Content-Range and Content-Length. */
  rangeOk: 'media_range_ok',
} as const;
