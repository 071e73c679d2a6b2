// Nothing the user had is lost: a source that changes while it is being
// encoded or swapped is not replaced (local folder and the real S3 server,
// the change made at exactly the dangerous moment through the pause hook);
// two runs never share a manifest; two sources never write one output name;
// the toolkit never re-encodes what it wrote itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { access, appendFile, cp, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { runCli, type CliResult } from './helpers/cli.js';
import { startS3Server, type S3TestServer } from './fixtures/s3-server.js';
import { planOutputNames } from '../optimize/output-names.js';
import { fileSha1, tortureCorpus } from './torture-corpus.js';

let corpus: { dir: string; sha1: Record<string, string> };
let work: string;
let n = 0;

const args = (bucket: string, manifest: string, extra: string[] = []) => [
  'optimize', '--bucket', bucket, '--size-threshold', '0', '--codec', 'h264', '--quality', 'efficient', '--preset', 'ultrafast', '--target-resolution', '360p',
  '--workers', '1', '--hardware-acceleration', 'none', '--no-progress', '--manifest', manifest, ...extra,
];

async function lib(files: string[]): Promise<{ dir: string; manifest: string; report: string; pause: string }> {
  const base = join(work, `case-${++n}`);
  const dir = join(base, 'lib');
  await mkdir(dir, { recursive: true });
  await mkdir(join(base, 'pause'));
  for (const f of files) await cp(join(corpus.dir, f), join(dir, f));
  return { dir, manifest: join(base, 'manifest.json'), report: join(base, 'report.json'), pause: join(base, 'pause') };
}

const exists = (p: string) => access(p).then(() => true, () => false);

/** Runs the CLI paused after `step`; `meanwhile` runs while it waits, then it goes on. */
async function pausedRun(argv: string[], env: Record<string, string>, pause: string, step: string, meanwhile: () => Promise<void>): Promise<CliResult> {
  const running = runCli(argv, { env: { ...env, MEDIA_TOOLKIT_TEST_PAUSE_AT: step, MEDIA_TOOLKIT_TEST_PAUSE_DIR: pause } });
  const deadline = Date.now() + 60_000;
  while (!(await exists(join(pause, `paused-${step}`)))) {
    if (Date.now() > deadline) throw new Error(`never paused at ${step}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await meanwhile();
  await writeFile(join(pause, `resume-${step}`), '');
  return running;
}

const rowOf = async (report: string, key: string) => (JSON.parse(await readFile(report, 'utf8')).files as { key: string; status: string; reason?: string; output?: string; note?: string }[]).find((f) => f.key === key)!;

beforeAll(async () => {
  corpus = await tortureCorpus();
  work = await mkdtemp(join(tmpdir(), 'mt-safety-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('a source that changes is never replaced (local folder)', () => {
  it('edited during the encode, same size and mtime put back: the content hash tells, the edit is kept', async () => {
    const l = await lib(['moov-at-end.mp4']);
    const path = join(l.dir, 'moov-at-end.mp4');
    const r = await pausedRun([...args(l.dir, l.manifest, ['--optimize-in-place', '--report', l.report])], {}, l.pause, 'staged', async () => {
      const st = await stat(path);
      const bytes = await readFile(path);
      bytes[bytes.length - 10] ^= 0xff; // an edit of the same size...
      await writeFile(path, bytes);
      await utimes(path, st.atime, st.mtime); // ...with the old modification time (to the ms) restored
    });
    expect(r.code, r.stderr).toBe(0);
    const row = await rowOf(l.report, 'moov-at-end.mp4');
    expect(row.status).toBe('skipped');
    expect(row.reason).toMatch(/^the source changed since it was read \((it was modified|its content differs)\): not replaced/);
    expect(await fileSha1(path)).not.toBe(corpus.sha1['moov-at-end.mp4']); // the user's edit, not ours
    expect((await stat(path)).size).toBe((await stat(join(corpus.dir, 'moov-at-end.mp4'))).size);
    expect((await readdir(l.dir)).filter((f) => f.includes('.mtk-'))).toEqual([]);
    // the rerun sees a new file and encodes it
    const again = await runCli(args(l.dir, l.manifest, ['--optimize-in-place', '--report', l.report]));
    expect(again.code, again.stderr).toBe(0);
    expect((await rowOf(l.report, 'moov-at-end.mp4')).status).toBe('replaced');
  });

  it('appended to between the backup link and the swap: caught right before the rename', async () => {
    const l = await lib(['moov-at-end.mp4']);
    const path = join(l.dir, 'moov-at-end.mp4');
    const r = await pausedRun([...args(l.dir, l.manifest, ['--optimize-in-place', '--report', l.report])], {}, l.pause, 'backed-up', async () => {
      await appendFile(path, 'one more line the user wrote');
    });
    expect(r.code, r.stderr).toBe(0);
    const row = await rowOf(l.report, 'moov-at-end.mp4');
    expect(row).toMatchObject({ status: 'skipped' });
    expect(row.reason).toMatch(/its size is \d+ bytes, not \d+/);
    expect((await readFile(path)).subarray(-28).toString()).toBe('one more line the user wrote');
    expect((await readdir(l.dir)).filter((f) => f.includes('.mtk-'))).toEqual([]);
  });
});

describe('two runs, one manifest', () => {
  it('a second run on the same manifest stops with one line naming the first; a dead run\'s lock is taken over', async () => {
    const l = await lib(['moov-at-end.mp4']);
    const first = await pausedRun(args(l.dir, l.manifest, ['--optimize-in-place']), {}, l.pause, 'staged', async () => {
      const second = await runCli(args(l.dir, l.manifest, ['--optimize-in-place']));
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/manifest .*manifest\.json is in use by another optimize run \(pid \d+ on .+, since .+\); wait for it, or delete .*manifest\.json\.lock if that run is gone/);
      expect(second.stderr).not.toMatch(/\n\s+at /); // one line, no stack
    });
    expect(first.code, first.stderr).toBe(0);
    expect(await exists(`${l.manifest}.lock`)).toBe(false);
    // a lock left by a run killed with SIGKILL (its pid is gone)
    await writeFile(`${l.manifest}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), startedAt: '2024-01-01T00:00:00Z' }));
    const after = await runCli(args(l.dir, l.manifest, ['--optimize-in-place']));
    expect(after.code, after.stderr).toBe(0);
    expect(after.stderr).toMatch(/taking over .*manifest\.json\.lock from a run that is gone \(pid 4206649/);
  });
});

describe('output names', () => {
  it('a.mov and a.mp4 get distinct names, companions too, decided before any encode', () => {
    const names = planOutputNames(['v/a.mov', 'v/a.mp4', 'v/b.MKV', 'v/b.mp4', 'c.webm'], { mode: 'copy', createWebm: true, containerOf: () => 'mp4' });
    expect(Object.fromEntries([...names].map(([k, v]) => [k, [v.main, v.companion, v.refused]]))).toEqual({
      'v/a.mov': ['v/a.mov.mp4', 'v/a.mov.webm', undefined],
      'v/a.mp4': ['v/a.mp4', 'v/a.webm', undefined],
      'v/b.MKV': ['v/b.MKV.mp4', 'v/b.MKV.webm', undefined],
      'v/b.mp4': ['v/b.mp4', 'v/b.webm', undefined],
      'c.webm': ['c.mp4', 'c.webm', undefined],
    });
    expect(names.get('v/a.mov')!.note).toBe('output named v/a.mov.mp4: v/a.mp4 also maps to v/a.mp4; WebM companion named v/a.mov.webm: v/a.mp4 also maps to v/a.webm');
    // in place the sources keep their names; a companion never takes a source's
    const inPlace = planOutputNames(['x.mp4', 'x.webm'], { mode: 'in-place', createWebm: true, containerOf: (k) => (k.endsWith('.webm') ? 'webm' : 'mp4') });
    expect(inPlace.get('x.mp4')).toMatchObject({ main: 'x.mp4', companion: 'x.mp4.webm' });
    expect(inPlace.get('x.webm')).toMatchObject({ main: 'x.webm' });
    expect(inPlace.get('x.webm')!.companion).toBeUndefined();
    // a key literally named like the moved-aside name: refused with a clear line
    const clash = planOutputNames(['a.mov', 'a.mp4', 'a.mov.mp4'], { mode: 'copy', createWebm: false, containerOf: () => 'mp4' });
    expect(clash.get('a.mov')!.refused).toBe('no output name of its own: a.mov.mp4 is also wanted by a.mov.mp4; rename one of them');
    expect(clash.get('a.mov.mp4')!.refused).toBeUndefined();
  });

  it('through the CLI: both outputs written, both originals intact, the report says why one name differs', async () => {
    const l = await lib([]);
    await cp(join(corpus.dir, 'rotated-270.mov'), join(l.dir, 'clip.mov'));
    await cp(join(corpus.dir, 'moov-at-end.mp4'), join(l.dir, 'clip.mp4'));
    const out = join(l.dir, '..', 'out');
    const r = await runCli(args(l.dir, l.manifest, ['--optimize-videos', '--optimized-videos-dir', out, '--report', l.report]));
    expect(r.code, r.stderr).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['clip.mov.mp4', 'clip.mp4']);
    expect((await rowOf(l.report, 'clip.mov')).note).toBe('output named clip.mov.mp4: clip.mp4 also maps to clip.mp4');
    expect(await fileSha1(join(l.dir, 'clip.mov'))).toBe(corpus.sha1['rotated-270.mov']);
    expect(await fileSha1(join(l.dir, 'clip.mp4'))).toBe(corpus.sha1['moov-at-end.mp4']);
  });
});

describe('the toolkit never feeds on its own files', () => {
  it('an optimized folder inside the source folder, and in-place WebM companions, are left out of the next run', async () => {
    const l = await lib(['moov-at-end.mp4', 'anamorphic.mp4']);
    const inside = join(l.dir, 'optimized');
    const first = await runCli(args(l.dir, l.manifest, ['--optimize-videos', '--optimized-videos-dir', inside]));
    expect(first.code, first.stderr).toBe(0);
    expect((await readdir(inside)).sort()).toEqual(['anamorphic.mp4', 'moov-at-end.mp4']);
    // a fresh manifest: the folder inside is still known as the output folder
    const second = await runCli(args(l.dir, `${l.manifest}.2`, ['--optimize-videos', '--optimized-videos-dir', inside]));
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/optimize: left out 2 of the toolkit's own files \(2: the --optimized-videos-dir inside the folder\)/);
    expect(second.stderr).toMatch(/optimize: 2 candidate\(s\)/);
    // in place with companions: the companions written beside the sources are not candidates next time
    const l2 = await lib(['moov-at-end.mp4']);
    const a = await runCli(args(l2.dir, l2.manifest, ['--optimize-in-place', '--create-webm']));
    expect(a.code, a.stderr).toBe(0);
    expect((await readdir(l2.dir)).sort()).toEqual(['moov-at-end.mp4', 'moov-at-end.webm']);
    const b = await runCli(args(l2.dir, l2.manifest, ['--optimize-in-place', '--create-webm']));
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/left out 1 of the toolkit's own files \(1: a WebM companion an earlier run wrote\)/);
    expect(b.stderr).toMatch(/skipped\s+moov-at-end\.mp4\s+\(already optimized/);
  });
});

describe('a source that changes is never replaced (the real S3 server)', () => {
  let s3: S3TestServer;
  beforeAll(async () => {
    s3 = await startS3Server();
  });
  afterAll(async () => {
    await s3?.stop();
  });
  const keys = async (bucket: string) => ((await s3.client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key!).sort();
  const body = async (bucket: string, key: string) => Buffer.from(await (await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray());

  // after the upload (the backup copy's CopySourceIfMatch refuses), and in the last moment: the parts of the
  // replacement are copied and only the If-Match completion is left
  for (const step of ['uploaded', 'parts-copied']) {
    it(`an upload landing after "${step}" is kept, never overwritten`, async () => {
      const bucket = `changed-${step}`;
      await s3.createBucket(bucket);
      const original = await readFile(join(corpus.dir, 'moov-at-end.mp4'));
      await s3.putObjects(bucket, [{ key: 'v/clip.mp4', body: original }]);
      const l = await lib([]);
      const theirs = Buffer.from(`a new version uploaded by someone else at ${step}`);
      const r = await pausedRun([...args(bucket, l.manifest, ['--optimize-in-place', '--report', l.report]), '--remote', 's3', '--endpoint', s3.endpoint], s3.awsEnv(), l.pause, step, async () => {
        await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'v/clip.mp4', Body: theirs }));
      });
      expect(r.code, r.stderr).toBe(0);
      const row = await rowOf(l.report, 'v/clip.mp4');
      expect(row.status).toBe('skipped');
      expect(row.reason).toMatch(step === 'uploaded' ? /its ETag is [0-9a-f]+, not [0-9a-f]+/ : /a new upload landed during the replacement/);
      expect((await body(bucket, 'v/clip.mp4')).equals(theirs)).toBe(true);
      expect(await keys(bucket)).toEqual(['v/clip.mp4']); // temp and backup keys gone
    });
  }

  it('copies under --output-prefix in the same bucket are never candidates', async () => {
    await s3.createBucket('own-prefix');
    await s3.putObjects('own-prefix', [{ key: 'v/clip.mp4', body: await readFile(join(corpus.dir, 'moov-at-end.mp4')) }]);
    const l = await lib([]);
    const s3Args = (manifest: string) => [...args('own-prefix', manifest, ['--optimize-videos', '--output-prefix', 'optimized/']), '--remote', 's3', '--endpoint', s3.endpoint];
    const first = await runCli(s3Args(l.manifest), { env: s3.awsEnv() });
    expect(first.code, first.stderr).toBe(0);
    expect(await keys('own-prefix')).toEqual(['optimized/v/clip.mp4', 'v/clip.mp4']);
    const second = await runCli(s3Args(`${l.manifest}.2`), { env: s3.awsEnv() });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/left out 1 of the toolkit's own files \(1: the --output-prefix of the optimized copies\)/);
    expect(second.stderr).toMatch(/optimize: 1 candidate\(s\)/);
  });
});
