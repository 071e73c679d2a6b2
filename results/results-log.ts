// The JSON Lines log of a run: each final record is appended as it completes.
// Records finishing in the same event-loop turn are written together with one
// synchronous write at the end of that turn, so a crash (even kill -9) loses at
// most the requests still in flight, at a syscall cost that stays small at 20k req/s.
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ResultsRecord } from '../common/results-record.js';
import { moveLogAside } from './paths.js';

export interface ResultsLog {
  append(r: ResultsRecord): void;
  /** Writes what is buffered now. */
  flush(): void;
  close(): void;
  readonly path: string;
  /** Where an earlier run's log was moved when this one started afresh. */
  readonly previous?: string;
}


const MAX_BUFFER = 256 * 1024;

/**
 * Opens the log for appending. keep=false starts a fresh file; keep=true (resume)
 * keeps it and cuts a torn last line left by a crash.
 */
export function openResultsLog(path: string, keep: boolean): ResultsLog {
  mkdirSync(dirname(path), { recursive: true });
  // A fresh run never truncates an earlier log (say, of a crashed run meant for --resume): it is kept
  // aside, numbered, beside the ones kept before.
  let previous: string | undefined;
  if (!keep && (statSync(path, { throwIfNoEntry: false })?.size ?? 0) > 0) previous = moveLogAside(path);
  const fd = openSync(path, keep ? 'a+' : 'w');
  if (keep) cutTornTail(fd);
  let buf = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (buf.length === 0) return;
    const data = buf;
    buf = '';
    writeSync(fd, data);
  };
  return {
    path,
    previous,
    append(r) {
      buf += `${JSON.stringify(r)}\n`;
      if (buf.length >= MAX_BUFFER) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
    close() {
      flush();
      closeSync(fd);
    },
  };
}

// A line without its newline is a record whose write was cut short: drop it.
function cutTornTail(fd: number): void {
  const size = fstatSync(fd).size;
  if (size === 0) return;
  const chunk = Buffer.alloc(Math.min(size, 1 << 20));
  let end = size;
  const one = Buffer.alloc(1);
  readSync(fd, one, 0, 1, size - 1);
  if (one[0] === 10) return;
  // Find the last newline, reading backwards a chunk at a time.
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const n = readSync(fd, chunk, 0, end - start, start);
    const at = chunk.subarray(0, n).lastIndexOf(10);
    if (at >= 0) {
      ftruncateSync(fd, start + at + 1);
      return;
    }
    end = start;
  }
  ftruncateSync(fd, 0);
}
