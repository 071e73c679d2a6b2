// File naming of a run (flag contract): --output FILE.json gives FILE.jsonl (the
// log appended while running) and FILE.summary.json beside it.

export interface ResultsPaths {
  json: string;
  jsonl: string;
  summary: string;
}

export function resultsPaths(output: string): ResultsPaths {
  const stem = output.replace(/\.jsonl?$/i, '');
  return { json: `${stem}.json`, jsonl: `${stem}.jsonl`, summary: `${stem}.summary.json` };
}

/** Ending of the log a run started without --resume keeps aside: FILE.previous.jsonl. */
export const PREVIOUS_LOG_SUFFIX = '.previous.jsonl';

/** FILE.jsonl -> FILE.previous.jsonl. */
export function previousLogPath(jsonl: string): string {
  return jsonl.replace(/(\.jsonl)?$/i, PREVIOUS_LOG_SUFFIX);
}
