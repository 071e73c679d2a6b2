import { describe, expect, it } from 'vitest';
import { parseByteSize, formatBytes } from '../common/byte-size.js';
import { globMatcher, globToRegExp } from '../common/glob.js';
import { objectFilter } from '../storage/filters.js';
import { compareKeys } from '../storage/key-order.js';
import { createHeap } from '../storage/heap.js';
import { jsonValuesByLine } from '../storage/json-lines.js';
import { backendOf, directoryPrefix } from '../storage/index.js';

const obj = (key: string, size = 10) => ({ key, size, lastModified: '', etag: '' });

describe('parseByteSize', () => {
  it('reads bytes and decimal and binary units', () => {
    expect(parseByteSize('1048576')).toBe(1048576);
    expect(parseByteSize('50MiB')).toBe(50 * 1024 * 1024);
    expect(parseByteSize('1.5GB')).toBe(1.5e9);
    expect(parseByteSize('1.5 gib')).toBe(1.5 * 2 ** 30);
    expect(parseByteSize('200k')).toBe(200 * 1024);
    expect(parseByteSize('0')).toBe(0);
  });
  it('refuses nonsense', () => {
    expect(() => parseByteSize('-5')).toThrow(/expected a size/);
    expect(() => parseByteSize('12 parsecs')).toThrow(/unknown size unit/);
    expect(() => parseByteSize('')).toThrow();
  });
  it('formats', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(300 * 2 ** 20)).toBe('300.0 MiB');
  });
});

describe('glob', () => {
  it('* stays inside a folder, ** crosses folders, ? is one character', () => {
    expect(globMatcher('raw/*.mp4')('raw/a.mp4')).toBe(true);
    expect(globMatcher('raw/*.mp4')('raw/x/a.mp4')).toBe(false);
    expect(globMatcher('raw/**/*.mp4')('raw/a.mp4')).toBe(true);
    expect(globMatcher('raw/**/*.mp4')('raw/x/y/a.mp4')).toBe(true);
    expect(globMatcher('**/thumbs/**')('a/thumbs/b/c.jpg')).toBe(true);
    expect(globMatcher('**/thumbs/**')('thumbs/c.jpg')).toBe(true);
    expect(globMatcher('**/thumbs/**')('a/thumbnails/c.jpg')).toBe(false);
    expect(globMatcher('clip?.mov')('x/clip1.mov')).toBe(true);
    expect(globMatcher('clip?.mov')('x/clip12.mov')).toBe(false);
  });
  it('a pattern without / matches the file name anywhere; regex characters are literal', () => {
    expect(globMatcher('*.tmp')('a/b/c.tmp')).toBe(true);
    expect(globMatcher('*.tmp')('a/b/c.tmpx')).toBe(false);
    expect(globMatcher('a+b (1).mp4')('dir/a+b (1).mp4')).toBe(true);
    expect(globMatcher('a.mp4')('dir/axmp4')).toBe(false);
    expect(globToRegExp('[!a]x').test('bx')).toBe(true);
    expect(globToRegExp('[!a]x').test('ax')).toBe(false);
    expect(globToRegExp('[a-c]x').test('bx')).toBe(true);
  });
});

describe('objectFilter', () => {
  it('extensions are case-insensitive and accept no dot', () => {
    const f = objectFilter({ extensions: ['mp4', '.MOV'] })!;
    expect(['a.MP4', 'b.mov', 'c.mkv', 'mp4'].filter((k) => f(obj(k)))).toEqual(['a.MP4', 'b.mov']);
  });
  it('media type, sizes and excludes combine', () => {
    const f = objectFilter({ mediaType: 'image', minSize: 5, maxSize: 10, exclude: ['**/skip/**'] })!;
    expect(f(obj('a.JPG', 5))).toBe(true);
    expect(f(obj('a.jpg', 11))).toBe(false);
    expect(f(obj('a.jpg', 4))).toBe(false);
    expect(f(obj('a.mp4', 5))).toBe(false);
    expect(f(obj('x/skip/a.jpg', 5))).toBe(false);
    const auto = objectFilter({ mediaType: 'auto' })!;
    expect([auto(obj('a.mp4')), auto(obj('a.png')), auto(obj('a.txt'))]).toEqual([true, true, false]);
    expect(objectFilter({})).toBeNull();
  });
});

describe('key order', () => {
  it('sorts by UTF-8 bytes like S3', () => {
    const keys = ['b', 'a/b', 'a.b', 'a', '\uE000', '😀', 'Z', 'é'];
    const sorted = [...keys].sort(compareKeys);
    const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(sorted).toEqual(byBytes);
    expect(sorted.indexOf('\uE000')).toBeLessThan(sorted.indexOf('😀'));
  });
});

describe('heap', () => {
  it('pops in order', () => {
    const h = createHeap<number>((a, b) => a < b);
    for (const n of [5, 1, 9, 3, 3, 7]) h.push(n);
    const out: number[] = [];
    while (h.size) out.push(h.pop()!);
    expect(out).toEqual([1, 3, 3, 5, 7, 9]);
  });
});

describe('jsonValuesByLine', () => {
  it('reads an array with one element per line split across chunks', async () => {
    const text = '[\n{"a":1},\n{"a":"ü"}\n]\n';
    const bytes = Buffer.from(text);
    const chunks = [bytes.subarray(0, 7), bytes.subarray(7, 16), bytes.subarray(16)];
    const got: unknown[] = [];
    for await (const v of jsonValuesByLine((async function* () { yield* chunks; })())) got.push(v);
    expect(got).toEqual([{ a: 1 }, { a: 'ü' }]);
  });
  it('names the line that is not JSON', async () => {
    const run = async () => {
      for await (const _ of jsonValuesByLine((async function* () { yield '{"a":1}\n{oops\n'; })(), 'f.jsonl')) void _;
    };
    await expect(run()).rejects.toThrow(/f.jsonl: line 2/);
  });
});

describe('remote names', () => {
  it('picks the backend', () => {
    expect(backendOf('s3').backend).toBe('s3');
    expect(backendOf('local').backend).toBe('local');
    expect(backendOf('myr2')).toEqual({ backend: 'rclone', name: 'myr2' });
    expect(backendOf('rclone:s3')).toEqual({ backend: 'rclone', name: 's3' });
    expect(() => backendOf('bad/name')).toThrow(/not s3, local or an rclone remote/);
    expect(directoryPrefix('videos')).toBe('videos/');
    expect(directoryPrefix('/videos/')).toBe('videos/');
    expect(directoryPrefix('')).toBe('');
  });
});

describe('S3 client options', () => {
  it('path-style by default with an endpoint, and as asked otherwise; R2 region passes through', async () => {
    const { createS3Client } = await import('../storage/s3.js');
    const withEndpoint = await createS3Client({ endpoint: 'http://127.0.0.1:1' });
    const virtual = await createS3Client({ endpoint: 'http://127.0.0.1:1', forcePathStyle: false });
    const aws = await createS3Client({ region: 'eu-west-1' });
    const r2 = await createS3Client({ endpoint: 'https://acct.r2.cloudflarestorage.com', region: 'auto' });
    try {
      expect(withEndpoint.config.forcePathStyle).toBe(true);
      expect(virtual.config.forcePathStyle).toBe(false);
      expect(aws.config.forcePathStyle).toBe(false);
      expect(await aws.config.region()).toBe('eu-west-1');
      expect(await r2.config.region()).toBe('auto');
    } finally {
      for (const c of [withEndpoint, virtual, aws, r2]) c.destroy();
    }
  });
});
