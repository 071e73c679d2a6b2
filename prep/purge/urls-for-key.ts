// Every URL a CDN may hold for one source key, built by the same common functions
// pre-warming and the k6 scenarios use (common/url.ts, common/image-variants.ts): the
// source URL itself, and each derivative (videos) or image variant (images).
import type { Derivative } from '../../common/derivatives.js';
import type { ImageVariant } from '../../common/image-variants.js';
import { variantUrl } from '../../common/image-variants.js';
import { derivativeUrl, fillTemplate, objectUrl, type UrlFormat } from '../../common/url.js';
import { extensionOf, mediaTypeOf, type MediaTypeOption } from '../../common/media-type.js';

export interface KeyUrlOptions {
  baseUrl: string;
  mediaType: MediaTypeOption;
  derivatives: readonly Derivative[];
  variants: readonly ImageVariant[];
  urlFormat: UrlFormat;
  urlTemplate?: string;
  /** Lower-case extensions with dot: when given, keys with these extensions count as the chosen media type. */
  extensions?: readonly string[];
  /** Leave out the plain source URL (<base>/<key>). */
  noSourceUrl?: boolean;
}

export interface KeyUrl {
  /** 'source', 'derivative' or 'variant'. */
  kind: string;
  name: string;
  url: string;
}

/** 'video', 'image', or null for a key no derivative is made of (only its source URL is purged). */
function kindOf(key: string, o: KeyUrlOptions): 'video' | 'image' | null {
  if (o.extensions && o.extensions.length > 0) {
    if (!o.extensions.includes(extensionOf(key))) return null;
    if (o.mediaType !== 'auto') return o.mediaType;
    return mediaTypeOf(key) ?? 'video';
  }
  const t = mediaTypeOf(key);
  if (o.mediaType === 'auto') return t;
  return t === o.mediaType ? t : null;
}

export function urlsForKey(key: string, o: KeyUrlOptions): KeyUrl[] {
  const out: KeyUrl[] = [];
  if (!o.noSourceUrl) out.push({ kind: 'source', name: 'source', url: objectUrl(o.baseUrl, key) });
  const t = kindOf(key, o);
  if (t === 'video') {
    for (const d of o.derivatives) {
      out.push({ kind: 'derivative', name: d.name, url: o.urlTemplate ? fillTemplate(o.urlTemplate, o.baseUrl, key, d) : derivativeUrl(o.baseUrl, key, d, { format: o.urlFormat }) });
    }
  } else if (t === 'image') {
    for (const v of o.variants) out.push({ kind: 'variant', name: v.name, url: variantUrl(o.baseUrl, key, v) });
  }
  return out;
}
