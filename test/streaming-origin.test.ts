// origin: HLS (fMP4/CMAF, TS, byte ranges), DASH and --live renditions made by
// ffmpeg from a source video, checked over HTTP with the project's playlist parser.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOrigin, type RunningOrigin } from '../origin/index.js';
import { parseMasterPlaylist, parseMediaPlaylist, type HlsSegment } from '../common/playlist/hls.js';
import { dashInitSegment, dashSegments, parseMpd } from '../common/playlist/dash.js';
import { resolveUri } from '../common/playlist/uri.js';
import { makeClip } from './fixtures/streaming-clip.js';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { CLI, ROOT } from './helpers/cli.js';

async function text(url: string): Promise<{ res: Response; body: string }> {
  const res = await fetch(url);
  return { res, body: await res.text() };
}

async function bytes(url: string, range?: { offset: number; length: number }): Promise<{ res: Response; body: Buffer }> {
  const res = await fetch(url, range ? { headers: { Range: `bytes=${range.offset}-${range.offset + range.length - 1}` } } : {});
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

const boxType = (b: Buffer) => b.subarray(4, 8).toString('latin1');

describe('origin streaming (VOD)', () => {
  let root: string;
  let cacheDir: string;
  let origin: RunningOrigin;
  let base: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'streaming-origin-'));
    cacheDir = `${root}-cache`;
    await makeClip(join(root, 'videos', 'clip one.mp4'), { seconds: 2, size: '320x180' });
    await makeClip(join(root, 'silent.mp4'), { seconds: 2, size: '240x136', audio: false });
    await mkdir(join(root, 'real.mp4', 'hls'), { recursive: true });
    await writeFile(join(root, 'real.mp4', 'hls', 'master.m3u8'), '#EXTM3U\n# a stored file\n');
    await writeFile(join(root, 'poster.jpg'), 'not really a jpeg');
    origin = await startOrigin({ root, cacheDir, streaming: { segmentSeconds: 1 } });
    base = `${origin.url}/videos/clip%20one.mp4`;
  });
  afterAll(async () => {
    await origin?.close();
    for (const d of [root, cacheDir]) await rm(d, { recursive: true, force: true });
  });

  it('master playlist: three renditions with BANDWIDTH, AVERAGE-BANDWIDTH, RESOLUTION, CODECS and an audio group', async () => {
    const { res, body } = await text(`${base}/hls/master.m3u8`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const m = parseMasterPlaylist(body);
    expect(m.variants.map((v) => `${v.width}x${v.height}`)).toEqual(['320x180', '214x120', '128x72']);
    for (const v of m.variants) {
      expect(v.bandwidth).toBeGreaterThan(0);
      expect(v.averageBandwidth).toBeGreaterThan(0);
      expect(v.averageBandwidth as number).toBeLessThanOrEqual(v.bandwidth);
      expect(v.codecs).toMatch(/^avc1\.[0-9a-f]{6},mp4a\.40\.2$/);
      expect(v.audio).toBe('audio');
    }
    // Higher renditions cost more.
    expect(m.variants[0].bandwidth).toBeGreaterThan(m.variants[1].bandwidth);
    expect(m.variants[1].bandwidth).toBeGreaterThan(m.variants[2].bandwidth);
    expect(m.media).toEqual([expect.objectContaining({ type: 'AUDIO', groupId: 'audio', uri: 'media_3.m3u8', default: true })]);
  });

  it('fMP4 media playlists: EXT-X-MAP, VOD, ENDLIST; BANDWIDTH is at least every segment bit rate', async () => {
    const master = parseMasterPlaylist((await text(`${base}/hls/master.m3u8`)).body);
    const audioUrl = resolveUri(`${base}/hls/master.m3u8`, master.media[0].uri as string);
    const rates = async (url: string) => {
      const { info, segments } = parseMediaPlaylist((await text(url)).body);
      expect(info).toMatchObject({ endList: true, playlistType: 'VOD', targetDuration: 1 });
      const out: number[] = [];
      for (const s of segments) {
        expect(s.map?.uri).toMatch(/^\.\.\/cmaf\/init-stream\d\.m4s$/);
        const { res, body } = await bytes(resolveUri(url, s.uri));
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('video/iso.segment');
        expect(boxType(body)).toMatch(/^(moof|styp)$/);
        out.push((body.length * 8) / s.duration);
      }
      return { segments, out };
    };
    const audio = await rates(audioUrl);
    for (const v of master.variants) {
      const url = resolveUri(`${base}/hls/master.m3u8`, v.uri);
      const video = await rates(url);
      expect(video.segments.length).toBe(2); // 2 s in 1 s segments
      const init = await bytes(resolveUri(url, video.segments[0].map?.uri as string));
      expect(init.res.headers.get('content-type')).toBe('video/mp4');
      expect(boxType(init.body)).toBe('ftyp');
      // Every segment's bit rate (video + the audio group's highest) fits in the announced peak.
      // The short tail segment is the exception RFC 8216's definition allows to exceed, so compare full ones.
      const fullVideo = video.out.filter((_, i) => video.segments[i].duration >= 0.9);
      expect(Math.max(...fullVideo) + Math.max(...audio.out.filter((_, i) => audio.segments[i].duration >= 0.9))).toBeLessThanOrEqual(v.bandwidth);
    }
  });

  it('segments honour Range and carry the cache status: MISS first, HIT with Age after', async () => {
    const url = `${base}/cmaf/chunk-stream1-00001.m4s`;
    const full = await bytes(url);
    expect(full.res.status).toBe(200);
    expect(['MISS', 'HIT']).toContain(full.res.headers.get('cf-cache-status'));
    const part = await bytes(url, { offset: 100, length: 50 });
    expect(part.res.status).toBe(206);
    expect(part.res.headers.get('content-range')).toBe(`bytes 100-149/${full.body.length}`);
    expect(part.res.headers.get('cf-cache-status')).toBe('HIT');
    expect(part.res.headers.get('age')).not.toBeNull();
    expect(part.body.equals(full.body.subarray(100, 150))).toBe(true);
    const fresh = await bytes(`${base}/hls/ts/v2/seg-00001.ts`);
    expect(fresh.res.headers.get('cf-cache-status')).toBe('MISS');
    const head = await fetch(`${base}/hls/master.m3u8`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(100);
    const etag = head.headers.get('etag') as string;
    expect((await fetch(`${base}/hls/master.m3u8`, { headers: { 'If-None-Match': etag } })).status).toBe(304);
  });

  it('a TS rendition: MPEG-TS segments with the sync byte every 188 bytes', async () => {
    const masterUrl = `${base}/hls/ts/master.m3u8`;
    const m = parseMasterPlaylist((await text(masterUrl)).body);
    expect(m.variants.map((v) => v.uri)).toEqual(['v0/index.m3u8', 'v1/index.m3u8', 'v2/index.m3u8']);
    const url = resolveUri(masterUrl, m.variants[1].uri);
    const { info, segments } = parseMediaPlaylist((await text(url)).body);
    expect(info.endList).toBe(true);
    expect(segments.length).toBe(2);
    for (const s of segments) {
      expect(s.map).toBeUndefined();
      const { res, body } = await bytes(resolveUri(url, s.uri));
      expect(res.headers.get('content-type')).toBe('video/mp2t');
      expect(body.length % 188).toBe(0);
      for (let i = 0; i < body.length; i += 188) expect(body[i]).toBe(0x47);
    }
  });

  it('EXT-X-BYTERANGE playlists over one file: the ranges tile the file and each starts a fragment', async () => {
    const masterUrl = `${base}/hls/byterange/master.m3u8`;
    const m = parseMasterPlaylist((await text(masterUrl)).body);
    const url = resolveUri(masterUrl, m.variants[0].uri);
    const { segments } = parseMediaPlaylist((await text(url)).body);
    const file = resolveUri(url, segments[0].uri);
    const whole = await bytes(file);
    const map = segments[0].map as NonNullable<HlsSegment['map']>;
    expect(resolveUri(url, map.uri)).toBe(file);
    expect(map.byteRange?.offset).toBe(0);
    let next = map.byteRange?.length as number;
    const init = await bytes(file, map.byteRange);
    expect(init.res.status).toBe(206);
    expect(boxType(init.body)).toBe('ftyp');
    for (const s of segments) {
      expect(resolveUri(url, s.uri)).toBe(file);
      expect(s.byteRange?.offset).toBe(next);
      next += s.byteRange?.length as number;
      const part = await bytes(file, s.byteRange);
      expect(part.res.status).toBe(206);
      expect(boxType(part.body)).toMatch(/^(moof|styp|sidx)$/);
    }
    expect(next).toBe(whole.body.length);
  });

  it('DASH: a SegmentTemplate MPD over the same CMAF segment URLs the HLS playlists list', async () => {
    const mpdUrl = `${base}/dash/manifest.mpd`;
    const { res, body } = await text(mpdUrl);
    expect(res.headers.get('content-type')).toBe('application/dash+xml');
    const mpd = parseMpd(body, mpdUrl);
    expect(mpd.type).toBe('static');
    expect(mpd.representations.map((r) => r.contentType)).toEqual(['video', 'video', 'video', 'audio']);
    const dashUrls = new Set<string>();
    for (const r of mpd.representations) {
      expect(r.addressing.kind).toBe('template');
      dashUrls.add((dashInitSegment(r) as { url: string }).url);
      for (const s of dashSegments(r, mpd)) dashUrls.add(s.url);
    }
    const master = parseMasterPlaylist((await text(`${base}/hls/master.m3u8`)).body);
    const hlsUrls = new Set<string>();
    for (const uri of [...master.variants.map((v) => v.uri), master.media[0].uri as string]) {
      const url = resolveUri(`${base}/hls/master.m3u8`, uri);
      for (const s of parseMediaPlaylist((await text(url)).body).segments) {
        hlsUrls.add(resolveUri(url, s.uri));
        hlsUrls.add(resolveUri(url, s.map?.uri as string));
      }
    }
    expect([...dashUrls].sort()).toEqual([...hlsUrls].sort());
    for (const u of dashUrls) expect(u.startsWith(`${base}/cmaf/`)).toBe(true);
  });

  it('packages each source once: concurrent first requests share one ffmpeg run; a restart reuses it', async () => {
    const before = origin.stats().packages;
    const urls = ['hls/master.m3u8', 'dash/manifest.mpd', 'hls/media_0.m3u8', 'hls/ts/master.m3u8'].map((p) => `${origin.url}/silent.mp4/${p}`);
    const answers = await Promise.all(urls.map((u) => text(u)));
    expect(answers.map((a) => a.res.status)).toEqual([200, 200, 200, 200]);
    expect(origin.stats().packages).toBe(before + 1);
    // No audio: no audio group, video-only codecs.
    const m = parseMasterPlaylist(answers[0].body);
    expect(m.media).toEqual([]);
    expect(m.variants[0].codecs).toMatch(/^avc1\.[0-9a-f]{6}$/);
    const again = await startOrigin({ root, cacheDir, streaming: { segmentSeconds: 1 } });
    try {
      expect((await text(`${again.url}/silent.mp4/hls/master.m3u8`)).body).toBe(answers[0].body);
      expect(again.stats().packages).toBe(0);
    } finally {
      await again.close();
    }
  });

  it('404 for what is not there; a stored file at a streaming-looking path is served as it is', async () => {
    for (const p of ['/videos/clip%20one.mp4/hls/nope.m3u8', '/missing.mp4/hls/master.m3u8', '/poster.jpg/hls/master.m3u8', '/videos/clip%20one.mp4/cmaf/streaming.json', '/videos/clip%20one.mp4/hls/%2e%2e/streaming.json']) {
      expect((await fetch(`${origin.url}${p}`)).status, p).toBe(404);
    }
    expect((await text(`${origin.url}/real.mp4/hls/master.m3u8`)).body).toContain('a stored file');
  });
});

describe('origin streaming --live', () => {
  let root: string;
  let origin: RunningOrigin;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'streaming-live-'));
    await makeClip(join(root, 'live.mp4'), { seconds: 2, size: '160x90' });
    origin = await startOrigin({ root, streaming: { segmentSeconds: 1, live: true, liveWindow: 3 } });
  });
  afterAll(async () => {
    await origin?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('serves a sliding window that advances in real time, looping with a discontinuity', async () => {
    const url = `${origin.url}/live.mp4/hls/media_0.m3u8`;
    const first = await text(url);
    expect(first.res.headers.get('cache-control')).toBe('public, max-age=1');
    const a = parseMediaPlaylist(first.body);
    expect(a.info.endList).toBe(false);
    expect(a.info.playlistType).toBeUndefined();
    expect(a.segments).toHaveLength(3);
    expect(a.segments.map((s) => s.sequence)).toEqual([0, 1, 2].map((i) => a.info.mediaSequence + i));
    // Two 1 s segments looped in a window of three: the loop restart is always in view.
    expect(a.segments.some((s) => s.discontinuity) || a.info.discontinuitySequence > 0).toBe(true);
    for (const s of a.segments) {
      expect(s.programDateTime).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect((await fetch(resolveUri(url, s.uri))).status).toBe(200);
    }
    // The same version again is a cache hit; a second later the window has moved on.
    const again = await text(url);
    if (parseMediaPlaylist(again.body).info.mediaSequence === a.info.mediaSequence) expect(again.res.headers.get('cf-cache-status')).toBe('HIT');
    await new Promise((r) => setTimeout(r, 1300));
    const later = await text(url);
    const b = parseMediaPlaylist(later.body);
    expect(b.info.mediaSequence).toBeGreaterThan(a.info.mediaSequence);
    expect(later.res.headers.get('cf-cache-status')).toBe('MISS');
    // A segment keeps its number, its URI and its discontinuity sequence from one version to the next.
    const shared = b.segments.filter((s) => a.segments.some((x) => x.sequence === s.sequence));
    for (const s of shared) {
      const old = a.segments.find((x) => x.sequence === s.sequence) as HlsSegment;
      expect([s.uri, s.discontinuitySequence]).toEqual([old.uri, old.discontinuitySequence]);
    }
    // The master playlist stays as it is.
    expect(parseMasterPlaylist((await text(`${origin.url}/live.mp4/hls/master.m3u8`)).body).variants).toHaveLength(3);
  });
});

describe('origin command: streaming flags and the request log', () => {
  it('--segment-duration and --request-log: one JSON line per request, secrets redacted', async () => {
    const root = await mkdtemp(join(tmpdir(), 'streaming-cli-'));
    try {
      await makeClip(join(root, 'c.mp4'), { seconds: 2, size: '160x90' });
      const logFile = join(root, 'requests.jsonl');
      const child = spawn(process.execPath, [CLI, 'origin', '--root', root, '--segment-duration', '0.5', '--request-log', logFile], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = new Promise<number | null>((r) => child.on('close', r));
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d;
          const m = /origin listening on (\S+)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.on('close', () => reject(new Error('origin exited')));
      });
      const media = await (await fetch(`${url}/c.mp4/hls/media_0.m3u8?token=s3cret`)).text();
      // 2 s in 0.5 s segments.
      expect(parseMediaPlaylist(media).segments).toHaveLength(4);
      expect((await fetch(`${url}/c.mp4/cmaf/chunk-stream0-00001.m4s`, { headers: { Range: 'bytes=0-9' } })).status).toBe(206);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const lines = (await readFile(logFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.map((l) => [l.method, l.url, l.range, l.status, l.cacheStatus])).toEqual([
        ['GET', '/c.mp4/hls/media_0.m3u8?token=REDACTED', null, 200, 'MISS'],
        ['GET', '/c.mp4/cmaf/chunk-stream0-00001.m4s', 'bytes=0-9', 206, 'MISS'],
      ]);
      expect(lines[1].bytes).toBe(10);
      expect(typeof lines[0].time).toBe('number');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
