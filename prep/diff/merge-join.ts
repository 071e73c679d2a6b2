// What changed between two listings: a merge-join of two streams sorted in S3 key
// order (what `list` writes for S3 and local folders). Each side is read in batches
// (one chunk of the file at a time) and walked with a cursor, so two million-object
// listings cost no more memory than two small ones, and the walk awaits only when a
// batch runs out.
import type { StoredObject } from '../../storage/types.js';
import { compareKeys } from '../../storage/key-order.js';
import type { ChangeCounts, ChangeRecord } from '../../storage/change-list.js';
import { RuntimeError } from '../../lib/errors.js';

/**
 * Changed: both ETags known and different (or the sizes differ); without ETags,
 * a different size or last-modified time. Times are compared as instants, so
 * "2024-05-01T10:00:00Z" and "2024-05-01T10:00:00.000Z" are the same.
 */
export function hasChanged(before: StoredObject, after: StoredObject): boolean {
  if (before.size !== after.size) return true;
  if (before.etag && after.etag) return before.etag !== after.etag;
  if (before.lastModified && after.lastModified) {
    if (before.lastModified === after.lastModified) return false;
    const a = Date.parse(before.lastModified);
    const b = Date.parse(after.lastModified);
    if (Number.isFinite(a) && Number.isFinite(b)) return a !== b;
    return true;
  }
  return false;
}

/** One side: the current object of a batched stream, checked to be strictly increasing in key order. */
class Cursor {
  private batch: StoredObject[] = [];
  private i = 0;
  private n = 0;
  private prev: string | undefined;
  current: StoredObject | undefined;

  constructor(
    private readonly it: AsyncIterator<StoredObject[]>,
    private readonly name: string,
    private readonly keep: ((o: StoredObject) => boolean) | undefined,
  ) {}

  /** Moves to the next kept object; awaits only when the batch is used up. */
  next(): Promise<void> | void {
    if (this.take()) return;
    return this.refill();
  }

  /** The next kept object of the batch in hand, if there is one. */
  private take(): boolean {
    while (this.i < this.batch.length) {
      const o = this.batch[this.i++];
      this.n++;
      if (this.keep && !this.keep(o)) continue;
      this.check(o.key);
      this.current = o;
      return true;
    }
    return false;
  }

  private async refill(): Promise<void> {
    for (;;) {
      const r = await this.it.next();
      if (r.done) {
        this.current = undefined;
        return;
      }
      this.batch = r.value;
      this.i = 0;
      if (this.take()) return;
    }
  }

  private check(key: string): void {
    const prev = this.prev;
    this.prev = key;
    if (prev === undefined) return;
    const c = compareKeys(prev, key);
    if (c === 0) throw new RuntimeError(`${this.name}: key "${key}" appears twice (entry ${this.n})`);
    if (c > 0) {
      throw new RuntimeError(
        `${this.name} is not in S3 key order at entry ${this.n} ("${key}" after "${prev}"): diff merge-joins two key-ordered listings; ` +
          'write them with `media-toolkit list` (S3 and local folders stream in key order) or `list --sort key`',
      );
    }
  }
}

export interface DiffOptions {
  /** Names used in error messages, e.g. the file paths. */
  beforeName?: string;
  afterName?: string;
  /** Objects kept on both sides (filters); the others are skipped before comparing. */
  keep?: (o: StoredObject) => boolean;
}

/**
 * Calls `emit` for every new, changed and deleted key, in key order; `counts` (unchanged
 * included) is complete when the promise resolves. `emit` may return a promise (backpressure).
 */
export async function mergeJoin(
  before: AsyncIterable<StoredObject[]>,
  after: AsyncIterable<StoredObject[]>,
  counts: ChangeCounts,
  emit: (r: ChangeRecord) => Promise<void> | void,
  opts: DiffOptions = {},
): Promise<void> {
  const a = new Cursor(before[Symbol.asyncIterator](), opts.beforeName ?? 'the old listing', opts.keep);
  const b = new Cursor(after[Symbol.asyncIterator](), opts.afterName ?? 'the new listing', opts.keep);
  await a.next();
  await b.next();
  for (;;) {
    const x = a.current;
    const y = b.current;
    if (!x && !y) return;
    const c = !x ? 1 : !y ? -1 : compareKeys(x.key, y.key);
    let p: Promise<void> | void;
    if (c < 0) {
      counts.deleted++;
      p = emit({ change: 'deleted', key: x!.key, size: x!.size, lastModified: x!.lastModified, etag: x!.etag });
      if (p) await p;
      p = a.next();
      if (p) await p;
    } else if (c > 0) {
      counts.new++;
      p = emit({ change: 'new', key: y!.key, size: y!.size, lastModified: y!.lastModified, etag: y!.etag });
      if (p) await p;
      p = b.next();
      if (p) await p;
    } else {
      if (hasChanged(x!, y!)) {
        counts.changed++;
        p = emit({ change: 'changed', key: y!.key, size: y!.size, lastModified: y!.lastModified, etag: y!.etag, before: { size: x!.size, lastModified: x!.lastModified, etag: x!.etag } });
        if (p) await p;
      } else counts.unchanged++;
      p = a.next();
      if (p) await p;
      p = b.next();
      if (p) await p;
    }
  }
}

export function emptyCounts(): ChangeCounts {
  return { new: 0, changed: 0, deleted: 0, unchanged: 0 };
}
