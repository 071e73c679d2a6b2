import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { startS3Server, type S3TestServer } from './fixtures/s3-server.js';

describe('test S3 server fixture (real versitygw)', () => {
  let s3: S3TestServer;
  beforeAll(async () => {
    s3 = await startS3Server();
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it('listens on 127.0.0.1 and round-trips PutObject and writeObjects with sizes and ETags', async () => {
    expect(s3.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await s3.createBucket('fixture-check');
    await s3.putObjects('fixture-check', [{ key: 'put/a b+#%?.MP4', body: 'hello' }, { key: 'put/zero', size: 0 }]);
    await s3.writeObjects('fixture-check', [{ key: 'direct/ü/x.mov', body: 'hello' }, { key: 'direct/big', size: 1000 }]);
    const res = await s3.client.send(new ListObjectsV2Command({ Bucket: 'fixture-check' }));
    const got = (res.Contents ?? []).map((o) => [o.Key, o.Size, o.ETag]);
    expect(got).toEqual([
      ['direct/big', 1000, expect.stringMatching(/^"[0-9a-f]{32}"$/)],
      ['direct/ü/x.mov', 5, '"5d41402abc4b2a76b9719d911017c592"'],
      ['put/a b+#%?.MP4', 5, '"5d41402abc4b2a76b9719d911017c592"'],
      ['put/zero', 0, '"d41d8cd98f00b204e9800998ecf8427e"'],
    ]);
  });

  it('stop() removes its temp root', async () => {
    const other = await startS3Server();
    const root = other.root;
    expect(existsSync(root)).toBe(true);
    await other.stop();
    expect(existsSync(root)).toBe(false);
  });
});
