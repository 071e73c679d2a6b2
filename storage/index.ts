// Public entry of the storage area: listObjects() streams a bucket, folder or remote.
//   --remote s3        AWS S3, Cloudflare R2, MinIO... through the AWS SDK (credentials from the AWS chain)
//   --remote local     a local folder (--bucket is its path)
//   --remote NAME      an rclone remote (also `rclone:NAME`, to reach an rclone remote called s3 or local)
import { UsageError } from '../lib/errors.js';
import { listLocal } from './local.js';
import { createS3Client, listS3, type S3ListTuning } from './s3.js';
import { listRclone } from './rclone.js';
import { objectFilter } from './filters.js';
import { isToolkitKey } from './own-files.js';
import type { ListOptions, StoredObject } from './types.js';

export type { ListOptions, ListFilters, StorageLocation, StoredObject } from './types.js';
export { isToolkitKey, ownFilesMatcher } from './own-files.js';

export type Backend = 's3' | 'local' | 'rclone';

/** Which backend a --remote value picks. */
export function backendOf(remote: string): { backend: Backend; name: string } {
  if (remote === 's3') return { backend: 's3', name: 's3' };
  if (remote === 'local') return { backend: 'local', name: 'local' };
  const name = remote.startsWith('rclone:') ? remote.slice('rclone:'.length) : remote.replace(/:$/, '');
  if (!/^[\w. -]+$/.test(name) || name.startsWith('-')) throw new UsageError(`--remote "${remote}" is not s3, local or an rclone remote name`);
  return { backend: 'rclone', name };
}

/** "videos" and "videos/" both mean the folder videos/; '' the whole bucket. */
export function directoryPrefix(directory: string | undefined): string {
  const d = (directory ?? '').replace(/^\/+/, '');
  if (!d) return '';
  return d.endsWith('/') ? d : `${d}/`;
}

/** Unfiltered objects of the location, in the backend's streaming order. */
export async function* listLocation(opts: ListOptions, tuning: S3ListTuning = {}): AsyncGenerator<StoredObject> {
  if (!opts.bucket) throw new UsageError('--bucket is required (a bucket name, or for --remote local a folder)');
  const { backend, name } = backendOf(opts.remote);
  if (backend === 'local') {
    yield* listLocal(opts.bucket, opts.directory ?? '', opts.isOwnFile);
    return;
  }
  if (backend === 'rclone') {
    yield* listRclone(name, opts.bucket, opts.directory ?? '', { rcloneBin: opts.rcloneBin, concurrency: opts.concurrency });
    return;
  }
  const client = await createS3Client(opts);
  try {
    yield* listS3(client, opts.bucket, directoryPrefix(opts.directory), { concurrency: opts.concurrency, ...tuning }, opts.endpoint, opts.profile);
  } finally {
    client.destroy();
  }
}

/**
 * Streams the objects at a location, filtered and limited. The toolkit's own files
 * (isToolkitKey: temp and backup keys, atomic-write temp files; opts.isOwnFile) are never listed.
 * Order: S3 and local folders in key order (UTF-8 bytes, as S3 sorts), whatever
 * order the parallel listings finish in; rclone remotes in rclone's order.
 */
export async function* listObjects(opts: ListOptions): AsyncGenerator<StoredObject> {
  const keep = objectFilter(opts);
  const limit = opts.limit;
  if (limit !== undefined && limit <= 0) return;
  let n = 0;
  for await (const obj of listLocation(opts)) {
    if (opts.signal?.aborted) return;
    if (isToolkitKey(obj.key)) continue;
    if (keep && !keep(obj)) continue;
    yield obj;
    if (limit !== undefined && ++n >= limit) return;
  }
}
