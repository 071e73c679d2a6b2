import type { SizeCategory } from './results-record.js';
import { MIB } from './byte-size.js';

export interface SizeThresholds {
  /** Below this many MiB a file is small (default 50). */
  smallMiB: number;
  /** Up to this many MiB a file is medium; above it, large (default 200). */
  mediumMiB: number;
}

export const DEFAULT_SIZE_THRESHOLDS: SizeThresholds = { smallMiB: 50, mediumMiB: 200 };

/** small < smallMiB <= medium <= mediumMiB < large */
export function sizeCategory(bytes: number, t: SizeThresholds = DEFAULT_SIZE_THRESHOLDS): SizeCategory {
  if (bytes < t.smallMiB * MIB) return 'small';
  if (bytes <= t.mediumMiB * MIB) return 'medium';
  return 'large';
}
