// Does time grow with size? Pearson correlation and the least-squares slope from
// streaming sums (no values kept), plus the predicted time for a given size.
import { MIB } from '../../common/byte-size.js';

export interface SizeTimeCorrelation {
  count: number;
  /** Pearson r between source size (bytes) and total time (ms); null below 2 points or no variance. */
  pearson: number | null;
  /** Least-squares slope in ms per MiB; null when undefined. */
  slopeMsPerMiB: number | null;
  /** Intercept in ms. */
  interceptMs: number | null;
  /** Predicted total time for a 100 MB (10^8 bytes) file, ms; null when sizes span less than 1 MiB (no basis to extrapolate). */
  estimatedMsFor100MB: number | null;
}

export interface CorrelationTracker {
  add(sizeBytes: number, ms: number): void;
  snapshot(): SizeTimeCorrelation;
}

export function createCorrelationTracker(): CorrelationTracker {
  // Sizes in MiB keep the sums well inside double precision.
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  let minX = Infinity;
  let maxX = -Infinity;
  return {
    add(sizeBytes, ms) {
      if (!Number.isFinite(sizeBytes) || !Number.isFinite(ms)) return;
      const x = sizeBytes / MIB;
      n++;
      sx += x;
      sy += ms;
      sxx += x * x;
      syy += ms * ms;
      sxy += x * ms;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
    },
    snapshot() {
      const varX = n * sxx - sx * sx;
      const varY = n * syy - sy * sy;
      const cov = n * sxy - sx * sy;
      // Relative thresholds: rounding leaves tiny non-zero variances for constant data.
      const hasX = n >= 2 && varX > 1e-12 * Math.max(1, n * sxx);
      const hasY = n >= 2 && varY > 1e-12 * Math.max(1, n * syy);
      const slope = hasX ? cov / varX : null;
      const intercept = slope === null ? null : (sy - slope * sx) / n;
      const pearson = hasX && hasY ? Math.max(-1, Math.min(1, cov / Math.sqrt(varX * varY))) : null;
      return {
        count: n,
        pearson,
        slopeMsPerMiB: slope,
        interceptMs: intercept,
        estimatedMsFor100MB: slope === null || intercept === null || maxX - minX < 1 ? null : intercept + slope * (1e8 / MIB),
      };
    },
  };
}
