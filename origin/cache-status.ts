// The simulated edge cache: the first response for a cache key (key + transform)
// is a MISS, later ones are HITs with an Age. Only first-render times are kept;
// past maxEntries the oldest are forgotten (as an edge evicts), which bounds
// memory when a benchmark requests millions of distinct URLs.

export interface EdgeCache {
  /** Records a response for cacheKey; says whether it was a hit and its age in seconds. */
  touch(cacheKey: string, now?: number): { hit: boolean; ageSeconds: number };
  size(): number;
  clear(): void;
}

export function createEdgeCache(maxEntries = 2_000_000): EdgeCache {
  const firstAt = new Map<string, number>();
  return {
    touch(cacheKey, now = Date.now()) {
      const at = firstAt.get(cacheKey);
      if (at !== undefined) return { hit: true, ageSeconds: Math.max(0, Math.floor((now - at) / 1000)) };
      if (firstAt.size >= maxEntries) {
        // Map iterates in insertion order: the first key is the oldest.
        const oldest = firstAt.keys().next();
        if (!oldest.done) firstAt.delete(oldest.value);
      }
      firstAt.set(cacheKey, now);
      return { hit: false, ageSeconds: 0 };
    },
    size: () => firstAt.size,
    clear: () => firstAt.clear(),
  };
}
