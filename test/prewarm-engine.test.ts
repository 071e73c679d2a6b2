// The engine against a tiny node:http server whose behaviour each test scripts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startPrewarm } from '../prep/prewarm/engine.js';
import { workItems, type WorkItem, type WorkListOptions } from '../prep/prewarm/work-list.js';
import { derivativeKind, imageVariantKind, mediaTypeFor } from '../prep/prewarm/work-kinds.js';
import type { Derivative } from '../common/derivatives.js';
import type { ImageVariant } from '../common/image-variants.js';
import type { UrlFormat } from '../common/url.js';
import type { MediaTypeOption } from '../common/media-type.js';

/** The work list of derivatives and variants, as prewarm-job.ts builds it. */
function listOptions(o: { baseUrl: string; mediaType: MediaTypeOption; derivatives: readonly Derivative[]; variants: readonly ImageVariant[]; urlFormat?: UrlFormat } & Omit<WorkListOptions, 'kinds' | 'context'>): WorkListOptions {
  const { baseUrl, mediaType, derivatives, variants, urlFormat, ...rest } = o;
  return { ...rest, kinds: [derivativeKind(derivatives), imageVariantKind(variants)], context: { baseUrl, urlFormat, mediaTypeOf: mediaTypeFor(mediaType, undefined) } };
}
import { createWorkQueues } from '../prep/prewarm/work-queues.js';
import type { FetchSettings } from '../prep/prewarm/fetch-one.js';
import { createWorkerConnections, type WorkerConnections } from '../prep/prewarm/worker-connections.js';
import { backoffDelay, parseRetryAfter } from '../prep/prewarm/backoff.js';
import { inShard, parseShard } from '../prep/prewarm/shard.js';
import { fnv1a } from '../common/fnv1a.js';
import { DEFAULT_DERIVATIVES } from '../common/derivatives.js';
import { selectImageVariants } from '../common/image-variants.js';
import type { ResultsRecord } from '../common/results-record.js';
import type { StoredObject } from '../storage/types.js';

type Handler = (req: IncomingMessage, res: ServerResponse, seen: number) => void;
let server: Server;
let base = '';
let handler: Handler = (_q, res) => res.end('ok');
const seenByPath = new Map<string, number[]>();
let inFlight = 0;
let maxInFlight = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    const times = seenByPath.get(req.url!) ?? [];
    times.push(Date.now());
    seenByPath.set(req.url!, times);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    handler(req, res, times.length);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.destroy()));
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function reset(h: Handler) {
  handler = h;
  seenByPath.clear();
  maxInFlight = 0;
}

async function* objects(keys: string[], size = 1000): AsyncGenerator<StoredObject> {
  for (const key of keys) yield { key, size, lastModified: '', etag: '' };
}

// Every worker on a connection of its own, as prewarm runs them; closed by each test.
const open: WorkerConnections[] = [];
function connections(): WorkerConnections {
  const c = createWorkerConnections({ keepAliveMs: 2000, connectTimeoutMs: 5000 });
  open.push(c);
  return c;
}

function settings(over: Partial<FetchSettings> = {}): FetchSettings {
  return {
    timeoutMs: 5000,
    retries: 2,
    useHead: false,
    backoffBaseMs: 20,
    backoffMaxMs: 200,
    maxRetryAfterMs: 5000,
    ...over,
  };
}

async function run(keys: string[], over: Partial<FetchSettings> = {}, workers = 4, derivatives = [DEFAULT_DERIVATIVES[0]]): Promise<ResultsRecord[]> {
  const items = workItems(objects(keys), listOptions({
    baseUrl: base,
    mediaType: 'auto',
    derivatives,
    variants: selectImageVariants(['small']),
    urlFormat: 'imwidth',
    thresholds: { smallMiB: 50, mediumMiB: 200 },
  }));
  const records: ResultsRecord[] = [];
  const c = connections();
  const r = startPrewarm({ items, poolWorkers: [workers], fetch: settings(over), connectionFor: c.forWorker, onRecord: (x) => records.push(x) });
  await r.done;
  await c.close();
  return records;
}

describe('retries', () => {
  it('retries a 503 after its Retry-After and records one final record with the attempts', async () => {
    reset((_q, res, seen) => {
      if (seen === 1) {
        res.writeHead(503, { 'retry-after': '1' });
        res.end('busy');
      } else {
        res.writeHead(200, { 'content-type': 'video/mp4', 'cf-cache-status': 'MISS', 'content-length': '2048' });
        res.end(Buffer.alloc(2048));
      }
    });
    const records = await run(['a.mp4', 'b.mp4']);
    expect(records).toHaveLength(2);
    for (const r of records) {
      expect(r).toMatchObject({ ok: true, status: 200, attempts: 2, bytesReceived: 2048, contentLength: 2048, contentType: 'video/mp4', cacheStatus: 'miss', errorClass: null });
      const times = seenByPath.get(`/${r.key}?imwidth=1920`)!;
      expect(times).toHaveLength(2);
      // Retry-After: 1 was honoured (a lower bound: never flaky on a slow machine).
      expect(times[1] - times[0]).toBeGreaterThanOrEqual(950);
    }
  });

  it('gives up after --retry extra attempts on persistent 5xx, and never retries a 4xx', async () => {
    reset((req, res) => {
      res.writeHead(req.url!.startsWith('/gone') ? 404 : 500);
      res.end();
    });
    const records = await run(['gone.mp4', 'broken.mp4'], { retries: 3 });
    const gone = records.find((r) => r.key === 'gone.mp4')!;
    const broken = records.find((r) => r.key === 'broken.mp4')!;
    expect(gone).toMatchObject({ ok: false, status: 404, attempts: 1, errorClass: 'client_error' });
    expect(seenByPath.get('/gone.mp4?imwidth=1920')).toHaveLength(1);
    expect(broken).toMatchObject({ ok: false, status: 500, attempts: 4, errorClass: 'server_error' });
    expect(seenByPath.get('/broken.mp4?imwidth=1920')).toHaveLength(4);
  });

  it('backs off exponentially with jitter and reads Retry-After dates', () => {
    expect(backoffDelay(1, 100, 10_000, () => 0)).toBe(50);
    expect(backoffDelay(3, 100, 10_000, () => 1)).toBe(400);
    expect(backoffDelay(20, 100, 1000, () => 1)).toBe(1000);
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000 + 5000).toUTCString(), 10_000)).toBe(5000);
    expect(parseRetryAfter('soon')).toBeNull();
  });
});

describe('failures are classified', () => {
  it('classifies a server that never answers as a timeout, each attempt timed on its own', async () => {
    reset(() => {
      /* never answers */
    });
    const records = await run(['slow.mp4'], { timeoutMs: 300, retries: 1 });
    expect(records[0], records[0].errorMessage ?? "").toMatchObject({ ok: false, status: 0, attempts: 2, errorClass: "timeout" });
    // The final attempt's own time, not the sum of both attempts and the back-off.
    expect(records[0].totalMs).toBeGreaterThanOrEqual(290);
    expect(records[0].totalMs).toBeLessThan(300 * 2 + 20);
  });

  it('classifies a refused connection as a connection error', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise((r) => dead.close(r));
    const items = workItems(objects(['x.mp4']), listOptions({
      baseUrl: `http://127.0.0.1:${port}`, mediaType: 'auto', derivatives: [DEFAULT_DERIVATIVES[0]], variants: [], urlFormat: 'imwidth',
      thresholds: { smallMiB: 50, mediumMiB: 200 },
    }));
    const records: ResultsRecord[] = [];
    const c = connections();
    await startPrewarm({ items, poolWorkers: [1], fetch: settings({ retries: 1 }), connectionFor: c.forWorker, onRecord: (x) => records.push(x) }).done;
    await c.close();
    expect(records[0]).toMatchObject({ ok: false, status: 0, attempts: 2, errorClass: 'connection_error' });
    expect(records[0].errorMessage).toMatch(/ECONNREFUSED/);
  });

  it('classifies a body cut short as incomplete and retries it', async () => {
    reset((_q, res, seen) => {
      res.writeHead(200, { 'content-length': '100000' });
      if (seen < 3) {
        res.write(Buffer.alloc(1000));
        setTimeout(() => res.destroy(), 20);
      } else res.end(Buffer.alloc(100000));
    });
    const [cut] = await run(['cut.mp4'], { retries: 1 });
    expect(cut).toMatchObject({ ok: false, attempts: 2, errorClass: 'incomplete_body' });
    const [fine] = await run(['cut.mp4'], { retries: 5 });
    expect(fine).toMatchObject({ ok: true, bytesReceived: 100000 });
  });

  it('streams a large body and counts every byte without keeping it', async () => {
    const chunk = Buffer.alloc(1 << 20, 7);
    reset((_q, res) => {
      res.writeHead(200, { 'content-length': String(32 * chunk.length) });
      let n = 0;
      const pump = () => {
        while (n < 32) {
          n++;
          if (!res.write(chunk)) return res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const [r] = await run(['big.mp4']);
    expect(r).toMatchObject({ ok: true, bytesReceived: 32 << 20, contentLength: 32 << 20 });
  });
});

describe('HEAD for size', () => {
  it('uses HEAD, and falls back to a one-byte range request when HEAD gives no length', async () => {
    reset((req, res) => {
      if (req.method === 'HEAD') {
        // Chunked HEAD answer: no Content-Length.
        res.writeHead(200, { 'transfer-encoding': 'chunked', 'x-cache': 'HIT' });
        return res.end();
      }
      expect(req.headers.range).toBe('bytes=0-0');
      res.writeHead(206, { 'content-range': 'bytes 0-0/123456', 'content-length': '1', 'x-cache': 'HIT' });
      res.end('x');
    });
    const [r] = await run(['h.mp4'], { useHead: true });
    expect(r).toMatchObject({ ok: true, status: 206, contentLength: 123456, bytesReceived: 1, cacheStatus: 'hit' });
    expect(seenByPath.get('/h.mp4?imwidth=1920')).toHaveLength(2);
  });

  it('stops at HEAD when it has a length', async () => {
    reset((req, res) => {
      res.writeHead(200, { 'content-length': '5555' });
      res.end(req.method === 'HEAD' ? undefined : Buffer.alloc(5555));
    });
    const [r] = await run(['h2.mp4'], { useHead: true });
    expect(r).toMatchObject({ ok: true, status: 200, contentLength: 5555, bytesReceived: 0 });
    expect(seenByPath.get('/h2.mp4?imwidth=1920')).toHaveLength(1);
  });
});

describe('scheduling', () => {
  it('keeps at most --workers requests in flight and gives every URL exactly one record', async () => {
    reset((_q, res) => setTimeout(() => res.end('ok'), 15));
    const keys = Array.from({ length: 60 }, (_, i) => `k${i}.mp4`);
    const records = await run(keys, {}, 5, DEFAULT_DERIVATIVES.slice());
    expect(records).toHaveLength(180);
    expect(new Set(records.map((r) => `${r.key}|${r.derivative}`)).size).toBe(180);
    expect(maxInFlight).toBeLessThanOrEqual(5);
    expect(maxInFlight).toBeGreaterThan(1);
  });

  it('--rate spaces requests out', async () => {
    reset((_q, res) => res.end('ok'));
    const { createRateLimiter } = await import('../prep/prewarm/rate-limit.js');
    const keys = Array.from({ length: 11 }, (_, i) => `r${i}.mp4`);
    await run(keys, { beforeAttempt: createRateLimiter(50) }, 8);
    const all = [...seenByPath.values()].flat().sort((a, b) => a - b);
    // 11 requests at 50/s cannot span less than 10 intervals of 20 ms.
    expect(all[all.length - 1] - all[0]).toBeGreaterThanOrEqual(190);
  });

  it('reads the work list lazily: a million objects are not pulled ahead of the workers', async () => {
    let pulled = 0;
    let wake: (() => void) | undefined;
    async function* many(): AsyncGenerator<WorkItem> {
      for (let i = 0; i < 1_000_000; i++) {
        pulled++;
        wake?.();
        yield { key: `k${i}`, sourceSize: 1, sizeCategory: 'small', name: 'd', kind: 'derivative', url: `http://x/k${i}` };
      }
    }
    // Waits for the pump to pull n items (events, not time), then gives it many more event-loop
    // turns to pull further: an unbounded pump would take thousands in them.
    const pulledAtLeast = (n: number) =>
      new Promise<void>((resolve) => {
        wake = () => {
          if (pulled >= n) {
            wake = undefined;
            resolve();
          }
        };
        wake();
      });
    const turns = async (n: number) => {
      for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
    };
    const q = createWorkQueues(many(), 1, () => 0, 100);
    await pulledAtLeast(100);
    await turns(50);
    expect(pulled).toBeLessThanOrEqual(101);
    for (let i = 0; i < 60; i++) await q.take(0);
    await pulledAtLeast(102);
    await turns(50);
    expect(pulled).toBeLessThanOrEqual(161);
    q.stop();
    await q.pumped;
  });

  it('runs small, medium and large files in separate pools so large ones never starve small ones', async () => {
    // Large answers are held until every small file is recorded (order, not time). With separate
    // pools the small pool's workers keep taking small files (an idle pool may help with large ones
    // once its own queue is dry); with one shared pool the large files, first in the listing, would
    // take all 5 workers and every small file would wait: then they are let go at once, and fail below.
    const held: Array<() => void> = [];
    let heldNow = 0;
    let maxHeld = 0;
    let released = false;
    const release = () => {
      released = true;
      for (const answer of held.splice(0)) answer();
    };
    reset((req, res) => {
      if (!req.url!.startsWith('/large')) return res.end('ok');
      maxHeld = Math.max(maxHeld, ++heldNow);
      const answer = () => {
        heldNow--;
        res.end('ok');
      };
      if (released || heldNow >= 5) {
        held.push(answer);
        release();
      } else held.push(answer);
    });
    async function* mixed(): AsyncGenerator<StoredObject> {
      // Large files first in the listing: with one shared pool they would hold every worker.
      for (let i = 0; i < 6; i++) yield { key: `large${i}.mp4`, size: 300 * 1048576, lastModified: '', etag: '' };
      for (let i = 0; i < 20; i++) yield { key: `small${i}.mp4`, size: 1000, lastModified: '', etag: '' };
    }
    const items = workItems(mixed(), listOptions({
      baseUrl: base, mediaType: 'auto', derivatives: [DEFAULT_DERIVATIVES[0]], variants: [], urlFormat: 'imwidth', thresholds: { smallMiB: 50, mediumMiB: 200 },
    }));
    const order: string[] = [];
    const c = connections();
    const onRecord = (r: ResultsRecord) => {
      order.push(r.key);
      if (order.filter((k) => k.startsWith('small')).length === 20) release();
    };
    await startPrewarm({ items, poolWorkers: [2, 1, 2], poolOf: (i) => ({ small: 0, medium: 1, large: 2 })[i.sizeCategory], fetch: settings(), connectionFor: c.forWorker, onRecord }).done;
    await c.close();
    expect(order).toHaveLength(26);
    expect(maxHeld).toBeLessThan(5);
    // Every small file finished before the first large one.
    const firstLarge = order.findIndex((k) => k.startsWith('large'));
    expect(firstLarge).toBe(20);
  });

  it('splits keys into disjoint shards that cover everything', () => {
    const keys = Array.from({ length: 500 }, (_, i) => `dir/file ${i}.mp4`);
    const shards = [0, 1, 2].map((i) => keys.filter((k) => inShard(k, parseShard(`${i}/3`))));
    expect(shards.reduce((a, s) => a + s.length, 0)).toBe(500);
    expect(new Set(shards.flat()).size).toBe(500);
    for (const s of shards) expect(s.length).toBeGreaterThan(100);
    expect(parseShard('0/3')).toEqual({ index: 0, count: 3 });
    expect(() => parseShard('3/3')).toThrow(/between 0 and 2/);
    expect(() => parseShard('1/0')).toThrow();
    expect(() => parseShard('x')).toThrow();
    // FNV-1a reference values ("" and "a").
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
  });
});

describe('shutdown', () => {
  it('stop() takes no new work and lets requests in flight finish; abort() cuts them', async () => {
    reset((_q, res) => setTimeout(() => res.end('ok'), 100));
    const keys = Array.from({ length: 100 }, (_, i) => `s${i}.mp4`);
    const items = workItems(objects(keys), listOptions({
      baseUrl: base, mediaType: 'auto', derivatives: [DEFAULT_DERIVATIVES[0]], variants: [], urlFormat: 'imwidth', thresholds: { smallMiB: 50, mediumMiB: 200 },
    }));
    const records: ResultsRecord[] = [];
    const s = settings();
    const c = connections();
    // Stop once the first record has landed (an event, not a time): the other workers are mid-request.
    let firstRecord: () => void = () => undefined;
    const landed = new Promise<void>((res) => (firstRecord = res));
    const r = startPrewarm({ items, poolWorkers: [4], fetch: s, connectionFor: c.forWorker, onRecord: (x) => {
      records.push(x);
      firstRecord();
    } });
    await landed;
    const inFlight = r.counters().inFlight;
    const before = records.length;
    r.stop();
    const out = await r.done;
    expect(out.interrupted).toBe(true);
    expect(inFlight).toBeGreaterThan(0);
    // The ones in flight completed and were recorded; nothing new started.
    expect(records.length).toBe(before + inFlight);
    expect(records.every((x) => x.ok)).toBe(true);

    // Every request hangs; abort once all 4 workers have a request at the server.
    let seen = 0;
    let allSeen: () => void = () => undefined;
    const fourAtServer = new Promise<void>((res) => (allSeen = res));
    reset(() => {
      if (++seen === 4) allSeen();
    });
    const records2: ResultsRecord[] = [];
    const r2 = startPrewarm({ items: workItems(objects(keys), listOptions({
      baseUrl: base, mediaType: 'auto', derivatives: [DEFAULT_DERIVATIVES[0]], variants: [], urlFormat: 'imwidth', thresholds: { smallMiB: 50, mediumMiB: 200 },
    })), poolWorkers: [4], fetch: s, connectionFor: c.forWorker, onRecord: (x) => records2.push(x) });
    await fourAtServer;
    r2.stop();
    r2.abort();
    const out2 = await r2.done;
    expect(out2.aborted).toBe(true);
    // Cut-short requests leave no record, so --resume does them again.
    expect(records2).toHaveLength(0);
    await c.destroy();
  });
});
