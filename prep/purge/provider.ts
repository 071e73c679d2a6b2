// What every purge provider gives the shared core: how many items one call takes,
// the documented rate limits, how to describe a call (--dry-run) and how to send it.
// Items are what the provider's API purges: URLs, CloudFront paths, surrogate keys,
// CP codes or prefixes.

/** The answer to one call, as the core needs it. */
export type CallOutcome =
  | {
      ok: true;
      /** The provider's id for the purge (invalidation id, purge id). */
      id?: string;
      /** Items of the call the API did not accept (a partial failure). */
      failed?: Array<{ item: string; message: string }>;
      /** Items the cache did not hold (nginx cache purge answers 404): nothing to purge, not a failure. */
      notCached?: number;
    }
  | {
      ok: false;
      /** Worth trying again (429, 5xx, timeouts, connection errors, CloudFront's in-progress limit). */
      retryable: boolean;
      /** Wait this long before trying again (Retry-After, or the API's documented pause). */
      retryAfterMs?: number | null;
      /** 429 or the API's own throttling answer. */
      throttled?: boolean;
      status?: number;
      /** One line, no secret. */
      message: string;
    };

/** Documented limits the core keeps to (token buckets), and how many calls run at once. */
export interface ProviderLimits {
  /** Calls a second, sustained; undefined = no limit of its own. */
  callsPerSecond?: number;
  /** Calls that may go at once after a pause (bucket size). */
  callBurst?: number;
  /** Items a second, sustained (e.g. Akamai: 200 URLs/s). */
  itemsPerSecond?: number;
  itemBurst?: number;
  /** Calls in flight at once. */
  concurrency: number;
}

export interface PurgeProvider {
  /** cloudfront, cloudflare, akamai, fastly, http. */
  name: string;
  /** What one item is, for messages: "URL", "path", "prefix", "surrogate key", "CP code". */
  itemLabel: string;
  /** Items per call at most. */
  maxBatch: number;
  /** Whether `next` still fits into a call holding `batch` (a byte budget, e.g. Akamai's 50,000-byte body). */
  fits?(batch: readonly string[], next: string): boolean;
  limits: ProviderLimits;
  /** The request one call would send, for --dry-run: method, URL and body, with no credential. */
  describe(batch: readonly string[]): string;
  send(batch: readonly string[], signal: AbortSignal): Promise<CallOutcome>;
  /** After the last call, e.g. CloudFront --wait; returns a message per item that did not complete. */
  finish?(signal: AbortSignal): Promise<Array<{ item: string; message: string }>>;
  close?(): Promise<void>;
}
