// Loads the records once, in init context, into a SharedArray: every VU shares
// one copy, and k6 archive / k6 cloud run carry the files inside the archive
// because open() is called in init with paths known when the archive is made.
//
// Paths: k6's open() resolves a relative path against the folder of the script
// (dist/ for the bundle), not the working directory. Pass absolute paths (the
// `media-toolkit loadtest` command always does) or paths relative to the script.
import { SharedArray } from 'k6/data';
import type { LoadtestConfig } from './config.js';
import { parseCsv } from './csv.js';
import { parseExclusionList } from './exclusions.js';
import { parseResultsText, selectRecords, type LoadRecord } from './records.js';
import { recordUrl } from './urls.js';

/** A record with its URL, built once at init through the common module (not on every request). */
export type TargetRecord = LoadRecord & { url: string };

/** open() that turns k6's "no such file" into one clear line naming the setting. */
export function openFile(path: string, setting: string): string {
  let text: string;
  try {
    text = open(path);
  } catch (err) {
    throw new Error(`${setting} cannot be read: ${path} (${String((err as Error).message ?? err).split('\n')[0]}); k6 resolves relative paths against the script's folder, so pass an absolute path`);
  }
  return text;
}

// Filled while the first VU builds the SharedArray, read by the second array's builder.
let derivativesSeen: string[] = [];

function build(cfg: LoadtestConfig): TargetRecord[] {
  if (!cfg.resultsFile) return []; // reported by setup(): see missingSettings
  const text = openFile(cfg.resultsFile, 'RESULTS_FILE');
  if (text.trim() === '') throw new Error(`RESULTS_FILE is empty: ${cfg.resultsFile}`);
  let exclude: string[] = [];
  if (cfg.useErrorReport) {
    if (!cfg.errorReportFile) throw new Error('USE_ERROR_REPORT=true needs ERROR_REPORT_FILE (the exclusion list from `media-toolkit errors`)');
    exclude = parseExclusionList(openFile(cfg.errorReportFile, 'ERROR_REPORT_FILE'));
  }
  const raw = parseResultsText(text, parseCsv);
  const sel = selectRecords(raw, { exclude, skipLargeFiles: cfg.skipLargeFiles, largeFileThresholdMb: cfg.largeFileThresholdMb });
  if (sel.records.length === 0) {
    throw new Error(
      `RESULTS_FILE has no records to load-test: ${cfg.resultsFile} (${sel.total} records, ${sel.failed} not successful, ${sel.excluded} excluded, ${sel.large} large files skipped)`,
    );
  }
  console.log(
    `loadtest: ${sel.records.length} records to request (${sel.total} in the results file, ${sel.failed} not successful, ${sel.excluded} excluded by the error report, ${sel.large} large files skipped)`,
  );
  const seen = new Set<string>();
  for (const r of sel.records) seen.add(r.derivative);
  derivativesSeen = [...seen].sort();
  return sel.records.map((r) => ({ ...r, url: recordUrl(r, cfg) }));
}

export interface LoadedData {
  /** Index it (records[i]); never .map/.filter it in a VU: each element is decoded on access. */
  records: readonly TargetRecord[];
  /** Distinct derivative names, for per-derivative summary figures. */
  derivatives: readonly string[];
}

/** Call once at module level (init context). Throws in init on a missing or empty file: k6 stops with that message. */
export function loadRecords(cfg: LoadtestConfig): LoadedData {
  const records = new SharedArray<TargetRecord>('media-toolkit records', () => build(cfg));
  const derivatives = new SharedArray<string>('media-toolkit derivatives', () => derivativesSeen);
  return { records, derivatives };
}
