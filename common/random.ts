// Seedable randomness shared by the origin (fault injection, synthetic bodies)
// and the k6 scenarios. No Node APIs: k6 imports common/ too.

/** A source of numbers in [0, 1), like Math.random. */
export type Rng = () => number;

/** mulberry32: tiny, fast, good enough to pick faults or spread requests; the same seed gives the same run. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
