// Pure pieces of the streaming work: the rendition ladder, the peak bit rate of
// RFC 8216, the live window, the playlist writer and the entry-URL templates.
import { describe, expect, it } from 'vitest';
import { ladderFor } from '../origin/streaming/ladder.js';
import { segmentGrid } from '../origin/streaming/package.js';
import { liveWindow } from '../origin/streaming/live.js';
import { averageBitrate, peakBitrate, rebaseMpd, writeMediaPlaylist } from '../origin/streaming/playlists.js';
import { matchStreamingPath } from '../origin/streaming/paths.js';
import { parseMediaPlaylist, type HlsSegment } from '../common/playlist/hls.js';
import { checkStreamingTemplate, keyStem, streamingUrl, streamingUrls } from '../common/playlist/templates.js';

const seg = (uri: string, duration: number): HlsSegment => ({ uri, duration, title: '', sequence: 0, discontinuity: false, discontinuitySequence: 0, gap: false, map: { uri: 'init.mp4' } });

describe('rendition ladder', () => {
  it('three renditions from the short side, never upscaled, even sizes, portrait kept portrait', () => {
    expect(ladderFor({ width: 1920, height: 1080, fps: 30 }).map((r) => `${r.id} ${r.width}x${r.height}`)).toEqual(['v0 1280x720', 'v1 854x480', 'v2 512x288']);
    expect(ladderFor({ width: 360, height: 640, fps: 25 }).map((r) => `${r.width}x${r.height}`)).toEqual(['360x640', '240x426', '144x256']);
    const small = ladderFor({ width: 320, height: 180, fps: 25 });
    expect(small[0]).toMatchObject({ width: 320, height: 180 });
    for (const r of small) expect([r.width % 2, r.height % 2]).toEqual([0, 0]);
    const big = ladderFor({ width: 1280, height: 720, fps: 30 });
    expect(big[0].bitrate).toBeGreaterThan(big[1].bitrate);
    expect(big[1].bitrate).toBeGreaterThan(big[2].bitrate);
  });
});

describe('segment grid', () => {
  it('whole frames per segment, the muxer told to cut half a frame early', () => {
    expect(segmentGrid(0.5, 25)).toEqual({ frames: 13, seconds: 0.52, cutAfter: 0.5 });
    expect(segmentGrid(2, 30000 / 1001).frames).toBe(60);
    expect(segmentGrid(1, 0)).toEqual({ frames: 25, seconds: 1, cutAfter: 0.98 });
  });
});

describe('peak segment bit rate (RFC 8216 4.3.4.2)', () => {
  it('is the highest rate of any run of segments lasting at most the target duration', () => {
    // Target 4 s: the two 2 s segments of 500 kB and 300 kB together are the peak run (3.2 Mbit/s).
    const segs = [{ bytes: 100_000, duration: 4 }, { bytes: 500_000, duration: 2 }, { bytes: 300_000, duration: 2 }, { bytes: 200_000, duration: 4 }];
    expect(peakBitrate(segs, 4)).toBe(2_000_000);
    expect(averageBitrate(segs)).toBe(Math.ceil((1_100_000 * 8) / 12));
    // A short tail segment counts at its own rate.
    expect(peakBitrate([{ bytes: 1000, duration: 1 }, { bytes: 500, duration: 0.1 }], 1)).toBe(40_000);
  });
});

describe('live window', () => {
  const vod = [seg('a.m4s', 2), seg('b.m4s', 2), seg('c.m4s', 1)];
  const clock = { startedAt: 1_000_000, windowSegments: 3 };

  it('is full from the first request, advances one segment per segment duration, and loops with a discontinuity', () => {
    const at = (s: number) => liveWindow(vod, 2, clock.startedAt + s * 1000, clock);
    const w0 = at(0);
    // Window of 3 target durations (6 s) of segments that have ended.
    expect(w0.segments.map((s) => `${s.sequence}:${s.uri}`)).toEqual(['0:a.m4s', '1:b.m4s', '2:c.m4s']);
    expect(w0.head).toEqual({ targetDuration: 2, mediaSequence: 0, discontinuitySequence: 0, vod: false });
    const w1 = at(2.5);
    expect(w1.segments.map((s) => `${s.sequence}:${s.uri}:${s.discontinuity}`)).toEqual(['1:b.m4s:false', '2:c.m4s:false', '3:a.m4s:true']);
    expect(w1.version).not.toBe(w0.version);
    // Later the loop restart is the first segment: its number is in the header, no tag.
    const w2 = at(5.5);
    expect(w2.head.mediaSequence).toBe(3);
    expect(w2.head.discontinuitySequence).toBe(1);
    const text = writeMediaPlaylist(w2.head, w2.segments);
    expect(text).not.toContain('#EXT-X-ENDLIST');
    const parsed = parseMediaPlaylist(text);
    expect(parsed.segments.map((s) => [s.sequence, s.discontinuitySequence])).toEqual(w2.segments.map((s) => [s.sequence, s.discontinuitySequence]));
    // A segment keeps its date from one version of the playlist to the next.
    expect(Date.parse(w2.segments[0].programDateTime) - Date.parse(w1.segments[2].programDateTime)).toBe(0);
  });

  it('every playlist of a source loops with the same period, so audio and video stay together', () => {
    const audio = [seg('x.m4s', 0.9), seg('y.m4s', 1.0), seg('z.m4s', 0.2)];
    const video = [seg('a.m4s', 1), seg('b.m4s', 1)];
    const t = clock.startedAt + 3600 * 1000;
    const a = liveWindow(audio, 1, t, clock, 2.1).segments.at(-1) as HlsSegment & { programDateTime: string };
    const v = liveWindow(video, 1, t, clock, 2.1).segments.at(-1) as HlsSegment & { programDateTime: string };
    expect(Math.abs(Date.parse(a.programDateTime) - Date.parse(v.programDateTime))).toBeLessThan(1100);
    expect(a.discontinuitySequence).toBe(v.discontinuitySequence);
  });
});

describe('served playlists', () => {
  it('VOD media playlists rewrite URIs into another folder and keep byte ranges', () => {
    const text = writeMediaPlaylist({ targetDuration: 1, mediaSequence: 0, discontinuitySequence: 0, vod: true }, [{ ...seg('s1.m4s', 1), byteRange: { offset: 10, length: 5 } }], (u) => `../cmaf/${u}`);
    expect(text).toContain('#EXT-X-MAP:URI="../cmaf/init.mp4"');
    expect(text).toContain('#EXT-X-BYTERANGE:5@10\n../cmaf/s1.m4s');
    expect(text.trim().endsWith('#EXT-X-ENDLIST')).toBe(true);
  });

  it("the MPD gets a Period BaseURL and the measured bandwidths", () => {
    const out = rebaseMpd('<MPD><Period id="0" start="PT0.0S">\n<AdaptationSet><Representation id="0" bandwidth="100"/><Representation id="1" bandwidth="50"/></AdaptationSet></Period></MPD>', '../cmaf/', { 0: 123 });
    expect(out).toContain('<Period id="0" start="PT0.0S">\n\t\t<BaseURL>../cmaf/</BaseURL>');
    expect(out).toContain('<Representation id="0" bandwidth="123"/>');
    expect(out).toContain('<Representation id="1" bandwidth="50"/>');
  });

  it('streaming paths follow the key of a video', () => {
    expect(matchStreamingPath(['videos', 'a b.mp4', 'hls', 'ts', 'v1', 'index.m3u8'])).toEqual({ sourceSegments: ['videos', 'a b.mp4'], area: 'hls', rest: ['ts', 'v1', 'index.m3u8'] });
    expect(matchStreamingPath(['hls', 'a.mp4', 'dash', 'manifest.mpd'])?.sourceSegments).toEqual(['hls', 'a.mp4']);
    expect(matchStreamingPath(['poster.jpg', 'hls', 'master.m3u8'])).toBeNull();
    expect(matchStreamingPath(['a.mp4', 'hls'])).toBeNull();
  });
});

describe('entry URL templates', () => {
  it('{base} {key} {stem}, keys percent-encoded, the base query kept', () => {
    expect(streamingUrl('{base}/{key}/hls/master.m3u8', 'http://127.0.0.1:8080/', 'videos/city walk.mp4')).toBe('http://127.0.0.1:8080/videos/city%20walk.mp4/hls/master.m3u8');
    expect(streamingUrl('{base}/{stem}/index.m3u8', 'https://cdn.example.com/vod', 'shows/ep.1.mov')).toBe('https://cdn.example.com/vod/shows/ep.1/index.m3u8');
    expect(keyStem('a/b.c/d')).toBe('a/b.c/d');
    expect(checkStreamingTemplate('{base}/{key}/{derivative}.m3u8')).toMatch(/unknown placeholder \{derivative\}/);
    expect(checkStreamingTemplate('{base}/master.m3u8')).toMatch(/needs \{key\} or \{stem\}/);
    expect(checkStreamingTemplate('{base}/{stem}.mpd')).toBeNull();
    expect(streamingUrls('http://cdn/?t=1', 'a b.mp4', { hlsTemplate: '{base}/{key}/hls/master.m3u8', dashTemplate: '{base}/{stem}.mpd' })).toEqual([
      { kind: 'master', name: 'hls master', url: 'http://cdn/a%20b.mp4/hls/master.m3u8?t=1' },
      { kind: 'master', name: 'dash mpd', url: 'http://cdn/a%20b.mpd?t=1' },
    ]);
  });
});
