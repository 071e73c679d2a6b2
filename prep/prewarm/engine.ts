// The pre-warming engine (prewarm and verify): worker pools pulling from the lazy work list, each
// request through fetchItem, each final record handed to onRecord as it lands.
// stop() takes no new work and lets in-flight requests finish; abort() cuts them.
import type { ResultsRecord } from '../../common/results-record.js';
import { abortSlot, fetchItem, type FetchSettings, type Slot } from './fetch-one.js';
import type { Connection } from './worker-connections.js';
import { createWorkQueues } from './work-queues.js';
import type { WorkItem } from './work-list.js';

export interface PrewarmRunOptions {
  /** The work list: items, or arrays of items (workBatches), in order. */
  items: AsyncIterable<WorkItem | readonly WorkItem[]>;
  /** Workers per pool: [total] or [small, medium, large] with --optimize-by-size. */
  poolWorkers: number[];
  /** Pool index of an item (default: 0). */
  poolOf?: (item: WorkItem) => number;
  fetch: FetchSettings;
  /** A connection of its own for each worker (WorkerConnections.forWorker). */
  connectionFor: () => Connection;
  onRecord: (r: ResultsRecord) => void;
  /** Called once when stop() or abort() is first called (e.g. to wake requests waiting for a slot). */
  onStop?: () => void;
  /** Items buffered ahead of the workers at most (default 4 x workers, at least 1000). */
  queueCap?: number;
}

export interface RunCounters {
  done: number;
  failed: number;
  inFlight: number;
  /** Work items read from the list so far. */
  produced: number;
  listingDone: boolean;
}

export interface RunOutcome extends RunCounters {
  /** stop() or abort() was called before the list was exhausted. */
  interrupted: boolean;
  /** abort() cut in-flight requests short. */
  aborted: boolean;
  listingError: unknown;
}

export interface PrewarmRun {
  done: Promise<RunOutcome>;
  stop(): void;
  abort(): void;
  counters(): RunCounters;
}

export function startPrewarm(opts: PrewarmRunOptions): PrewarmRun {
  const total = opts.poolWorkers.reduce((a, b) => a + b, 0);
  const cap = opts.queueCap ?? Math.max(1000, total * 4);
  const queues = createWorkQueues(opts.items, opts.poolWorkers.length, opts.poolOf ?? (() => 0), cap);
  const slots: Slot[] = [];
  let done = 0;
  let failed = 0;
  let inFlight = 0;
  let interrupted = false;
  let aborted = false;
  let silent = 0;

  const worker = async (pool: number, slot: Slot) => {
    for (;;) {
      const next = queues.take(pool);
      const item = next instanceof Promise ? await next : next;
      if (!item || slot.aborted) return;
      inFlight++;
      let r: ResultsRecord | null;
      try {
        r = await fetchItem(item, opts.fetch, slot);
      } catch (err) {
        // A bug or an unexpected failure must not lose the item silently.
        r = {
          key: item.key, derivative: item.name, kind: item.kind, url: '', status: 0, ok: false, attempts: 1, ttfbMs: 0, totalMs: 0,
          bytesReceived: 0, contentLength: null, contentType: null, cacheStatus: 'unknown', errorClass: 'unknown_error',
          errorMessage: String((err as Error)?.message ?? err).slice(0, 300), sourceSize: item.sourceSize, sizeCategory: item.sizeCategory,
          startedAt: new Date().toISOString(),
        };
        if (item.edge) r.edge = item.edge.label;
        if (item.cacheVariant) r.cacheVariant = item.cacheVariant.label;
      }
      inFlight--;
      if (item.onBody) {
        // Discovery (HLS/DASH): the body goes to the kind that asked before the record is written,
        // so a 200 that is not a playlist is recorded as the failure it is.
        let verdict: string | void;
        try {
          verdict = item.onBody(r?.ok ? (item.bodyText ?? null) : null, r);
        } catch (err) {
          verdict = String((err as Error)?.message ?? err);
        }
        item.bodyText = undefined;
        if (verdict && r?.ok) Object.assign(r, { ok: false, errorClass: 'invalid_playlist', errorMessage: verdict.slice(0, 300) });
        if (item.silent) {
          // Fetched for its body only: not a record, not counted as work produced.
          silent++;
          continue;
        }
      }
      if (r) {
        done++;
        if (!r.ok) failed++;
        opts.onRecord(r);
      }
    }
  };

  const workers: Promise<void>[] = [];
  opts.poolWorkers.forEach((n, pool) => {
    for (let i = 0; i < n; i++) {
      const slot: Slot = { aborted: false, connection: opts.connectionFor() };
      slots.push(slot);
      workers.push(worker(pool, slot));
    }
  });

  const counters = (): RunCounters => ({ done, failed, inFlight, produced: queues.produced - silent, listingDone: queues.listingDone });
  const finished = (async (): Promise<RunOutcome> => {
    await Promise.all(workers);
    queues.stop();
    await queues.pumped;
    return { ...counters(), interrupted, aborted, listingError: queues.listingError };
  })();

  return {
    done: finished,
    counters,
    stop() {
      if (!queues.listingDone || queues.produced - silent > done + inFlight) interrupted = true;
      queues.stop();
    },
    abort() {
      interrupted = true;
      aborted = true;
      queues.stop();
      for (const s of slots) abortSlot(s);
      opts.onStop?.();
    },
  };
}
