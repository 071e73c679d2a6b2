import { describe, expect, it } from 'vitest';
import { redactText, redactUrl, REDACTED } from '../common/redact.js';

describe('redaction', () => {
  it('redacts S3 presigned and CDN token parameters, keeps the rest', () => {
    const u = 'https://b.s3.amazonaws.com/k.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAXXXX%2F20250101&X-Amz-Signature=abcdef&X-Amz-Security-Token=tok&imwidth=1920';
    const r = redactUrl(u);
    expect(r).not.toMatch(/AKIAXXXX|abcdef|=tok/);
    expect(r).toContain('X-Amz-Algorithm=AWS4-HMAC-SHA256');
    expect(r).toContain('imwidth=1920');
    expect(r).toContain(`X-Amz-Signature=${REDACTED}`);
    expect(redactUrl('https://cdn/a.mp4?Policy=p&Signature=s&Key-Pair-Id=k#t')).toBe(`https://cdn/a.mp4?Policy=${REDACTED}&Signature=${REDACTED}&Key-Pair-Id=${REDACTED}#t`);
    expect(redactUrl('https://cdn/a.mp4?hdnts=exp%3D1~hmac%3Dff&token=x&verify=1-abc')).toBe(`https://cdn/a.mp4?hdnts=${REDACTED}&token=${REDACTED}&verify=${REDACTED}`);
  });

  it('redacts a percent-encoded secret name too', () => {
    expect(redactUrl('https://cdn/a.mp4?imwidth=1&%73ig=abc')).toBe(`https://cdn/a.mp4?imwidth=1&%73ig=${REDACTED}`);
    expect(redactUrl('https://cdn/a.mp4?w=1&Sig=abc')).toBe(`https://cdn/a.mp4?w=1&Sig=${REDACTED}`);
  });

  it('redacts userinfo and leaves URLs without secrets alone', () => {
    expect(redactUrl('https://user:pass@cdn.example.com/a')).toBe(`https://${REDACTED}@cdn.example.com/a`);
    const plain = 'http://127.0.0.1:8080/v%201.mp4?imwidth=854';
    expect(redactUrl(plain)).toBe(plain);
  });

  it('redacts URLs and credentials inside error messages', () => {
    const t = redactText('GET https://h/a?sig=zzz failed; Authorization: Bearer abc.def; aws_secret_access_key=SECRET1');
    expect(t).not.toMatch(/zzz|abc\.def|SECRET1/);
  });

  it('redacts secret parameters of a URL without scheme and host (a server echoing the request path)', () => {
    expect(redactText('HTTP 403: refused /videos/a%20b.mp4?token=SEK1&imwidth=1920')).toBe(`HTTP 403: refused /videos/a%20b.mp4?token=${REDACTED}&imwidth=1920`);
    expect(redactText('GET /a.mp4?imwidth=854&Signature=SEK3&x=1 failed')).toBe(`GET /a.mp4?imwidth=854&Signature=${REDACTED}&x=1 failed`);
    expect(redactText('a=b and c?d=e stay')).toBe('a=b and c?d=e stay');
  });
});
