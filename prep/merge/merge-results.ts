// `media-toolkit merge`: shard results in, one results file out (JSON + JSONL +
// summary, each written atomically), as if one unsharded run had produced it.
import { resolve } from 'node:path';
import { openAtomicStream, writeFileAtomic } from '../../lib/atomic-write.js';
import { once } from 'node:events';
import { warn } from '../../lib/log.js';
import { UsageError } from '../../lib/errors.js';
import type { ResultsFile, ResultsRecord } from '../../common/results-record.js';
import { openResults } from '../../results/read-results.js';
import { resultsPaths, type ResultsPaths } from '../../results/paths.js';
import { createRunStats, type RunStatsSummary } from '../stats/run-stats.js';
import { createRecordMerger } from './merge-records.js';
import { resultsInputs } from './inputs.js';

export interface MergeSummary {
  version: 1;
  generatedAt: string;
  mergedFrom: string[];
  /** Records read from all inputs. */
  inputRecords: number;
  /** Records kept: one per key and derivative. */
  records: number;
  /** Records dropped as duplicates (a retry, or the same URL in two shards). */
  duplicatesDropped: number;
  stats: RunStatsSummary;
}

export interface MergeOutcome {
  paths: ResultsPaths;
  summary: MergeSummary;
}

async function writeJsonl(path: string, records: ResultsRecord[]): Promise<void> {
  const out = await openAtomicStream(path);
  try {
    for (const r of records) if (!out.stream.write(`${JSON.stringify(r)}\n`)) await once(out.stream, 'drain');
    await out.commit();
  } catch (err) {
    await out.abort();
    throw err;
  }
}

async function writeJson(path: string, file: ResultsFile): Promise<void> {
  const out = await openAtomicStream(path);
  const { records, ...head } = file;
  try {
    const w = async (s: string) => {
      if (!out.stream.write(s)) await once(out.stream, 'drain');
    };
    await w(`${JSON.stringify(head).slice(0, -1)},"records":[`);
    for (let i = 0; i < records.length; i++) await w(`${i === 0 ? '\n' : ',\n'}${JSON.stringify(records[i])}`);
    await w('\n]}\n');
    await out.commit();
  } catch (err) {
    await out.abort();
    throw err;
  }
}

export async function mergeResults(inputs: string[], output: string): Promise<MergeOutcome> {
  const files = await resultsInputs(inputs);
  const paths = resultsPaths(resolve(output));
  const merger = createRecordMerger();
  let baseUrl: string | undefined;
  let urlFormat: string | undefined;
  const used: string[] = [];
  for (const { path: f, fromFolder } of files) {
    if (resolve(f) === paths.json || resolve(f) === paths.jsonl) continue; // never read our own output
    let reader;
    try {
      reader = await openResults(f, (m) => warn(m));
    } catch (err) {
      // A folder may hold other JSON (an exclusion list, a k6 summary): skip those.
      if (fromFolder && err instanceof UsageError && /not a results file/.test(err.message)) {
        warn(`${f}: not a results file, skipped`);
        continue;
      }
      throw err;
    }
    let first = true;
    let skipped = false;
    for await (const r of reader.records) {
      // A listing (key and size, no URL or derivative) in the folder is not a results file.
      if (first && fromFolder && !r.url && !r.derivative) {
        warn(`${f}: not a results file (no URL or derivative), skipped`);
        skipped = true;
        break;
      }
      first = false;
      merger.add(r);
    }
    if (skipped) continue;
    used.push(f);
    if (reader.meta.baseUrl !== undefined) {
      if (baseUrl !== undefined && baseUrl !== reader.meta.baseUrl) warn(`${f}: base URL ${reader.meta.baseUrl} differs from ${baseUrl}; keeping the first`);
      baseUrl ??= reader.meta.baseUrl;
    }
    urlFormat ??= reader.meta.urlFormat;
  }
  const records = merger.records();
  const stats = createRunStats();
  for (const r of records) stats.add(r);
  const generatedAt = new Date().toISOString();
  const summary: MergeSummary = {
    version: 1,
    generatedAt,
    mergedFrom: used,
    inputRecords: merger.seen,
    records: records.length,
    duplicatesDropped: merger.seen - records.length,
    stats: stats.summary(),
  };
  await writeJsonl(paths.jsonl, records);
  await writeJson(paths.json, { version: 1, generatedAt, baseUrl: baseUrl ?? '', urlFormat: urlFormat ?? '', records });
  await writeFileAtomic(paths.summary, `${JSON.stringify(summary, null, 2)}\n`);
  return { paths, summary };
}
