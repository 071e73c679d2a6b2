// `media-toolkit validate` on real files: good clips, a truncated upload, a
// non-video named .mp4, a folder, a prewarm results file, an S3 bucket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { makeClip, truncatedCopy } from './optimize-clips.js';
import { globMatcher } from '../common/glob.js';
import { startS3Server } from './fixtures/s3-server.js';

let dir: string;
let work: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mt-val-'));
  work = await mkdtemp(join(tmpdir(), 'mt-valwork-'));
  await Promise.all([
    makeClip(join(dir, 'good.mp4'), { width: 160, height: 90, seconds: 1 }),
    makeClip(join(dir, 'nested/good.webm'), { width: 160, height: 90, seconds: 0.5, audio: false, video: ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8'] }),
    makeClip(join(dir, 'faststart.mp4'), { width: 160, height: 90, seconds: 1, video: ['-c:v', 'libx264', '-preset', 'ultrafast', '-movflags', '+faststart'] }),
  ]);
  await truncatedCopy(join(dir, 'faststart.mp4'), join(dir, 'nested/cut.mp4'), 0.6);
  await truncatedCopy(join(dir, 'good.mp4'), join(dir, 'no-moov.mp4'), 0.5);
  await writeFile(join(dir, 'text.mp4'), 'hello, I am not a video\n');
  await writeFile(join(dir, 'readme.txt'), 'ignored by the pattern\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

describe('validate', () => {
  it('names each corrupt or truncated file with the reason, and exits 1', async () => {
    const report = join(work, 'v.json');
    const r = await runCli(['validate', '--validate-directory', dir, '--validation-report', report, '--validation-format', 'json', '--validation-workers', '2', '--no-progress']);
    expect(r.code, r.stderr).toBe(1);
    const v = JSON.parse(await readFile(report, 'utf8'));
    const byFile = Object.fromEntries(v.files.map((f: { file: string }) => [f.file, f]));
    expect(Object.keys(byFile).sort()).toEqual(['faststart.mp4', 'good.mp4', 'nested/cut.mp4', 'nested/good.webm', 'no-moov.mp4', 'text.mp4']);
    expect(byFile['good.mp4']).toMatchObject({ status: 'ok', codec: 'h264', resolution: '160x90', frames: 25 });
    expect(byFile['nested/good.webm']).toMatchObject({ status: 'ok', codec: 'vp8' });
    expect(byFile['nested/cut.mp4'].status).toBe('corrupt');
    expect(byFile['nested/cut.mp4'].reason).toMatch(/decode error|truncated/);
    expect(byFile['no-moov.mp4'].reason).toMatch(/ffprobe cannot read it/);
    expect(byFile['text.mp4'].reason).toMatch(/Invalid data found/);
    expect(v.totals).toEqual({ files: 6, ok: 3, corrupt: 3 });
    expect(r.stderr).toMatch(/corrupt nested\/cut\.mp4: /);
  });

  it('exits 0 when every file is good, with text and markdown reports', async () => {
    const text = await runCli(['validate', '--validate-directory', dir, '--video-pattern', 'good.*', '--validation-format', 'text', '--no-progress']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^validated 2 file\(s\) in .*: 2 ok, 0 corrupt\nOK      good\.mp4\nOK      nested\/good\.webm\n$/);
    const md = join(work, 'v.md');
    const m = await runCli(['validate', '--validate-directory', dir, '--validation-report', md, '--no-progress']);
    expect(m.code).toBe(1);
    const body = await readFile(md, 'utf8');
    expect(body).toContain('## Corrupt or truncated');
    expect(body).toMatch(/\| text\.mp4 \| ffprobe cannot read it: /);
  });

  it('checks the sources of a prewarm results file, and a bucket on the real S3 server', async () => {
    const results = join(work, 'results.json');
    const rec = (key: string) => ({ key, derivative: 'desktop', ok: true });
    await writeFile(results, JSON.stringify({ version: 1, generatedAt: '', baseUrl: '', urlFormat: 'imwidth', records: [rec('good.mp4'), rec('good.mp4'), rec('text.mp4'), rec('../outside.mp4')] }));
    const r = await runCli(['validate', '--validate-results', results, '--remote', 'local', '--bucket', dir, '--validation-format', 'json', '--no-progress']);
    expect(r.code).toBe(1);
    const v = JSON.parse(r.stdout);
    expect(v.files.map((f: { file: string; status: string }) => `${f.file}:${f.status}`)).toEqual(['good.mp4:ok', 'text.mp4:corrupt', '../outside.mp4:corrupt']);
    expect(v.files[2].reason).toMatch(/unsafe key/);
    const s3 = await startS3Server();
    try {
      await s3.createBucket('media');
      await s3.putObjects('media', [
        { key: 'v/good.mp4', body: await readFile(join(dir, 'good.mp4')) },
        { key: 'v/cut.mp4', body: await readFile(join(dir, 'nested/cut.mp4')) },
      ]);
      const b = await runCli(['validate', '--remote', 's3', '--bucket', 'media', '--endpoint', s3.endpoint, '--validation-format', 'json', '--no-progress'], { env: s3.awsEnv() });
      expect(b.code, b.stderr).toBe(1);
      const bv = JSON.parse(b.stdout);
      expect(bv.files.map((f: { file: string; status: string }) => `${f.file}:${f.status}`).sort()).toEqual(['v/cut.mp4:corrupt', 'v/good.mp4:ok']);
    } finally {
      await s3.stop();
    }
  });

  it('usage errors exit 2', async () => {
    const r = await runCli(['validate', '--validate-directory', dir, '--remote', 'local', '--bucket', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/exactly one of/);
  });

  it('matches globs on names or paths', () => {
    const g = globMatcher('*.{mp4,mov,webm,mkv}', { ignoreCase: true });
    expect(g('a/b/c.MP4')).toBe(true);
    expect(g('a/b/c.mp4.txt')).toBe(false);
    expect(globMatcher('*.{mp4,mov}')('a/c.MP4')).toBe(false);
    const p = globMatcher('clips/**/*.mp4', { ignoreCase: true });
    expect(p('clips/x/y/z.mp4')).toBe(true);
    expect(p('clips/z.mp4')).toBe(true);
    expect(p('other/z.mp4')).toBe(false);
  });
});
