// `media-toolkit diff` as a user runs it: two listing files written by `list`, or a
// listing file against the live folder; every output format read back by the key-list
// reader that `prewarm --only-keys` and `purge --keys-file` use.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { readKeyList, loadKeySet, keyFileKind } from '../storage/key-list.js';
import { emptyCounts, hasChanged, mergeJoin } from '../prep/diff/merge-join.js';
import { batchesOf } from '../storage/listing-batches.js';
import type { StoredObject } from '../storage/types.js';
import { startOrigin, type RunningOrigin } from '../origin/index.js';
import type { ResultsFile } from '../common/results-record.js';

let dir: string;
let bucket: string;

// Keys that break naive formats: a pipe and a backslash (Markdown), a comma and a quote (CSV), unicode, a space.
const ODD = ['dir/a|b\\c.mp4', 'dir/comma,"quote".mp4', 'ünï/cødé pic.jpg'];

function put(rel: string, bytes: number, mtime = new Date('2024-05-01T10:00:00Z')) {
  const full = join(bucket, rel);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, Buffer.alloc(bytes, 7));
  utimesSync(full, mtime, mtime);
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mt-diff-'));
  bucket = join(dir, 'bucket');
  put('keep.mp4', 100);
  put('grow.mp4', 100);
  put('gone.mp4', 100);
  put('touched.jpg', 50);
  for (const k of ODD) put(k, 10);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('diff', () => {
  it('finds new, changed (size, then time) and deleted keys between two listings of a folder, in key order', async () => {
    const before = join(dir, 'before.jsonl');
    expect((await runCli(['list', '--remote', 'local', '--bucket', bucket, '--format', 'jsonl', '--output', before])).code).toBe(0);
    // The bucket changes: one file grows, one is re-written with the same size later, one goes, one comes.
    put('grow.mp4', 180);
    put('touched.jpg', 50, new Date('2024-06-01T00:00:00Z'));
    rmSync(join(bucket, 'gone.mp4'));
    put('new/fresh.mp4', 70);
    const after = join(dir, 'after.csv');
    expect((await runCli(['list', '--remote', 'local', '--bucket', bucket, '--format', 'csv', '--output', after])).code).toBe(0);

    const r = await runCli(['diff', '--before', before, '--after', after]);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((x) => `${x.change} ${x.key}`)).toEqual(['deleted gone.mp4', 'changed grow.mp4', 'new new/fresh.mp4', 'changed touched.jpg']);
    expect(rows[1]).toMatchObject({ size: 180, before: { size: 100 } });
    expect(rows[3].before.lastModified).not.toBe(rows[3].lastModified);
    expect(r.stderr.trim().split('\n').pop()).toBe(`diff: 1 new, 2 changed, 1 deleted, ${1 + ODD.length} unchanged`);

    // The same against the live folder (a local listing streams in key order too).
    const live = await runCli(['diff', '--before', before, '--remote', 'local', '--bucket', bucket, '--format', 'csv']);
    expect(live.code, live.stderr).toBe(0);
    expect(live.stdout.split('\n')[0]).toBe('change,key,size,lastModified,etag,beforeSize,beforeLastModified,beforeEtag');
    expect(live.stdout).toContain('changed,grow.mp4,180,');
  });

  it('writes every format atomically, and the key-list reader gets the exact keys back from each', async () => {
    const before = join(dir, 'odd-before.jsonl');
    const after = join(dir, 'odd-after.jsonl');
    const rows = (keys: string[], size: number) => keys.map((key) => JSON.stringify({ key, size, lastModified: '', etag: `e${size}` })).join('\n');
    const sorted = [...ODD, 'z.mp4'].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    writeFileSync(before, `${rows(sorted.filter((k) => k !== 'z.mp4'), 1)}\n`);
    writeFileSync(after, `${rows(sorted, 2)}\n`);
    for (const [format, ext] of [['jsonl', 'jsonl'], ['csv', 'csv'], ['markdown', 'md']] as const) {
      const out = join(dir, `changes.${ext}`);
      const r = await runCli(['diff', '--before', before, '--after', after, '--format', format, '--output', out]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('');
      const entries = await collect(readKeyList(out));
      expect(entries, format).toEqual(sorted.map((key) => ({ key, change: key === 'z.mp4' ? 'new' : 'changed' })));
      // Without the extension the reader recognises the content.
      const bare = join(dir, `changes-${format}`);
      writeFileSync(bare, readFileSync(out));
      expect(await keyFileKind(bare)).toBe(format === 'jsonl' ? 'json' : format);
      expect([...(await loadKeySet(bare, { changes: ['new'] }))]).toEqual(['z.mp4']);
    }
    expect(readFileSync(join(dir, 'changes.md'), 'utf8')).toContain('**1 new, 3 changed, 0 deleted, 0 unchanged**');
  });

  it('reads listings and plain key lists as key files; a missing file is one line', async () => {
    const listing = join(dir, 'before.jsonl');
    expect([...(await loadKeySet(listing))]).toContain('keep.mp4');
    const plain = join(dir, 'keys.txt');
    writeFileSync(plain, '\uFEFFvideos/a.mp4\r\n\n {leading space}.mp4\nlast.mp4');
    expect(await collect(readKeyList(plain))).toEqual([{ key: 'videos/a.mp4' }, { key: ' {leading space}.mp4' }, { key: 'last.mp4' }]);
    await expect(collect(readKeyList(join(dir, 'nope.txt')))).rejects.toThrow(/key file .*nope\.txt does not exist/);
  });

  it("reads list's table (its default format) as a key file, odd keys exact; diff refuses a table with one line", async () => {
    const keysDir = join(dir, 'table-bucket');
    const keys = ['  leading spaces.mp4', 'a/b c.jpg', ...ODD];
    for (const k of keys) {
      mkdirSync(join(keysDir, k, '..'), { recursive: true });
      writeFileSync(join(keysDir, k), Buffer.alloc(1500, 1));
    }
    const table = join(dir, 'listing.txt');
    expect((await runCli(['list', '--remote', 'local', '--bucket', keysDir, '--output', table])).code).toBe(0);
    expect(readFileSync(table, 'utf8')).toMatch(/^ +SIZE {2}LAST MODIFIED +KEY\n/);
    expect(await keyFileKind(table)).toBe('table');
    expect([...(await loadKeySet(table))].sort()).toEqual([...keys].sort());
    // A time longer than the column (rclone's nanoseconds) shifts the key; an empty table has only its total line.
    const wide = join(dir, 'wide-table');
    writeFileSync(wide, '        SIZE  LAST MODIFIED             KEY\n      1000 B  2024-05-01T10:00:00.123456789Z  x y.mp4\n           -  -                         z.mp4\n2 objects, 1000 B (1000 bytes)\n');
    expect(await collect(readKeyList(wide))).toEqual([{ key: 'x y.mp4' }, { key: 'z.mp4' }]);
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '0 objects, 0 B (0 bytes)\n');
    expect(await collect(readKeyList(empty))).toEqual([]);
    const broken = join(dir, 'broken.txt');
    writeFileSync(broken, '        SIZE  LAST MODIFIED             KEY\nnot a row\n');
    await expect(collect(readKeyList(broken))).rejects.toThrow(/line 2: not a row of `list --format table`/);

    const r = await runCli(['diff', '--before', table, '--remote', 'local', '--bucket', keysDir]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining('is a table listing')]);
  });

  it('standard input is told apart like a file: `diff | purge --keys-file -` sends the change list\'s keys', async () => {
    const changes = await runCli(['diff', '--before', join(dir, 'before.jsonl'), '--remote', 'local', '--bucket', bucket]);
    expect(changes.code, changes.stderr).toBe(0);
    const purge = (input: string) =>
      runCli(['purge', '--provider', 'http', '--base-url', 'http://127.0.0.1:9', '--keys-file', '-', '--changes', 'new,changed,deleted', '--media-type', 'image', '--dry-run'], { input });
    const fromDiff = await purge(changes.stdout);
    expect(fromDiff.code, fromDiff.stderr).toBe(0);
    const sent = (r: { stdout: string }) => r.stdout.split('\n').filter((l) => l.startsWith('PURGE ')).map((l) => l.slice('PURGE http://127.0.0.1:9/'.length));
    // Videos: the source URL alone (--media-type image); the image: its source, then its variants.
    expect(sent(fromDiff).slice(0, 4)).toEqual(['gone.mp4', 'grow.mp4', 'new/fresh.mp4', 'touched.jpg']);
    expect(sent(fromDiff).every((u) => !u.includes('%7B'))).toBe(true);
    const table = await runCli(['list', '--remote', 'local', '--bucket', bucket, '--extensions', 'jpg']);
    expect(sent(await purge(table.stdout)).filter((u) => !u.includes('?') && !u.includes('_'))).toEqual(['touched.jpg', encodeURI(ODD[2])]);
  });

  it('takes a json listing (an array, one object per line) on either side', async () => {
    const before = join(dir, 'before.json');
    const after = join(dir, 'after.json');
    writeFileSync(before, `[\n${['a.mp4', 'b.mp4'].map((key) => JSON.stringify({ key, size: 1, lastModified: '2024-01-01T00:00:00Z', etag: '' })).join(',\n')}\n]\n`);
    writeFileSync(after, `[\n${['b.mp4', 'c.mp4'].map((key) => JSON.stringify({ key, size: 1, lastModified: '2024-01-01T00:00:00Z', etag: '' })).join(',\n')}\n]\n`);
    const r = await runCli(['diff', '--before', before, '--after', after, '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n').slice(1).map((l) => l.split(',').slice(0, 2).join(' '))).toEqual(['deleted a.mp4', 'new c.mp4']);
  });

  it('refuses listings that are not in key order with one line and exit 1', async () => {
    const unsorted = join(dir, 'unsorted.jsonl');
    writeFileSync(unsorted, ['b.mp4', 'a.mp4'].map((key) => JSON.stringify({ key, size: 1 })).join('\n'));
    const r = await runCli(['diff', '--before', unsorted, '--after', join(dir, 'before.jsonl')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('is not in S3 key order at entry 2 ("a.mp4" after "b.mp4")');
    const usage = await runCli(['diff', '--after', unsorted]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--before OLD-LISTING is required');
  });

  it('applies filters to both sides, so a filtered-out key is not reported as deleted', async () => {
    const r = await runCli(['diff', '--before', join(dir, 'before.jsonl'), '--remote', 'local', '--bucket', bucket, '--media-type', 'image', '--changes', 'changed,deleted']);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((x) => x.key)).toEqual(['touched.jpg']);
  });

  it('compares by ETag when both sides have one, else by size and time', () => {
    const o = (size: number, etag: string, lastModified: string): StoredObject => ({ key: 'k', size, etag, lastModified });
    expect(hasChanged(o(1, 'a', '2024-01-01T00:00:00Z'), o(1, 'a', '2024-02-01T00:00:00Z'))).toBe(false);
    expect(hasChanged(o(1, 'a', ''), o(1, 'b', ''))).toBe(true);
    expect(hasChanged(o(1, '', '2024-01-01T00:00:00Z'), o(1, '', '2024-01-01T00:00:00.000Z'))).toBe(false);
    expect(hasChanged(o(1, '', '2024-01-01T00:00:00Z'), o(1, '', '2024-01-01T00:00:01Z'))).toBe(true);
    expect(hasChanged(o(1, 'a', ''), o(2, 'a', ''))).toBe(true);
  });

  it('streams: a merge-join of generated listings never holds more than one entry a side', async () => {
    let held = 0;
    let most = 0;
    async function* side(n: number, step: number) {
      for (let i = 0; i < n; i += step) {
        held++;
        most = Math.max(most, held);
        yield { key: `k${String(i).padStart(7, '0')}`, size: i % 97 === 0 ? 2 : 1, lastModified: '', etag: '' };
        held--;
      }
    }
    const counts = emptyCounts();
    let n = 0;
    await mergeJoin(batchesOf(side(20_000, 1), 1), batchesOf(side(20_000, 2), 1), counts, () => {
      n++;
    });
    expect(counts).toEqual({ new: 0, changed: 0, deleted: 10_000, unchanged: 10_000 });
    expect(n).toBe(10_000);
    expect(most).toBeLessThanOrEqual(2);
  });
});

describe('prewarm --only-keys', () => {
  let origin: RunningOrigin;
  beforeAll(async () => {
    origin = await startOrigin({ root: bucket, syntheticBytesPerWidth: 8 });
  });
  afterAll(async () => origin?.close());

  it('warms only the new and changed keys of a change list', async () => {
    const changes = join(dir, 'only.jsonl');
    const r = await runCli(['diff', '--before', join(dir, 'before.jsonl'), '--remote', 'local', '--bucket', bucket, '--output', changes]);
    expect(r.code, r.stderr).toBe(0);
    const out = join(dir, 'only-results.json');
    const p = await runCli(['prewarm', '--remote', 'local', '--bucket', bucket, '--base-url', origin.url, '--only-keys', changes, '--output', out, '--progress', 'false']);
    expect(p.code, p.stderr).toBe(0);
    const results = JSON.parse(readFileSync(out, 'utf8')) as ResultsFile;
    expect([...new Set(results.records.map((x) => x.key))].sort()).toEqual(['grow.mp4', 'new/fresh.mp4', 'touched.jpg']);
    expect(results.records.every((x) => x.ok)).toBe(true);
  });

  it("takes list's table and a plain key list as well", async () => {
    const table = join(dir, 'only-table.txt');
    expect((await runCli(['list', '--remote', 'local', '--bucket', bucket, '--extensions', 'jpg', '--output', table])).code).toBe(0);
    const plain = join(dir, 'only-plain');
    writeFileSync(plain, 'grow.mp4\nno/such/key.mp4\n');
    for (const [file, want] of [[table, ['touched.jpg', ODD[2]]], [plain, ['grow.mp4']]] as const) {
      const out = join(dir, 'only-kinds.json');
      const p = await runCli(['prewarm', '--remote', 'local', '--bucket', bucket, '--base-url', origin.url, '--only-keys', file, '--output', out, '--progress', 'false']);
      expect(p.code, p.stderr).toBe(0);
      const results = JSON.parse(readFileSync(out, 'utf8')) as ResultsFile;
      expect([...new Set(results.records.map((x) => x.key))].sort(), file).toEqual([...want].sort());
    }
  });
});
