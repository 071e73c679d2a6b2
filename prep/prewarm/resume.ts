// --resume: which (key, derivative[, edge][, cache-key variant]) items the JSON Lines log already holds, as
// 53-bit hashes (about 40 bytes each in a Set, against ~150 for the strings).
// With retryFailed, only items whose record (the last one for the item) succeeded
// count as done: a failed answer is asked again.
import { existsSync } from 'node:fs';
import { logLines } from '../../results/log-lines.js';
import { workHash } from './work-list.js';

export interface DoneSet {
  has(hash: number): boolean;
  readonly size: number;
  /** --retry-failed: the items asked again (their final answer in the log failed). */
  readonly retrying: ReadonlySet<number>;
}

export interface ResumeOptions {
  /** The run warms --edge addresses, so a record's edge is part of what it did. */
  withEdges?: boolean;
  /** --retry-failed: records whose final answer failed are not done. */
  retryFailed?: boolean;
}

interface LoggedRecord {
  key?: unknown;
  derivative?: unknown;
  edge?: unknown;
  cacheVariant?: unknown;
  ok?: unknown;
}

/** The work hash of a logged record (as workItems computes it), or undefined for a line that is not one. */
export function recordHash(r: LoggedRecord, withEdges = false): number | undefined {
  if (typeof r?.key !== 'string' || typeof r.derivative !== 'string') return undefined;
  const edge = withEdges && typeof r.edge === 'string' ? r.edge : undefined;
  return workHash(r.key, r.derivative, edge, typeof r.cacheVariant === 'string' ? r.cacheVariant : undefined);
}

/** The items done in the log; a damaged line (other than a torn last one) stops with FILE:LINE. */
export async function readDoneSet(jsonlPath: string, opts: ResumeOptions = {}): Promise<DoneSet> {
  const set = new Set<number>();
  const failed = new Set<number>();
  const done = { has: (h: number) => set.has(h), get size() { return set.size; }, retrying: failed };
  if (!existsSync(jsonlPath)) return done;
  for await (const { value } of logLines(jsonlPath)) {
    const r = value as LoggedRecord;
    const h = recordHash(r, opts.withEdges);
    if (h === undefined) continue;
    // The log holds a retried item twice (failed, then the retry): the last answer wins.
    if (opts.retryFailed && r.ok === false) {
      set.delete(h);
      failed.add(h);
    } else {
      set.add(h);
      failed.delete(h);
    }
  }
  return done;
}
