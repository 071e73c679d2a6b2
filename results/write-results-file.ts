// The results JSON at the end of a run, streamed from the JSONL log so that a
// million records never sit in memory; written atomically. Each record also goes
// to onRecord (statistics) on the way.
import { once } from 'node:events';
import { openAtomicStream } from '../lib/atomic-write.js';
import type { ResultsRecord } from '../common/results-record.js';
import { logLines } from './log-lines.js';

export interface ResultsFileMeta {
  baseUrl: string;
  urlFormat: string;
}

export interface LogRange {
  /** Read the log only up to this byte (what a failed log holds whole); default: all of it. */
  endByte?: number;
  /** JSON lines the log could not take (a failed write), appended after the log's own records. */
  extraLines?: readonly string[];
  /**
   * Records that may appear more than once (asked again by --resume --retry-failed) give an id;
   * of those only the last line with the id is kept. Undefined for a record that is unique.
   */
  keepLast?: (r: ResultsRecord) => string | number | undefined;
}

export async function writeResultsFileFromLog(
  jsonlPath: string,
  jsonPath: string,
  meta: ResultsFileMeta,
  onRecord: (r: ResultsRecord) => void,
  range: LogRange = {},
): Promise<number> {
  const out = await openAtomicStream(jsonPath);
  const w = async (s: string) => {
    if (!out.stream.write(s)) await once(out.stream, 'drain');
  };
  let n = 0;
  let batch = '';
  // First pass, only when records may repeat: the line where each repeated id last appears.
  const last = new Map<string | number, number>();
  const keepLast = range.keepLast;
  if (keepLast) {
    for await (const l of logLines(jsonlPath, { endByte: range.endByte })) {
      const id = keepLast(l.value as ResultsRecord);
      if (id !== undefined) last.set(id, l.no);
    }
    // A record the log could not take is newer than any line of the log.
    for (const chunk of range.extraLines ?? []) {
      for (const line of chunk.split('\n')) {
        const id = line ? keepLast(JSON.parse(line) as ResultsRecord) : undefined;
        if (id !== undefined) last.set(id, -1);
      }
    }
  }
  const add = async (line: string, r: ResultsRecord) => {
    onRecord(r);
    batch += `${n === 0 ? '\n' : ',\n'}${line}`;
    n++;
    if (batch.length > 256 * 1024) {
      await w(batch);
      batch = '';
    }
  };
  try {
    await w(`{"version":1,"generatedAt":${JSON.stringify(new Date().toISOString())},"baseUrl":${JSON.stringify(meta.baseUrl)},"urlFormat":${JSON.stringify(meta.urlFormat)},"records":[`);
    // A damaged line stops here with FILE:LINE; only a torn last line (a crash mid-write) is skipped.
    for await (const l of logLines(jsonlPath, { endByte: range.endByte })) {
      const r = l.value as ResultsRecord;
      if (keepLast) {
        const id = keepLast(r);
        if (id !== undefined && last.get(id) !== l.no) continue;
      }
      await add(l.text, r);
    }
    for (const chunk of range.extraLines ?? []) {
      for (const line of chunk.split('\n')) if (line) await add(line, JSON.parse(line) as ResultsRecord);
    }
    await w(`${batch}\n]}\n`);
    await out.commit();
  } catch (err) {
    await out.abort();
    throw err;
  }
  return n;
}
