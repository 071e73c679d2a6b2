// Merging the distributions of several k6 runners: each runner's Trend comes
// with its quantile grid (p(1) .. p(99), p(99.5), p(99.9), see QUANTILE_GRID),
// min, max and count, which fix its distribution function to within 1% of
// rank. The merged distribution is the count-weighted mix of the runners';
// a merged percentile is found by bisection on it, so it is within one
// percentile rank of the exact one (the merged p(95) lies between the exact
// p(94) and p(96) of all samples).
import { QUANTILE_GRID } from './summary.js';

export interface TrendSketch {
  count: number;
  min: number;
  max: number;
  /** Values at QUANTILE_GRID (percent). */
  q: number[];
}

/** A runner's distribution function at x: the share of its samples at or below x (piecewise linear between grid points). */
export function cdf(s: TrendSketch, x: number): number {
  if (x < s.min) return 0;
  if (x >= s.max) return 1;
  // Points: (min, 0), (q[i], grid[i]/100), (max, 1).
  let px = s.min;
  let py = 0;
  for (let i = 0; i <= s.q.length; i++) {
    const nx = i < s.q.length ? s.q[i] : s.max;
    const ny = i < s.q.length ? QUANTILE_GRID[i] / 100 : 1;
    if (x < nx) return nx > px ? py + ((x - px) / (nx - px)) * (ny - py) : ny;
    px = nx;
    py = ny;
  }
  return 1;
}

/** The p-th percentile (0..100) of the runners' samples together. */
export function mergedPercentile(sketches: readonly TrendSketch[], p: number): number | undefined {
  const live = sketches.filter((s) => s.count > 0 && s.q.length === QUANTILE_GRID.length && s.q.every((v) => Number.isFinite(v)));
  if (live.length === 0) return undefined;
  const total = live.reduce((a, s) => a + s.count, 0);
  let lo = Math.min(...live.map((s) => s.min));
  let hi = Math.max(...live.map((s) => s.max));
  const target = p / 100;
  for (let i = 0; i < 80 && hi - lo > 1e-9 * Math.max(1, Math.abs(hi)); i++) {
    const mid = (lo + hi) / 2;
    const f = live.reduce((a, s) => a + s.count * cdf(s, mid), 0) / total;
    if (f < target) lo = mid;
    else hi = mid;
  }
  return hi;
}
