// Keys with empty path segments (`/leading.mp4`, `dir//double.mp4`, both legal S3 keys) go
// from the URL builder through the origin to the bucket unchanged: the origin asks the real
// S3 server (versitygw) for exactly that key. (versitygw's posix backend itself folds `//`
// when it stores a key, so which object answers is the server's business; the key sent is ours.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startS3Server, type S3TestServer } from './fixtures/s3-server.js';
import { createS3Client } from '../storage/s3.js';
import { createS3Source } from '../origin/s3-source.js';
import { createHandler, type OriginStats } from '../origin/server.js';
import { createEdgeCache } from '../origin/cache-status.js';
import { derivativeUrl, objectUrl } from '../common/url.js';
import { DEFAULT_DERIVATIVES } from '../common/derivatives.js';
import { runPrewarmJob } from '../prep/prewarm/prewarm-job.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultsFile } from '../common/results-record.js';

let s3: S3TestServer;
let server: Server;
let base = '';
const asked: string[] = [];

beforeAll(async () => {
  s3 = await startS3Server();
  Object.assign(process.env, s3.awsEnv());
  await s3.createBucket('segments');
  await s3.putObjects('segments', [{ key: '/leading.mp4', body: 'leading body' }, { key: 'dir//double.mp4', body: 'double body' }]);
  const client = await createS3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true });
  // Every key the origin asks the bucket for, as sent.
  client.middlewareStack.add((next) => async (args) => {
    asked.push(String((args.input as { Key?: string }).Key));
    return next(args);
  }, { step: 'initialize', name: 'recordKeys' });
  const stats: OriginStats = { requests: 0, hits: 0, misses: 0, errorsInjected: 0, resets: 0 };
  const handler = createHandler({
    realRoot: '', basePath: '', mode: 'synthetic', bytesPerWidth: 2, cache: createEdgeCache(), faults: () => ({}), random: Math.random, stats,
    remote: createS3Source({ bucket: 'segments', endpoint: s3.endpoint, region: s3.region, forcePathStyle: true }, undefined, client),
  });
  server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/?token=t`;
}, 120_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await s3?.stop();
});

describe('keys with empty path segments', () => {
  it('reach their object: the URL keeps them, the origin asks the bucket for exactly that key', async () => {
    asked.length = 0;
    const lead = objectUrl(base, '/leading.mp4');
    expect(lead).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\/leading\.mp4\?token=t$/);
    const r1 = await fetch(lead);
    expect(r1.status).toBe(200);
    expect(await r1.text()).toBe('leading body');
    const double = derivativeUrl(base, 'dir//double.mp4', DEFAULT_DERIVATIVES[2], { format: 'derivative' });
    expect(double).toMatch(/\/dir\/\/double\.mp4\/mobile\/\?token=t$/);
    expect((await fetch(double)).status).toBe(200);
    expect(asked).toContain('/leading.mp4');
    expect(asked).toContain('dir//double.mp4');
    expect(asked.every((k) => k === '/leading.mp4' || k === 'dir//double.mp4')).toBe(true);
  });

  it('prewarm warms them in every URL form', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mt-segments-'));
    for (const urlFormat of ['imwidth', 'derivative', 'query'] as const) {
      const out = join(dir, `${urlFormat}.json`);
      await runPrewarmJob({
        objects: (async function* () {
          yield { key: '/leading.mp4', size: 12, lastModified: '', etag: '' };
          yield { key: 'dir//double.mp4', size: 11, lastModified: '', etag: '' };
        })(),
        baseUrl: base, mediaType: 'auto', derivatives: DEFAULT_DERIVATIVES, variants: [], urlFormat, thresholds: { smallMiB: 50, mediumMiB: 200 },
        workers: 4, timeoutMs: 10_000, retries: 0, keepAliveMs: 1000, output: out,
      });
      const recs = (JSON.parse(readFileSync(out, 'utf8')) as ResultsFile).records;
      expect(recs).toHaveLength(6);
      for (const r of recs) expect(r, r.url).toMatchObject({ ok: true, status: 200 });
      expect(recs.filter((r) => r.key === '/leading.mp4').every((r) => /:\d+\/\/leading\.mp4/.test(r.url))).toBe(true);
    }
  });
});
