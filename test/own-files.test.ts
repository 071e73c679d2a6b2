// The toolkit never lists itself: list, analyze and prewarm of a folder leave out their
// own outputs (an --output inside the listed folder, results logs kept aside) and the
// temp and backup files a crash may leave (.media-toolkit-tmp/, .media-toolkit-backup/,
// .NAME.mtk-new, atomic-write temp files), on S3 too; an S3 key ending in '/' is a folder
// marker only when it is zero bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { startS3Server, type S3TestServer } from './fixtures/s3-server.js';
import { startOrigin, type RunningOrigin } from '../origin/index.js';
import { isToolkitKey } from '../storage/index.js';
import { runCli } from './helpers/cli.js';
import type { ResultsFile } from '../common/results-record.js';

const CLEAN = Object.fromEntries(Object.keys(process.env).filter((k) => k.startsWith('MEDIA_TOOLKIT_')).map((k) => [k, undefined]));
// What a crash of optimize (or of any atomic write) can leave in a folder or bucket.
const LEFT_BEHIND = [
  '.media-toolkit-tmp/videos/a.mp4',
  '.media-toolkit-backup/videos/a.mp4',
  '.media-toolkit/optimize-manifest.json',
  'videos/.a.mp4.mtk-new',
  'videos/.a.mp4.mtk-orig',
  '.listing.jsonl.4242.0badc0de.tmp',
];
const MEDIA = ['img/p.jpg', 'videos/a.mp4', 'videos/b.json'];

let dir: string;
let bucket: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mt-own-'));
  bucket = join(dir, 'media');
  for (const f of [...MEDIA, ...LEFT_BEHIND]) {
    mkdirSync(join(bucket, f, '..'), { recursive: true });
    writeFileSync(join(bucket, f), Buffer.alloc(50 + f.length, 7));
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('isToolkitKey', () => {
  it('names what the toolkit writes for itself, and nothing a user would name so', () => {
    for (const k of LEFT_BEHIND) expect([k, isToolkitKey(k)]).toEqual([k, true]);
    for (const k of ['videos/a.mp4', 'media-toolkit-tmp/a.mp4', 'videos/.hidden.mp4', 'a.mtk-new', 'x/.media-toolkit-tmpfoo/a.mp4', 'x.123.tmp'])
      expect([k, isToolkitKey(k)]).toEqual([k, false]);
  });
});

describe('a local folder', () => {
  const keys = (jsonl: string) => jsonl.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l).key as string);

  it('list --output inside the folder: neither the output (or its temp file) nor left-behind files, run after run', async () => {
    const out = join(bucket, 'listing.jsonl');
    for (let run = 0; run < 2; run++) {
      const r = await runCli(['list', '--bucket', bucket, '--format', 'jsonl', '--output', out, '--no-progress'], { env: CLEAN });
      expect(r.code, r.stderr).toBe(0);
      expect(keys(readFileSync(out, 'utf8'))).toEqual(MEDIA);
    }
    // Listed from elsewhere, the listing file is a file like any other.
    const r = await runCli(['list', '--bucket', bucket, '--format', 'jsonl'], { env: CLEAN });
    expect(keys(r.stdout)).toEqual(['img/p.jpg', 'listing.jsonl', ...MEDIA.slice(1)]);
    rmSync(out);
  });

  it('analyze --output inside the folder does not count its own report', async () => {
    const out = join(bucket, 'sizes.json');
    for (let run = 0; run < 2; run++) {
      const r = await runCli(['analyze', '--bucket', bucket, '--format', 'json', '--output', out, '--no-progress'], { env: CLEAN });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(readFileSync(out, 'utf8')).count).toBe(MEDIA.length);
    }
    rmSync(out);
  });

  describe('prewarm', () => {
    let origin: RunningOrigin;
    beforeAll(async () => {
      origin = await startOrigin({ root: bucket, syntheticBytesPerWidth: 1 });
    });
    afterAll(async () => origin?.close());

    it('--output inside the folder: its results, summary and earlier logs are never warmed', async () => {
      const out = join(bucket, 'results.json');
      // .json files are asked for, so the run's own files would be requested if they were listed.
      const args = ['prewarm', '--bucket', bucket, '--base-url', origin.url, '--extensions', '.mp4,.json,.jsonl,.jpg', '--derivatives', 'mobile', '--progress', 'false', '--output', out];
      for (let run = 0; run < 3; run++) {
        const r = await runCli(args, { env: CLEAN });
        expect(r.code, r.stderr).toBe(0);
        const res = JSON.parse(readFileSync(out, 'utf8')) as ResultsFile;
        expect([...new Set(res.records.map((x) => x.key))].sort()).toEqual(MEDIA);
      }
      // Three fresh runs: two earlier logs kept aside, both left out.
      expect(existsSync(join(bucket, 'results.previous.jsonl'))).toBe(true);
      expect(existsSync(join(bucket, 'results.previous.2.jsonl'))).toBe(true);
    });
  });
});

describe('S3', () => {
  let s3: S3TestServer;
  beforeAll(async () => {
    s3 = await startS3Server();
    await s3.createBucket('own-files');
    await s3.putObjects('own-files', [...MEDIA, ...LEFT_BEHIND, 'empty-folder/'].map((key) => ({ key, size: key.endsWith('/') ? 0 : 64 })));
  });
  afterAll(async () => s3?.stop());

  it('list and analyze leave out .media-toolkit-tmp/ and .media-toolkit-backup/ keys and zero-byte folder markers', async () => {
    const args = ['--remote', 's3', '--endpoint', s3.endpoint, '--region', 'us-east-1', '--bucket', 'own-files'];
    const env = { ...CLEAN, ...s3.awsEnv() };
    const l = await runCli(['list', ...args, '--format', 'jsonl'], { env });
    expect(l.code, l.stderr).toBe(0);
    expect(l.stdout.trim().split('\n').map((x) => JSON.parse(x).key)).toEqual(MEDIA);
    const a = await runCli(['analyze', ...args, '--format', 'json'], { env });
    expect(JSON.parse(a.stdout).count).toBe(MEDIA.length);
  });

  // versitygw refuses a key ending in '/' with data ("Directory object contains data payload"), which
  // AWS S3 and R2 store; this answers ListObjectsV2 as S3 documents it, from a fixed set of keys.
  it('a key ending in "/" that holds bytes is listed; a zero-byte one is a folder marker', async () => {
    const objects: Array<[string, number]> = [['a.mp4', 5], ['dir/', 0], ['dir/b.mp4', 6], ['odd/', 3], ['odd/c.mp4', 7]];
    const server: Server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      const prefix = u.searchParams.get('prefix') ?? '';
      const delimiter = u.searchParams.get('delimiter');
      const contents: string[] = [];
      const prefixes = new Set<string>();
      for (const [key, size] of objects) {
        if (!key.startsWith(prefix)) continue;
        const rest = key.slice(prefix.length);
        const at = delimiter ? rest.indexOf(delimiter) : -1;
        if (at >= 0 && at < rest.length - 1) prefixes.add(prefix + rest.slice(0, at + 1));
        else if (at >= 0 && rest.length - 1 === at && rest.length > 0) prefixes.add(key);
        else contents.push(`<Contents><Key>${key}</Key><Size>${size}</Size><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>"e"</ETag></Contents>`);
      }
      res.setHeader('content-type', 'application/xml');
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>${prefix}</Prefix><KeyCount>${contents.length + prefixes.size}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents.join('')}${[...prefixes].map((p) => `<CommonPrefixes><Prefix>${p}</Prefix></CommonPrefixes>`).join('')}</ListBucketResult>`,
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const r = await runCli(['list', '--remote', 's3', '--endpoint', endpoint, '--bucket', 'b', '--format', 'jsonl'], {
        env: { ...CLEAN, AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true', AWS_PROFILE: '' },
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim().split('\n').map((x) => [JSON.parse(x).key, JSON.parse(x).size])).toEqual([['a.mp4', 5], ['dir/b.mp4', 6], ['odd/', 3], ['odd/c.mp4', 7]]);
    } finally {
      server.close();
    }
  });
});
