// Connections of the pre-warming workers.
// HTTP/1.1: one keep-alive connection per worker (and origin, and edge); plain http through the
// counting client (counting-connection.ts), https through undici. A worker has one
// request in flight at a time, so it needs no pool: undici's Agent hands every request to
// a Pool that scans its clients for a free one, O(workers) per request (11% of the CPU at
// 3,000 workers). HTTP/2 (--http2): a few connections per origin and edge, shared by all
// workers, each carrying many streams (h2-connection.ts, on node:http2).
// --edge ADDR:PORT: the TCP connection goes to that address while the URL, the Host header
// and the TLS server name stay the base URL's (as curl --connect-to does).
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { buildConnector as BuildConnector, Client as UndiciClient, Dispatcher } from 'undici';
import { socketLabel, type Edge } from './edges.js';
import { countingConnectionFor, type CountingConnection } from './counting-connection.js';
import { h2ConnectionFor } from './h2-connection.js';

// undici's Client and connector on their own: `import { Client } from 'undici'` loads the whole
// package (fetch, WebSocket, EventSource, cache, mocks) for two pieces, ~8.5 MB more resident in a
// pre-warming run. The paths are undici internals, so package.json pins undici to one exact version
// and test/prewarm-connections.test.ts checks both are undici's own public exports and that the
// installed version is the pinned one: an upgrade that moves a file fails there, never silently.
const load = createRequire(import.meta.url);
export const Client: typeof UndiciClient = load('undici/lib/dispatcher/client.js');
export const buildConnector: typeof BuildConnector = load('undici/lib/core/connect.js');

/** What a request needs of a connection: dispatch, and which address answered (the edge used). */
export interface Connection extends Pick<Dispatcher, 'dispatch'> {
  /** `host:port` the last request to this origin and edge went to, once connected. */
  remoteAddress(origin: string, edge: Edge | undefined): string | undefined;
}

export interface ConnectionOptions {
  /** Keep idle connections this long, ms. */
  keepAliveMs: number;
  connectTimeoutMs: number;
  /** Negotiate HTTP/2 over TLS (ALPN), multiplexing requests over `h2Connections` per origin and edge. */
  http2?: boolean;
  /** Connections per origin and edge with HTTP/2 (default 4). */
  h2Connections?: number;
  /** PEM certificates trusted besides the system's (--ca-file). */
  ca?: string | Buffer;
  /** Accept any certificate (--insecure). */
  insecure?: boolean;
  /**
   * Plain-http HTTP/1.1 client: 'counting' (default) reads into one reused buffer and only counts
   * bodies (counting-connection.ts); 'undici' uses undici's Client. https HTTP/1.1 always uses undici.
   */
  httpClient?: 'counting' | 'undici';
}

export interface WorkerConnections {
  /** A new worker's connection: its own undici Client per origin and edge (HTTP/1.1), made on first use. */
  forWorker(): Connection;
  /** Open clients now. */
  readonly count: number;
  /** Lets requests in flight finish, then closes every connection. */
  close(): Promise<void>;
  /** Closes every connection now, failing requests in flight. */
  destroy(): Promise<void>;
}

interface Target {
  client: Pick<Dispatcher, 'dispatch'>;
  remote?: string;
  close(): Promise<void>;
  destroy(): Promise<void>;
}

export function createWorkerConnections(o: ConnectionOptions): WorkerConnections {
  const targets: Target[] = [];
  const tls = { ca: o.ca, rejectUnauthorized: o.insecure ? false : undefined };
  const base = buildConnector({ timeout: o.connectTimeoutMs, allowH2: Boolean(o.http2), ...(o.ca || o.insecure ? tls : {}) } as BuildConnector.BuildOptions);

  const makeTarget = (origin: string, edge: Edge | undefined, pipelining: number): Target => {
    const t = {} as Target;
    // The connector sees the URL's hostname; an edge replaces the address dialled only,
    // `host` (and so the TLS server name) stays the base URL's.
    const connect: BuildConnector.connector = (opts, cb) =>
      base(edge ? { ...opts, hostname: edge.host, port: String(edge.port ?? opts.port) } : opts, (err, socket) => {
        if (socket) t.remote = socketLabel(socket as Socket);
        (cb as (e: Error | null, s: unknown) => void)(err, socket);
      });
    const client = new Client(origin, {
      pipelining,
      keepAliveTimeout: o.keepAliveMs,
      keepAliveMaxTimeout: Math.max(o.keepAliveMs, 1000),
      allowH2: Boolean(o.http2),
      ...(o.http2 ? { maxConcurrentStreams: pipelining } : {}),
      connect,
    });
    t.client = client;
    // undici's close() can wait forever on a client whose TLS connect failed after the handshake
    // (a certificate for another host name, seen with --edge): give it a moment, then destroy.
    t.close = () => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(() => void client.destroy().then(resolve, resolve), 1000);
      });
      return Promise.race([client.close().finally(() => clearTimeout(timer)), late]);
    };
    t.destroy = () => client.destroy();
    targets.push(t);
    return t;
  };

  const countingTarget = (origin: string, edge: Edge | undefined): Target => {
    const c: CountingConnection = countingConnectionFor(origin, edge, { keepAliveMs: o.keepAliveMs, connectTimeoutMs: o.connectTimeoutMs });
    const t: Target = {
      client: c as unknown as Pick<Dispatcher, 'dispatch'>,
      get remote() {
        return c.remote;
      },
      close: async () => c.close(),
      destroy: async () => c.close(),
    };
    targets.push(t);
    return t;
  };
  const counting = (o.httpClient ?? 'counting') === 'counting' && !o.http2;

  // HTTP/2: a few shared connections per origin and edge, handed to workers in turn.
  const shared = new Map<string, { list: Target[]; next: number }>();
  const h2Connections = Math.max(1, o.h2Connections ?? 4);
  const h2Target = (origin: string, edge: Edge | undefined): Target => {
    const c = h2ConnectionFor(origin, edge, {
      connectTimeoutMs: o.connectTimeoutMs,
      keepAliveMs: o.keepAliveMs,
      ca: o.ca,
      insecure: o.insecure,
      // A server without h2: HTTP/1.1 over one undici connection in its place.
      fallback: () => makeTarget(origin, edge, 1).client,
    });
    const t: Target = {
      client: c as unknown as Pick<Dispatcher, 'dispatch'>,
      get remote() {
        return c.remote;
      },
      close: () => c.close(),
      destroy: () => c.destroy(),
    };
    targets.push(t);
    return t;
  };
  const sharedTarget = (origin: string, edge: Edge | undefined, id: string): Target => {
    let s = shared.get(id);
    if (!s) shared.set(id, (s = { list: [], next: 0 }));
    if (s.list.length < h2Connections) {
      const t = h2Target(origin, edge);
      s.list.push(t);
      return t;
    }
    return s.list[s.next++ % s.list.length];
  };

  return {
    forWorker() {
      const mine = new Map<string, Target>();
      const targetFor = (origin: string, edge: Edge | undefined): Target => {
        const id = edge ? `${origin}|${edge.label}` : origin;
        let t = mine.get(id);
        if (!t) {
          t = o.http2 ? sharedTarget(origin, edge, id) : counting && origin.startsWith('http:') ? countingTarget(origin, edge) : makeTarget(origin, edge, 1);
          mine.set(id, t);
        }
        return t;
      };
      return {
        dispatch(opts, handler) {
          const edge = (opts as { edge?: Edge }).edge;
          return targetFor(String(opts.origin), edge).client.dispatch(opts, handler);
        },
        remoteAddress(origin, edge) {
          return mine.get(edge ? `${origin}|${edge.label}` : origin)?.remote;
        },
      };
    },
    get count() {
      return targets.length;
    },
    async close() {
      await Promise.all(targets.map((t) => t.close()));
    },
    async destroy() {
      await Promise.all(targets.map((t) => t.destroy()));
    },
  };
}
