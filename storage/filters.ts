// --extensions, --media-type, --min-size, --max-size, --exclude as one predicate.
import { IMAGE_EXTENSIONS, VIDEO_EXTENSIONS, extensionOf } from '../common/media-type.js';
import { globMatcher } from '../common/glob.js';
import type { ListFilters, StoredObject } from './types.js';

/** ".MP4" or "mp4" -> ".mp4" */
export function normalizeExtension(ext: string): string {
  const e = ext.trim().toLowerCase();
  return e.startsWith('.') ? e : `.${e}`;
}

/** The predicate for a set of filters (all must pass); null when nothing filters. `limit` is not a filter. */
export function objectFilter(f: ListFilters): ((o: StoredObject) => boolean) | null {
  const tests: Array<(o: StoredObject) => boolean> = [];
  if (f.extensions && f.extensions.length > 0) {
    const set = new Set(f.extensions.map(normalizeExtension));
    tests.push((o) => set.has(extensionOf(o.key)));
  }
  if (f.mediaType) {
    const exts = new Set(f.mediaType === 'video' ? VIDEO_EXTENSIONS : f.mediaType === 'image' ? IMAGE_EXTENSIONS : [...VIDEO_EXTENSIONS, ...IMAGE_EXTENSIONS]);
    tests.push((o) => exts.has(extensionOf(o.key)));
  }
  if (f.minSize !== undefined) {
    const min = f.minSize;
    tests.push((o) => o.size >= min);
  }
  if (f.maxSize !== undefined) {
    const max = f.maxSize;
    tests.push((o) => o.size <= max);
  }
  if (f.exclude && f.exclude.length > 0) {
    const matchers = f.exclude.map((p) => globMatcher(p));
    tests.push((o) => !matchers.some((m) => m(o.key)));
  }
  if (tests.length === 0) return null;
  return (o) => tests.every((t) => t(o));
}
