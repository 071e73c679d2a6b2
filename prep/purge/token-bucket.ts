// A token bucket, the model Cloudflare, Akamai and Fastly document for their purge
// limits: `rate` tokens a second refill a bucket of `burst`; a call takes as many
// tokens as it needs (capped at the bucket size) and waits until they are there.
import { sleep } from '../../lib/sleep.js';

export interface TokenBucket {
  take(n?: number, signal?: AbortSignal): Promise<void>;
}

export function createTokenBucket(rate: number, burst = Math.max(1, rate), now: () => number = () => performance.now()): TokenBucket {
  let tokens = burst;
  let last = now();
  // Takers queue in order, so a large call is not starved by small ones.
  let queue: Promise<void> = Promise.resolve();
  const refill = () => {
    const t = now();
    tokens = Math.min(burst, tokens + ((t - last) / 1000) * rate);
    last = t;
  };
  return {
    take(n = 1, signal) {
      const need = Math.min(n, burst);
      const mine = queue.then(async () => {
        for (;;) {
          if (signal?.aborted) return;
          refill();
          if (tokens >= need) {
            tokens -= need;
            return;
          }
          const waitMs = Math.max(1, ((need - tokens) / rate) * 1000);
          await sleep(waitMs, signal);
        }
      });
      queue = mine;
      return mine;
    },
  };
}
