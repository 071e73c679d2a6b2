// Clients nobody here wrote read the origin's streams: ffprobe and ffmpeg over
// HTTP (every rendition decodes, frame for frame), and hls.js from npm playing
// the master playlist in Debian's headless Chromium, VOD and --live.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOrigin, type RunningOrigin } from '../origin/index.js';
import { countFrames, makeClip, tool } from './fixtures/streaming-clip.js';
import { playWithHlsJs } from './fixtures/hlsjs-player.js';

async function probeStreams(url: string): Promise<{ codec_type: string; codec_name: string; width?: number; height?: number }[]> {
  return JSON.parse(await tool('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,width,height', '-of', 'json', url])).streams;
}

/** Decodes one stream with -xerror: any decoding error fails it. */
async function decodes(url: string, stream: string): Promise<boolean> {
  return tool('ffmpeg', ['-hide_banner', '-v', 'error', '-xerror', '-i', url, '-map', `0:${stream}`, '-f', 'null', '-']).then(
    () => true,
    () => false,
  );
}

describe('real clients read the origin streams', () => {
  let root: string;
  let cacheDir: string;
  let origin: RunningOrigin;
  let live: RunningOrigin;
  let base: string;
  const FRAMES = 50; // 2 s at 25 fps

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'streaming-clients-'));
    cacheDir = `${root}-cache`;
    await makeClip(join(root, 'clip.mp4'), { seconds: 2, size: '320x180', rate: 25 });
    origin = await startOrigin({ root, cacheDir, streaming: { segmentSeconds: 1 } });
    live = await startOrigin({ root, cacheDir, streaming: { segmentSeconds: 1, live: true, liveWindow: 4 } });
    base = `${origin.url}/clip.mp4`;
  });
  afterAll(async () => {
    await origin?.close();
    await live?.close();
    for (const d of [root, cacheDir]) await rm(d, { recursive: true, force: true });
  });

  it('ffprobe and ffmpeg read the HLS master playlist: every rendition decodes, every frame is there', async () => {
    const url = `${base}/hls/master.m3u8`;
    const streams = await probeStreams(url);
    expect(streams.filter((s) => s.codec_type === 'video').map((s) => `${s.codec_name} ${s.width}x${s.height}`)).toEqual(['h264 320x180', 'h264 214x120', 'h264 128x72']);
    expect(streams.filter((s) => s.codec_type === 'audio').map((s) => s.codec_name)).toContain('aac');
    for (const v of ['v:0', 'v:1', 'v:2']) {
      expect(await decodes(url, v), v).toBe(true);
      expect(await countFrames(url, v), v).toBe(FRAMES);
    }
    expect(await decodes(url, 'a:0')).toBe(true);
  });

  it('ffprobe and ffmpeg read the DASH MPD (BaseURL into cmaf/), the TS and the byte-range playlists', async () => {
    const mpd = `${base}/dash/manifest.mpd`;
    expect((await probeStreams(mpd)).map((s) => s.codec_name)).toEqual(['h264', 'h264', 'h264', 'aac']);
    for (const v of ['v:0', 'v:1', 'v:2']) expect(await countFrames(mpd, v), v).toBe(FRAMES);
    expect(await decodes(mpd, 'a:0')).toBe(true);
    for (const form of ['ts', 'byterange']) {
      const url = `${base}/hls/${form}/master.m3u8`;
      expect((await probeStreams(url)).filter((s) => s.codec_type === 'video')).toHaveLength(3);
      expect(await countFrames(url, 'v:0'), form).toBe(FRAMES);
      expect(await decodes(url, 'v:2'), form).toBe(true);
    }
  });

  it('hls.js in headless Chromium plays the master playlist to the end', async () => {
    const r = await playWithHlsJs(`${base}/hls/master.m3u8`, 4);
    expect(r.supported).toBe(true);
    expect(r.errors.filter((e) => e.endsWith(':fatal'))).toEqual([]);
    expect(r.levels).toBe(3);
    expect(r.live).toBe(false);
    expect(r.currentTime).toBeGreaterThan(1.5);
    expect(r.decodedFrames).toBeGreaterThan(25);
    expect(r.videoWidth).toBeGreaterThan(0);
  });

  it('hls.js plays the --live playlist, reloading it and crossing the loop discontinuity', async () => {
    // Until the goals below are passed, or 60 s: a loaded machine plays slower, which is no failure.
    const r = await playWithHlsJs(`${live.url}/clip.mp4/hls/master.m3u8`, 60, { played: 2, fragments: 5, playlistLoads: 2 });
    expect(r.errors.filter((e) => e.endsWith(':fatal'))).toEqual([]);
    expect(r.live).toBe(true);
    // The 2 s clip loops: playing more than 2 s of it means a loop restart was crossed;
    // more segments than the VOD has (2 video + 3 audio) means the window moved and was reloaded.
    expect(r.played).toBeGreaterThan(2);
    expect(r.fragments).toBeGreaterThan(5);
    expect(r.playlistLoads).toBeGreaterThan(2);
  });
});
