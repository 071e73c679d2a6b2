// Which record an iteration requests. Sequential runs use the iteration's number
// in the whole test (exec.scenario.iterationInTest), which k6 keeps unique across
// execution segments: instances split with --execution-segment (k6-operator,
// k6 Cloud) cover the records between them without overlap. Random runs draw
// from the VU's generator, seeded from exec.vu.idInTest (also unique across
// segments) when SEED is set. Never from __VU.

/** Random mode: a uniform draw from the VU's generator (seeded from exec.vu.idInTest when SEED is set). */
export function randomIndex(rng: () => number, count: number): number {
  const x = rng() * count;
  return x - (x % 1);
}

/** Sequential: iteration i of the whole test requests record i % n. */
export function sequentialIndex(iterationInTest: number, count: number): number {
  return count <= 0 ? 0 : iterationInTest % count;
}
