// The size report of a listing, accumulated one object at a time in bounded
// memory: exact counts and sums, quantiles from a sketch (exact up to 100,000
// files), the N largest through a heap, and fixed-size tables for the rest.
import { MIB } from '../../common/byte-size.js';
import { sizeCategory, type SizeThresholds } from '../../common/size-category.js';
import type { SizeCategory } from '../../common/results-record.js';
import { extensionOf, mediaTypeOf } from '../../common/media-type.js';
import type { StoredObject } from '../../storage/types.js';
import { createQuantileSketch, type SketchOptions } from './quantiles.js';
import { createTopN } from './top-n.js';
import { estimateSavings, SAVINGS_ASSUMPTION_NOTE, type SavingsEstimate } from './savings.js';

export interface SizeReportOptions {
  /** Files above this many MiB are reported (default 256). */
  sizeThresholdMiB?: number;
  thresholds?: SizeThresholds;
  /** How many of the largest files to list (default 20). */
  top?: number;
  /** What was analysed, for the report header (no secrets). */
  source?: string;
  sketch?: SketchOptions;
  /** Distinct extensions tracked; the rest are counted under "(other)" (default 1000). */
  maxExtensions?: number;
  /** Fixed time for reproducible reports (tests). */
  now?: Date;
}

export interface FileEntry {
  key: string;
  size: number;
  lastModified: string;
  /** Share of all bytes, 0..1. */
  share: number;
}

export interface CategoryRow {
  category: SizeCategory;
  /** Bytes range, inclusive/exclusive as in common/size-category.ts. */
  range: string;
  count: number;
  bytes: number;
  countShare: number;
  bytesShare: number;
}

export interface HistogramRow {
  /** Inclusive lower bound; 0 for the zero-byte row. */
  fromBytes: number;
  /** Exclusive upper bound (a power of two); 1 for the zero-byte row. */
  toBytes: number;
  count: number;
  bytes: number;
}

export interface ExtensionRow {
  /** Lower-case with dot; '' for none; '(other)' past maxExtensions. */
  extension: string;
  count: number;
  bytes: number;
  bytesShare: number;
}

export interface SizeReport {
  version: 1;
  generatedAt: string;
  source: string;
  count: number;
  totalBytes: number;
  /** null when there are no files. */
  stats: { min: number; max: number; mean: number; median: number; p90: number; p99: number } | null;
  quantiles: { method: 'exact' | 'sketch'; relativeError: number; definition: string };
  thresholds: { smallMiB: number; mediumMiB: number; sizeThresholdMiB: number };
  categories: CategoryRow[];
  histogram: HistogramRow[];
  extensions: ExtensionRow[];
  largest: FileEntry[];
  aboveThreshold: {
    thresholdBytes: number;
    count: number;
    bytes: number;
    bytesShare: number;
    /** The largest of them (at most --top). */
    files: FileEntry[];
    videoCount: number;
    videoBytes: number;
  };
  savings: { basis: string; bytes: number; note: string; estimates: SavingsEstimate[] };
}

export interface SizeAnalysis {
  add(obj: StoredObject): void;
  report(): SizeReport;
}

const share = (part: number, whole: number) => (whole > 0 ? part / whole : 0);

/** Bucket index for the power-of-two histogram: -1 for 0 bytes, k for [2^k, 2^(k+1)). */
function log2Bucket(size: number): number {
  if (size <= 0) return -1;
  return Math.floor(Math.log2(size));
}

export function createSizeAnalysis(opts: SizeReportOptions = {}): SizeAnalysis {
  const thresholds = opts.thresholds ?? { smallMiB: 50, mediumMiB: 200 };
  const sizeThresholdMiB = opts.sizeThresholdMiB ?? 256;
  const thresholdBytes = Math.round(sizeThresholdMiB * MIB);
  const topN = opts.top ?? 20;
  const maxExtensions = opts.maxExtensions ?? 1000;
  const sketch = createQuantileSketch(opts.sketch);
  const largest = createTopN(topN);
  const largestAbove = createTopN(topN);
  const cats: Record<SizeCategory, { count: number; bytes: number }> = { small: { count: 0, bytes: 0 }, medium: { count: 0, bytes: 0 }, large: { count: 0, bytes: 0 } };
  const hist = new Map<number, { count: number; bytes: number }>();
  const exts = new Map<string, { count: number; bytes: number }>();
  let count = 0;
  let total = 0;
  let min = Infinity;
  let max = -Infinity;
  const above = { count: 0, bytes: 0, videoCount: 0, videoBytes: 0 };

  return {
    add(obj) {
      const size = obj.size;
      count++;
      total += size;
      if (size < min) min = size;
      if (size > max) max = size;
      sketch.add(size);
      largest.add(obj);
      const c = cats[sizeCategory(size, thresholds)];
      c.count++;
      c.bytes += size;
      const b = log2Bucket(size);
      const h = hist.get(b);
      if (h) {
        h.count++;
        h.bytes += size;
      } else hist.set(b, { count: 1, bytes: size });
      let ext = extensionOf(obj.key);
      if (!exts.has(ext) && exts.size >= maxExtensions) ext = '(other)';
      const e = exts.get(ext);
      if (e) {
        e.count++;
        e.bytes += size;
      } else exts.set(ext, { count: 1, bytes: size });
      if (size > thresholdBytes) {
        above.count++;
        above.bytes += size;
        largestAbove.add(obj);
        if (mediaTypeOf(obj.key) === 'video') {
          above.videoCount++;
          above.videoBytes += size;
        }
      }
    },

    report() {
      const entry = (o: StoredObject): FileEntry => ({ key: o.key, size: o.size, lastModified: o.lastModified, share: share(o.size, total) });
      const histogram: HistogramRow[] = [];
      if (count > 0) {
        const zero = hist.get(-1);
        if (zero) histogram.push({ fromBytes: 0, toBytes: 1, count: zero.count, bytes: 0 });
        const ks = [...hist.keys()].filter((k) => k >= 0);
        if (ks.length > 0) {
          // Contiguous from the smallest to the largest bucket, empty ones included, so charts read true.
          for (let k = Math.min(...ks); k <= Math.max(...ks); k++) {
            const h = hist.get(k) ?? { count: 0, bytes: 0 };
            histogram.push({ fromBytes: 2 ** k, toBytes: 2 ** (k + 1), count: h.count, bytes: h.bytes });
          }
        }
      }
      const ranges: Record<SizeCategory, string> = {
        small: `< ${thresholds.smallMiB} MiB`,
        medium: `${thresholds.smallMiB} to ${thresholds.mediumMiB} MiB`,
        large: `> ${thresholds.mediumMiB} MiB`,
      };
      return {
        version: 1,
        generatedAt: (opts.now ?? new Date()).toISOString(),
        source: opts.source ?? '',
        count,
        totalBytes: total,
        stats:
          count === 0
            ? null
            : {
                min,
                max,
                mean: total / count,
                median: sketch.quantile(0.5),
                p90: sketch.quantile(0.9),
                p99: sketch.quantile(0.99),
              },
        quantiles: {
          method: sketch.method,
          relativeError: sketch.relativeError,
          definition:
            sketch.method === 'exact'
              ? 'exact nearest-rank quantiles (the size at rank ceil(q * count))'
              : `nearest-rank quantiles estimated from a log-bucketed histogram, each within ±${(sketch.relativeError * 100).toFixed(1)}% of the true size`,
        },
        thresholds: { smallMiB: thresholds.smallMiB, mediumMiB: thresholds.mediumMiB, sizeThresholdMiB },
        categories: (['small', 'medium', 'large'] as SizeCategory[]).map((category) => ({
          category,
          range: ranges[category],
          count: cats[category].count,
          bytes: cats[category].bytes,
          countShare: share(cats[category].count, count),
          bytesShare: share(cats[category].bytes, total),
        })),
        histogram,
        extensions: [...exts.entries()]
          .map(([extension, v]) => ({ extension, count: v.count, bytes: v.bytes, bytesShare: share(v.bytes, total) }))
          .sort((a, b) => b.bytes - a.bytes || b.count - a.count || (a.extension < b.extension ? -1 : 1)),
        largest: largest.result().map(entry),
        aboveThreshold: {
          thresholdBytes,
          count: above.count,
          bytes: above.bytes,
          bytesShare: share(above.bytes, total),
          files: largestAbove.result().map(entry),
          videoCount: above.videoCount,
          videoBytes: above.videoBytes,
        },
        savings: {
          basis: `the ${above.videoCount} video file(s) above ${sizeThresholdMiB} MiB`,
          bytes: above.videoBytes,
          note: SAVINGS_ASSUMPTION_NOTE,
          estimates: estimateSavings(above.videoBytes),
        },
      };
    },
  };
}

/** Runs a whole listing through the analysis. */
export async function analyzeListing(objects: AsyncIterable<StoredObject>, opts: SizeReportOptions = {}, onProgress?: (n: number) => void): Promise<SizeReport> {
  const analysis = createSizeAnalysis(opts);
  let n = 0;
  for await (const o of objects) {
    analysis.add(o);
    if (onProgress && ++n % 1000 === 0) onProgress(n);
  }
  return analysis.report();
}
