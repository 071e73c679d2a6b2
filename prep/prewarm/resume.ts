// --resume: which (key, derivative) pairs the JSON Lines log already holds, as
// 53-bit hashes (about 40 bytes each in a Set, against ~150 for the strings).
// With retryFailed, only pairs whose record (the last one for the pair) succeeded
// count as done: a failed answer is asked again.
import { existsSync } from 'node:fs';
import { logLines } from '../../results/log-lines.js';
import { pairHash } from './shard.js';

export interface DoneSet {
  has(hash: number): boolean;
  readonly size: number;
  /** --retry-failed: the pairs asked again (their final answer in the log failed). */
  readonly retrying: ReadonlySet<number>;
}

export interface ResumeOptions {
  /** --retry-failed: records whose final answer failed are not done. */
  retryFailed?: boolean;
}

/** The pairs done in the log; a damaged line (other than a torn last one) stops with FILE:LINE. */
export async function readDoneSet(jsonlPath: string, opts: ResumeOptions = {}): Promise<DoneSet> {
  const set = new Set<number>();
  const failed = new Set<number>();
  const done = { has: (h: number) => set.has(h), get size() { return set.size; }, retrying: failed };
  if (!existsSync(jsonlPath)) return done;
  for await (const { value } of logLines(jsonlPath)) {
    const r = value as { key?: unknown; derivative?: unknown; ok?: unknown };
    if (typeof r?.key !== 'string' || typeof r.derivative !== 'string') continue;
    const h = pairHash(r.key, r.derivative);
    // The log holds a retried pair twice (failed, then the retry): the last answer wins.
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
