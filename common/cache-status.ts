// Normalise the many ways a CDN says "this came from cache" into one CacheStatus.
// Used by pre-warming (Node) and by the k6 scenarios, so both count hits alike.
import type { CacheStatus } from './results-record.js';

/** Looks a header up case-insensitively; undefined when absent. */
export type HeaderLookup = (name: string) => string | undefined;

/** Builds a HeaderLookup over a plain object (k6 `res.headers`, undici headers, fetch-like records). */
export function headerLookup(headers: Record<string, string | string[] | undefined>): HeaderLookup {
  const lower: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    const v = headers[name];
    if (v === undefined) continue;
    lower[name.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return (name) => lower[name.toLowerCase()];
}

// Single-token forms: cf-cache-status, x-cache-status (nginx), x-proxy-cache, Akamai/CloudFront x-cache.
function fromToken(raw: string): CacheStatus | undefined {
  const v = raw.trim().toUpperCase();
  if (!v) return undefined;
  // CloudFront: "Hit from cloudfront", "RefreshHit from cloudfront", "Miss from cloudfront", "Error from cloudfront".
  // Akamai: "TCP_HIT from a23-...", "TCP_MEM_HIT", "TCP_REFRESH_HIT", "TCP_IMS_HIT", "TCP_MISS", "TCP_REFRESH_MISS".
  // Varnish/Fastly: "HIT", "MISS", "HIT, MISS" (shield, edge: the edge is last).
  const parts = v.split(',');
  const last = parts[parts.length - 1].trim();
  const word = last.split(/\s+/)[0];
  if (/^(TCP_)?(MEM_)?(HIT|IMS_HIT|NEGATIVE_HIT)$/.test(word) || word === 'HIT') return 'hit';
  if (word === 'REFRESHHIT' || word === 'TCP_REFRESH_HIT' || word === 'REVALIDATED' || word === 'TCP_IMS_HIT') return 'revalidated';
  if (word === 'STALE' || word === 'UPDATING' || word === 'TCP_STALE_HIT') return 'stale';
  if (word === 'EXPIRED' || word === 'TCP_REFRESH_MISS') return 'expired';
  if (/^(TCP_)?MISS$/.test(word) || word === 'TCP_CLIENT_REFRESH_MISS') return 'miss';
  if (word === 'BYPASS' || word === 'NONE' || word === 'IGNORED' || word === 'PASS') return 'bypass';
  if (word === 'DYNAMIC') return 'dynamic';
  return undefined;
}

// RFC 9211 Cache-Status: `ExampleCache; hit, Edge; fwd=uri-miss; stored`.
// The last member is the cache closest to the client, which is the one we care about.
function fromCacheStatusHeader(raw: string): CacheStatus | undefined {
  const members = raw.split(',').map((m) => m.trim()).filter(Boolean);
  if (members.length === 0) return undefined;
  const params = members[members.length - 1].split(';').map((p) => p.trim().toLowerCase());
  if (params.includes('hit')) return 'hit';
  const fwd = params.find((p) => p.startsWith('fwd='));
  if (!fwd) return undefined;
  const reason = fwd.slice(4).replace(/^"|"$/g, '');
  switch (reason) {
    case 'stale':
      return params.some((p) => p.startsWith('fwd-status=304')) ? 'revalidated' : 'expired';
    case 'bypass':
    case 'method':
    case 'request':
      return 'bypass';
    case 'uri-miss':
    case 'vary-miss':
    case 'miss':
      return 'miss';
    default:
      return 'miss';
  }
}

const TOKEN_HEADERS = ['cf-cache-status', 'x-cache-status', 'x-proxy-cache', 'x-cache', 'x-cache-remote', 'x-vercel-cache', 'x-served-by-cache'];

/**
 * Normalised cache status from response headers. Order: cf-cache-status,
 * x-cache-status, x-cache and friends, then RFC 9211 Cache-Status, and as a
 * last hint a positive Age (only a cache adds Age > 0).
 */
export function parseCacheStatus(get: HeaderLookup): CacheStatus {
  for (const name of TOKEN_HEADERS) {
    const v = get(name);
    if (v !== undefined) {
      const s = fromToken(v);
      if (s) return s;
    }
  }
  const cs = get('cache-status');
  if (cs !== undefined) {
    const s = fromCacheStatusHeader(cs);
    if (s) return s;
  }
  const age = get('age');
  if (age !== undefined && Number(age) > 0) return 'hit';
  return 'unknown';
}

/** True for the statuses that mean the body was served from cache. */
export function isCacheHit(status: CacheStatus): boolean {
  return status === 'hit' || status === 'stale' || status === 'revalidated';
}
