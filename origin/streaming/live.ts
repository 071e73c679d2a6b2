// `origin --live`: a VOD media playlist served as a live stream that advances in
// real time. The VOD segments repeat in a loop (an EXT-X-DISCONTINUITY where the
// loop restarts); the playlist holds the segments whose end has passed on the
// origin's clock within the last `windowSegments` target durations, so it slides
// by one segment per segment duration. Every playlist of a source loops with the
// same period (the longest rendition's length), so audio and video stay together
// however long the stream runs. The clock starts one window early, so even the
// first request sees a full window.
import type { HlsSegment } from '../../common/playlist/hls.js';
import type { MediaPlaylistHead } from './playlists.js';

export interface LiveClock {
  /** ms since the epoch when the live stream started (the origin's start). */
  startedAt: number;
  /** Window length in target durations. */
  windowSegments: number;
}

export interface LiveWindow {
  head: MediaPlaylistHead;
  segments: (HlsSegment & { programDateTime: string })[];
  /** Changes whenever the window moves: part of the playlist's cache key. */
  version: string;
}

/**
 * The live window at `nowMs`. `loopSeconds` is the loop period shared by all
 * playlists of the source (at least this playlist's own length).
 */
export function liveWindow(vod: readonly HlsSegment[], targetDuration: number, nowMs: number, clock: LiveClock, loopSeconds = 0): LiveWindow {
  const n = vod.length;
  if (n === 0) throw new Error('a live stream needs at least one segment');
  const starts: number[] = [];
  let own = 0;
  for (const s of vod) {
    starts.push(own);
    own += s.duration;
  }
  if (!(own > 0)) throw new Error('a live stream needs segments with a duration');
  const period = Math.max(own, loopSeconds);
  const span = clock.windowSegments * targetDuration;
  const t = Math.max(0, (nowMs - clock.startedAt) / 1000) + span;
  const end = (seq: number) => Math.floor(seq / n) * period + starts[seq % n] + vod[seq % n].duration;
  // The last segment that has ended, then back while segments end inside the window.
  const loop = Math.floor(t / period);
  let last = loop * n - 1;
  while (end(last + 1) <= t + 1e-9) last++;
  let first = last;
  while (first > 0 && end(first - 1) > t - span + 1e-9) first--;
  const epoch = clock.startedAt - span * 1000;
  const segments: LiveWindow['segments'] = [];
  for (let seq = first; seq <= last; seq++) {
    const l = Math.floor(seq / n);
    const i = seq - l * n;
    segments.push({
      ...vod[i],
      sequence: seq,
      discontinuity: i === 0 && l > 0,
      discontinuitySequence: l,
      programDateTime: new Date(epoch + (l * period + starts[i]) * 1000).toISOString(),
    });
  }
  return {
    head: { targetDuration, mediaSequence: first, discontinuitySequence: Math.floor(first / n), vod: false },
    segments,
    version: `${first}-${last}`,
  };
}
