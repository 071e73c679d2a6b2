// Which files to optimize: videos at or above the size threshold, from a live
// listing (any backend) or a listing file written by `list` (JSON, JSON Lines or CSV).
// Never the toolkit's own files: its temp and backup keys, the optimized folder or
// prefix when it lies inside the bucket, a run's temp folder, and every output and
// WebM companion an earlier run recorded in the manifest (a second run must not
// re-encode what the first one wrote).
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { UsageError } from '../lib/errors.js';
import { isToolkitKey } from '../storage/own-files.js';
import { MIB } from '../common/byte-size.js';
import { listObjects, type ListOptions, type StoredObject } from '../storage/index.js';
import { readListingFile as readStoredListing } from '../storage/listing-format.js';

export const DEFAULT_VIDEO_EXTENSIONS = ['.mp4', '.m4v', '.mov', '.mkv', '.webm'];

/** Key prefixes and names the optimizer itself writes; never candidates. */
export function isToolkitTemp(key: string): boolean {
  const base = key.split('/').pop() ?? key;
  return isToolkitKey(key) || key.startsWith('.media-toolkit-tmp/') || key.startsWith('.media-toolkit-backup/') ||
    /^\..*\.mtk-(new|orig)(\.partial)?$/.test(base) || /\.partial-\d+$/.test(base) || /\.download$/.test(base);
}

/** Where a run writes inside the bucket, and what earlier runs wrote there: never candidates. */
export interface OwnOutputs {
  /** Key prefixes with what they are ("the optimized folder"). */
  prefixes: { prefix: string; what: string }[];
  /** Keys an earlier run wrote (outputs, WebM companions), from the manifest. */
  keys: Map<string, string>;
}

/** The key inside the bucket a local path or s3:// URL names, undefined when it lies outside. */
export function keyInBucket(location: string, remote: string, bucket: string): string | undefined {
  if (remote === 's3') {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(location);
    return m && m[1] === bucket ? m[2] : undefined;
  }
  if (remote !== 'local' || location.startsWith('s3://')) return undefined;
  const rel = relative(resolve(bucket), resolve(location));
  if (!rel || rel.startsWith('..') || isAbsolute(rel)) return undefined;
  return rel.split(sep).join('/');
}

/** Why a key is one of the toolkit's own files, or undefined. */
export function ownFileReason(key: string, own: OwnOutputs): string | undefined {
  if (isToolkitTemp(key)) return 'a temp or backup file of a replacement';
  for (const p of own.prefixes) if (key.startsWith(p.prefix)) return p.what;
  return own.keys.get(key);
}

export interface CandidateFilter {
  /** Bytes; objects smaller are left alone. */
  minSize: number;
  /** Lower-case extensions with the dot. */
  extensions: string[];
  limit?: number;
}

/** Normalises --extension values: "mp4, .MOV" -> [".mp4", ".mov"]. */
export function normaliseExtensions(values: string[] | undefined): string[] {
  if (!values || values.length === 0) return DEFAULT_VIDEO_EXTENSIONS;
  return values.map((v) => (v.startsWith('.') ? v : `.${v}`).toLowerCase());
}

/** All entries of a listing file (any shape `readListingFile` in storage/ takes); candidates are sorted, so all are held. */
export async function readListingFile(path: string): Promise<StoredObject[]> {
  const all: StoredObject[] = [];
  for await (const o of readStoredListing(path)) all.push(o);
  return all;
}

/** Applies threshold, extensions and limit (largest first); the toolkit's own files are counted in `left`. */
export function selectCandidates(objects: Iterable<StoredObject>, f: CandidateFilter, own: OwnOutputs = { prefixes: [], keys: new Map() }, left?: Map<string, number>): StoredObject[] {
  const out: StoredObject[] = [];
  for (const o of objects) {
    const mine = ownFileReason(o.key, own);
    if (mine) {
      left?.set(mine, (left.get(mine) ?? 0) + 1);
      continue;
    }
    const lower = o.key.toLowerCase();
    if (!f.extensions.some((e) => lower.endsWith(e))) continue;
    if (o.size < f.minSize) continue;
    out.push(o);
  }
  out.sort((a, b) => b.size - a.size || (a.key < b.key ? -1 : 1));
  return f.limit !== undefined ? out.slice(0, f.limit) : out;
}

/** Candidates from a listing file when given, else from a live listing of the location. */
export async function findCandidates(source: { listingFile?: string; location?: ListOptions }, f: CandidateFilter, own?: OwnOutputs, left?: Map<string, number>): Promise<StoredObject[]> {
  if (source.listingFile) return selectCandidates(await readListingFile(source.listingFile), f, own, left);
  if (!source.location) throw new UsageError('give --bucket (with --remote) or --listing-file');
  const all: StoredObject[] = [];
  for await (const o of listObjects({ ...source.location, minSize: f.minSize, extensions: f.extensions })) all.push(o);
  return selectCandidates(all, f, own, left);
}
