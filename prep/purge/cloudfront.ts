// CloudFront: CreateInvalidation through @aws-sdk/client-cloudfront (credentials from
// the AWS chain, --profile), one invalidation per batch of paths. CloudFront allows
// 3,000 file paths and 15 wildcard paths in progress per distribution
// (InvalidationLimits.html): a batch that would go over waits for the earlier
// invalidations to complete (the SDK's waiter), and TooManyInvalidationsInProgress is
// retried after a pause. --wait waits for every invalidation with the same waiter.
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { loadCloudFrontSdk } from '../../lib/aws-sdk.js';
import { oneLine } from '../../lib/errors.js';
import { redactText } from '../../common/redact.js';
import type { CallOutcome, PurgeProvider } from './provider.js';

export const CLOUDFRONT_MAX_PATHS_IN_PROGRESS = 3000;
export const CLOUDFRONT_MAX_WILDCARDS_IN_PROGRESS = 15;

export interface CloudFrontOptions {
  distributionId: string;
  profile?: string;
  region?: string;
  /** Wait for every invalidation to complete before exiting. */
  wait: boolean;
  /** Longest wait for one invalidation, seconds. */
  waitTimeoutSeconds: number;
  /** Waiter polling interval, seconds (the SDK's default is 20). */
  pollSeconds: number;
  /** Pause after TooManyInvalidationsInProgress, ms. */
  inProgressPauseMs: number;
  /** Paths per invalidation (at most 3,000). */
  batchSize?: number;
  /** A CloudFront API endpoint other than AWS's (a proxy, or a local test server). */
  endpoint?: string;
}

interface Sent {
  id: string;
  items: readonly string[];
  wildcards: number;
  done: boolean;
}

const isWildcard = (p: string) => p.endsWith('*');

function classify(err: unknown, inProgressPauseMs: number): CallOutcome {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const message = redactText(`${name}: ${oneLine(err)}`);
  if (name === 'TooManyInvalidationsInProgress') return { ok: false, retryable: true, throttled: true, status, retryAfterMs: inProgressPauseMs, message };
  if (/^(Throttling|ThrottlingException|TooManyRequestsException|RequestLimitExceeded)$/.test(name) || status === 429) return { ok: false, retryable: true, throttled: true, status, message };
  if (status === undefined || status >= 500 || e.$retryable) return { ok: false, retryable: true, status, message };
  return { ok: false, retryable: false, status, message };
}

export async function cloudFrontProvider(o: CloudFrontOptions): Promise<PurgeProvider> {
  const sdk = await loadCloudFrontSdk();
  let client: CloudFrontClient | undefined;
  const cf = () =>
    (client ??= new sdk.CloudFrontClient({
      // CloudFront's API lives in us-east-1 whatever the distribution serves.
      region: o.region || 'us-east-1',
      profile: o.profile || undefined,
      endpoint: o.endpoint || undefined,
      // The purge core retries (429, 5xx, the in-progress limit) with its own back-off.
      maxAttempts: 1,
    }));
  const sent: Sent[] = [];
  // One CallerReference per batch, kept across retries: CloudFront then never creates the same invalidation twice.
  const references = new WeakMap<readonly string[], string>();
  let serial = 0;

  const waitFor = async (s: Sent, maxWaitTime: number, signal?: AbortSignal) => {
    await sdk.waitUntilInvalidationCompleted(
      { client: cf(), maxWaitTime, minDelay: o.pollSeconds, maxDelay: Math.max(o.pollSeconds, Math.min(120, o.pollSeconds * 4)), abortSignal: signal as never },
      { DistributionId: o.distributionId, Id: s.id },
    );
    s.done = true;
  };

  /** Waits until `paths` more paths (and `wildcards` wildcards) fit under CloudFront's in-progress limits. */
  const makeRoom = async (paths: number, wildcards: number) => {
    for (const s of sent) {
      const open = sent.filter((x) => !x.done);
      const pathsOpen = open.reduce((n, x) => n + x.items.length - x.wildcards, 0);
      const wildOpen = open.reduce((n, x) => n + x.wildcards, 0);
      if (pathsOpen + paths <= CLOUDFRONT_MAX_PATHS_IN_PROGRESS && wildOpen + wildcards <= CLOUDFRONT_MAX_WILDCARDS_IN_PROGRESS) return;
      if (!s.done) await waitFor(s, o.waitTimeoutSeconds);
    }
  };

  return {
    name: 'cloudfront',
    itemLabel: 'path',
    maxBatch: Math.min(CLOUDFRONT_MAX_PATHS_IN_PROGRESS, o.batchSize ?? CLOUDFRONT_MAX_PATHS_IN_PROGRESS),
    // A batch never holds more wildcards than may be in progress.
    fits: (batch, next) => !isWildcard(next) || batch.filter(isWildcard).length < CLOUDFRONT_MAX_WILDCARDS_IN_PROGRESS,
    // Invalidations go one after another: the in-progress limits are per distribution.
    limits: { concurrency: 1 },
    describe: (batch) =>
      `CreateInvalidation DistributionId=${o.distributionId} Paths.Quantity=${batch.length} Paths.Items=${JSON.stringify(batch)}`,
    async send(batch, signal): Promise<CallOutcome> {
      let ref = references.get(batch);
      if (!ref) references.set(batch, (ref = `media-toolkit-${Date.now()}-${process.pid}-${++serial}`));
      const wildcards = batch.filter(isWildcard).length;
      try {
        await makeRoom(batch.length - wildcards, wildcards);
        const r = await cf().send(
          new sdk.CreateInvalidationCommand({
            DistributionId: o.distributionId,
            InvalidationBatch: { CallerReference: ref, Paths: { Quantity: batch.length, Items: [...batch] } },
          }),
          { abortSignal: signal as never },
        );
        const id = r.Invalidation?.Id ?? '';
        sent.push({ id, items: batch, wildcards, done: r.Invalidation?.Status === 'Completed' });
        return { ok: true, id };
      } catch (err) {
        return classify(err, o.inProgressPauseMs);
      }
    },
    async finish(signal) {
      if (!o.wait) return [];
      const failed: Array<{ item: string; message: string }> = [];
      for (const s of sent) {
        if (s.done) continue;
        try {
          await waitFor(s, o.waitTimeoutSeconds, signal);
        } catch (err) {
          const why = (err as { name?: string }).name === 'TimeoutError' || /timed? ?out|exceeded/i.test(oneLine(err)) ? `not completed within ${o.waitTimeoutSeconds} s` : oneLine(err);
          for (const item of s.items) failed.push({ item, message: redactText(`invalidation ${s.id}: ${why}`) });
        }
      }
      return failed;
    },
    async close() {
      client?.destroy();
    },
  };
}
