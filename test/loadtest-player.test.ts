// The player mode as a user runs it (`media-toolkit loadtest --mode player`),
// the real k6 against the real origin serving ffmpeg-made MP4 files, one with
// faststart and one without: uncapped the viewers never stall and
// --max-rebuffer-ratio 0.01 passes; with the origin capped below the media's
// (time-scaled) bitrate they stall and the same gate exits 99, with a failed
// JUnit case and the figures in every report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOrigin, type RunningOrigin } from '../origin/index.js';
import type { LoadtestSummary } from '../common/loadtest-report/summary.js';
import { runCli } from './helpers/cli.js';
import { writeResults } from './loadtest-fixture.js';
import { clipRecords, makeClip } from './player-fixture.js';
import { screenshot } from './helpers/chromium.js';
import { COLORS } from '../common/loadtest-report/html.js';
import { ROOT } from './helpers/cli.js';

const ARTIFACTS = join(ROOT, 'test-artifacts');

let dir: string;
let origin: RunningOrigin;
let resultsFile: string;

// 12 s clips at 400 kbit/s (about 600 KB); at PLAYER_TIME_SCALE 0.05 they play in 0.6 s,
// so the network must carry 8 Mbit/s: loopback does, a 2 Mbit/s cap does not.
const SECONDS = 12;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mt-loadtest-player-'));
  const bucket = join(dir, 'bucket', 'videos');
  await mkdir(bucket, { recursive: true });
  await Promise.all([
    makeClip(join(bucket, 'faststart.mp4'), { seconds: SECONDS, faststart: true }),
    makeClip(join(bucket, 'moov at end.mp4'), { seconds: SECONDS, faststart: false }),
  ]);
  resultsFile = join(dir, 'results.json');
  await writeResults(resultsFile, await clipRecords(join(dir, 'bucket'), ['videos/faststart.mp4', 'videos/moov at end.mp4']));
  origin = await startOrigin({ root: join(dir, 'bucket'), seed: 3 });
});

afterAll(async () => {
  await origin?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function run(name: string, extra: string[] = []) {
  return runCli([
    'loadtest', '--base-url', origin.url, '--results-file', resultsFile, '--url-template', '{base}/{key}', '--mode', 'player',
    '--smoke', '--seed', '5', '--player-time-scale', '0.05', '--player-open-kb', '32', '--session-mean-seconds', '1000', '--seek-probability', '0',
    '--max-rebuffer-ratio', '0.01', '--reports-dir', join(dir, name), ...extra, '--', '--quiet',
  ]);
}

/**
 * The HTML report as a browser shows it: self-contained (no script, no
 * external reference), and in a headless Chromium screenshot (kept in
 * test-artifacts/) the verdict banner has its colour and every chart its bars.
 */
async function checkHtmlReport(path: string, name: string, passed: boolean): Promise<void> {
  const html = await readFile(path, 'utf8');
  expect(html).not.toMatch(/<(script|link|img|iframe)\b/i);
  expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
  expect(html).not.toMatch(/url\(/i);
  expect((html.match(/<svg /g) ?? []).length).toBe(5); // durations, cache hits, startup, rebuffer, statuses
  await mkdir(ARTIFACTS, { recursive: true });
  const shot = await screenshot(path, join(ARTIFACTS, `${name}.png`));
  expect(shot.width).toBe(1280);
  // The banner at the top, in the verdict's colour.
  expect(shot.at(640, 40)).toBe(passed ? COLORS.pass : COLORS.fail);
  // Bars of each chart drawn: percentile bars, cache hits, rebuffer, statuses (206 is 2xx green, as p(90)).
  for (const c of [COLORS.med, COLORS.p90, COLORS.p95, COLORS.p99, COLORS.cacheHit]) expect(shot.count(c), c).toBeGreaterThan(100);
  if (!passed) expect(shot.count(COLORS.rebuffer)).toBeGreaterThan(20);
}

async function summaryOf(name: string): Promise<LoadtestSummary> {
  return JSON.parse(await readFile(join(dir, name, 'loadtest-summary.json'), 'utf8'));
}

describe('loadtest --mode player against the origin', () => {
  it('uncapped: playback starts, never stalls, the rebuffer gate passes; durations come from mvhd', async () => {
    const r = await run('free');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const s = await summaryOf('free');
    expect(s.passed).toBe(true);
    const v = s.video!;
    expect(v.sessions).toBe(3);
    expect(v.durationSources).toEqual({ mvhd: 3 });
    expect(v.stalls).toBe(0);
    expect(v.rebufferRatio.avg).toBe(0);
    expect(v.rebufferRatio.count).toBe(3);
    expect(v.startupMs.count).toBe(3);
    expect(v.abandonedRate).toBe(0);
    expect(v.downloadRatio.med).toBeLessThan(1);
    // Which files were drawn shows in video_moov_at_end: some of each, a rate in [0, 1] over the 3 sessions.
    expect(v.moovAtEndRate).not.toBeNull();
    expect(s.thresholds.find((t) => t.metric === 'video_rebuffer_ratio')).toMatchObject({ expression: 'avg<=0.01', ok: true });
    expect(r.stdout).toMatch(/rebuffering\s+mean ratio 0\.000/);
    // Per derivative, from the samples' derivative tag.
    expect(s.byDerivative).toEqual([expect.objectContaining({ derivative: 'original', rebufferRatio: 0, stalls: 0 })]);
    expect(s.byDerivative[0].startupP95).toBeCloseTo(v.startupMs['p(95)'], 9);
    await checkHtmlReport(join(dir, 'free', 'loadtest-summary.html'), 'player-uncapped', true);
  });

  it('capped at 2 Mbit/s per connection: stalls, a rebuffer ratio above 0, exit 99 with a failed JUnit case', async () => {
    origin.setFaults({ bandwidthBytesPerSecond: 250_000 });
    try {
      const r = await run('capped', ['--player-abandon-seconds', '60']);
      expect(r.code, r.stderr + r.stdout).toBe(99);
      const s = await summaryOf('capped');
      const v = s.video!;
      expect(s.passed).toBe(false);
      expect(v.stalls).toBeGreaterThan(0);
      expect(v.rebufferRatio.avg).toBeGreaterThan(0.01);
      expect(v.downloadRatio.med).toBeGreaterThan(1);
      expect(s.thresholds.find((t) => t.metric === 'video_rebuffer_ratio')).toMatchObject({ expression: 'avg<=0.01', ok: false });
      const xml = await readFile(join(dir, 'capped', 'loadtest-junit.xml'), 'utf8');
      expect(xml).toMatch(/<testcase classname="thresholds" name="video_rebuffer_ratio avg&lt;=0.01">\s*<failure/);
      expect(await readFile(join(dir, 'capped', 'loadtest-summary.md'), 'utf8')).toMatch(/\| stalls \| [1-9]\d* /);
      const html = await readFile(join(dir, 'capped', 'loadtest-summary.html'), 'utf8');
      expect(html).toContain('Rebuffer ratio per derivative');
      expect(r.stdout).toMatch(/FAIL video_rebuffer_ratio avg<=0.01/);
      await checkHtmlReport(join(dir, 'capped', 'loadtest-summary.html'), 'player-capped', false);
    } finally {
      origin.setFaults({});
    }
  });

  it('viewers abandon when startup takes longer than --player-abandon-seconds', async () => {
    origin.setFaults({ bandwidthBytesPerSecond: 16_000 });
    try {
      // The first 32 KiB alone take 2 s at 16 kB/s: every viewer has left after 0.5 s.
      const r = await run('abandon', ['--player-abandon-seconds', '0.5']);
      const s = await summaryOf('abandon');
      expect(s.video!.abandonedRate).toBe(1);
      expect(s.video!.startupMs.count ?? 0).toBe(0);
      expect(s.video!.rebufferRatio.count ?? 0).toBe(0);
      expect(r.stdout).toMatch(/abandoned\s+100\.0%/);
    } finally {
      origin.setFaults({});
    }
  });

  it('--max-startup-p95 gates startup: a cap that makes startup slow crosses it', async () => {
    origin.setFaults({ bandwidthBytesPerSecond: 100_000 });
    try {
      const r = await run('slow-start', ['--max-startup-p95', '50', '--player-abandon-seconds', '60', '--session-mean-seconds', '1']);
      expect(r.code).toBe(99);
      const s = await summaryOf('slow-start');
      expect(s.video!.startupMs['p(95)']).toBeGreaterThan(50);
      expect(s.thresholds.find((t) => t.metric === 'video_startup_time')).toMatchObject({ expression: 'p(95)<50', ok: false });
    } finally {
      origin.setFaults({});
    }
  });
});
