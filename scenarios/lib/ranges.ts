// Byte-range requests the way the reference toolkit models a video player
// scrubbing through files: 80% of requests carry a Range header, starting in
// the first third 50% of the time, the middle third 40%, and 66-85% 10%, for
// chunks of 50-500 KB. Pure and seedable: vitest checks the distribution.
import { uniformInt, type Rng } from './random.js';

export const KB = 1024;

export interface RangeOptions {
  /** Fraction 0..1 of requests that carry a Range header (default 0.8). */
  rangeProbability: number;
  /** Smallest chunk in bytes (default 50 KB). */
  minChunkBytes: number;
  /** Largest chunk in bytes (default 500 KB). */
  maxChunkBytes: number;
}

export const DEFAULT_RANGE_OPTIONS: RangeOptions = {
  rangeProbability: 0.8,
  minChunkBytes: 50 * KB,
  maxChunkBytes: 500 * KB,
};

/** Inclusive byte range; end null means open-ended (`bytes=start-`). */
export interface ByteRange {
  start: number;
  end: number | null;
}

export type RangeRegion = 'first' | 'middle' | 'end';

/** Where in the file a range starts, as fractions of its size: [from, to). */
export const REGION_BOUNDS: Record<RangeRegion, readonly [number, number]> = {
  first: [0, 1 / 3],
  middle: [1 / 3, 2 / 3],
  end: [0.66, 0.85],
};

/** 50% first third, 40% middle third, 10% the 66-85% stretch. */
export function pickRegion(rng: Rng): RangeRegion {
  const r = rng();
  if (r < 0.5) return 'first';
  if (r < 0.9) return 'middle';
  return 'end';
}

/**
 * A range inside a file of `size` bytes: start in a region, length a chunk
 * between min and max, the end clamped to the last byte. Null when the size
 * is unknown (0): a range past the end would be a test bug, not a CDN one.
 */
export function pickRange(size: number, rng: Rng, opts: RangeOptions = DEFAULT_RANGE_OPTIONS): ByteRange | null {
  if (!(size > 0)) return null;
  const [from, to] = REGION_BOUNDS[pickRegion(rng)];
  const lo = Math.floor(size * from);
  const hi = Math.max(lo, Math.ceil(size * to) - 1);
  const start = Math.min(size - 1, uniformInt(rng, lo, hi));
  const chunk = uniformInt(rng, Math.max(1, opts.minChunkBytes), Math.max(1, opts.minChunkBytes, opts.maxChunkBytes));
  return { start, end: Math.min(size - 1, start + chunk - 1) };
}

/** The request's range, or null (a whole-file GET) for the other 1 - rangeProbability. */
export function pickRequestRange(size: number, rng: Rng, opts: RangeOptions = DEFAULT_RANGE_OPTIONS): ByteRange | null {
  if (rng() >= opts.rangeProbability) return null;
  return pickRange(size, rng, opts);
}

/** `bytes=0-1023`, or `bytes=0-` when open-ended. */
export function rangeHeader(r: ByteRange): string {
  return `bytes=${r.start}-${r.end === null ? '' : r.end}`;
}

/** The bytes a correct server sends for this range of a file of `size` bytes. */
export function expectedSpan(r: ByteRange, size: number): { start: number; end: number; length: number } {
  const end = r.end === null ? size - 1 : Math.min(r.end, size - 1);
  return { start: r.start, end, length: end - r.start + 1 };
}
