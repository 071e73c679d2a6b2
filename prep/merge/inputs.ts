// The results files to merge: files as given, and folders expanded to the results
// files inside them (FILE.json preferred over its own FILE.jsonl log; summaries and the
// earlier logs prewarm keeps aside, FILE.previous.jsonl and FILE.previous.N.jsonl, left out).
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../../lib/errors.js';
import { isPreviousLog } from '../../results/paths.js';

const SUMMARY = /\.summary\.json$/i;
const RESULTS = /\.jsonl?$/i;

async function expandFolder(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => RESULTS.test(n) && !SUMMARY.test(n) && !isPreviousLog(n) && !n.startsWith('.')).sort();
  const set = new Set(names);
  // FILE.jsonl is the log a run appends while going; FILE.json is its final form.
  return names.filter((n) => !(n.endsWith('.jsonl') && set.has(n.replace(/\.jsonl$/i, '.json')))).map((n) => join(dir, n));
}

export interface ResultsInput {
  path: string;
  /** Found in a folder (so a JSON file there that is not a results file is skipped, not an error). */
  fromFolder: boolean;
}

export async function resultsInputs(paths: string[]): Promise<ResultsInput[]> {
  const out: ResultsInput[] = [];
  for (const p of paths) {
    let st;
    try {
      st = await stat(p);
    } catch {
      throw new UsageError(`${p}: no such results file or folder`);
    }
    if (st.isDirectory()) {
      const found = await expandFolder(p);
      if (found.length === 0) throw new UsageError(`${p}: no results files (*.json, *.jsonl) in this folder`);
      out.push(...found.map((path) => ({ path, fromFolder: true })));
    } else out.push({ path: p, fromFolder: false });
  }
  const seen = new Set<string>();
  return out.filter((i) => !seen.has(i.path) && Boolean(seen.add(i.path)));
}
