// One keep-alive connection per worker (and origin). A worker has one request in
// flight at a time, so it needs no pool: undici's Agent hands every request to a
// Pool that scans its clients for a free one, O(workers) per request (11% of the
// CPU at 3,000 workers), and allots connections to whichever request comes next.
import { createRequire } from 'node:module';
import type { Client as UndiciClient, Dispatcher } from 'undici';

// undici's Client on its own: `import { Client } from 'undici'` loads the whole package
// (fetch, WebSocket, EventSource, cache, mocks) for one class, ~8 MB more resident in a
// pre-warming run (bench/prewarm.mjs). test/prewarm-connections.test.ts checks it is
// undici's own class, so an upgrade that moves the file fails there.
const load = createRequire(import.meta.url);
export const Client: typeof UndiciClient = load('undici/lib/dispatcher/client.js');

/** What a request needs of a connection. */
export type Connection = Pick<Dispatcher, 'dispatch'>;

export interface WorkerConnections {
  /** A new worker's connection: its own undici Client per origin, made on first use. */
  forWorker(): Connection;
  /** Open connections now. */
  readonly count: number;
  /** Lets requests in flight finish, then closes every connection. */
  close(): Promise<void>;
  /** Closes every connection now, failing requests in flight. */
  destroy(): Promise<void>;
}

export function createWorkerConnections(options: UndiciClient.Options): WorkerConnections {
  const clients: UndiciClient[] = [];
  return {
    forWorker() {
      const byOrigin = new Map<string, UndiciClient>();
      return {
        dispatch(opts, handler) {
          const origin = String(opts.origin);
          let client = byOrigin.get(origin);
          if (!client) {
            client = new Client(origin, options);
            byOrigin.set(origin, client);
            clients.push(client);
          }
          return client.dispatch(opts, handler);
        },
      };
    },
    get count() {
      return clients.length;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
    },
    async destroy() {
      await Promise.all(clients.map((c) => c.destroy()));
    },
  };
}
