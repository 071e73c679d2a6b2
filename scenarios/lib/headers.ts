// Header lookup over k6's res.headers without copying them: k6 (Go) hands
// headers over in canonical form (Cf-Cache-Status), so a lookup canonicalises
// the name instead of lower-casing every header of every response.
import type { HeaderLookup } from '../../common/cache-status.js';

export function canonicalHeaderName(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}

const canonical: Record<string, string> = {};

export function k6HeaderLookup(headers: Record<string, string>): HeaderLookup {
  return (name) => {
    const key = canonical[name] ?? (canonical[name] = canonicalHeaderName(name));
    const v = headers[key];
    return v === undefined ? headers[name] : v;
  };
}
