// --resume: which (key, derivative[, edge][, cache-key variant]) items the JSON Lines log already holds, as
// 53-bit hashes (about 40 bytes each in a Set, against ~150 for the strings).
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { workHash } from './work-list.js';

export interface DoneSet {
  has(hash: number): boolean;
  readonly size: number;
}

/** withEdges: the run warms --edge addresses, so a record's edge is part of what it did. */
export async function readDoneSet(jsonlPath: string, withEdges = false): Promise<DoneSet> {
  const set = new Set<number>();
  if (!existsSync(jsonlPath)) return set;
  const rl = createInterface({ input: createReadStream(jsonlPath, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line) continue;
    try {
      const r = JSON.parse(line) as { key?: unknown; derivative?: unknown; edge?: unknown; cacheVariant?: unknown };
      if (typeof r.key === 'string' && typeof r.derivative === 'string') {
        const edge = withEdges && typeof r.edge === 'string' ? r.edge : undefined;
        set.add(workHash(r.key, r.derivative, edge, typeof r.cacheVariant === 'string' ? r.cacheVariant : undefined));
      }
    } catch {
      /* torn last line: redone */
    }
  }
  return set;
}
