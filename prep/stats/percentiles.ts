// Percentiles in bounded memory: an HDR histogram of microseconds (3 significant
// digits, so p99 of 1234.5 ms is exact to about 1 ms), whatever the number of values.
import { createRequire } from 'node:module';
import type { Histogram } from 'hdr-histogram-js';

// The plain-JS 32-bit histogram only: the package's index also decodes its
// WebAssembly build at load time, which costs ~15 MB of RSS for nothing here.
type HistogramCtor = new (lowest: number, highest: number, digits: number) => Histogram;
const Int32Histogram = (createRequire(import.meta.url)('hdr-histogram-js/dist/Int32Histogram.js') as { default: HistogramCtor }).default;

export interface PercentileSnapshot {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
}

export interface PercentileTracker {
  /** Adds a duration in milliseconds. */
  add(ms: number): void;
  snapshot(): PercentileSnapshot;
}

const MAX_US = 24 * 3600 * 1e6;

export function createPercentileTracker(): PercentileTracker {
  let h: Histogram | undefined;
  return {
    add(ms) {
      if (!Number.isFinite(ms) || ms < 0) return;
      // Built on first use: groups that never see a value cost nothing.
      if (!h) {
        h = new Int32Histogram(1, MAX_US, 3);
        h.autoResize = true;
      }
      h.recordValue(Math.min(MAX_US, Math.max(1, Math.round(ms * 1000))));
    },
    snapshot() {
      if (!h || h.totalCount === 0) return { p50: 0, p90: 0, p95: 0, p99: 0 };
      const at = (pct: number) => round3(h!.getValueAtPercentile(pct) / 1000);
      return { p50: at(50), p90: at(90), p95: at(95), p99: at(99) };
    },
  };
}

export function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
