// CloudFront invalidation paths for a set of changed keys, with wildcards where they
// are cheaper. CloudFront bills each path (a wildcard counts as one) and allows
// 3,000 file paths and 15 wildcard paths in progress per distribution at a time
// (docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/InvalidationLimits.html).
// So a wildcard is used where it replaces the most paths, up to --max-wildcards:
//   - a whole folder, when the current listing shows every key under it changed: `/videos/2024/*`;
//   - one key's URLs (source, `?imwidth=...` and `/desktop/` forms): `/videos/a.mp4*`.
// Path-based image variants (`/_width=800/<key>`) and template URLs outside the key's
// path stay individual paths.
import { objectUrl } from '../../common/url.js';

export interface KeyUrls {
  key: string;
  urls: string[];
}

export interface InvalidationPlan {
  /** Paths to send: wildcards first, then single paths. */
  paths: string[];
  wildcards: number;
  /** URLs the plan covers (every URL of every key). */
  urls: number;
}

/** The path CloudFront invalidates for a URL: path and query as the viewer asks for it. */
export function invalidationPath(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

/** Path (no query) under which every URL of `key` that shares its source path lies. */
function keyPrefix(baseUrl: string, key: string): string {
  return new URL(objectUrl(baseUrl, key)).pathname;
}

function folderOf(key: string): string | undefined {
  const i = key.lastIndexOf('/');
  return i > 0 ? key.slice(0, i) : undefined;
}

function* ancestors(key: string): Generator<string> {
  for (let f = folderOf(key); f !== undefined; f = folderOf(f)) yield f;
}

/** Keys per folder (every ancestor counts the key) of a listing. */
export function folderCounts(keys: Iterable<string>): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) for (const f of ancestors(k)) m.set(f, (m.get(f) ?? 0) + 1);
  return m;
}

interface Candidate {
  wildcard: string;
  /** The wildcard without its `*`: every path starting with it is covered. */
  prefix: string;
  saves: number;
  folder?: string;
  key?: string;
}

/** What the current listing says per folder: its keys, and how many of them are among the changed keys. */
export interface ListingFolders {
  keys: Map<string, number>;
  changed: Map<string, number>;
}

/** Reads the current listing's keys into per-folder counts (two maps of folders, not the keys). */
export async function listingFolders(listing: AsyncIterable<string>, changedKeys: ReadonlySet<string>): Promise<ListingFolders> {
  const keys = new Map<string, number>();
  const changed = new Map<string, number>();
  for await (const k of listing) {
    const hit = changedKeys.has(k);
    for (const f of ancestors(k)) {
      keys.set(f, (keys.get(f) ?? 0) + 1);
      if (hit) changed.set(f, (changed.get(f) ?? 0) + 1);
    }
  }
  return { keys, changed };
}

export function planInvalidation(groups: KeyUrls[], o: { baseUrl: string; maxWildcards: number; listingFolders?: ListingFolders }): InvalidationPlan {
  const paths = new Map<string, Set<string>>();
  let urls = 0;
  for (const g of groups) {
    urls += g.urls.length;
    const set = paths.get(g.key) ?? new Set<string>();
    for (const u of g.urls) set.add(invalidationPath(u));
    paths.set(g.key, set);
  }
  const all = [...paths.values()].flatMap((s) => [...s]);
  const candidates: Candidate[] = [];
  if (o.maxWildcards > 0 && o.listingFolders) {
    const changed = folderCounts(paths.keys());
    const listed = o.listingFolders;
    // Whole: every key the folder holds now is among the changed ones (a deleted key is not in the listing,
    // and its paths lie under the folder too), and at least two changed keys lie under it.
    const whole = (f: string) => (changed.get(f) ?? 0) >= 2 && (listed.keys.get(f) ?? 0) === (listed.changed.get(f) ?? 0);
    for (const f of changed.keys()) {
      const parent = folderOf(f);
      if (!whole(f) || (parent !== undefined && whole(parent))) continue;
      const prefix = `${keyPrefix(o.baseUrl, f)}/`;
      const covered = all.filter((p) => p.startsWith(prefix)).length;
      if (covered > 1) candidates.push({ wildcard: `${prefix}*`, prefix, saves: covered - 1, folder: f });
    }
  }
  if (o.maxWildcards > 0) {
    for (const [key, set] of paths) {
      const prefix = keyPrefix(o.baseUrl, key);
      const covered = [...set].filter((p) => p.startsWith(prefix)).length;
      if (covered > 1) candidates.push({ wildcard: `${prefix}*`, prefix, saves: covered - 1, key });
    }
  }
  // Folders first on a tie (they also cover keys a later listing adds), then the biggest savings.
  candidates.sort((a, b) => b.saves - a.saves || Number(Boolean(b.folder)) - Number(Boolean(a.folder)));
  const chosen: Candidate[] = [];
  const inChosenFolder = (key: string) => chosen.some((c) => c.folder !== undefined && key.startsWith(`${c.folder}/`));
  for (const c of candidates) {
    if (chosen.length >= o.maxWildcards) break;
    if (c.key !== undefined && inChosenFolder(c.key)) continue;
    if (c.folder !== undefined && chosen.some((x) => x.folder !== undefined && (c.folder!.startsWith(`${x.folder}/`) || x.folder.startsWith(`${c.folder}/`)))) continue;
    chosen.push(c);
  }
  const rest = [...new Set(all)].filter((p) => !chosen.some((c) => p.startsWith(c.prefix)));
  return { paths: [...chosen.map((c) => c.wildcard), ...rest], wildcards: chosen.length, urls };
}
