// Which record an iteration requests. Derived from the iteration's number in
// the whole test (exec.scenario.iterationInTest), which k6 keeps unique across
// execution segments: instances split with --execution-segment (k6-operator,
// k6 Cloud) never request the same sequence twice. Never from __VU.
import { mix32 } from './random.js';

/**
 * Random mode without asking k6 for the iteration number (exec.scenario builds
 * an object on every call): a hash of the VU's number in the whole test
 * (exec.vu.idInTest, unique across segments too) and the VU's own iteration count.
 */
export function vuRecordIndex(vuIdInTest: number, vuIteration: number, count: number, seed = 0): number {
  if (count <= 0) return 0;
  return mix32((Math.imul(vuIdInTest, 0x9e3779b1) + mix32(vuIteration, seed)) >>> 0, seed) % count;
}

/** Sequential: iteration i requests record i % n. Random: a hash of i spreads iterations over the records. */
export function recordIndex(iterationInTest: number, count: number, sequential: boolean, seed = 0): number {
  if (count <= 0) return 0;
  return sequential ? iterationInTest % count : mix32(iterationInTest, seed) % count;
}
