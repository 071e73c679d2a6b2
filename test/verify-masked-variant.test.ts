// A cache-key variant set whose value looks secret is recorded masked; verify must send the
// real value again (from --variant-header), never the mask, or it would ask the CDN for a
// cache entry nobody warmed and report a false MISS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { runCli } from './helpers/cli.js';

const SECRET = 's3cr3t-device-token';
let dir: string;
let server: Server;
let base: string;
const sent: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mt-masked-variant-'));
  writeFileSync(join(dir, 'listing.jsonl'), '{"key":"v/a.mp4","size":1000}\n{"key":"v/b.mp4","size":1000}\n');
  // A cache keyed on the header: the entry warmed with the real token is a HIT the second time it is asked for.
  const warmed = new Set<string>();
  server = createServer((req, res) => {
    const token = String(req.headers['x-device-token'] ?? '');
    sent.push(token);
    const key = `${req.url} ${token}`;
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': '4', 'x-cache': warmed.has(key) ? 'HIT' : 'MISS' });
    warmed.add(key);
    res.end('mp4!');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('verify with a masked --variant-header set', () => {
  it('prewarm --verify sends the real value to both passes; the results show it masked', async () => {
    const out = join(dir, 'r.json');
    const res = await runCli(['prewarm', '--listing-file', join(dir, 'listing.jsonl'), '--base-url', base, '--derivatives', 'desktop', '--variant-header', `X-Device-Token: ${SECRET}`,
      '--output', out, '--progress', 'false', '--verify', '--min-hit-ratio', '1']);
    expect(res.code, res.stderr + res.stdout).toBe(0);
    expect(res.stdout).toMatch(/verify: 2 of 2 URL\(s\) HIT/);
    expect(sent).toHaveLength(4);
    expect(new Set(sent)).toEqual(new Set([SECRET]));
    const text = readFileSync(out, 'utf8');
    expect(text).not.toContain(SECRET);
    expect(text).toMatch(/X-Device-Token: REDACTED#[0-9a-f]{8}/);
  });

  it('verify alone refuses a masked set without --variant-header (exit 2), and with it finds the HITs', async () => {
    const out = join(dir, 'r.json');
    sent.length = 0;
    const refused = await runCli(['verify', '--results-file', out, '--output', join(dir, 'cov.md'), '--progress', 'false']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/cache-key variant "X-Device-Token: REDACTED#[0-9a-f]{8}" is masked: pass the same --variant-header/);
    expect(refused.stderr).not.toContain(SECRET);
    expect(sent).toHaveLength(0);
    const ok = await runCli(['verify', '--results-file', out, '--variant-header', `X-Device-Token: ${SECRET}`, '--output', join(dir, 'cov.md'), '--min-hit-ratio', '1', '--progress', 'false']);
    expect(ok.code, ok.stderr + ok.stdout).toBe(0);
    expect(new Set(sent)).toEqual(new Set([SECRET]));
    // Another value is another set: not the one recorded, so it is refused too.
    const other = await runCli(['verify', '--results-file', out, '--variant-header', 'X-Device-Token: another', '--output', join(dir, 'cov.md'), '--progress', 'false']);
    expect(other.code).toBe(2);
  });
});

describe('verify against a CDN that does not answer', () => {
  it('says FAILED and exits 1, even with the default --min-hit-ratio 0', async () => {
    const file = join(dir, 'dead.json');
    const records = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as { records: { url: string }[] };
    // The same records, pointing at a port nothing listens on (--dns: the URL's address, not the edge recorded).
    records.records = records.records.map((r) => ({ ...r, url: r.url.replace(/127\.0\.0\.1:\d+/, '127.0.0.1:1') }));
    writeFileSync(file, JSON.stringify(records));
    const res = await runCli(['verify', '--results-file', file, '--variant-header', `X-Device-Token: ${SECRET}`, '--dns', '--retry', '0', '--output', join(dir, 'dead.md'), '--progress', 'false']);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/verify: 0 of 2 URL\(s\) HIT \(0\.0%\), 2 failed \(an error or no answer\), .*FAILED/);
  });
});
