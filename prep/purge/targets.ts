// What to purge, as a stream of keys or URLs: key files (a diff, a listing, one key per
// line), --key flags, URL files. Keys are deduplicated (a set of the keys seen) and
// turned into every URL the CDN may hold for them (urls-for-key.ts).
import { readKeyList } from '../../storage/key-list.js';
import type { ChangeType } from '../../storage/change-list.js';
import { textLines } from '../../storage/json-lines.js';
import { createReadStream } from 'node:fs';
import { RuntimeError, UsageError } from '../../lib/errors.js';
import { keyUrlBuilder, type KeyUrlOptions } from './urls-for-key.js';
import { openResults } from '../../results/read-results.js';
import { restoreSecrets } from '../verify/verify-items.js';

export interface TargetSources {
  keysFiles: string[];
  keys: string[];
  /** Change types taken from change lists (default changed and deleted: new keys hold nothing stale). */
  changes: readonly ChangeType[];
}

/** The distinct keys of every source, in the order first seen. */
export async function* purgeKeys(s: TargetSources): AsyncGenerator<string> {
  const seen = new Set<string>();
  for (const k of s.keys) {
    if (seen.has(k)) continue;
    seen.add(k);
    yield k;
  }
  for (const f of s.keysFiles) {
    for await (const e of readKeyList(f, { changes: s.changes })) {
      if (seen.has(e.key)) continue;
      seen.add(e.key);
      yield e.key;
    }
  }
}

/** Lines of a file, blank ones skipped ("-" is standard input). */
export async function* fileLines(path: string, what: string): AsyncGenerator<string> {
  const stream = path === '-' ? process.stdin : createReadStream(path);
  if (path !== '-') {
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', (err: NodeJS.ErrnoException) => reject(new RuntimeError(err.code === 'ENOENT' ? `${what} ${path} does not exist` : `cannot read ${what} ${path}: ${err.code ?? err.message}`)));
    });
  }
  try {
    for await (const raw of textLines(stream as AsyncIterable<Buffer>)) {
      const line = raw.replace(/\r$/, '').replace(/^\uFEFF/, '');
      if (line.trim() !== '') yield line.trim();
    }
  } finally {
    if (path !== '-') (stream as unknown as { destroy(): void }).destroy();
  }
}

/** URLs from a URL file, checked to be absolute http(s) URLs. */
export async function* urlFileLines(path: string): AsyncGenerator<string> {
  let n = 0;
  for await (const line of fileLines(path, 'URL file')) {
    n++;
    let u: URL;
    try {
      u = new URL(line);
    } catch {
      throw new UsageError(`URL file ${path} line ${n}: "${line.slice(0, 80)}" is not an absolute URL`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`URL file ${path} line ${n}: only http:// and https:// URLs can be purged`);
    yield line;
  }
}

/**
 * The URLs a prewarm results file recorded for the given keys: streaming playlists and
 * segments (known only from the playlists) and whatever else was warmed. Secrets the
 * results redacted come back from the real base URL.
 */
export async function recordedUrls(resultsFile: string, keys: Set<string>, baseUrl: string | undefined): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const r = await openResults(resultsFile);
  for await (const rec of r.records) {
    if (!keys.has(rec.key) || !rec.url) continue;
    const list = out.get(rec.key) ?? [];
    list.push(restoreSecrets(rec.url, baseUrl));
    out.set(rec.key, list);
  }
  return out;
}

/** Every URL of every key, grouped by key (built like prewarm's, plus those a results file recorded). */
export async function* keyUrlGroups(keys: AsyncIterable<string>, o: KeyUrlOptions, resultsFile?: string): AsyncGenerator<{ key: string; urls: string[] }> {
  const build = keyUrlBuilder(o);
  if (!resultsFile) {
    for await (const key of keys) yield { key, urls: build(key).map((u) => u.url) };
    return;
  }
  // The results file is read once for every key: the keys are gathered first.
  const all: string[] = [];
  for await (const key of keys) all.push(key);
  const recorded = await recordedUrls(resultsFile, new Set(all), o.baseUrl);
  for (const key of all) yield { key, urls: [...new Set([...build(key).map((u) => u.url), ...(recorded.get(key) ?? [])])] };
}
