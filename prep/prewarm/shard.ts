// --shard i/n: n machines warm disjoint sets that together cover everything.
// Shards are numbered from 0 (like Kubernetes' JOB_COMPLETION_INDEX): a key goes to
// shard fnv1a(key) mod n, so all derivatives of one key land
// on the same machine, and the split is the same on every machine and every run.

import { fnv1a } from '../../common/fnv1a.js';

export interface Shard {
  /** 0-based: 0 .. count-1. */
  index: number;
  count: number;
}


export function parseShard(value: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  if (!m) throw new Error(`expected i/n like 0/4, got "${value}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new Error(`shard count must be at least 1, got ${count}`);
  if (index > count - 1) throw new Error(`shard index must be between 0 and ${count - 1} (shards are numbered from 0), got ${index}`);
  return { index, count };
}

export function inShard(key: string, shard: Shard | undefined): boolean {
  if (!shard || shard.count === 1) return true;
  return fnv1a(key) % shard.count === shard.index;
}

/** A 53-bit hash of a (key, derivative) pair, for the set of records done (resume). */
export function pairHash(key: string, derivative: string): number {
  const a = fnv1a(key);
  const b = fnv1a(`${derivative}\u0000${key}`);
  return (b & 0x1fffff) * 0x100000000 + a;
}
