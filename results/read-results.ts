// Reads results records back from a results JSON (a ResultsFile, or a plain array
// of records) or a JSON Lines file, streaming the JSONL case. A malformed file
// is reported as one line naming the file and the line: `FILE:LINE: reason`
// (a UsageError, exit 2, like a missing file: the input given was wrong).
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { UsageError } from '../lib/errors.js';
import type { ResultsRecord } from '../common/results-record.js';
import { lineAt, parseJsonNamingLine } from './json-error-line.js';
import { normaliseRecord } from './normalise-record.js';
import { logLines } from './log-lines.js';
import { requireFile } from '../lib/require-file.js';

export interface ResultsMeta {
  baseUrl?: string;
  urlFormat?: string;
  generatedAt?: string;
}

export type ResultsFormat = 'json' | 'jsonl';

async function head(path: string, bytes: number): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
}

/** JSON Lines when the name says so or the first line is a whole record on its own. */
export async function detectResultsFormat(path: string): Promise<ResultsFormat> {
  if (/\.jsonl$/i.test(path)) return 'jsonl';
  const start = await head(path, 64 * 1024);
  const trimmed = start.trimStart();
  if (trimmed.startsWith('[')) return 'json';
  const firstLine = trimmed.split('\n')[0];
  try {
    const v = JSON.parse(firstLine);
    if (v && typeof v === 'object' && !Array.isArray(v) && typeof v.key === 'string') return 'jsonl';
  } catch {
    /* not a line on its own: a JSON document */
  }
  return 'json';
}

export interface ResultsReader {
  format: ResultsFormat;
  meta: ResultsMeta;
  records: AsyncGenerator<ResultsRecord>;
}

/**
 * Opens a results file (JSON or JSONL). Throws UsageError for a missing file or
 * malformed content, naming `file:line`. A torn last JSONL line (a run killed
 * mid-write) is skipped with onWarning instead.
 */
export async function openResults(path: string, onWarning: (msg: string) => void = () => {}): Promise<ResultsReader> {
  const size = await requireFile(path, 'results file');
  if (size === 0) throw new UsageError(`${path}:1: empty results file`);
  const format = await detectResultsFormat(path);
  if (format === 'jsonl') return { format, meta: {}, records: readJsonl(path, onWarning) };
  const streamed = await openOwnLayout(path);
  if (streamed) return streamed;
  const text = await readFile(path, 'utf8');
  const doc = parseJsonNamingLine(path, text, 120);
  const list = Array.isArray(doc) ? doc : (doc as { records?: unknown; results?: unknown })?.records ?? (doc as { results?: unknown })?.results;
  if (!Array.isArray(list)) throw new UsageError(`${path}:1: not a results file (expected {"records": [...]} or an array of records)`);
  const meta: ResultsMeta = {};
  if (!Array.isArray(doc)) {
    const d = doc as Record<string, unknown>;
    if (typeof d.baseUrl === 'string') meta.baseUrl = d.baseUrl;
    if (typeof d.urlFormat === 'string') meta.urlFormat = d.urlFormat;
    if (typeof d.generatedAt === 'string') meta.generatedAt = d.generatedAt;
  }
  return { format, meta, records: fromArray(path, text, list) };
}

// The results JSON this toolkit writes has one record per line between a header line ending in
// `"records":[` and a closing `]}`: read that layout line by line, so a million records are never
// parsed into memory at once. Anything else goes through JSON.parse.
const OWN_HEADER = /^\{"version":1,.*"records":\[$/;

async function openOwnLayout(path: string): Promise<ResultsReader | undefined> {
  const first = (await head(path, 4096)).split('\n')[0];
  if (!OWN_HEADER.test(first)) return undefined;
  let meta: ResultsMeta;
  try {
    const h = JSON.parse(`${first}]}`) as Record<string, unknown>;
    meta = {
      baseUrl: typeof h.baseUrl === 'string' ? h.baseUrl : undefined,
      urlFormat: typeof h.urlFormat === 'string' ? h.urlFormat : undefined,
      generatedAt: typeof h.generatedAt === 'string' ? h.generatedAt : undefined,
    };
  } catch {
    return undefined;
  }
  return { format: 'json', meta, records: readOwnLayout(path) };
}

async function* readOwnLayout(path: string): AsyncGenerator<ResultsRecord> {
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNo = 0;
  let closed = false;
  try {
    for await (const raw of rl) {
      lineNo++;
      if (lineNo === 1) continue;
      const line = raw.trim();
      if (line === '') continue;
      if (line === ']}') {
        closed = true;
        continue;
      }
      if (closed) throw new UsageError(`${path}:${lineNo}: unexpected content after the end of the records`);
      let v: unknown;
      try {
        v = JSON.parse(line.endsWith(',') ? line.slice(0, -1) : line);
      } catch {
        throw new UsageError(`${path}:${lineNo}: invalid JSON`);
      }
      const r = normaliseRecord(v);
      if (typeof r === 'string') throw new UsageError(`${path}:${lineNo}: ${r}`);
      yield r;
    }
    if (!closed) throw new UsageError(`${path}:${lineNo}: the results file ends before its closing "]}" (cut short?)`);
  } finally {
    rl.close();
  }
}

async function* fromArray(path: string, text: string, list: unknown[]): AsyncGenerator<ResultsRecord> {
  for (let i = 0; i < list.length; i++) {
    const r = normaliseRecord(list[i]);
    if (typeof r === 'string') throw new UsageError(`${path}:${recordLine(text, i)}: record ${i + 1}: ${r}`);
    yield r;
  }
}

// Line of the i-th element of the records array: only computed on error.
function recordLine(text: string, index: number): number {
  const m = /"(records|results)"\s*:\s*\[/.exec(text);
  let pos = m ? m.index + m[0].length : text.indexOf('[') + 1;
  let depth = 0;
  let seen = -1;
  let inStr = false;
  for (; pos < text.length; pos++) {
    const c = text[pos];
    if (inStr) {
      if (c === '\\') pos++;
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') inStr = true;
    if (depth === 0 && !/\s|,/.test(c)) {
      seen++;
      if (seen === index) return lineAt(text, pos);
    }
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return 1;
}

async function* readJsonl(path: string, onWarning: (msg: string) => void): AsyncGenerator<ResultsRecord> {
  // The same reader as --resume: a damaged line stops with FILE:LINE, a torn last line is skipped.
  for await (const l of logLines(path, { onTorn: onWarning })) {
    const r = normaliseRecord(l.value);
    if (typeof r === 'string') throw new UsageError(`${path}:${l.no}: ${r}`);
    yield r;
  }
}
