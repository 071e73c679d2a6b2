// The work list, produced lazily from the listing stream: each source object
// becomes one work item per derivative (videos) or image variant (images).
// Nothing is materialised up front, so a million objects cost no more memory
// than a thousand.
import type { StoredObject } from '../../storage/types.js';
import type { Derivative } from '../../common/derivatives.js';
import type { ImageVariant } from '../../common/image-variants.js';
import { variantUrl } from '../../common/image-variants.js';
import { derivativeUrl, fillTemplate, type UrlFormat } from '../../common/url.js';
import { extensionOf, mediaTypeOf, type MediaTypeOption } from '../../common/media-type.js';
import { sizeCategory, type SizeThresholds } from '../../common/size-category.js';
import type { SizeCategory } from '../../common/results-record.js';
import { inShard, pairHash, type Shard } from './shard.js';

export interface WorkItem {
  key: string;
  sourceSize: number;
  sizeCategory: SizeCategory;
  /** Derivative or variant name. */
  name: string;
  kind: 'derivative' | 'variant';
  url: string;
  width?: number;
  height?: number;
}

export interface WorkListOptions {
  baseUrl: string;
  mediaType: MediaTypeOption;
  derivatives: readonly Derivative[];
  variants: readonly ImageVariant[];
  urlFormat: UrlFormat;
  /** --url-template, for video derivatives. */
  urlTemplate?: string;
  /** Lower-case extensions with dot; when given, only these (and they count as the chosen media type). */
  extensions?: readonly string[];
  thresholds: SizeThresholds;
  shard?: Shard;
  /** Source files at most (after filters and shard), 0 or undefined for all. */
  limit?: number;
  /** Pairs already done (resume): pairHash(key, name). */
  done?: { has(hash: number): boolean };
  /** Called once per source file taken (after filter, shard and limit). */
  onFile?: (obj: StoredObject) => void;
}

/** 'video', 'image' or null (skip) for one object. */
function kindFor(key: string, opts: WorkListOptions): 'video' | 'image' | null {
  if (opts.extensions && opts.extensions.length > 0) {
    if (!opts.extensions.includes(extensionOf(key))) return null;
    if (opts.mediaType !== 'auto') return opts.mediaType;
    return mediaTypeOf(key) ?? 'video';
  }
  const t = mediaTypeOf(key);
  if (opts.mediaType === 'auto') return t;
  return t === opts.mediaType ? t : null;
}

export async function* workItems(objects: AsyncIterable<StoredObject>, opts: WorkListOptions): AsyncGenerator<WorkItem> {
  let files = 0;
  const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
  for await (const obj of objects) {
    if (files >= limit) return;
    const t = kindFor(obj.key, opts);
    if (!t) continue;
    if (!inShard(obj.key, opts.shard)) continue;
    files++;
    opts.onFile?.(obj);
    const category = sizeCategory(obj.size, opts.thresholds);
    if (t === 'video') {
      for (const d of opts.derivatives) {
        if (opts.done?.has(pairHash(obj.key, d.name))) continue;
        yield {
          key: obj.key,
          sourceSize: obj.size,
          sizeCategory: category,
          name: d.name,
          kind: 'derivative',
          url: opts.urlTemplate ? fillTemplate(opts.urlTemplate, opts.baseUrl, obj.key, d) : derivativeUrl(opts.baseUrl, obj.key, d, { format: opts.urlFormat }),
          width: d.width,
          height: d.height,
        };
      }
    } else {
      for (const v of opts.variants) {
        if (opts.done?.has(pairHash(obj.key, v.name))) continue;
        const item: WorkItem = { key: obj.key, sourceSize: obj.size, sizeCategory: category, name: v.name, kind: 'variant', url: variantUrl(opts.baseUrl, obj.key, v) };
        if (v.width !== undefined) item.width = v.width;
        if (v.height !== undefined) item.height = v.height;
        yield item;
      }
    }
  }
}
