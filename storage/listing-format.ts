// Writing and reading listings: table, json (an array, one object per line),
// jsonl and csv (papaparse). json, jsonl and csv stream and can be read back
// by `analyze --listing-file` in constant memory.
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { lazyRequire } from '../lib/lazy-require.js';

const papa = lazyRequire<typeof import('papaparse')>('papaparse');
import { RuntimeError, UsageError } from '../lib/errors.js';
import { formatBytes } from '../common/byte-size.js';
import { jsonValuesByLine } from './json-lines.js';
import type { StoredObject } from './types.js';

export type ListingFormat = 'table' | 'json' | 'jsonl' | 'csv';
export const LISTING_FORMATS: readonly ListingFormat[] = ['table', 'json', 'jsonl', 'csv'];
export const CSV_COLUMNS = ['key', 'size', 'lastModified', 'etag'] as const;

/** Something text can be written to, honouring backpressure. */
export type TextSink = (text: string) => Promise<void> | void;

export interface ListingWriter {
  write(obj: StoredObject): Promise<void> | void;
  end(): Promise<void> | void;
}

function plain(obj: StoredObject): StoredObject {
  return { key: obj.key, size: obj.size, lastModified: obj.lastModified, etag: obj.etag };
}

/** A streaming writer for one format. Output is batched so a million objects do not mean a million writes. */
export function listingWriter(format: ListingFormat, sink: TextSink): ListingWriter {
  let buf = '';
  let count = 0;
  let bytes = 0;
  const flushIfBig = () => {
    if (buf.length < 64 * 1024) return;
    const out = buf;
    buf = '';
    return sink(out);
  };
  switch (format) {
    case 'jsonl':
      return {
        write(o) {
          buf += `${JSON.stringify(plain(o))}\n`;
          return flushIfBig();
        },
        end: () => sink(buf),
      };
    case 'json':
      return {
        write(o) {
          buf += `${count++ === 0 ? '[\n' : ',\n'}${JSON.stringify(plain(o))}`;
          return flushIfBig();
        },
        end: () => sink(`${buf}${count === 0 ? '[]\n' : '\n]\n'}`),
      };
    case 'csv':
      return {
        write(o) {
          const row = papa().unparse([[o.key, o.size, o.lastModified, o.etag]], { header: false, newline: '\n' });
          buf += `${count++ === 0 ? `${CSV_COLUMNS.join(',')}\n` : ''}${row}\n`;
          return flushIfBig();
        },
        end: () => sink(count === 0 ? `${CSV_COLUMNS.join(',')}\n` : buf),
      };
    case 'table':
      return {
        write(o) {
          if (count++ === 0) buf += `${'SIZE'.padStart(12)}  ${'LAST MODIFIED'.padEnd(24)}  KEY\n`;
          bytes += o.size;
          buf += `${formatBytes(o.size).padStart(12)}  ${(o.lastModified || '-').padEnd(24)}  ${o.key}\n`;
          return flushIfBig();
        },
        end: () => sink(`${buf}${count} object${count === 1 ? '' : 's'}, ${formatBytes(bytes)} (${bytes} bytes)\n`),
      };
    default:
      throw new UsageError(`unknown listing format "${String(format)}" (known: ${LISTING_FORMATS.join(', ')})`);
  }
}

/** json, jsonl or csv from a file name; undefined when the extension says nothing. */
export function listingFormatOfPath(path: string): 'json' | 'jsonl' | 'csv' | undefined {
  const m = /\.(json|jsonl|ndjson|csv)$/i.exec(path);
  if (!m) return undefined;
  const ext = m[1].toLowerCase();
  return ext === 'ndjson' ? 'jsonl' : (ext as 'json' | 'jsonl' | 'csv');
}

// Key and size under the names other tools use too (S3 API, rclone, older versions of this toolkit).
const KEY_NAMES = ['key', 'Key', 'path', 'Path', 'name', 'Name'] as const;
const SIZE_NAMES = ['size', 'Size', 'bytes', 'sizeBytes'] as const;
// A whole JSON document may hold the entries in one of these arrays: {"objects": [...]}.
const WRAPPER_NAMES = ['objects', 'files', 'items'] as const;

// The first size field that is set (no array per entry: a million-entry listing reads this a million times).
function sizeOf(o: Record<string, unknown>): unknown {
  for (const n of SIZE_NAMES) {
    const x = o[n];
    if (x !== undefined && x !== '') return x;
  }
  return undefined;
}

function keyOf(o: Record<string, unknown>): string | undefined {
  for (const n of KEY_NAMES) if (typeof o[n] === 'string' && o[n] !== '') return o[n] as string;
  return undefined;
}

export function toObject(v: unknown, where: string): StoredObject {
  const o = v as Record<string, unknown> | null;
  const key = o && typeof o === 'object' ? keyOf(o) : undefined;
  if (!o || key === undefined) throw new RuntimeError(`${where}: not a listing entry (needs "key" and "size")`);
  const raw = sizeOf(o);
  const size = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isFinite(size) || size < 0) throw new RuntimeError(`${where}: bad size for "${key}"`);
  const lastModified = o.lastModified ?? o.LastModified;
  const etag = o.etag ?? o.ETag;
  return { key, size, lastModified: typeof lastModified === 'string' ? lastModified : '', etag: typeof etag === 'string' ? (etag.includes('"') ? etag.replace(/"/g, '') : etag) : '' };
}

/** The entries of a wrapping document ({"objects": [...]}), or undefined when v is an entry itself. */
function wrappedEntries(v: unknown): unknown[] | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  if (keyOf(o) !== undefined) return undefined;
  for (const n of WRAPPER_NAMES) if (Array.isArray(o[n])) return o[n] as unknown[];
  return undefined;
}

function* entriesOf(v: unknown, where: () => string): Generator<StoredObject> {
  const inner = wrappedEntries(v);
  if (!inner) yield toObject(v, where());
  else for (const e of inner) yield toObject(e, where());
}

async function* readCsv(path: string): AsyncGenerator<StoredObject> {
  // papaparse's Node duplex stream: rows come out as objects, with backpressure, never all at once.
  const file = path === '-' ? process.stdin : createReadStream(path);
  const rows = file.pipe(papa().parse(papa().NODE_STREAM_INPUT, { header: true, skipEmptyLines: true }));
  const failed = new Promise<never>((_, reject) => file.once('error', reject));
  failed.catch(() => undefined);
  let line = 1;
  try {
    const it = rows[Symbol.asyncIterator]();
    for (;;) {
      const next = await Promise.race([it.next(), failed]);
      if (next.done) return;
      yield toObject(next.value, `${path} row ${++line}`);
    }
  } catch (err) {
    if (err instanceof RuntimeError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new RuntimeError(code === 'ENOENT' ? `listing file ${path} does not exist` : `cannot read listing file ${path}: ${code ?? (err as Error).message}`);
  } finally {
    if (file !== process.stdin) file.destroy();
  }
}

/** csv when a file of unknown extension starts with a `key,` header line; else undefined. */
export async function sniffCsv(path: string): Promise<'csv' | undefined> {
  if (path === '-') return undefined;
  try {
    const fh = await open(path, 'r');
    try {
      const { buffer, bytesRead } = await fh.read(Buffer.alloc(256), 0, 256, 0);
      return /^\uFEFF?\s*"?key"?,/i.test(buffer.toString('utf8', 0, bytesRead)) ? 'csv' : undefined;
    } finally {
      await fh.close();
    }
  } catch {
    return undefined; // the reader below reports a missing or unreadable file
  }
}

/**
 * Streams the entries of a listing file written by `list` (json, jsonl or csv); "-" reads standard input.
 * Also takes a whole JSON document (pretty-printed array, or {"objects"|"files"|"items": [...]}) and
 * key/size under other names (Key, path, name; Size, bytes, sizeBytes).
 */
export async function* readListingFile(path: string, format?: 'json' | 'jsonl' | 'csv'): AsyncGenerator<StoredObject> {
  const fmt = format ?? listingFormatOfPath(path) ?? (await sniffCsv(path)) ?? 'jsonl';
  if (fmt === 'csv') {
    yield* readCsv(path);
    return;
  }
  // "-" is standard input: `list --format jsonl | analyze --listing-file -`.
  const stream = path === '-' ? process.stdin : createReadStream(path);
  const opened = new Promise<void>((resolve, reject) => {
    if (path === '-') return resolve();
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RuntimeError(code === 'ENOENT' ? `listing file ${path} does not exist` : `cannot read listing file ${path}: ${code ?? (err as Error).message}`);
  }
  let n = 0;
  const next = () => `${path} entry ${++n}`;
  try {
    for await (const v of jsonValuesByLine(stream, `listing file ${path}`)) yield* entriesOf(v, next);
  } catch (err) {
    if (err instanceof RuntimeError) throw err;
    // Not one value per line: a whole (pretty-printed) JSON document, read at once. Files only, and only
    // when nothing was yielded yet; otherwise the line error stands.
    const whole = n === 0 && path !== '-' ? await wholeDocument(path) : undefined;
    if (whole === undefined) throw new RuntimeError((err as Error).message);
    const list = Array.isArray(whole) ? whole : wrappedEntries(whole);
    if (!list) throw new RuntimeError(`listing file ${path}: expected JSON Lines, a JSON array of objects, or {"objects": [...]}`);
    for (const e of list) yield toObject(e, next());
  } finally {
    if (stream !== process.stdin) stream.destroy();
  }
}

async function wholeDocument(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}
