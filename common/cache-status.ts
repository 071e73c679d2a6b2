// Normalise the many ways a CDN says "this came from cache" into one CacheStatus.
// Used by pre-warming (Node) and by the k6 scenarios, so both count hits alike.
import type { CacheStatus } from './results-record.js';

/** Looks a header up case-insensitively; undefined when absent. */
export type HeaderLookup = (name: string) => string | undefined;

// Single-token forms: cf-cache-status, x-cache-status (nginx), x-proxy-cache, Akamai/CloudFront x-cache.
// CloudFront: "Hit from cloudfront", "RefreshHit from cloudfront", "Miss from cloudfront", "Error from cloudfront".
// Akamai: "TCP_HIT from a23-...", "TCP_MEM_HIT", "TCP_REFRESH_HIT", "TCP_IMS_HIT", "TCP_MISS", "TCP_REFRESH_MISS".
// Varnish/Fastly: "HIT", "MISS", "MISS, HIT" (shield, edge: the edge, closest to us, is last).
const TOKENS: Record<string, CacheStatus> = {
  HIT: 'hit',
  TCP_HIT: 'hit',
  TCP_MEM_HIT: 'hit',
  TCP_IMS_HIT: 'hit',
  TCP_NEGATIVE_HIT: 'hit',
  CACHED: 'hit',
  REFRESHHIT: 'revalidated',
  TCP_REFRESH_HIT: 'revalidated',
  REVALIDATED: 'revalidated',
  STALE: 'stale',
  UPDATING: 'stale',
  TCP_STALE_HIT: 'stale',
  TCP_REFRESH_FAIL_HIT: 'stale',
  EXPIRED: 'expired',
  TCP_REFRESH_MISS: 'expired',
  MISS: 'miss',
  TCP_MISS: 'miss',
  TCP_CLIENT_REFRESH_MISS: 'miss',
  UNCACHED: 'miss',
  BYPASS: 'bypass',
  NONE: 'bypass',
  IGNORED: 'bypass',
  PASS: 'bypass',
  DYNAMIC: 'dynamic',
  // Cloudflare: not eligible for cache (a Worker built the response).
  'NONE/UNKNOWN': 'dynamic',
  // CloudFront: generated at the edge, never cached.
  LAMBDAGENERATEDRESPONSE: 'dynamic',
  FUNCTIONGENERATEDRESPONSE: 'dynamic',
};

function fromToken(raw: string): CacheStatus | undefined {
  const v = raw.trim().toUpperCase();
  if (!v) return undefined;
  const parts = v.split(',');
  const last = parts[parts.length - 1].trim();
  const word = last.split(/\s+/)[0];
  return Object.prototype.hasOwnProperty.call(TOKENS, word) ? TOKENS[word] : undefined;
}

// RFC 9211 Cache-Status: `ExampleCache; hit, Edge; fwd=uri-miss; stored`.
// The last member is the cache closest to the client, which is the one we care about.
function fromCacheStatusHeader(raw: string): CacheStatus | undefined {
  const members = raw.split(',').map((m) => m.trim()).filter(Boolean);
  if (members.length === 0) return undefined;
  // The first item is the cache's name (a token or a quoted string), then its parameters.
  const params = members[members.length - 1].split(';').slice(1).map((p) => p.trim().toLowerCase());
  const value = (name: string) => {
    const prefix = `${name}=`;
    const param = params.find((p) => p.startsWith(prefix));
    return param === undefined ? undefined : param.slice(prefix.length).replace(/^"|"$/g, '');
  };
  if (params.includes('hit') || params.includes('hit=?1')) {
    // A negative ttl means the hit was served stale.
    const ttl = Number(value('ttl'));
    return Number.isFinite(ttl) && ttl < 0 ? 'stale' : 'hit';
  }
  const fwd = value('fwd');
  if (fwd === undefined) return undefined;
  switch (fwd) {
    case 'stale':
      return value('fwd-status') === '304' ? 'revalidated' : 'expired';
    case 'bypass':
    case 'method':
    case 'request':
      return 'bypass';
    default:
      // uri-miss, vary-miss, miss, partial: forwarded because nothing usable was stored.
      return 'miss';
  }
}

const TOKEN_HEADERS = ['cf-cache-status', 'x-cache-status', 'x-proxy-cache', 'x-cache', 'x-cache-remote', 'x-vercel-cache', 'x-served-by-cache'];

/**
 * Normalised cache status from response headers. Order: cf-cache-status,
 * x-cache-status, x-cache and friends, then RFC 9211 Cache-Status, Varnish's
 * X-Varnish, and as a last hint a positive Age (only a cache adds Age > 0).
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
  // Varnish: `X-Varnish: 32770` (this request's id: a miss or pass) or `32770 3` (plus the id of
  // the request that stored the object: a hit).
  const xv = get('x-varnish');
  if (xv !== undefined) {
    const ids = xv.split(',').pop()!.trim().split(/\s+/).filter(Boolean);
    if (ids.length >= 2) return 'hit';
    if (ids.length === 1) return 'miss';
  }
  const age = get('age');
  if (age !== undefined && Number(age.split(',')[0].trim()) > 0) return 'hit';
  return 'unknown';
}

/** True for the statuses that mean the body was served from cache. */
export function isCacheHit(status: CacheStatus): boolean {
  return status === 'hit' || status === 'stale' || status === 'revalidated';
}
