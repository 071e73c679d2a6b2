// Seedable randomness for the scenarios (the generator itself is common/random.ts).
// Pure (no k6 imports) so vitest can check the distributions the load test relies on.

import type { Rng } from '../../common/random.js';

export { seededRng, type Rng } from '../../common/random.js';

/**
 * A well-mixed 32-bit hash of an integer (murmur3 finaliser). Used to turn an
 * iteration number into a record index: unique iteration numbers across
 * execution segments give the same spread whichever k6 instance runs them.
 */
export function mix32(n: number, seed = 0): number {
  let h = (n ^ seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Uniform number in [min, max]. */
export function uniform(rng: Rng, min: number, max: number): number {
  return max <= min ? min : min + rng() * (max - min);
}

/** Uniform whole number in [min, max] (both inclusive). */
export function uniformInt(rng: Rng, min: number, max: number): number {
  return max <= min ? Math.floor(min) : Math.floor(min + rng() * (max - min + 1));
}

/** Exponentially distributed number with the given mean (memoryless session lengths). */
export function exponential(rng: Rng, mean: number): number {
  return -Math.log(1 - rng()) * mean;
}
