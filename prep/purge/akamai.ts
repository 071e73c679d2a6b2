// Akamai Fast Purge v3 (techdocs.akamai.com/purge-cache/reference):
//   POST /ccu/v3/{invalidate|delete}/{url|cpcode}/{production|staging}   body {"objects": [...]}
// signed with EdgeGrid (EG1-HMAC-SHA256) from an .edgerc section by Akamai's own
// `akamai-edgegrid` package (the AKAMAI_* variables it reads work too). Answer 201
// {"httpStatus":201,"purgeId":"...","estimatedSeconds":5,...}.
// Limits: body at most 50,000 bytes (413 above); token buckets per account: 100 calls
// (50/s), 10,000 URLs (200/s), 300 CP codes (30/min); 429 says wait five seconds.
import { createRequire } from 'node:module';
import { UsageError, oneLine } from '../../lib/errors.js';
import type { PurgeProvider, CallOutcome } from './provider.js';
import { failedAnswer, httpCall, jsonOf, networkFailure, snippet } from './request.js';

const load = createRequire(import.meta.url);

export const AKAMAI_MAX_BODY = 50_000;

export interface AkamaiOptions {
  edgerc: string;
  section: string;
  action: 'invalidate' | 'delete';
  network: 'production' | 'staging';
  /** url: items are URLs; cpcode: items are CP codes. */
  by: 'url' | 'cpcode';
  /** Send here instead of the .edgerc host (a proxy, or a local test server); the signature stays the host's. */
  apiBaseUrl?: string;
}

interface EdgeGridLike {
  auth(req: { path: string; method: string; headers?: Record<string, string>; body?: unknown }): { request: { url: string; headers: Record<string, string>; body?: string } };
  enableLogging(option: boolean): unknown;
}

function edgeGrid(o: AkamaiOptions): EdgeGridLike {
  const EdgeGrid = load('akamai-edgegrid') as new (opts: { path: string; section: string }) => EdgeGridLike;
  let eg: EdgeGridLike;
  try {
    eg = new EdgeGrid({ path: o.edgerc, section: o.section });
  } catch (err) {
    throw new UsageError(`akamai: cannot read section [${o.section}] of ${o.edgerc}: ${oneLine(err)}`);
  }
  // The package logs signed headers when AKAMAI_LOG_LEVEL is set: credentials never reach a log here.
  eg.enableLogging(false);
  const config = (eg as unknown as { config?: { host?: string } }).config;
  if (!config?.host) throw new UsageError(`akamai: section [${o.section}] of ${o.edgerc} needs host, client_token, client_secret and access_token`);
  return eg;
}

/** The JSON body's byte count grows by each object's; the core asks before adding one. */
function bodyBudget(by: AkamaiOptions['by']) {
  let ref: readonly string[] | undefined;
  let counted = 0;
  let bytes = 0;
  const size = (item: string) => Buffer.byteLength(by === 'cpcode' ? item : JSON.stringify(item));
  return (batch: readonly string[], next: string): boolean => {
    if (batch !== ref || batch.length < counted) {
      ref = batch;
      counted = 0;
      bytes = '{"objects":[]}'.length;
    }
    for (; counted < batch.length; counted++) bytes += size(batch[counted]) + (counted > 0 ? 1 : 0);
    return bytes + size(next) + (batch.length > 0 ? 1 : 0) <= AKAMAI_MAX_BODY;
  };
}

export function akamaiProvider(o: AkamaiOptions): PurgeProvider {
  const eg = edgeGrid(o);
  const path = `/ccu/v3/${o.action}/${o.by}/${o.network}`;
  const objects = (batch: readonly string[]) => (o.by === 'cpcode' ? batch.map(Number) : [...batch]);
  const target = (signedUrl: string) => {
    if (!o.apiBaseUrl) return signedUrl;
    const u = new URL(signedUrl);
    return `${o.apiBaseUrl.replace(/\/+$/, '')}${u.pathname}${u.search}`;
  };
  const host = (eg as unknown as { config: { host: string } }).config.host;
  return {
    name: 'akamai',
    itemLabel: o.by === 'cpcode' ? 'CP code' : 'URL',
    maxBatch: o.by === 'cpcode' ? 300 : 10_000,
    fits: bodyBudget(o.by),
    limits:
      o.by === 'cpcode'
        ? { callsPerSecond: 50, callBurst: 100, itemsPerSecond: 0.5, itemBurst: 300, concurrency: 2 }
        : { callsPerSecond: 50, callBurst: 100, itemsPerSecond: 200, itemBurst: 10_000, concurrency: 4 },
    describe: (batch) => `POST ${o.apiBaseUrl ? target(`${host}${path}`) : `${host}${path}`} (signed with EdgeGrid) ${JSON.stringify({ objects: objects(batch) })}`,
    async send(batch, signal): Promise<CallOutcome> {
      // Signed afresh for every attempt: the signature carries a timestamp and a nonce.
      const req = eg.auth({ path, method: 'POST', headers: {}, body: { objects: objects(batch) } }).request;
      let a;
      try {
        a = await httpCall({ method: 'POST', url: target(req.url), headers: { ...req.headers }, body: req.body, signal });
      } catch (err) {
        return networkFailure(err, signal);
      }
      const j = jsonOf(a) as { httpStatus?: number; purgeId?: string; title?: string; detail?: string; supportId?: string } | undefined;
      if (a.status === 201 || (a.status >= 200 && a.status < 300)) return { ok: true, id: j?.purgeId };
      const what = [j?.title, j?.detail].filter(Boolean).join(': ') || snippet(a.text);
      // "429: wait five seconds, then retry" (the documented pause when no Retry-After is sent).
      return failedAnswer(a, `${what}${j?.supportId ? ` (supportId ${j.supportId})` : ''}`, 5000);
    },
  };
}
