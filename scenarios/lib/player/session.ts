// A progressive-download viewer in k6 (MODE=player): open the file as a
// browser does (first range, moov, moov from the end without faststart), then
// play it with the buffer model, every request checked and measured like any
// other (mediaRequest), the viewer's experience in the video_* metrics.
import { sleep } from 'k6';
import type { LoadtestConfig } from '../config.js';
import { exponential, type Rng } from '../random.js';
import type { RequestTarget } from '../target.js';
import { mediaRequest, type RequestContext } from '../request.js';
import { assumedBitrate } from './assumed-bitrate.js';
import { heldSecondsFrom, openProgressive, ProgressiveSource, type RangeFetch } from './progressive.js';
import { Playback, playSession, type Clock, type SessionReport } from './playback.js';
import { countSession, type VideoMetrics } from './video-metrics.js';

// k6 wraps a named export of its own modules anew on every read: read sleep once.
const k6Sleep = sleep;
export const K6_CLOCK: Clock = { now: () => Date.now(), sleep: (s) => k6Sleep(s) };

/** One viewer session on a video record (its size must be known: ranges need it). */
export function playProgressive(rec: RequestTarget, cfg: LoadtestConfig, ctx: RequestContext, rng: Rng, vm: VideoMetrics, report: SessionReport): void {
  const p = cfg.player;
  const fetch: RangeFetch = (start, end, body) => {
    const r = mediaRequest(rec, { start, end }, ctx, body);
    return { ok: r.status === 206 || r.status === 200, whole: r.status === 200, body: r.body };
  };
  const startedAt = Date.now();
  const opened = openProgressive(rec.size, fetch, { openBytes: p.openBytes, recordedDuration: rec.durationSeconds, assumedBitrate: assumedBitrate(rec.width) });
  const l = opened.layout;
  // A failed open is a failed request (http_req_failed); the viewer saw an error, not a stall.
  if (!opened.ok || !l) return;
  countSession(vm, l.durationSource);
  if (l.container === 'mp4') vm.moovAtEnd.add(l.moovAtEnd);
  const watch = Math.min(l.durationSeconds, exponential(rng, p.meanSessionSeconds));
  const pb = new Playback(p, l.durationSeconds, watch, startedAt, report);
  pb.add(heldSecondsFrom(l, opened.held, 0), Date.now());
  playSession(pb, new ProgressiveSource(l, opened.held, p.chunkSeconds, fetch), K6_CLOCK, rng, report);
}
