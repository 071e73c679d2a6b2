// Adaptive concurrency per target (origin and edge): when 429 or 503 answers come
// back, requests in flight to that target are cut (multiplicative decrease, halved),
// then grow back by one per window of answers without throttling (additive increase)
// up to --workers, as TCP's congestion control does. --no-adaptive turns it off.

export interface ConcurrencyLimiter {
  /** Resolves when a request to `target` may start. */
  acquire(target: string): void | Promise<void>;
  /** The request that acquire() allowed has its answer; throttled = 429 or 503. */
  release(target: string, throttled: boolean, startedAt: number): void;
  /** Sum of the current limits of the targets seen (capped at the maximum), for the summary's timeline. */
  allowed(): number;
  /** Lowest limit any target was cut to, and how many cuts there were. */
  readonly lowest: number;
  readonly cuts: number;
  /** Wakes every waiting request (shutdown). */
  close(): void;
}

interface TargetState {
  limit: number;
  inFlight: number;
  /** Fractional growth towards the next +1. */
  credit: number;
  /** performance.now() of the last cut: answers to requests sent before it do not cut again. */
  cutAt: number;
  waiters: (() => void)[];
}

export function createConcurrencyLimiter(max: number): ConcurrencyLimiter {
  const targets = new Map<string, TargetState>();
  let lowest = max;
  let cuts = 0;
  let closed = false;
  const state = (t: string) => {
    let s = targets.get(t);
    if (!s) targets.set(t, (s = { limit: max, inFlight: 0, credit: 0, cutAt: -Infinity, waiters: [] }));
    return s;
  };
  const wake = (s: TargetState) => {
    while (s.waiters.length > 0 && s.inFlight < s.limit) {
      s.inFlight++;
      s.waiters.shift()!();
    }
  };
  return {
    acquire(target) {
      const s = state(target);
      if (closed || s.inFlight < s.limit) {
        s.inFlight++;
        return;
      }
      return new Promise<void>((resolve) => s.waiters.push(resolve));
    },
    release(target, throttled, startedAt) {
      const s = state(target);
      s.inFlight = Math.max(0, s.inFlight - 1);
      if (throttled) {
        // One cut per round trip: the answers to requests already in flight at the cut are old news.
        if (startedAt >= s.cutAt) {
          s.limit = Math.max(1, Math.floor(Math.min(s.limit, s.inFlight + 1) / 2));
          s.cutAt = performance.now();
          s.credit = 0;
          cuts++;
          lowest = Math.min(lowest, s.limit);
        }
      } else if (s.limit < max) {
        s.credit += 1 / s.limit;
        if (s.credit >= 1) {
          s.credit -= 1;
          s.limit++;
        }
      }
      wake(s);
    },
    allowed() {
      let sum = 0;
      for (const s of targets.values()) sum += s.limit;
      return targets.size === 0 ? max : Math.min(max, sum);
    },
    get lowest() {
      return lowest;
    },
    get cuts() {
      return cuts;
    },
    close() {
      closed = true;
      for (const s of targets.values()) {
        const w = s.waiters;
        s.waiters = [];
        for (const r of w) r();
      }
    },
  };
}
