// The few S3 operations in-place replacement needs: download to a temp file,
// multipart upload (lib-storage), head, server-side copy, delete, and the
// ETag a completed upload must have (so an upload is confirmed, not assumed).
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { loadS3Sdk, loadUploadSdk } from '../lib/aws-sdk.js';
import { RuntimeError } from '../lib/errors.js';

/** Part size of our multipart uploads; the expected ETag is computed with the same size. */
export const PART_SIZE = 8 * 1024 * 1024;

export interface HeadResult {
  size: number;
  etag: string;
  /** What a replacement must carry over from the original: user metadata and HTTP headers. */
  keep?: ObjectHeaders;
}

/** Headers and metadata of an object that an in-place replacement keeps. */
export interface ObjectHeaders {
  Metadata?: Record<string, string>;
  CacheControl?: string;
  ContentDisposition?: string;
  ContentLanguage?: string;
}

/** Size and ETag (no quotes) of a key, undefined when it does not exist. */
export async function headObject(client: S3Client, bucket: string, key: string): Promise<HeadResult | undefined> {
  try {
    const r = await client.send(new (await loadS3Sdk()).HeadObjectCommand({ Bucket: bucket, Key: key }));
    const keep: ObjectHeaders = {};
    if (r.Metadata && Object.keys(r.Metadata).length) keep.Metadata = r.Metadata;
    if (r.CacheControl) keep.CacheControl = r.CacheControl;
    if (r.ContentDisposition) keep.ContentDisposition = r.ContentDisposition;
    if (r.ContentLanguage) keep.ContentLanguage = r.ContentLanguage;
    return { size: Number(r.ContentLength ?? 0), etag: (r.ETag ?? '').replace(/"/g, ''), keep };
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return undefined;
    throw new RuntimeError(`cannot read ${key}: ${(err as Error).message}`);
  }
}

/** Downloads a key to path (a temp file renamed into place when complete). */
export async function downloadObject(client: S3Client, bucket: string, key: string, path: string, signal?: AbortSignal): Promise<HeadResult> {
  await mkdir(dirname(path), { recursive: true });
  const r = await client.send(new (await loadS3Sdk()).GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
  if (!r.Body) throw new RuntimeError(`empty body for ${key}`);
  const tmp = `${path}.download`;
  try {
    await pipeline(r.Body as Readable, createWriteStream(tmp));
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new RuntimeError(`download of ${key} failed: ${(err as Error).message}`);
  }
  return { size: Number(r.ContentLength ?? 0), etag: (r.ETag ?? '').replace(/"/g, '') };
}

/** Downloads the first `bytes` of a key (enough for ffprobe when the index is at the front). */
export async function downloadHead(client: S3Client, bucket: string, key: string, path: string, bytes: number, signal?: AbortSignal): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const r = await client.send(new (await loadS3Sdk()).GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=0-${bytes - 1}` }), { abortSignal: signal });
  if (!r.Body) throw new RuntimeError(`empty body for ${key}`);
  await pipeline(r.Body as Readable, createWriteStream(path));
}

/** Uploads a file with lib-storage (multipart above PART_SIZE). */
export async function uploadFile(client: S3Client, bucket: string, key: string, path: string, contentType: string, signal?: AbortSignal, keep: ObjectHeaders = {}): Promise<void> {
  const { Upload } = await loadUploadSdk();
  const upload = new Upload({
    client,
    params: { ...keep, Bucket: bucket, Key: key, Body: createReadStream(path), ContentType: contentType },
    partSize: PART_SIZE,
    queueSize: 4,
    leavePartsOnError: false,
  });
  const onAbort = () => void upload.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await upload.done();
  } catch (err) {
    throw new RuntimeError(`upload of ${key} failed: ${(err as Error).message}`);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** The ETags S3 gives this file: MD5 for a single PUT, MD5-of-part-MD5s "-N" for a multipart upload. */
export async function expectedEtags(path: string, partSize = PART_SIZE): Promise<string[]> {
  const whole = createHash('md5');
  const parts: Buffer[] = [];
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(partSize);
    for (;;) {
      let filled = 0;
      while (filled < partSize) {
        const { bytesRead } = await fh.read(buf, filled, partSize - filled, null);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      if (filled === 0) break;
      const chunk = buf.subarray(0, filled);
      whole.update(chunk);
      parts.push(createHash('md5').update(chunk).digest());
      if (filled < partSize) break;
    }
  } finally {
    await fh.close();
  }
  const single = whole.digest('hex');
  const multi = `${createHash('md5').update(Buffer.concat(parts)).digest('hex')}-${parts.length}`;
  return [single, multi];
}

/** Largest object a single CopyObject may copy (S3's limit); larger ones are copied in parts. */
export const SINGLE_COPY_LIMIT = 5 * 1024 ** 3;

function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Server-side copy; with ifMatch the copy happens only if the source still has that ETag.
 * Objects above `singleLimit` (5 GiB) are copied with a multipart upload of part copies.
 */
export async function copyObject(
  client: S3Client, bucket: string, from: string, to: string, ifMatch?: string, size?: number, singleLimit = SINGLE_COPY_LIMIT, partSize = 512 * 1024 * 1024,
): Promise<void> {
  if (size !== undefined && size > singleLimit) return copyInParts(client, bucket, from, to, size, ifMatch, partSize);
  try {
    await client.send(
      new (await loadS3Sdk()).CopyObjectCommand({
        Bucket: bucket,
        Key: to,
        CopySource: copySource(bucket, from),
        ...(ifMatch ? { CopySourceIfMatch: `"${ifMatch}"` } : {}),
      }),
    );
  } catch (err) {
    throw new RuntimeError(`copy ${from} -> ${to} failed: ${(err as Error).message}`, { cause: err });
  }
}

/** Whether an S3 error (or one wrapping it) is 412 Precondition Failed: an If-Match that did not match. */
export function isPreconditionFailed(err: unknown): boolean {
  for (let e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number }; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.name === 'PreconditionFailed' || e.Code === 'PreconditionFailed' || e.$metadata?.httpStatusCode === 412) return true;
  }
  return false;
}

/** Largest part UploadPartCopy takes. */
const MAX_COPY_PART = 5 * 1024 ** 3;

/**
 * Writes `to` from `from` only if `to` still has the ETag `ifMatch`: a multipart upload made of
 * server-side part copies (no bytes through this machine), completed with If-Match. S3, R2 and
 * versitygw refuse the completion with 412 when the key changed meanwhile; CopyObject's If-Match is
 * not used because versitygw ignores it. Carries content type, metadata and headers of `from`.
 * Resolves with the new ETag.
 */
export async function conditionalReplace(
  client: S3Client, bucket: string, from: string, to: string, ifMatch: string, size: number, beforeComplete?: () => Promise<void>, partSize = 512 * 1024 * 1024,
): Promise<string> {
  const sdk = await loadS3Sdk();
  const src = await client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: from }));
  const created = await client.send(new sdk.CreateMultipartUploadCommand({
    Bucket: bucket, Key: to, ContentType: src.ContentType, Metadata: src.Metadata, CacheControl: src.CacheControl,
    ContentDisposition: src.ContentDisposition, ContentLanguage: src.ContentLanguage,
  }));
  const uploadId = created.UploadId!;
  // One part when it fits in one (the ETag is then md5(md5(file))-1), else parts of partSize.
  const step = size <= MAX_COPY_PART ? Math.max(1, size) : partSize;
  try {
    const parts: { ETag: string; PartNumber: number }[] = [];
    for (let start = 0, n = 1; start < size || n === 1; start += step, n++) {
      const end = Math.min(size, start + step) - 1;
      const r = await client.send(new sdk.UploadPartCopyCommand({
        Bucket: bucket, Key: to, UploadId: uploadId, PartNumber: n, CopySource: copySource(bucket, from), ...(size > 0 ? { CopySourceRange: `bytes=${start}-${end}` } : {}),
      }));
      parts.push({ ETag: r.CopyPartResult?.ETag ?? '', PartNumber: n });
      if (size === 0) break;
    }
    await beforeComplete?.();
    const done = await client.send(new sdk.CompleteMultipartUploadCommand({ Bucket: bucket, Key: to, UploadId: uploadId, MultipartUpload: { Parts: parts }, IfMatch: `"${ifMatch}"` }));
    return (done.ETag ?? '').replace(/"/g, '');
  } catch (err) {
    await client.send(new sdk.AbortMultipartUploadCommand({ Bucket: bucket, Key: to, UploadId: uploadId })).catch(() => undefined);
    if (isPreconditionFailed(err)) throw err;
    throw new RuntimeError(`replace ${to} from ${from} failed: ${(err as Error).message}`, { cause: err });
  }
}

/** Multipart copy (UploadPartCopy), carrying over content type, metadata and headers, which a multipart copy does not do by itself. */
export async function copyInParts(client: S3Client, bucket: string, from: string, to: string, size: number, ifMatch?: string, partSize = 512 * 1024 * 1024): Promise<void> {
  const src = await client.send(new (await loadS3Sdk()).HeadObjectCommand({ Bucket: bucket, Key: from }));
  const created = await client.send(
    new (await loadS3Sdk()).CreateMultipartUploadCommand({
      Bucket: bucket,
      Key: to,
      ContentType: src.ContentType,
      Metadata: src.Metadata,
      CacheControl: src.CacheControl,
      ContentDisposition: src.ContentDisposition,
      ContentLanguage: src.ContentLanguage,
    }),
  );
  const uploadId = created.UploadId!;
  try {
    const parts: { ETag: string; PartNumber: number }[] = [];
    for (let start = 0, n = 1; start < size; start += partSize, n++) {
      const end = Math.min(size, start + partSize) - 1;
      const r = await client.send(
        new (await loadS3Sdk()).UploadPartCopyCommand({
          Bucket: bucket, Key: to, UploadId: uploadId, PartNumber: n, CopySource: copySource(bucket, from), CopySourceRange: `bytes=${start}-${end}`,
          ...(ifMatch ? { CopySourceIfMatch: `"${ifMatch}"` } : {}),
        }),
      );
      parts.push({ ETag: r.CopyPartResult?.ETag ?? '', PartNumber: n });
    }
    await client.send(new (await loadS3Sdk()).CompleteMultipartUploadCommand({ Bucket: bucket, Key: to, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
  } catch (err) {
    await client.send(new (await loadS3Sdk()).AbortMultipartUploadCommand({ Bucket: bucket, Key: to, UploadId: uploadId })).catch(() => undefined);
    throw new RuntimeError(`copy ${from} -> ${to} failed: ${(err as Error).message}`);
  }
}

export async function deleteObject(client: S3Client, bucket: string, key: string): Promise<void> {
  await client.send(new (await loadS3Sdk()).DeleteObjectCommand({ Bucket: bucket, Key: key }));
}
