// The machine's cores, shared by every encoder process of a run: a process
// that uses N threads holds N slots while it runs. Workers and the segments of
// --segment-parallel together never run more encoder threads than there are
// cores (no workers x segments x threads oversubscription).
import { availableParallelism } from 'node:os';

export class CpuBudget {
  private free: number;
  private readonly waiting: { slots: number; go: () => void }[] = [];

  constructor(readonly total = availableParallelism()) {
    this.free = total;
  }

  /** Runs fn holding `slots` cores (at most all of them); waits in line for them. */
  async run<T>(slots: number, fn: () => Promise<T>): Promise<T> {
    const want = Math.max(1, Math.min(this.total, Math.round(slots)));
    await this.acquire(want);
    try {
      return await fn();
    } finally {
      this.release(want);
    }
  }

  /** Cores not held by any process right now. */
  get available(): number {
    return this.free;
  }

  private acquire(slots: number): Promise<void> {
    // First come, first served: a big request is not starved by a stream of small ones.
    if (this.waiting.length === 0 && this.free >= slots) {
      this.free -= slots;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push({ slots, go: resolve }));
  }

  private release(slots: number): void {
    this.free += slots;
    while (this.waiting.length && this.free >= this.waiting[0].slots) {
      const next = this.waiting.shift()!;
      this.free -= next.slots;
      next.go();
    }
  }
}
