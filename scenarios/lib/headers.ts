// Header lookup over k6's res.headers without copying them: k6 (Go) hands
// headers over in canonical form (Cf-Cache-Status), so a lookup canonicalises
// the name instead of lower-casing every header of every response.
import type { HeaderLookup } from '../../common/cache-status.js';

export function canonicalHeaderName(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}

const canonical: Record<string, string> = {};

/** canonicalHeaderName, remembered: the same few names are asked for on every response. */
function canonicalName(name: string): string {
  return canonical[name] ?? (canonical[name] = canonicalHeaderName(name));
}

/** A lookup for parseCacheStatus; `onAsk` hears the canonical name of each header read. */
export function k6HeaderLookup(headers: Record<string, string | undefined>, onAsk?: (canonicalName: string) => void): HeaderLookup {
  return (name) => {
    const key = canonicalName(name);
    if (onAsk) onAsk(key);
    const v = headers[key];
    return v === undefined ? headers[name] : v;
  };
}
