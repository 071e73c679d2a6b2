// What MODE=hls / MODE=dash plays: one stream per video key of the results file,
// its entry URL (master playlist or MPD) built from HLS_TEMPLATE / DASH_TEMPLATE
// and BASE_URL, as the records' derivative URLs are (the results hold URLs with
// their tokens redacted). A results file from `prewarm --hls-template` names the
// keys that have an HLS master ("hls master" records); otherwise every video key is played.
import { SharedArray } from 'k6/data';
import type { LoadtestConfig } from '../config.js';
import { openFile, type LoadedData } from '../data.js';
import { parseCsv } from '../csv.js';
import { parseExclusionList } from '../exclusions.js';
import { selectRecordsFromText, type LoadRecord } from '../records.js';
import { decodeTarget, encodeTarget, type RequestTarget } from '../target.js';
import { streamingUrl } from '../../../common/playlist/templates.js';
import { streamKeys } from './stream-keys.js';

function build(cfg: LoadtestConfig, protocol: 'hls' | 'dash'): string[] {
  if (!cfg.resultsFile) return [];
  const text = openFile(cfg.resultsFile, 'RESULTS_FILE');
  if (!/\S/.test(text)) throw new Error(`RESULTS_FILE is empty: ${cfg.resultsFile}`);
  const exclude = cfg.useErrorReport && cfg.errorReportFile ? parseExclusionList(openFile(cfg.errorReportFile, 'ERROR_REPORT_FILE')) : [];
  const kept: LoadRecord[] = [];
  selectRecordsFromText(text, { exclude, skipLargeFiles: cfg.skipLargeFiles, largeFileThresholdMb: cfg.largeFileThresholdMb }, parseCsv, (r) => kept.push(r));
  const template = protocol === 'hls' ? cfg.stream.hlsTemplate : cfg.stream.dashTemplate;
  const out = streamKeys(kept, protocol).map((k) =>
    encodeTarget({ url: streamingUrl(template, cfg.baseUrl, k.key), derivative: protocol, sizeCategory: k.sizeCategory as RequestTarget['sizeCategory'], size: 0, video: true }),
  );
  if (out.length === 0) throw new Error(`RESULTS_FILE has no video to stream (MODE=${protocol}): ${cfg.resultsFile}`);
  console.log(`loadtest: ${out.length} ${protocol.toUpperCase()} stream(s) to play (${template})`);
  return out;
}

/** Call once at module level (init context), instead of loadRecords, in MODE=hls / MODE=dash. */
export function loadStreams(cfg: LoadtestConfig, protocol: 'hls' | 'dash'): LoadedData {
  const encoded = new SharedArray<string>(`media-toolkit ${protocol} streams`, () => build(cfg, protocol));
  return { count: encoded.length, target: (i) => decodeTarget(encoded[i]), derivatives: [protocol] };
}
