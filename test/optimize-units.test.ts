// Pure parts of the optimizer: listings, candidate selection, safe paths,
// expected S3 ETags, audio compliance, worker defaults, report totals.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isToolkitTemp, normaliseExtensions, readListingFile, selectCandidates } from '../optimize/candidates.js';
import { safeJoin, withExtension, workDirFor } from '../optimize/paths.js';
import { expectedEtags } from '../optimize/s3-objects.js';
import { audioComplies } from '../optimize/streams.js';
import { defaultWorkers, threadsPerWorker } from '../optimize/index.js';
import { computeTotals } from '../optimize/report.js';
import { parseProbe, bitsPerPixel } from '../media/probe.js';

const MiB = 1024 * 1024;

describe('listings and candidates', () => {
  const objs = [
    { key: 'a.mp4', size: 300 * MiB }, { key: 'b.MOV', size: 600 * MiB }, { key: 'c.mp4', size: 100 * MiB },
    { key: 'd.jpg', size: 900 * MiB }, { key: '.media-toolkit-tmp/b.MOV', size: 700 * MiB }, { key: 'x/.e.mp4.mtk-new', size: 800 * MiB },
  ];
  // The optimizer reads listings through storage/'s listing reader; these are the shapes it must take.
  async function parseListing(text: string, name = 'listing'): Promise<Awaited<ReturnType<typeof readListingFile>>> {
    const dir = await mkdtemp(join(tmpdir(), 'mt-listing-'));
    try {
      await writeFile(join(dir, name), text);
      return await readListingFile(join(dir, name));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  it('reads JSON arrays, wrapped arrays, JSON Lines and CSV from `list`', async () => {
    const asArray = await parseListing(JSON.stringify(objs));
    expect(asArray.map((o) => o.key)).toEqual(objs.map((o) => o.key));
    expect((await parseListing(JSON.stringify({ generatedAt: 'x', objects: objs }))).length).toBe(6);
    expect((await parseListing(JSON.stringify({ generatedAt: 'x', objects: objs }, null, 2), 'wrapped.json')).length).toBe(6);
    expect((await parseListing(JSON.stringify(objs, null, 2), 'pretty.json')).map((o) => o.size)).toEqual(objs.map((o) => o.size));
    expect((await parseListing(objs.map((o) => JSON.stringify(o)).join('\n'))).map((o) => o.size)).toEqual(objs.map((o) => o.size));
    expect(await parseListing('[{"Key":"k.mp4","Size":5,"ETag":"\\"e1\\"","LastModified":"2024-01-01T00:00:00Z"}]')).toEqual([{ key: 'k.mp4', size: 5, lastModified: '2024-01-01T00:00:00Z', etag: 'e1' }]);
    const csv = [{ key: 'a b.mp4', size: 123, lastModified: '2024-01-01T00:00:00Z', etag: 'abc' }];
    expect(await parseListing('key,size,lastModified,etag\n"a b.mp4",123,2024-01-01T00:00:00Z,abc\n')).toEqual(csv);
    expect(await parseListing('key,size,lastModified,etag\n"a b.mp4",123,2024-01-01T00:00:00Z,abc\n', 'l.csv')).toEqual(csv);
    await expect(parseListing('{"key":"a","size":1}\nnot json', 'bad.jsonl')).rejects.toThrow(/bad\.jsonl: line 2 is not one JSON value per line/);
    await expect(parseListing('{"key":"a"}\n', 'nosize.jsonl')).rejects.toThrow(/nosize\.jsonl entry 1: bad size for "a"/);
  });
  it('keeps videos at or above the threshold, largest first, without the toolkit\'s own temp files', () => {
    const sel = selectCandidates(objs.map((o) => ({ ...o, lastModified: '', etag: '' })), { minSize: 256 * MiB, extensions: normaliseExtensions(undefined) });
    expect(sel.map((o) => o.key)).toEqual(['b.MOV', 'a.mp4']);
    expect(selectCandidates(sel, { minSize: 0, extensions: normaliseExtensions(['mp4']), limit: 1 }).map((o) => o.key)).toEqual(['a.mp4']);
    expect(selectCandidates(sel, { minSize: 600 * MiB + 1, extensions: ['.mov'] })).toEqual([]);
    expect(selectCandidates(sel, { minSize: 600 * MiB, extensions: ['.mov'] }).map((o) => o.key)).toEqual(['b.MOV']);
    expect(isToolkitTemp('.media-toolkit-backup/x.mp4')).toBe(true);
    expect(isToolkitTemp('videos/x.mp4')).toBe(false);
  });
});

describe('safe paths', () => {
  it('refuses keys that leave the folder', () => {
    expect(safeJoin('/data/out', 'a/b.mp4')).toBe('/data/out/a/b.mp4');
    for (const bad of ['../x.mp4', 'a/../../x.mp4', '/etc/passwd', 'a\\..\\..\\x', '', 'a\0b', '.', 'C:/x.mp4']) {
      expect(() => safeJoin('/data/out', bad), bad).toThrow(/unsafe key/);
    }
    expect(workDirFor('/tmp/w', '../../etc/passwd')).toMatch(/^\/tmp\/w\/[0-9a-f]{16}$/);
    expect(withExtension('a/b.mov', 'mp4')).toBe('a/b.mp4');
    expect(withExtension('a.b/noext', 'mp4')).toBe('a.b/noext.mp4');
    expect(withExtension('x/.hidden', 'webm')).toBe('x/.hidden.webm');
  });
});

describe('expected ETags', () => {
  it('gives the single-PUT MD5 and the multipart MD5-of-MD5s', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mt-etag-'));
    const data = Buffer.alloc(2500, 7);
    await writeFile(join(dir, 'f'), data);
    const [single, multi] = await expectedEtags(join(dir, 'f'), 1000);
    expect(single).toBe(createHash('md5').update(data).digest('hex'));
    const parts = [data.subarray(0, 1000), data.subarray(1000, 2000), data.subarray(2000)].map((p) => createHash('md5').update(p).digest());
    expect(multi).toBe(`${createHash('md5').update(Buffer.concat(parts)).digest('hex')}-3`);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('audio, workers, totals, probe', () => {
  it('copies audio only when codec, bitrate, channels and rate comply', () => {
    const aac = { codec: 'aac', bitrate: 128_000, sampleRate: 48_000, channels: 2 };
    expect(audioComplies(aac, 'medium', 'mp4')).toBe(true);
    expect(audioComplies({ ...aac, sampleRate: 44_100 }, 'medium', 'mp4')).toBe(false);
    expect(audioComplies({ ...aac, bitrate: 192_000 }, 'medium', 'mp4')).toBe(false);
    expect(audioComplies({ ...aac, channels: 6, bitrate: 90_000, sampleRate: 44_100 }, 'low', 'mp4')).toBe(false);
    expect(audioComplies(aac, 'medium', 'webm')).toBe(false);
    expect(audioComplies({ ...aac, codec: 'opus' }, 'medium', 'webm')).toBe(true);
  });
  it('derives workers from CPUs and memory, threads from workers', () => {
    expect(defaultWorkers(2, 24 * 1024 ** 3)).toBe(1);
    expect(defaultWorkers(16, 64 * 1024 ** 3)).toBe(8);
    expect(defaultWorkers(16, 4 * 1024 ** 3)).toBe(2);
    expect(threadsPerWorker(1, 2)).toBe(2);
    expect(threadsPerWorker(4, 2)).toBe(1);
  });
  it('totals count only optimized files (or predictions on a dry run)', () => {
    const t = computeTotals([
      { key: 'a', status: 'optimized', sizeBefore: 100, sizeAfter: 40 },
      { key: 'b', status: 'rejected', sizeBefore: 100, sizeAfter: 99 },
      { key: 'c', status: 'failed', sizeBefore: 100 },
      { key: 'd', status: 'replaced', sizeBefore: 200, sizeAfter: 100 },
    ]);
    expect(t).toMatchObject({ files: 4, optimized: 2, rejected: 1, failed: 1, bytesBefore: 300, bytesAfter: 140, savedBytes: 160 });
    expect(t.savedPercent).toBeCloseTo(53.33, 1);
  });
  it('reads rotation, sample aspect and bits per pixel from ffprobe JSON', () => {
    const p = parseProbe(JSON.stringify({
      format: { format_name: 'mov', duration: '2.0', size: '1000', bit_rate: '4000' },
      streams: [
        { codec_type: 'video', codec_name: 'h264', width: 1920, height: 1080, avg_frame_rate: '30000/1001', sample_aspect_ratio: '1:1', nb_frames: '60', bit_rate: '2000000', side_data_list: [{ rotation: -90 }] },
        { codec_type: 'audio', codec_name: 'aac', bit_rate: '128000', sample_rate: '48000', channels: 2 },
      ],
    }));
    expect(p.video).toMatchObject({ width: 1920, height: 1080, rotation: 90, rotationSource: 'displaymatrix', displayWidth: 1080, displayHeight: 1920, frames: 60 });
    expect(p.video!.fps).toBeCloseTo(29.97, 2);
    expect(p.audioStreams).toBe(1);
    expect(bitsPerPixel(p.video!)).toBeCloseTo(2_000_000 / (1080 * 1920 * 29.97), 4);
  });
});
