// The work list in arrays (workBatches, what a run uses) against the one-at-a-time list: same items
// in the same order, --limit exact, the items before a listing failure handed over, async kinds
// never left waiting on items still held back, and a slow listing's part-filled batch handed over.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workBatches, workItems, workHash, type WorkItem, type WorkListOptions } from '../prep/prewarm/work-list.js';
import { derivativeKind, imageVariantKind, mediaTypeFor, type WorkKind } from '../prep/prewarm/work-kinds.js';
import { parseEdge } from '../prep/prewarm/edges.js';
import { browserAcceptSets, parseHeaderSet } from '../prep/prewarm/header-sets.js';
import { DEFAULT_DERIVATIVES } from '../common/derivatives.js';
import { selectImageVariants } from '../common/image-variants.js';
import { batchesOf, readListingBatches } from '../storage/listing-batches.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { runPrewarmJob } from '../prep/prewarm/prewarm-job.js';
import type { StoredObject } from '../storage/types.js';

const obj = (key: string, size = 1000): StoredObject => ({ key, size, lastModified: '', etag: '' });
const context = { baseUrl: 'https://cdn.example.com/m/?token=t', mediaTypeOf: mediaTypeFor('auto', undefined) };
const base = (over: Partial<WorkListOptions> = {}): WorkListOptions => ({
  kinds: [derivativeKind(DEFAULT_DERIVATIVES.slice(0, 3)), imageVariantKind(selectImageVariants(['small', 'medium']))],
  context,
  thresholds: { smallMiB: 50, mediumMiB: 200 },
  ...over,
});
// Videos, images and files of neither kind, some in the second shard, sizes across the categories.
const listing = (n: number) => Array.from({ length: n }, (_, i) => obj(i % 3 === 0 ? `v/${i}.mp4` : i % 3 === 1 ? `i/${i} é.jpg` : `t/${i}.txt`, i * 997_000));
async function* inArrays<T>(all: T[], size: number): AsyncGenerator<T[]> {
  for (let i = 0; i < all.length; i += size) yield all.slice(i, i + size);
}
async function* oneByOne<T>(all: T[]): AsyncGenerator<T> {
  yield* all;
}
async function flat(batches: AsyncIterable<WorkItem[]>): Promise<WorkItem[]> {
  const out: WorkItem[] = [];
  for await (const b of batches) {
    expect(b.length).toBeGreaterThan(0);
    out.push(...b);
  }
  return out;
}
const strip = (items: WorkItem[]) => items.map((i) => ({ ...i, edge: i.edge?.label, cacheVariant: i.cacheVariant?.label }));

describe('the work list in arrays', () => {
  it('gives the same items in the same order as one at a time, across edges, sets, shards and --resume', async () => {
    const all = listing(700);
    const edges = [parseEdge('10.0.0.1', 80), parseEdge('10.0.0.2', 80)];
    const done = new Set([workHash('v/3.mp4', 'desktop', '10.0.0.2:80', 'X-Device: mobile'), workHash('i/1 é.jpg', 'small', '10.0.0.1:80', undefined)]);
    const opts = () => base({ edges, headerSets: [parseHeaderSet('X-Device: mobile')], imageHeaderSets: browserAcceptSets(), done, shard: { index: 1, count: 3 } });
    let filesA = 0;
    let filesB = 0;
    const a: WorkItem[] = [];
    for await (const i of workItems(oneByOne(all), { ...opts(), onFile: () => filesA++ })) a.push(i);
    const b = await flat(workBatches(inArrays(all, 128), { ...opts(), onFile: () => filesB++ }));
    expect(b.length).toBeGreaterThan(1000);
    expect(strip(b)).toEqual(strip(a));
    expect(filesB).toBe(filesA);
    // Arrays go out at 256 items (plus the rest of one target's edges x sets: 2 x 5 here), so a listing batch
    // times edges times sets never piles up.
    for await (const arr of workBatches(inArrays(all, 1024), opts())) expect(arr.length).toBeLessThan(256 + 2 * 5);
  });

  it('--limit counts files exactly: objects of no kind are not counted, the listing is not read further', async () => {
    let read = 0;
    async function* counted(): AsyncGenerator<StoredObject[]> {
      for (let i = 0; i < 100; i++) {
        read++;
        yield [obj(`t/${i}.txt`), obj(`v/${i}.mp4`), obj(`i/${i}.jpg`)];
      }
    }
    let files = 0;
    const items = await flat(workBatches(counted(), base({ limit: 5, onFile: () => files++ })));
    expect(files).toBe(5);
    expect([...new Set(items.map((i) => i.key))]).toEqual(['v/0.mp4', 'i/0.jpg', 'v/1.mp4', 'i/1.jpg', 'v/2.mp4']);
    expect(items.length).toBe(3 + 2 + 3 + 2 + 3);
    expect(read).toBe(3);
  });

  it('hands over the items made before a listing fails, then reports the failure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mt-batches-'));
    const file = join(dir, 'listing.jsonl');
    const good = Array.from({ length: 40 }, (_, i) => JSON.stringify({ key: `v/${i}.mp4`, size: 10 }));
    writeFileSync(file, `${good.join('\n')}\nnot json\n${JSON.stringify({ key: 'v/late.mp4', size: 1 })}\n`);
    const got: WorkItem[] = [];
    const it = workBatches(readListingBatches(file), base({ kinds: [derivativeKind(DEFAULT_DERIVATIVES.slice(0, 1))] }));
    const err = await (async () => {
      try {
        for await (const b of it) got.push(...b);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toMatch(/listing\.jsonl: line 41 is not one JSON value per line/);
    expect(got.map((i) => i.key)).toEqual(good.map((_, i) => `v/${i}.mp4`));
  });

  it('an async kind is awaited only after the items before it went out (a playlist waits on its master)', async () => {
    // The second target needs the first one's answer: holding the first back in a part-filled array would deadlock.
    let answered: (() => void) | undefined;
    const discovery: WorkKind = {
      kind: 'master',
      async *targets(o) {
        if (!o.key.endsWith('.mp4')) return;
        yield { kind: 'master', name: 'master', url: `https://cdn.example.com/${o.key}/master.m3u8` };
        await new Promise<void>((r) => (answered = r));
        yield { kind: 'playlist', name: 'playlist', url: `https://cdn.example.com/${o.key}/media.m3u8` };
      },
    };
    const it = workBatches(inArrays([obj('v/a.mp4')], 10), base({ kinds: [derivativeKind(DEFAULT_DERIVATIVES.slice(0, 1)), discovery] }))[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.value!.map((i: WorkItem) => i.name)).toEqual(['desktop']);
    const second = await it.next();
    expect(second.value!.map((i: WorkItem) => i.name)).toEqual(['master']);
    const third = it.next();
    await new Promise((r) => setImmediate(r));
    answered!();
    expect((await third).value!.map((i: WorkItem) => i.name)).toEqual(['playlist']);
    expect((await it.next()).done).toBe(true);
  });

  it('a slow listing hands over what it has instead of waiting for a full batch', async () => {
    let release: (() => void) | undefined;
    async function* slow(): AsyncGenerator<StoredObject> {
      yield obj('v/1.mp4');
      yield obj('v/2.mp4');
      await new Promise<void>((r) => (release = r));
      yield obj('v/3.mp4');
    }
    const it = batchesOf(slow(), 1024, 20)[Symbol.asyncIterator]();
    // Resolves although the source is still waiting: the part-filled batch went out after 20 ms.
    expect((await it.next()).value!.map((o: StoredObject) => o.key)).toEqual(['v/1.mp4', 'v/2.mp4']);
    const next = it.next();
    release!();
    expect((await next).value!.map((o: StoredObject) => o.key)).toEqual(['v/3.mp4']);
    expect((await it.next()).done).toBe(true);
  });

  it('a run warms every entry before a bad listing line, records them, and reports the listing failure', async () => {
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const dir = mkdtempSync(join(tmpdir(), 'mt-batches-run-'));
      const file = join(dir, 'listing.jsonl');
      // 3000 entries: several chunks of the file, the bad line in the middle of one.
      const good = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ key: `v/${i}.mp4`, size: 10 }));
      writeFileSync(file, `${good.join('\n')}\n{"key": broken\n${JSON.stringify({ key: 'v/late.mp4', size: 1 })}\n`);
      const out = join(dir, 'out.json');
      const { outcome } = await runPrewarmJob({
        listingFile: file, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, mediaType: 'auto', derivatives: DEFAULT_DERIVATIVES.slice(0, 1),
        variants: [], thresholds: { smallMiB: 50, mediumMiB: 200 }, workers: 8, timeoutMs: 10_000, retries: 0, keepAliveMs: 1000, output: out,
      });
      expect(String((outcome.listingError as Error)?.message)).toMatch(/line 3001 is not one JSON value per line/);
      expect(outcome.done).toBe(3000);
      const keys = readFileSync(join(dir, 'out.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).key as string);
      expect(new Set(keys)).toEqual(new Set(good.map((_, i) => `v/${i}.mp4`)));
    } finally {
      server.close();
    }
  });
});
