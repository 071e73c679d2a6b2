// The results JSON at the end of a run, streamed from the JSONL log so that a
// million records never sit in memory; written atomically. Each record also goes
// to onRecord (statistics) on the way.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { openAtomicStream } from '../lib/atomic-write.js';
import type { ResultsRecord } from '../common/results-record.js';

export interface ResultsFileMeta {
  baseUrl: string;
  urlFormat: string;
}

export async function writeResultsFileFromLog(
  jsonlPath: string,
  jsonPath: string,
  meta: ResultsFileMeta,
  onRecord: (r: ResultsRecord) => void,
): Promise<number> {
  const out = await openAtomicStream(jsonPath);
  const w = async (s: string) => {
    if (!out.stream.write(s)) await once(out.stream, 'drain');
  };
  let n = 0;
  try {
    await w(`{"version":1,"generatedAt":${JSON.stringify(new Date().toISOString())},"baseUrl":${JSON.stringify(meta.baseUrl)},"urlFormat":${JSON.stringify(meta.urlFormat)},"records":[`);
    const rl = createInterface({ input: createReadStream(jsonlPath, { encoding: 'utf8' }), crlfDelay: Infinity });
    let batch = '';
    for await (const line of rl) {
      if (line.trim() === '') continue;
      let r: ResultsRecord;
      try {
        r = JSON.parse(line) as ResultsRecord;
      } catch {
        continue; // a torn line from an earlier crash: never a final record
      }
      onRecord(r);
      batch += `${n === 0 ? '\n' : ',\n'}${line}`;
      n++;
      if (batch.length > 256 * 1024) {
        await w(batch);
        batch = '';
      }
    }
    await w(`${batch}\n]}\n`);
    await out.commit();
  } catch (err) {
    await out.abort();
    throw err;
  }
  return n;
}
