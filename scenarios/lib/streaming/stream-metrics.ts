// The HLS/DASH metrics beside the player's: rendition switches (Counter, tagged
// by direction; the samples carry the VU's rendition tag) and the bitrate of the
// rendition each segment came from (Trend).
import { Counter, Trend } from 'k6/metrics';
import { TAG_SWITCH_DIRECTION, VIDEO_METRIC } from '../../../common/loadtest-report/metric-names.js';

export interface StreamMetrics {
  switches: Counter;
  selected: Trend;
}

/** Create once, at module level (init context). */
export function createStreamMetrics(): StreamMetrics {
  return { switches: new Counter(VIDEO_METRIC.bitrateSwitches), selected: new Trend(VIDEO_METRIC.selectedBitrate) };
}

export const SWITCH_TAGS = { up: { [TAG_SWITCH_DIRECTION]: 'up' }, down: { [TAG_SWITCH_DIRECTION]: 'down' } } as const;
