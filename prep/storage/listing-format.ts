// Writing and reading listings: table, json (an array, one object per line),
// jsonl and csv (papaparse). json, jsonl and csv stream and can be read back
// by `analyze --listing-file` in constant memory.
import { createReadStream } from 'node:fs';
import Papa from 'papaparse';
import { RuntimeError, UsageError } from '../../lib/errors.js';
import { formatBytes } from './byte-size.js';
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
          const row = Papa.unparse([[o.key, o.size, o.lastModified, o.etag]], { header: false, newline: '\n' });
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

function toObject(v: unknown, where: string): StoredObject {
  const o = v as Record<string, unknown> | null;
  if (!o || typeof o !== 'object' || typeof o.key !== 'string') throw new RuntimeError(`${where}: not a listing entry (needs "key" and "size")`);
  const size = typeof o.size === 'number' ? o.size : Number(o.size);
  if (!Number.isFinite(size) || size < 0) throw new RuntimeError(`${where}: bad size for "${o.key}"`);
  return { key: o.key, size, lastModified: typeof o.lastModified === 'string' ? o.lastModified : '', etag: typeof o.etag === 'string' ? o.etag : '' };
}

async function* readCsv(path: string): AsyncGenerator<StoredObject> {
  // papaparse's Node duplex stream: rows come out as objects, with backpressure, never all at once.
  const file = path === '-' ? process.stdin : createReadStream(path);
  const rows = file.pipe(Papa.parse(Papa.NODE_STREAM_INPUT, { header: true, skipEmptyLines: true }));
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

/** Streams the entries of a listing file written by `list` (json, jsonl or csv); "-" reads standard input. */
export async function* readListingFile(path: string, format?: 'json' | 'jsonl' | 'csv'): AsyncGenerator<StoredObject> {
  const fmt = format ?? listingFormatOfPath(path) ?? 'jsonl';
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
  try {
    for await (const v of jsonValuesByLine(stream, `listing file ${path}`)) yield toObject(v, `${path} entry ${++n}`);
  } catch (err) {
    if (err instanceof RuntimeError) throw err;
    throw new RuntimeError((err as Error).message);
  }
}
