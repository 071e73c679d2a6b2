// Runs async work over items with at most `concurrency` at a time, in order of items.
export async function runPool<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}

/**
 * Like runPool, but the first failure stops the rest: no new item starts, `stop` is aborted (so the
 * running ones can end their processes), and the promise rejects with that first error only after
 * every running item has returned.
 */
export async function runPoolFailFast<T, R>(items: readonly T[], concurrency: number, stop: AbortController, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let first: { err: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !first && !stop.signal.aborted) {
      const i = next++;
      try {
        results[i] = await fn(items[i], i);
      } catch (err) {
        if (!first) {
          first = { err };
          stop.abort();
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  if (first) throw first.err;
  if (stop.signal.aborted) throw new Error('stopped');
  return results;
}
