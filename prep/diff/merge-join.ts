// What changed between two listings: a merge-join of two streams sorted in S3 key
// order (what `list` writes for S3 and local folders). One object of each side is in
// memory at a time, so two million-object listings cost no more than two small ones.
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
    const a = Date.parse(before.lastModified);
    const b = Date.parse(after.lastModified);
    if (Number.isFinite(a) && Number.isFinite(b)) return a !== b;
    return before.lastModified !== after.lastModified;
  }
  return false;
}

/** A side's objects, checked to be strictly increasing in key order. */
async function* ordered(objects: AsyncIterable<StoredObject>, name: string): AsyncGenerator<StoredObject> {
  let prev: string | undefined;
  let n = 0;
  for await (const o of objects) {
    n++;
    if (prev !== undefined) {
      const c = compareKeys(prev, o.key);
      if (c === 0) throw new RuntimeError(`${name}: key "${o.key}" appears twice (entry ${n})`);
      if (c > 0) {
        throw new RuntimeError(
          `${name} is not in S3 key order at entry ${n} ("${o.key}" after "${prev}"): diff merge-joins two key-ordered listings; ` +
            'write them with `media-toolkit list` (S3 and local folders stream in key order) or `list --sort key`',
        );
      }
    }
    prev = o.key;
    yield o;
  }
}

export interface DiffOptions {
  /** Names used in error messages, e.g. the file paths. */
  beforeName?: string;
  afterName?: string;
}

/**
 * Streams the new, changed and deleted keys in key order; `counts` (unchanged
 * included) is filled as it goes and complete when the generator ends.
 */
export async function* diffListings(before: AsyncIterable<StoredObject>, after: AsyncIterable<StoredObject>, counts: ChangeCounts, opts: DiffOptions = {}): AsyncGenerator<ChangeRecord> {
  const a = ordered(before, opts.beforeName ?? 'the old listing')[Symbol.asyncIterator]();
  const b = ordered(after, opts.afterName ?? 'the new listing')[Symbol.asyncIterator]();
  let x = await a.next();
  let y = await b.next();
  while (!x.done || !y.done) {
    const c = x.done ? 1 : y.done ? -1 : compareKeys(x.value.key, y.value.key);
    if (c < 0) {
      const o = x.value as StoredObject;
      counts.deleted++;
      yield { change: 'deleted', key: o.key, size: o.size, lastModified: o.lastModified, etag: o.etag };
      x = await a.next();
    } else if (c > 0) {
      const o = y.value as StoredObject;
      counts.new++;
      yield { change: 'new', key: o.key, size: o.size, lastModified: o.lastModified, etag: o.etag };
      y = await b.next();
    } else {
      const o = x.value as StoredObject;
      const n = y.value as StoredObject;
      if (hasChanged(o, n)) {
        counts.changed++;
        yield { change: 'changed', key: n.key, size: n.size, lastModified: n.lastModified, etag: n.etag, before: { size: o.size, lastModified: o.lastModified, etag: o.etag } };
      } else counts.unchanged++;
      x = await a.next();
      y = await b.next();
    }
  }
}

export function emptyCounts(): ChangeCounts {
  return { new: 0, changed: 0, deleted: 0, unchanged: 0 };
}
