// Bounded buffers between the lazy work list and the worker pools. One pump reads
// the list (items, or arrays of items: workBatches) and hands each item to its pool's
// queue; it pauses when `cap` items are buffered in all (an array is taken whole, so
// at most cap + one array), so memory stays bounded however long the list is. A pool
// whose queue runs dry after the list has ended helps the others (small first),
// so the last large files do not run on a handful of workers while the rest idle.
import type { WorkItem } from './work-list.js';

export interface WorkQueues {
  /** Next item for a pool, or undefined when there is no more work (or stop() was called). */
  take(pool: number): WorkItem | undefined | Promise<WorkItem | undefined>;
  /** No more items are handed out; the pump stops reading. */
  stop(): void;
  /** Resolves when the pump has finished (list exhausted, stopped, or failed). */
  readonly pumped: Promise<void>;
  readonly produced: number;
  readonly listingDone: boolean;
  readonly listingError: unknown;
}

interface Fifo {
  items: (WorkItem | undefined)[];
  head: number;
}

const size = (f: Fifo) => f.items.length - f.head;

function shift(f: Fifo): WorkItem | undefined {
  if (f.head >= f.items.length) return undefined;
  const item = f.items[f.head];
  f.items[f.head++] = undefined;
  if (f.head > 1024 && f.head * 2 > f.items.length) {
    f.items = f.items.slice(f.head);
    f.head = 0;
  }
  return item;
}

export function createWorkQueues(source: AsyncIterable<WorkItem | readonly WorkItem[]>, pools: number, poolOf: (item: WorkItem) => number, cap: number): WorkQueues {
  const fifos: Fifo[] = Array.from({ length: pools }, () => ({ items: [], head: 0 }));
  const waiters: ((item: WorkItem | undefined) => void)[][] = Array.from({ length: pools }, () => []);
  let buffered = 0;
  let produced = 0;
  let done = false;
  let stopped = false;
  let listingError: unknown;
  let resumePump: (() => void) | undefined;

  const fromAny = (pool: number): WorkItem | undefined => {
    const own = shift(fifos[pool]);
    if (own || !done) return own;
    for (let p = 0; p < pools; p++) {
      if (p === pool) continue;
      const stolen = shift(fifos[p]);
      if (stolen) return stolen;
    }
    return undefined;
  };

  const taken = () => {
    buffered--;
    if (resumePump && buffered <= cap / 2) {
      const r = resumePump;
      resumePump = undefined;
      r();
    }
  };

  const releaseWaiters = () => {
    for (let p = 0; p < pools; p++) {
      const ws = waiters[p];
      waiters[p] = [];
      for (const w of ws) {
        const item = stopped ? undefined : fromAny(p);
        if (item) taken();
        w(item);
      }
    }
  };

  const put = (item: WorkItem) => {
    produced++;
    const p = poolOf(item);
    const w = waiters[p].shift();
    if (w) w(item);
    else {
      fifos[p].items.push(item);
      buffered++;
    }
  };

  const pumped = (async () => {
    try {
      for await (const next of source) {
        if (stopped) break;
        if (Array.isArray(next)) {
          for (let i = 0; i < next.length && !stopped; i++) put(next[i]);
        } else put(next as WorkItem);
        if (buffered >= cap && !stopped) await new Promise<void>((r) => (resumePump = r));
      }
    } catch (err) {
      listingError = err;
    } finally {
      done = true;
      releaseWaiters();
    }
  })();

  return {
    take(pool) {
      if (stopped) return undefined;
      const item = fromAny(pool);
      if (item) {
        taken();
        return item;
      }
      if (done) return undefined;
      return new Promise((resolve) => waiters[pool].push(resolve));
    },
    stop() {
      if (stopped) return;
      stopped = true;
      for (const f of fifos) {
        f.items = [];
        f.head = 0;
      }
      buffered = 0;
      resumePump?.();
      resumePump = undefined;
      releaseWaiters();
    },
    pumped,
    get produced() {
      return produced;
    },
    get listingDone() {
      return done;
    },
    get listingError() {
      return listingError;
    },
  };
}
