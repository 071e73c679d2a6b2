// A binary heap: the smallest item (by `less`) on top. Used for the priority of
// prefix listings and for the N largest files.

export interface Heap<T> {
  readonly size: number;
  push(item: T): void;
  peek(): T | undefined;
  pop(): T | undefined;
  /** Replaces the top (cheaper than pop + push). */
  replaceTop(item: T): void;
  /** The items, in no particular order. */
  items(): T[];
}

export function createHeap<T>(less: (a: T, b: T) => boolean): Heap<T> {
  const a: T[] = [];
  const up = (i: number) => {
    const x = a[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(x, a[p])) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = x;
  };
  const down = (i: number) => {
    const x = a[i];
    const n = a.length;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && less(a[c + 1], a[c])) c++;
      if (!less(a[c], x)) break;
      a[i] = a[c];
      i = c;
    }
    a[i] = x;
  };
  return {
    get size() {
      return a.length;
    },
    push(item) {
      a.push(item);
      up(a.length - 1);
    },
    peek() {
      return a[0];
    },
    pop() {
      if (a.length === 0) return undefined;
      const top = a[0];
      const last = a.pop()!;
      if (a.length > 0) {
        a[0] = last;
        down(0);
      }
      return top;
    },
    replaceTop(item) {
      a[0] = item;
      down(0);
    },
    items() {
      return [...a];
    },
  };
}
