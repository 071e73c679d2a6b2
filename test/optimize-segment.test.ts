// --segment-parallel (split at keyframes, parallel encodes, concat) and
// --target-ssim (CRF search on sample encodes) through the CLI on real clips.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { makeClip, probeJson } from './optimize-clips.js';
import { concatLine, concatList, segmentStarts } from '../optimize/segment.js';
import { CpuBudget } from '../optimize/cpu-budget.js';
import { fakeFfmpeg, type FakeFfmpeg } from './helpers/fake-ffmpeg.js';
import { fileSha1, tortureCorpus } from './torture-corpus.js';
import { sampleWindows } from '../optimize/target-quality.js';

let lib: string;
let work: string;
let corpus: { dir: string; sha1: Record<string, string> };
const args = (out: string, manifest: string) => [
  'optimize', '--remote', 'local', '--bucket', lib, '--size-threshold', '0', '--optimize-videos', '--optimized-videos-dir', out,
  '--codec', 'h264', '--quality', 'efficient', '--target-resolution', '360p', '--preset', 'ultrafast', '--manifest', manifest,
  '--hardware-acceleration', 'none', '--no-progress',
];

beforeAll(async () => {
  lib = await mkdtemp(join(tmpdir(), 'mt-seg-'));
  work = await mkdtemp(join(tmpdir(), 'mt-segwork-'));
  corpus = await tortureCorpus();
  // keyframe every second: 4 segments of 1 s
  await makeClip(join(lib, 'long.mp4'), { width: 320, height: 180, seconds: 4, gop: 25 });
});
afterAll(async () => {
  await rm(lib, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

describe('segment-parallel', () => {
  it('splits at keyframes, encodes in parallel, joins, and verifies frame count and duration', async () => {
    const out = join(work, 'seg-out');
    const r = await runCli([...args(out, join(work, 'seg.json')), '--segment-parallel', '--segment-duration', '1', '--workers', '2', '--report', join(work, 'seg-report.json')]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(await readFile(join(work, 'seg-report.json'), 'utf8'));
    const f = report.files[0];
    expect(f.status).toBe('optimized');
    expect(f.segments).toBe(4);
    expect(f.verification.ok).toBe(true);
    expect(f.verification.checks.find((c: { name: string }) => c.name === 'frame count').detail).toBe('100 (source 100)');
    expect(f.ssim).toBeGreaterThan(0.9);
    expect(f.command.split('\n')).toHaveLength(7); // split, 4 segment encodes, audio, join
    expect(f.command).toMatch(/-f segment -segment_time 1 /);
    expect(f.command).toMatch(/-f concat -safe 0 /);
    const p = await probeJson(join(out, 'long.mp4'));
    expect(p.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(Math.abs(Number(p.format.duration) - 4)).toBeLessThan(0.05);
  });

  it('quotes concat list paths', () => {
    expect(concatLine("/tmp/it's/a.mkv")).toBe(`file '/tmp/it'\\''s/a.mkv'`);
  });

  it('joins each segment at the time it starts in the source (the split\'s CSV list), so variable frame rate does not drift', async () => {
    const csv = join(work, 'segments.csv');
    await writeFile(csv, 'src-00000.mkv,0.000000,0.700000\nsrc-00001.mkv,0.700000,1.733333\nsrc-00002.mkv,1.733333,2.500000\n');
    const starts = await segmentStarts(csv, 3);
    expect(starts).toEqual([0, 0.7, 1.733333]);
    expect(concatList(['/w/a.mkv', '/w/b.mkv', '/w/c.mkv'], starts)).toBe(
      "ffconcat version 1.0\nfile '/w/a.mkv'\nduration 0.700000\nfile '/w/b.mkv'\nduration 1.033333\nfile '/w/c.mkv'\n");
    // a list that does not match the segments found: the files' own durations, as before
    expect(await segmentStarts(csv, 4)).toBeUndefined();
    expect(await segmentStarts(join(work, 'missing.csv'), 3)).toBeUndefined();
    expect(concatList(['/w/a.mkv'], undefined)).toBe("ffconcat version 1.0\nfile '/w/a.mkv'\n");
  });
});

describe('target SSIM', () => {
  it('picks the largest CRF whose samples still reach the target', async () => {
    const out = join(work, 'ssim-out');
    const r = await runCli([...args(out, join(work, 'ssim.json')), '--target-ssim', '0.97', '--report', join(work, 'ssim-report.json'), '--limit', '1']);
    expect(r.code, r.stderr).toBe(0);
    const f = JSON.parse(await readFile(join(work, 'ssim-report.json'), 'utf8')).files[0];
    expect(f.status).toBe('optimized');
    const tried = f.crfSearch as { crf: number; ssim: number }[];
    expect(tried.length).toBeGreaterThanOrEqual(3);
    const chosen = tried.find((t) => t.crf === f.crf)!;
    expect(chosen.ssim).toBeGreaterThanOrEqual(0.97);
    for (const t of tried) if (t.crf > f.crf) expect(t.ssim).toBeLessThan(0.97);
    expect(f.ssim).toBeGreaterThanOrEqual(0.965); // the full encode lands where the samples said
    expect(f.command).toContain(`-crf ${f.crf} `);
  });

  it('spreads sample windows over long files and uses the whole of short ones', () => {
    expect(sampleWindows(4)).toEqual([{ start: 0, duration: 4 }]);
    expect(sampleWindows(100)).toEqual([{ start: 24, duration: 2 }, { start: 49, duration: 2 }, { start: 74, duration: 2 }]);
  });
});

describe('segments: the CPU budget, a failing segment, a retry, too few keyframes', () => {
  let fake: FakeFfmpeg;
  beforeAll(async () => {
    fake = await fakeFfmpeg();
  });
  afterAll(async () => {
    await rm(fake.dir, { recursive: true, force: true });
  });
  const segArgs = (bucket: string, name: string, extra: string[] = []) => [
    'optimize', '--remote', 'local', '--bucket', bucket, '--size-threshold', '0', '--optimize-videos', '--optimized-videos-dir', join(work, `${name}-out`),
    '--codec', 'h264', '--quality', 'efficient', '--target-resolution', '360p', '--preset', 'ultrafast', '--manifest', join(work, `${name}.json`),
    '--hardware-acceleration', 'none', '--no-progress', '--segment-parallel', '--segment-duration', '0.5', '--report', join(work, `${name}-report.md`), ...extra,
  ];
  const report = async (name: string) => JSON.parse(await readFile(join(work, `${name}-report.json`), 'utf8')) as { files: { key: string; status: string; reason?: string; note?: string; segments?: number; verification?: { ok: boolean }; ssim?: number }[] };

  it('never runs more encoder threads than cores, however many workers and segments', async () => {
    {
      const lib2 = await mkdtemp(join(work, 'budget-'));
      for (const f of ['moov-at-end.mp4', 'anamorphic.mp4', 'yuv444.mp4']) await cp(join(corpus.dir, f), join(lib2, f));
      const trace = join(work, 'budget-trace.txt');
      await writeFile(trace, '');
      await fake.set({ traceFile: trace });
      const r = await runCli([...segArgs(lib2, 'budget', ['--workers', '3']), '--ffmpeg-path', fake.path]);
      expect(r.code, r.stderr).toBe(0);
      const events = (await readFile(trace, 'utf8')).trim().split('\n').map((l) => l.split(' ')).map(([k, t]) => ({ k, t: Number(t) }));
      let now = 0;
      let most = 0;
      // ends before starts at the same millisecond: a slot handed over is not two encoders at once
      for (const e of events.sort((a, b) => a.t - b.t || (a.k === 'end' ? -1 : 1))) {
        now += e.k === 'start' ? 1 : -1;
        most = Math.max(most, now);
      }
      expect(events.filter((e) => e.k === 'start').length).toBeGreaterThanOrEqual(12); // 3 files x 4 single-threaded segments
      expect(most).toBeLessThanOrEqual(availableParallelism());
      const rep = await report('budget');
      expect(rep.files.map((f) => f.status)).toEqual(['optimized', 'optimized', 'optimized']);
    }
  });

  it('one failing segment stops the others and ends their processes; the file fails, the source is untouched', async () => {
    const lib2 = await mkdtemp(join(work, 'failing-'));
    await cp(join(corpus.dir, 'moov-at-end.mp4'), join(lib2, 'clip.mp4'));
    const pidFile = join(work, 'hanging-pids.txt');
    await writeFile(pidFile, '');
    // segment 0 fails at once; the others would hang two minutes if nobody ended them
    await fake.set({ failSegment: 0, pidFile });
    const r = await runCli([...segArgs(lib2, 'failing', ['--workers', '1']), '--ffmpeg-path', fake.path], { timeoutMs: 90_000 });
    expect(r.code).toBe(1);
    const row = (await report('failing')).files[0];
    expect(row.status).toBe('failed');
    expect(row.reason).toMatch(/simulated encoder crash in segment 00000/);
    const pids = (await readFile(pidFile, 'utf8')).trim().split('\n').filter(Boolean).map(Number);
    for (const pid of pids) expect(() => process.kill(pid, 0), `segment encoder ${pid} still running`).toThrow();
    expect(await fileSha1(join(lib2, 'clip.mp4'))).toBe(corpus.sha1['moov-at-end.mp4']);
  });

  it('a crash after a finished segment: the rerun reuses the split and the finished segments', async () => {
    const lib2 = await mkdtemp(join(work, 'resume-'));
    await cp(join(corpus.dir, 'rotated-90.mp4'), join(lib2, 'clip.mp4'));
    const args2 = segArgs(lib2, 'resume');
    const crashed = await runCli(args2, { env: { MEDIA_TOOLKIT_TEST_CRASH_AT: 'segment-encoded' } });
    expect(crashed.code, crashed.stderr).not.toBe(0);
    const chunks = join(work, 'resume.json.chunks');
    const [folder] = await readdir(chunks);
    expect((await readdir(join(chunks, folder))).filter((f) => /^enc-\d{5}\.mkv$/.test(f)).length).toBeGreaterThanOrEqual(1);
    const again = await runCli(args2);
    expect(again.code, again.stderr).toBe(0);
    const row = (await report('resume')).files[0];
    expect(row.status).toBe('optimized');
    expect(row.note).toMatch(/^[1-4] of 4 segments reused from an earlier attempt$/);
    expect(row.verification?.ok).toBe(true);
    expect(row.ssim).toBeGreaterThan(0.95);
    expect(await readdir(chunks).catch((e: NodeJS.ErrnoException) => e.code)).toBe('ENOENT'); // the chunks go once the file is done
  });

  it('a source with too few keyframes says so and is encoded whole', async () => {
    const lib2 = await mkdtemp(join(work, 'keyframes-'));
    // one keyframe in 2 s (x264's default GOP is 250 frames): half-second segments cannot be cut
    await makeClip(join(lib2, 'one-gop.mp4'), { width: 320, height: 180, seconds: 2 });
    const r = await runCli(segArgs(lib2, 'keyframes'));
    expect(r.code, r.stderr).toBe(0);
    const row = (await report('keyframes')).files[0];
    expect(row).toMatchObject({ status: 'optimized', note: 'not split: the source has too few keyframes to split into 0.5 s segments (1 segment came out); encoded whole' });
    expect(row.segments).toBeUndefined();
  });
});

describe('the CPU budget', () => {
  it('holds each process\'s threads: never more at once than the cores, first come first served', async () => {
    const budget = new CpuBudget(4);
    let now = 0;
    let most = 0;
    const order: string[] = [];
    const job = (name: string, slots: number, ms: number) => budget.run(slots, async () => {
      now += Math.min(4, slots);
      most = Math.max(most, now);
      order.push(name);
      await new Promise((r) => setTimeout(r, ms));
      now -= Math.min(4, slots);
    });
    await Promise.all([job('a', 2, 30), job('b', 2, 30), job('c', 4, 10), job('d', 1, 10), job('e', 9, 10)]);
    expect(most).toBeLessThanOrEqual(4);
    expect(order).toEqual(['a', 'b', 'c', 'd', 'e']); // d waits behind c: a big request is not starved
    expect(budget.available).toBe(4);
  });
});
