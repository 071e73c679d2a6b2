// origin --bandwidth: bodies leave no faster than the cap, per connection
// (two connections each get the full rate, shown on a fake clock), Range bodies too; the cap can be
// changed while running; rates parse in bits and bytes; bad values exit 2.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PassThrough } from 'node:stream';
import type { ServerResponse } from 'node:http';
import { Client } from 'undici';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOrigin, type RunningOrigin } from '../origin/index.js';
import { parseBandwidth, throttled } from '../origin/bandwidth.js';
import { runCli } from './helpers/cli.js';

let root: string;
let origin: RunningOrigin;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'origin-bandwidth-'));
  await writeFile(join(root, 'clip.mp4'), Buffer.alloc(400_000, 7));
  origin = await startOrigin({ root, syntheticBytesPerWidth: 512 });
});

afterAll(async () => {
  await origin?.close();
  await rm(root, { recursive: true, force: true });
});

/** One GET on its own connection: bytes received and seconds taken. */
async function timed(path: string, range?: string): Promise<{ bytes: number; seconds: number }> {
  const client = new Client(origin.url);
  try {
    const t0 = performance.now();
    const r = await client.request({ path, method: 'GET', headers: range ? { range } : {} });
    const body = Buffer.from(await r.body.arrayBuffer());
    return { bytes: body.length, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await client.close();
  }
}

describe('origin --bandwidth', () => {
  it('parses rates in bits and bytes', () => {
    expect(parseBandwidth('4mbit')).toBe(500_000);
    expect(parseBandwidth('500kbit')).toBe(62_500);
    expect(parseBandwidth('2.5Mbps')).toBe(312_500);
    expect(parseBandwidth('1MB/s')).toBe(1_000_000);
    expect(parseBandwidth('512KiB/s')).toBe(524_288);
    expect(parseBandwidth('8 Mbit/s')).toBe(1_000_000);
    for (const bad of ['4', 'fast', '0mbit', '-1mbit', '4 furlongs']) expect(() => parseBandwidth(bad), bad).toThrow(/bandwidth/);
  });

  it('sends a body no faster than the cap, ranges included', async () => {
    origin.setFaults({ bandwidthBytesPerSecond: 1_000_000 }); // 8 mbit
    const [a, b] = await Promise.all([timed('/clip.mp4'), timed('/clip.mp4?imwidth=800', 'bytes=0-199999')]);
    expect(a.bytes).toBe(400_000);
    expect(b.bytes).toBe(200_000);
    // 400 KB at 1 MB/s is 0.4 s: never faster, whatever else the machine does (only lower bounds on time here).
    expect(a.seconds).toBeGreaterThan(0.38);
    expect(b.seconds).toBeGreaterThan(0.19);
    origin.setFaults({});
    const free = await timed('/clip.mp4');
    expect(free.bytes).toBe(400_000);
  });

  it('paces each connection on its own: two connections at once each get the full rate (fake clock)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const received = [0, 0];
      const sinks = [0, 1].map((i) => {
        // A stand-in response: what throttled() needs of one (its socket identifies the connection).
        const res = new PassThrough() as unknown as ServerResponse & PassThrough;
        Object.defineProperty(res, 'socket', { value: {} });
        res.on('data', (d: Buffer) => (received[i] += d.length));
        return throttled(res, 1_000_000, 0, () => 0.5);
      });
      for (const sink of sinks) sink.end(Buffer.alloc(400_000));
      // 400 KB each at 1 MB/s: both done after 0.4 s of (fake) time; one shared pace would need 0.8 s.
      await vi.advanceTimersByTimeAsync(390);
      expect(received[0]).toBeLessThan(400_000);
      await vi.advanceTimersByTimeAsync(30);
      expect(received).toEqual([400_000, 400_000]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('with jitter the rate varies around the cap, never above cap x (1 + jitter)', async () => {
    origin.setFaults({ bandwidthBytesPerSecond: 2_000_000, bandwidthJitter: 0.5 });
    const r = await timed('/clip.mp4');
    expect(r.bytes).toBe(400_000);
    expect(r.seconds).toBeGreaterThan(400_000 / 3_000_000 - 0.01);
    origin.setFaults({});
  });

  it('the CLI takes --bandwidth and --bandwidth-jitter; a bad rate is a usage error', async () => {
    const bad = await runCli(['origin', '--root', root, '--bandwidth', 'fast']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bandwidth must be a rate like 4mbit/);
    const jitter = await runCli(['origin', '--root', root, '--bandwidth', '4mbit', '--bandwidth-jitter', '2']);
    expect(jitter.code).toBe(2);
    const help = await runCli(['origin', '--help']);
    expect(help.stdout).toMatch(/--bandwidth <rate>/);
    expect(help.stdout).toMatch(/--bandwidth-jitter <fraction>/);
  });
});
