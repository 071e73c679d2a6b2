// Small formatting helpers shared by the report renderers.
import { formatBytes } from '../../common/byte-size.js';
import type { HistogramRow } from './size-report.js';

export const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
export const num = (n: number) => n.toLocaleString('en-US');
/** "12.3 MiB (12897484 bytes)" */
export const sizeWithBytes = (n: number) => `${formatBytes(n)} (${Math.round(n)} bytes)`;
export const histogramLabel = (h: HistogramRow) => (h.fromBytes === 0 ? '0 B' : `${formatBytes(h.fromBytes)} to < ${formatBytes(h.toBytes)}`);
