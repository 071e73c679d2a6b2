// Public entry of the storage area: listObjects() streams a bucket, folder or remote.
import { UsageError } from '../../lib/errors.js';
import { listLocal } from './local.js';
import type { ListOptions, StoredObject } from './types.js';

export type { ListOptions, ListFilters, StorageLocation, StoredObject } from './types.js';

/** Streams the objects at a location, filtered. (S3 and rclone backends land with issue #3.) */
export async function* listObjects(opts: ListOptions): AsyncGenerator<StoredObject> {
  if (opts.remote !== 'local') throw new UsageError(`remote "${opts.remote}" is not supported yet`);
  let n = 0;
  for await (const obj of listLocal(opts.bucket, opts.directory)) {
    if (opts.limit !== undefined && n >= opts.limit) return;
    n++;
    yield obj;
  }
}
