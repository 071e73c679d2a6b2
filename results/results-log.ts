// The JSON Lines log of a run: each final record is appended as it completes.
// Records finishing in the same event-loop turn are written together with one
// synchronous write at the end of that turn, so a crash (even kill -9) loses at
// most the requests still in flight, at a syscall cost that stays small at 20k req/s.
//
// A write that fails (disk full, I/O error) never throws out of the event loop: the
// log stops writing, cuts any partial line, keeps the records it could not write in
// memory (`unwritten`) and tells the run once (onFailure), which then stops taking work.
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
  /** The write error that stopped the log (ENOSPC, EIO...), if one did. */
  readonly failure: NodeJS.ErrnoException | undefined;
  /** Bytes of whole records in the file: a reader of this run's log stops there. */
  readonly committedBytes: number;
  /** JSON lines (with their newline) that could not be written after the failure. */
  readonly unwritten: readonly string[];
}

const MAX_BUFFER = 256 * 1024;

/**
 * Opens the log for appending. keep=false starts a fresh file; keep=true (resume)
 * keeps it and cuts a torn last line left by a crash.
 */
export function openResultsLog(path: string, keep: boolean, onFailure?: (err: NodeJS.ErrnoException) => void): ResultsLog {
  mkdirSync(dirname(path), { recursive: true });
  // A fresh run never truncates an earlier log (say, of a crashed run meant for --resume): it is kept
  // aside, numbered, beside the ones kept before.
  let previous: string | undefined;
  if (!keep && (statSync(path, { throwIfNoEntry: false })?.size ?? 0) > 0) previous = moveLogAside(path);
  const fd = openSync(path, keep ? 'a+' : 'w');
  let committed = keep ? cutTornTail(fd) : 0;
  let failure: NodeJS.ErrnoException | undefined;
  const unwritten: string[] = [];
  let buf = '';
  let scheduled = false;
  let closed = false;
  const fail = (err: unknown) => {
    failure = err as NodeJS.ErrnoException;
    // A partial line would read as a damaged log: cut the file back to its last whole record.
    try {
      ftruncateSync(fd, committed);
    } catch {
      /* readers stop at committedBytes anyway */
    }
    onFailure?.(failure);
  };
  const flush = () => {
    scheduled = false;
    if (buf.length === 0) return;
    const data = buf;
    buf = '';
    if (failure) {
      unwritten.push(data);
      return;
    }
    const bytes = Buffer.from(data);
    let off = 0;
    try {
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      committed += bytes.length;
    } catch (err) {
      unwritten.push(data);
      fail(err);
    }
  };
  return {
    path,
    previous,
    get failure() {
      return failure;
    },
    get committedBytes() {
      return committed;
    },
    unwritten,
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
      if (closed) return;
      closed = true;
      flush();
      try {
        closeSync(fd);
      } catch (err) {
        // Some file systems (NFS) report a failed write only on close.
        if (!failure) fail(err);
      }
    },
  };
}

// A line without its newline is a record whose write was cut short: drop it. Returns the size kept.
function cutTornTail(fd: number): number {
  const size = fstatSync(fd).size;
  if (size === 0) return 0;
  const chunk = Buffer.alloc(Math.min(size, 1 << 20));
  let end = size;
  const one = Buffer.alloc(1);
  readSync(fd, one, 0, 1, size - 1);
  if (one[0] === 10) return size;
  // Find the last newline, reading backwards a chunk at a time.
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const n = readSync(fd, chunk, 0, end - start, start);
    const at = chunk.subarray(0, n).lastIndexOf(10);
    if (at >= 0) {
      ftruncateSync(fd, start + at + 1);
      return start + at + 1;
    }
    end = start;
  }
  ftruncateSync(fd, 0);
  return 0;
}
