// The shared core of every purge provider: items are streamed into calls of the
// provider's batch size (and byte budget), sent by at most `concurrency` calls at
// once within the provider's documented rates (token buckets), and retried after a
// 429 (honouring Retry-After, pausing every call, not just the throttled one), a 5xx,
// a timeout or a connection error. What finally failed is returned item by item, so
// the run can be repeated for those alone.
import { backoffDelay } from '../prewarm/backoff.js';
import { oneLine } from '../../lib/errors.js';
import { redactText } from '../../common/redact.js';
import { createTokenBucket, type TokenBucket } from './token-bucket.js';
import type { CallOutcome, PurgeProvider } from './provider.js';

export interface CoreOptions {
  /** Print what each call would send; send nothing. */
  dryRun?: boolean;
  /** Extra attempts for a call that failed in a way worth retrying. */
  retries: number;
  /** Time limit of one call, ms. */
  timeoutMs: number;
  /** Retry-After longer than this is cut to it, ms. */
  maxRetryAfterMs: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Overrides of the provider's limits (--concurrency, --rate = calls a second). */
  concurrency?: number;
  callsPerSecond?: number;
  /** Where --dry-run prints each call. */
  print?: (line: string) => void;
  /** Aborted: no new call starts; calls in flight finish; items not sent are failed as "not sent". */
  stop?: AbortSignal;
  onProgress?: (c: PurgeCounters) => void;
}

export interface PurgeCounters {
  items: number;
  calls: number;
  purged: number;
  failed: number;
  inFlight: number;
}

export interface PurgeOutcome {
  /** Items read from the input. */
  items: number;
  /** Calls sent (every attempt counts), or that would be sent in a dry run. */
  calls: number;
  purged: number;
  /** Items the cache did not hold (HTTP PURGE answered 404). */
  notCached: number;
  failed: Array<{ item: string; message: string }>;
  /** Attempts after the first. */
  retries: number;
  /** 429 / throttling answers. */
  throttled: number;
  /** Ids the provider gave (invalidations, purges). */
  ids: string[];
  durationMs: number;
  interrupted: boolean;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs the provider's send with a time limit; a throw becomes a retryable failure. */
async function sendOnce(p: PurgeProvider, batch: readonly string[], timeoutMs: number): Promise<CallOutcome> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  try {
    return await p.send(batch, controller.signal);
  } catch (err) {
    const message = controller.signal.aborted ? `timed out after ${timeoutMs / 1000} s` : oneLine(err);
    return { ok: false, retryable: true, message: redactText(message) };
  } finally {
    clearTimeout(timer);
  }
}

export async function runPurgeCore(items: AsyncIterable<string>, p: PurgeProvider, o: CoreOptions): Promise<PurgeOutcome> {
  const started = Date.now();
  const out: PurgeOutcome = { items: 0, calls: 0, purged: 0, notCached: 0, failed: [], retries: 0, throttled: 0, ids: [], durationMs: 0, interrupted: false };
  const concurrency = Math.max(1, o.concurrency ?? p.limits.concurrency);
  const callRate = o.callsPerSecond ?? p.limits.callsPerSecond;
  const calls: TokenBucket | undefined = callRate ? createTokenBucket(callRate, o.callsPerSecond ? Math.max(1, o.callsPerSecond) : p.limits.callBurst) : undefined;
  const itemRate = p.limits.itemsPerSecond;
  const itemTokens: TokenBucket | undefined = itemRate ? createTokenBucket(itemRate, p.limits.itemBurst) : undefined;
  let pausedUntil = 0;
  let inFlight = 0;
  const running = new Set<Promise<void>>();
  let wake: (() => void) | undefined;
  const progress = () => o.onProgress?.({ items: out.items, calls: out.calls, purged: out.purged, failed: out.failed.length, inFlight });

  const fail = (batch: readonly string[], message: string) => {
    for (const item of batch) out.failed.push({ item, message });
  };

  async function call(batch: readonly string[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      // A 429 pauses every call: the bucket is the account's, not this call's.
      while (Date.now() < pausedUntil) await sleep(pausedUntil - Date.now());
      await calls?.take(1);
      await itemTokens?.take(batch.length);
      out.calls++;
      const r = await sendOnce(p, batch, o.timeoutMs);
      if (r.ok) {
        if (r.id) out.ids.push(r.id);
        const failed = r.failed ?? [];
        for (const f of failed) out.failed.push(f);
        out.notCached += r.notCached ?? 0;
        out.purged += batch.length - failed.length - (r.notCached ?? 0);
        return;
      }
      if (r.throttled) out.throttled++;
      if (!r.retryable || attempt > o.retries || o.stop?.aborted) {
        fail(batch, r.message + (attempt > 1 ? ` (after ${attempt} attempts)` : ''));
        return;
      }
      out.retries++;
      const delay = r.retryAfterMs != null ? Math.min(r.retryAfterMs, o.maxRetryAfterMs) + Math.random() * 100 : backoffDelay(attempt, o.backoffBaseMs ?? 1000, o.backoffMaxMs ?? 30_000);
      if (r.throttled) pausedUntil = Math.max(pausedUntil, Date.now() + delay);
      await sleep(delay, o.stop);
    }
  }

  async function dispatch(batch: string[]): Promise<void> {
    if (o.dryRun) {
      out.calls++;
      o.print?.(redactText(p.describe(batch)));
      return;
    }
    while (inFlight >= concurrency) await new Promise<void>((resolve) => (wake = resolve));
    if (o.stop?.aborted) {
      fail(batch, 'not sent (interrupted)');
      return;
    }
    inFlight++;
    const task = call(batch).finally(() => {
      inFlight--;
      running.delete(task);
      progress();
      const w = wake;
      wake = undefined;
      w?.();
    });
    running.add(task);
  }

  let batch: string[] = [];
  for await (const item of items) {
    out.items++;
    if (o.stop?.aborted) {
      out.interrupted = true;
      if (batch.length) {
        fail(batch, 'not sent (interrupted)');
        batch = [];
      }
      out.failed.push({ item, message: 'not sent (interrupted)' });
      continue;
    }
    if (batch.length > 0 && (batch.length >= p.maxBatch || (p.fits && !p.fits(batch, item)))) {
      await dispatch(batch);
      batch = [];
    }
    batch.push(item);
  }
  if (batch.length > 0) await dispatch(batch);
  while (running.size > 0) await Promise.race(running);
  if (!o.dryRun && p.finish && !o.stop?.aborted) {
    const late = await p.finish(o.stop ?? new AbortController().signal);
    for (const f of late) out.failed.push(f);
    out.purged -= late.length;
  }
  if (o.stop?.aborted) out.interrupted = true;
  out.durationMs = Date.now() - started;
  progress();
  return out;
}
