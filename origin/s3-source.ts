// --remote s3: the origin reads its sources from a bucket (AWS S3, R2, MinIO,
// versitygw) instead of a local folder. HeadObject gives size and date,
// GetObject with a Range streams exactly the bytes a client asked for, and
// ffmpeg mode downloads a source once into the render folder.
import type { S3Client } from '@aws-sdk/client-s3';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { createS3Client } from '../storage/s3.js';
import { loadS3Sdk } from '../lib/aws-sdk.js';
import { extensionOf } from '../common/media-type.js';
import type { RemoteSource, Source } from './server.js';
import type { OriginS3Remote } from './types.js';
import { fnv1a } from '../common/fnv1a.js';

/** The bucket, prefix and S3 settings of --remote s3. */
export type S3SourceOptions = Omit<OriginS3Remote, 'type'>;

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

/** downloadDir: where ffmpeg mode keeps downloaded sources (one download per source version). */
export function createS3Source(opts: S3SourceOptions, downloadDir?: string, givenClient?: S3Client): RemoteSource {
  // The SDK loads on the first request, not at start-up.
  let clientPromise: Promise<S3Client> | undefined;
  const s3 = async () => ({ client: await (clientPromise ??= givenClient ? Promise.resolve(givenClient) : createS3Client(opts)), sdk: await loadS3Sdk() });
  const prefix = opts.prefix ? `${opts.prefix.replace(/^\/+|\/+$/g, '')}/` : '';
  const downloads = new Map<string, Promise<string>>();

  const download = (objectKey: string, size: number, mtimeMs: number): Promise<string> => {
    if (!downloadDir) return Promise.reject(new Error('no folder for downloaded sources'));
    const id = fnv1a(`${objectKey}\n${size}\n${mtimeMs}`).toString(16).padStart(8, '0') + fnv1a(objectKey, 0x9e3779b9).toString(16).padStart(8, '0');
    const target = join(downloadDir, 'sources', `${id}${extensionOf(objectKey)}`);
    let p = downloads.get(target);
    if (!p) {
      p = (async () => {
        try {
          await stat(target);
          return target;
        } catch {
          /* download it */
        }
        await mkdir(join(downloadDir, 'sources'), { recursive: true });
        const tmp = `${target}.${randomBytes(3).toString('hex')}.tmp`;
        try {
          const { client, sdk } = await s3();
          const out = await client.send(new sdk.GetObjectCommand({ Bucket: opts.bucket, Key: objectKey }));
          await pipeline(out.Body as Readable, createWriteStream(tmp));
          await rename(tmp, target);
        } catch (err) {
          await rm(tmp, { force: true });
          throw err;
        }
        return target;
      })().finally(() => downloads.delete(target));
      downloads.set(target, p);
    }
    return p;
  };

  return {
    async head(key: string): Promise<Source | null> {
      const objectKey = `${prefix}${key}`;
      try {
        const { client, sdk } = await s3();
        const h = await client.send(new sdk.HeadObjectCommand({ Bucket: opts.bucket, Key: objectKey }));
        const size = h.ContentLength ?? 0;
        const mtimeMs = h.LastModified ? h.LastModified.getTime() : 0;
        return {
          size,
          mtimeMs,
          async open(start, end) {
            const out = await client.send(new sdk.GetObjectCommand({ Bucket: opts.bucket, Key: objectKey, Range: `bytes=${start}-${end}` }));
            return out.Body as Readable;
          },
          localPath: () => download(objectKey, size, mtimeMs),
        };
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    },
  };
}
