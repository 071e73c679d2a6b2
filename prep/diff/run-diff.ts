// `media-toolkit diff`: an old listing file against a new one (or the live bucket),
// written as a change list to a file (atomically) or to stdout.
import { objectFilter } from '../../storage/filters.js';
import { directoryPrefix, listObjects } from '../../storage/index.js';
import { readListingFile } from '../../storage/listing-format.js';
import type { ListFilters, ListOptions, StoredObject } from '../../storage/types.js';
import { changeWriter, type ChangeCounts, type ChangeFormat, type ChangeType } from '../../storage/change-list.js';
import { openAtomicStream } from '../../lib/atomic-write.js';
import { diffListings, emptyCounts } from './merge-join.js';

export interface DiffRunOptions {
  before: string;
  /** A listing file, or undefined to list `location` live. */
  after?: string;
  location?: ListOptions;
  /** Applied to both sides, so a filtered-out key is not reported as deleted. */
  filters: ListFilters & { directory?: string };
  format: ChangeFormat;
  /** undefined: stdout. */
  output?: string;
  /** Change types written (all are counted). */
  changes: readonly ChangeType[];
}

async function* filtered(objects: AsyncIterable<StoredObject>, f: DiffRunOptions['filters']): AsyncGenerator<StoredObject> {
  const keep = objectFilter({ ...f, limit: undefined });
  const prefix = directoryPrefix(f.directory);
  for await (const o of objects) {
    if (prefix && !o.key.startsWith(prefix)) continue;
    if (keep && !keep(o)) continue;
    yield o;
  }
}

/** Writes to stdout honouring backpressure. */
function stdoutSink(text: string): Promise<void> | void {
  if (text === '' || process.stdout.write(text)) return;
  return new Promise((resolve) => process.stdout.once('drain', () => resolve()));
}

export async function runDiff(o: DiffRunOptions): Promise<ChangeCounts> {
  const before = filtered(readListingFile(o.before), o.filters);
  const afterSource = o.after ? readListingFile(o.after) : listObjects({ ...o.location!, limit: undefined });
  const after = filtered(afterSource, o.filters);
  const counts = emptyCounts();
  const wanted = new Set<string>(o.changes);
  const title = `Changes from ${o.before} to ${o.after ?? `${o.location?.remote}:${o.location?.bucket}`}`;
  const out = o.output ? await openAtomicStream(o.output) : undefined;
  const sink = out
    ? (text: string) => {
        if (text === '' || out.stream.write(text)) return;
        return new Promise<void>((resolve) => out.stream.once('drain', () => resolve()));
      }
    : stdoutSink;
  const writer = changeWriter(o.format, sink, title);
  try {
    for await (const r of diffListings(before, after, counts, { beforeName: o.before, afterName: o.after ?? 'the live listing' })) {
      if (wanted.has(r.change)) await writer.write(r);
    }
    await writer.end(counts);
    await out?.commit();
  } catch (err) {
    await out?.abort();
    throw err;
  }
  return counts;
}
