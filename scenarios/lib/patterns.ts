// The two request patterns: the reference toolkit's random byte ranges with a
// sleep between requests, and a video-player session (scenarios/lib/player/).
import { sleep } from 'k6';
import type { LoadtestConfig } from './config.js';
import { playProgressive } from './player/session.js';
import type { SessionReport } from './player/playback.js';
import type { VideoMetrics } from './player/video-metrics.js';
import { pickRequestRange } from './ranges.js';
import { uniform, type Rng } from './random.js';
import type { RequestTarget } from './target.js';
import { mediaRequest, type RequestContext } from './request.js';

/** One request: a range 80% of the time (unless sequential), then a random pause. */
export function randomRangeRequest(rec: RequestTarget, cfg: LoadtestConfig, ctx: RequestContext, rng: Rng): void {
  const range = cfg.sequential ? null : pickRequestRange(rec.size, rng, cfg.ranges);
  mediaRequest(rec, range, ctx);
  const pause = uniform(rng, cfg.minSleep, cfg.maxSleep);
  if (pause > 0) sleep(pause);
}

/** A player session on a video record; images (and files of unknown size) keep the random ranges. */
export function playerSession(rec: RequestTarget, cfg: LoadtestConfig, ctx: RequestContext, rng: Rng, vm: VideoMetrics, report: SessionReport): void {
  if (!rec.video || !(rec.size > 0)) return randomRangeRequest(rec, cfg, ctx, rng);
  playProgressive(rec, cfg, ctx, rng, vm, report);
}
