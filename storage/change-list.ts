// The change list `diff` writes and `prewarm --only-keys` / `purge --keys-file` read:
// one record per new, changed or deleted key, in key order, as JSON Lines, CSV or a
// Markdown table. Writers stream (batched), so a million changes cost no more memory
// than ten.
import { lazyRequire } from '../lib/lazy-require.js';
import { formatBytes } from '../common/byte-size.js';
import type { StoredObject } from './types.js';
import { textBatches, type TextSink } from './text-batches.js';

const papa = lazyRequire<typeof import('papaparse')>('papaparse');

export type ChangeType = 'new' | 'changed' | 'deleted';
export const CHANGE_TYPES: readonly ChangeType[] = ['new', 'changed', 'deleted'];
export type ChangeFormat = 'jsonl' | 'csv' | 'markdown';
export const CHANGE_FORMATS: readonly ChangeFormat[] = ['jsonl', 'csv', 'markdown'];

/** One changed key. Values are the new listing's (the old one's for a deleted key). */
export interface ChangeRecord extends StoredObject {
  change: ChangeType;
  /** The old listing's values of a changed key. */
  before?: { size: number; lastModified: string; etag: string };
}

export interface ChangeCounts {
  new: number;
  changed: number;
  deleted: number;
  unchanged: number;
}

export const CHANGE_CSV_COLUMNS = ['change', 'key', 'size', 'lastModified', 'etag', 'beforeSize', 'beforeLastModified', 'beforeEtag'] as const;

/** Markdown table cells: backslash, pipe and line breaks escaped so every key reads back exactly. */
export function escapeCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

export function unescapeCell(s: string): string {
  return s.replace(/\\(\\|\||n|r)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}

/** Splits a Markdown table row on unescaped pipes; undefined when the line is not a row. */
export function splitRow(line: string): string[] | undefined {
  const t = line.trim();
  if (!t.startsWith('|')) return undefined;
  const cells: string[] = [];
  let cur = '';
  for (let i = 1; i < t.length; i++) {
    const c = t[i];
    if (c === '\\' && i + 1 < t.length) {
      cur += c + t[++i];
      continue;
    }
    if (c === '|') {
      cells.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur.trim() !== '') cells.push(cur.trim());
  return cells;
}

export interface ChangeWriter {
  write(r: ChangeRecord): Promise<void> | void;
  /** Ends the output; Markdown adds the summary line here. */
  end(counts: ChangeCounts): Promise<void> | void;
}

function plain(r: ChangeRecord): ChangeRecord {
  const o: ChangeRecord = { change: r.change, key: r.key, size: r.size, lastModified: r.lastModified, etag: r.etag };
  if (r.before) o.before = { size: r.before.size, lastModified: r.before.lastModified, etag: r.before.etag };
  return o;
}

export function countsLine(c: ChangeCounts): string {
  return `${c.new} new, ${c.changed} changed, ${c.deleted} deleted, ${c.unchanged} unchanged`;
}

/** A streaming writer for one format; output is batched into 64 KiB writes. `title` heads the Markdown. */
export function changeWriter(format: ChangeFormat, sink: TextSink, title = 'Changes'): ChangeWriter {
  const out = textBatches(sink);
  let rows = 0;
  switch (format) {
    case 'jsonl':
      return {
        write: (r) => out.add(`${JSON.stringify(plain(r))}\n`),
        end: () => out.end(),
      };
    case 'csv':
      return {
        write(r) {
          const b = r.before;
          const row = papa().unparse([[r.change, r.key, r.size, r.lastModified, r.etag, b?.size ?? '', b?.lastModified ?? '', b?.etag ?? '']], { header: false, newline: '\n' });
          return out.add(`${rows++ === 0 ? `${CHANGE_CSV_COLUMNS.join(',')}\n` : ''}${row}\n`);
        },
        end: () => out.end(rows === 0 ? `${CHANGE_CSV_COLUMNS.join(',')}\n` : ''),
      };
    case 'markdown':
      out.add(`# ${escapeCell(title)}\n\n`);
      return {
        write(r) {
          const head = rows++ === 0 ? '| change | key | size | last modified | etag | size before |\n|---|---|---|---|---|---|\n' : '';
          const before = r.before ? formatBytes(r.before.size) : '';
          return out.add(`${head}| ${r.change} | ${escapeCell(r.key)} | ${formatBytes(r.size)} | ${escapeCell(r.lastModified)} | ${escapeCell(r.etag)} | ${before} |\n`);
        },
        end: (c) => out.end(`${rows === 0 ? 'No key changed.\n' : ''}\n**${countsLine(c)}**\n`),
      };
    default:
      throw new Error(`unknown change list format "${String(format)}" (known: ${CHANGE_FORMATS.join(', ')})`);
  }
}
