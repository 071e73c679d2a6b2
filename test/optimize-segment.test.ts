// --segment-parallel (split at keyframes, parallel encodes, concat) and
// --target-ssim (CRF search on sample encodes) through the CLI on real clips.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { makeClip, probeJson } from './optimize-clips.js';
import { concatLine } from '../optimize/segment.js';
import { sampleWindows } from '../optimize/target-quality.js';

let lib: string;
let work: string;
const args = (out: string, manifest: string) => [
  'optimize', '--remote', 'local', '--bucket', lib, '--size-threshold', '0', '--optimize-videos', '--optimized-videos-dir', out,
  '--codec', 'h264', '--quality', 'efficient', '--target-resolution', '360p', '--preset', 'ultrafast', '--manifest', manifest,
  '--hardware-acceleration', 'none', '--no-progress',
];

beforeAll(async () => {
  lib = await mkdtemp(join(tmpdir(), 'mt-seg-'));
  work = await mkdtemp(join(tmpdir(), 'mt-segwork-'));
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
    const r = await runCli([...args(out, join(work, 'seg.json')), '--segment-parallel', '--segment-duration', '1', '--workers', '2', '--measure-ssim', '--report', join(work, 'seg-report.json')]);
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
