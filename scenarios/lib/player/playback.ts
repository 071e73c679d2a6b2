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
    if (this.state === 'playing') {
      const media = dtMs / 1000 / this.s.timeScale;
      const left = this.remaining();
      const limit = this.buffer < left ? this.buffer : left;
      if (media + EPS < limit) {
        this.consume(media);
        this.playingMs += dtMs;
        return;
      }
      // The buffer or the session ran out within dt.
      const usedMs = limit * this.s.timeScale * 1000;
      this.consume(limit);
      this.playingMs += usedMs;
      if (this.remaining() <= EPS) {
        this.state = 'ended';
        return;
      }
      this.state = 'stalled';
      this.stalls++;
      this.stallStart = now - (dtMs - usedMs);
    } else if (this.state === 'starting' && now - this.startedAt > this.s.abandonSeconds * 1000) {
      this.abandoned = true;
      this.state = 'ended';
    }
  }

  private consume(media: number): void {
    this.buffer -= media;
    if (this.buffer < 0) this.buffer = 0;
    this.position += media;
    this.played += media;
  }

  /** The player asks for more: below the buffer target and not at the end. */
  wantsData(): boolean {
    return this.state !== 'ended' && this.buffer + EPS < this.s.bufferTargetSeconds && this.buffer + EPS < this.remaining();
  }

  /** A chunk of media seconds arrived at now. */
  add(mediaSeconds: number, now: number): void {
    this.advance(now);
    if (this.state === 'ended') return;
    this.buffer += mediaSeconds;
    this.maybeStart(now);
  }

  private maybeStart(now: number): void {
    if (this.state === 'playing' || this.state === 'ended') return;
    const left = this.remaining();
    if (this.buffer + EPS < this.s.startupSeconds && this.buffer + EPS < left) return;
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

  /** Real seconds until the player asks for data again, or playback ends: how long to sleep (0 when not playing). */
  idleSeconds(): number {
    if (this.state !== 'playing') return 0;
    const left = this.remaining();
    // Everything left is buffered: play it out.
    if (this.buffer + EPS >= left) return left * this.s.timeScale;
    const untilLow = this.buffer - this.s.bufferTargetSeconds;
    return untilLow > 0 ? untilLow * this.s.timeScale : 0;
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
  let chunks = 0;
  let exhausted = false;
  for (;;) {
    const now = clock.now();
    pb.advance(now);
    if (pb.state === 'ended') break;
    if (!exhausted && pb.wantsData()) {
      if (chunks >= s.maxRequests) {
        exhausted = true;
        continue;
      }
      if (pb.state === 'playing' && s.seekProbability > 0 && rng() < s.seekProbability) {
        const to = rng() * pb.duration;
        pb.seek(to, src.seek(to), now);
      }
      const t0 = clock.now();
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
      const fetched = r.downloadedSeconds ?? r.mediaSeconds;
      if (fetched > 0) report.download((t1 - t0) / (fetched * s.timeScale * 1000));
      pb.add(r.mediaSeconds, t1);
      continue;
    }
    if (pb.state === 'playing') {
      // Wait while playback drains the buffer; at least 1 ms: the clock counts whole milliseconds.
      const idle = pb.idleSeconds();
      clock.sleep(idle < 0.001 ? 0.001 : idle);
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
