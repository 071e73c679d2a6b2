// The HLS/DASH session logic without k6: the ABR rule (start, down at once, up
// one step with hysteresis) and the stream source driven by a fake network and
// clock (init segments once per rendition, audio kept with the video, live
// playlists reloaded no sooner than RFC 8216 6.3.4 allows).
import { describe, expect, it } from 'vitest';
import { createAbr, DEFAULT_ABR } from '../scenarios/lib/streaming/abr.js';
import { openStream, StreamSource, type Fetched, type StreamFetcher } from '../scenarios/lib/streaming/stream-source.js';
import { streamKeys } from '../scenarios/lib/streaming/stream-keys.js';
import { Playback, playSession, type SessionReport } from '../scenarios/lib/player/playback.js';

const LADDER = [160_000, 300_000, 590_000];

describe('ABR rule', () => {
  it('starts with the highest rendition 80% of the start estimate affords', () => {
    expect(createAbr(LADDER, { ...DEFAULT_ABR, startKbps: 1000 }).choose(-1, 0)).toBe(2);
    expect(createAbr(LADDER, { ...DEFAULT_ABR, startKbps: 500 }).choose(-1, 0)).toBe(1);
    expect(createAbr(LADDER, { ...DEFAULT_ABR, startKbps: 100 }).choose(-1, 0)).toBe(0);
  });

  it('goes down at once to what fits, up one step only with margin, buffer and after a hold', () => {
    const abr = createAbr(LADDER, DEFAULT_ABR);
    let cur = abr.choose(-1, 0);
    // 350 kbit/s measured twice: the estimate falls below what the top needs.
    abr.sample(350_000 / 8, 1);
    abr.fetched();
    abr.sample(350_000 / 8, 1);
    abr.fetched();
    cur = abr.choose(cur, 0);
    expect(cur).toBe(1);
    // Plenty of throughput again, but the buffer is low: no step up.
    for (let i = 0; i < 6; i++) abr.sample(2_000_000 / 8, 1);
    expect(abr.choose(cur, 0.5)).toBe(1);
    // Not yet: no segment fetched since the switch.
    expect(abr.choose(cur, 10)).toBe(1);
    abr.fetched();
    abr.fetched();
    expect(abr.choose(cur, 10)).toBe(2);
  });

  it('does not flap: an estimate hovering just above a rendition neither climbs nor drops', () => {
    const abr = createAbr(LADDER, DEFAULT_ABR);
    let cur = 1;
    const picks: number[] = [];
    for (let i = 0; i < 20; i++) {
      // Between "fits" (0.8 x 400k = 320k >= 300k) and "fits the next with margin" (590k x 1.2 = 708k).
      abr.sample((i % 2 ? 380_000 : 420_000) / 8, 1);
      abr.fetched();
      cur = abr.choose(cur, 10);
      picks.push(cur);
    }
    expect(new Set(picks)).toEqual(new Set([1]));
  });
});

/** A fake HLS server and network: a 2-rendition ladder with an audio rendition, bytes at `bps`, VOD or live. */
function fakeHls(opts: { bps: number; live?: boolean; now: () => number; segments?: number }) {
  const calls: { url: string; at: number }[] = [];
  const master = ['#EXTM3U', '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="en",DEFAULT=YES,URI="audio.m3u8"',
    '#EXT-X-STREAM-INF:BANDWIDTH=590000,RESOLUTION=640x360,AUDIO="a"', 'hi.m3u8', '#EXT-X-STREAM-INF:BANDWIDTH=160000,RESOLUTION=256x144,AUDIO="a"', 'lo.m3u8'].join('\n');
  const media = (name: string): string => {
    const n = opts.segments ?? 4;
    // Live: one new segment a second, a window of three.
    const last = opts.live ? Math.floor(opts.now() / 1000) + 2 : n - 1;
    const first = opts.live ? Math.max(0, last - 2) : 0;
    const lines = ['#EXTM3U', '#EXT-X-TARGETDURATION:1', `#EXT-X-MEDIA-SEQUENCE:${first}`, `#EXT-X-MAP:URI="${name}-init.mp4"`];
    for (let i = first; i <= last; i++) lines.push('#EXTINF:1,', `${name}-${i}.m4s`);
    if (!opts.live) lines.push('#EXT-X-ENDLIST');
    return lines.join('\n');
  };
  const fetcher: StreamFetcher = {
    manifest(url): Fetched {
      calls.push({ url, at: opts.now() });
      const name = url.split('/').pop() as string;
      const text = name === 'master.m3u8' ? master : media(name.replace('.m3u8', ''));
      return { ok: true, bytes: text.length, seconds: 0.001, text };
    },
    media(url, _range, _what, track): Fetched {
      calls.push({ url, at: opts.now() });
      const bytes = url.endsWith('init.mp4') ? 500 : Math.round((track.bandwidth || 64_000) / 8);
      return { ok: true, bytes, seconds: (bytes * 8) / opts.bps };
    },
  };
  return { fetcher, calls };
}

const silent: SessionReport = { startup() {}, stall() {}, download() {}, end() {} };
const settings = { startupSeconds: 2, bufferTargetSeconds: 30, abandonSeconds: 10, timeScale: 1, seekProbability: 0, maxRequests: 50 };

describe('stream source', () => {
  it('VOD: master, the chosen playlist, each init once, video segments in order with the audio beside them; switches down on a slow network', () => {
    let t = 0;
    const clock = { now: () => t, sleep: (s: number) => void (t += s * 1000) };
    const net = fakeHls({ bps: 250_000, now: clock.now, segments: 4 });
    const stream = openStream('hls', 'http://x/v/master.m3u8', net.fetcher, 0);
    expect(stream.ok).toBe(true);
    expect(stream.tracks.map((x) => x.label)).toEqual(['256x144', '640x360']);
    let pb: Playback | undefined;
    const switches: string[] = [];
    const src = new StreamSource(stream, net.fetcher, clock, { abr: DEFAULT_ABR, buffer: () => pb?.buffer ?? 0 }, { switched: (a, b) => switches.push(`${a.label}->${b.label}`), selected() {} });
    expect(src.prepare()).toBe(true);
    pb = new Playback(settings, src.duration(), 100, 0, silent);
    // Downloads take time on the fake clock.
    const timed = { now: clock.now, sleep: clock.sleep };
    const fetchMedia = net.fetcher.media;
    net.fetcher.media = (...a) => {
      const r = fetchMedia(...a);
      t += r.seconds * 1000;
      return r;
    };
    const out = playSession(pb, src, timed, () => 0.5, silent);
    expect(out.playedSeconds).toBeCloseTo(4, 5);
    const urls = net.calls.map((c) => c.url.split('/').pop());
    expect(urls.slice(0, 2)).toEqual(['master.m3u8', 'hi.m3u8']);
    expect(switches).toEqual(['640x360->256x144']);
    for (const init of ['hi-init.mp4', 'lo-init.mp4', 'audio-init.mp4']) expect(urls.filter((u) => u === init)).toHaveLength(1);
    // Every media second once: 4 video segments (across the two renditions) and 4 audio ones.
    expect(urls.filter((u) => /^(hi|lo)-\d\.m4s$/.test(u as string)).map((u) => (u as string).replace(/^(hi|lo)-(\d)\.m4s$/, '$2'))).toEqual(['0', '1', '2', '3']);
    expect(urls.filter((u) => /^audio-\d\.m4s$/.test(u as string))).toHaveLength(4);
  });

  it('live: starts three segments from the end and reloads the playlist no sooner than half the target duration', () => {
    let t = 0;
    const clock = { now: () => t, sleep: (s: number) => void (t += s * 1000) };
    const net = fakeHls({ bps: 10_000_000, live: true, now: clock.now });
    const stream = openStream('hls', 'http://x/v/master.m3u8', net.fetcher, 0);
    let pb: Playback | undefined;
    const src = new StreamSource(stream, net.fetcher, clock, { abr: DEFAULT_ABR, fixed: 0, buffer: () => pb?.buffer ?? 0 }, { switched() {}, selected() {} });
    src.prepare();
    expect(stream.live).toBe(true);
    pb = new Playback(settings, src.duration(), 8, 0, silent);
    playSession(pb, src, clock, () => 0.5, silent);
    const loads = net.calls.filter((c) => c.url.endsWith('/lo.m3u8')).map((c) => c.at);
    expect(loads.length).toBeGreaterThanOrEqual(5);
    for (let i = 1; i < loads.length; i++) expect(loads[i] - loads[i - 1]).toBeGreaterThanOrEqual(500);
    const segs = net.calls.filter((c) => /\/lo-\d+\.m4s$/.test(c.url)).map((c) => Number(c.url.match(/-(\d+)\.m4s$/)?.[1]));
    // The window held 0..2 at first: start at 0 (three from the end), then every segment once, in order.
    expect(segs.slice(0, 4)).toEqual([0, 1, 2, 3]);
    expect(new Set(segs).size).toBe(segs.length);
  });

  it('MODE=hls plays the keys with an "hls master" record, else every video key', () => {
    const r = (key: string, derivative: string, video = true) => ({ key, derivative, video, sizeCategory: 'small' as const });
    expect(streamKeys([r('a.mp4', 'hls master'), r('a.mp4', 'hls 640x360 #1'), r('b.mp4', 'desktop'), r('c.mp4', 'hls master')], 'hls').map((k) => k.key)).toEqual(['a.mp4', 'c.mp4']);
    expect(streamKeys([r('a.mp4', 'desktop'), r('a.mp4', 'mobile'), r('p.jpg', 'thumbnail', false), r('b.mp4', 'desktop')], 'dash').map((k) => k.key)).toEqual(['a.mp4', 'b.mp4']);
  });
});
