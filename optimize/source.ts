// Fetch stage: where a source is read from. A local folder is read in place;
// an S3 object is downloaded into the file's work folder (a dry run reads only
// the head of it, which holds the index of MP4 with faststart, MKV and WebM).
import { join } from 'node:path';
import type { StoredObject } from '../storage/index.js';
import { MIB } from '../common/byte-size.js';
import type { RunContext } from './context.js';
import { safeBaseName, safeJoin } from './paths.js';
import { downloadHead, downloadObject } from './s3-objects.js';

/** Bytes a dry run reads from the head of each S3 object to probe it. */
export const DRY_RUN_HEAD_BYTES = 4 * MIB;

export interface OpenedSource {
  path: string;
  /** Only the head of the object was read (dry run on S3). */
  partial: boolean;
  /** The object as it was read (its ETag filled in from the download when the listing had none). */
  obj: StoredObject;
}

/** The local path of a key in a local folder. */
export function localSourcePath(ctx: RunContext, key: string): string {
  return safeJoin(ctx.o.location!.bucket, key);
}

/** Makes the source readable by ffmpeg; undefined when this remote is only listed (dry run on rclone). */
export async function openSource(ctx: RunContext, obj: StoredObject, workDir: string): Promise<OpenedSource | undefined> {
  const { o } = ctx;
  const remote = o.location?.remote ?? 'local';
  if (remote === 's3' && ctx.s3 && o.dryRun) {
    const path = join(workDir, `head-${safeBaseName(obj.key)}`);
    await downloadHead(ctx.s3.client, ctx.s3.bucket, obj.key, path, DRY_RUN_HEAD_BYTES, o.signal);
    return { path, partial: obj.size > DRY_RUN_HEAD_BYTES, obj };
  }
  if (remote === 'local' && o.location) return { path: localSourcePath(ctx, obj.key), partial: false, obj };
  if (remote === 's3' && ctx.s3) {
    const path = join(workDir, `source-${safeBaseName(obj.key)}`);
    const got = await downloadObject(ctx.s3.client, ctx.s3.bucket, obj.key, path, o.signal);
    return { path, partial: false, obj: obj.etag ? obj : { ...obj, etag: got.etag } };
  }
  return undefined;
}
