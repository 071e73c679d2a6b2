// The torture corpus (test/torture-corpus.ts) through every path of
// `optimize` on a local folder: whole-file copies, --segment-parallel,
// --target-ssim and --optimize-in-place. For each clip: the expected verdict;
// where an output is accepted, a picture score at or above the floor, the
// size as displayed (upright, sample aspect applied) and every stream; and
// the original byte-identical wherever nothing replaced it.
// (The same in place on the real S3 server: optimize-corpus-s3.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { requireTool } from '../lib/tools.js';
import { probeFile } from '../media/probe.js';
import { CORPUS, expectedStatus, expectedStreams, fileSha1, tortureCorpus, type CorpusRow } from './torture-corpus.js';

const ffprobe = requireTool('ffprobe');
const FLOOR = 0.95;
let corpus: { dir: string; sha1: Record<string, string> };
let work: string;

async function runMode(name: string, extra: string[]): Promise<{ code: number; stderr: string; lib: string; rows: Record<string, CorpusRow> }> {
  const lib = join(work, name, 'lib');
  await mkdir(lib, { recursive: true });
  for (const c of CORPUS) await cp(join(corpus.dir, c.name), join(lib, c.name));
  const report = join(work, name, 'report.json');
  const r = await runCli(['optimize', '--bucket', lib, '--size-threshold', '0', '--codec', 'h264', '--quality', 'efficient', '--preset', 'ultrafast',
    '--target-resolution', '360p', '--workers', '2', '--hardware-acceleration', 'none', '--no-progress', '--manifest', join(work, name, 'manifest.json'),
    '--report', report, ...extra], { env: { XDG_CACHE_HOME: join(work, 'cache') }, timeoutMs: 240_000 });
  const rows = Object.fromEntries((JSON.parse(await readFile(report, 'utf8')).files as CorpusRow[]).map((f) => [f.key, f]));
  return { code: r.code, stderr: r.stderr, lib, rows };
}

/** Every clip's verdict, score, size, streams, and the originals, for a run in `mode`. */
async function checkCorpus(run: Awaited<ReturnType<typeof runMode>>, mode: 'copy' | 'in-place'): Promise<void> {
  // Three sources cannot be read (truncated, empty, not a video): the run exits 1 and says which.
  expect(run.code, run.stderr).toBe(1);
  expect(Object.keys(run.rows).sort()).toEqual(CORPUS.map((c) => c.name).sort());
  for (const c of CORPUS) {
    const row = run.rows[c.name];
    const where = `${c.name} (${c.about}): ${row.status} ${row.reason ?? ''}`;
    expect(row.status, where).toBe(expectedStatus(c, mode));
    const original = join(run.lib, c.name);
    if (row.status !== 'optimized' && row.status !== 'replaced') {
      expect(await fileSha1(original), `${where}: the original is byte-identical`).toBe(corpus.sha1[c.name]);
      continue;
    }
    // accepted: proven the same picture, every stream kept, the size as displayed
    expect(row.ssim, where).toBeGreaterThanOrEqual(FLOOR);
    expect(row.picture?.method, where).toBe('whole file');
    const checks = Object.fromEntries(row.verification!.checks.map((k) => [k.name, k]));
    expect(row.verification!.checks.filter((k) => !k.ok), where).toEqual([]);
    expect(checks.streams.detail, where).toBe(expectedStreams(c));
    const out = mode === 'copy' ? row.output! : original;
    const p = await probeFile(ffprobe, out);
    expect([p.video!.displayWidth, p.video!.displayHeight], `${where}: upright, proportioned`).toEqual(c.size);
    expect(p.video!.rotation, where).toBe(0);
    if (mode === 'copy') expect(await fileSha1(original), `${where}: copies leave the original alone`).toBe(corpus.sha1[c.name]);
    else expect(await fileSha1(original), `${where}: replaced by the verified output`).not.toBe(corpus.sha1[c.name]);
  }
}

beforeAll(async () => {
  corpus = await tortureCorpus();
  work = await mkdtemp(join(tmpdir(), 'mt-corpus-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('the torture corpus', () => {
  it('whole-file copies', async () => {
    const run = await runMode('whole', ['--optimize-videos', '--optimized-videos-dir', join(work, 'whole', 'out')]);
    await checkCorpus(run, 'copy');
    expect(run.rows['rotated-90.mp4'].reason).toBeUndefined();
  });

  it('--segment-parallel (half-second segments: every 2 s clip is cut in four)', async () => {
    const run = await runMode('segments', ['--optimize-videos', '--optimized-videos-dir', join(work, 'segments', 'out'), '--segment-parallel', '--segment-duration', '0.5']);
    await checkCorpus(run, 'copy');
    const rows = run.rows as Record<string, CorpusRow & { segments?: number }>;
    for (const name of ['rotated-90.mp4', 'rotated-270.mov', 'anamorphic.mp4', 'rich.mp4', 'interlaced.mp4', '10bit.mkv']) expect(rows[name].segments, name).toBe(4);
    expect(rows['one-frame.mp4'].segments).toBeUndefined(); // shorter than two segments: whole
  });

  it('--target-ssim 0.97 (the picture floor still applies to the full encode)', async () => {
    const run = await runMode('target', ['--optimize-videos', '--optimized-videos-dir', join(work, 'target', 'out'), '--target-ssim', '0.97']);
    await checkCorpus(run, 'copy');
    // every accepted output came from a searched CRF
    for (const r of Object.values(run.rows as Record<string, CorpusRow & { crfSearch?: unknown[] }>)) {
      if (r.status === 'optimized') expect(r.crfSearch?.length, r.key).toBeGreaterThanOrEqual(3);
    }
  });

  it('--optimize-in-place on a local folder', async () => {
    const run = await runMode('inplace', ['--optimize-in-place']);
    await checkCorpus(run, 'in-place');
    // each keeps its own container, nothing of the toolkit's is left beside them
    expect((await readdir(run.lib)).filter((f) => f.includes('.mtk-'))).toEqual([]);
    const mov = await probeFile(ffprobe, join(run.lib, 'rotated-270.mov'));
    expect(mov.formatName).toMatch(/mov/);
    const mkv = await probeFile(ffprobe, join(run.lib, '10bit.mkv'));
    expect(mkv.formatName).toMatch(/matroska/);
    expect(mkv.video!.pixFmt).toBe('yuv420p');
  });
});
