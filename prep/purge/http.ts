// PURGE (or BAN) for each URL, sent to the URL's own host or to each --edge address
// with the URL's Host header (as curl --connect-to does): Varnish (return (purge) /
// ban()), nginx's cache purge module (proxy_cache_purge), Squid, Traffic Server...
// A 2xx answer is purged; 404 means the cache did not hold the URL (nothing to purge).
import type { Dispatcher } from 'undici';
import type { PurgeProvider, CallOutcome } from './provider.js';
import { failedAnswer, httpCall, loadUndici, networkFailure, snippet } from './request.js';

export interface HttpPurgeOptions {
  method: 'PURGE' | 'BAN';
  /** host[:port] addresses; each URL is sent to every one of them. Empty: the URL's own host. */
  edges: string[];
  /**
   * Put before each URL's path: nginx's cache purge module in a location of its own
   * (`location ~ ^/purge(/.*) { proxy_cache_purge zone $scheme$host$1$is_args$args; }`) takes /purge/<path>.
   */
  pathPrefix?: string;
  /** Extra request headers (e.g. a purge secret a VCL checks), "Name: value". */
  headers?: Record<string, string>;
  concurrency?: number;
}

/** "127.0.0.2", "127.0.0.2:8080", "[::1]:8080" for a URL's scheme. */
export function edgeOrigin(edge: string, scheme: string): string {
  return `${scheme}//${edge}`;
}

export function httpProvider(o: HttpPurgeOptions): PurgeProvider {
  // One connection pool per edge: the URL's host stays the Host header, the edge is where it goes.
  const pools = new Map<string, Dispatcher>();
  const poolFor = async (edge: string, url: URL): Promise<Dispatcher> => {
    const key = `${url.protocol}${edge}|${url.hostname}`;
    let d = pools.get(key);
    if (!d) {
      const { Pool } = await loadUndici();
      d = new Pool(edgeOrigin(edge, url.protocol), { connections: 8, connect: url.protocol === 'https:' ? { servername: url.hostname } : undefined });
      pools.set(key, d);
    }
    return d;
  };
  const targets = (o.edges.length ? o.edges : ['']).length;
  const prefix = o.pathPrefix ? `/${o.pathPrefix.replace(/^\/+|\/+$/g, '')}` : '';
  const sendTo = async (edge: string, cachedUrl: string, signal: AbortSignal): Promise<CallOutcome> => {
    const u = new URL(cachedUrl);
    if (prefix) u.pathname = `${prefix}${u.pathname}`;
    const url = u.toString();
    let a;
    try {
      if (!edge) a = await httpCall({ method: o.method, url, headers: o.headers, signal });
      else {
        const dispatcher = await poolFor(edge, u);
        a = await httpCall({ method: o.method, url: `${edgeOrigin(edge, u.protocol)}${u.pathname}${u.search}`, headers: { ...o.headers, host: u.host }, signal, dispatcher });
      }
    } catch (err) {
      const r = networkFailure(err, signal);
      return edge && !r.ok ? { ...r, message: `edge ${edge}: ${r.message}` } : r;
    }
    if (a.status >= 200 && a.status < 300) return { ok: true };
    if (a.status === 404) return { ok: true, notCached: 1 };
    const r = failedAnswer(a, snippet(a.text) || 'no body');
    return edge && !r.ok ? { ...r, message: `edge ${edge}: ${r.message}` } : r;
  };
  return {
    name: 'http',
    itemLabel: 'URL',
    maxBatch: 1,
    limits: { concurrency: o.concurrency ?? 16 },
    describe: (batch) => {
      const u = new URL(batch[0]);
      if (prefix) u.pathname = `${prefix}${u.pathname}`;
      return o.edges.length ? o.edges.map((e) => `${o.method} ${u} via ${e}`).join('\n') : `${o.method} ${u}`;
    },
    async send(batch, signal): Promise<CallOutcome> {
      const url = batch[0];
      const answers = await Promise.all((o.edges.length ? o.edges : ['']).map((e) => sendTo(e, url, signal)));
      const bad = answers.find((r) => !r.ok);
      if (bad) return bad;
      // Not cached anywhere counts once; cached on some edges is a purge.
      const notCached = answers.every((r) => r.ok && r.notCached) ? 1 : 0;
      return { ok: true, notCached: targets > 0 ? notCached : 0 };
    },
    async close() {
      await Promise.all([...pools.values()].map((d) => d.close()));
    },
  };
}
