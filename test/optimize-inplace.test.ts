// In-place replacement never loses the original: on a local folder and on the
// real S3 server (versitygw), with the process killed (SIGKILL) right after
// each step through the CLI; the rerun finishes the job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod, cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { runCli } from './helpers/cli.js';
import { makeClip, probeJson } from './optimize-clips.js';
import { startS3Server, type S3TestServer } from './fixtures/s3-server.js';
import { copyObject, expectedEtags, headObject, uploadFile } from '../optimize/s3-objects.js';
import { randomBytes } from 'node:crypto';

let seed: string;
let work: string;
let cache: string;
let bigBytes: Buffer;

const inPlaceArgs = (bucket: string, manifest: string) => [
  'optimize', '--bucket', bucket, '--size-threshold', '0.05', '--optimize-in-place', '--codec', 'h264', '--quality', 'efficient',
  '--target-resolution', '360p', '--preset', 'ultrafast', '--workers', '1', '--manifest', manifest, '--no-progress',
];

async function decodes(path: string): Promise<{ codec: string; width: number; audio: boolean }> {
  const p = await probeJson(path);
  const v = p.streams.find((s) => s.codec_type === 'video')!;
  return { codec: v.codec_name, width: v.width!, audio: p.streams.some((s) => s.codec_type === 'audio') };
}

beforeAll(async () => {
  seed = await mkdtemp(join(tmpdir(), 'mt-inplace-seed-'));
  work = await mkdtemp(join(tmpdir(), 'mt-inplace-'));
  cache = await mkdtemp(join(tmpdir(), 'mt-inplace-cache-'));
  // 640x360 at high quality: the 360p re-encode comes out much smaller
  await makeClip(join(seed, 'big.mp4'), { width: 640, height: 360, seconds: 1 });
  bigBytes = await readFile(join(seed, 'big.mp4'));
});
afterAll(async () => {
  for (const d of [seed, work, cache]) await rm(d, { recursive: true, force: true });
});

describe('in place on a local folder', () => {
  it('replaces verified files, keeps the container, leaves nothing behind, and a rerun skips them', async () => {
    const lib = join(work, 'plain');
    await cp(seed, lib, { recursive: true });
    await makeClip(join(lib, 'sub/clip.mov'), { width: 640, height: 360, seconds: 0.5, audio: false });
    await writeFile(join(lib, 'broken.mp4'), Buffer.alloc(100_000, 'not a video'));
    await chmod(join(lib, 'big.mp4'), 0o640);
    await writeFile(join(lib, 'big.webm'), 'a file of the user that happens to have the companion name');
    const manifest = join(work, 'plain-manifest.json');
    const r = await runCli([...inPlaceArgs(lib, manifest), '--remote', 'local', '--create-webm', '--report', join(work, 'plain.md')], { env: { XDG_CACHE_HOME: cache } });
    expect(r.code, r.stderr).toBe(1); // broken.mp4 failed (and was left as it is)
    // the companion WebM is written beside the source, but never over a file already there
    expect(await readFile(join(lib, 'big.webm'), 'utf8')).toBe('a file of the user that happens to have the companion name');
    expect(r.stderr).toMatch(/big\.webm exists; the WebM companion is not written over it/);
    expect(await decodes(join(lib, 'sub/clip.webm'))).toMatchObject({ codec: 'vp9', audio: false });
    expect((await stat(join(lib, 'big.mp4'))).size).toBeLessThan(bigBytes.length);
    expect(await decodes(join(lib, 'big.mp4'))).toEqual({ codec: 'h264', width: 640, audio: true });
    expect((await stat(join(lib, 'big.mp4'))).mode & 0o777).toBe(0o640);
    expect(await decodes(join(lib, 'sub/clip.mov'))).toMatchObject({ codec: 'h264', audio: false });
    expect((await readFile(join(lib, 'broken.mp4'))).length).toBe(100_000);
    expect((await readdir(lib, { recursive: true })).filter((f) => String(f).includes('.mtk-'))).toEqual([]);
    const m = JSON.parse(await readFile(manifest, 'utf8'));
    expect(Object.values(m.entries).map((e) => (e as { state: string }).state).sort()).toEqual(['done', 'done', 'failed']);
    const report = JSON.parse(await readFile(join(work, 'plain.json'), 'utf8'));
    expect(report.files.find((f: { key: string }) => f.key === 'big.mp4').status).toBe('replaced');
    const again = await runCli([...inPlaceArgs(lib, manifest), '--remote', 'local'], { env: { XDG_CACHE_HOME: cache } });
    expect(again.stderr).toMatch(/skipped\s+big\.mp4\s+\(already optimized \(manifest\)\)/);
  });

  for (const step of ['staged', 'backed-up', 'replaced']) {
    it(`a crash right after "${step}" leaves a whole file at the path, and the rerun completes`, async () => {
      const lib = join(work, `crash-${step}`);
      await cp(seed, lib, { recursive: true });
      const manifest = join(work, `crash-${step}.json`);
      const crashed = await runCli([...inPlaceArgs(lib, manifest), '--remote', 'local'], { env: { XDG_CACHE_HOME: cache, MEDIA_TOOLKIT_TEST_CRASH_AT: step } });
      expect(crashed.code, crashed.stderr).not.toBe(0);
      const m = JSON.parse(await readFile(manifest, 'utf8'));
      expect(Object.values(m.entries).map((e) => (e as { state: string }).state)).toEqual([{ staged: 'staging', 'backed-up': 'backing-up', replaced: 'replacing' }[step]]);
      // the path holds the original or the new file, complete either way
      const now = await readFile(join(lib, 'big.mp4'));
      expect(step === 'replaced' ? now.length < bigBytes.length : now.equals(bigBytes)).toBe(true);
      expect(await decodes(join(lib, 'big.mp4'))).toMatchObject({ codec: 'h264', audio: true });
      const rerun = await runCli([...inPlaceArgs(lib, manifest), '--remote', 'local', '--report', join(work, `crash-${step}-report.json`)], { env: { XDG_CACHE_HOME: cache } });
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(rerun.stderr).toMatch(/recovered big\.mp4/);
      expect((await stat(join(lib, 'big.mp4'))).size).toBeLessThan(bigBytes.length);
      expect(await decodes(join(lib, 'big.mp4'))).toMatchObject({ codec: 'h264', width: 640, audio: true });
      expect((await readdir(lib)).filter((f) => f.includes('.mtk-'))).toEqual([]);
      const m2 = JSON.parse(await readFile(manifest, 'utf8'));
      expect(Object.values(m2.entries).map((e) => (e as { state: string }).state)).toEqual(['done']);
    });
  }
});

describe('in place on the real S3 server', () => {
  let s3: S3TestServer;
  beforeAll(async () => {
    s3 = await startS3Server();
  });
  afterAll(async () => {
    await s3?.stop();
  });

  const keys = async (bucket: string) =>
    ((await s3.client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key!).sort();
  const body = async (bucket: string, key: string) =>
    Buffer.from(await (await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray());
  const s3Args = (bucket: string, manifest: string) => [...inPlaceArgs(bucket, manifest), '--remote', 's3', '--endpoint', s3.endpoint];

  it('replaces a verified object, reports a broken one, and leaves no temp or backup keys', async () => {
    await s3.createBucket('plain');
    await s3.client.send(new PutObjectCommand({ Bucket: 'plain', Key: 'videos/big.mp4', Body: bigBytes, CacheControl: 'public, max-age=600', Metadata: { owner: 'marketing' } }));
    await s3.putObjects('plain', [{ key: 'videos/broken.mp4', body: Buffer.alloc(100_000, 'x') }]);
    const manifest = join(work, 's3-plain.json');
    const dry = await runCli([...s3Args('plain', manifest), '--dry-run'], { env: { ...s3.awsEnv(), XDG_CACHE_HOME: cache } });
    expect(dry.code, dry.stderr).toBe(1); // videos/broken.mp4 cannot be read
    expect(dry.stdout).toMatch(/planned\s+videos\/big\.mp4\s+[\d.]+ MiB -> ~[\d.]+ MiB predicted/);
    expect((await body('plain', 'videos/big.mp4')).equals(bigBytes)).toBe(true);
    const r = await runCli([...s3Args('plain', manifest), '--report', join(work, 's3-plain-report.json')], { env: { ...s3.awsEnv(), XDG_CACHE_HOME: cache } });
    expect(r.code, r.stderr).toBe(1); // videos/broken.mp4 failed (and was left as it is)
    expect(await keys('plain')).toEqual(['videos/big.mp4', 'videos/broken.mp4']);
    const now = await body('plain', 'videos/big.mp4');
    expect(now.length).toBeLessThan(bigBytes.length);
    await writeFile(join(work, 's3-plain-out.mp4'), now);
    expect(await decodes(join(work, 's3-plain-out.mp4'))).toEqual({ codec: 'h264', width: 640, audio: true });
    expect((await body('plain', 'videos/broken.mp4')).length).toBe(100_000);
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: 'plain', Key: 'videos/big.mp4' }));
    expect(head).toMatchObject({ CacheControl: 'public, max-age=600', Metadata: { owner: 'marketing' }, ContentType: 'video/mp4' });
    const report = JSON.parse(await readFile(join(work, 's3-plain-report.json'), 'utf8'));
    expect(report.files.map((f: { status: string }) => f.status).sort()).toEqual(['failed', 'replaced']);
    // copies under a prefix in the bucket
    await s3.createBucket('copies');
    await s3.putObjects('copies', [{ key: 'a/big.mp4', body: bigBytes }]);
    const c = await runCli([...s3Args('copies', join(work, 's3-copies.json')).filter((a) => a !== '--optimize-in-place'), '--optimize-videos', '--output-prefix', 'optimized'], { env: { ...s3.awsEnv(), XDG_CACHE_HOME: cache } });
    expect(c.code, c.stderr).toBe(0);
    expect(await keys('copies')).toEqual(['a/big.mp4', 'optimized/a/big.mp4']);
    expect((await body('copies', 'a/big.mp4')).equals(bigBytes)).toBe(true);
  });

  it('confirms a multipart upload (above the 8 MiB part size) by size and ETag', async () => {
    await s3.createBucket('multipart');
    const path = join(work, 'multipart.bin');
    await writeFile(path, randomBytes(17 * 1024 * 1024 + 123));
    await uploadFile(s3.client, 'multipart', 'big.bin', path, 'application/octet-stream');
    const head = await headObject(s3.client, 'multipart', 'big.bin');
    const [single, multi] = await expectedEtags(path);
    expect(head?.size).toBe(17 * 1024 * 1024 + 123);
    expect(multi).toMatch(/-3$/);
    expect(head?.etag).toBe(multi); // lib-storage really went multipart, and the server's ETag is the standard one
    expect(single).not.toBe(multi);
  });

  it('copies objects above the single-copy limit in parts, keeping content type and metadata', async () => {
    await s3.createBucket('partcopy');
    const data = randomBytes(12 * 1024 * 1024 + 7);
    await s3.client.send(new PutObjectCommand({ Bucket: 'partcopy', Key: 'src.mp4', Body: data, ContentType: 'video/mp4', Metadata: { owner: 'ops' } }));
    const src = await headObject(s3.client, 'partcopy', 'src.mp4');
    // a 5 MiB "limit" sends this 12 MiB object through the multipart copy path, in 3 parts of 5 MiB
    await copyObject(s3.client, 'partcopy', 'src.mp4', 'copy.mp4', src!.etag, data.length, 5 * 1024 * 1024, 5 * 1024 * 1024);
    expect((await headObject(s3.client, 'partcopy', 'copy.mp4'))?.etag).toMatch(/-3$/);
    expect((await body('partcopy', 'copy.mp4')).equals(data)).toBe(true);
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: 'partcopy', Key: 'copy.mp4' }));
    expect(head).toMatchObject({ ContentType: 'video/mp4', Metadata: { owner: 'ops' } });
    await expect(copyObject(s3.client, 'partcopy', 'src.mp4', 'never.mp4', 'not-the-etag', data.length, 5 * 1024 * 1024, 5 * 1024 * 1024)).rejects.toThrow(/copy src\.mp4 -> never\.mp4 failed/);
    expect(await keys('partcopy')).toEqual(['copy.mp4', 'src.mp4']);
  });

  for (const step of ['uploaded', 'replaced']) {
    it(`a crash right after "${step}" keeps the key whole, and the rerun completes and cleans up`, async () => {
      const bucket = `crash-${step}`;
      await s3.createBucket(bucket);
      await s3.putObjects(bucket, [{ key: 'big.mp4', body: bigBytes }]);
      const manifest = join(work, `s3-crash-${step}.json`);
      const crashed = await runCli(s3Args(bucket, manifest), { env: { ...s3.awsEnv(), XDG_CACHE_HOME: cache, MEDIA_TOOLKIT_TEST_CRASH_AT: step } });
      expect(crashed.code, crashed.stderr).not.toBe(0);
      const now = await body(bucket, 'big.mp4');
      if (step === 'uploaded') {
        expect(now.equals(bigBytes)).toBe(true);
        expect(await keys(bucket)).toEqual(['.media-toolkit-tmp/big.mp4', 'big.mp4']);
      } else {
        expect(now.length).toBeLessThan(bigBytes.length);
        expect(await keys(bucket)).toEqual(['.media-toolkit-backup/big.mp4', '.media-toolkit-tmp/big.mp4', 'big.mp4']);
      }
      const rerun = await runCli(s3Args(bucket, manifest), { env: { ...s3.awsEnv(), XDG_CACHE_HOME: cache } });
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(rerun.stderr).toMatch(/recovered big\.mp4/);
      expect(await keys(bucket)).toEqual(['big.mp4']);
      const after = await body(bucket, 'big.mp4');
      expect(after.length).toBeLessThan(bigBytes.length);
      await writeFile(join(work, `s3-${step}.mp4`), after);
      expect(await decodes(join(work, `s3-${step}.mp4`))).toMatchObject({ codec: 'h264', audio: true });
    });
  }
});
