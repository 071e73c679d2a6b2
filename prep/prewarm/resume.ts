// --resume: which (key, derivative) pairs the JSON Lines log already holds, as
// 53-bit hashes (about 40 bytes each in a Set, against ~150 for the strings).
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { pairHash } from './shard.js';

export interface DoneSet {
  has(hash: number): boolean;
  readonly size: number;
}

export async function readDoneSet(jsonlPath: string): Promise<DoneSet> {
  const set = new Set<number>();
  if (!existsSync(jsonlPath)) return set;
  const rl = createInterface({ input: createReadStream(jsonlPath, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line) continue;
    try {
      const r = JSON.parse(line) as { key?: unknown; derivative?: unknown };
      if (typeof r.key === 'string' && typeof r.derivative === 'string') set.add(pairHash(r.key, r.derivative));
    } catch {
      /* torn last line: redone */
    }
  }
  return set;
}
