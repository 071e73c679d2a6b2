// Kinds of work item: what a listed object turns into. Videos give one target per
// derivative, images one per image variant; other kinds (HLS/DASH segments...) plug
// in the same way. The work list multiplies each target by the edges and cache-key
// variant sets, so a kind only says which URLs an object has.
import type { StoredObject } from '../../storage/types.js';
import type { Derivative } from '../../common/derivatives.js';
import { variantUrl, type ImageVariant } from '../../common/image-variants.js';
import { derivativeUrl, type UrlFormat } from '../../common/url.js';
import { extensionOf, mediaTypeOf, type MediaTypeOption } from '../../common/media-type.js';
import type { ResultsRecord } from '../../common/results-record.js';

/** One URL of an object, before edges and cache-key variants multiply it. */
export interface WorkTarget {
  /** The record's `kind`: 'derivative', 'variant', or a kind of your own. */
  kind: string;
  /** The record's `derivative`: derivative, variant or segment name; unique per object and kind. */
  name: string;
  url: string;
  width?: number;
  height?: number;
  /** Default GET (HEAD with --use-head-for-size). */
  method?: 'GET' | 'HEAD';
  /** Part of the resource (EXT-X-BYTERANGE, DASH @mediaRange): sent as a Range header, always with GET. */
  range?: { offset: number; length: number };
  /** Copied into the record: the rendition (what statistics group by) and a segment's sequence number. */
  rendition?: string;
  sequence?: number;
  /**
   * Discovery (a master playlist, a media playlist, an MPD): the engine keeps the final attempt's
   * body (GET, at most 16 MiB) and hands it over as text, null when the request finally failed or
   * was cut short, before the record is written. A string returned fails the record with that
   * message (errorClass invalid_playlist). Fetched even when --resume has it (only once per target
   * whatever the edges and variant sets; then not recorded again).
   */
  onBody?: (text: string | null, record: ResultsRecord | null) => string | void;
}

export interface WorkKindContext {
  baseUrl: string;
  /** Unset: imwidth for derivatives, each variant's catalogue form for images. */
  urlFormat?: UrlFormat;
  urlTemplate?: string;
  /** 'video' | 'image' for an object, or null when --media-type/--extensions leave it out. */
  mediaTypeOf(obj: StoredObject): 'video' | 'image' | null;
}

export interface WorkKind {
  kind: string;
  /** The targets of one listed object (none when the object is not of this kind). Lazy is fine. */
  targets(obj: StoredObject, ctx: WorkKindContext): Iterable<WorkTarget> | AsyncIterable<WorkTarget>;
  /**
   * Objects whose targets are drawn at once, interleaved (default 1). For kinds whose targets
   * wait on bodies (HLS/DASH discovery): workers keep busy with other videos meanwhile.
   */
  lookahead?: number;
}

// Both build an object's few targets as one array: no generator per object in the work list's hot path.
const NO_TARGETS: readonly WorkTarget[] = [];

export function derivativeKind(derivatives: readonly Derivative[]): WorkKind {
  return {
    kind: 'derivative',
    targets(obj, ctx) {
      if (ctx.mediaTypeOf(obj) !== 'video') return NO_TARGETS;
      const format = { format: ctx.urlFormat, template: ctx.urlTemplate };
      return derivatives.map((d) => ({ kind: 'derivative', name: d.name, url: derivativeUrl(ctx.baseUrl, obj.key, d, format), width: d.width, height: d.height }));
    },
  };
}

export function imageVariantKind(variants: readonly ImageVariant[]): WorkKind {
  return {
    kind: 'variant',
    targets(obj, ctx) {
      if (variants.length === 0 || ctx.mediaTypeOf(obj) !== 'image') return NO_TARGETS;
      const format = { format: ctx.urlFormat, template: ctx.urlTemplate };
      return variants.map((v) => {
        const t: WorkTarget = { kind: 'variant', name: v.name, url: variantUrl(ctx.baseUrl, obj.key, v, format) };
        if (v.width !== undefined) t.width = v.width;
        if (v.height !== undefined) t.height = v.height;
        return t;
      });
    },
  };
}

/** 'video', 'image' or null (skip) for one key under --media-type and --extensions. */
export function mediaTypeFor(mediaType: MediaTypeOption, extensions: readonly string[] | undefined): (obj: StoredObject) => 'video' | 'image' | null {
  return (obj) => {
    if (extensions && extensions.length > 0) {
      if (!extensions.includes(extensionOf(obj.key))) return null;
      if (mediaType !== 'auto') return mediaType;
      return mediaTypeOf(obj.key) ?? 'video';
    }
    const t = mediaTypeOf(obj.key);
    if (mediaType === 'auto') return t;
    return t === mediaType ? t : null;
  };
}
