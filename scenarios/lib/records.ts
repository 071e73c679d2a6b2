// From the pre-warming results to the small records the load test picks from.
// Pure (papaparse is passed in for CSV) so vitest can check the filtering.
import type { ResultsRecord, SizeCategory } from '../../common/results-record.js';
import { MIB } from '../../common/byte-size.js';
import { sizeCategory } from '../../common/size-category.js';
import { parseJsonDocument } from './json-text.js';
import { mediaTypeOf } from '../../common/media-type.js';

/** One URL to load-test: only what a request needs (SharedArray keeps these as JSON). */
export interface LoadRecord {
  key: string;
  derivative: string;
  kind: 'derivative' | 'variant';
  width?: number;
  height?: number;
  /** Size of the derivative's body in bytes (0 when unknown: no ranges then). */
  size: number;
  sizeCategory: SizeCategory;
  /** A video derivative: the player mode plays it (images keep the random ranges). */
  video: boolean;
  /** Media duration in seconds, when the results record has one (the player's fallback when the header has none). */
  durationSeconds?: number;
}

export interface RecordFilter {
  /** Keys to leave out (from the error report). */
  exclude?: readonly string[];
  /** Leave out files whose source (or, unknown that, the derivative) is larger than the threshold. */
  skipLargeFiles?: boolean;
  /** MiB, default 256. Fractions allowed. */
  largeFileThresholdMb?: number;
}

export interface RecordSelection {
  records: LoadRecord[];
  /** Counts of what was left out and why, for the init log line. */
  total: number;
  failed: number;
  excluded: number;
  large: number;
}

/** CSV parser signature (papaparse's parse, with header and dynamic typing). */
export type CsvParse = (text: string) => Record<string, unknown>[];

/** Reads the results file: a ResultsFile JSON, a bare JSON array of records, or a CSV with the same columns. */
export function parseResultsText(text: string, parseCsv?: CsvParse): Partial<ResultsRecord>[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const parsed = parseJsonDocument(trimmed, 'results file');
  if (parsed !== undefined) {
    if (Array.isArray(parsed)) return parsed as Partial<ResultsRecord>[];
    const records = (parsed as { records?: unknown }).records;
    if (!Array.isArray(records)) throw new Error('results file has no "records" array (expected the pre-warming results JSON)');
    return records as Partial<ResultsRecord>[];
  }
  if (!parseCsv) throw new Error('results file is neither JSON nor CSV');
  return parseCsv(text) as Partial<ResultsRecord>[];
}

function num(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : 0;
}

function isOk(r: Partial<ResultsRecord>): boolean {
  const ok = r.ok as unknown;
  if (ok === true || ok === 'true' || ok === 'TRUE') return true;
  if (ok === undefined || ok === null || ok === '') {
    const s = num(r.status);
    return s >= 200 && s < 300;
  }
  return false;
}

const CATEGORIES: readonly string[] = ['small', 'medium', 'large'];

export interface RecordSelector {
  /** The small record for a results record, or null when it is left out (counted). */
  take(r: Partial<ResultsRecord> | null | undefined): LoadRecord | null;
  counts(): Omit<RecordSelection, 'records'>;
}

/** The filtering rules, one record at a time (so a huge results file never has to be held as objects). */
export function recordSelector(filter: RecordFilter = {}): RecordSelector {
  const exclude = new Set(filter.exclude ?? []);
  const thresholdBytes = (filter.largeFileThresholdMb ?? 256) * MIB;
  let total = 0;
  let failed = 0;
  let excluded = 0;
  let large = 0;
  return {
    take(r) {
      total++;
      if (!r || typeof r.key !== 'string' || r.key === '' || !isOk(r)) {
        failed++;
        return null;
      }
      if (exclude.has(r.key)) {
        excluded++;
        return null;
      }
      // The derivative's real size: what the server announced, else what arrived.
      const size = num(r.contentLength) || num(r.bytesReceived);
      const sourceSize = num(r.sourceSize);
      if (filter.skipLargeFiles && (sourceSize || size) > thresholdBytes) {
        large++;
        return null;
      }
      const rec: LoadRecord = {
        key: r.key,
        derivative: typeof r.derivative === 'string' && r.derivative !== '' ? r.derivative : 'original',
        kind: r.kind === 'variant' ? 'variant' : 'derivative',
        size,
        sizeCategory: CATEGORIES.includes(String(r.sizeCategory)) ? (r.sizeCategory as SizeCategory) : sizeCategory(sourceSize || size),
        video: r.kind !== 'variant' && mediaTypeOf(r.key) !== 'image' && !String(r.contentType ?? '').startsWith('image/'),
      };
      const duration = num(r.durationSeconds);
      if (duration > 0) rec.durationSeconds = duration;
      const width = num(r.width);
      const height = num(r.height);
      if (width > 0) rec.width = width;
      if (height > 0) rec.height = height;
      return rec;
    },
    counts: () => ({ total, failed, excluded, large }),
  };
}

/**
 * Reads a results file and selects its records in one pass. JSON is read one
 * record at a time (each record object is cut out and parsed alone), so a
 * 100,000-record file never exists as 100,000 full objects at once: k6's JS
 * runtime is slow and memory-hungry with one huge JSON.parse.
 */
export function selectRecordsFromText(text: string, filter: RecordFilter = {}, parseCsv?: CsvParse, onRecord?: (r: LoadRecord) => void): RecordSelection {
  const sel = recordSelector(filter);
  const records: LoadRecord[] = [];
  const keep = (r: LoadRecord | null) => {
    if (!r) return;
    if (onRecord) onRecord(r);
    else records.push(r);
  };
  const first = /\S/.exec(text);
  if (!first) return { records, ...sel.counts() };
  if (first[0] === '{' || first[0] === '[') {
    let from = first.index;
    if (first[0] === '{') {
      const at = text.indexOf('"records"');
      if (at < 0) throw new Error('results file has no "records" array (expected the pre-warming results JSON)');
      from = at;
    }
    // Results records are flat objects: from each '{' to the first '}' that
    // closes valid JSON (a '}' inside a string value just means trying the next one).
    let pos = from;
    for (;;) {
      const start = text.indexOf('{', pos);
      if (start < 0) break;
      let end = text.indexOf('}', start);
      let r: Partial<ResultsRecord> | undefined;
      while (r === undefined) {
        if (end < 0) throw new Error(`results file is not valid JSON near record ${sel.counts().total + 1}`);
        try {
          r = JSON.parse(text.substring(start, end + 1)) as Partial<ResultsRecord>;
        } catch {
          end = text.indexOf('}', end + 1);
        }
      }
      keep(sel.take(r));
      pos = end + 1;
    }
    return { records, ...sel.counts() };
  }
  for (const r of parseResultsText(text, parseCsv)) keep(sel.take(r));
  return { records, ...sel.counts() };
}
