// Keys from a file, for `prewarm --only-keys` and `purge --keys-file`: a change list
// from `diff` (JSON Lines, CSV or Markdown), a listing from `list` (json, jsonl, csv),
// `list`'s table (its default format), or plain text with one key per line. Streamed;
// "-" reads standard input, its kind told from its first line like a file's.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { lazyRequire } from '../lib/lazy-require.js';
import { RuntimeError, UsageError } from '../lib/errors.js';
import { jsonValuesByLine, textLines } from './json-lines.js';
import { readListingFile } from './listing-format.js';
import { CHANGE_TYPES, splitRow, unescapeCell, type ChangeType } from './change-list.js';

const papa = lazyRequire<typeof import('papaparse')>('papaparse');

export interface KeyEntry {
  key: string;
  /** Set when the file is a change list. */
  change?: ChangeType;
}

export type KeyFileKind = 'json' | 'csv' | 'markdown' | 'table' | 'text';

/** The header line of `list --format table` (storage/listing-format.ts writes it). */
export const TABLE_HEADER = /^\s*SIZE {2}LAST MODIFIED +KEY$/;
/** The table's last line: `3 objects, 5.9 KiB (6000 bytes)`. */
const TABLE_FOOTER = /^\d+ objects?, .+ \(\d+ bytes\)$/;

/**
 * The key of one row of `list --format table`: `formatBytes(size).padStart(12)`, two
 * spaces, the last-modified time (no spaces; '-' when unknown) padded to 24, two spaces,
 * then the key exactly (it may hold or begin with spaces). undefined when the line is not a row.
 */
export function tableRowKey(line: string): string | undefined {
  const m = /^( *\S+(?: \S+)?) {2}(\S+)/.exec(line);
  if (!m || m[1].length < 12) return undefined;
  const keyAt = m[1].length + 2 + Math.max(24, m[2].length) + 2;
  if (line.length <= keyAt || line.slice(m[0].length, keyAt).trim() !== '') return undefined;
  return line.slice(keyAt);
}

export interface KeyListOptions {
  /** Change types kept from a change list (entries without a change type are always kept). Default: all. */
  changes?: readonly ChangeType[];
}

/** Whether a file is `list --format table` output (false when it cannot be read: its reader says why). */
export async function isTableListing(path: string): Promise<boolean> {
  if (path === '-') return false;
  try {
    const fh = await open(path, 'r');
    try {
      const { buffer, bytesRead } = await fh.read(Buffer.alloc(256), 0, 256, 0);
      const first = buffer.toString('utf8', 0, bytesRead).replace(/^\uFEFF/, '').split('\n')[0].replace(/\r$/, '');
      return TABLE_HEADER.test(first) || TABLE_FOOTER.test(first);
    } finally {
      await fh.close();
    }
  } catch {
    return false;
  }
}

/** The kind of a key file from its name, else from its first bytes. */
export async function keyFileKind(path: string): Promise<KeyFileKind> {
  const ext = /\.([a-z]+)$/i.exec(path)?.[1]?.toLowerCase();
  if (ext === 'json' || ext === 'jsonl' || ext === 'ndjson') return 'json';
  if (ext === 'csv') return 'csv';
  if (ext === 'md' || ext === 'markdown') return 'markdown';
  let head = '';
  if (path === '-') head = (await peekStdin()).head.replace(/^\uFEFF/, '');
  else try {
    const fh = await open(path, 'r');
    try {
      const { buffer, bytesRead } = await fh.read(Buffer.alloc(4096), 0, 4096, 0);
      head = buffer.toString('utf8', 0, bytesRead).replace(/^\uFEFF/, '');
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw new RuntimeError(openError(path, err));
  }
  const firstLine = head.split('\n').find((l) => l.trim() !== '')?.replace(/\r$/, '') ?? '';
  if (TABLE_HEADER.test(firstLine) || TABLE_FOOTER.test(firstLine)) return 'table';
  // A .txt file is a table (above) or one key per line, whatever its keys begin with.
  if (ext === 'txt') return 'text';
  const first = firstLine.trim();
  if (first.startsWith('{') || first.startsWith('[')) return 'json';
  if (/^"?(key|change)"?,/i.test(first)) return 'csv';
  if (/^#\s/.test(first) || /^\|\s*change\s*\|\s*key\s*\|/i.test(first)) {
    if (/\|\s*change\s*\|\s*key\s*\|/i.test(head) || /No key changed\./.test(head)) return 'markdown';
  }
  return 'text';
}

function openError(path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? `key file ${path} does not exist` : `cannot read key file ${path}: ${code ?? (err as Error).message}`;
}

function changeOf(v: unknown, where: string): ChangeType | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string' && (CHANGE_TYPES as readonly string[]).includes(v)) return v as ChangeType;
  throw new RuntimeError(`${where}: unknown change "${String(v)}" (known: ${CHANGE_TYPES.join(', ')})`);
}

type InputStream = NodeJS.ReadableStream & AsyncIterable<Buffer | string>;

let stdinPeek: Promise<{ head: string; stream: InputStream }> | undefined;

/**
 * Standard input's first line (up to 4 KiB), to tell its kind as for a file (`diff ... |
 * purge --keys-file -` sends a change list), and a stream that gives those bytes again first.
 */
function peekStdin(): Promise<{ head: string; stream: InputStream }> {
  stdinPeek ??= (async () => {
    const it = (process.stdin as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    while (size < 4096) {
      const r = await it.next();
      if (r.done) {
        done = true;
        break;
      }
      const b = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
      chunks.push(b);
      size += b.length;
      if (b.includes(10)) break;
    }
    const head = Buffer.concat(chunks);
    async function* all(): AsyncGenerator<Buffer | string> {
      if (head.length > 0) yield head;
      while (!done) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    }
    return { head: head.toString('utf8'), stream: Readable.from(all(), { objectMode: false }) as unknown as InputStream };
  })();
  return stdinPeek;
}

/** Waits for the file to open, so a missing file is one clear line rather than a stream error later. */
async function opened(path: string): Promise<InputStream> {
  if (path === '-') return (await peekStdin()).stream;
  const stream = createReadStream(path) as unknown as InputStream;
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err) => reject(new RuntimeError(openError(path, err))));
  });
  return stream;
}

const KEY_NAMES = ['key', 'Key', 'path', 'Path', 'name', 'Name'];

async function* jsonEntries(path: string): AsyncGenerator<KeyEntry> {
  const stream = await opened(path);
  let n = 0;
  try {
    for await (const v of jsonValuesByLine(stream, `key file ${path}`)) {
      n++;
      const o = v as Record<string, unknown> | null;
      const key = o && typeof o === 'object' ? KEY_NAMES.map((k) => o[k]).find((k) => typeof k === 'string' && k !== '') : typeof v === 'string' ? v : undefined;
      if (typeof key !== 'string') {
        // A listing wrapped in {"objects": [...]}: let the listing reader take the whole document.
        if (n === 1 && o && typeof o === 'object' && !Array.isArray(o) && path !== '-') {
          for await (const obj of readListingFile(path, 'json')) yield { key: obj.key };
          return;
        }
        throw new RuntimeError(`key file ${path} entry ${n}: no "key"`);
      }
      yield { key, change: changeOf(o && typeof o === 'object' ? o.change : undefined, `key file ${path} entry ${n}`) };
    }
  } catch (err) {
    const msg = (err as Error).message;
    if (n > 0 || !/one JSON value per line/.test(msg)) throw err instanceof RuntimeError ? err : new RuntimeError(msg);
    if (path === '-') throw new RuntimeError('standard input: a JSON document over several lines is read from a file only; pipe JSON Lines (one value per line) instead');
    // A pretty-printed document: the listing reader knows those.
    for await (const obj of readListingFile(path, 'json')) yield { key: obj.key };
  } finally {
    if (path !== '-') (stream as unknown as { destroy(): void }).destroy();
  }
}

async function* csvEntries(path: string): AsyncGenerator<KeyEntry> {
  const stream = await opened(path);
  const rows = (stream as NodeJS.ReadableStream).pipe(papa().parse(papa().NODE_STREAM_INPUT, { header: true, skipEmptyLines: true })) as unknown as AsyncIterable<Record<string, string>>;
  let n = 1;
  try {
    for await (const row of rows) {
      n++;
      const key = row.key ?? row.Key;
      if (typeof key !== 'string' || key === '') throw new RuntimeError(`key file ${path} row ${n}: no key (CSV needs a "key" column)`);
      yield { key, change: changeOf(row.change, `key file ${path} row ${n}`) };
    }
  } finally {
    if (path !== '-') (stream as unknown as { destroy(): void }).destroy();
  }
}

async function* markdownEntries(path: string): AsyncGenerator<KeyEntry> {
  const stream = await opened(path);
  let columns: string[] | undefined;
  let n = 0;
  for await (const line of textLines(stream)) {
    n++;
    const cells = splitRow(line);
    if (!cells) continue;
    if (!columns) {
      columns = cells.map((c) => c.toLowerCase());
      if (!columns.includes('key')) throw new RuntimeError(`key file ${path} line ${n}: the table has no "key" column`);
      continue;
    }
    if (cells.every((c) => /^:?-+:?$/.test(c))) continue;
    const get = (name: string) => {
      const i = columns!.indexOf(name);
      return i < 0 ? undefined : unescapeCell(cells[i] ?? '');
    };
    const key = get('key');
    if (!key) throw new RuntimeError(`key file ${path} line ${n}: empty key cell`);
    yield { key, change: changeOf(get('change'), `key file ${path} line ${n}`) };
  }
}

async function* tableEntries(path: string): AsyncGenerator<KeyEntry> {
  const stream = await opened(path);
  let n = 0;
  let ended = false;
  for await (const raw of textLines(stream)) {
    n++;
    const line = (raw.endsWith('\r') ? raw.slice(0, -1) : raw).replace(/^\uFEFF/, '');
    if (line.trim() === '' || (!ended && TABLE_HEADER.test(line))) continue;
    if (ended) throw new RuntimeError(`key file ${path} line ${n}: text after the table's total line`);
    if (TABLE_FOOTER.test(line)) {
      ended = true;
      continue;
    }
    const key = tableRowKey(line);
    if (key === undefined) throw new RuntimeError(`key file ${path} line ${n}: not a row of \`list --format table\` (SIZE, LAST MODIFIED, KEY)`);
    yield { key };
  }
}

async function* textEntries(path: string): AsyncGenerator<KeyEntry> {
  const stream = await opened(path);
  let n = 0;
  for await (const raw of textLines(stream)) {
    n++;
    // Keys may begin or end with spaces (S3 allows it): only the line ending and a BOM go.
    let key = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (n === 1) key = key.replace(/^\uFEFF/, '');
    if (key.trim() === '') continue;
    yield { key };
  }
}

/** Streams the keys of a key file, filtered by change type. */
export async function* readKeyList(path: string, opts: KeyListOptions = {}): AsyncGenerator<KeyEntry> {
  if (!path) throw new UsageError('no key file given');
  const kind = await keyFileKind(path);
  const source = kind === 'json' ? jsonEntries(path) : kind === 'csv' ? csvEntries(path) : kind === 'markdown' ? markdownEntries(path) : kind === 'table' ? tableEntries(path) : textEntries(path);
  const keep = opts.changes ? new Set<string>(opts.changes) : undefined;
  for await (const e of source) {
    if (keep && e.change && !keep.has(e.change)) continue;
    yield e;
  }
}

/** The keys of a key file as a set (deduplicated), filtered by change type. */
export async function loadKeySet(path: string, opts: KeyListOptions = {}): Promise<Set<string>> {
  const set = new Set<string>();
  for await (const e of readKeyList(path, opts)) set.add(e.key);
  return set;
}
