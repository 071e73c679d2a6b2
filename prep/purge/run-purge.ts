// `media-toolkit purge`: keys or URLs in, the provider's items out (URLs, CloudFront
// paths with wildcards where cheaper, Cloudflare prefixes, Fastly surrogate keys,
// Akamai CP codes), sent by the shared core; a report and the failed items at the end.
import { writeFileAtomic } from '../../lib/atomic-write.js';
import { REDACTED, redactUrl } from '../../common/redact.js';
import { restoreSecrets } from '../verify/verify-items.js';
import { readListingFile } from '../../storage/listing-format.js';
import { runPurgeCore, type CoreOptions, type PurgeOutcome } from './core.js';
import type { PurgeProvider } from './provider.js';
import { cloudflarePrefix } from './cloudflare.js';
import { invalidationPath, listingFolders, planInvalidation, type ListingFolders } from './cloudfront-plan.js';
import { fileLines, keyUrlGroups, purgeKeys, urlFileLines, type TargetSources } from './targets.js';
import type { KeyUrlOptions } from './urls-for-key.js';

export type ItemShape = 'url' | 'cloudfront-path' | 'cloudflare-prefix' | 'surrogate-key' | 'cpcode';

export interface PurgeInputs extends TargetSources {
  urlsFiles: string[];
  /** Items exactly as the provider sends them (a --failed-output file of an earlier run). */
  itemsFiles: string[];
  /** Provider items given directly (--surrogate-key, --cpcode). */
  items: string[];
  /** How URLs are built from keys; undefined when no key source is given. */
  urlOptions?: KeyUrlOptions;
  /** CloudFront: wildcards at most, and the current listing to find folders that changed whole. */
  maxWildcards: number;
  listingFile?: string;
  /** A prewarm results file: its URLs for the keys are purged too (streaming playlists and segments). */
  resultsFile?: string;
  /** The real base URL, to fill in secrets masked in an items file (also when no key is given). */
  baseUrl?: string;
}

export interface PurgeRunResult {
  outcome: PurgeOutcome;
  keys: number;
  urls: number;
  wildcards: number;
  failedFile?: string;
}

/** A key's URLs as Cloudflare prefixes (host + path): the query variants and sub-paths lie under them. */
export function prefixesOf(urls: string[]): string[] {
  const sorted = [...new Set(urls.map(cloudflarePrefix))].sort();
  const kept: string[] = [];
  for (const p of sorted) if (!kept.some((q) => p === q || p.startsWith(`${q}/`))) kept.push(p);
  return kept;
}

// Paths (CloudFront items) are redacted and restored as the path of a URL on a placeholder origin.
const PLACEHOLDER = 'http://placeholder.invalid';

/** An item as written to the failed file: a token in a URL or path is masked (as in every report). */
export function redactItem(item: string): string {
  if (/^https?:\/\//i.test(item)) return redactUrl(item);
  if (item.startsWith('/')) return redactUrl(`${PLACEHOLDER}${item}`).slice(PLACEHOLDER.length);
  return item;
}

/** An item read back from a failed file, its masked secrets filled in from the real base URL. */
export function restoreItem(item: string, baseUrl: string | undefined): string {
  if (!item.includes(REDACTED)) return item;
  if (/^https?:\/\//i.test(item)) return restoreSecrets(item, baseUrl);
  if (item.startsWith('/') && baseUrl) {
    const origin = new URL(baseUrl).origin;
    return restoreSecrets(`${origin}${item}`, baseUrl).slice(origin.length);
  }
  return restoreSecrets(item, baseUrl);
}

async function* concat<T>(...sources: Array<AsyncIterable<T> | Iterable<T>>): AsyncGenerator<T> {
  for (const s of sources) yield* s;
}

/** The provider's items, streamed (CloudFront's wildcard plan needs every key first). */
async function items(shape: ItemShape, inp: PurgeInputs, counters: { keys: number; urls: number; wildcards: number }): Promise<AsyncIterable<string>> {
  const hasKeys = inp.keys.length > 0 || inp.keysFiles.length > 0;
  const countedKeys = async function* () {
    for await (const k of purgeKeys(inp)) {
      counters.keys++;
      yield k;
    }
  };
  const groups = () => keyUrlGroups(countedKeys(), inp.urlOptions!, inp.resultsFile);
  const urlFiles = async function* () {
    for (const f of inp.urlsFiles) {
      for await (const u of urlFileLines(f)) {
        counters.urls++;
        yield u;
      }
    }
  };
  const itemFiles = async function* () {
    for (const f of inp.itemsFiles) for await (const line of fileLines(f, 'items file')) yield restoreItem(line, inp.urlOptions?.baseUrl ?? inp.baseUrl);
  };
  switch (shape) {
    case 'surrogate-key':
      // A changed key is its own surrogate key: the origin tags every derivative of a source with it.
      return concat(inp.items, hasKeys ? countedKeys() : [], itemFiles());
    case 'cpcode':
      return concat(inp.items, itemFiles());
    case 'cloudflare-prefix':
      return concat(
        (async function* () {
          for await (const g of hasKeys ? groups() : []) {
            counters.urls += g.urls.length;
            yield* prefixesOf(g.urls);
          }
          for await (const u of urlFiles()) yield cloudflarePrefix(u);
        })(),
        itemFiles(),
      );
    case 'cloudfront-path': {
      const all: Array<{ key: string; urls: string[] }> = [];
      if (hasKeys) for await (const g of groups()) all.push(g);
      counters.urls += all.reduce((n, g) => n + g.urls.length, 0);
      let folders: ListingFolders | undefined;
      if (inp.listingFile && inp.urlOptions) {
        const file = inp.listingFile;
        folders = await listingFolders(
          (async function* () {
            for await (const o of readListingFile(file)) yield o.key;
          })(),
          new Set(all.map((g) => g.key)),
        );
      }
      const plan = inp.urlOptions ? planInvalidation(all, { baseUrl: inp.urlOptions.baseUrl, maxWildcards: inp.maxWildcards, listingFolders: folders }) : { paths: [], wildcards: 0, urls: 0 };
      counters.wildcards = plan.wildcards;
      return concat(
        plan.paths,
        (async function* () {
          for await (const u of urlFiles()) yield invalidationPath(u);
        })(),
        itemFiles(),
      );
    }
    default:
      return concat(
        (async function* () {
          for await (const g of hasKeys ? groups() : []) {
            counters.urls += g.urls.length;
            yield* g.urls;
          }
        })(),
        urlFiles(),
        itemFiles(),
      );
  }
}

export interface PurgeRunOptions extends CoreOptions {
  shape: ItemShape;
  inputs: PurgeInputs;
  /** Where the failed items go (written only when something failed). */
  failedOutput: string;
  report?: string;
}

export async function runPurge(provider: PurgeProvider, o: PurgeRunOptions): Promise<PurgeRunResult> {
  const counters = { keys: 0, urls: 0, wildcards: 0 };
  let outcome: PurgeOutcome;
  try {
    outcome = await runPurgeCore(await items(o.shape, o.inputs, counters), provider, o);
  } finally {
    await provider.close?.();
  }
  const result: PurgeRunResult = { outcome, ...counters };
  if (outcome.failed.length > 0 && !o.dryRun) {
    // Masked like every report: a re-run with --items-file and the same --base-url fills the secrets back in.
    await writeFileAtomic(o.failedOutput, `${outcome.failed.map((f) => redactItem(f.item)).join('\n')}\n`);
    result.failedFile = o.failedOutput;
  }
  if (o.report) {
    const messages = new Map<string, number>();
    for (const f of outcome.failed) messages.set(f.message, (messages.get(f.message) ?? 0) + 1);
    const report = {
      version: 1,
      generatedAt: new Date().toISOString(),
      provider: provider.name,
      itemLabel: provider.itemLabel,
      dryRun: Boolean(o.dryRun),
      keys: counters.keys,
      urls: counters.urls,
      wildcards: counters.wildcards,
      items: outcome.items,
      calls: outcome.calls,
      purged: outcome.purged,
      notCached: outcome.notCached,
      failed: outcome.failed.length,
      retries: outcome.retries,
      throttled: outcome.throttled,
      ids: outcome.ids,
      durationSeconds: outcome.durationMs / 1000,
      interrupted: outcome.interrupted,
      failedFile: result.failedFile ?? null,
      failures: [...messages].map(([message, count]) => ({ message, count })),
    };
    await writeFileAtomic(o.report, `${JSON.stringify(report, null, 2)}\n`);
  }
  return result;
}
