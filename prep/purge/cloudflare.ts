// Cloudflare: POST /client/v4/zones/{zone_id}/purge_cache with a Bearer API token
// (CLOUDFLARE_API_TOKEN, permission "Cache Purge"), {"files": [...URLs]} or
// {"prefixes": ["host/path", ...]}.
// Limits (developers.cloudflare.com/cache/how-to/purge-cache/): per account, token buckets.
//   single-file purge: 30 URLs per call on Free/Pro/Business, 500 on Enterprise (newer pages say 100);
//                      800 URLs/s Free, 1,500 Pro and Business, 3,000 Enterprise;
//   prefix purge:      30 prefixes per call; 5 calls a minute (bucket 25) Free, 5/s (25) Pro,
//                      10/s (50) Business, 50/s (500) Enterprise.
// Over a limit the API answers 429 with Retry-After.
import type { PurgeProvider, CallOutcome } from './provider.js';
import { failedAnswer, httpCall, jsonOf, networkFailure, snippet } from './request.js';

export type CloudflarePlan = 'free' | 'pro' | 'business' | 'enterprise';
export const CLOUDFLARE_PLANS: readonly CloudflarePlan[] = ['free', 'pro', 'business', 'enterprise'];

const URLS_PER_SECOND: Record<CloudflarePlan, number> = { free: 800, pro: 1500, business: 1500, enterprise: 3000 };
const PREFIX_CALLS: Record<CloudflarePlan, { perSecond: number; burst: number }> = {
  free: { perSecond: 5 / 60, burst: 25 },
  pro: { perSecond: 5, burst: 25 },
  business: { perSecond: 10, burst: 50 },
  enterprise: { perSecond: 50, burst: 500 },
};

export interface CloudflareOptions {
  zoneId: string;
  token: string;
  by: 'url' | 'prefix';
  plan: CloudflarePlan;
  /** URLs or prefixes per call (default: 30, the limit every plan accepts). */
  batchSize?: number;
  /** https://api.cloudflare.com/client/v4 unless overridden. */
  apiBaseUrl?: string;
}

export const CLOUDFLARE_API = 'https://api.cloudflare.com/client/v4';

/** A URL as a purge prefix: host and path, without scheme and query (the query variants are under it). */
export function cloudflarePrefix(url: string): string {
  const u = new URL(url);
  return `${u.host}${u.pathname}`;
}

export function cloudflareProvider(o: CloudflareOptions): PurgeProvider {
  const endpoint = `${(o.apiBaseUrl ?? CLOUDFLARE_API).replace(/\/+$/, '')}/zones/${encodeURIComponent(o.zoneId)}/purge_cache`;
  const field = o.by === 'prefix' ? 'prefixes' : 'files';
  const body = (batch: readonly string[]) => JSON.stringify({ [field]: batch });
  const limits =
    o.by === 'prefix'
      ? { callsPerSecond: PREFIX_CALLS[o.plan].perSecond, callBurst: PREFIX_CALLS[o.plan].burst, concurrency: 4 }
      : { itemsPerSecond: URLS_PER_SECOND[o.plan], itemBurst: URLS_PER_SECOND[o.plan], concurrency: 8 };
  return {
    name: 'cloudflare',
    itemLabel: o.by === 'prefix' ? 'prefix' : 'URL',
    maxBatch: o.batchSize ?? 30,
    limits,
    describe: (batch) => `POST ${endpoint} (Bearer token from CLOUDFLARE_API_TOKEN) ${body(batch)}`,
    async send(batch, signal): Promise<CallOutcome> {
      let a;
      try {
        a = await httpCall({ method: 'POST', url: endpoint, headers: { authorization: `Bearer ${o.token}`, 'content-type': 'application/json' }, body: body(batch), signal });
      } catch (err) {
        return networkFailure(err, signal);
      }
      const j = jsonOf(a) as { success?: boolean; errors?: Array<{ code?: number; message?: string }>; result?: { id?: string } } | undefined;
      const errors = (j?.errors ?? []).map((e) => `${e.code ?? ''} ${e.message ?? ''}`.trim()).join('; ');
      if (a.status >= 200 && a.status < 300 && j?.success === true) return { ok: true, id: j.result?.id };
      return failedAnswer(a, errors || snippet(a.text) || 'no answer body');
    },
  };
}
