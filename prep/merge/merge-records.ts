// One record per key and derivative out of several shard runs (or retries of one):
// a successful record beats a failed one, and among equals the latest wins.
import type { ResultsRecord } from '../../common/results-record.js';

export function recordId(r: Pick<ResultsRecord, 'key' | 'derivative'>): string {
  return `${r.key}\u0000${r.derivative}`;
}

/** True when candidate should replace current. */
export function isBetter(candidate: ResultsRecord, current: ResultsRecord): boolean {
  if (candidate.ok !== current.ok) return candidate.ok;
  return candidate.startedAt > current.startedAt;
}

export interface RecordMerger {
  add(r: ResultsRecord): void;
  /** Records seen, before deduplication. */
  readonly seen: number;
  /** The kept records, sorted by key then derivative (stable output whatever the shard order). */
  records(): ResultsRecord[];
}

export function createRecordMerger(): RecordMerger {
  const kept = new Map<string, ResultsRecord>();
  let seen = 0;
  return {
    add(r) {
      seen++;
      const id = recordId(r);
      const current = kept.get(id);
      if (!current || isBetter(r, current)) kept.set(id, r);
    },
    get seen() {
      return seen;
    },
    records() {
      return [...kept.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.derivative < b.derivative ? -1 : a.derivative > b.derivative ? 1 : 0));
    },
  };
}
