// The workflow on an S3 bucket (real versitygw on 127.0.0.1): the S3 connection flags
// reach list and prewarm in their child processes, credentials through the AWS chain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3Server, type S3TestServer } from './fixtures/s3-server.js';
import { startOrigin } from '../origin/index.js';
import type { RunningOrigin } from '../origin/types.js';
import type { ResultsFile } from '../common/results-record.js';
import type { WorkflowState } from '../workflow/state.js';
import { runCli } from './helpers/cli.js';

const BUCKET = 'media';
let s3: S3TestServer;
let origin: RunningOrigin;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mt-workflow-s3-'));
  s3 = await startS3Server();
  await s3.createBucket(BUCKET);
  await s3.writeObjects(BUCKET, [
    { key: 'videos/a.mp4', size: 4096 },
    { key: 'videos/b c.mov', size: 2048 },
    { key: 'videos/deep/d.webm', size: 1024 },
    { key: 'images/e.jpg', size: 512 },
    { key: 'other/readme.txt', size: 10 },
  ]);
  // The origin serves the bucket's own folder, as a CDN in front of it would.
  origin = await startOrigin({ root: join(s3.root, BUCKET), host: '127.0.0.1', port: 0, mode: 'synthetic', syntheticBytesPerWidth: 8 });
});

afterAll(async () => {
  await origin?.close();
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('workflow on S3', () => {
  it('lists, analyzes and pre-warms an S3 bucket through --endpoint', async () => {
    const out = join(dir, 'run');
    const r = await runCli(
      ['workflow', '--remote', 's3', '--bucket', BUCKET, '--directory', 'videos', '--endpoint', s3.endpoint, '--region', s3.region, '--force-path-style',
        '--base-url', origin.url, '--output-dir', out, '--workers', '4', '--derivatives', 'mobile,tablet', '--skip-loadtest', '--skip-optimize'],
      { env: s3.awsEnv() },
    );
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const state = JSON.parse(await readFile(join(out, 'workflow-state.json'), 'utf8')) as WorkflowState;
    expect(state.stages.analysis.status).toBe('done');
    expect(state.stages.prewarm.status).toBe('done');
    expect(state.stages.errors.status).toBe('done');
    expect(state.stages.prewarm.commands?.[0]).toContain(`--endpoint ${s3.endpoint}`);
    const listed = (await readFile(join(out, 'listing.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l).key).sort();
    expect(listed).toEqual(['videos/a.mp4', 'videos/b c.mov', 'videos/deep/d.webm']);
    const results = JSON.parse(await readFile(join(out, 'prewarm-results.json'), 'utf8')) as ResultsFile;
    expect(results.records).toHaveLength(3 * 2);
    expect(results.records.every((x) => x.ok)).toBe(true);
    const md = await readFile(join(out, 'index.md'), 'utf8');
    expect(md).toContain('| Objects | 3 objects, 7.0 KiB |');
    expect(md).toContain('100.0% of 6 requests succeeded');
    // No credential reached anything written.
    expect(`${r.stdout}${r.stderr}${md}`).not.toContain(s3.secretAccessKey);
  });

  it('hands an explicit --force-path-style on or off to list, prewarm and optimize alike', async () => {
    const base = ['workflow', '--remote', 's3', '--bucket', BUCKET, '--endpoint', s3.endpoint, '--base-url', origin.url, '--output-dir', join(dir, 'dry'), '--dry-run'];
    for (const [given, passed] of [['no', 'false'], ['yes', 'true']]) {
      const r = await runCli([...base, '--force-path-style', given], { env: s3.awsEnv() });
      expect(r.code, r.stderr).toBe(0);
      for (const cmd of ['list', 'prewarm', 'optimize']) {
        const line = r.stdout.split('\n').find((l) => l.includes(` media-toolkit ${cmd} `));
        expect(line, cmd).toContain(`--force-path-style ${passed}`);
      }
    }
    // Unset, each stage decides from --endpoint: no flag is passed.
    const unset = await runCli(base, { env: s3.awsEnv() });
    expect(unset.stdout).not.toContain('--force-path-style');
  });
});
