// Synthetic derivative bodies: deterministic bytes, size proportional to the
// derivative width, streamed from one shared block (nothing per request is
// allocated, whatever the size).
import type { Writable } from 'node:stream';
import { fnv1a } from '../common/fnv1a.js';
import { seededRng } from '../common/random.js';

const BLOCK = 64 * 1024;
// The block twice over, so any BLOCK-long window starting inside the first copy is contiguous.
const DOUBLE = (() => {
  const buf = Buffer.allocUnsafe(BLOCK * 2);
  const random = seededRng(0x5eed);
  for (let i = 0; i < BLOCK; i += 4) buf.writeUInt32LE(Math.floor(random() * 0x100000000), i);
  buf.copy(buf, BLOCK, 0, BLOCK);
  return buf;
})();

/** Where a body starts in the shared block: different derivatives get different bytes. */
export function bodyShift(cacheKey: string): number {
  return fnv1a(cacheKey) % BLOCK;
}

/**
 * Streams bytes [start, end] of the body with backpressure. `stopAfter` (bytes)
 * ends the stream early and calls onStop: used by the reset fault.
 */
export function streamSynthetic(res: Writable, shift: number, start: number, end: number, stopAfter = Infinity, onStop?: () => void): void {
  let pos = start;
  let sent = 0;
  const pump = (): void => {
    while (pos <= end) {
      if (sent >= stopAfter) {
        onStop?.();
        return;
      }
      const at = (shift + pos) % BLOCK;
      const n = Math.min(BLOCK, end - pos + 1, stopAfter - sent);
      const chunk = DOUBLE.subarray(at, at + n);
      pos += n;
      sent += n;
      if (pos > end) {
        if (sent >= stopAfter && onStop) {
          res.write(chunk, () => onStop());
          return;
        }
        res.end(chunk);
        return;
      }
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  if (start > end) res.end();
  else pump();
}
