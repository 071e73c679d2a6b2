// The viewer's buffer model, shared by every player mode (progressive MP4 here,
// HLS and DASH sessions beside it): a buffer of media seconds that fills when
// a chunk arrives and drains in real time while playing. Pure: the clock, the
// sleep and the fetching are injected, so vitest drives it with a fake clock and
// k6 with Date.now() and k6's sleep().
//
// Time: network times are real (ms from the clock). Media time runs
// PLAYER_TIME_SCALE times faster than real time when the scale is below 1
// (0.01: one media second lasts 10 ms), so a test compresses a 60 s session
// into 0.6 s; the network then has to keep up with 1/scale times the bitrate.
//
// States: starting (until PLAYER_STARTUP_SECONDS are buffered) -> playing ->
// stalled (buffer empty before the end; ends when the startup amount is
// buffered again) -> playing ... -> ended; a seek flushes the buffer and waits
// for the startup amount again (a seek wait is not a stall); a viewer abandons
// when startup takes longer than PLAYER_ABANDON_SECONDS.
import type { Rng } from '../random.js';

export interface PlaybackSettings {
  /** Media seconds buffered before playback starts, and again to end a stall (PLAYER_STARTUP_SECONDS, default 2). */
  startupSeconds: number;
  /** The player asks for the next chunk while the buffer holds less than this (PLAYER_BUFFER_TARGET, default 30). */
  bufferTargetSeconds: number;
  /** A viewer leaves when playback has not started this many real seconds after the first request (PLAYER_ABANDON_SECONDS, default 10). */
  abandonSeconds: number;
  /** Real seconds per media second (PLAYER_TIME_SCALE, default 1). */
  timeScale: number;
  /** Chance per chunk that the viewer seeks elsewhere (SEEK_PROBABILITY, default 0.05). */
  seekProbability: number;
  /** Most chunk requests in one session, a safety bound (SESSION_MAX_REQUESTS, default 200). */
  maxRequests: number;
}

export type PlaybackState = 'starting' | 'playing' | 'stalled' | 'seeking' | 'ended';

/** What one session did, for the metrics. Times are real milliseconds. */
export interface SessionOutcome {
  /** Playback started (the startup amount was buffered before the viewer left). */
  started: boolean;
  /** The viewer left before playback started (startup above PLAYER_ABANDON_SECONDS). */
  abandoned: boolean;
  /** A request failed and the session stopped. */
  failed: boolean;
  /** First request to playback start, when it started. */
  startupMs?: number;
  stalls: number;
  /** Time spent stalled, an unfinished stall at the end included. */
  stallMs: number;
  /** Real time spent playing. */
  playingMs: number;
  /** Media seconds played. */
  playedSeconds: number;
  /** stallMs / (stallMs + playingMs): the share of watch time spent stalled; undefined when playback never started. */
  rebufferRatio?: number;
  seeks: number;
  /** Chunk requests made after the open. */
  chunks: number;
}

/** Where the measurements go (k6 metrics in a run, arrays in a test). */
export interface SessionReport {
  /** Playback started, ms after the first request. */
  startup(ms: number): void;
  /** One stall ended (or the session ended during it), lasting ms. */
  stall(ms: number): void;
  /** A chunk's download time over its media time (real): above 1 the network cannot keep up. */
  download(ratio: number): void;
  end(outcome: SessionOutcome): void;
}

export interface Clock {
  /** Milliseconds (Date.now() in k6). */
  now(): number;
  /** Blocks for real seconds (k6's sleep). */
  sleep(seconds: number): void;
}

const EPS = 1e-9;

/**
 * The buffer of one viewer. Call advance(now) to let playback run up to now;
 * add() when a chunk has arrived; seek() when the viewer jumps.
 *
 * Written for k6's JavaScript runtime, which is slow at calls and property
 * chains (a method call costs about a microsecond): settings are copied into
 * own fields once, and the per-chunk paths call no helper methods.
 */
export class Playback {
  state: PlaybackState = 'starting';
  /** Media seconds held ahead of the playhead. */
  buffer = 0;
  /** Media position of the playhead, seconds. */
  position = 0;
  played = 0;
  stalls = 0;
  stallMs = 0;
  playingMs = 0;
  seeks = 0;
  startupMs: number | undefined;
  abandoned = false;
  failed = false;
  private last: number;
  private stallStart = 0;
  /** Real ms per media second (timeScale x 1000). */
  private readonly msPerSecond: number;
  private readonly target: number;
  private readonly startupSeconds: number;
  private readonly abandonMs: number;

  constructor(
    readonly s: PlaybackSettings,
    /** Media seconds in the file. */
    readonly duration: number,
    /** Media seconds this viewer watches before leaving (capped at the content). */
    readonly watch: number,
    /** Real ms of the session's first request. */
    readonly startedAt: number,
    private readonly report: SessionReport,
  ) {
    this.last = startedAt;
    this.msPerSecond = s.timeScale * 1000;
    this.target = s.bufferTargetSeconds;
    this.startupSeconds = s.startupSeconds;
    this.abandonMs = s.abandonSeconds * 1000;
  }

  /** Media seconds left to play in this session (watch time or content, whichever ends first). */
  remaining(): number {
    const byWatch = this.watch - this.played;
    const byContent = this.duration - this.position;
    return byWatch < byContent ? byWatch : byContent;
  }

  /** Lets playback run from the last call up to now. */
  advance(now: number): void {
    const dtMs = now - this.last;
    if (dtMs <= 0) return;
    this.last = now;
    const state = this.state;
    if (state === 'playing') {
      const media = dtMs / this.msPerSecond;
      const byWatch = this.watch - this.played;
      const byContent = this.duration - this.position;
      const left = byWatch < byContent ? byWatch : byContent;
      const buffer = this.buffer;
      const limit = buffer < left ? buffer : left;
      if (media + EPS < limit) {
        this.buffer = buffer - media;
        this.position += media;
        this.played += media;
        this.playingMs += dtMs;
        return;
      }
      // The buffer or the session ran out within dt.
      const usedMs = limit * this.msPerSecond;
      this.buffer = buffer - limit > 0 ? buffer - limit : 0;
      this.position += limit;
      this.played += limit;
      this.playingMs += usedMs;
      if (left - limit <= EPS) {
        this.state = 'ended';
        return;
      }
      this.state = 'stalled';
      this.stalls++;
      this.stallStart = now - (dtMs - usedMs);
    } else if (state === 'starting' && now - this.startedAt > this.abandonMs) {
      this.abandoned = true;
      this.state = 'ended';
    }
  }

  /** The player asks for more: below the buffer target and not at the end. */
  wantsData(): boolean {
    if (this.state === 'ended') return false;
    const b = this.buffer + EPS;
    if (b >= this.target) return false;
    const byWatch = this.watch - this.played;
    const byContent = this.duration - this.position;
    return b < (byWatch < byContent ? byWatch : byContent);
  }

  /** A chunk of media seconds arrived at now. */
  add(mediaSeconds: number, now: number): void {
    this.advance(now);
    const state = this.state;
    if (state === 'ended') return;
    this.buffer += mediaSeconds;
    if (state !== 'playing') this.maybeStart(now);
  }

  private maybeStart(now: number): void {
    if (this.state === 'playing' || this.state === 'ended') return;
    const left = this.remaining();
    if (this.buffer + EPS < this.startupSeconds && this.buffer + EPS < left) return;
    if (this.state === 'starting') {
      this.startupMs = now - this.startedAt;
      this.report.startup(this.startupMs);
    } else if (this.state === 'stalled') {
      const ms = now - this.stallStart;
      this.stallMs += ms;
      this.report.stall(ms);
    }
    this.state = left <= EPS ? 'ended' : 'playing';
  }

  /** The viewer jumps to `to` seconds; `held` media seconds from there are already received. */
  seek(to: number, held: number, now: number): void {
    this.advance(now);
    if (this.state !== 'playing') return;
    this.seeks++;
    this.position = to;
    this.buffer = held;
    this.state = 'seeking';
    this.maybeStart(now);
  }

  /**
   * Real seconds to sleep while playing: until the buffer drops below the
   * target (a millisecond past it, so one sleep does), or, when nothing is
   * left to fetch, until the buffer or the session runs out. 0 when not playing.
   */
  idleSeconds(exhausted: boolean): number {
    if (this.state !== 'playing') return 0;
    const byWatch = this.watch - this.played;
    const byContent = this.duration - this.position;
    const left = byWatch < byContent ? byWatch : byContent;
    const buffer = this.buffer;
    if (exhausted || buffer + EPS >= left) return ((left < buffer ? left : buffer) * this.msPerSecond) / 1000;
    const untilLow = buffer - this.target;
    return (untilLow > 0 ? (untilLow * this.msPerSecond) / 1000 : 0) + 0.001;
  }

  /** A request failed: the session stops here. */
  fail(now: number): void {
    this.advance(now);
    this.failed = true;
    this.finishAt(now);
  }

  /** Ends the session (an open stall counts up to now) and reports it. */
  finish(now: number): SessionOutcome {
    this.advance(now);
    this.finishAt(now);
    return this.outcome();
  }

  private finishAt(now: number): void {
    if (this.state === 'stalled') {
      const ms = now - this.stallStart;
      this.stallMs += ms;
      this.report.stall(ms);
    }
    this.state = 'ended';
  }

  outcome(): SessionOutcome {
    const started = this.startupMs !== undefined;
    const watched = this.stallMs + this.playingMs;
    return {
      started,
      abandoned: this.abandoned,
      failed: this.failed,
      startupMs: this.startupMs,
      stalls: this.stalls,
      stallMs: this.stallMs,
      playingMs: this.playingMs,
      playedSeconds: this.played,
      rebufferRatio: started ? (watched > 0 ? this.stallMs / watched : 0) : undefined,
      seeks: this.seeks,
      chunks: 0,
    };
  }
}

/** One chunk fetched by a media source. */
export interface ChunkResult {
  ok: boolean;
  /** Media seconds the chunk adds to the buffer. */
  mediaSeconds: number;
  /** Media seconds actually downloaded, when less than mediaSeconds (bytes already held joined the buffer): the download ratio's base. */
  downloadedSeconds?: number;
  /**
   * Real ms spent downloading, when next() also waited for something else (a live
   * playlist reload paced by RFC 8216 6.3.4): the download ratio's time. Default:
   * the whole time next() took.
   */
  downloadMs?: number;
}

/** What the session loop fetches from: progressive byte ranges, or HLS/DASH segments. */
export interface MediaSource {
  /** Fetches the next chunk (blocking); null when everything up to the end is already held. */
  next(): ChunkResult | null;
  /** Moves the fetch position to `seconds`; returns the media seconds already held from there on. */
  seek(seconds: number): number;
}

/**
 * Plays one session to its end: asks for chunks while the buffer is below
 * target, sleeps while it is full, seeks now and then, stops on a failed
 * request, an abandon, the watch time or the end of the content. The caller
 * has made the first requests (open, moov, playlist...) and built `pb` with
 * the time of the first one and what they buffered.
 */
export function playSession(pb: Playback, src: MediaSource, clock: Clock, rng: Rng, report: SessionReport): SessionOutcome {
  const s = pb.s;
  const seekProbability = s.seekProbability;
  const maxRequests = s.maxRequests;
  const msPerSecond = s.timeScale * 1000;
  let chunks = 0;
  let exhausted = false;
  let now = clock.now();
  for (;;) {
    pb.advance(now);
    const state = pb.state;
    if (state === 'ended') break;
    if (!exhausted && pb.wantsData()) {
      if (chunks >= maxRequests) {
        exhausted = true;
        continue;
      }
      if (seekProbability > 0 && state === 'playing' && rng() < seekProbability) {
        const to = rng() * pb.duration;
        pb.seek(to, src.seek(to), now);
      }
      const r = src.next();
      if (r === null) {
        exhausted = true;
        continue;
      }
      chunks++;
      const t1 = clock.now();
      if (!r.ok) {
        pb.fail(t1);
        break;
      }
      const fetched = r.downloadedSeconds === undefined ? r.mediaSeconds : r.downloadedSeconds;
      if (fetched > 0) report.download((r.downloadMs ?? t1 - now) / (fetched * msPerSecond));
      pb.add(r.mediaSeconds, t1);
      now = t1;
      continue;
    }
    if (state === 'playing') {
      // Wait while playback drains the buffer; at least 1 ms: the clock counts whole milliseconds.
      const idle = pb.idleSeconds(exhausted);
      clock.sleep(idle < 0.001 ? 0.001 : idle);
      now = clock.now();
      continue;
    }
    // Nothing to fetch and nothing to play (e.g. the request bound was reached mid-stall): the viewer gives up.
    break;
  }
  const out = pb.finish(clock.now());
  out.chunks = chunks;
  report.end(out);
  return out;
}
