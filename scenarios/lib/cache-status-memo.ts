// The common cache-status parser, remembered per combination of header values:
// a load test sees the same few values ("HIT", "MISS") millions of times, and
// parsing them again on every response costs a VU real time.
import { parseCacheStatus } from '../../common/cache-status.js';
import type { CacheStatus } from '../../common/results-record.js';
import { k6HeaderLookup } from './headers.js';

// Canonical names the parser has read so far. Its answer depends only on the
// values of the headers it reads, so those values are a safe memo key.
const asked: string[] = [];
let memo: Record<string, CacheStatus> = {};
let memoSize = 0;

export function cacheStatusOf(headers: Record<string, string | undefined>): CacheStatus {
  // Key: the index and value of each header present (absent ones add nothing,
  // so a response without cache headers makes the empty key, no allocation).
  let key = '';
  for (let i = 0; i < asked.length; i++) {
    const v = headers[asked[i]];
    if (v !== undefined) key += i + '\u0001' + v + '\u0001';
  }
  const known = memo[key];
  if (known !== undefined) return known;
  const before = asked.length;
  const status = parseCacheStatus(
    k6HeaderLookup(headers, (c) => {
      if (asked.indexOf(c) < 0) asked.push(c);
    }),
  );
  if (asked.length !== before || memoSize > 1000) {
    // The key's shape changed (or it grew large): start over.
    memo = {};
    memoSize = 0;
  } else {
    memo[key] = status;
    memoSize++;
  }
  return status;
}
