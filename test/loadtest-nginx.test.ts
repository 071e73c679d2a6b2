// The player mode against a server nobody here wrote: nginx serving real
// ffmpeg-made MP4 files with and without faststart (its own Range support),
// uncapped and with nginx's own limit_rate. nginx's access log shows what the
// player asked for: per session one first range, one range from the end of
// the mdat for the file without faststart, then chunks that cover the rest of
// the file exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, nginxConf } from './helpers/local-servers.js';
import type { LoadtestSummary } from '../common/loadtest-report/summary.js';
import { walkTopLevel } from '../scenarios/lib/player/mp4-boxes.js';
import { BUNDLE, k6, writeResults } from './loadtest-fixture.js';
import { clipRecords, makeClip } from './player-fixture.js';

let dir: string;
let nginx: ChildProcess | undefined;
let base: string;
let resultsFile: string;
const sizes: Record<string, number> = {};
let mdatEnd = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mt-nginx-player-'));
  const www = join(dir, 'www');
  await mkdir(join(www, 'v'), { recursive: true });
  await Promise.all([
    makeClip(join(www, 'v', 'fast.mp4'), { seconds: 12, faststart: true }),
    makeClip(join(www, 'v', 'slow.mp4'), { seconds: 12, faststart: false }),
  ]);
  for (const k of ['fast.mp4', 'slow.mp4']) sizes[k] = (await stat(join(www, 'v', k))).size;
  const slow = await readFile(join(www, 'v', 'slow.mp4'));
  mdatEnd = walkTopLevel(new Uint8Array(slow.subarray(0, 4096)), 0, slow.length).mdat!.end;
  resultsFile = join(dir, 'results.json');
  await writeResults(resultsFile, await clipRecords(www, ['v/fast.mp4', 'v/slow.mp4']));
  const port = await freePort();
  await mkdir(join(dir, 'tmp'), { recursive: true });
  // One process (no master), its own prefix, pid file, temp paths and logs.
  await writeFile(
    join(dir, 'nginx.conf'),
    nginxConf(
      dir,
      `  log_format ranges '$uri "$http_range" $status $body_bytes_sent';
  access_log ${dir}/access.log ranges;
  types { video/mp4 mp4; }
  server {
    listen 127.0.0.1:${port};
    root ${www};
    location /capped/ { alias ${www}/; limit_rate 250k; }
  }`,
    ),
  );
  nginx = spawn('nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
  base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`${base}/v/fast.mp4`, { method: 'HEAD' }).then((r) => r.ok).catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nginx did not start: ${await readFile(join(dir, 'error.log'), 'utf8').catch(() => '')}`);
});

afterAll(async () => {
  nginx?.kill('SIGTERM');
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Logged {
  uri: string;
  start: number;
  end: number;
}

async function accessLog(): Promise<Logged[]> {
  const text = await readFile(join(dir, 'access.log'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.includes('bytes='))
    .map((l) => {
      const m = /^(\S+) "bytes=(\d+)-(\d+)" (\d+)/.exec(l)!;
      return { uri: m[1], start: Number(m[2]), end: Number(m[3]) };
    });
}

function env(name: string, baseUrl: string, extra: Record<string, string | number> = {}) {
  return {
    BASE_URL: baseUrl, RESULTS_FILE: resultsFile, URL_TEMPLATE: '{base}/{key}', MODE: 'player', SMOKE: true, SMOKE_ITERATIONS: 4, SEED: 2,
    PLAYER_TIME_SCALE: 0.05, PLAYER_OPEN_KB: 32, SESSION_MEAN_SECONDS: 1000, SEEK_PROBABILITY: 0, REBUFFER_RATIO_MAX: 0.01,
    SUMMARY_JSON: join(dir, `${name}.json`), SUMMARY_MD: join(dir, `${name}.md`), SUMMARY_HTML: join(dir, `${name}.html`), JUNIT_XML: join(dir, `${name}.xml`),
    ...extra,
  };
}

describe('player mode against nginx and ffmpeg-made MP4 files', () => {
  it('asks for each byte once per session; the file without faststart gets one range from the end for its moov', async () => {
    const r = await k6(['run', BUNDLE], env('nginx', base));
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(await readFile(join(dir, 'nginx.json'), 'utf8')) as LoadtestSummary & { k6: Record<string, { values: Record<string, number> }> };
    expect(s.video).toMatchObject({ sessions: 4, stalls: 0, durationSources: { mvhd: 4 } });
    const log = await accessLog();
    // Sessions, in order (one VU): each starts with the first 32 KiB.
    const sessions: Logged[][] = [];
    for (const e of log) {
      if (e.start === 0) sessions.push([]);
      sessions[sessions.length - 1].push(e);
    }
    expect(sessions).toHaveLength(4);
    let slowSessions = 0;
    for (const ses of sessions) {
      const file = ses[0].uri.split('/').pop()!;
      expect(ses[0]).toMatchObject({ start: 0, end: 32 * 1024 - 1 });
      if (file === 'slow.mp4') {
        slowSessions++;
        // The moov from the end of the mdat to the end of the file, right after the first range.
        expect(ses[1]).toMatchObject({ start: mdatEnd, end: sizes[file] - 1 });
      } else {
        expect(ses.some((e) => e.end === sizes[file] - 1 && e.start > 32 * 1024 && e.end - e.start < 20_000)).toBe(false);
      }
      // The whole file (watched to the end), each byte once.
      const sorted = [...ses].sort((a, b) => a.start - b.start);
      for (let i = 1; i < sorted.length; i++) expect(sorted[i].start, file).toBe(sorted[i - 1].end + 1);
      expect(sorted[sorted.length - 1].end).toBe(sizes[file] - 1);
    }
    // The Rate counts the same sessions nginx saw.
    expect(s.k6.video_moov_at_end.values.passes).toBe(slowSessions);
    expect(s.video!.moovAtEndRate).toBeCloseTo(slowSessions / 4, 9);
  });

  it("with nginx's limit_rate below the media's time-scaled bitrate the viewers stall and the gate exits 99", async () => {
    const r = await k6(['run', BUNDLE], env('nginx-capped', `${base}/capped`, { SMOKE_ITERATIONS: 2, PLAYER_ABANDON_SECONDS: 60 }));
    expect(r.code, r.stderr).toBe(99);
    const s = JSON.parse(await readFile(join(dir, 'nginx-capped.json'), 'utf8')) as LoadtestSummary;
    expect(s.video!.stalls).toBeGreaterThan(0);
    expect(s.video!.rebufferRatio.avg).toBeGreaterThan(0.01);
    expect(s.video!.downloadRatio.med).toBeGreaterThan(1);
  });
});
