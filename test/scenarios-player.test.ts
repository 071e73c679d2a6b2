// The player mode's pure modules, without k6: the buffer model on a fake
// clock and a fake network of known bandwidth (startup, stalls, rebuffer
// ratio, download ratio, abandonment, seeks), the MP4 box walk and EBML
// duration on files ffmpeg made, and the progressive open and chunking over
// those files' bytes (no byte requested twice).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Playback, playSession, type Clock, type MediaSource, type PlaybackSettings, type SessionOutcome, type SessionReport } from '../scenarios/lib/player/playback.js';
import { movieDuration, walkTopLevel } from '../scenarios/lib/player/mp4-boxes.js';
import { ebmlInfo } from '../scenarios/lib/player/ebml.js';
import { addInterval, heldSecondsFrom, openProgressive, ProgressiveSource, type RangeFetch } from '../scenarios/lib/player/progressive.js';
import { seededRng } from '../scenarios/lib/random.js';
import { makeClip } from './player-fixture.js';

const SETTINGS: PlaybackSettings = { startupSeconds: 2, bufferTargetSeconds: 30, abandonSeconds: 10, timeScale: 1, seekProbability: 0, maxRequests: 1000 };

interface Recorded extends SessionReport {
  startups: number[];
  stalls: number[];
  ratios: number[];
  outcome?: SessionOutcome;
}

function recorder(): Recorded {
  const r: Recorded = {
    startups: [],
    stalls: [],
    ratios: [],
    startup: (ms) => r.startups.push(ms),
    stall: (ms) => r.stalls.push(ms),
    download: (x) => r.ratios.push(x),
    end: (o) => (r.outcome = o),
  };
  return r;
}

/** A fake clock, and a network that delivers media at `mediaPerSecond` media seconds per real second. */
function fakeWorld(mediaPerSecond: number, chunkSeconds: number, duration: number) {
  let now = 1_000_000;
  let sleeps = 0;
  const clock: Clock = {
    now: () => now,
    sleep: (s) => {
      sleeps++;
      now += s * 1000;
    },
  };
  let pos = 0;
  let requests = 0;
  const src: MediaSource = {
    next() {
      if (pos >= duration - 1e-9) return null;
      const n = Math.min(chunkSeconds, duration - pos);
      now += (n / mediaPerSecond) * 1000;
      pos += n;
      requests++;
      return { ok: true, mediaSeconds: n };
    },
    seek(to) {
      pos = to;
      return 0;
    },
  };
  return { clock, src, at: () => now, requests: () => requests, sleeps: () => sleeps };
}

function play(mediaPerSecond: number, opts: Partial<PlaybackSettings> = {}, duration = 60, watch = 60) {
  const s = { ...SETTINGS, ...opts };
  const w = fakeWorld(mediaPerSecond, 4, duration);
  const rep = recorder();
  const pb = new Playback(s, duration, watch, w.at(), rep);
  const out = playSession(pb, w.src, w.clock, seededRng(1), rep);
  return { out, rep, w };
}

describe('buffer model', () => {
  it('a network twice as fast as playback: startup after the first chunk, no stall, download ratio 0.5', () => {
    const { out, rep } = play(2);
    expect(out.started).toBe(true);
    expect(out.startupMs).toBeCloseTo(2000, 6); // 4 s of media at 2x
    expect(rep.startups).toEqual([out.startupMs]);
    expect(out.stalls).toBe(0);
    expect(out.rebufferRatio).toBe(0);
    expect(rep.ratios.every((r) => Math.abs(r - 0.5) < 1e-9)).toBe(true);
    expect(out.playedSeconds).toBeCloseTo(60, 6);
    expect(out.playingMs).toBeCloseTo(60_000, 3);
  });

  it('a network at half the bitrate stalls: every stall ends with 2 s buffered, the ratio is stall over watch time', () => {
    const { out, rep } = play(0.5, { abandonSeconds: 100 });
    expect(out.started).toBe(true);
    expect(out.startupMs).toBeCloseTo(8000, 6); // the first 4 s chunk takes 8 s
    expect(out.stalls).toBeGreaterThan(5);
    expect(rep.stalls).toHaveLength(out.stalls);
    // Each chunk plays 4 s and takes 8 s: after startup, each stall lasts 8 - 4 = 4 s.
    for (const ms of rep.stalls) expect(ms).toBeCloseTo(4000, 3);
    expect(out.stallMs).toBeCloseTo(rep.stalls.reduce((a, b) => a + b, 0), 6);
    expect(out.rebufferRatio).toBeCloseTo(out.stallMs / (out.stallMs + out.playingMs), 9);
    expect(out.rebufferRatio).toBeGreaterThan(0.4);
    expect(rep.ratios.every((r) => Math.abs(r - 2) < 1e-9)).toBe(true);
  });

  it('keeps the buffer at its target: sleeps instead of requesting while it is full', () => {
    const { out, w } = play(100, { bufferTargetSeconds: 8 }, 120, 120);
    expect(out.stalls).toBe(0);
    expect(w.requests()).toBe(30); // 120 s in 4 s chunks, none twice
    // One sleep per chunk at most (plus playing out the end): k6's sleep costs CPU, a spin would show.
    expect(w.sleeps()).toBeLessThanOrEqual(w.requests() + 2);
    // Paced by playback: the session lasts about the content's 120 s, not the 1.2 s of downloading.
    expect(out.playingMs).toBeGreaterThan(119_000);
  });

  it('the viewer abandons when startup takes longer than PLAYER_ABANDON_SECONDS', () => {
    const { out, rep } = play(0.2, { abandonSeconds: 10 });
    expect(out.abandoned).toBe(true);
    expect(out.started).toBe(false);
    expect(out.startupMs).toBeUndefined();
    expect(out.rebufferRatio).toBeUndefined();
    expect(rep.startups).toEqual([]);
  });

  it('ends at the watch time, and the time scale compresses media time', () => {
    const { out, w } = play(1000, { timeScale: 0.01 }, 600, 50);
    expect(out.playedSeconds).toBeCloseTo(50, 6);
    expect(out.playingMs).toBeCloseTo(500, 3); // 50 media seconds at 1/100
    expect(w.requests()).toBeLessThan(25); // 30 s target + what played, not the whole 600 s
  });

  it('seeks flush the buffer and refill without counting a stall; a failed request ends the session', () => {
    const rep = recorder();
    const w = fakeWorld(10, 4, 300);
    const pb = new Playback({ ...SETTINGS, seekProbability: 0.3 }, 300, 300, w.at(), rep);
    const out = playSession(pb, w.src, w.clock, seededRng(4), rep);
    expect(out.seeks).toBeGreaterThan(0);
    expect(out.stalls).toBe(0);

    let calls = 0;
    const w2 = fakeWorld(10, 4, 300);
    const failing: MediaSource = { next: () => (++calls > 3 ? { ok: false, mediaSeconds: 0 } : w2.src.next()), seek: () => 0 };
    const rep2 = recorder();
    const out2 = playSession(new Playback(SETTINGS, 300, 300, w2.at(), rep2), failing, w2.clock, seededRng(1), rep2);
    expect(out2.failed).toBe(true);
    expect(out2.chunks).toBe(4);
  });
});

let dir: string;
let fast: Buffer;
let slow: Buffer;
let webm: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mt-player-'));
  [fast, slow, webm] = await Promise.all([
    makeClip(join(dir, 'fast.mp4'), { seconds: 12, faststart: true }).then((p) => readFile(p)),
    makeClip(join(dir, 'slow.mp4'), { seconds: 12, faststart: false }).then((p) => readFile(p)),
    makeClip(join(dir, 'clip.webm'), { seconds: 3 }).then((p) => readFile(p)),
  ]);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A range fetch over a buffer that logs what was asked. */
function fileFetch(file: Buffer, log: Array<[number, number]>): RangeFetch {
  return (start, end, body) => {
    log.push([start, end]);
    return { ok: true, body: body ? new Uint8Array(file.subarray(start, end + 1)) : null };
  };
}

describe('MP4 and WebM headers from ffmpeg', () => {
  it('finds the moov first in a faststart file and after the mdat in a plain one; mvhd gives the duration', () => {
    const f = walkTopLevel(new Uint8Array(fast.subarray(0, 64 * 1024)), 0, fast.length);
    expect(f.moov).toBeDefined();
    expect(f.mdat).toBeUndefined();
    const d = movieDuration(new Uint8Array(fast.subarray(f.moov!.start, f.moov!.end)));
    expect(d?.from).toBe('mvhd');
    expect(d!.seconds).toBeCloseTo(12, 1);

    const s = walkTopLevel(new Uint8Array(slow.subarray(0, 64 * 1024)), 0, slow.length);
    expect(s.moov).toBeUndefined();
    expect(s.mdat).toBeDefined();
    expect(s.mdat!.end).toBeLessThan(slow.length);
    const moov = walkTopLevel(new Uint8Array(slow.subarray(s.mdat!.end)), s.mdat!.end, slow.length).moov!;
    expect(moov.end).toBe(slow.length);
    expect(movieDuration(new Uint8Array(slow.subarray(moov.start, moov.end)))!.seconds).toBeCloseTo(12, 1);
  });

  it('reads 64-bit box sizes and says when bytes are not an MP4', () => {
    // A 64-bit mdat header (size 1, then the size in 8 bytes), as ffmpeg writes for files above 4 GiB.
    const b = new Uint8Array(64);
    b.set([0, 0, 0, 16, 0x66, 0x74, 0x79, 0x70], 0); // ftyp, 16 bytes
    b.set([0, 0, 0, 1, 0x6d, 0x64, 0x61, 0x74, 0, 0, 0, 1, 0, 0, 0, 0], 16); // mdat, 2^32 bytes
    const top = walkTopLevel(b, 0, 2 ** 33);
    expect(top.mdat).toEqual({ type: 'mdat', start: 16, header: 16, end: 16 + 2 ** 32 });
    expect(walkTopLevel(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5]), 0, 100).notMp4).toBe(true);
  });

  it('reads the WebM duration from the EBML Info element', () => {
    const info = ebmlInfo(new Uint8Array(webm.subarray(0, 64 * 1024)));
    expect(info.durationSeconds).toBeCloseTo(3, 1);
    expect(info.firstCluster).toBeGreaterThan(0);
  });
});

describe('progressive open and chunks', () => {
  const open = (file: Buffer, log: Array<[number, number]>, openBytes = 32 * 1024) =>
    openProgressive(file.length, fileFetch(file, log), { openBytes, assumedBitrate: 1_000_000 });

  it('faststart: one request finds the moov; chunks cover the media once, in order, none twice', () => {
    const log: Array<[number, number]> = [];
    const o = open(fast, log);
    expect(o.layout).toMatchObject({ container: 'mp4', durationSource: 'mvhd', moovAtEnd: false, mediaEnd: fast.length - 1 });
    expect(log).toEqual([[0, 32 * 1024 - 1]]);
    const src = new ProgressiveSource(o.layout!, o.held, 4, fileFetch(fast, log));
    let media = heldSecondsFrom(o.layout!, o.held, 0);
    for (let r = src.next(); r; r = src.next()) media += r.mediaSeconds;
    expect(media).toBeCloseTo(o.layout!.durationSeconds, 6);
    // Every byte of the file asked exactly once.
    const bytes = log.reduce((n, [a, b]) => n + (b - a + 1), 0);
    expect(bytes).toBe(fast.length);
    for (let i = 1; i < log.length; i++) expect(log[i][0]).toBe(log[i - 1][1] + 1);
  });

  it('moov at the end: a second range from the end of the mdat; the moov is not asked again', () => {
    const log: Array<[number, number]> = [];
    const o = open(slow, log);
    expect(o.layout).toMatchObject({ container: 'mp4', durationSource: 'mvhd', moovAtEnd: true });
    expect(log).toHaveLength(2);
    expect(log[1][1]).toBe(slow.length - 1);
    expect(log[1][0]).toBe(o.layout!.mediaEnd + 1);
    const src = new ProgressiveSource(o.layout!, o.held, 4, fileFetch(slow, log));
    while (src.next());
    const bytes = log.reduce((n, [a, b]) => n + (b - a + 1), 0);
    expect(bytes).toBe(slow.length);
  });

  it('a moov larger than the first range is completed with one more range', () => {
    const log: Array<[number, number]> = [];
    const o = open(fast, log, 100);
    expect(o.layout?.durationSource).toBe('mvhd');
    expect(log.length).toBe(2);
    expect(log[1][0]).toBe(100);
  });

  it('after a seek, bytes already held are not asked again and join the buffer', () => {
    const log: Array<[number, number]> = [];
    const o = open(fast, log);
    const src = new ProgressiveSource(o.layout!, o.held, 2, fileFetch(fast, log));
    src.next();
    src.next();
    src.seek(8);
    src.next();
    expect(src.seek(0.1)).toBeGreaterThan(1); // back into what is held
    while (src.next());
    const asked: number[] = [];
    for (const [a, b] of log) addInterval(asked, a, b + 1);
    expect(asked).toEqual([0, fast.length]);
    expect(log.reduce((n, [a, b]) => n + (b - a + 1), 0)).toBe(fast.length);
  });

  it('WebM: the EBML duration; other bytes: the recorded duration, else the assumed bitrate (said so)', () => {
    const w = openProgressive(webm.length, fileFetch(webm, []), { openBytes: 4096, assumedBitrate: 1 });
    expect(w.layout).toMatchObject({ container: 'webm', durationSource: 'ebml' });
    const junk = Buffer.alloc(100_000, 7);
    expect(openProgressive(junk.length, fileFetch(junk, []), { openBytes: 4096, recordedDuration: 20, assumedBitrate: 1 }).layout).toMatchObject({ container: 'other', durationSource: 'record', durationSeconds: 20 });
    expect(openProgressive(junk.length, fileFetch(junk, []), { openBytes: 4096, assumedBitrate: 80_000 }).layout).toMatchObject({ durationSource: 'assumed', durationSeconds: 10 });
    const failed = openProgressive(junk.length, () => ({ ok: false }), { openBytes: 4096, assumedBitrate: 1 });
    expect(failed.ok).toBe(false);
  });
});
