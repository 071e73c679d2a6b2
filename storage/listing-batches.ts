// A listing file read in batches (one array of objects per chunk of the file), for
// work that streams millions of entries with little per-entry overhead: one await per
// batch instead of one per entry per stage, and a JSON Lines line parsed straight from
// the chunk. `diff` merge-joins two listings this way.
import { createReadStream } from 'node:fs';
import { RuntimeError } from '../lib/errors.js';
import { listingFormatOfPath, readListingFile, sniffCsv, toObject } from './listing-format.js';
import type { StoredObject } from './types.js';

const BATCH = 1024;

/**
 * Groups a stream of objects into arrays (for sources that stream one object at a time).
 * With `maxWaitMs`, a batch is handed over as soon as the source has kept it waiting that
 * long (a live listing between pages, a slow pipe), so nothing sits in a half-full batch.
 */
export async function* batchesOf(objects: AsyncIterable<StoredObject>, size = BATCH, maxWaitMs?: number): AsyncGenerator<StoredObject[]> {
  if (maxWaitMs === undefined) {
    let batch: StoredObject[] = [];
    for await (const o of objects) {
      batch.push(o);
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
    return;
  }
  const it = objects[Symbol.asyncIterator]();
  // A next() still running when a batch was handed over: the next batch starts with it.
  let pending: Promise<IteratorResult<StoredObject>> | undefined;
  let finished = false;
  try {
    while (!finished) {
      const batch: StoredObject[] = [];
      let timer: NodeJS.Timeout | undefined;
      // Armed by the batch's first object; one timer per batch, not per object.
      let deadline: Promise<undefined> | undefined;
      try {
        while (batch.length < size) {
          const p = pending ?? it.next();
          pending = p;
          const r = deadline ? await Promise.race([p, deadline]) : await p;
          if (r === undefined) break;
          pending = undefined;
          if (r.done) {
            finished = true;
            break;
          }
          batch.push(r.value);
          deadline ??= new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), maxWaitMs)));
        }
      } finally {
        clearTimeout(timer);
      }
      if (batch.length > 0) yield batch;
    }
  } finally {
    if (!finished) {
      // Stopped early: a next() still waiting (a pipe with no data yet) must not hold up the return.
      if (pending) {
        pending.catch(() => undefined);
        void it.return?.()?.catch(() => undefined);
      } else await it.return?.();
    }
  }
}

/** The JSON value of one line of JSON Lines or of a one-element-per-line JSON array; undefined for `[`, `]`, blanks. */
function lineValue(raw: string): string | undefined {
  let line = raw.trim();
  if (line === '' || line === '[' || line === ']' || line === '[]') return undefined;
  if (line.charCodeAt(0) === 0xfeff) line = line.slice(1).trim();
  if (line.startsWith('[')) line = line.slice(1).trim();
  if (line.endsWith(']') && !line.endsWith('"]')) line = line.slice(0, -1).trim();
  if (line.endsWith(',')) line = line.slice(0, -1);
  return line === '' ? undefined : line;
}

/**
 * The entries of a listing file `list` wrote, in batches. JSON Lines and JSON arrays written one
 * element per line are parsed from each chunk directly; CSV and whole (pretty-printed) JSON
 * documents go through readListingFile.
 */
export async function* readListingBatches(path: string): AsyncGenerator<StoredObject[]> {
  const fmt = listingFormatOfPath(path) ?? (await sniffCsv(path)) ?? 'jsonl';
  if (fmt === 'csv' || path === '-') {
    // Standard input may come slowly (`list ... | prewarm --listing-file -`): what has come is handed over.
    yield* batchesOf(readListingFile(path, fmt), BATCH, path === '-' ? 50 : undefined);
    return;
  }
  // 32 KiB chunks: the chunk's text stays a young-generation string (V8 puts strings over ~128 KiB in the
  // large-object space, freed only by a full collection): 161 -> 134 MB peak for two 1M-object listings.
  const stream = createReadStream(path, { highWaterMark: 32 * 1024 });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err: NodeJS.ErrnoException) => reject(new RuntimeError(err.code === 'ENOENT' ? `listing file ${path} does not exist` : `cannot read listing file ${path}: ${err.code ?? err.message}`)));
  });
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  let line = 0;
  let entries = 0;
  const parse = (raw: string, out: StoredObject[]) => {
    line++;
    const text = lineValue(raw);
    if (text === undefined) return;
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      throw new NotPerLine(line, text);
    }
    try {
      out.push(toObject(v, `${path} entry ${entries + 1}`));
    } catch (err) {
      // One line holding a whole document ({"objects": [...]}): the listing reader knows those.
      if (entries === 0) throw new NotPerLine(line, text);
      throw err;
    }
    entries++;
  };
  try {
    for await (const chunk of stream) {
      const text = rest + decoder.decode(chunk as Buffer, { stream: true });
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      const out: StoredObject[] = [];
      try {
        for (const l of lines) parse(l, out);
      } catch (err) {
        // The entries before a bad line are handed over first, as a one-at-a-time reader would have.
        if (out.length > 0) yield out;
        throw err;
      }
      if (out.length > 0) yield out;
    }
    const out: StoredObject[] = [];
    try {
      parse(rest + decoder.decode(), out);
    } catch (err) {
      if (out.length > 0) yield out;
      throw err;
    }
    if (out.length > 0) yield out;
  } catch (err) {
    if (!(err instanceof NotPerLine)) throw err;
    // A whole JSON document over several lines: the listing reader takes those, but only from the start.
    if (entries > 0) throw new RuntimeError(`listing file ${path}: line ${err.line} is not one JSON value per line (${err.text.slice(0, 60)})`);
    yield* batchesOf(readListingFile(path, 'json'));
  } finally {
    stream.destroy();
  }
}

class NotPerLine extends Error {
  constructor(
    readonly line: number,
    readonly text: string,
  ) {
    super(`line ${line} is not JSON`);
  }
}
