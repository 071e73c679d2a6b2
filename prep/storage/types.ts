// One streaming interface over every storage backend.

/** One object in a bucket, folder or remote. */
export interface StoredObject {
  /** Key relative to the bucket (for a local folder: relative path with '/'). */
  key: string;
  size: number;
  /** ISO 8601 time, '' when the backend does not say. */
  lastModified: string;
  /** ETag without quotes, '' when the backend does not say. */
  etag: string;
}

/** Where to list: the --remote/--bucket/--directory family of options. */
export interface StorageLocation {
  /** 's3' (AWS, R2, MinIO...), 'local', or an rclone remote name. */
  remote: string;
  /** Bucket name, or for `local` the folder path. */
  bucket: string;
  /** Prefix inside the bucket (--directory). */
  directory?: string;
  endpoint?: string;
  region?: string;
  profile?: string;
  /** Path-style addressing (MinIO and most self-hosted servers). */
  forcePathStyle?: boolean;
}

export interface ListFilters {
  /** Lower-case extensions with dot, e.g. ['.mp4', '.mov']. */
  extensions?: string[];
  mediaType?: 'auto' | 'video' | 'image';
  limit?: number;
  minSize?: number;
  maxSize?: number;
  exclude?: string[];
}

export interface ListOptions extends StorageLocation, ListFilters {
  /** Concurrent prefix listings for large buckets (default 16). */
  concurrency?: number;
  signal?: AbortSignal;
}
