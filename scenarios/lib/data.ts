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
import { selectRecordsFromText } from './records.js';
import { decodeTarget, encodeTarget, type RequestTarget } from './target.js';
import { recordUrl } from './urls.js';

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

function build(cfg: LoadtestConfig): string[] {
  if (!cfg.resultsFile) return []; // reported by setup(): see missingSettings
  const text = openFile(cfg.resultsFile, 'RESULTS_FILE');
  if (!/\S/.test(text)) throw new Error(`RESULTS_FILE is empty: ${cfg.resultsFile}`);
  let exclude: string[] = [];
  if (cfg.useErrorReport) {
    if (!cfg.errorReportFile) throw new Error('USE_ERROR_REPORT=true needs ERROR_REPORT_FILE (the exclusion list from `media-toolkit errors`)');
    exclude = parseExclusionList(openFile(cfg.errorReportFile, 'ERROR_REPORT_FILE'));
  }
  const seen: Record<string, true> = {};
  const out: string[] = [];
  const sel = selectRecordsFromText(text, { exclude, skipLargeFiles: cfg.skipLargeFiles, largeFileThresholdMb: cfg.largeFileThresholdMb }, parseCsv, (r) => {
    seen[r.derivative] = true;
    out.push(
      encodeTarget({ url: recordUrl(r, cfg), derivative: r.derivative, sizeCategory: r.sizeCategory, size: r.size, width: r.width, height: r.height, video: r.video, durationSeconds: r.durationSeconds }),
    );
  });
  if (out.length === 0) {
    throw new Error(
      `RESULTS_FILE has no records to load-test: ${cfg.resultsFile} (${sel.total} records, ${sel.failed} not successful, ${sel.excluded} excluded, ${sel.large} large files skipped)`,
    );
  }
  console.log(
    `loadtest: ${out.length} records to request (${sel.total} in the results file, ${sel.failed} not successful, ${sel.excluded} excluded by the error report, ${sel.large} large files skipped)`,
  );
  derivativesSeen = Object.keys(seen).sort();
  return out;
}

export interface LoadedData {
  /** How many records there are. */
  count: number;
  /**
   * Record i (0 <= i < count), decoded; may be the same object on every call:
   * read it, never change it. Pick by index; never .map/.filter the array in a VU.
   */
  target(i: number): RequestTarget;
  /** Distinct derivative names, for per-derivative summary figures. */
  derivatives: readonly string[];
}

/**
 * Up to this many records, a VU keeps each record it has decoded. Reading a
 * SharedArray element JSON-decodes it on every read (~4 µs in k6) and splitting
 * it into a record costs as much again, on every request. A small set (a few
 * hundred derivatives) then costs a VU at most ~0.2 MB; a larger one is decoded
 * on every pick, so memory stays flat whatever the number of records and VUs.
 */
export const KEEP_DECODED_UP_TO = 256;

/** Call once at module level (init context). Throws in init on a missing or empty file: k6 stops with that message. */
export function loadRecords(cfg: LoadtestConfig): LoadedData {
  const encoded = new SharedArray<string>('media-toolkit records', () => build(cfg));
  const derivatives = new SharedArray<string>('media-toolkit derivatives', () => derivativesSeen);
  const count = encoded.length;
  if (count > KEEP_DECODED_UP_TO) return { count, target: (i) => decodeTarget(encoded[i]), derivatives };
  // Filled on first use: a VU decodes only the records it picks.
  const kept: (RequestTarget | undefined)[] = [];
  for (let i = 0; i < count; i++) kept.push(undefined);
  return { count, target: (i) => kept[i] ?? (kept[i] = decodeTarget(encoded[i])), derivatives };
}
