// Number formats shared by the text, Markdown, HTML and JUnit reports.
import type { ThresholdResult } from './summary.js';

export function ms(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '-';
  return n >= 1000 ? `${(n / 1000).toFixed(2)}s` : `${n.toFixed(1)}ms`;
}

export function pct(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '-' : `${(n * 100).toFixed(1)}%`;
}

export function ratio(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(3);
}

const TIME_METRICS = /^(http_req_|video_startup_time|video_stall_time|iteration_duration)/;

/** A threshold's actual figure in its own unit. */
export function actualText(t: ThresholdResult): string {
  if (t.actual === undefined) return '';
  if (/^rate/.test(t.expression)) return pct(t.actual);
  if (TIME_METRICS.test(t.metric)) return ms(t.actual);
  return ratio(t.actual);
}
