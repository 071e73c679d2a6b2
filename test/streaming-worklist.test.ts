// The work list with discovery kinds (HLS/DASH): objects drawn several at a time
// so one waiting on a playlist does not hold up the others, --limit still exact,
// a discovery target's body asked once whatever the edges, and --resume fetching
// done discovery targets again (for their bodies) without recording them.
import { describe, expect, it } from 'vitest';
import { workHash, workItems, type WorkItem } from '../prep/prewarm/work-list.js';
import { pickRenditions } from '../prep/prewarm/streaming-items.js';
import type { WorkKind, WorkTarget } from '../prep/prewarm/work-kinds.js';
import type { StoredObject } from '../storage/types.js';
import { parseEdge } from '../prep/prewarm/edges.js';

const objects = (n: number): AsyncIterable<StoredObject> =>
  (async function* () {
    for (let i = 0; i < n; i++) yield { key: `v${i}.mp4`, size: 1000, lastModified: '2024-01-01T00:00:00.000Z', etag: '' } as StoredObject;
  })();

/** A kind like HLS: a master whose "body" arrives when the test says, then two segments. */
function discoveryKind(gates: Map<string, () => void>, lookahead: number): WorkKind {
  return {
    kind: 'fake',
    lookahead,
    async *targets(obj) {
      let release!: (text: string | null) => void;
      const body = new Promise<string | null>((r) => (release = r));
      gates.set(obj.key, () => release('#EXTM3U'));
      const master: WorkTarget = { kind: 'master', name: 'm', url: `http://x/${obj.key}/m.m3u8`, onBody: (t) => void release(t) };
      yield master;
      if ((await body) === null) return;
      yield { kind: 'segment', name: 's1', url: `http://x/${obj.key}/1.ts`, rendition: 'r', sequence: 1 };
      yield { kind: 'segment', name: 's2', url: `http://x/${obj.key}/2.ts`, rendition: 'r', sequence: 2, range: { offset: 10, length: 5 } };
    },
  };
}

const base = { context: { baseUrl: 'http://x', mediaTypeOf: () => 'video' as const }, thresholds: { smallMiB: 50, mediumMiB: 200 } };

describe('work list with discovery kinds', () => {
  it('draws several objects at once: a later video goes ahead while an earlier one waits for its playlist', async () => {
    const gates = new Map<string, () => void>();
    const it = workItems(objects(3), { ...base, kinds: [discoveryKind(gates, 3)] })[Symbol.asyncIterator]();
    const got: string[] = [];
    const take = async () => {
      const n = await it.next();
      if (!n.done) got.push(`${n.value.key}:${n.value.name}`);
      return n;
    };
    // All three masters come out before any body arrived.
    for (let i = 0; i < 3; i++) await take();
    expect(got).toEqual(['v0.mp4:m', 'v1.mp4:m', 'v2.mp4:m']);
    // The second video's playlist arrives first: its segments go first.
    gates.get('v1.mp4')?.();
    await take();
    await take();
    expect(got.slice(3)).toEqual(['v1.mp4:s1', 'v1.mp4:s2']);
    gates.get('v0.mp4')?.();
    gates.get('v2.mp4')?.();
    while (!(await take()).done);
    expect(got).toHaveLength(9);
    expect(got.filter((g) => g.startsWith('v0.mp4'))).toEqual(['v0.mp4:m', 'v0.mp4:s1', 'v0.mp4:s2']);
  });

  it('--limit counts files exactly with lookahead', async () => {
    const gates = new Map<string, () => void>();
    const items: WorkItem[] = [];
    const gen = workItems(objects(10), { ...base, kinds: [discoveryKind(gates, 4)], limit: 2 });
    const pump = (async () => {
      for await (const i of gen) {
        items.push(i);
        if (i.onBody) i.onBody('#EXTM3U', null);
      }
    })();
    await pump;
    expect([...new Set(items.map((i) => i.key))]).toEqual(['v0.mp4', 'v1.mp4']);
    expect(items).toHaveLength(6);
  });

  it('copies range, rendition and sequence; one body per target whatever the edges; --resume refetches a done master silently', async () => {
    const edges = [parseEdge('127.0.0.2', 80), parseEdge('127.0.0.3', 80)];
    const done = new Set([workHash('v0.mp4', 'm', edges[0].label), workHash('v0.mp4', 'm', edges[1].label), workHash('v0.mp4', 's1', edges[0].label)]);
    const gates = new Map<string, () => void>();
    const items: WorkItem[] = [];
    for await (const i of workItems(objects(1), { ...base, kinds: [discoveryKind(gates, 2)], edges, done })) {
      items.push(i);
      if (i.onBody) i.onBody('#EXTM3U', null);
    }
    expect(items.map((i) => [i.name, i.edge?.label, Boolean(i.onBody), Boolean(i.silent)])).toEqual([
      ['m', edges[0].label, true, true],
      ['s1', edges[1].label, false, false],
      ['s2', edges[0].label, false, false],
      ['s2', edges[1].label, false, false],
    ]);
    expect(items[3]).toMatchObject({ rendition: 'r', sequence: 2, range: { offset: 10, length: 5 } });
  });

  it('--renditions picks by bandwidth: lowest, highest, the N highest, all (lowest first)', () => {
    const v = [{ b: 500 }, { b: 100 }, { b: 900 }];
    const pick = (c: Parameters<typeof pickRenditions>[2]) => pickRenditions(v, (x) => x.b, c).map((x) => x.b);
    expect([pick('lowest'), pick('highest'), pick(2), pick(5), pick('all')]).toEqual([[100], [900], [500, 900], [100, 500, 900], [100, 500, 900]]);
  });
});
