// A video-player session, planned up front: an open-ended first request
// (`bytes=0-`, what an HTML5 <video> sends), then sequential chunks paced by
// the derivative's bitrate, an occasional seek, and a watch time drawn from an
// exponential distribution. Pure and seedable, so the plan is testable.
import type { PlayerSettings } from './config.js';
import { exponential, uniformInt, type Rng } from './random.js';
import type { ByteRange } from './ranges.js';

export interface PlayerStep {
  kind: 'open' | 'sequential' | 'seek';
  range: ByteRange;
  /** Playback time the chunk holds: the player waits about this long before the next request. */
  pauseSeconds: number;
}

/** Nominal bitrate (bits/s) for a rendition width, close to common streaming ladders. */
export function nominalBitrate(width: number | undefined): number {
  const w = width ?? 1280;
  if (w >= 3840) return 16_000_000;
  if (w >= 2560) return 10_000_000;
  if (w >= 1920) return 5_000_000;
  if (w >= 1280) return 2_500_000;
  if (w >= 854) return 1_200_000;
  if (w >= 640) return 800_000;
  return 400_000;
}

export function planPlayerSession(size: number, width: number | undefined, rng: Rng, s: PlayerSettings): PlayerStep[] {
  const bytesPerSecond = nominalBitrate(width) / 8;
  const chunk = Math.max(1, s.chunkBytes);
  const first = Math.min(chunk, Math.max(size, 0));
  const steps: PlayerStep[] = [{ kind: 'open', range: { start: 0, end: null }, pauseSeconds: first / bytesPerSecond }];
  if (!(size > 0)) return steps;
  const contentSeconds = size / bytesPerSecond;
  const watchSeconds = Math.min(contentSeconds, exponential(rng, s.meanSessionSeconds));
  let played = first / bytesPerSecond;
  let pos = first;
  while (played < watchSeconds && steps.length < s.maxRequests) {
    let kind: PlayerStep['kind'] = 'sequential';
    if (rng() < s.seekProbability) {
      pos = uniformInt(rng, 0, size - 1);
      kind = 'seek';
    }
    if (pos >= size) break;
    const end = Math.min(size - 1, pos + chunk - 1);
    const pauseSeconds = (end - pos + 1) / bytesPerSecond;
    steps.push({ kind, range: { start: pos, end }, pauseSeconds });
    played += pauseSeconds;
    pos = end + 1;
  }
  return steps;
}
