// The two request patterns: the reference toolkit's random byte ranges with a
// sleep between requests, and a video-player session.
import { sleep } from 'k6';
import type { LoadtestConfig } from './config.js';
import { planPlayerSession } from './player.js';
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

/** A player session: `bytes=0-`, then chunks paced by the bitrate, with seeks, for a drawn watch time. */
export function playerSession(rec: RequestTarget, cfg: LoadtestConfig, ctx: RequestContext, rng: Rng): void {
  const steps = planPlayerSession(rec.size, rec.width, rng, cfg.player);
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    const started = Date.now();
    const r = mediaRequest(rec, step.range, ctx);
    if (r.status === 0 || r.status >= 400) break; // a player gives up on an error
    // The chunk covers pauseSeconds of playback; the download time already counted.
    const wait = step.pauseSeconds * cfg.player.timeScale - (Date.now() - started) / 1000;
    if (wait > 0 && i < steps.length - 1) sleep(wait);
  }
}
