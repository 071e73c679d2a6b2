// --shard i/n: n machines warm disjoint sets that together cover everything.
// Shards are numbered from 0 (like Kubernetes' JOB_COMPLETION_INDEX): a key goes to
// shard fnv1a(key) mod n, so all derivatives of one key land
// on the same machine, and the split is the same on every machine and every run.

export interface Shard {
  /** 0-based: 0 .. count-1. */
  index: number;
  count: number;
}

/** FNV-1a 32-bit over the UTF-8 bytes of s. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    // UTF-8 encode on the fly so the hash matches other implementations.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    const bytes = c < 0x80 ? [c] : c < 0x800 ? [0xc0 | (c >> 6), 0x80 | (c & 63)] : c < 0x10000 ? [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63)] : [0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63)];
    for (const b of bytes) {
      h ^= b;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return h >>> 0;
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
