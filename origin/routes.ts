// URL forms of a media-transforming CDN, parsed into (key, transform):
//   <base>/<key>                                  the source itself
//   <base>/<key>?imwidth=W                        Akamai-style width
//   <base>/<key>/<derivative>/                    named derivative (trailing slash)
//   <base>/<key>?derivative=NAME[&width=&height=] named derivative by query
//   <base>/<key>?width=..&h=..&format=webp&q=..   image variant query forms
//   <base>/<key>?im=resize=width:400,height:300   Akamai Image Manager
//   <base>/_width=800/_format=webp/<key>          path-based variant segments
import { DEFAULT_DERIVATIVES, type Derivative } from '../common/derivatives.js';
import { IMAGE_VARIANTS } from '../common/image-variants.js';

// Named targets a URL may carry (`<key>/<name>/`, `?derivative=<name>`): the derivatives,
// then the image variants (prewarm --url-format derivative|query names variants too).
function named(name: string, derivatives: readonly Derivative[]): { name: string; width?: number; height?: number } | undefined {
  return derivatives.find((c) => c.name === name) ?? IMAGE_VARIANTS.find((v) => v.name === name);
}

export interface Transform {
  width?: number;
  height?: number;
  /** Output format asked for (webp, avif, jpeg, png, mp4...), lower case. */
  format?: string;
  quality?: number;
  fit?: string;
  /** Derivative name when the URL named one. */
  derivative?: string;
  /** Other transform parameters (crop, aspect...): part of the cache key only. */
  extra?: string;
}

export type ParsedRequest =
  | { ok: true; key: string; segments: string[]; transform: Transform | null; cacheKey: string }
  | { ok: false; status: 400 | 404; reason: string };

const FORMATS = new Set(['webp', 'avif', 'jpeg', 'jpg', 'png', 'gif', 'mp4', 'webm', 'mov', 'auto']);
const PARAM_ALIASES: Record<string, keyof Transform> = {
  width: 'width', w: 'width', imwidth: 'width',
  height: 'height', h: 'height', imheight: 'height',
  format: 'format', f: 'format', imformat: 'format',
  quality: 'quality', q: 'quality',
  fit: 'fit', mode: 'fit',
  derivative: 'derivative',
};

function positiveInt(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d{1,5}$/.test(v)) return undefined;
  const n = Number(v);
  return n > 0 ? n : undefined;
}

/** Applies one name=value pair to a transform; false when the pair is not a transform parameter. */
function applyParam(t: Transform, name: string, value: string, extras: string[], derivatives: readonly Derivative[]): boolean {
  const field = PARAM_ALIASES[name.toLowerCase()];
  if (field === 'width' || field === 'height' || field === 'quality') {
    const n = positiveInt(value);
    if (n === undefined) return false;
    t[field] = n;
    return true;
  }
  if (field === 'format') {
    const f = value.toLowerCase();
    // The compact form uses f= for focus (f=l); only known formats are formats.
    if (!FORMATS.has(f)) {
      extras.push(`${name}=${value}`);
      return true;
    }
    t.format = f === 'jpg' ? 'jpeg' : f;
    return true;
  }
  if (field === 'fit') {
    t.fit = value.toLowerCase();
    return true;
  }
  if (field === 'derivative') {
    const d = named(value, derivatives);
    if (!d) return false;
    t.derivative = d.name;
    if (d.width !== undefined) t.width ??= d.width;
    if (d.height !== undefined) t.height ??= d.height;
    return true;
  }
  return false;
}

// Akamai Image Manager: im=Resize=width:400,height:300,mode:fit | im=Resize,width=400 | im=Resize=(400,300)
// | im=Format=webp | im=Quality=80; several commands may be joined with ';' or sent as several im= params.
function applyImageManager(t: Transform, value: string, extras: string[], derivatives: readonly Derivative[]): void {
  for (const command of value.split(';')) {
    const m = /^\s*([a-z]+)\s*[=,]?\s*(.*)$/i.exec(command);
    if (!m) continue;
    const verb = m[1].toLowerCase();
    const args = m[2].trim();
    if (verb === 'format' || verb === 'quality') {
      if (!applyParam(t, verb, args, extras, derivatives)) extras.push(`im.${verb}=${args}`);
      continue;
    }
    if (verb !== 'resize') {
      extras.push(`im.${command.trim()}`);
      continue;
    }
    const tuple = /^\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$/.exec(args);
    if (tuple) {
      applyParam(t, 'width', tuple[1], extras, derivatives);
      if (tuple[2]) applyParam(t, 'height', tuple[2], extras, derivatives);
      continue;
    }
    for (const pair of args.split(',')) {
      const kv = /^\s*([a-z]+)\s*[:=]\s*(.+?)\s*$/i.exec(pair);
      if (kv && !applyParam(t, kv[1], kv[2], extras, derivatives)) extras.push(`${kv[1]}=${kv[2]}`);
    }
  }
}

// Transform parameters that change the picture but not its width: part of the cache key.
const EFFECT_PARAMS = new Set(['r', 'p', 'crop', 'aspect', 'dpr', 'gravity', 'blur', 'grayscale', 'sharpen', 'contrast', 'brightness', 'rotate', 'background', 'trim']);

/** Canonical text of a transform, for the cache key and on-disk names. */
export function transformId(t: Transform | null): string {
  if (!t) return '';
  const parts: string[] = [];
  if (t.derivative) parts.push(`d=${t.derivative}`);
  if (t.width) parts.push(`w=${t.width}`);
  if (t.height) parts.push(`h=${t.height}`);
  if (t.format) parts.push(`f=${t.format}`);
  if (t.quality) parts.push(`q=${t.quality}`);
  if (t.fit) parts.push(`fit=${t.fit}`);
  if (t.extra) parts.push(`x=${t.extra}`);
  return parts.join('&');
}

function decodeSegment(raw: string): string | null {
  try {
    const s = decodeURIComponent(raw);
    // A decoded slash, NUL or dot segment would let a key step outside its folder. Empty
    // segments stay: `/a.mp4` and `dir//b.mp4` are legal S3 keys of their own.
    if (s === '.' || s === '..' || s.includes('/') || s.includes('\0')) return null;
    return s;
  } catch {
    return null;
  }
}

/**
 * Parses a request target (path + query as received) under basePath.
 * Keys are decoded segment by segment, so %2F never becomes a folder separator.
 */
export function parseRequestTarget(target: string, basePath = '', derivatives: readonly Derivative[] = DEFAULT_DERIVATIVES): ParsedRequest {
  const q = target.indexOf('?');
  let path = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? '' : target.slice(q + 1);
  if (basePath) {
    if (path !== basePath && !path.startsWith(`${basePath}/`)) return { ok: false, status: 404, reason: 'outside base path' };
    path = path.slice(basePath.length);
  }
  const raw = path.split('/');
  if (raw[0] !== '') return { ok: false, status: 400, reason: 'path must start with /' };
  raw.shift();
  const t: Transform = {};
  const extras: string[] = [];
  let transformed = false;

  // Path-based variant segments between base and key: /_width=800/_format=webp/
  while (raw.length > 1 && /^_[a-z]+=/i.test(raw[0])) {
    const seg = raw.shift() as string;
    const eq = seg.indexOf('=');
    const name = seg.slice(1, eq);
    let value: string;
    try {
      value = decodeURIComponent(seg.slice(eq + 1));
    } catch {
      return { ok: false, status: 400, reason: 'bad path parameter' };
    }
    if (!applyParam(t, name, value, extras, derivatives)) extras.push(`${name}=${value}`);
    transformed = true;
  }

  // Trailing slash: <key>/<derivative>/
  if (raw.length >= 2 && raw[raw.length - 1] === '') {
    raw.pop();
    const name = decodeSegment(raw.pop() as string);
    const d = name === null ? undefined : named(name, derivatives);
    if (!d) return { ok: false, status: 404, reason: 'unknown derivative' };
    t.derivative = d.name;
    if (d.width !== undefined) t.width = d.width;
    if (d.height !== undefined) t.height = d.height;
    transformed = true;
  }

  const segments: string[] = [];
  for (const r of raw) {
    const s = decodeSegment(r);
    if (s === null) return { ok: false, status: 404, reason: 'bad key segment' };
    segments.push(s);
  }
  if (segments.every((seg) => seg === '')) return { ok: false, status: 404, reason: 'no key' };

  let aspect: number | undefined;
  if (query) {
    const params = new URLSearchParams(query);
    for (const [name, value] of params) {
      if (name.toLowerCase() === 'im') applyImageManager(t, value, extras, derivatives);
      else if (!applyParam(t, name, value, extras, derivatives)) {
        // Effects and the compact form's ratio/focal point are transforms; other parameters
        // (cache busters, tokens) are ignored, as a transforming CDN ignores them.
        if (!EFFECT_PARAMS.has(name.toLowerCase())) continue;
        extras.push(`${name}=${value}`);
        const ratio = name === 'r' ? /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(value) : null;
        if (ratio) aspect = Number(ratio[2]) / Number(ratio[1]);
      }
      transformed = true;
    }
  }
  // The compact form's r=W:H gives the height from the width (w=600&r=1:1 is 600x600).
  if (aspect && aspect > 0 && t.width && !t.height) t.height = Math.round(t.width * aspect);
  if (extras.length > 0) t.extra = extras.join(',');
  const transform = transformed ? t : null;
  const key = segments.join('/');
  return { ok: true, key, segments, transform, cacheKey: transform ? `${key}?${transformId(transform)}` : key };
}

const CONTENT_TYPES: Record<string, string> = {
  '.mp4': 'video/mp4', '.m4v': 'video/mp4', '.mov': 'video/quicktime', '.webm': 'video/webm', '.mkv': 'video/x-matroska',
  '.avi': 'video/x-msvideo', '.ts': 'video/mp2t', '.m2ts': 'video/mp2t', '.mpg': 'video/mpeg', '.mpeg': 'video/mpeg',
  '.3gp': 'video/3gpp', '.ogv': 'video/ogg', '.flv': 'video/x-flv', '.wmv': 'video/x-ms-wmv',
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.gif': 'image/gif', '.webp': 'image/webp',
  '.avif': 'image/avif', '.heic': 'image/heic', '.heif': 'image/heif', '.tif': 'image/tiff', '.tiff': 'image/tiff',
  '.bmp': 'image/bmp', '.svg': 'image/svg+xml', '.json': 'application/json', '.txt': 'text/plain; charset=utf-8',
};

/** Content-Type from an extension (with dot) or a format name; octet-stream when unknown. */
export function contentTypeFor(extOrFormat: string): string {
  const ext = extOrFormat.startsWith('.') ? extOrFormat.toLowerCase() : `.${extOrFormat.toLowerCase()}`;
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}
