// Every URL a CDN may hold for one source key: the source URL itself, and the targets
// pre-warming requests for it (each derivative of a video, each variant of an image),
// taken from prewarm's own work kinds, so a URL purged is exactly a URL warmed.
import type { Derivative } from '../../common/derivatives.js';
import type { ImageVariant } from '../../common/image-variants.js';
import { objectUrl, type UrlFormat } from '../../common/url.js';
import type { MediaTypeOption } from '../../common/media-type.js';
import { derivativeKind, imageVariantKind, mediaTypeFor, type WorkKind, type WorkKindContext } from '../prewarm/work-kinds.js';

export interface KeyUrlOptions {
  baseUrl: string;
  mediaType: MediaTypeOption;
  derivatives: readonly Derivative[];
  variants: readonly ImageVariant[];
  /** Unset: imwidth for videos, each variant's catalogue form for images (as prewarm). */
  urlFormat?: UrlFormat;
  urlTemplate?: string;
  /** Lower-case extensions with dot: when given, keys with these extensions count as the chosen media type. */
  extensions?: readonly string[];
  /** Leave out the plain source URL (<base>/<key>). */
  noSourceUrl?: boolean;
}

export interface KeyUrl {
  /** 'source', or the work kind: 'derivative', 'variant'. */
  kind: string;
  name: string;
  url: string;
}

export interface KeyUrlBuilder {
  (key: string): KeyUrl[];
}

/** A builder of every URL of a key, for these options. */
export function keyUrlBuilder(o: KeyUrlOptions): KeyUrlBuilder {
  const kinds: WorkKind[] = [derivativeKind(o.derivatives), imageVariantKind(o.variants)];
  const ctx: WorkKindContext = { baseUrl: o.baseUrl, urlFormat: o.urlFormat, urlTemplate: o.urlTemplate, mediaTypeOf: mediaTypeFor(o.mediaType, o.extensions) };
  return (key) => {
    const out: KeyUrl[] = [];
    if (!o.noSourceUrl) out.push({ kind: 'source', name: 'source', url: objectUrl(o.baseUrl, key) });
    // Size and dates do not change a URL: the key is all a kind looks at.
    const obj = { key, size: 0, lastModified: '', etag: '' };
    for (const k of kinds) {
      const targets = k.targets(obj, ctx);
      if (Symbol.iterator in targets) for (const t of targets) out.push({ kind: t.kind, name: t.name, url: t.url });
    }
    return out;
  };
}

export function urlsForKey(key: string, o: KeyUrlOptions): KeyUrl[] {
  return keyUrlBuilder(o)(key);
}
