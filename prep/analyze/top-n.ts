// The N largest files through a min-heap of N: memory does not grow with the listing.
import { createHeap } from '../../storage/heap.js';
import { compareKeys } from '../../storage/key-order.js';
import type { StoredObject } from '../../storage/types.js';

export interface TopN {
  add(obj: StoredObject): void;
  /** Largest first; equal sizes by key. */
  result(): StoredObject[];
}

// "a is smaller" = a would leave the top first: smaller size, or same size and later key.
function smaller(a: StoredObject, b: StoredObject): boolean {
  return a.size !== b.size ? a.size < b.size : compareKeys(a.key, b.key) > 0;
}

export function createTopN(n: number): TopN {
  const heap = createHeap<StoredObject>(smaller);
  return {
    add(obj) {
      if (n <= 0) return;
      if (heap.size < n) heap.push({ key: obj.key, size: obj.size, lastModified: obj.lastModified, etag: obj.etag });
      else if (smaller(heap.peek()!, obj)) heap.replaceTop({ key: obj.key, size: obj.size, lastModified: obj.lastModified, etag: obj.etag });
    },
    result() {
      return heap.items().sort((a, b) => (smaller(a, b) ? 1 : smaller(b, a) ? -1 : 0));
    },
  };
}
