// Secrets: `config` masks header values whose name or value looks secret; `--redact PATTERN`
// (repeatable) masks what the user names (a token in a URL path) in every file and line a
// command writes: prewarm results, log and summary, errors reports, merge, the k6 summaries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REDACTED, redactHeader, redactText, redactUrl, setRedactPatterns } from '../common/redact.js';
import { startOrigin, type RunningOrigin } from '../origin/index.js';
import { runCli } from './helpers/cli.js';
import type { ResultsFile } from '../common/results-record.js';

const CLEAN = Object.fromEntries(Object.keys(process.env).filter((k) => k.startsWith('MEDIA_TOOLKIT_')).map((k) => [k, undefined]));

describe('redactHeader', () => {
  it('masks by name (Authorization, Cookie, X-Api-Key, *token*, *key*, *secret*, *signature*) and by value (schemes, JWTs, long opaque strings)', () => {
    const masked = [
      'Authorization: Bearer abc.def',
      'authorization: Basic dXNlcjpwYXNz',
      'Proxy-Authorization: whatever',
      'Cookie: session=1234',
      'X-Api-Key: k-1',
      'X-Session-Token: t',
      'X-Upstream-Secret: s',
      'X-Url-Signature: 9f',
      'X-Custom: Bearer zzz',
      'X-Debug: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig',
      'X-Opaque: 4f9d2c8e1b7a6f3e0d5c9b8a7f6e5d4c3b2a1f0e',
    ];
    for (const h of masked) expect(redactHeader(h)).toBe(`${h.slice(0, h.indexOf(':'))}: ${REDACTED}`);
    for (const h of ['Accept: video/mp4', 'X-Request-Id: 42', 'Cache-Control: no-cache', 'User-Agent: media-toolkit/0.1']) expect(redactHeader(h)).toBe(h);
  });
});

describe('--variant-header sets with a secret', () => {
  it('records show the set masked, told apart by a hash of the value; plain sets as they are', async () => {
    const { parseHeaderSet } = await import('../prep/prewarm/header-sets.js');
    const a = parseHeaderSet('Cookie: session=s3cr3t-a');
    const b = parseHeaderSet('Cookie: session=s3cr3t-b');
    expect(a.label).toMatch(/^Cookie: REDACTED#[0-9a-f]{8}$/);
    expect(b.label).not.toBe(a.label);
    expect(a.headers).toEqual({ cookie: 'session=s3cr3t-a' });
    expect(parseHeaderSet('Accept: image/avif,image/webp,*/*').label).toBe('Accept: image/avif,image/webp,*/*');
  });
});

describe('--redact patterns', () => {
  afterAll(() => setRedactPatterns([]));

  it('mask matches anywhere in a URL (path included) and in text; with groups only the groups', () => {
    setRedactPatterns(['tok_[0-9a-f]+', 'exp=\\d+~acl=[^~/]*~hmac=([0-9a-f]+)']);
    expect(redactUrl('https://cdn.example.com/tok_8f3a9c/videos/a.mp4?imwidth=854')).toBe(`https://cdn.example.com/${REDACTED}/videos/a.mp4?imwidth=854`);
    expect(redactUrl('https://cdn.example.com/exp=1700000000~acl=*~hmac=abc123/a.mp4')).toBe(`https://cdn.example.com/exp=1700000000~acl=*~hmac=${REDACTED}/a.mp4`);
    expect(redactText('GET https://h/tok_00ff/a.mp4 failed (tok_99 in the key)')).toBe(`GET https://h/${REDACTED}/a.mp4 failed (${REDACTED} in the key)`);
    // The built-in rules still apply.
    expect(redactUrl('https://h/tok_1/a.mp4?sig=x')).toBe(`https://h/${REDACTED}/a.mp4?sig=${REDACTED}`);
    setRedactPatterns([]);
    expect(redactUrl('https://cdn.example.com/tok_8f3a9c/a.mp4')).toBe('https://cdn.example.com/tok_8f3a9c/a.mp4');
    expect(() => setRedactPatterns(['('])).toThrow(/--redact "\(" is not a valid regular expression/);
  });
});

describe('end to end', () => {
  const TOKEN = 'tok_8f3a9c0d';
  let dir: string;
  let bucket: string;
  let origin: RunningOrigin;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mt-secrets-'));
    bucket = join(dir, 'media');
    mkdirSync(bucket);
    for (const f of ['a.mp4', 'b.mp4', 'missing-source.mp4']) writeFileSync(join(bucket, f), Buffer.alloc(300));
    // A CDN with the token in the URL path, as signed path prefixes work.
    origin = await startOrigin({ root: bucket, basePath: `/${TOKEN}`, syntheticBytesPerWidth: 1 });
    rmSync(join(bucket, 'missing-source.mp4')); // listed from a listing file below, answered 404
  });

  afterAll(async () => {
    await origin?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Every file under a folder, with its text. */
  const files = (root: string): Array<[string, string]> =>
    readdirSync(root, { recursive: true, encoding: 'utf8' })
      .map((f) => join(root, f))
      .filter((f) => statSync(f).isFile())
      .map((f) => [f, readFileSync(f, 'utf8')]);

  it('config masks secret-looking --header values, from flags and from the config file', async () => {
    const cfg = join(dir, 'headers.yaml');
    writeFileSync(cfg, 'header: ["Cookie: sid=s3cr3t-cookie", "Accept: video/mp4"]\n');
    const fromFile = await runCli(['--config', cfg, 'config', 'prewarm'], { env: CLEAN });
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(fromFile.stdout).not.toContain('s3cr3t-cookie');
    expect(fromFile.stdout).toMatch(/--header\s+Cookie: REDACTED,Accept: video\/mp4\s+config \(header\)/);
    const r = await runCli(
      ['config', '--json', 'prewarm', '--header', 'Authorization: Bearer s3cr3t-bearer', '--header', 'X-Api-Key: s3cr3t-key', '--header', 'X-Cdn-Token: s3cr3t-token', '--header', 'Accept: video/mp4', '--variant-header', 'X-Device-Token: s3cr3t-variant'],
      { env: CLEAN },
    );
    expect(r.stdout).not.toMatch(/s3cr3t/);
    const header = (JSON.parse(r.stdout).options as Array<{ attribute: string; value: unknown }>).find((o) => o.attribute === 'header');
    expect(header?.value).toEqual(['Authorization: REDACTED', 'X-Api-Key: REDACTED', 'X-Cdn-Token: REDACTED', 'Accept: video/mp4']);
  });

  it('a bad pattern is one line and exit 2', async () => {
    const r = await runCli(['--redact', '(', 'list', '--bucket', bucket], { env: CLEAN });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^media-toolkit: --redact "\(" is not a valid regular expression/)]);
  });

  it('prewarm, errors, merge and loadtest write the token nowhere, and the requests still reach the right URLs', async () => {
    const out = join(dir, 'run');
    mkdirSync(out);
    const listing = join(out, 'listing.jsonl');
    writeFileSync(listing, ['a.mp4', 'b.mp4', 'missing-source.mp4'].map((key) => JSON.stringify({ key, size: 300 })).join('\n') + '\n');
    const base = `${origin.url}`;
    expect(base).toContain(TOKEN);
    // --redact both before the command and after it, in two forms.
    const pre = await runCli(
      ['--redact', 'tok_[0-9a-f]+', 'prewarm', '--listing-file', listing, '--base-url', base, '--derivatives', 'mobile', '--retry', '0', '--max-failure-rate', '1', '--progress', 'false', '--output', join(out, 'r.json'), '--verbose'],
      { env: CLEAN },
    );
    expect(pre.code, pre.stderr).toBe(0);
    const res = JSON.parse(readFileSync(join(out, 'r.json'), 'utf8')) as ResultsFile;
    expect(res.records.map((x) => [x.key, x.status])).toEqual([['a.mp4', 200], ['b.mp4', 200], ['missing-source.mp4', 404]]);
    expect(res.records[0].url).toBe(`${base.replace(TOKEN, REDACTED)}/a.mp4?imwidth=854`);

    const err = await runCli(['errors', '--redact', 'tok_[0-9a-f]+', '--results-file', join(out, 'r.json'), '--output', join(out, 'errors.md'), '--exclusion-list', join(out, 'exclude.json')], { env: CLEAN });
    expect(err.code, err.stderr).toBe(0);
    const merged = await runCli(['merge', join(out, 'r.json'), '--output', join(out, 'merged', 'm.json')], { env: CLEAN });
    expect(merged.code, merged.stderr).toBe(0);
    const k6 = await runCli(
      ['loadtest', '--redact', 'tok_[0-9a-f]+', '--base-url', base, '--results-file', join(out, 'r.json'), '--smoke', '--min-sleep', '0', '--max-sleep', '0', '--reports-dir', join(out, 'loadtest'), '--', '--quiet'],
      { env: CLEAN },
    );
    expect(k6.code, k6.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'loadtest', 'loadtest-summary.json'), 'utf8'));
    expect(summary.requests ?? summary.checks ?? summary).toBeTruthy();
    expect(JSON.stringify(summary)).toContain(REDACTED);

    const written = files(out);
    expect(written.map(([f]) => f.slice(out.length + 1)).sort()).toEqual(
      expect.arrayContaining(['errors.md', 'exclude.json', 'listing.jsonl', 'merged/m.json', 'r.json', 'r.jsonl', 'r.summary.json', 'loadtest/loadtest-summary.json']),
    );
    for (const [f, text] of written) expect([f, text.includes(TOKEN)]).toEqual([f, false]);
    for (const r of [pre, err, merged, k6]) expect(`${r.stdout}\n${r.stderr}`).not.toContain(TOKEN);
  });

  it('workflow: the stages get the patterns too (through the environment, not their command lines)', async () => {
    const out = join(dir, 'wf');
    const r = await runCli(
      ['workflow', '--bucket', bucket, '--base-url', origin.url, '--output-dir', out, '--derivatives', 'mobile', '--image-variants', 'thumbnail', '--skip-loadtest', '--skip-optimize'],
      { env: { ...CLEAN, MEDIA_TOOLKIT_REDACT: 'tok_[0-9a-f]+' } },
    );
    expect(r.code, r.stderr).toBe(0);
    const written = files(out);
    expect(written.map(([f]) => f.slice(out.length + 1))).toEqual(expect.arrayContaining(['prewarm-results.json', 'prewarm-results.jsonl', 'errors.md', 'index.md', 'index.html']));
    expect(readFileSync(join(out, 'prewarm-results.json'), 'utf8')).toContain(`/${REDACTED}/a.mp4`);
    for (const [f, text] of written) expect([f, text.includes(TOKEN)]).toEqual([f, false]);
    expect(`${r.stdout}\n${r.stderr}`).not.toContain(TOKEN);
  });
});
