// The torture corpus replaced in place on the real S3 server (versitygw):
// each key ends holding either its original, byte-identical, or an output
// proven the same picture with every stream; no temp or backup key is left.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { runCli } from './helpers/cli.js';
import { startS3Server, type S3TestServer } from './fixtures/s3-server.js';
import { requireTool } from '../lib/tools.js';
import { probeFile } from '../media/probe.js';
import { CORPUS, expectedStatus, expectedStreams, tortureCorpus, type CorpusRow } from './torture-corpus.js';

let corpus: { dir: string; sha1: Record<string, string> };
let work: string;
let s3: S3TestServer;
const ffprobe = requireTool('ffprobe');

beforeAll(async () => {
  corpus = await tortureCorpus();
  work = await mkdtemp(join(tmpdir(), 'mt-corpus-s3-'));
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('the torture corpus on the real S3 server', () => {
  it('--optimize-in-place: every key holds its original or a verified replacement', async () => {
    await s3.createBucket('corpus');
    await s3.putObjects('corpus', await Promise.all(CORPUS.map(async (c) => ({ key: `library/${c.name}`, body: await readFile(join(corpus.dir, c.name)) }))));
    const report = join(work, 'report.json');
    const r = await runCli(['optimize', '--remote', 's3', '--endpoint', s3.endpoint, '--bucket', 'corpus', '--size-threshold', '0', '--optimize-in-place',
      '--codec', 'h264', '--quality', 'efficient', '--preset', 'ultrafast', '--target-resolution', '360p', '--workers', '2', '--hardware-acceleration', 'none',
      '--no-progress', '--manifest', join(work, 'manifest.json'), '--report', report], { env: { ...s3.awsEnv(), XDG_CACHE_HOME: join(work, 'cache') }, timeoutMs: 240_000 });
    expect(r.code, r.stderr).toBe(1); // the three unreadable sources
    const rows = Object.fromEntries((JSON.parse(await readFile(report, 'utf8')).files as CorpusRow[]).map((f) => [f.key, f]));
    const listed = ((await s3.client.send(new ListObjectsV2Command({ Bucket: 'corpus' }))).Contents ?? []).map((o) => o.Key!).sort();
    expect(listed).toEqual(CORPUS.map((c) => `library/${c.name}`).sort());
    for (const c of CORPUS) {
      const row = rows[`library/${c.name}`];
      const where = `${c.name}: ${row.status} ${row.reason ?? ''}`;
      expect(row.status, where).toBe(expectedStatus(c, 'in-place'));
      const body = Buffer.from(await (await s3.client.send(new GetObjectCommand({ Bucket: 'corpus', Key: `library/${c.name}` }))).Body!.transformToByteArray());
      const sha1 = createHash('sha1').update(body).digest('hex');
      if (row.status !== 'replaced') {
        expect(sha1, `${where}: the original is byte-identical`).toBe(corpus.sha1[c.name]);
        continue;
      }
      expect(sha1, where).not.toBe(corpus.sha1[c.name]);
      expect(body.length, where).toBe(row.sizeAfter);
      expect(row.ssim, where).toBeGreaterThanOrEqual(0.95);
      expect(row.verification!.checks.filter((k) => !k.ok), where).toEqual([]);
      expect(row.verification!.checks.find((k) => k.name === 'streams')!.detail, where).toBe(expectedStreams(c));
      const local = join(work, `check-${c.name}`);
      await writeFile(local, body);
      const p = await probeFile(ffprobe, local);
      expect([p.video!.displayWidth, p.video!.displayHeight], where).toEqual(c.size);
    }
  });
});
