// The work list, produced lazily from the listing stream: each source object becomes
// its targets (work-kinds.ts: a derivative per video, a variant per image...), each
// target once per edge (--edge) and per cache-key variant set (--variant-header).
// The product is streamed, never materialised, so a million objects times edges
// times sets cost no more memory than a thousand.
import type { StoredObject } from '../../storage/types.js';
import { sizeCategory, type SizeThresholds } from '../../common/size-category.js';
import type { SizeCategory } from '../../common/results-record.js';
import { inShard, pairHash, type Shard } from './shard.js';
import type { WorkKind, WorkKindContext, WorkTarget } from './work-kinds.js';
import type { Edge } from './edges.js';
import type { HeaderSet } from './header-sets.js';

export interface WorkItem {
  key: string;
  sourceSize: number;
  sizeCategory: SizeCategory;
  /** Derivative, variant or segment name (the record's `derivative`). */
  name: string;
  /** The record's `kind`. */
  kind: string;
  url: string;
  width?: number;
  height?: number;
  method?: 'GET' | 'HEAD';
  /** Dial this address instead of what DNS says (--edge). */
  edge?: Edge;
  /** Headers of the cache-key variant set sent with the request. */
  cacheVariant?: HeaderSet;
  /** Sent as `Range: bytes=offset-(offset+length-1)` (HLS/DASH byte-range segments). */
  range?: { offset: number; length: number };
  rendition?: string;
  sequence?: number;
  /** Discovery: see WorkTarget.onBody. fetch-one keeps the body in `bodyText` for it. */
  onBody?: WorkTarget['onBody'];
  bodyText?: string | null;
  /** Fetched for its body only (--resume already has its record): not recorded again. */
  silent?: boolean;
}

export interface WorkListOptions {
  kinds: readonly WorkKind[];
  context: WorkKindContext;
  thresholds: SizeThresholds;
  shard?: Shard;
  /** Source files at most (after filters and shard), 0 or undefined for all. */
  limit?: number;
  /** Only keys for which this says true (e.g. a key list). */
  keep?: (key: string) => boolean;
  /** Every target once per edge (none: DNS). */
  edges?: readonly Edge[];
  /** Every target once per set (none: no extra headers). */
  headerSets?: readonly HeaderSet[];
  /** Extra sets for image variants only (--browser-accept-sets). */
  imageHeaderSets?: readonly HeaderSet[];
  /** Items already done (resume): workHash of each. */
  done?: { has(hash: number): boolean };
  /** Called once per source file taken (after filter, shard and limit). */
  onFile?: (obj: StoredObject) => void;
}

/**
 * What makes two records the same piece of work, for --resume and verify: the name,
 * plus the edge and the cache-key variant when the run has them.
 */
export function workIdentity(name: string, edge?: string, cacheVariant?: string): string {
  return `${name}${edge ? `\u0000@${edge}` : ''}${cacheVariant ? `\u0000~${cacheVariant}` : ''}`;
}

export function workHash(key: string, name: string, edge?: string, cacheVariant?: string): number {
  return pairHash(key, workIdentity(name, edge, cacheVariant));
}

const NONE = [undefined] as const;

export async function* workItems(objects: AsyncIterable<StoredObject>, opts: WorkListOptions): AsyncGenerator<WorkItem> {
  let files = 0;
  const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
  const edges: readonly (Edge | undefined)[] = opts.edges && opts.edges.length > 0 ? opts.edges : NONE;
  const common = opts.headerSets ?? [];
  const imageSets = [...common, ...(opts.imageHeaderSets ?? [])];
  const lookahead = Math.max(1, ...opts.kinds.map((k) => k.lookahead ?? 1));
  const taken = async function* (): AsyncGenerator<StoredObject> {
    for await (const obj of objects) {
      if (files >= limit) return;
      if (!inShard(obj.key, opts.shard)) continue;
      if (opts.keep && !opts.keep(obj.key)) continue;
      yield obj;
    }
  };
  const perObject = async function* (obj: StoredObject): AsyncGenerator<WorkItem> {
    let counted = false;
    const category = sizeCategory(obj.size, opts.thresholds);
    const expand = function* (t: WorkTarget): Generator<WorkItem> {
      if (!counted) {
        counted = true;
        files++;
        opts.onFile?.(obj);
      }
      const sets = t.kind === 'variant' ? imageSets : common;
      // A discovery target's body is needed once: the first edge and set carry onBody.
      let discovery = t.onBody !== undefined;
      for (const edge of edges) {
        for (const set of sets.length > 0 ? sets : NONE) {
          const done = opts.done?.has(workHash(obj.key, t.name, edge?.label, set?.label)) ?? false;
          if (done && !discovery) continue;
          const item: WorkItem = { key: obj.key, sourceSize: obj.size, sizeCategory: category, name: t.name, kind: t.kind, url: t.url };
          if (t.width !== undefined) item.width = t.width;
          if (t.height !== undefined) item.height = t.height;
          if (t.method) item.method = t.method;
          if (edge) item.edge = edge;
          if (set) item.cacheVariant = set;
          if (t.range) item.range = t.range;
          if (t.rendition !== undefined) item.rendition = t.rendition;
          if (t.sequence !== undefined) item.sequence = t.sequence;
          if (discovery) {
            item.onBody = t.onBody;
            if (done) item.silent = true;
            discovery = false;
          }
          yield item;
        }
      }
    };
    for (const kind of opts.kinds) {
      const targets = kind.targets(obj, opts.context);
      // Sync kinds (derivatives, variants) skip a promise per target.
      if (Symbol.asyncIterator in targets) for await (const t of targets) yield* expand(t);
      else for (const t of targets) yield* expand(t);
    }
  };
  if (lookahead <= 1) {
    for await (const obj of taken()) yield* perObject(obj);
    return;
  }
  yield* interleave(taken(), perObject, lookahead, () => files >= limit);
}

/**
 * Up to `width` objects' items drawn at once, in the order they become ready, so
 * one object waiting on a body (a playlist) does not hold up the others. An object
 * starts only after the one before it produced its first item (or none), so
 * --limit counts files exactly as one at a time would.
 */
async function* interleave<T, R>(sources: AsyncIterable<T>, items: (s: T) => AsyncGenerator<R>, width: number, full: () => boolean): AsyncGenerator<R> {
  const src = sources[Symbol.asyncIterator]();
  type Slot = { it: AsyncGenerator<R>; next: Promise<{ slot: Slot; res: IteratorResult<R> }> };
  const active = new Set<Slot>();
  const arm = (slot: Slot) => {
    slot.next = slot.it.next().then((res) => ({ slot, res }));
  };
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && active.size < width && !full()) {
        const n = await src.next();
        if (n.done) {
          exhausted = true;
          break;
        }
        const it = items(n.value);
        const first = await it.next();
        if (first.done) continue;
        yield first.value;
        const slot = { it } as Slot;
        arm(slot);
        active.add(slot);
      }
      if (active.size === 0) return;
      const { slot, res } = await Promise.race([...active].map((a) => a.next));
      if (res.done) {
        active.delete(slot);
        continue;
      }
      yield res.value;
      arm(slot);
    }
  } finally {
    for (const a of active) a.it.return(undefined).catch(() => undefined);
    if (!exhausted) await src.return?.();
  }
}
