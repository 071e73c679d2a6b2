// Waiting between attempts: exponential back-off with jitter, or what the server asked for.

/**
 * Delay before attempt n+1 after n failed ones: base * 2^(n-1), capped, with
 * "equal jitter" (half fixed, half random) so a burst of failures does not
 * come back as one synchronised burst.
 */
export function backoffDelay(failedAttempts: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, failedAttempts - 1));
  return exp / 2 + random() * (exp / 2);
}

/** Retry-After as ms: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | null {
  if (value === undefined) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  if (Number.isNaN(t)) return null;
  return Math.max(0, t - now);
}
