// Which files to optimize: videos at or above the size threshold, from a live
// listing (any backend) or a listing file written by `list` (JSON, JSON Lines or CSV).
import { UsageError } from '../lib/errors.js';
import { MIB } from '../common/byte-size.js';
import { listObjects, type ListOptions, type StoredObject } from '../storage/index.js';
import { readListingFile as readStoredListing } from '../storage/listing-format.js';

export const DEFAULT_VIDEO_EXTENSIONS = ['.mp4', '.m4v', '.mov', '.mkv', '.webm'];

/** Key prefixes and names the optimizer itself writes; never candidates. */
export function isToolkitTemp(key: string): boolean {
  const base = key.split('/').pop() ?? key;
  return key.startsWith('.media-toolkit-tmp/') || key.startsWith('.media-toolkit-backup/') || /^\..*\.mtk-(new|orig)$/.test(base);
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

/** Applies threshold, extensions and limit (largest first). */
export function selectCandidates(objects: Iterable<StoredObject>, f: CandidateFilter): StoredObject[] {
  const out: StoredObject[] = [];
  for (const o of objects) {
    if (isToolkitTemp(o.key)) continue;
    const lower = o.key.toLowerCase();
    if (!f.extensions.some((e) => lower.endsWith(e))) continue;
    if (o.size < f.minSize) continue;
    out.push(o);
  }
  out.sort((a, b) => b.size - a.size || (a.key < b.key ? -1 : 1));
  return f.limit !== undefined ? out.slice(0, f.limit) : out;
}

/** Candidates from a listing file when given, else from a live listing of the location. */
export async function findCandidates(source: { listingFile?: string; location?: ListOptions }, f: CandidateFilter): Promise<StoredObject[]> {
  if (source.listingFile) return selectCandidates(await readListingFile(source.listingFile), f);
  if (!source.location) throw new UsageError('give --bucket (with --remote) or --listing-file');
  const all: StoredObject[] = [];
  for await (const o of listObjects({ ...source.location, minSize: f.minSize, extensions: f.extensions })) all.push(o);
  return selectCandidates(all, f);
}
