// Verify sends the URLs a results file recorded, with the secrets the results redacted
// filled back in from the real base URL: in the query (token=REDACTED) and, when
// --redact masked a token in the base URL's path, in the path too (the workflow's
// verify stage meets both).
import { afterEach, describe, expect, it } from 'vitest';
import { restoreSecrets } from '../prep/verify/verify-items.js';
import { setRedactPatterns } from '../common/redact.js';

afterEach(() => setRedactPatterns([]));

describe('restoreSecrets', () => {
  it('fills a redacted query value from the base URL', () => {
    expect(restoreSecrets('https://cdn.example.com/v/a.mp4?token=REDACTED&imwidth=854', 'https://cdn.example.com/v?token=abc')).toBe('https://cdn.example.com/v/a.mp4?token=abc&imwidth=854');
  });

  it('puts back a token --redact masked in the base URL\'s path', () => {
    setRedactPatterns(['tok_[0-9a-f]+']);
    const base = 'http://127.0.0.1:8080/tok_12ab34/media';
    expect(restoreSecrets('http://127.0.0.1:8080/REDACTED/media/a.mp4?imwidth=854', base)).toBe('http://127.0.0.1:8080/tok_12ab34/media/a.mp4?imwidth=854');
    // A URL outside the base path keeps its mask, and says so.
    expect(() => restoreSecrets('http://127.0.0.1:8080/other/REDACTED/a.mp4', base)).toThrow(/does not carry the secrets/);
  });
});
