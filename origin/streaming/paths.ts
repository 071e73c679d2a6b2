// Streaming URLs: `<key>/hls/...`, `<key>/cmaf/...` and `<key>/dash/...` after
// the key of a source video. Real files win: a path that names a stored object
// is served as that object, so a bucket holding its own HLS folders keeps working.
import { mediaTypeOf } from '../../common/media-type.js';

export type StreamingArea = 'hls' | 'cmaf' | 'dash';

export interface StreamingTarget {
  /** Key segments of the source video. */
  sourceSegments: string[];
  area: StreamingArea;
  /** Path inside the area, e.g. ['ts', 'v1', 'index.m3u8']. */
  rest: string[];
}

const AREAS = new Set<string>(['hls', 'cmaf', 'dash']);

export function matchStreamingPath(segments: readonly string[]): StreamingTarget | null {
  for (let i = 1; i < segments.length - 1; i++) {
    if (!AREAS.has(segments[i])) continue;
    if (mediaTypeOf(segments[i - 1]) !== 'video') continue;
    return { sourceSegments: segments.slice(0, i), area: segments[i] as StreamingArea, rest: segments.slice(i + 1) };
  }
  return null;
}

export const STREAMING_CONTENT_TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.mpd': 'application/dash+xml',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
  '.ts': 'video/mp2t',
};
