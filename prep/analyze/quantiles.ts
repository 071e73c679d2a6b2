// Quantiles of file sizes in bounded memory. Up to `exactUpTo` sizes are kept
// and quantiles are exact; past that, sizes go into a log-bucketed histogram
// (DDSketch-style buckets of ratio (1+a)/(1-a)), whose estimates are within a
// relative error `a` of the true value (default 1%). Memory: one counter per
// bucket, under 2,000 buckets for sizes from 1 byte to 1 PB.

export interface QuantileSketch {
  add(size: number): void;
  /** Nearest-rank quantile (q in 0..1): the size at rank ceil(q*n). NaN when empty. */
  quantile(q: number): number;
  readonly count: number;
  /** 'exact' while every size is kept, else 'sketch'. */
  readonly method: 'exact' | 'sketch';
  /** 0 when exact, else the bound on the relative error of every quantile. */
  readonly relativeError: number;
}

export interface SketchOptions {
  exactUpTo?: number;
  relativeError?: number;
}

export function createQuantileSketch(opts: SketchOptions = {}): QuantileSketch {
  const exactUpTo = opts.exactUpTo ?? 100_000;
  const alpha = opts.relativeError ?? 0.01;
  const gamma = (1 + alpha) / (1 - alpha);
  const logGamma = Math.log(gamma);
  let exact: Float64Array | null = new Float64Array(Math.min(1024, Math.max(exactUpTo, 1)));
  let n = 0;
  let zeros = 0;
  let min = Infinity;
  let max = -Infinity;
  const buckets = new Map<number, number>();
  let sorted = true;

  const toSketch = (v: number) => {
    if (v <= 0) zeros++;
    else {
      const i = Math.ceil(Math.log(v) / logGamma);
      buckets.set(i, (buckets.get(i) ?? 0) + 1);
    }
  };

  return {
    get count() {
      return n;
    },
    get method() {
      return exact ? 'exact' : 'sketch';
    },
    get relativeError() {
      return exact ? 0 : alpha;
    },
    add(size) {
      n++;
      if (size < min) min = size;
      if (size > max) max = size;
      if (exact) {
        if (n <= exactUpTo) {
          if (n > exact.length) {
            const bigger = new Float64Array(Math.min(exactUpTo, exact.length * 2));
            bigger.set(exact);
            exact = bigger;
          }
          exact[n - 1] = size;
          sorted = false;
          return;
        }
        for (let i = 0; i < n - 1; i++) toSketch(exact[i]);
        exact = null;
      }
      toSketch(size);
    },
    quantile(q) {
      if (n === 0) return NaN;
      const rank = Math.min(n, Math.max(1, Math.ceil(q * n)));
      if (exact) {
        if (!sorted) {
          exact.subarray(0, n).sort();
          sorted = true;
        }
        return exact[rank - 1];
      }
      if (rank <= zeros) return 0;
      let seen = zeros;
      const keys = [...buckets.keys()].sort((a, b) => a - b);
      for (const i of keys) {
        seen += buckets.get(i)!;
        if (seen >= rank) {
          // The bucket's midpoint (relative error <= alpha), in whole bytes.
          const estimate = Math.round((2 * Math.pow(gamma, i)) / (gamma + 1));
          return Math.min(max, Math.max(min, estimate));
        }
      }
      return max;
    },
  };
}
