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
  /** Prefix inside the bucket (--directory), a folder: "videos" lists "videos/...". */
  directory?: string;
  endpoint?: string;
  region?: string;
  profile?: string;
  /** Path-style addressing (MinIO and most self-hosted servers). Default: true when an endpoint is given. */
  forcePathStyle?: boolean;
  /** rclone binary (else found by requireTool: RCLONE_BIN, PATH). */
  rcloneBin?: string;
}

export interface ListFilters {
  /** Extensions with or without dot, any case, e.g. ['.mp4', 'MOV']. */
  extensions?: string[];
  /** 'video' or 'image' keep that extension set; 'auto' keeps both; unset keeps everything. */
  mediaType?: 'auto' | 'video' | 'image';
  /** Stop after this many objects that passed the filters. */
  limit?: number;
  /** Bytes, inclusive. */
  minSize?: number;
  /** Bytes, inclusive. */
  maxSize?: number;
  /** Glob patterns on the key (see glob.ts): matching objects are left out. */
  exclude?: string[];
}

export interface ListOptions extends StorageLocation, ListFilters {
  /** Concurrent prefix listings for large buckets (default 16). */
  concurrency?: number;
  /**
   * Local folders: files the running command writes itself (its --output, a results log), given
   * their absolute path with symbolic links resolved; they are never listed. See own-files.ts.
   */
  isOwnFile?: (absolutePath: string) => boolean;
  signal?: AbortSignal;
}
