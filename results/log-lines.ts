// The lines of a JSON Lines results log, parsed, with their line numbers. A line that is
// not JSON stops the reader with `FILE:LINE: invalid JSON line` (a UsageError, exit 2),
// unless it is the last line and the file does not end with a newline: that is a record
// whose write a crash cut short, skipped (and redone by --resume).
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { UsageError } from '../lib/errors.js';

export interface LogLine {
  /** The line as written (without its newline). */
  text: string;
  value: unknown;
  /** 1-based line number in the file. */
  no: number;
}

export interface LogLinesOptions {
  /** Read only the bytes before this offset (a log whose last write failed). */
  endByte?: number;
  /** Told about a skipped torn last line. */
  onTorn?: (message: string) => void;
}

async function byteAt(path: string, offset: number): Promise<number> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, offset);
    return b[0];
  } finally {
    await fh.close();
  }
}

export async function* logLines(path: string, opts: LogLinesOptions = {}): AsyncGenerator<LogLine> {
  const end = opts.endByte ?? (await stat(path)).size;
  if (end <= 0) return;
  const torn = (await byteAt(path, end - 1)) !== 10;
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8', start: 0, end: end - 1 }), crlfDelay: Infinity });
  let no = 0;
  let pending: { text: string; no: number } | undefined;
  const parse = (p: { text: string; no: number }, last: boolean): LogLine | undefined => {
    try {
      return { text: p.text, value: JSON.parse(p.text), no: p.no };
    } catch {
      if (last && torn) {
        opts.onTorn?.(`${path}:${p.no}: skipped an incomplete last line (the run was interrupted while writing it)`);
        return undefined;
      }
      throw new UsageError(`${path}:${p.no}: invalid JSON line`);
    }
  };
  try {
    // One line of look-ahead, so the last line is known to be the last.
    for await (const text of rl) {
      no++;
      if (pending) {
        const l = parse(pending, false);
        pending = undefined;
        if (l) yield l;
      }
      if (text.trim() === '') continue;
      pending = { text, no };
    }
    if (pending) {
      const l = parse(pending, true);
      if (l) yield l;
    }
  } finally {
    rl.close();
  }
}
