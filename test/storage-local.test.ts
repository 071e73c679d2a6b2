// The local folder backend and rclone's `local` type over the same folder.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, runCli } from './helpers/cli.js';
import { listObjects } from '../storage/index.js';
import { compareKeys } from '../storage/key-order.js';

describe('local folder backend', () => {
  let root: string;
  let bucket: string;
  let outside: string;
  const files: Record<string, number> = {
    'a.mp4': 10,
    'a/b.mov': 0,
    'a/c/d e.JPG': 7,
    'a.b/x.webm': 3,
    'ünï/😀 +#%?.mp4': 5,
    'z/deep/deeper/file.MP4': 12,
  };
  let expected: Array<{ key: string; size: number }>;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'mt-local-'));
    bucket = join(root, 'bucket');
    outside = join(root, 'outside');
    await mkdir(outside, { recursive: true });
    await writeFile(join(outside, 'secret.mp4'), 'do not list me');
    for (const [key, size] of Object.entries(files)) {
      await mkdir(join(bucket, key, '..'), { recursive: true });
      await writeFile(join(bucket, key), Buffer.alloc(size, 1));
    }
    // Symbolic links out of the folder (a folder and a file) and one inside it: none are followed.
    await symlink(outside, join(bucket, 'escape-dir'));
    await symlink(join(outside, 'secret.mp4'), join(bucket, 'a', 'escape.mp4'));
    await symlink(join(bucket, 'a'), join(bucket, 'inner-link'));
    expected = Object.entries(files)
      .map(([key, size]) => ({ key, size }))
      .sort((x, y) => compareKeys(x.key, y.key));
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('lists recursively in key order, never through symbolic links', async () => {
    const r = await runCli(['list', '--remote', 'local', '--bucket', bucket, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const got = JSON.parse(r.stdout);
    expect(got.map((o: { key: string; size: number }) => ({ key: o.key, size: o.size }))).toEqual(expected);
    const mtime = (await stat(join(bucket, 'a.mp4'))).mtime.toISOString();
    expect(got.find((o: { key: string }) => o.key === 'a.mp4')).toEqual({ key: 'a.mp4', size: 10, lastModified: mtime, etag: '' });
    expect(r.stdout).not.toContain('secret');
  });

  it('list output piped into analyze --listing-file - (stdin), as jsonl and as csv', async () => {
    for (const format of ['jsonl', 'csv']) {
      const listed = await runCli(['list', '--remote', 'local', '--bucket', bucket, '--format', format]);
      expect(listed.code).toBe(0);
      const a = await runCli(['analyze', '--listing-file', '-', '--listing-format', format, '--format', 'json', '--top', '2'], { input: listed.stdout });
      expect(a.stderr).toBe('');
      expect(a.code).toBe(0);
      const rep = JSON.parse(a.stdout);
      expect([rep.count, rep.totalBytes, rep.largest.map((f: { key: string }) => f.key)]).toEqual([
        expected.length,
        expected.reduce((sum, e) => sum + e.size, 0),
        ['z/deep/deeper/file.MP4', 'a.mp4'],
      ]);
    }
  });

  it('--directory lists a subfolder with keys relative to the bucket, and may not leave it', async () => {
    const keys: string[] = [];
    for await (const o of listObjects({ remote: 'local', bucket, directory: 'a' })) keys.push(o.key);
    expect(keys).toEqual(['a/b.mov', 'a/c/d e.JPG']);
    const none: string[] = [];
    for await (const o of listObjects({ remote: 'local', bucket, directory: 'no-such-folder' })) none.push(o.key);
    expect(none).toEqual([]);

    const up = await runCli(['list', '--remote', 'local', '--bucket', bucket, '--directory', '../outside']);
    expect(up.code).toBe(2);
    expect(up.stderr.trim()).toBe('media-toolkit: --directory "../outside" leaves the bucket folder');
    await expect(async () => {
      for await (const _ of listObjects({ remote: 'local', bucket, directory: 'escape-dir' })) void _;
    }).rejects.toThrow('--directory "escape-dir" goes through a symbolic link (escape-dir): not followed');
  });

  it('a reader that stops early (| head -1) ends the listing quietly with exit 0', async () => {
    const { spawnSync } = await import('node:child_process');
    const big = join(ROOT, 'node_modules');
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" list --remote local --bucket "${big}" --format jsonl | head -1; exit \${PIPESTATUS[0]}`], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(Object.keys(JSON.parse(r.stdout))).toEqual(['key', 'size', 'lastModified', 'etag']);
  });

  it('a missing folder is one clear line with exit 1', async () => {
    const r = await runCli(['list', '--remote', 'local', '--bucket', join(root, 'missing')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`media-toolkit: error: local bucket folder "${join(root, 'missing')}" does not exist`);
  });

  it("rclone's local type over the same folder lists the same files (one lsjson call, symlinks skipped)", async () => {
    const saved = process.env.RCLONE_CONFIG_LOCALDISK_TYPE;
    const savedBin = process.env.RCLONE_BIN;
    process.env.RCLONE_CONFIG_LOCALDISK_TYPE = 'local';
    // A wrapper that records each rclone invocation: one call per listing, never one per file.
    const calls = join(root, 'rclone-calls.log');
    const wrapper = join(root, 'rclone-wrapper.sh');
    await writeFile(wrapper, `#!/bin/sh\necho "$*" >> '${calls}'\nexec rclone "$@"\n`, { mode: 0o755 });
    process.env.RCLONE_BIN = wrapper;
    try {
      const got: Array<{ key: string; size: number }> = [];
      for await (const o of listObjects({ remote: 'localdisk', bucket })) {
        got.push({ key: o.key, size: o.size });
        // rclone truncates nanoseconds, Node rounds them: equal to the millisecond.
        expect(Math.abs(Date.parse(o.lastModified) - (await stat(join(bucket, o.key))).mtimeMs)).toBeLessThanOrEqual(1);
      }
      expect(got.sort((x, y) => compareKeys(x.key, y.key))).toEqual(expected);
      expect((await readFile(calls, 'utf8')).trim().split('\n')).toEqual([`lsjson -R --files-only --no-mimetype --use-server-modtime --checkers 16 localdisk:${bucket}`]);
      const sub: string[] = [];
      for await (const o of listObjects({ remote: 'localdisk', bucket, directory: 'a', extensions: ['.jpg'] })) sub.push(o.key);
      expect(sub).toEqual(['a/c/d e.JPG']);
      await expect(async () => {
        for await (const _ of listObjects({ remote: 'localdisk', bucket: join(root, 'missing') })) void _;
      }).rejects.toThrow(/localdisk:.*missing not found/);
    } finally {
      if (saved === undefined) delete process.env.RCLONE_CONFIG_LOCALDISK_TYPE;
      else process.env.RCLONE_CONFIG_LOCALDISK_TYPE = saved;
      if (savedBin === undefined) delete process.env.RCLONE_BIN;
      else process.env.RCLONE_BIN = savedBin;
    }
  });
});
