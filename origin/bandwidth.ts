// --bandwidth RATE (per connection) and --bandwidth-jitter: response bodies
// leave no faster than RATE, so a test can put the network below a video's
// bitrate and watch the player stall. Each connection has its own pace (a
// keep-alive connection carries it from one response to the next; idle time
// earns no credit); with jitter, a connection's rate is redrawn every second
// within +-jitter of RATE. Headers go out at once: TTFB is not throttled.
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Transform, type Writable } from 'node:stream';

const UNITS: Record<string, number> = {
  bit: 1 / 8, kbit: 1e3 / 8, mbit: 1e6 / 8, gbit: 1e9 / 8,
  bps: 1 / 8, kbps: 1e3 / 8, mbps: 1e6 / 8, gbps: 1e9 / 8,
  'b/s': 1, 'kb/s': 1e3, 'mb/s': 1e6, 'gb/s': 1e9,
  'kib/s': 1024, 'mib/s': 1024 ** 2, 'gib/s': 1024 ** 3,
};

/**
 * "4mbit", "500kbit", "2.5Mbps", "1MB/s", "512KiB/s" -> bytes per second.
 * Bits: bit, kbit, mbit, gbit (or bps, kbps...); bytes: B/s, kB/s, MB/s, KiB/s, MiB/s.
 */
export function parseBandwidth(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z/]+)\s*$/i.exec(text);
  // B/s in any case is bytes; lower-case b alone would be ambiguous, so units are read case-insensitively.
  const unit = m?.[2].toLowerCase().replace(/^(k|m|g)?bit\/s$/, '$1bit');
  const factor = unit ? UNITS[unit] : undefined;
  if (!m || factor === undefined) throw new RangeError(`bandwidth must be a rate like 4mbit, 500kbit, 2Mbps or 1MB/s, got "${text}"`);
  const n = Number(m[1]) * factor;
  if (!(n > 0)) throw new RangeError(`bandwidth must be above 0, got "${text}"`);
  return n;
}

interface Pace {
  /** performance.now() when the connection may send its next byte. */
  nextAt: number;
  factor: number;
  factorUntil: number;
}

const paces = new WeakMap<Socket, Pace>();

/**
 * A writable that forwards to `res` at `bytesPerSecond` (per connection).
 * Pipe the body into it instead of into `res`.
 */
export function throttled(res: ServerResponse, bytesPerSecond: number, jitter: number, random: () => number): Writable {
  const socket = res.socket;
  let pace = socket ? paces.get(socket) : undefined;
  if (!pace) {
    pace = { nextAt: 0, factor: 1, factorUntil: 0 };
    if (socket) paces.set(socket, pace);
  }
  const p = pace;
  // About 100 writes a second, at least 4 KiB each.
  const slice = Math.max(4096, Math.round(bytesPerSecond / 100));
  const timers = new Set<NodeJS.Timeout>();
  const t = new Transform({
    highWaterMark: slice,
    transform(chunk: Buffer, _enc, done) {
      let off = 0;
      const step = (): void => {
        while (off < chunk.length) {
          const n = Math.min(slice, chunk.length - off);
          const piece = chunk.subarray(off, off + n);
          off += n;
          const now = performance.now();
          if (jitter > 0 && now >= p.factorUntil) {
            p.factor = Math.max(0.05, 1 + jitter * (2 * random() - 1));
            p.factorUntil = now + 1000;
          }
          // The piece goes out when its own transfer time at the rate has passed.
          p.nextAt = Math.max(now, p.nextAt) + (n / (bytesPerSecond * p.factor)) * 1000;
          const wait = p.nextAt - now;
          if (wait > 1) {
            const timer = setTimeout(() => {
              timers.delete(timer);
              t.push(piece);
              step();
            }, wait);
            timers.add(timer);
            return;
          }
          t.push(piece);
        }
        done();
      };
      step();
    },
  });
  // A client that leaves early stops the pacing (and its timers) at once.
  res.on('close', () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    t.destroy();
  });
  t.pipe(res);
  return t;
}
