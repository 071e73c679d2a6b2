// Which PoP or edge server answered, normalised from the headers the big CDNs send.
// CDNs cache per PoP (Cloudflare per data centre, Akamai per edge server), so a
// warm cache is only warm where it was warmed: every record says where that was.
// Shared by Node and k6: plain string work, no Node APIs.
import type { HeaderLookup } from './cache-status.js';

/** Header names parsePop reads (lower case), for callers that pick headers ahead. */
export const POP_HEADERS: readonly string[] = [
  'cf-ray', 'x-amz-cf-pop', 'x-served-by', 'x-cache', 'x-cache-remote', 'server', 'cdn-pullzone', 'via', 'x-varnish', 'x-akamai-request-id',
];

const lastMember = (v: string) => {
  const parts = v.split(',').map((p) => p.trim()).filter(Boolean);
  return parts[parts.length - 1] ?? '';
};

/**
 * The PoP of a response, or null when no header names one:
 * - `popHeader` (--pop-header NAME): its value, trimmed;
 * - Cloudflare `cf-ray: 8a1b2c3d4e5f6789-FRA` -> `FRA` (the colo);
 * - CloudFront `x-amz-cf-pop: FRA56-P1` -> `FRA56-P1`;
 * - Fastly `x-served-by: cache-fra19129-FRA, cache-lhr7331-LHR` -> `LHR` (the last, edge-most node's PoP);
 * - Akamai `x-cache: TCP_HIT from a23-45-67-89.deploy.akamaitechnologies.com (...)` -> that edge server
 *   (`x-cache-remote`, the parent, when x-cache has none); only `x-akamai-request-id` -> `akamai`;
 * - Bunny `server: BunnyCDN-DE1-1076` -> `DE1-1076`; only `cdn-pullzone` -> `bunny`;
 * - `via: 1.1 edge-fra-3 (Varnish/7.1)` -> `edge-fra-3` (the last hop's name), `varnish` for Varnish's
 *   generic `1.1 varnish`; only `x-varnish` -> `varnish`.
 */
export function parsePop(get: HeaderLookup, popHeader?: string): string | null {
  if (popHeader) {
    const v = get(popHeader.toLowerCase())?.trim();
    if (v) return v;
  }
  const ray = get('cf-ray');
  if (ray) {
    const m = /-([A-Za-z]{3,4})\s*$/.exec(ray.trim());
    if (m) return m[1].toUpperCase();
  }
  const cfPop = get('x-amz-cf-pop')?.trim();
  if (cfPop) return lastMember(cfPop);
  const servedBy = get('x-served-by');
  if (servedBy) {
    const node = lastMember(servedBy);
    const m = /-([A-Za-z]{3})$/.exec(node);
    return m ? m[1].toUpperCase() : node || null;
  }
  for (const name of ['x-cache', 'x-cache-remote']) {
    const m = /\bfrom\s+([a-z0-9-]+(?:\.[a-z0-9-]+)+)/i.exec(get(name) ?? '');
    if (m) return m[1].toLowerCase();
  }
  const server = get('server');
  const bunny = server ? /^BunnyCDN-(\S+)/i.exec(server.trim()) : null;
  if (bunny) return bunny[1];
  const via = get('via');
  if (via) {
    // `1.1 name (comment)`: the received-by of the last hop, the one nearest to us.
    const m = /^\s*(?:[a-z]+\/)?[\d.]+\s+([^\s,(]+)/i.exec(lastMember(via.replace(/\([^)]*\)/g, '')));
    if (m) return m[1].toLowerCase();
  }
  if (get('x-akamai-request-id')) return 'akamai';
  if (get('cdn-pullzone')) return 'bunny';
  if (get('x-varnish')) return 'varnish';
  return null;
}
