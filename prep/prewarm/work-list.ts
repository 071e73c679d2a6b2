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

/** Items per array handed to the queues: small enough that an object times edges times sets never piles up. */
const OUT_BATCH = 256;

/**
 * The work list one item at a time (tests, and callers with their own object stream).
 * The run itself takes workBatches: one await per array instead of several per item.
 */
export async function* workItems(objects: AsyncIterable<StoredObject>, opts: WorkListOptions): AsyncGenerator<WorkItem> {
  for await (const batch of workBatches(oneByOne(objects), opts)) yield* batch;
}

async function* oneByOne(objects: AsyncIterable<StoredObject>): AsyncGenerator<StoredObject[]> {
  for await (const o of objects) yield [o];
}

/**
 * The work list in arrays, in listing order, from a listing read in arrays (readListingBatches,
 * batchesOf). Sync kinds (derivatives, image variants) expand without a promise per item; a kind
 * whose targets are async (discovery) is awaited target by target, the items before it handed
 * over first (its later targets may wait on their bodies). Kinds with lookahead draw several
 * objects at once, interleaved (one item per array then).
 */
export async function* workBatches(objects: AsyncIterable<readonly StoredObject[]>, opts: WorkListOptions): AsyncGenerator<WorkItem[]> {
  let files = 0;
  const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
  const edges: readonly (Edge | undefined)[] = opts.edges && opts.edges.length > 0 ? opts.edges : NONE;
  const common = opts.headerSets ?? [];
  const imageSets = [...common, ...(opts.imageHeaderSets ?? [])];
  const commonOrNone = common.length > 0 ? common : NONE;
  const imageOrNone = imageSets.length > 0 ? imageSets : NONE;
  const lookahead = Math.max(1, ...opts.kinds.map((k) => k.lookahead ?? 1));
  const { shard, keep, done, onFile, thresholds } = opts;
  const kept = (obj: StoredObject) => inShard(obj.key, shard) && (!keep || keep(obj.key));
  // Each target once per edge and per cache-key variant set, into `out`; the object counts as a file on its first target.
  const expand = (e: Expanding, t: WorkTarget, out: WorkItem[]) => {
    const obj = e.obj;
    if (!e.counted) {
      e.counted = true;
      files++;
      onFile?.(obj);
    }
    const sets = t.kind === 'variant' ? imageOrNone : commonOrNone;
    // A discovery target's body is needed once: the first edge and set carry onBody.
    let discovery = t.onBody !== undefined;
    for (const edge of edges) {
      for (const set of sets) {
        const isDone = done !== undefined && done.has(workHash(obj.key, t.name, edge?.label, set?.label));
        if (isDone && !discovery) continue;
        const item: WorkItem = { key: obj.key, sourceSize: obj.size, sizeCategory: e.category, name: t.name, kind: t.kind, url: t.url };
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
          if (isDone) item.silent = true;
          discovery = false;
        }
        out.push(item);
      }
    }
  };
  const expanding = (obj: StoredObject): Expanding => ({ obj, category: sizeCategory(obj.size, thresholds), counted: false });

  if (lookahead > 1) {
    // One async generator per object, so an object waiting on a body does not hold up the others.
    const perObject = async function* (obj: StoredObject): AsyncGenerator<WorkItem> {
      const e = expanding(obj);
      const out: WorkItem[] = [];
      for (const kind of opts.kinds) {
        // This path is per object already (discovery kinds): one loop takes sync and async targets alike.
        for await (const t of kind.targets(obj, opts.context)) {
          expand(e, t, out);
          yield* out.splice(0);
        }
      }
    };
    const taken = async function* (): AsyncGenerator<StoredObject> {
      for await (const batch of objects) {
        for (const obj of batch) {
          if (files >= limit) return;
          if (kept(obj)) yield obj;
        }
      }
    };
    for await (const item of interleave(taken(), perObject, lookahead, () => files >= limit)) yield [item];
    return;
  }

  let out: WorkItem[] = [];
  let full = false;
  for await (const batch of objects) {
    try {
      for (const obj of batch) {
        if (files >= limit) {
          full = true;
          break;
        }
        if (!kept(obj)) continue;
        const e = expanding(obj);
        for (const kind of opts.kinds) {
          const targets = kind.targets(obj, opts.context);
          if (Symbol.asyncIterator in targets) {
            // Async targets may wait on the bodies of items already made: those go to the workers before each wait.
            const it = targets[Symbol.asyncIterator]();
            for (;;) {
              if (out.length > 0) {
                yield out;
                out = [];
              }
              const r = await it.next();
              if (r.done) break;
              expand(e, r.value, out);
            }
          } else {
            for (const t of targets) {
              expand(e, t, out);
              if (out.length >= OUT_BATCH) {
                yield out;
                out = [];
              }
            }
          }
        }
      }
    } catch (err) {
      // The items made before a failure are handed over (and done) before the failure is reported.
      if (out.length > 0) {
        const made = out;
        out = [];
        yield made;
      }
      throw err;
    }
    // Before waiting on the listing (or stopping at --limit), what this batch made goes to the workers.
    if (out.length > 0) {
      yield out;
      out = [];
    }
    if (full) return;
  }
}

/** An object whose targets are being expanded. */
interface Expanding {
  obj: StoredObject;
  category: SizeCategory;
  counted: boolean;
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
