// Secrets never reach logs, reports or results: signed query strings, tokens, credentials in URLs.

// Query parameter names that carry signatures, credentials or tokens
// (S3/R2 presigned URLs, CloudFront and Akamai tokens, generic tokens).
const SECRET_PARAM = /^(x-amz-(signature|credential|security-token)|x-goog-(signature|credential)|signature|sig|policy|key-pair-id|token|access[_-]?token|auth|authorization|api[_-]?key|apikey|key|secret|password|passwd|hdnts|hdnea|__token__|hmac|verify|client[_-]?secret|x-goog-security-token)$/i;

export const REDACTED = 'REDACTED';

// A cheap test that lets the common case (no credentials, no secret-looking parameter, nothing
// percent-encoded in the query) skip the full parse: every name SECRET_PARAM matches starts with one of these.
const MAYBE_SECRET = /[?&](x-amz-|x-goog-|sig|policy|key|token|access|auth|api|secret|pass|hdn|__token__|hmac|verify|client)|%|@/i;

/** Redacts secret query parameters and userinfo in a URL string; leaves the rest as is. */
export function redactUrl(url: string): string {
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

/** Redacts URLs and bearer/basic credentials inside free text (error messages). */
export function redactText(text: string): string {
  return text
    .replace(/https?:\/\/[^\s"'<>]+/gi, (u) => redactUrl(u))
    .replace(/\b(authorization\s*[:=]\s*)(bearer|basic|aws4-hmac-sha256)?\s*[^\s,;]+/gi, `$1${REDACTED}`)
    .replace(/\b(aws_secret_access_key|secret_access_key|secretAccessKey|x-amz-security-token)(\s*[:=]\s*)\S+/gi, `$1$2${REDACTED}`);
}
