// Each pre-warming worker has a keep-alive connection of its own (undici's Client,
// loaded without the rest of undici): requests reuse it, and workers never share one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Client as UndiciClient, buildConnector as undiciBuildConnector } from 'undici';
import { Client, buildConnector, createWorkerConnections } from '../prep/prewarm/worker-connections.js';
import { fetchItem, type FetchSettings, type Slot } from '../prep/prewarm/fetch-one.js';
import type { WorkItem } from '../prep/prewarm/work-list.js';

let server: Server;
let base: string;
const sockets = new Set<unknown>();

beforeAll(async () => {
  // /hang/... never answers (until the test ends).
  server = createServer((q, res) => {
    if (!q.url?.startsWith('/hang/')) res.end('0123456789');
  });
  server.on('connection', (s) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const item = (i: number): WorkItem => ({ key: `k${i}.mp4`, sourceSize: 10, sizeCategory: 'small', name: 'desktop', kind: 'derivative', url: `${base}/k${i}.mp4?imwidth=1920` });
const settings: FetchSettings = { timeoutMs: 5000, retries: 0, useHead: false, backoffBaseMs: 10, backoffMaxMs: 10, maxRetryAfterMs: 10 };

describe('worker connections', () => {
  it('are undici’s own Client class and connector, loaded without the rest of undici, from the pinned version', () => {
    // The deep paths are undici internals: these fail (instead of a run breaking) when an upgrade moves them.
    expect(Client).toBe(UndiciClient);
    expect(buildConnector).toBe(undiciBuildConnector);
    const pinned = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).dependencies.undici;
    const installed = createRequire(import.meta.url)('undici/package.json').version;
    expect(pinned, 'package.json pins undici to one exact version').toMatch(/^\d+\.\d+\.\d+$/);
    expect(installed).toBe(pinned);
  });

  it('give each worker one keep-alive connection, reused request after request', async () => {
    const conns = createWorkerConnections({ keepAliveMs: 5000, connectTimeoutMs: 5000 });
    const workers = [conns.forWorker(), conns.forWorker(), conns.forWorker()];
    sockets.clear();
    await Promise.all(workers.map(async (connection, w) => {
      for (let i = 0; i < 5; i++) {
        const r = await fetchItem(item(w * 10 + i), settings, { aborted: false, connection });
        expect(r).toMatchObject({ ok: true, status: 200, bytesReceived: 10 });
      }
    }));
    expect(conns.count).toBe(3);
    expect(sockets.size).toBe(3); // 15 requests over 3 connections: one per worker
    await conns.close();
  });

  it('time each attempt with one timer per worker, which never keeps the process alive between attempts', async () => {
    const conns = createWorkerConnections({ keepAliveMs: 5000, connectTimeoutMs: 5000 });
    const slot: Slot = { aborted: false, connection: conns.forWorker() };
    const s = { ...settings, timeoutMs: 300 };
    for (let i = 0; i < 20; i++) expect(await fetchItem(item(i), s, slot)).toMatchObject({ ok: true });
    // Armed by the first attempt, kept for the next ones, but not holding the event loop open.
    const watchdog = slot.watchdog!;
    expect(watchdog).toBeDefined();
    expect(watchdog.hasRef()).toBe(false);
    // An attempt that hangs right after those is timed from its own start, not from when the timer was armed.
    const hung = await fetchItem({ ...item(99), url: `${base}/hang/k.mp4` }, s, slot);
    expect(hung).toMatchObject({ ok: false, errorClass: 'timeout' });
    expect(hung!.totalMs).toBeGreaterThanOrEqual(299);
    expect(slot.watchdog?.hasRef() ?? false).toBe(false);
    await conns.destroy();
  });
});
