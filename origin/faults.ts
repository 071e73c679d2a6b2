// Fault knobs: latency, injected error statuses, connection resets, ignored
// Range. One seeded generator per origin (seededRng, common/random.ts), so a test run is repeatable.
import type { OriginFaults } from './types.js';

export interface FaultDecision {
  /** Injected status, or 0 for none. */
  status: number;
  retryAfterSeconds?: number;
  /** Destroy the socket mid-response. */
  reset: boolean;
}

export const NO_FAULT: FaultDecision = { status: 0, reset: false };

export function validateFaults(f: OriginFaults): void {
  const frac = (name: string, v: number | undefined) => {
    if (v !== undefined && !(v >= 0 && v <= 1)) throw new RangeError(`${name} must be between 0 and 1, got ${v}`);
  };
  frac('errorRate', f.errorRate);
  frac('resetRate', f.resetRate);
  frac('bandwidthJitter', f.bandwidthJitter);
  if (f.bandwidthBytesPerSecond !== undefined && !(f.bandwidthBytesPerSecond >= 0)) throw new RangeError(`bandwidthBytesPerSecond must be >= 0, got ${f.bandwidthBytesPerSecond}`);
  if (f.latencyMs !== undefined && !(f.latencyMs >= 0)) throw new RangeError(`latencyMs must be >= 0, got ${f.latencyMs}`);
  for (const s of f.errorStatuses ?? []) {
    if (!Number.isInteger(s) || s < 400 || s > 599) throw new RangeError(`error statuses must be 400..599, got ${s}`);
  }
}

/** Rolls the dice for one request. Draws only for the knobs that are on, so a knob off costs nothing. */
export function decideFault(f: OriginFaults, random: () => number): FaultDecision {
  const errorRate = f.errorRate ?? 0;
  const resetRate = f.resetRate ?? 0;
  if (errorRate <= 0 && resetRate <= 0) return NO_FAULT;
  if (errorRate > 0 && random() < errorRate) {
    const statuses = f.errorStatuses && f.errorStatuses.length > 0 ? f.errorStatuses : [500, 502, 503];
    const status = statuses[Math.floor(random() * statuses.length)];
    return { status, reset: false, retryAfterSeconds: status === 503 ? (f.retryAfterSeconds ?? 1) : undefined };
  }
  if (resetRate > 0 && random() < resetRate) return { status: 0, reset: true };
  return NO_FAULT;
}
