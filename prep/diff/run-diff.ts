// `media-toolkit diff`: an old listing file against a new one (or the live bucket),
// written as a change list to a file (atomically) or to stdout.
import { objectFilter } from '../../storage/filters.js';
import { directoryPrefix, listObjects } from '../../storage/index.js';
import { batchesOf, readListingBatches } from '../../storage/listing-batches.js';
import type { ListFilters, ListOptions, StoredObject } from '../../storage/types.js';
import { changeWriter, type ChangeCounts, type ChangeFormat, type ChangeType } from '../../storage/change-list.js';
import { openAtomicStream } from '../../lib/atomic-write.js';
import { emptyCounts, mergeJoin } from './merge-join.js';
import { tuneV8ForStreaming } from '../../lib/v8-tuning.js';
import { isTableListing } from '../../storage/key-list.js';
import { RuntimeError } from '../../lib/errors.js';

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

/** The filters as one predicate, applied to both sides. */
function keepOf(f: DiffRunOptions['filters']): ((o: StoredObject) => boolean) | undefined {
  const keep = objectFilter({ ...f, limit: undefined });
  const prefix = directoryPrefix(f.directory);
  if (!keep && !prefix) return undefined;
  return (o) => (!prefix || o.key.startsWith(prefix)) && (!keep || keep(o));
}

/** Writes to stdout honouring backpressure. */
function stdoutSink(text: string): Promise<void> | void {
  if (text === '' || process.stdout.write(text)) return;
  return new Promise((resolve) => process.stdout.once('drain', () => resolve()));
}

export async function runDiff(o: DiffRunOptions): Promise<ChangeCounts> {
  // Two listings stream through: memory that stays near what is alive, not what the collector has not reached yet.
  tuneV8ForStreaming();
  // `list`'s default table is for reading: sizes rounded ("2.0 KiB"), no ETags, so nothing exact to compare.
  for (const f of [o.before, o.after]) {
    if (f && (await isTableListing(f))) {
      throw new RuntimeError(`${f} is a table listing (list's format for reading: sizes rounded, no ETags), which diff cannot compare exactly; write the listings with \`list --format jsonl\` (or json, csv)`);
    }
  }
  const before = readListingBatches(o.before);
  const after = o.after ? readListingBatches(o.after) : batchesOf(listObjects({ ...o.location!, limit: undefined }));
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
    await mergeJoin(before, after, counts, (r) => (wanted.has(r.change) ? writer.write(r) : undefined), {
      beforeName: o.before,
      afterName: o.after ?? 'the live listing',
      keep: keepOf(o.filters),
    });
    await writer.end(counts);
    await out?.commit();
  } catch (err) {
    await out?.abort();
    throw err;
  }
  return counts;
}
