// Exact running count, mean, standard deviation, min and max in O(1) memory
// (Welford's algorithm: numerically stable, unlike sum of squares).

export interface RunningStats {
  add(value: number): void;
  readonly count: number;
  snapshot(): RunningStatsSnapshot;
}

export interface RunningStatsSnapshot {
  count: number;
  mean: number;
  /** Sample standard deviation (n - 1), 0 below two values. */
  stdDev: number;
  min: number;
  max: number;
}

export function createRunningStats(): RunningStats {
  let count = 0;
  let mean = 0;
  let m2 = 0;
  let min = Infinity;
  let max = -Infinity;
  return {
    add(value) {
      if (!Number.isFinite(value)) return;
      count++;
      const delta = value - mean;
      mean += delta / count;
      m2 += delta * (value - mean);
      if (value < min) min = value;
      if (value > max) max = value;
    },
    get count() {
      return count;
    },
    snapshot() {
      return {
        count,
        mean: count ? mean : 0,
        stdDev: count > 1 ? Math.sqrt(m2 / (count - 1)) : 0,
        min: count ? min : 0,
        max: count ? max : 0,
      };
    },
  };
}
