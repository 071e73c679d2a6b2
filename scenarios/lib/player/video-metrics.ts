// The viewer-experience metrics as k6 metrics, and the SessionReport that
// feeds them. Samples carry the VU's tags (derivative and size category, set
// before each request by vu-tags.ts; an HLS/DASH session adds its rendition),
// so no tags object is built per sample.
import { Counter, Rate, Trend } from 'k6/metrics';
import { TAG_DURATION_SOURCE, VIDEO_METRIC } from '../metric-names.js';
import type { SessionOutcome, SessionReport } from './playback.js';

export interface VideoMetrics {
  startup: Trend;
  stalls: Counter;
  stallTime: Trend;
  rebufferRatio: Trend;
  downloadRatio: Trend;
  abandoned: Rate;
  moovAtEnd: Rate;
  sessions: Counter;
}

/** Create once, at module level (k6 allows new metrics only in init context). */
export function createVideoMetrics(): VideoMetrics {
  return {
    startup: new Trend(VIDEO_METRIC.startup, true),
    stalls: new Counter(VIDEO_METRIC.stalls),
    stallTime: new Trend(VIDEO_METRIC.stallTime, true),
    rebufferRatio: new Trend(VIDEO_METRIC.rebufferRatio),
    downloadRatio: new Trend(VIDEO_METRIC.downloadRatio),
    abandoned: new Rate(VIDEO_METRIC.abandoned),
    moovAtEnd: new Rate(VIDEO_METRIC.moovAtEnd),
    sessions: new Counter(VIDEO_METRIC.sessions),
  };
}

// One tags object per duration source, built once.
const SOURCE_TAGS: Record<string, Record<string, string>> = {};

/** Counts a session in video_sessions, tagged by where its duration came from. */
export function countSession(m: VideoMetrics, durationSource: string): void {
  const tags = SOURCE_TAGS[durationSource] ?? (SOURCE_TAGS[durationSource] = { [TAG_DURATION_SOURCE]: durationSource });
  m.sessions.add(1, tags);
}

/**
 * The session's measurements as k6 samples: startup when playback starts,
 * each stall as it ends, each chunk's download ratio; at the end the
 * rebuffer ratio (sessions that started) and abandonment (sessions that
 * started or were abandoned; a failed request is counted by http_req_failed).
 */
export function videoReport(m: VideoMetrics): SessionReport {
  return {
    startup: (ms) => m.startup.add(ms),
    stall: (ms) => {
      m.stalls.add(1);
      m.stallTime.add(ms);
    },
    download: (ratio) => m.downloadRatio.add(ratio),
    end: (o: SessionOutcome) => {
      if (o.started) m.rebufferRatio.add(o.rebufferRatio ?? 0);
      if (o.started || o.abandoned) m.abandoned.add(o.abandoned);
    },
  };
}
