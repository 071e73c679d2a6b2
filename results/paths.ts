// File naming of a run (flag contract): --output FILE.json gives FILE.jsonl (the
// log appended while running) and FILE.summary.json beside it. A run started without
// --resume moves an earlier log aside, never over another: FILE.previous.jsonl, then
// FILE.previous.2.jsonl, FILE.previous.3.jsonl... (the highest number is the newest).
import { existsSync, linkSync, renameSync, unlinkSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { realPathOf } from '../lib/real-path.js';

export interface ResultsPaths {
  json: string;
  jsonl: string;
  summary: string;
}

export function resultsPaths(output: string): ResultsPaths {
  const stem = output.replace(/\.jsonl?$/i, '');
  return { json: `${stem}.json`, jsonl: `${stem}.jsonl`, summary: `${stem}.summary.json` };
}

/** Ending of the first log a run started without --resume keeps aside: FILE.previous.jsonl. */
export const PREVIOUS_LOG_SUFFIX = '.previous.jsonl';

/** FILE.previous.jsonl and FILE.previous.N.jsonl: earlier logs kept aside (merge leaves them out). */
export function isPreviousLog(name: string): boolean {
  return /\.previous(\.\d+)?\.jsonl$/i.test(name);
}

/** FILE.jsonl -> FILE.previous.jsonl (generation 1), FILE.previous.N.jsonl (generation N > 1). */
export function previousLogPath(jsonl: string, generation = 1): string {
  return jsonl.replace(/(\.jsonl)?$/i, generation > 1 ? `.previous.${generation}.jsonl` : PREVIOUS_LOG_SUFFIX);
}

/**
 * Moves the log at `jsonl` aside to the first free generation and returns where it went.
 * A hard link then unlink never replaces a file that appeared meanwhile; where links are
 * not supported, a checked rename.
 */
export function moveLogAside(jsonl: string): string {
  for (let generation = 1; ; generation++) {
    const target = previousLogPath(jsonl, generation);
    if (existsSync(target)) continue;
    try {
      linkSync(jsonl, target);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw err;
      renameSync(jsonl, target);
      return target;
    }
    unlinkSync(jsonl);
    return target;
  }
}

/**
 * The files a run with this --output writes: FILE.json, FILE.jsonl, FILE.summary.json, the logs
 * kept aside and FILE.comparison.md/.json. A predicate on absolute paths with symbolic links
 * resolved, for ListOptions.isOwnFile: a run never lists its own results.
 */
export function runFilesMatcher(output: string): (absolutePath: string) => boolean {
  const stem = realPathOf(output.replace(/\.jsonl?$/i, ''));
  const dir = dirname(stem);
  const base = basename(stem);
  const rest = /^\.(json|jsonl|summary\.json|previous(\.\d+)?\.jsonl|comparison\.(md|json))$/i;
  return (p) => dirname(p) === dir && basename(p).startsWith(base) && rest.test(basename(p).slice(base.length));
}
