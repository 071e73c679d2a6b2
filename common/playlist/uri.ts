// URI references in playlists resolved against the playlist's own URL
// (RFC 3986 section 5.2; HLS: RFC 8216 section 4.1, DASH: BaseURL chains).
// Hand-written because k6 has no `URL` global and url-toolkit follows RFC 1808
// (it fails five of the RFC 3986 section 5.4 examples, e.g. "../../../g").
//
// Tokenised CDNs put the token in the playlist URL's query and expect it on every
// request, but a relative reference drops the base's query by the RFC. With
// keepQuery, the base's query parameters a same-origin result does not set
// itself are appended, so `?token=abc` reaches every segment.

interface Parts {
  scheme?: string;
  authority?: string;
  path: string;
  query?: string;
  fragment?: string;
}

// RFC 3986 appendix B.
const URI_RE = /^(?:([^:/?#]+):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/;

function split(uri: string): Parts {
  const m = URI_RE.exec(uri) as RegExpExecArray;
  return { scheme: m[1], authority: m[2], path: m[3], query: m[4], fragment: m[5] };
}

function join(p: Parts): string {
  let out = '';
  if (p.scheme !== undefined) out += `${p.scheme}:`;
  if (p.authority !== undefined) out += `//${p.authority}`;
  out += p.path;
  if (p.query !== undefined) out += `?${p.query}`;
  if (p.fragment !== undefined) out += `#${p.fragment}`;
  return out;
}

/** RFC 3986 section 5.2.4. */
export function removeDotSegments(path: string): string {
  let input = path;
  const output: string[] = [];
  while (input.length > 0) {
    if (input.startsWith('../')) input = input.slice(3);
    else if (input.startsWith('./')) input = input.slice(2);
    else if (input.startsWith('/./')) input = input.slice(2);
    else if (input === '/.') input = '/';
    else if (input.startsWith('/../')) {
      input = input.slice(3);
      output.pop();
    } else if (input === '/..') {
      input = '/';
      output.pop();
    } else if (input === '.' || input === '..') input = '';
    else {
      const next = input.indexOf('/', input.startsWith('/') ? 1 : 0);
      const seg = next < 0 ? input : input.slice(0, next);
      output.push(seg);
      input = next < 0 ? '' : input.slice(next);
    }
  }
  return output.join('');
}

/** RFC 3986 section 5.2.3. */
function merge(base: Parts, refPath: string): string {
  if (base.authority !== undefined && base.path === '') return `/${refPath}`;
  const slash = base.path.lastIndexOf('/');
  return slash < 0 ? refPath : base.path.slice(0, slash + 1) + refPath;
}

/** Resolves a URI reference against a base URI (RFC 3986 section 5.2.2, strict). */
export function resolveReference(base: string, ref: string): string {
  const r = split(ref.trim());
  const b = split(base.trim());
  const t: Parts = { path: '' };
  if (r.scheme !== undefined) {
    return join({ ...r, path: removeDotSegments(r.path) });
  }
  t.scheme = b.scheme;
  if (r.authority !== undefined) {
    t.authority = r.authority;
    t.path = removeDotSegments(r.path);
    t.query = r.query;
  } else {
    t.authority = b.authority;
    if (r.path === '') {
      t.path = b.path;
      t.query = r.query !== undefined ? r.query : b.query;
    } else {
      t.path = r.path.startsWith('/') ? removeDotSegments(r.path) : removeDotSegments(merge(b, r.path));
      t.query = r.query;
    }
  }
  t.fragment = r.fragment;
  return join(t);
}

function origin(p: Parts): string {
  return `${(p.scheme ?? '').toLowerCase()}://${(p.authority ?? '').toLowerCase()}`;
}

function paramName(pair: string): string {
  const eq = pair.indexOf('=');
  return eq < 0 ? pair : pair.slice(0, eq);
}

export interface ResolveOptions {
  /** Append the base's query parameters that a same-origin result lacks (default true). */
  keepQuery?: boolean;
}

/**
 * A playlist URI resolved against the playlist's URL. The fragment is dropped
 * (never sent to a server). With keepQuery (the default), a same-origin result
 * gets the base's query parameters it does not set itself.
 */
export function resolveUri(base: string, ref: string, opts: ResolveOptions = {}): string {
  const resolved = split(resolveReference(base, ref));
  resolved.fragment = undefined;
  if (opts.keepQuery === false) return join(resolved);
  const b = split(base.trim());
  if (!b.query || origin(b) !== origin(resolved)) return join(resolved);
  const own = resolved.query ? resolved.query.split('&').filter(Boolean) : [];
  const names = new Set(own.map(paramName));
  const added = b.query.split('&').filter((p) => p && !names.has(paramName(p)));
  if (added.length > 0) resolved.query = [...own, ...added].join('&');
  return join(resolved);
}
