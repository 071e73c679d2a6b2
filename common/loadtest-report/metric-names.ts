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

/** The viewer-experience metrics of the player modes (progressive here; HLS and DASH use the same). */
export const VIDEO_METRIC = {
  /** Trend (ms): first request of a session to playback start (sessions that started). */
  startup: 'video_startup_time',
  /** Counter: stalls (the buffer ran empty before the end). */
  stalls: 'video_stalls',
  /** Trend (ms): the length of each stall. */
  stallTime: 'video_stall_time',
  /** Trend: per session, stall time over watch time (stalled + playing). */
  rebufferRatio: 'video_rebuffer_ratio',
  /** Trend: per chunk, download time over the chunk's media time (real); above 1 the network cannot keep up. */
  downloadRatio: 'video_download_ratio',
  /** Rate: sessions whose viewer left before playback started (startup above PLAYER_ABANDON_SECONDS). */
  abandoned: 'video_abandoned',
  /** Rate: MP4 files whose moov came after the mdat (no faststart: a second range from the end). */
  moovAtEnd: 'video_moov_at_end',
  /** Counter: sessions, tagged by duration_source (mvhd, mehd, ebml, record, assumed). */
  sessions: 'video_sessions',
  /** Counter (HLS/DASH): rendition switches, tagged by the rendition switched to and direction (up, down). */
  bitrateSwitches: 'video_bitrate_switches',
  /** Trend (HLS/DASH, bits/s): the BANDWIDTH of the rendition each segment was fetched from, tagged by rendition. */
  selectedBitrate: 'video_selected_bitrate',
} as const;

/** Tag of video_bitrate_switches: up or down. */
export const TAG_SWITCH_DIRECTION = 'direction';

/** Tag of video_sessions naming where the duration came from. */
export const TAG_DURATION_SOURCE = 'duration_source';
