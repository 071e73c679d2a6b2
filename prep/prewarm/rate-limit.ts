// --rate R: at most R requests a second, evenly spaced (no bursts), shared by all workers.

export function createRateLimiter(perSecond: number): () => Promise<void> | void {
  const interval = 1000 / perSecond;
  let next = 0;
  return () => {
    const now = performance.now();
    const at = Math.max(now, next);
    next = at + interval;
    const wait = at - now;
    if (wait < 0.5) return;
    return new Promise<void>((resolve) => setTimeout(resolve, wait));
  };
}
