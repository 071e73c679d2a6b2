// Image variants: named transformations of an image, in the URL forms that image
// CDNs accept (query, path-based, Akamai Image Manager, compact). The full
// catalogue lives here so the pre-warmer and the k6 scenarios agree on every URL.
import { encodeKey, trimBase } from './url.js';

export type VariantGroup = 'size' | 'mobile' | 'aspect' | 'format' | 'social' | 'akamai' | 'path' | 'compact' | 'effect' | 'smart';

export interface ImageVariant {
  name: string;
  group: VariantGroup;
  width?: number;
  height?: number;
  /** Query string appended to the object URL, without the leading '?'. */
  query?: string;
  /** Path segments inserted between base and key, e.g. `_width=800/_format=webp`. */
  path?: string;
}

export const IMAGE_VARIANTS: readonly ImageVariant[] = [
  { name: 'thumbnail', group: 'size', width: 150, height: 150, query: 'width=150&height=150&fit=cover' },
  { name: 'small', group: 'size', width: 400, query: 'width=400' },
  { name: 'medium', group: 'size', width: 800, query: 'width=800' },
  { name: 'large', group: 'size', width: 1200, query: 'width=1200' },
  { name: 'webp', group: 'format', query: 'format=webp' },
  { name: 'akamai_resize_small', group: 'akamai', width: 400, height: 300, query: 'im=resize=width:400,height:300,mode:fit' },
  { name: 'path_responsive', group: 'path', width: 800, path: '_width=800/_format=webp' },
  { name: 'compact_crop', group: 'compact', query: 'r=16:9&p=0.5,0.3&f=l' },
];

export const DEFAULT_IMAGE_VARIANTS: readonly string[] = ['thumbnail', 'small', 'medium', 'large', 'webp'];

/** Picks variants by name; throws naming the unknown one. */
export function selectImageVariants(names: readonly string[] | undefined, catalogue: readonly ImageVariant[] = IMAGE_VARIANTS): ImageVariant[] {
  const wanted = names && names.length > 0 ? names : DEFAULT_IMAGE_VARIANTS;
  return wanted.map((name) => {
    const v = catalogue.find((c) => c.name === name);
    if (!v) throw new Error(`unknown image variant "${name}" (see --list-variants for the ${catalogue.length} known ones)`);
    return v;
  });
}

/** `<base>[/<path>]/<key>[?<query>]` */
export function variantUrl(baseUrl: string, key: string, v: ImageVariant): string {
  const base = trimBase(baseUrl);
  const path = v.path ? `/${v.path.replace(/^\/+|\/+$/g, '')}` : '';
  const q = v.query ? `?${v.query}` : '';
  return `${base}${path}/${encodeKey(key.replace(/^\/+/, ''))}${q}`;
}
