// Image variants: named transformations of an image, in the URL forms that image
// CDNs accept (query, path-based, Akamai Image Manager, compact). The full
// catalogue lives here so the pre-warmer and the k6 scenarios agree on every URL.
import { assembleUrl, encodeKey, fillTemplate, type UrlFormat } from './url.js';

export type VariantGroup = 'size' | 'mobile' | 'aspect' | 'format' | 'social' | 'akamai' | 'path' | 'compact' | 'effect' | 'smart';

export const VARIANT_GROUPS: readonly VariantGroup[] = ['size', 'mobile', 'aspect', 'format', 'social', 'akamai', 'path', 'compact', 'effect', 'smart'];

export interface ImageVariant {
  name: string;
  group: VariantGroup;
  width?: number;
  height?: number;
  /** Query string appended to the object URL, without the leading '?'. */
  query?: string;
  /** Path segments inserted between base and key, e.g. `_width=800/_format=webp`. */
  path?: string;
  /** One line for --list-variants. */
  description?: string;
}

// Shorthands keep the table readable: q(name, group, query, width?, height?, description?)
// for query variants, p(name, path, width?, height?, description?) for path-based ones.
function sized(v: ImageVariant, width?: number, height?: number, description?: string): ImageVariant {
  if (width !== undefined) v.width = width;
  if (height !== undefined) v.height = height;
  if (description) v.description = description;
  return v;
}

function q(name: string, group: VariantGroup, query: string, width?: number, height?: number, description?: string): ImageVariant {
  return sized({ name, group, query }, width, height, description);
}

function p(name: string, path: string, width?: number, height?: number, description?: string): ImageVariant {
  return sized({ name, group: 'path', path }, width, height, description);
}

export const IMAGE_VARIANTS: readonly ImageVariant[] = [
  // Sizes
  q('thumbnail', 'size', 'width=150&height=150&fit=cover', 150, 150, '150x150, cover fit'),
  q('small', 'size', 'width=400', 400, undefined, '400px wide'),
  q('medium', 'size', 'width=800', 800, undefined, '800px wide'),
  q('large', 'size', 'width=1200', 1200, undefined, '1200px wide'),
  q('xlarge', 'size', 'width=1920', 1920, undefined, '1920px wide'),
  q('xxlarge', 'size', 'width=2560', 2560, undefined, '2560px wide'),
  // Mobile
  q('mobile_small', 'mobile', 'width=320', 320, undefined, '320px wide'),
  q('mobile_medium', 'mobile', 'width=640', 640, undefined, '640px wide'),
  q('mobile_large', 'mobile', 'width=960', 960, undefined, '960px wide'),
  q('mobile_retina', 'mobile', 'width=750&dpr=2', 750, undefined, '750px wide at 2x density'),
  q('mobile_webp', 'mobile', 'width=640&format=webp', 640, undefined, '640px wide WebP'),
  // Aspect ratios
  q('square', 'aspect', 'width=600&height=600&fit=cover', 600, 600, '600x600 (1:1)'),
  q('landscape', 'aspect', 'width=800&height=450&fit=cover', 800, 450, '800x450 (16:9)'),
  q('portrait', 'aspect', 'width=450&height=800&fit=cover', 450, 800, '450x800 (9:16)'),
  q('banner', 'aspect', 'width=1200&height=300&fit=cover', 1200, 300, '1200x300 (4:1)'),
  q('wide', 'aspect', 'width=1600&height=400&fit=cover', 1600, 400, '1600x400 (4:1)'),
  q('ultrawide', 'aspect', 'width=2100&height=900&fit=cover', 2100, 900, '2100x900 (21:9)'),
  q('classic', 'aspect', 'width=800&height=600&fit=cover', 800, 600, '800x600 (4:3)'),
  q('photo', 'aspect', 'width=900&height=600&fit=cover', 900, 600, '900x600 (3:2)'),
  // Formats
  q('webp', 'format', 'format=webp', undefined, undefined, 'WebP'),
  q('avif', 'format', 'format=avif', undefined, undefined, 'AVIF'),
  q('jpeg', 'format', 'format=jpeg&quality=85', undefined, undefined, 'JPEG, quality 85'),
  q('png', 'format', 'format=png', undefined, undefined, 'PNG'),
  q('webp_small', 'format', 'width=400&format=webp&quality=85', 400, undefined, '400px WebP, quality 85'),
  q('webp_medium', 'format', 'width=800&format=webp', 800, undefined, '800px WebP'),
  q('avif_small', 'format', 'width=400&format=avif', 400, undefined, '400px AVIF'),
  q('avif_large', 'format', 'width=1200&format=avif', 1200, undefined, '1200px AVIF'),
  // Social
  q('og_image', 'social', 'width=1200&height=630&fit=cover', 1200, 630, 'Open Graph 1200x630'),
  q('twitter_card', 'social', 'width=800&height=418&fit=cover', 800, 418, 'Twitter/X card 800x418'),
  q('twitter_summary', 'social', 'width=144&height=144&fit=cover', 144, 144, 'Twitter/X summary 144x144'),
  q('instagram_square', 'social', 'width=1080&height=1080&fit=cover', 1080, 1080, 'Instagram 1080x1080'),
  q('instagram_portrait', 'social', 'width=1080&height=1350&fit=cover', 1080, 1350, 'Instagram 1080x1350'),
  q('instagram_landscape', 'social', 'width=1080&height=608&fit=cover', 1080, 608, 'Instagram 1080x608'),
  q('instagram_story', 'social', 'width=1080&height=1920&fit=cover', 1080, 1920, 'Instagram story 1080x1920'),
  q('facebook_cover', 'social', 'width=851&height=315&fit=cover', 851, 315, 'Facebook cover 851x315'),
  q('facebook_post', 'social', 'width=1200&height=630&fit=cover', 1200, 630, 'Facebook post 1200x630'),
  q('linkedin_post', 'social', 'width=1200&height=627&fit=cover', 1200, 627, 'LinkedIn post 1200x627'),
  q('linkedin_banner', 'social', 'width=1584&height=396&fit=cover', 1584, 396, 'LinkedIn banner 1584x396'),
  q('pinterest_pin', 'social', 'width=1000&height=1500&fit=cover', 1000, 1500, 'Pinterest pin 1000x1500'),
  q('youtube_thumbnail', 'social', 'width=1280&height=720&fit=cover', 1280, 720, 'YouTube thumbnail 1280x720'),
  // Akamai Image & Video Manager, IMQuery form (transformations chained with ';')
  q('akamai_resize_small', 'akamai', 'im=Resize=(400,300)', 400, 300, 'Akamai IMQuery resize 400x300'),
  q('akamai_resize_medium', 'akamai', 'im=Resize,width=800,height=600,aspect=fit', 800, 600, 'Akamai IMQuery resize 800x600 fit'),
  q('akamai_resize_large', 'akamai', 'im=Resize,width=1200,height=900,aspect=fit', 1200, 900, 'Akamai IMQuery resize 1200x900 fit'),
  q('akamai_width', 'akamai', 'im=Resize,width=400', 400, undefined, 'Akamai IMQuery resize to 400 wide'),
  q('akamai_crop', 'akamai', 'im=AspectCrop=(4,3),xPosition=.5,yPosition=.5;Resize=(800,600)', 800, 600, 'Akamai IMQuery 4:3 crop then 800x600'),
  q('akamai_grayscale', 'akamai', 'im=Resize,width=1200;Grayscale', 1200, undefined, 'Akamai IMQuery 1200 wide, grayscale (chained)'),
  q('akamai_imwidth', 'akamai', 'imwidth=800', 800, undefined, 'Akamai IVM imwidth=800 (policy picks the derivative)'),
  q('akamai_format', 'akamai', 'imformat=chrome', undefined, undefined, 'Akamai IVM imformat=chrome (the format served to Chrome)'),
  // Path-based
  p('path_small', '_width=400', 400, undefined, '/_width=400/'),
  p('path_medium', '_width=800', 800, undefined, '/_width=800/'),
  p('path_large', '_width=1200', 1200, undefined, '/_width=1200/'),
  p('path_webp', '_format=webp', undefined, undefined, '/_format=webp/'),
  p('path_responsive', '_width=800/_format=webp', 800, undefined, '/_width=800/_format=webp/'),
  p('path_cover', '_width=800/_height=600/_fit=cover', 800, 600, '/_width=800/_height=600/_fit=cover/'),
  p('path_social', '_width=1200/_height=630', 1200, 630, '/_width=1200/_height=630/'),
  // Compact
  q('compact_small', 'compact', 'w=400', 400, undefined, '?w=400'),
  q('compact_medium', 'compact', 'w=800&h=600&q=85', 800, 600, '?w=800&h=600&q=85'),
  q('compact_quality', 'compact', 'w=1200&q=70', 1200, undefined, '?w=1200&q=70'),
  q('compact_crop', 'compact', 'r=16:9&p=0.5,0.3&f=l', undefined, undefined, '?r=16:9&p=0.5,0.3&f=l (ratio, focal point, fit)'),
  q('compact_square', 'compact', 'w=600&r=1:1&f=l', 600, 600, '?w=600&r=1:1&f=l'),
  // Effects
  q('blurred', 'effect', 'blur=10', undefined, undefined, 'blur 10'),
  q('blurred_heavy', 'effect', 'blur=20', undefined, undefined, 'blur 20'),
  q('blur_placeholder', 'effect', 'width=40&blur=20&quality=30', 40, undefined, 'tiny blurred placeholder'),
  q('grayscale', 'effect', 'grayscale=true', undefined, undefined, 'grayscale'),
  q('sharpen', 'effect', 'sharpen=2', undefined, undefined, 'sharpen 2'),
  q('high_contrast', 'effect', 'contrast=1.5', undefined, undefined, 'contrast 1.5'),
  // Smart crops
  q('smart_square', 'smart', 'width=600&height=600&fit=crop&gravity=auto', 600, 600, '600x600 smart crop'),
  q('smart_banner', 'smart', 'width=1200&height=300&fit=crop&gravity=auto', 1200, 300, '1200x300 smart crop'),
  q('smart_portrait', 'smart', 'width=400&height=600&fit=crop&gravity=auto', 400, 600, '400x600 smart crop'),
  q('smart_landscape', 'smart', 'width=800&height=600&fit=crop&gravity=auto', 800, 600, '800x600 smart crop'),
  q('smart_thumbnail', 'smart', 'width=150&height=150&fit=crop&gravity=face', 150, 150, '150x150 crop around faces'),
];

// Names of earlier catalogues whose forms Akamai does not document in IMQuery (quality and
// format are policy settings there): a clear pointer instead of "unknown variant".
const RENAMED: Record<string, string> = {
  akamai_quality: 'Akamai sets quality in the policy, not in IMQuery: use impolicy in --url-template, or akamai_imwidth',
  akamai_resize_webp: 'Akamai picks WebP/AVIF by browser: use akamai_width with --browser-accept-sets, or akamai_format',
  akamai_quality_resize: 'use akamai_grayscale (a chained IMQuery) or akamai_resize_large',
};

export const DEFAULT_IMAGE_VARIANTS: readonly string[] = ['thumbnail', 'small', 'medium', 'large', 'webp'];

/**
 * Picks variants by name; throws naming the unknown one. A group name prefixed
 * with `group:` (e.g. `group:social`) selects the whole group, `all` every variant.
 */
export function selectImageVariants(names: readonly string[] | undefined, catalogue: readonly ImageVariant[] = IMAGE_VARIANTS): ImageVariant[] {
  const wanted = names && names.length > 0 ? names : DEFAULT_IMAGE_VARIANTS;
  const out: ImageVariant[] = [];
  const seen = new Set<string>();
  const add = (v: ImageVariant) => {
    if (!seen.has(v.name)) {
      seen.add(v.name);
      out.push(v);
    }
  };
  for (const name of wanted) {
    if (name === 'all') {
      catalogue.forEach(add);
      continue;
    }
    if (name.startsWith('group:')) {
      const group = name.slice(6);
      const members = catalogue.filter((c) => c.group === group);
      if (members.length === 0) throw new Error(`unknown image variant group "${group}" (known: ${VARIANT_GROUPS.join(', ')})`);
      members.forEach(add);
      continue;
    }
    const v = catalogue.find((c) => c.name === name);
    if (!v && RENAMED[name]) throw new Error(`image variant "${name}" was removed: ${RENAMED[name]}`);
    if (!v) throw new Error(`unknown image variant "${name}" (see --list-variants for the ${catalogue.length} known ones)`);
    add(v);
  }
  return out;
}

export interface VariantUrlOptions {
  /**
   * Unset: the variant's own catalogue form (query, path segments or IMQuery).
   * imwidth: `?imwidth=<width>` (a variant without a width keeps its catalogue form);
   * derivative: `<key>/<variant>/`; query: `?derivative=<variant>&width=..&height=..`.
   */
  format?: UrlFormat;
  /** --url-template: {derivative} is the variant's name, {params} its own transform parameters. */
  template?: string;
}

/** A variant's own transform parameters, as `{params}` in a template sees them. */
function variantParams(v: ImageVariant): string {
  if (v.query) return v.query;
  return (v.path ?? '').split('/').filter(Boolean).map((s) => s.replace(/^_/, '')).join('&');
}

/**
 * `<base>[/<path>]/<key>[?<query>]` in the catalogue form, or the form of
 * --url-format/--url-template as derivatives use it. The base URL's query is kept.
 */
export function variantUrl(baseUrl: string, key: string, v: ImageVariant, opts: VariantUrlOptions = {}): string {
  if (opts.template) return fillTemplate(opts.template, baseUrl, key, { name: v.name, width: v.width, height: v.height, params: variantParams(v) });
  const keyPath = `/${encodeKey(key)}`;
  switch (opts.format) {
    case 'derivative':
      return assembleUrl(baseUrl, `${keyPath}/${encodeURIComponent(v.name)}/`);
    case 'query': {
      const size = `${v.width !== undefined ? `&width=${v.width}` : ''}${v.height !== undefined ? `&height=${v.height}` : ''}`;
      return assembleUrl(baseUrl, keyPath, `derivative=${encodeURIComponent(v.name)}${size}`);
    }
    case 'imwidth':
      if (v.width !== undefined) return assembleUrl(baseUrl, keyPath, `imwidth=${v.width}`);
      break;
    default:
  }
  const path = v.path ? `/${v.path.replace(/^\/+|\/+$/g, '')}` : '';
  return assembleUrl(baseUrl, `${path}${keyPath}`, v.query ?? '');
}
