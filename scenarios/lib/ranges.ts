// Byte-range requests the way the reference toolkit models a video player
// scrubbing through files: 80% of requests carry a Range header, starting in
// the first third 50% of the time, the middle third 40%, and 66-85% 10%, for
// chunks of 50-500 KB. Pure and seedable: vitest checks the distribution of
// pickRequestRange, the function the scenario calls.
import type { Rng } from './random.js';

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

// x - x % 1 floors a non-negative number without a call: k6's JS runtime is slow
// at calls and destructuring, and this runs for every request.
function rangeIn(size: number, region: RangeRegion, r1: number, r2: number, opts: RangeOptions): ByteRange {
  const bounds = REGION_BOUNDS[region];
  const loRaw = size * bounds[0];
  const lo = loRaw - (loRaw % 1);
  const hiRaw = size * bounds[1];
  let hi = (hiRaw % 1 === 0 ? hiRaw : hiRaw - (hiRaw % 1) + 1) - 1;
  if (hi < lo) hi = lo;
  const startRaw = lo + r1 * (hi - lo + 1);
  let start = startRaw - (startRaw % 1);
  if (start > size - 1) start = size - 1;
  const min = opts.minChunkBytes > 1 ? opts.minChunkBytes : 1;
  const max = opts.maxChunkBytes > min ? opts.maxChunkBytes : min;
  const chunkRaw = min + r2 * (max - min + 1);
  const end = start + (chunkRaw - (chunkRaw % 1)) - 1;
  return { start, end: end < size - 1 ? end : size - 1 };
}

/**
 * The request's range, or null (a whole-file GET) for the other 1 - rangeProbability.
 * One draw decides both whether there is a range and its region (rescaled), so
 * a request costs three random numbers.
 */
export function pickRequestRange(size: number, rng: Rng, opts: RangeOptions = DEFAULT_RANGE_OPTIONS): ByteRange | null {
  const r = rng();
  if (r >= opts.rangeProbability || !(size > 0)) return null;
  const u = r / opts.rangeProbability; // uniform in [0, 1) again
  const region: RangeRegion = u < 0.5 ? 'first' : u < 0.9 ? 'middle' : 'end';
  return rangeIn(size, region, rng(), rng(), opts);
}

/** `bytes=0-1023`, or `bytes=0-` when open-ended. */
export function rangeHeader(r: ByteRange): string {
  return r.end === null ? 'bytes=' + r.start + '-' : 'bytes=' + r.start + '-' + r.end;
}
