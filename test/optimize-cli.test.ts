// `media-toolkit optimize` on a local folder through the built CLI: dry run,
// copies with report, skips (manifest, efficient sources), rejection by size,
// corrupt inputs, unsafe keys, usage errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { makeClip, probeJson, truncatedCopy } from './optimize-clips.js';

let lib: string;
let work: string;
let cache: string;
const env = () => ({ XDG_CACHE_HOME: cache });

async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const p = join(e.parentPath ?? (e as unknown as { path: string }).path, e.name);
    out[p.slice(dir.length)] = createHash('md5').update(await readFile(p)).digest('hex');
  }
  return out;
}

const base = (outDir: string, manifest: string) => [
  'optimize', '--remote', 'local', '--bucket', lib, '--size-threshold', '0.05', '--codec', 'h264', '--quality', 'efficient',
  '--target-resolution', '360p', '--workers', '2', '--preset', 'ultrafast', '--optimized-videos-dir', outDir, '--manifest', manifest, '--no-progress',
];

beforeAll(async () => {
  lib = await mkdtemp(join(tmpdir(), 'mt-optlib-'));
  work = await mkdtemp(join(tmpdir(), 'mt-optwork-'));
  cache = await mkdtemp(join(tmpdir(), 'mt-optcache-'));
  await Promise.all([
    makeClip(join(lib, 'big.mp4'), { width: 320, height: 180, seconds: 2 }),
    makeClip(join(lib, 'clips/odd.mov'), { width: 1001, height: 563, seconds: 0.5, audio: false }),
    makeClip(join(lib, 'efficient.mp4'), { width: 640, height: 360, seconds: 2, audio: false, video: ['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '42'] }),
    makeClip(join(lib, 'tiny.mp4'), { width: 64, height: 36, seconds: 0.2, audio: false, video: ['-c:v', 'libx264', '-crf', '45'] }),
  ]);
  await truncatedCopy(join(lib, 'big.mp4'), join(lib, 'truncated.mp4'), 0.5);
  await writeFile(join(lib, 'not-a-video.mp4'), Buffer.alloc(200_000, 'this is text, not a video\n'));
  await writeFile(join(lib, 'notes.txt'), Buffer.alloc(300_000, 'x'));
});
afterAll(async () => {
  for (const d of [lib, work, cache]) await rm(d, { recursive: true, force: true });
});

describe('optimize CLI (local folder)', () => {
  it('--dry-run lists candidates with predicted savings and changes nothing', async () => {
    const before = await tree(lib);
    const out = join(work, 'dry-out');
    const r = await runCli([...base(out, join(work, 'dry-manifest.json')), '--dry-run', '--report', join(work, 'dry.md')], { env: env() });
    expect(r.code, r.stderr).toBe(1); // not-a-video.mp4 cannot be read: a failure even on a dry run
    expect(r.stdout).toMatch(/planned\s+big\.mp4\s+[\d.]+ MiB -> ~[\d.]+ MiB predicted/);
    expect(r.stdout).toMatch(/failed\s+not-a-video\.mp4 .*corrupt or unreadable source/);
    expect(r.stdout).not.toContain('tiny.mp4'); // below the threshold
    expect(r.stdout).not.toContain('notes.txt'); // not a video extension
    expect(await tree(lib)).toEqual(before);
    await expect(stat(out)).rejects.toThrow();
    await expect(stat(join(work, 'dry-manifest.json'))).rejects.toThrow();
    const report = JSON.parse(await readFile(join(work, 'dry.json'), 'utf8'));
    expect(report.dryRun).toBe(true);
    const big = report.files.find((f: { key: string }) => f.key === 'big.mp4');
    expect(big.status).toBe('planned');
    expect(big.predictedSize).toBeLessThan(big.sizeBefore);
  });

  it('--optimize-videos writes verified copies, a Markdown and JSON report, and a rerun skips them', async () => {
    const before = await tree(lib);
    const out = join(work, 'out');
    const manifest = join(work, 'manifest.json');
    const reportMd = join(work, 'report.md');
    const r = await runCli([...base(out, manifest), '--optimize-videos', '--report', reportMd], { env: env() });
    expect(r.code, r.stderr).toBe(1); // two sources are broken: the run says so with its exit code
    expect(r.stderr).toMatch(/no working hardware h264 encoder .* using libx264/);
    expect(await tree(lib)).toEqual(before); // copies: the sources are untouched
    const report = JSON.parse(await readFile(join(work, 'report.json'), 'utf8'));
    const byKey = Object.fromEntries(report.files.map((f: { key: string }) => [f.key, f]));
    expect(byKey['big.mp4'].status).toBe('optimized');
    expect(byKey['big.mp4'].verification.ok).toBe(true);
    expect(byKey['big.mp4'].sizeAfter).toBeLessThan(byKey['big.mp4'].sizeBefore);
    expect(byKey['big.mp4'].ssim).toBeGreaterThan(0.9);
    expect(byKey['big.mp4'].command).toMatch(/^\S*ffmpeg .* -c:0 libx264 -preset ultrafast -crf 26 .*-movflags \+faststart /);
    expect(byKey['clips/odd.mov'].resolution).toBe('640x360');
    expect(byKey['efficient.mp4'].status).toBe('skipped');
    expect(byKey['efficient.mp4'].reason).toMatch(/already efficient: h264 at 640x360, [\d.]+ bits\/pixel <= 0\.1/);
    expect(Object.keys(byKey).sort()).toEqual(['big.mp4', 'clips/odd.mov', 'efficient.mp4', 'not-a-video.mp4', 'truncated.mp4']);
    expect(byKey['not-a-video.mp4'].status).toBe('failed');
    expect(byKey['truncated.mp4'].status).toBe('failed');
    expect(report.totals.optimized).toBe(2);
    expect(report.totals.savedBytes).toBeGreaterThan(0);
    const odd = await probeJson(join(out, 'clips/odd.mp4'));
    expect(odd.streams.find((s) => s.codec_type === 'video')).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
    const md = await readFile(reportMd, 'utf8');
    expect(md).toContain('| big.mp4 | optimized |');
    expect(md).toMatch(/- ok full decode: 50 frames, no errors/);
    const again = await runCli([...base(out, manifest), '--optimize-videos'], { env: env() });
    expect(again.code, again.stderr).toBe(1); // the broken ones are tried again, and fail again
    expect(again.stderr).toMatch(/skipped\s+big\.mp4\s+\(already optimized \(manifest\)/);
    expect(again.stderr).toMatch(/skipped\s+efficient\.mp4\s+\(skipped before: already efficient/);
  });

  it('rejects an output above --max-output-ratio and keeps the original', async () => {
    const out = join(work, 'rejected-out');
    const r = await runCli([...base(out, join(work, 'rej-manifest.json')), '--optimize-videos', '--max-output-ratio', '0.01', '--limit', '1', '--report', join(work, 'rej.json')], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(await readFile(join(work, 'rej.json'), 'utf8'));
    expect(report.files).toHaveLength(1);
    expect(report.files[0]).toMatchObject({ key: 'clips/odd.mov', status: 'rejected' }); // the largest
    expect(report.files[0].reason).toMatch(/of the source \(limit 1%\): original kept/);
    await expect(stat(join(out, 'clips/odd.mp4'))).rejects.toThrow();

    // Again with the same manifest: --limit counts only files still to do, so the next largest is taken.
    const next = await runCli([...base(out, join(work, 'rej-manifest.json')), '--optimize-videos', '--max-output-ratio', '0.01', '--limit', '1', '--report', join(work, 'rej2.json')], { env: env() });
    expect(next.code, next.stderr).toBe(0);
    const second = JSON.parse(await readFile(join(work, 'rej2.json'), 'utf8'));
    expect(second.files).toHaveLength(1);
    expect(second.files[0].key).not.toBe('clips/odd.mov');
    expect(second.files[0].status).not.toBe('skipped');
  });

  it('rejects an output below --min-ssim with its score and keeps the original; --fail-on-error is a no-op that says so', async () => {
    const out = join(work, 'ssim-out');
    const before = await tree(lib);
    // CRF 51: a visibly worse picture than the source, far below a 0.99 floor
    const r = await runCli([...base(out, join(work, 'ssim-manifest.json')), '--optimize-videos', '--crf', '51', '--min-ssim', '0.99', '--limit', '1', '--fail-on-error',
      '--report', join(work, 'ssim.md')], { env: env() });
    expect(r.code, r.stderr).toBe(0); // rejected with the original kept is not a failure
    expect(r.stderr).toMatch(/--fail-on-error is deprecated and has no effect: optimize exits 1 whenever a file failed/);
    const row = JSON.parse(await readFile(join(work, 'ssim.json'), 'utf8')).files[0];
    expect(row).toMatchObject({ key: 'clips/odd.mov', status: 'rejected' });
    expect(row.ssim).toBeLessThan(0.99);
    expect(row.reason).toBe(`the picture differs from the source: SSIM ${row.ssim.toFixed(4)} (whole file), below --min-ssim 0.99; original kept`);
    expect(r.stderr).toMatch(/rejected\s+clips\/odd\.mov .*below --min-ssim 0\.99; original kept/);
    await expect(stat(join(out, 'clips/odd.mp4'))).rejects.toThrow();
    expect(await tree(lib)).toEqual(before);
    const md = await readFile(join(work, 'ssim.md'), 'utf8');
    expect(md).toContain(`| ${row.ssim.toFixed(4)} | the picture differs from the source`);
  });

  it('takes a --listing-file, refuses a key that would leave the folder, and --create-webm adds a WebM', async () => {
    const outside = join(work, 'escape.mp4');
    await cp(join(lib, 'big.mp4'), outside);
    const listing = join(work, 'listing.jsonl');
    const size = (await stat(join(lib, 'big.mp4'))).size;
    await writeFile(listing, `${JSON.stringify({ key: '../escape.mp4', size })}\n${JSON.stringify({ key: 'big.mp4', size })}\n`);
    const out = join(work, 'listing-out');
    const r = await runCli([...base(out, join(work, 'listing-manifest.json')), '--listing-file', listing, '--optimize-videos', '--create-webm', '--report', join(work, 'listing.json')], { env: env() });
    expect(r.code, r.stderr).toBe(1); // the unsafe key failed
    const report = JSON.parse(await readFile(join(work, 'listing.json'), 'utf8'));
    const esc = report.files.find((f: { key: string }) => f.key === '../escape.mp4');
    expect(esc.status).toBe('failed');
    expect(esc.reason).toMatch(/unsafe key "\.\.\/escape\.mp4"/);
    const big = report.files.find((f: { key: string }) => f.key === 'big.mp4');
    expect(big.status).toBe('optimized');
    expect(big.webm.ok).toBe(true);
    expect(big.webm.ssim).toBeGreaterThanOrEqual(0.95); // picture-checked like the main output
    const webm = await probeJson(join(out, 'big.webm'));
    expect(webm.streams.map((s) => s.codec_name).sort()).toEqual(['opus', 'vp9']);
    expect(await readdir(work)).not.toContain('escape.webm');
  });

  it('usage errors name the problem and exit 2', async () => {
    const m = join(work, 'usage-manifest.json');
    const pair = await runCli([...base(join(work, 'u'), m), '--dry-run', '--codec', 'vp8', '--output-format', 'mp4']);
    expect(pair.code).toBe(2);
    expect(pair.stderr).toMatch(/--codec vp8 cannot go in --output-format mp4/);
    const browser = await runCli([...base(join(work, 'u'), m), '--dry-run', '--codec', 'h265']);
    expect(browser.code).toBe(2);
    expect(browser.stderr).toMatch(/not browser-compatible.*--no-browser-compatible/);
    for (const flag of [['--browser-compatible=false'], ['--no-browser-compatible'], ['--browser-compatible', 'false']]) {
      const ok = await runCli([...base(join(work, 'u'), m), '--dry-run', '--codec', 'h265', ...flag, '--limit', '1'], { env: env() });
      expect(ok.code, `${flag.join(' ')}: ${ok.stderr}`).toBe(0);
    }
    const none = await runCli(['optimize', '--remote', 'local', '--bucket', lib]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--optimize-videos, --optimize-in-place, or --dry-run/);
  });
});
