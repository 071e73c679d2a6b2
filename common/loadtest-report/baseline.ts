// Comparing a run with an earlier one (BASELINE_FILE, `loadtest compare`):
// per derivative (and over all requests), p95 TTFB, p95 request duration,
// cache-hit share, startup p95 and rebuffer ratio. A regression is a change
// for the worse beyond the relative limit (--max-regression, default 10%)
// AND beyond an absolute floor (10 ms for times, 2 points of cache-hit share,
// 0.005 of rebuffer ratio), so 2 ms against 3 ms is not a regression.
// The limits also become k6 thresholds (baselineThresholds), so a regression
// fails the run with k6's own exit code 99.
import { METRIC, VIDEO_METRIC } from './metric-names.js';
import { ms, pct, ratio } from './format.js';
import type { LoadtestSummary } from './summary.js';

export interface BaselineOptions {
  /** Relative limit: 0.1 for 10%. */
  maxRegression: number;
  /** Floor for time figures, ms. */
  floorMs: number;
}

/** Floors of the figures that are not times. */
export const CACHE_HIT_FLOOR = 0.02;
export const REBUFFER_FLOOR = 0.005;

export type FigureName = 'ttfbP95' | 'durationP95' | 'cacheHitRate' | 'startupP95' | 'rebufferRatio';

interface FigureSpec {
  name: FigureName;
  label: string;
  /** Higher is worse (times, ratios) or lower is worse (cache hits). */
  worse: 'higher' | 'lower';
  /** The k6 metric and the statistic its threshold uses. */
  metric: string;
  stat: string;
  format: (n: number | undefined) => string;
}

export const FIGURES: readonly FigureSpec[] = [
  { name: 'ttfbP95', label: 'TTFB p(95)', worse: 'higher', metric: METRIC.ttfb, stat: 'p(95)', format: ms },
  { name: 'durationP95', label: 'request duration p(95)', worse: 'higher', metric: 'http_req_duration', stat: 'p(95)', format: ms },
  { name: 'cacheHitRate', label: 'cache-hit share', worse: 'lower', metric: METRIC.cacheHit, stat: 'rate', format: pct },
  { name: 'startupP95', label: 'startup p(95)', worse: 'higher', metric: VIDEO_METRIC.startup, stat: 'p(95)', format: ms },
  { name: 'rebufferRatio', label: 'rebuffer ratio', worse: 'higher', metric: VIDEO_METRIC.rebufferRatio, stat: 'avg', format: ratio },
];

/** The row of all requests. */
export const ALL = '(all)';

type Figures = Partial<Record<FigureName, number>>;

/** The compared figures of a summary, per derivative plus ALL. */
export function figuresOf(s: LoadtestSummary): Map<string, Figures> {
  const out = new Map<string, Figures>();
  const clean = (f: Figures): Figures => {
    const o: Figures = {};
    for (const k of Object.keys(f) as FigureName[]) if (typeof f[k] === 'number' && Number.isFinite(f[k])) o[k] = f[k];
    return o;
  };
  out.set(
    ALL,
    clean({
      ttfbP95: s.ttfbMs?.['p(95)'],
      durationP95: s.durationMs?.['p(95)'],
      cacheHitRate: s.cacheHitRate ?? undefined,
      startupP95: s.video?.startupMs?.['p(95)'],
      rebufferRatio: s.video?.rebufferRatio?.avg,
    }),
  );
  for (const d of s.byDerivative ?? []) {
    out.set(d.derivative, clean({ ttfbP95: d.ttfbP95, durationP95: d.durationP95, cacheHitRate: d.cacheHitRate, startupP95: d.startupP95, rebufferRatio: d.rebufferRatio }));
  }
  return out;
}

function floorOf(spec: FigureSpec, o: BaselineOptions): number {
  if (spec.name === 'cacheHitRate') return CACHE_HIT_FLOOR;
  if (spec.name === 'rebufferRatio') return REBUFFER_FLOOR;
  return o.floorMs;
}

/** The worst value that is not a regression of `base`. */
export function limitFor(spec: FigureSpec, base: number, o: BaselineOptions): number {
  const floor = floorOf(spec, o);
  if (spec.worse === 'higher') return Math.max(base * (1 + o.maxRegression), base + floor);
  return Math.max(0, Math.min(base * (1 - o.maxRegression), base - floor));
}

export interface ComparisonRow {
  derivative: string;
  figure: FigureName;
  label: string;
  baseline: number;
  current?: number;
  limit: number;
  regression: boolean;
  /** Relative change, (current - baseline) / baseline. */
  change?: number;
  baselineText: string;
  currentText: string;
  limitText: string;
  changeText: string;
}

export interface BaselineComparison {
  file: string;
  maxRegression: number;
  floorText: string;
  rows: ComparisonRow[];
  /** Derivatives of the baseline this run did not measure. */
  missing: string[];
}

export function regressionCount(b: BaselineComparison): number {
  return b.rows.filter((r) => r.regression).length;
}

/** The k6 metric (a submetric per derivative) a figure's threshold goes on. */
export function thresholdMetric(spec: FigureSpec, derivative: string): string {
  return derivative === ALL ? spec.metric : `${spec.metric}{derivative:${derivative}}`;
}

function thresholdExpression(spec: FigureSpec, limit: number): string {
  // Rounded outwards a little so the threshold and the comparison agree to the last digit.
  const l = spec.worse === 'higher' ? Math.ceil(limit * 1e6) / 1e6 : Math.floor(limit * 1e6) / 1e6;
  return spec.worse === 'higher' ? `${spec.stat}<=${l}` : `${spec.stat}>=${l}`;
}

/**
 * The baseline's limits as k6 thresholds: { metric: [expression] }. Only
 * derivatives this run can measure (names k6's submetric syntax takes).
 */
export function baselineThresholds(base: LoadtestSummary, o: BaselineOptions, derivatives: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const figures = figuresOf(base);
  for (const [derivative, f] of figures) {
    if (derivative !== ALL && !derivatives.includes(derivative)) continue;
    for (const spec of FIGURES) {
      const b = f[spec.name];
      if (b === undefined) continue;
      (out[thresholdMetric(spec, derivative)] ??= []).push(thresholdExpression(spec, limitFor(spec, b, o)));
    }
  }
  return out;
}

/** Compares `current` with `base`, figure by figure. */
export function compareSummaries(base: LoadtestSummary, current: LoadtestSummary, o: BaselineOptions, file: string): BaselineComparison {
  const before = figuresOf(base);
  const now = figuresOf(current);
  const rows: ComparisonRow[] = [];
  const missing: string[] = [];
  for (const [derivative, f] of before) {
    const c = now.get(derivative);
    if (!c) {
      missing.push(derivative);
      continue;
    }
    for (const spec of FIGURES) {
      const b = f[spec.name];
      if (b === undefined) continue;
      const cur = c[spec.name];
      const limit = limitFor(spec, b, o);
      const regression = cur !== undefined && (spec.worse === 'higher' ? cur > limit : cur < limit);
      const change = cur !== undefined && b !== 0 ? (cur - b) / b : undefined;
      rows.push({
        derivative,
        figure: spec.name,
        label: spec.label,
        baseline: b,
        current: cur,
        limit,
        regression,
        change,
        baselineText: spec.format(b),
        currentText: cur === undefined ? 'not measured' : spec.format(cur),
        limitText: `${spec.worse === 'higher' ? '<=' : '>='} ${spec.format(limit)}`,
        changeText: change === undefined ? '-' : `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%`,
      });
    }
  }
  return { file, maxRegression: o.maxRegression, floorText: `${o.floorMs} ms, ${CACHE_HIT_FLOOR * 100} points of cache-hit share, ${REBUFFER_FLOOR} of rebuffer ratio`, rows, missing };
}
