// Secrets never reach logs, reports or results: signed query strings, tokens, credentials in URLs.

// Query parameter names that carry signatures, credentials or tokens
// (S3/R2 presigned URLs, CloudFront and Akamai tokens, generic tokens).
const SECRET_PARAM = /^(x-amz-(signature|credential|security-token)|x-goog-(signature|credential)|signature|sig|policy|key-pair-id|token|access[_-]?token|auth|authorization|api[_-]?key|apikey|key|secret|password|passwd|hdnts|hdnea|__token__|hmac|verify|client[_-]?secret|x-goog-security-token)$/i;

export const REDACTED = 'REDACTED';

// A cheap test that lets the common case (no credentials, no secret-looking parameter, nothing
// percent-encoded in the query) skip the full parse: every name SECRET_PARAM matches starts with one of these.
const MAYBE_SECRET = /[?&](x-amz-|x-goog-|sig|policy|key|token|access|auth|api|secret|pass|hdn|__token__|hmac|verify|client)|%|@/i;

// --redact PATTERN: regular expressions the user names for tokens this module cannot know, such as
// a token in a URL path (https://cdn.example.com/tok_8f3a.../videos/a.mp4). Set once per process
// (the CLI from --redact and MEDIA_TOOLKIT_REDACT, the k6 scenario from the same variable).
let userPatterns: RegExp[] = [];

/**
 * Sets the --redact patterns: each is a regular expression; every match is replaced by REDACTED,
 * or, when the pattern has capturing groups, only the text of the groups. Throws on an invalid one.
 */
export function setRedactPatterns(patterns: readonly string[]): void {
  userPatterns = patterns.filter((p) => p !== '').map((p) => {
    try {
      return new RegExp(p, 'g');
    } catch (err) {
      throw new Error(`--redact "${p}" is not a valid regular expression: ${(err as Error).message}`);
    }
  });
}

function applyUserPatterns(text: string): string {
  let out = text;
  for (const re of userPatterns) {
    re.lastIndex = 0;
    out = out.replace(re, (...args: unknown[]) => {
      const match = args[0] as string;
      // Replacer arguments: match, groups..., offset, whole string (and named groups when there are any).
      const hasNamed = typeof args[args.length - 1] === 'object' && args[args.length - 1] !== null;
      const groups = args.slice(1, args.length - (hasNamed ? 3 : 2)) as Array<string | undefined>;
      if (groups.length === 0) return match === '' ? match : REDACTED;
      // Only the groups: find each in the match, left to right.
      let result = '';
      let at = 0;
      for (const g of groups) {
        if (!g) continue;
        const i = match.indexOf(g, at);
        if (i < 0) continue;
        result += `${match.slice(at, i)}${REDACTED}`;
        at = i + g.length;
      }
      return result + match.slice(at);
    });
  }
  return out;
}

/** Redacts secret query parameters and userinfo in a URL string, and --redact patterns anywhere in it; leaves the rest as is. */
export function redactUrl(url: string): string {
  if (userPatterns.length > 0) return applyUserPatterns(redactUrlParams(url));
  return redactUrlParams(url);
}

function redactUrlParams(url: string): string {
  if (!MAYBE_SECRET.test(url)) return url;
  const out = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, `$1${REDACTED}@`);
  const q = out.indexOf('?');
  if (q < 0) return out;
  const hashAt = out.indexOf('#', q);
  const query = out.slice(q + 1, hashAt < 0 ? undefined : hashAt);
  const tail = hashAt < 0 ? '' : out.slice(hashAt);
  const redacted = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        /* keep raw */
      }
      return eq >= 0 && SECRET_PARAM.test(decoded) ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
  return `${out.slice(0, q)}?${redacted}${tail}`;
}

function isSecretParam(name: string): boolean {
  try {
    return SECRET_PARAM.test(decodeURIComponent(name));
  } catch {
    return SECRET_PARAM.test(name);
  }
}

/** Redacts URLs, bearer/basic credentials and --redact patterns inside free text (error messages). */
export function redactText(text: string): string {
  const out = text
    .replace(/https?:\/\/[^\s"'<>]+/gi, (u) => redactUrlParams(u))
    // A URL without scheme and host (a server echoing the request line, "/a.mp4?token=..."): its secret parameters too.
    .replace(/([?&])([^=&?\s"'<>#]+)=([^&\s"'<>#]*)/g, (m, sep: string, name: string) => (isSecretParam(name) ? `${sep}${name}=${REDACTED}` : m))
    .replace(/\b(authorization\s*[:=]\s*)(bearer|basic|aws4-hmac-sha256)?\s*[^\s,;]+/gi, `$1${REDACTED}`)
    .replace(/\b(aws_secret_access_key|secret_access_key|secretAccessKey|x-amz-security-token)(\s*[:=]\s*)\S+/gi, `$1$2${REDACTED}`);
  return userPatterns.length > 0 ? applyUserPatterns(out) : out;
}

// Request headers whose value is a credential: by name (Authorization, Cookie, X-Api-Key, and
// anything naming a token, key, secret, signature, password, credential or session)...
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie)$|token|key|secret|signature|passw|credential|session|auth/i;
// ...or by the look of the value: an auth scheme, a JWT, or a long opaque string.
const SECRET_VALUE = /^(bearer|basic|digest|aws4-hmac-sha256|negotiate)\s|^eyJ[\w-]+\.[\w-]+|^[A-Za-z0-9+/_=.~-]{32,}$/i;

/** "Name: value" with the value masked when the name or the value looks secret (--header). */
export function redactHeader(header: string): string {
  const at = header.indexOf(':');
  if (at <= 0) return SECRET_VALUE.test(header.trim()) ? REDACTED : redactText(header);
  const name = header.slice(0, at).trim();
  const value = header.slice(at + 1).trim();
  if (SECRET_HEADER.test(name) || SECRET_VALUE.test(value)) return `${header.slice(0, at)}: ${REDACTED}`;
  return redactText(header);
}
