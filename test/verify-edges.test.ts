// --edge, a tokenised base URL and verify, end to end through the CLI against two local
// origins on 127.0.0.2 and 127.0.0.3 (each its own edge cache), with a host name that
// does not resolve: only --edge can reach them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOrigin, type RunningOrigin } from '../origin/index.js';
import { runCli } from './helpers/cli.js';
import type { ResultsFile } from '../common/results-record.js';

let dir: string;
let bucket: string;
let a: RunningOrigin;
let b: RunningOrigin;
const TOKEN = 'edge-s3cret-42';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mt-verify-edges-'));
  bucket = join(dir, 'bucket');
  for (const k of ['v/a b.mp4', 'v/c.mp4', 'img/p.jpg']) {
    mkdirSync(join(bucket, k, '..'), { recursive: true });
    writeFileSync(join(bucket, k), Buffer.alloc(500, 1));
  }
  a = await startOrigin({ root: bucket, host: '127.0.0.2', syntheticBytesPerWidth: 2 });
  b = await startOrigin({ root: bucket, host: '127.0.0.3', syntheticBytesPerWidth: 2 });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
});

const base = () => `http://cdn.media-toolkit.invalid:${a.port}/?token=${TOKEN}`;
const edges = () => ['--edge', `127.0.0.2:${a.port}`, '--edge', `127.0.0.3:${b.port}`];
const records = (f: string) => (JSON.parse(readFileSync(f, 'utf8')) as ResultsFile).records;

function noSecretIn(folder: string) {
  for (const f of readdirSync(folder)) expect(readFileSync(join(folder, f), 'utf8'), f).not.toContain(TOKEN);
}

describe('prewarm --edge and verify', () => {
  it('warms every URL once per edge, the token on every request, and verify proves both edges HIT', async () => {
    const out = join(dir, 'run', 'r.json');
    const res = await runCli(['prewarm', '--remote', 'local', '--bucket', bucket, '--base-url', base(), ...edges(), '--derivatives', 'desktop,mobile', '--image-variants', 'small', '--output', out, '--progress', 'false', '--verify', '--min-hit-ratio', '1']);
    expect(res.code, res.stderr + res.stdout).toBe(0);
    const recs = records(out);
    // (2 videos x 2 derivatives + 1 image x 1 variant) x 2 edges
    expect(recs).toHaveLength(10);
    expect(recs.every((r) => r.ok && r.cacheStatus === 'miss')).toBe(true);
    expect(new Set(recs.map((r) => r.edge))).toEqual(new Set([`127.0.0.2:${a.port}`, `127.0.0.3:${b.port}`]));
    expect(recs.every((r) => r.url.includes('token=REDACTED'))).toBe(true);
    // Each origin saw each URL once (a miss), then once more from verify (a hit).
    expect(a.stats()).toMatchObject({ requests: 10, misses: 5, hits: 5 });
    expect(b.stats()).toMatchObject({ requests: 10, misses: 5, hits: 5 });
    expect(res.stdout).toMatch(/^verify: 10 of 10 URL\(s\) HIT \(100\.0%\).*PASSED/m);
    const report = JSON.parse(readFileSync(join(dir, 'run', 'r.verify.json'), 'utf8'));
    expect(report.coverage.byEdge[`127.0.0.3:${b.port}`]).toMatchObject({ total: 5, hits: 5 });
    expect(readFileSync(join(dir, 'run', 'r.verify.html'), 'utf8')).toMatch(/<table class="matrix">/);
    expect(res.stdout.trim().split('\n').pop()).toBe('prewarm: OK: all 10 URL(s) answered 2xx');
    noSecretIn(join(dir, 'run'));
  });

  it('verify alone: an edge whose cache was emptied is reported, exit 1 below --min-hit-ratio; the token comes from --base-url', async () => {
    const out = join(dir, 'run', 'r.json');
    // Restart edge B on the same port: an empty cache, as after an eviction or a new PoP.
    const port = b.port;
    await b.close();
    b = await startOrigin({ root: bucket, host: '127.0.0.3', port, syntheticBytesPerWidth: 2 });
    const report = join(dir, 'verify', 'coverage.md');
    const noToken = await runCli(['verify', '--results-file', out, '--output', report, '--progress', 'false']);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/secrets redacted.*--base-url/);
    const res = await runCli(['verify', '--results-file', out, '--base-url', base(), '--output', report, '--min-hit-ratio', '0.9', '--progress', 'false']);
    expect(res.code, res.stderr).toBe(1);
    expect(res.stdout.trim().split('\n').pop()).toMatch(/^verify: 5 of 10 URL\(s\) HIT \(50\.0%\), 3 key\(s\) with a URL not HIT; FAILED \(--min-hit-ratio 90\.0%\)$/);
    const md = readFileSync(report, 'utf8');
    expect(md).toContain('**FAILED**: 5 of 10 URLs are cache HITs');
    expect(md).toMatch(new RegExp(`\\| v/a b\\.mp4 \\| desktop \\| 127\\.0\\.0\\.3:${port} \\|  \\|  \\| miss \\|`));
    const json = JSON.parse(readFileSync(join(dir, 'verify', 'coverage.json'), 'utf8'));
    expect(json.coverage.byEdge[`127.0.0.2:${a.port}`].ratio).toBe(1);
    expect(json.coverage.byEdge[`127.0.0.3:${port}`].ratio).toBe(0);
    noSecretIn(join(dir, 'verify'));
  });

  it('--resume counts an item done per edge; --edge-file reads a list', async () => {
    const out = join(dir, 'resume', 'r.json');
    const common = ['prewarm', '--remote', 'local', '--bucket', bucket, '--base-url', base(), '--derivatives', 'desktop', '--image-variants', 'small', '--output', out, '--progress', 'false'];
    const first = await runCli([...common, '--edge', `127.0.0.2:${a.port}`]);
    expect(first.code, first.stderr).toBe(0);
    expect(records(out)).toHaveLength(3);
    writeFileSync(join(dir, 'edges.txt'), `# two PoPs\n127.0.0.2:${a.port}\n127.0.0.3:${b.port}\n`);
    const second = await runCli([...common, '--edge-file', join(dir, 'edges.txt'), '--resume']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/prewarm: 3 request\(s\) .*, 3 done earlier/);
    expect(records(out)).toHaveLength(6);
  });

  it('rejects a bad --edge with exit 2', async () => {
    const res = await runCli(['prewarm', '--remote', 'local', '--bucket', bucket, '--base-url', base(), '--edge', 'not an address']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--edge "not an address" is not ADDR or ADDR:PORT/);
    expect(res.stderr).not.toContain(TOKEN);
  });
});
