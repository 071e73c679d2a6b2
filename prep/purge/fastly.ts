// Fastly (www.fastly.com/documentation/reference/api/purging/), token in the Fastly-Key
// header (FASTLY_API_TOKEN, scope purge_select):
//   by URL:            POST /purge/{host}{path}        one URL per call, answer {"status":"ok","id":"..."}
//   by surrogate key:  POST /service/{service_id}/purge with "Surrogate-Key: k1 k2 ..." (up to 256 keys a call),
//                      answer {"k1": "<purge id>", ...}; a key missing from the answer was not purged.
// Fastly-Soft-Purge: 1 marks content stale instead of removing it (--soft).
// Rate: URL and surrogate-key purges are not counted against the API's 1,000 requests an hour;
// over a limit Fastly answers 429.
import type { PurgeProvider, CallOutcome } from './provider.js';
import { failedAnswer, httpCall, jsonOf, networkFailure, snippet } from './request.js';

export const FASTLY_API = 'https://api.fastly.com';

export interface FastlyOptions {
  token: string;
  by: 'url' | 'surrogate-key';
  serviceId?: string;
  soft?: boolean;
  apiBaseUrl?: string;
  /** Surrogate keys per call (at most 256). */
  batchSize?: number;
}

export function fastlyProvider(o: FastlyOptions): PurgeProvider {
  const api = (o.apiBaseUrl ?? FASTLY_API).replace(/\/+$/, '');
  const headers = (): Record<string, string> => ({ 'fastly-key': o.token, accept: 'application/json', ...(o.soft ? { 'fastly-soft-purge': '1' } : {}) });
  const soft = o.soft ? ' Fastly-Soft-Purge: 1' : '';
  if (o.by === 'url') {
    // The purge URL is the cached URL without its scheme: /purge/cdn.example.com/videos/a.mp4?imwidth=854
    const target = (url: string) => `${api}/purge/${url.replace(/^https?:\/\//i, '')}`;
    return {
      name: 'fastly',
      itemLabel: 'URL',
      maxBatch: 1,
      limits: { concurrency: 16 },
      describe: (batch) => `POST ${target(batch[0])} (Fastly-Key from FASTLY_API_TOKEN)${soft}`,
      async send(batch, signal): Promise<CallOutcome> {
        let a;
        try {
          a = await httpCall({ method: 'POST', url: target(batch[0]), headers: headers(), signal });
        } catch (err) {
          return networkFailure(err, signal);
        }
        const j = jsonOf(a) as { status?: string; id?: string; msg?: string } | undefined;
        if (a.status >= 200 && a.status < 300 && j?.status === 'ok') return { ok: true, id: j.id };
        return failedAnswer(a, j?.msg ?? snippet(a.text));
      },
    };
  }
  const endpoint = `${api}/service/${encodeURIComponent(o.serviceId ?? '')}/purge`;
  return {
    name: 'fastly',
    itemLabel: 'surrogate key',
    maxBatch: Math.min(256, o.batchSize ?? 256),
    limits: { concurrency: 4 },
    describe: (batch) => `POST ${endpoint} (Fastly-Key from FASTLY_API_TOKEN)${soft} Surrogate-Key: ${batch.join(' ')}`,
    async send(all, signal): Promise<CallOutcome> {
      // The Surrogate-Key header is a space-separated list: a key with white space in it cannot be named.
      const spaced = all.filter((k) => /\s/.test(k)).map((item) => ({ item, message: 'a surrogate key cannot contain spaces (tag such objects with another key)' }));
      const batch = spaced.length ? all.filter((k) => !/\s/.test(k)) : all;
      if (batch.length === 0) return { ok: true, failed: spaced };
      let a;
      try {
        a = await httpCall({ method: 'POST', url: endpoint, headers: { ...headers(), 'surrogate-key': batch.join(' ') }, signal });
      } catch (err) {
        return networkFailure(err, signal);
      }
      if (a.status < 200 || a.status >= 300) return failedAnswer(a, snippet(a.text));
      const j = jsonOf(a);
      if (!j || typeof j !== 'object') return { ok: false, retryable: false, status: a.status, message: `unexpected answer: ${snippet(a.text)}` };
      const ids = j as Record<string, unknown>;
      const failed = [...spaced, ...batch.filter((k) => typeof ids[k] !== 'string').map((item) => ({ item, message: 'Fastly did not acknowledge this surrogate key' }))];
      return { ok: true, failed };
    },
  };
}
