// Seedable randomness for the scenarios (the generator itself is common/random.ts).
// Pure (no k6 imports) so vitest can check the distributions the load test relies on.

import type { Rng } from '../../common/random.js';

export { seededRng, type Rng } from '../../common/random.js';

/** Uniform number in [min, max]. */
export function uniform(rng: Rng, min: number, max: number): number {
  return max <= min ? min : min + rng() * (max - min);
}

/** Exponentially distributed number with the given mean (memoryless session lengths). */
export function exponential(rng: Rng, mean: number): number {
  return -Math.log(1 - rng()) * mean;
}
