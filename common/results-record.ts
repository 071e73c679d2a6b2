// The results record: one line of the pre-warming results, read back by the
// k6 scenarios, the error report, the comparison and the workflow index.
// Shared by Node and k6, so: plain data, no Node APIs.

/** Normalised cache status, whatever header the CDN used to say it. */
export type CacheStatus =
  | 'hit'
  | 'miss'
  | 'expired'
  | 'stale'
  | 'revalidated'
  | 'bypass'
  | 'dynamic'
  | 'unknown';

export const CACHE_STATUSES: readonly CacheStatus[] = [
  'hit',
  'miss',
  'expired',
  'stale',
  'revalidated',
  'bypass',
  'dynamic',
  'unknown',
];

/** Size category of a source file (thresholds in MiB are configurable). */
export type SizeCategory = 'small' | 'medium' | 'large';

/** Why a request failed, in classes a person can act on. */
export type ErrorClass =
  | 'timeout'
  | 'connection_error'
  | 'server_error'
  | 'client_error'
  /** 429 after every retry: the CDN kept rate-limiting. */
  | 'rate_limited'
  /** The TLS handshake failed: an untrusted or wrong-name certificate (--ca-file, --insecure). */
  | 'tls_error'
  /** A 2xx whose body is not what was asked for (an HTML page where a playlist was expected). */
  | 'invalid_playlist'
  | 'redirect'
  | 'incomplete_body'
  | 'aborted'
  | 'unknown_error';

export interface ResultsRecord {
  /** Object key in the bucket, as listed (not percent-encoded). */
  key: string;
  /** Derivative name (videos) or image variant name (images). */
  derivative: string;
  /**
   * What `derivative` names: a video derivative, an image variant, or another kind of
   * work item (e.g. an HLS/DASH segment) a work kind of prep/prewarm/work-kinds.ts adds.
   */
  kind: 'derivative' | 'variant' | (string & {});
  /** The requested URL with secrets (signed query strings) redacted. */
  url: string;
  /** Final HTTP status, 0 when no response arrived. */
  status: number;
  /** True when the final attempt got a 2xx with its whole body. */
  ok: boolean;
  /** Attempts made, 1 when the first one settled it. */
  attempts: number;
  /** Time to first byte of the final attempt, ms. */
  ttfbMs: number;
  /** Total time of the final attempt, ms. */
  totalMs: number;
  /** Body bytes received in the final attempt. */
  bytesReceived: number;
  /** Content-Length (or Content-Range total) the server announced. */
  contentLength: number | null;
  contentType: string | null;
  cacheStatus: CacheStatus;
  errorClass: ErrorClass | null;
  /** One line, secrets redacted. */
  errorMessage: string | null;
  /** Size of the source object in bytes. */
  sourceSize: number;
  sizeCategory: SizeCategory;
  /** Requested width and height, when the derivative or variant has them. */
  width?: number;
  height?: number;
  /** ISO time the final attempt started. */
  startedAt: string;
  /** Address the request went to (`203.0.113.7:443`): the --edge given, else the one DNS gave. */
  edge?: string;
  /** The PoP or edge server that answered, normalised from the CDN's headers (common/pop.ts); null when none said. */
  pop?: string | null;
  /** The cache-key variant (--variant-header set) sent, e.g. `Accept: image/jpeg`. */
  cacheVariant?: string;
  /** Media duration in seconds, when the writer knows it (the load test's player falls back to it when a file's header has none). */
  durationSeconds?: number;
  /** HLS/DASH: the rendition a playlist, init or segment belongs to (`hls 640x360 587k`); statistics group by it. */
  rendition?: string;
  /** HLS media sequence number or DASH $Number$ of a segment. */
  sequence?: number;
  /** The part of the resource asked for (EXT-X-BYTERANGE, DASH @mediaRange), `start-end` inclusive. */
  byteRange?: string;
}

/** The results JSON written at the end of a pre-warming run. */
export interface ResultsFile {
  version: 1;
  generatedAt: string;
  /** Base URL with secrets redacted. */
  baseUrl: string;
  urlFormat: string;
  records: ResultsRecord[];
}
