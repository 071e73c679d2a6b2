// Hardware encoders and VMAF, whatever this machine's ffmpeg lists: a fake
// ffmpeg (test/helpers/fake-ffmpeg.ts) lists h264_nvenc and libvmaf and then
// passes, or fails at run time, so the success and the fallback paths both run
// everywhere. The encoder probe's cache is keyed by host and ffmpeg binary.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { fakeFfmpeg, type FakeFfmpeg } from './helpers/fake-ffmpeg.js';
import { chooseEncoder, listedEncoders, usableEncoders } from '../optimize/hwaccel.js';
import { listedFilters } from '../optimize/picture-check.js';
import { fileSha1, tortureCorpus } from './torture-corpus.js';

let corpus: { dir: string; sha1: Record<string, string> };
let work: string;
let fake: FakeFfmpeg;
let n = 0;

interface Row { key: string; status: string; reason?: string; encoder?: string; note?: string; command?: string; ssim?: number; vmaf?: number }

async function run(files: string[], extra: string[], env: Record<string, string> = {}): Promise<{ code: number; stderr: string; rows: Record<string, Row>; dir: string; report: { settings: Record<string, unknown> } }> {
  const base = join(work, `run-${++n}`);
  const lib = join(base, 'lib');
  await mkdir(lib, { recursive: true });
  for (const f of files) await cp(join(corpus.dir, f), join(lib, f));
  const report = join(base, 'report.md');
  const r = await runCli(['optimize', '--bucket', lib, '--size-threshold', '0', '--codec', 'h264', '--quality', 'efficient', '--preset', 'ultrafast', '--target-resolution', '360p',
    '--workers', '1', '--no-progress', '--manifest', join(base, 'manifest.json'), '--report', report, '--ffmpeg-path', fake.path, ...extra],
  { env: { XDG_CACHE_HOME: join(base, 'cache'), ...env } });
  // a run that could not start (usage error, no working encoder) writes no report
  const json = await readFile(join(base, 'report.json'), 'utf8').then((t) => JSON.parse(t), () => ({ files: [], settings: {} }));
  return { code: r.code, stderr: r.stderr, rows: Object.fromEntries((json.files as Row[]).map((f) => [f.key, f])), dir: base, report: json };
}

beforeAll(async () => {
  corpus = await tortureCorpus();
  work = await mkdtemp(join(tmpdir(), 'mt-hw-'));
  fake = await fakeFfmpeg();
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
  await rm(fake.dir, { recursive: true, force: true });
});

describe('hardware encoders, with a fake ffmpeg that lists h264_nvenc', () => {
  it('a working hardware encoder is chosen, and its output goes through the same verification and picture check', async () => {
    await fake.set({ hardware: 'passes' });
    const r = await run(['rotated-90.mp4'], ['--optimize-videos', '--optimized-videos-dir', join(work, 'hw-out')]);
    expect(r.code, r.stderr).toBe(0);
    const row = r.rows['rotated-90.mp4'];
    expect(row).toMatchObject({ status: 'optimized', encoder: 'h264_nvenc' });
    expect(row.command).toMatch(/ -c:0 h264_nvenc -preset p\d -rc vbr -cq 26 -b:0 0 /);
    expect(row.ssim).toBeGreaterThan(0.95); // upright: the filters turn the picture before any encoder sees it
    expect(r.report.settings.encoder).toBe('h264_nvenc');
  });

  it('a hardware encode that fails at run time is done again in software, and the report says so', async () => {
    await fake.set({ hardware: 'fails-at-run' });
    const r = await run(['moov-at-end.mp4', 'anamorphic.mp4'], ['--optimize-videos', '--optimized-videos-dir', join(work, 'fallback-out')]);
    expect(r.code, r.stderr).toBe(0);
    for (const key of ['moov-at-end.mp4', 'anamorphic.mp4']) {
      const row = r.rows[key];
      expect(row).toMatchObject({ status: 'optimized', encoder: 'libx264' });
      expect(row.note).toMatch(/^h264_nvenc failed at run time \(ffmpeg failed \(exit 1\): .*\); encoded in software with libx264$/);
      expect(row.command).toContain('-c:0 libx264');
    }
    expect(r.stderr).toMatch(/moov-at-end\.mp4: h264_nvenc failed \(.*OpenEncodeSessionEx|Error initializing output stream/);
  });

  it('three files in a row failing on the hardware encoder move the rest of the run to software', async () => {
    await fake.set({ hardware: 'fails-at-run' });
    const r = await run(['moov-at-end.mp4', 'anamorphic.mp4', 'yuv444.mp4', 'vfr.mp4'], ['--optimize-videos', '--optimized-videos-dir', join(work, 'giveup-out')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/hardware acceleration: 3 files in a row failed with h264_nvenc; the rest of the run uses libx264/);
    const rows = Object.values(r.rows);
    expect(rows.filter((x) => x.note?.startsWith('h264_nvenc failed'))).toHaveLength(3);
    expect(rows.every((x) => x.status === 'optimized' && x.encoder === 'libx264')).toBe(true);
  });

  it('a listed encoder whose trial fails: auto falls back with one line, an explicit vendor is an error', async () => {
    await fake.set({ hardware: 'fails-trial' });
    const cache = await mkdtemp(join(work, 'cache-'));
    const env = { ...process.env, XDG_CACHE_HOME: cache };
    expect((await listedEncoders(fake.path)).has('h264_nvenc')).toBe(true);
    const auto = await chooseEncoder(fake.path, 'h264', 'auto', env);
    expect(auto).toMatchObject({ encoder: 'libx264', hardware: false });
    expect(auto.notice).toMatch(/no working hardware h264 encoder \(tried h264_nvenc.*\), using libx264/);
    await expect(chooseEncoder(fake.path, 'h264', 'nvidia', env)).rejects.toThrow(/h264_nvenc did not pass a trial encode/);
    await expect(chooseEncoder(fake.path, 'vp8', 'apple', env)).rejects.toThrow(/has no vp8 encoder/);
    const r = await run(['moov-at-end.mp4'], ['--optimize-videos', '--optimized-videos-dir', join(work, 'explicit-out'), '--hardware-acceleration', 'nvidia']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--hardware-acceleration nvidia: h264_nvenc did not pass a trial encode here/);
    expect(await fileSha1(join(r.dir, 'lib', 'moov-at-end.mp4'))).toBe(corpus.sha1['moov-at-end.mp4']);
  });

  it('caches the trial per host and ffmpeg binary: a cache copied from a GPU host is not believed here', async () => {
    await fake.set({ hardware: 'fails-trial' });
    const cache = await mkdtemp(join(work, 'cache-'));
    const env = { ...process.env, XDG_CACHE_HOME: cache };
    const st = await stat(fake.path);
    const here = `${hostname()}|${fake.path}|${Math.round(st.mtimeMs)}|${st.size}`;
    // the same binary on a GPU host said h264_nvenc works
    await mkdir(join(cache, 'media-toolkit'), { recursive: true });
    await writeFile(join(cache, 'media-toolkit', 'encoders.json'), JSON.stringify({ [`gpu-host-7|${fake.path}|${Math.round(st.mtimeMs)}|${st.size}`]: { h264_nvenc: true } }));
    expect((await usableEncoders(fake.path, ['h264_nvenc'], env)).h264_nvenc).toBe(false); // tried here, failed here
    const saved = JSON.parse(await readFile(join(cache, 'media-toolkit', 'encoders.json'), 'utf8')) as Record<string, Record<string, boolean>>;
    expect(saved[here]).toEqual({ h264_nvenc: false });
    expect(saved[`gpu-host-7|${fake.path}|${Math.round(st.mtimeMs)}|${st.size}`]).toEqual({ h264_nvenc: true }); // the other host's answer is left alone
    // and this host's answer is used as it is next time (no second trial)
    const calls = (await readFile(fake.callsFile, 'utf8')).split('\n').length;
    expect((await usableEncoders(fake.path, ['h264_nvenc'], env)).h264_nvenc).toBe(false);
    expect((await readFile(fake.callsFile, 'utf8')).split('\n').length).toBe(calls);
  });
});

describe('VMAF, with a fake ffmpeg that has libvmaf', () => {
  it('measures VMAF beside SSIM, shows it in the report, and --min-vmaf rejects below it', async () => {
    await fake.set({ vmaf: 93.5 });
    expect((await listedFilters(fake.path)).has('libvmaf')).toBe(true);
    const ok = await run(['moov-at-end.mp4'], ['--optimize-videos', '--optimized-videos-dir', join(work, 'vmaf-out')]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.rows['moov-at-end.mp4']).toMatchObject({ status: 'optimized', vmaf: 93.5 });
    expect(ok.rows['moov-at-end.mp4'].ssim).toBeGreaterThan(0.95);
    expect(await readFile(join(ok.dir, 'report.md'), 'utf8')).toMatch(/\| SSIM \| VMAF \|[\s\S]*\| 0\.9\d{3} \| 93\.50 \|/);
    const calls = await readFile(fake.callsFile, 'utf8');
    expect(calls).toMatch(/\[d1\]\[r1\]ssim;\[d2\]\[r2\]libvmaf=n_threads=\d/);
    const low = await run(['moov-at-end.mp4'], ['--optimize-videos', '--optimized-videos-dir', join(work, 'vmaf-low'), '--min-vmaf', '95']);
    expect(low.code, low.stderr).toBe(0);
    expect(low.rows['moov-at-end.mp4']).toMatchObject({ status: 'rejected' });
    expect(low.rows['moov-at-end.mp4'].reason).toMatch(/^the picture differs from the source: SSIM 0\.9\d+, VMAF 93\.50 \(whole file\), below --min-vmaf 95; original kept$/);
  });

  it('--min-vmaf without libvmaf is a usage error naming doctor; doctor says which ffmpeg has it', async () => {
    await fake.set({});
    const r = await run(['moov-at-end.mp4'], ['--optimize-videos', '--optimized-videos-dir', join(work, 'novmaf'), '--min-vmaf', '90']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--min-vmaf needs an ffmpeg built with libvmaf, and this one has none \(`media-toolkit doctor`/);
    await fake.set({ vmaf: 90, hardware: 'passes' });
    const d = await runCli(['doctor'], { env: { FFMPEG_PATH: fake.path } });
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toMatch(/encoders {3}listed by ffmpeg: .*h264_nvenc/);
    expect(d.stdout).toMatch(/picture {4}ssim yes, libvmaf yes: optimize reports VMAF beside SSIM/);
    await fake.set({});
    const plain = await runCli(['doctor'], { env: { FFMPEG_PATH: fake.path } });
    expect(plain.stdout).toMatch(/picture {4}ssim yes, libvmaf no: optimize checks pictures with SSIM only/);
  });
});
