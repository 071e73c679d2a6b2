// The HLS parser against the examples of RFC 8216 section 8 and against ffmpeg's
// own playlists (fMP4 with EXT-X-MAP, byte ranges over one file, TS with a discontinuity).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createMediaPlaylistReader,
  mediaSegments,
  parseAttributes,
  parseMasterPlaylist,
  parseMediaPlaylist,
  playlistKind,
  PlaylistError,
} from '../common/playlist/hls.js';
import { resolveUri } from '../common/playlist/uri.js';
import { makeClip, tool } from './fixtures/streaming-clip.js';

const fixture = (name: string) => readFile(new URL(`./fixtures/playlists/${name}`, import.meta.url), 'utf8');

describe('RFC 8216 section 8 examples', () => {
  it('8.1 simple media playlist', async () => {
    const { info, segments } = parseMediaPlaylist(await fixture('rfc8216-8.1-simple.m3u8'));
    expect(info).toMatchObject({ version: 3, targetDuration: 10, mediaSequence: 0, endList: true, segmentCount: 3 });
    expect(segments.map((s) => [s.uri, s.duration, s.sequence])).toEqual([
      ['http://media.example.com/first.ts', 9.009, 0],
      ['http://media.example.com/second.ts', 9.009, 1],
      ['http://media.example.com/third.ts', 3.003, 2],
    ]);
  });

  it('8.2 live media playlist: sequence numbers from EXT-X-MEDIA-SEQUENCE, no ENDLIST', async () => {
    const { info, segments } = parseMediaPlaylist(await fixture('rfc8216-8.2-live-https.m3u8'));
    expect(info).toMatchObject({ targetDuration: 8, mediaSequence: 2680, endList: false });
    expect(segments.map((s) => s.sequence)).toEqual([2680, 2681, 2682]);
    expect(segments[2].uri).toBe('https://priv.example.com/fileSequence2682.ts');
  });

  it('8.3 encrypted segments: each segment carries the key in force', async () => {
    const { segments } = parseMediaPlaylist(await fixture('rfc8216-8.3-encrypted.m3u8'));
    expect(segments.map((s) => [s.sequence, s.duration, s.key?.uri])).toEqual([
      [7794, 2.833, 'https://priv.example.com/key.php?r=52'],
      [7795, 15, 'https://priv.example.com/key.php?r=52'],
      [7796, 13.333, 'https://priv.example.com/key.php?r=52'],
      [7797, 15, 'https://priv.example.com/key.php?r=53'],
    ]);
    expect(segments[0].key?.method).toBe('AES-128');
  });

  it('8.4 master playlist: BANDWIDTH, AVERAGE-BANDWIDTH and CODECS', async () => {
    const text = await fixture('rfc8216-8.4-master.m3u8');
    expect(playlistKind(text)).toBe('master');
    const m = parseMasterPlaylist(text);
    expect(m.variants.map((v) => [v.uri, v.bandwidth, v.averageBandwidth, v.codecs])).toEqual([
      ['http://example.com/low.m3u8', 1280000, 1000000, undefined],
      ['http://example.com/mid.m3u8', 2560000, 2000000, undefined],
      ['http://example.com/hi.m3u8', 7680000, 6000000, undefined],
      ['http://example.com/audio-only.m3u8', 65000, undefined, 'mp4a.40.5'],
    ]);
  });

  it('8.5 I-frame variants are kept apart from the variants players switch between', async () => {
    const m = parseMasterPlaylist(await fixture('rfc8216-8.5-master-iframes.m3u8'));
    expect(m.variants.map((v) => v.uri)).toEqual(['low/audio-video.m3u8', 'mid/audio-video.m3u8', 'hi/audio-video.m3u8', 'audio-only.m3u8']);
    expect(m.iFrameVariants.map((v) => [v.uri, v.bandwidth])).toEqual([['low/iframe.m3u8', 86000], ['mid/iframe.m3u8', 150000], ['hi/iframe.m3u8', 550000]]);
    // Relative to the master playlist's URL.
    expect(resolveUri('https://cdn.example.com/show/master.m3u8', m.variants[1].uri)).toBe('https://cdn.example.com/show/mid/audio-video.m3u8');
  });

  it('8.6 alternative audio: EXT-X-MEDIA renditions and the AUDIO group of each variant', async () => {
    const m = parseMasterPlaylist(await fixture('rfc8216-8.6-master-alt-audio.m3u8'));
    expect(m.media.map((r) => [r.type, r.groupId, r.name, r.language, r.default, r.autoselect, r.uri])).toEqual([
      ['AUDIO', 'aac', 'English', 'en', true, true, 'main/english-audio.m3u8'],
      ['AUDIO', 'aac', 'Deutsch', 'de', false, true, 'main/german-audio.m3u8'],
      ['AUDIO', 'aac', 'Commentary', 'en', false, false, 'commentary/audio-only.m3u8'],
    ]);
    expect(m.variants.every((v) => v.audio === 'aac')).toBe(true);
  });

  it('8.7 alternative video: groups per variant', async () => {
    const m = parseMasterPlaylist(await fixture('rfc8216-8.7-master-alt-video.m3u8'));
    expect(m.variants.map((v) => v.video)).toEqual(['low', 'mid', 'hi', undefined]);
    expect(m.media.filter((r) => r.groupId === 'mid').map((r) => r.name)).toEqual(['Main', 'Centerfield', 'Dugout']);
  });
});

describe('HLS rules the examples do not show', () => {
  it('attribute lists: quoted strings keep commas, resolutions and hex stay text', () => {
    expect(parseAttributes('BANDWIDTH=1,CODECS="avc1.4d401f,mp4a.40.2",RESOLUTION=640x360,IV=0x1A2B,NAME="a=b"')).toEqual({
      BANDWIDTH: '1', CODECS: 'avc1.4d401f,mp4a.40.2', RESOLUTION: '640x360', IV: '0x1A2B', NAME: 'a=b',
    });
  });

  it('EXT-X-BYTERANGE without @offset continues after the previous sub-range of the same resource', () => {
    const { segments } = parseMediaPlaylist('#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-VERSION:4\n#EXTINF:4,\n#EXT-X-BYTERANGE:1000@500\nall.ts\n#EXTINF:4,\n#EXT-X-BYTERANGE:2000\nall.ts\n#EXTINF:4,\n#EXT-X-BYTERANGE:300\nall.ts\n#EXT-X-ENDLIST\n');
    expect(segments.map((s) => s.byteRange)).toEqual([{ offset: 500, length: 1000 }, { offset: 1500, length: 2000 }, { offset: 3500, length: 300 }]);
  });

  it('EXT-X-MAP applies to every later segment until the next one; a discontinuity raises the sequence', () => {
    const text = [
      '#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:2', '#EXT-X-MEDIA-SEQUENCE:10', '#EXT-X-DISCONTINUITY-SEQUENCE:3',
      '#EXT-X-MAP:URI="init-a.mp4"', '#EXTINF:2,', 'a1.m4s', '#EXTINF:2,', 'a2.m4s',
      '#EXT-X-DISCONTINUITY', '#EXT-X-MAP:URI="init-b.mp4",BYTERANGE="700@0"', '#EXT-X-PROGRAM-DATE-TIME:2024-01-01T00:00:00Z', '#EXTINF:1.5,', 'b1.m4s',
      '#EXT-X-GAP', '#EXTINF:2,', 'b2.m4s', '# a comment', '#EXT-X-ENDLIST',
    ].join('\r\n');
    const { info, segments } = parseMediaPlaylist(text);
    expect(info).toMatchObject({ mediaSequence: 10, discontinuitySequence: 3, endList: true, targetDuration: 2 });
    expect(segments.map((s) => [s.uri, s.sequence, s.discontinuity, s.discontinuitySequence, s.map?.uri, s.gap])).toEqual([
      ['a1.m4s', 10, false, 3, 'init-a.mp4', false],
      ['a2.m4s', 11, false, 3, 'init-a.mp4', false],
      ['b1.m4s', 12, true, 4, 'init-b.mp4', false],
      ['b2.m4s', 13, false, 4, 'init-b.mp4', true],
    ]);
    expect(segments[2].map?.byteRange).toEqual({ offset: 0, length: 700 });
    expect(segments[2].programDateTime).toBe('2024-01-01T00:00:00Z');
    expect(segments[3].programDateTime).toBeUndefined();
  });

  it('the first segment keeps EXT-X-DISCONTINUITY-SEQUENCE even after a discontinuity tag (RFC 8216 6.2.1)', () => {
    const { segments } = parseMediaPlaylist('#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-DISCONTINUITY-SEQUENCE:5\n#EXT-X-DISCONTINUITY\n#EXTINF:1,\na.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:1,\nb.ts\n');
    expect(segments.map((s) => s.discontinuitySequence)).toEqual([5, 6]);
  });

  it('reads a playlist in chunks as it arrives: any split gives the same segments, handed out as they complete', async () => {
    const text = await fixture('rfc8216-8.3-encrypted.m3u8');
    const whole = parseMediaPlaylist(text).segments;
    for (const size of [1, 7, 64]) {
      const reader = createMediaPlaylistReader();
      const got = [];
      for (let i = 0; i < text.length; i += size) got.push(...reader.push(text.slice(i, i + size)));
      got.push(...reader.end());
      expect(got).toEqual(whole);
    }
    // A segment is handed out as soon as its URI line ends.
    const reader = createMediaPlaylistReader();
    expect(reader.push('#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\nfirst.ts')).toEqual([]);
    expect(reader.push('\n#EXTINF:4,\n').map((s) => s.uri)).toEqual(['first.ts']);
  });

  it('a long playlist is walked without building an array of it', () => {
    const lines = ['#EXTM3U', '#EXT-X-TARGETDURATION:2'];
    for (let i = 0; i < 50_000; i++) lines.push('#EXTINF:2,', `seg-${i}.ts`);
    lines.push('#EXT-X-ENDLIST');
    let n = 0;
    let last = '';
    for (const s of mediaSegments(lines.join('\n'))) {
      n++;
      last = s.uri;
    }
    expect([n, last]).toEqual([50_000, 'seg-49999.ts']);
  });

  it('rejects what is not a playlist with one clear line (an HTML error page, an empty body)', () => {
    expect(() => parseMediaPlaylist('<html><body>403 Forbidden</body></html>')).toThrow(PlaylistError);
    expect(() => parseMediaPlaylist('<html>')).toThrow(/not an HLS playlist \(the first line is not #EXTM3U: "<html>"\)/);
    expect(() => parseMediaPlaylist('')).toThrow(PlaylistError);
    expect(() => parseMasterPlaylist('{"json": true}')).toThrow(/not an HLS playlist/);
    expect(() => parseMediaPlaylist('#EXTM3U\n#EXT-X-BYTERANGE:abc\nx.ts')).toThrow(/line 2: bad EXT-X-BYTERANGE/);
  });
});

describe("ffmpeg's own HLS output", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'playlist-hls-ffmpeg-'));
    await makeClip(join(dir, 'src.mp4'), { seconds: 2, size: '160x90', rate: 10 });
    const src = join(dir, 'src.mp4');
    const enc = ['-c:v', 'libx264', '-preset', 'ultrafast', '-force_key_frames', 'expr:gte(t,n_forced*0.5)', '-c:a', 'aac'];
    await tool('ffmpeg', ['-v', 'error', '-i', src, ...enc, '-f', 'hls', '-hls_time', '0.5', '-hls_playlist_type', 'vod', '-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', 'init.mp4', '-hls_segment_filename', join(dir, 'f-%03d.m4s'), join(dir, 'fmp4.m3u8')]);
    await tool('ffmpeg', ['-v', 'error', '-i', src, ...enc, '-f', 'hls', '-hls_time', '0.5', '-hls_playlist_type', 'vod', '-hls_segment_type', 'fmp4', '-hls_flags', 'single_file', '-hls_segment_filename', join(dir, 'single.mp4'), join(dir, 'single.m3u8')]);
    await tool('ffmpeg', ['-v', 'error', '-i', src, ...enc, '-f', 'hls', '-hls_time', '0.5', '-hls_flags', 'discont_start', '-hls_list_size', '0', '-hls_segment_filename', join(dir, 't-%03d.ts'), join(dir, 'ts.m3u8')]);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('fMP4: EXT-X-MAP on every segment, one segment per file ffmpeg wrote, durations adding up to the clip', async () => {
    const { info, segments } = parseMediaPlaylist(await readFile(join(dir, 'fmp4.m3u8'), 'utf8'));
    const files = (await readdir(dir)).filter((f) => /^f-\d+\.m4s$/.test(f)).sort();
    expect(segments.map((s) => s.uri)).toEqual(files);
    expect(segments.every((s) => s.map?.uri === 'init.mp4')).toBe(true);
    expect(info).toMatchObject({ endList: true, playlistType: 'VOD' });
    expect(segments.reduce((a, s) => a + s.duration, 0)).toBeCloseTo(2, 1);
  });

  it('single_file: the init range and the segment ranges tile the one file exactly', async () => {
    const { segments } = parseMediaPlaylist(await readFile(join(dir, 'single.m3u8'), 'utf8'));
    expect(segments.length).toBeGreaterThanOrEqual(3);
    let next = segments[0].map?.byteRange?.length as number;
    expect(segments[0].map).toEqual({ uri: 'single.mp4', byteRange: { offset: 0, length: next } });
    for (const s of segments) {
      expect(s.uri).toBe('single.mp4');
      expect(s.byteRange?.offset).toBe(next);
      next += s.byteRange?.length as number;
    }
    expect(next).toBe((await stat(join(dir, 'single.mp4'))).size);
  });

  it('TS with discont_start: no map, a discontinuity on the first segment, the sequence from ffmpeg', async () => {
    const { info, segments } = parseMediaPlaylist(await readFile(join(dir, 'ts.m3u8'), 'utf8'));
    expect(segments[0].discontinuity).toBe(true);
    expect(segments.every((s) => s.map === undefined && s.uri.endsWith('.ts'))).toBe(true);
    expect(segments.map((s) => s.sequence)).toEqual(segments.map((_, i) => info.mediaSequence + i));
    expect(segments.map((s) => s.uri)).toEqual((await readdir(dir)).filter((f) => /^t-\d+\.ts$/.test(f)).sort());
  });
});
