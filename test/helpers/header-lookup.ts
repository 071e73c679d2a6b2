// A HeaderLookup over a plain header object (undici or fetch-like), for tests that
// feed recorded headers to parseCacheStatus.
import type { HeaderLookup } from '../../common/cache-status.js';

export function headerLookup(headers: Record<string, string | string[] | undefined>): HeaderLookup {
  const lower: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    const v = headers[name];
    if (v === undefined) continue;
    lower[name.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return (name) => lower[name.toLowerCase()];
}
