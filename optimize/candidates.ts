// Which files to optimize: videos at or above the size threshold, from a live
// listing (any backend) or a listing file written by `list` (JSON or JSON Lines).
import { readFile } from 'node:fs/promises';
import Papa from 'papaparse';
import { UsageError } from '../lib/errors.js';
import { listObjects, type ListOptions, type StoredObject } from '../prep/storage/index.js';

export const DEFAULT_VIDEO_EXTENSIONS = ['.mp4', '.m4v', '.mov', '.mkv', '.webm'];
export const MIB = 1024 * 1024;

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

function objectFrom(raw: unknown): StoredObject | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as Record<string, unknown>;
  const key = r.key ?? r.Key ?? r.path ?? r.name;
  const size = Number(r.size ?? r.Size ?? r.sizeBytes);
  if (typeof key !== 'string' || !Number.isFinite(size)) return undefined;
  return { key, size, lastModified: String(r.lastModified ?? r.LastModified ?? ''), etag: String(r.etag ?? r.ETag ?? '').replace(/"/g, '') };
}

/** Parses a listing file: a JSON array, a JSON object holding one array of objects, JSON Lines, or CSV with key and size columns. */
export function parseListing(text: string, name = 'listing file'): StoredObject[] {
  const trimmed = text.trim();
  if (!trimmed) return [];
  if (/^"?key"?,/i.test(trimmed)) {
    const parsed = Papa.parse<Record<string, string>>(trimmed, { header: true, skipEmptyLines: true });
    return parsed.data.map(objectFrom).filter((o): o is StoredObject => Boolean(o));
  }
  let items: unknown[] | undefined;
  try {
    const data: unknown = JSON.parse(trimmed);
    if (Array.isArray(data)) items = data;
    else if (data && typeof data === 'object') {
      const arrays = Object.values(data as Record<string, unknown>).filter(Array.isArray) as unknown[][];
      items = arrays.find((a) => a.some((x) => objectFrom(x))) ?? (objectFrom(data) ? [data] : []);
    }
  } catch {
    items = trimmed.split('\n').filter((l) => l.trim()).map((l, i) => {
      try {
        return JSON.parse(l) as unknown;
      } catch {
        throw new UsageError(`${name}: line ${i + 1} is neither JSON nor JSON Lines`);
      }
    });
  }
  return (items ?? []).map(objectFrom).filter((o): o is StoredObject => Boolean(o));
}

export async function readListingFile(path: string): Promise<StoredObject[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--listing-file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseListing(text, path);
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
