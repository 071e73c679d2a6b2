// k6 MODE=hls and MODE=dash with the real k6: sessions against the origin
// capped with --bandwidth (the ABR rule switches down and stalls less than a
// fixed top rendition), DASH over the same segments, a live playlist reloaded
// no faster than RFC 8216 6.3.4 allows (read from the origin's request log),
// and nginx serving a folder ffmpeg made as a static origin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, nginxConf } from './helpers/local-servers.js';
import { startOrigin, type RequestLogEntry, type RunningOrigin } from '../origin/index.js';
import type { LoadtestSummary } from '../common/loadtest-report/summary.js';
import type { ResultsRecord } from '../common/results-record.js';
import { BUNDLE, k6, writeResults } from './loadtest-fixture.js';
import { makeClip, tool } from './fixtures/streaming-clip.js';

const record = (key: string, derivative: string): ResultsRecord => ({
  key, derivative, kind: 'master', url: 'http://prewarm.invalid/', status: 200, ok: true, attempts: 1, ttfbMs: 1, totalMs: 1, bytesReceived: 100,
  contentLength: 100, contentType: 'application/vnd.apple.mpegurl', cacheStatus: 'miss', errorClass: null, errorMessage: null, sourceSize: 1000,
  sizeCategory: 'small', startedAt: new Date().toISOString(),
});

let dir: string;

async function session(env: Record<string, string | number>, name: string): Promise<{ code: number; out: string; summary: LoadtestSummary & { k6: Record<string, { values: Record<string, number> }> } }> {
  const reports = join(dir, 'reports', name);
  await mkdir(reports, { recursive: true });
  const res = await k6(['run', '--quiet', BUNDLE], {
    SEQUENTIAL: 'true', ITERATIONS: 1, SESSION_MEAN_SECONDS: 100000, SEEK_PROBABILITY: 0, REQUEST_TIMEOUT: '20s',
    SUMMARY_JSON: join(reports, 's.json'), SUMMARY_MD: join(reports, 's.md'), SUMMARY_HTML: join(reports, 's.html'), JUNIT_XML: join(reports, 'j.xml'),
    ...env,
  }, { timeoutMs: 100_000 });
  return { code: res.code, out: res.stdout + res.stderr, summary: JSON.parse(await readFile(join(reports, 's.json'), 'utf8')) };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'streaming-k6-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('MODE=hls and MODE=dash against a bandwidth-capped origin', () => {
  let origin: RunningOrigin;
  let results: string;

  beforeAll(async () => {
    const root = join(dir, 'root');
    // 6 s at 640x360: renditions of about 590, 300 and 160 kbit/s (audio included).
    await makeClip(join(root, 'abr', 'clip.mp4'), { seconds: 6, size: '640x360' });
    origin = await startOrigin({ root, cacheDir: join(dir, 'cache'), streaming: { segmentSeconds: 1 } });
    results = join(dir, 'results.json');
    await writeResults(results, [record('abr/clip.mp4', 'hls master'), record('abr/clip.mp4', 'dash mpd')]);
    // Package and warm it before capping, so the cap is what the sessions measure.
    expect((await fetch(`${origin.url}/abr/clip.mp4/hls/master.m3u8`)).status).toBe(200);
    // 350 kbit/s per connection: below the top rendition, above the middle one.
    origin.setFaults({ bandwidthBytesPerSecond: 350_000 / 8 });
  });
  afterAll(async () => {
    await origin?.close();
  });

  it('HLS: the ABR rule switches down and stalls less than the top rendition fixed', async () => {
    const abr = await session({ BASE_URL: origin.url, RESULTS_FILE: results, MODE: 'hls' }, 'abr');
    expect(abr.code, abr.out).toBe(0);
    // The player mode's thresholds apply: the fixed top rendition's rebuffering crosses the gate, k6 exits 99.
    const fixed = await session({ BASE_URL: origin.url, RESULTS_FILE: results, MODE: 'hls', ABR_FIXED: 'highest', REBUFFER_RATIO_MAX: 0.01 }, 'fixed');
    expect(fixed.code, fixed.out).toBe(99);
    expect(fixed.summary.thresholds.find((t) => t.metric === 'video_rebuffer_ratio')?.ok).toBe(false);
    const a = abr.summary.video!;
    const f = fixed.summary.video!;
    expect(a.sessions).toBe(1);
    // ABR started high (no estimate yet), measured the cap and went down.
    expect(a.bitrateSwitches?.down).toBeGreaterThanOrEqual(1);
    expect(a.selectedBitrate?.min).toBeLessThan(400_000);
    expect(abr.summary.k6['video_bitrate_switches{direction:down}'].values.count).toBe(a.bitrateSwitches?.down);
    // The top rendition alone cannot keep up with the cap: it stalls; the adapted session stalls less.
    expect(f.bitrateSwitches?.total).toBe(0);
    expect(f.stalls).toBeGreaterThan(0);
    expect(a.rebufferRatio.avg).toBeLessThan(f.rebufferRatio.avg);
    expect(a.stallTimeMs.max ?? 0).toBeLessThan(f.stallTimeMs.max ?? Infinity);
    expect(abr.out).toMatch(/bitrate +selected avg \d+ kbit\/s .*switches \d+ \(down [1-9]/);
    // Every request passed its check; segments were fetched at a pace, not all at once.
    expect(abr.summary.checks.fails).toBe(0);
    expect(abr.summary.failedRate).toBe(0);
  });

  it('DASH: the same sessions over the MPD, segments from the CMAF folder', async () => {
    origin.setFaults({});
    const r = await session({ BASE_URL: origin.url, RESULTS_FILE: results, MODE: 'dash', REBUFFER_RATIO_MAX: 0.2 }, 'dash');
    expect(r.code, r.out).toBe(0);
    expect(r.summary.video?.sessions).toBe(1);
    expect(r.summary.video?.durationSources).toEqual({ mpd: 1 });
    expect(r.summary.checks.fails).toBe(0);
    // The MPD, an init and 6 segments of the video, an init and the audio's segments.
    expect(r.summary.requests).toBeGreaterThanOrEqual(1 + 1 + 6 + 1 + 6);
    expect(r.summary.byDerivative.map((d) => d.derivative)).toEqual(['dash']);
  });
});

describe('MODE=hls on a --live origin', () => {
  it('reloads the live playlist no sooner than RFC 8216 6.3.4 allows (half the target duration), and plays at the live edge', async () => {
    const root = join(dir, 'live');
    await makeClip(join(root, 'live.mp4'), { seconds: 3, size: '320x180' });
    const log: RequestLogEntry[] = [];
    const origin = await startOrigin({ root, cacheDir: join(dir, 'live-cache'), streaming: { segmentSeconds: 1, live: true, liveWindow: 6 }, onRequest: (e) => log.push(e) });
    try {
      expect((await fetch(`${origin.url}/live.mp4/hls/master.m3u8`)).status).toBe(200);
      const results = join(dir, 'live-results.json');
      await writeResults(results, [record('live.mp4', 'hls master')]);
      log.length = 0;
      // Eight segments: three at once from the window, then one as each appears at the live edge.
      const r = await session({ BASE_URL: origin.url, RESULTS_FILE: results, MODE: 'hls', SESSION_MAX_REQUESTS: 8 }, 'live');
      expect(r.code, r.out).toBe(0);
      expect(r.summary.video?.durationSources).toEqual({ live: 1 });
      expect(r.summary.video?.startupMs.count).toBe(1);
      const playlists = log.filter((e) => /\/hls\/media_\d\.m3u8$/.test(e.url));
      const byUrl = new Map<string, number[]>();
      for (const e of playlists) byUrl.set(e.url, [...(byUrl.get(e.url) ?? []), e.time]);
      let reloads = 0;
      for (const [url, times] of byUrl) {
        for (let i = 1; i < times.length; i++) {
          reloads++;
          // Target duration 1 s: never sooner than 0.5 s after the previous load.
          expect(times[i] - times[i - 1], `${url} reloaded after ${times[i] - times[i - 1]} ms`).toBeGreaterThanOrEqual(495);
        }
      }
      // The playlist was followed: several reloads, the edge came within a target duration or so each time.
      expect(reloads).toBeGreaterThanOrEqual(4);
      const gaps = [...byUrl.values()].flatMap((t) => t.slice(1).map((x, i) => x - t[i]));
      expect(Math.min(...gaps)).toBeLessThan(1300);
      expect(log.filter((e) => /\.m4s$/.test(e.url)).every((e) => e.status === 200)).toBe(true);
    } finally {
      await origin.close();
    }
  });
});

describe('MODE=hls against nginx serving an ffmpeg-made HLS folder', () => {
  let nginx: ChildProcess | undefined;
  afterAll(() => {
    nginx?.kill('SIGTERM');
  });

  it('plays the master playlist ffmpeg wrote (its own CODECS, BANDWIDTH, EXT-X-MAP) from a static server', async () => {
    const www = join(dir, 'www');
    const out = join(www, 'shows', 'pilot');
    await mkdir(out, { recursive: true });
    const src = join(dir, 'pilot.mp4');
    await makeClip(src, { seconds: 4, size: '320x180' });
    // ffmpeg's HLS muxer: two renditions, fMP4 segments, its own master playlist.
    await tool('ffmpeg', [
      '-v', 'error', '-i', src, '-map', '0:v', '-map', '0:a', '-map', '0:v', '-map', '0:a',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-force_key_frames', 'expr:gte(t,n_forced*1)', '-b:v:0', '300k', '-s:v:0', '320x180', '-b:v:1', '100k', '-s:v:1', '160x90',
      '-c:a', 'aac', '-b:a', '48k', '-f', 'hls', '-hls_time', '1', '-hls_playlist_type', 'vod', '-hls_segment_type', 'fmp4',
      '-master_pl_name', 'master.m3u8', '-var_stream_map', 'v:0,a:0 v:1,a:1', '-hls_segment_filename', join(out, 'v%v', 'seg%d.m4s'), join(out, 'v%v', 'index.m3u8'),
    ]);
    const port = await freePort();
    await mkdir(join(dir, 'nginx-tmp'), { recursive: true });
    await writeFile(
      join(dir, 'nginx.conf'),
      nginxConf(
        dir,
        `  log_format req '$uri $status $body_bytes_sent';
  access_log ${dir}/nginx-access.log req;
  types { application/vnd.apple.mpegurl m3u8; video/iso.segment m4s; video/mp4 mp4; }
  server { listen 127.0.0.1:${port}; root ${www}; }`,
        { workerConnections: 64, errorLog: `${dir}/nginx-error.log`, tempDir: `${dir}/nginx-tmp` },
      ),
    );
    nginx = spawn('nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100 && !(await fetch(`${base}/shows/pilot/master.m3u8`).then((r) => r.ok).catch(() => false)); i++) await new Promise((r) => setTimeout(r, 50));
    // What the readiness check asked is not the session's (nginx logs it just after answering: wait for the line).
    const logged = async () => (await readFile(join(dir, 'nginx-access.log'), 'utf8').catch(() => '')).trim().split('\n').filter(Boolean).length;
    for (let i = 0; i < 100 && (await logged()) === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const before = await logged();
    const results = join(dir, 'nginx-results.json');
    // The bucket holds shows/pilot.mp4; its HLS folder is shows/pilot/: {stem}.
    await writeResults(results, [{ ...record('shows/pilot.mp4', 'desktop'), kind: 'derivative', contentType: 'video/mp4' }]);
    const r = await session({ BASE_URL: base, RESULTS_FILE: results, MODE: 'hls', HLS_TEMPLATE: '{base}/{stem}/master.m3u8' }, 'nginx');
    expect(r.code, r.out).toBe(0);
    expect(r.summary.video?.sessions).toBe(1);
    expect(r.summary.checks.fails).toBe(0);
    const access = (await readFile(join(dir, 'nginx-access.log'), 'utf8')).trim().split('\n').slice(before);
    // ffmpeg's master, one media playlist, its init section and the four segments of the rendition played.
    expect(access.filter((l) => l.startsWith('/shows/pilot/master.m3u8 200'))).toHaveLength(1);
    expect(access.filter((l) => /\/seg\d+\.m4s 200/.test(l)).length).toBeGreaterThanOrEqual(4);
    expect(access.every((l) => / 200 /.test(l))).toBe(true);
  });
});
