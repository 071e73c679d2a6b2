// The load test's summary: from k6's handleSummary data (or runner summaries
// merged by `loadtest merge`) to the figures every report shows. Shared by
// k6 (handleSummary) and Node (`loadtest merge`, `loadtest compare`), so plain
// data and no Node API.
import { METRIC, TAG_DURATION_SOURCE, TAG_SWITCH_DIRECTION, VIDEO_METRIC } from './metric-names.js';
import type { BaselineComparison } from './baseline.js';

/** The parts of k6's handleSummary data this module reads. */
export interface K6Metric {
  type: 'counter' | 'gauge' | 'rate' | 'trend';
  contains?: string;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

export interface K6Check {
  name: string;
  passes: number;
  fails: number;
}

export interface K6Group {
  name: string;
  checks: K6Check[];
  groups: K6Group[];
}

export interface K6SummaryData {
  metrics: Record<string, K6Metric>;
  root_group?: K6Group;
  state?: { testRunDurationMs?: number };
}

export interface ThresholdResult {
  metric: string;
  expression: string;
  ok: boolean;
  /** The figure the expression is about, e.g. the p(95) or the rate. */
  actual?: number;
  /** Set by the baseline comparison (a regression limit), not by the user's thresholds. */
  baseline?: boolean;
  /** Evaluated on merged percentiles, which are approximate (loadtest merge). */
  approximate?: boolean;
}

export interface DerivativeFigures {
  derivative: string;
  requests?: number;
  ttfbP95?: number;
  /** http_req_duration percentiles: med, p(90), p(95), p(99). */
  duration?: Record<string, number>;
  durationP95?: number;
  cacheHitRate?: number;
  bytes?: number;
  startupP95?: number;
  startupMed?: number;
  rebufferRatio?: number;
  stalls?: number;
}

export interface VideoFigures {
  sessions: number;
  /** Sessions by where the duration came from: mvhd, mehd, ebml, record, assumed. */
  durationSources: Record<string, number>;
  startupMs: Record<string, number>;
  stalls: number;
  stallTimeMs: Record<string, number>;
  rebufferRatio: Record<string, number>;
  downloadRatio: Record<string, number>;
  abandonedRate: number | null;
  moovAtEndRate: number | null;
  /** HLS/DASH sessions: rendition switches and the bitrate (bits/s) of the renditions segments came from. */
  bitrateSwitches?: { total: number; down: number; up: number };
  selectedBitrate?: Record<string, number>;
}

export interface RunnerInfo {
  /** k6's --execution-segment, e.g. 1/4:1/2. */
  segment: string;
  /** 1-based instance number and the instance count (k6-operator numbers its runners from 1). */
  index: number;
  count: number;
}

export interface LoadtestSummary {
  tool: 'media-toolkit loadtest';
  passed: boolean;
  durationSeconds: number;
  iterations: number;
  vusMax: number;
  requests: number;
  requestRate: number;
  failedRate: number;
  durationMs: Record<string, number>;
  ttfbMs: Record<string, number>;
  cacheHitRate: number | null;
  rangeCorrectRate: number | null;
  bytes: number;
  /** Requests per HTTP status (0: no response). */
  statuses: Record<string, number>;
  checks: { passes: number; fails: number; list: K6Check[] };
  thresholds: ThresholdResult[];
  byDerivative: DerivativeFigures[];
  /** Player sessions, when any ran. */
  video?: VideoFigures;
  /** The comparison with BASELINE_FILE, when one was given. */
  baseline?: BaselineComparison;
  /** This instance's share of a distributed run (k6 --execution-segment). */
  runner?: RunnerInfo;
  /** Set by `loadtest merge`: how many runner summaries, and which figures are approximate. */
  merged?: { runners: number; files: string[]; note: string };
  /** Settings worth seeing beside the figures (base URL redacted). */
  settings: Record<string, string | number | boolean>;
}

/** Statuses given their own submetric (http_reqs{status:N}); others count as "other". */
export const STATUS_SUBMETRICS: readonly string[] = ['0', '200', '206', '304', '400', '403', '404', '416', '429', '500', '502', '503', '504'];

/** Duration sources given their own submetric of video_sessions. */
export const DURATION_SOURCES: readonly string[] = ['mvhd', 'mehd', 'ebml', 'record', 'assumed', 'playlist', 'mpd', 'live'];

/**
 * Percentiles every Trend reports besides the usual ones: 1% steps plus the
 * tail, so `loadtest merge` can merge runners' distributions (a quantile
 * sketch of each Trend; see quantiles.ts).
 */
export const QUANTILE_GRID: readonly number[] = [...Array.from({ length: 99 }, (_, i) => i + 1), 99.5, 99.9];

export const SHOWN_TREND_STATS: readonly string[] = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'];

/** summaryTrendStats for k6: the shown stats plus the grid. */
export function summaryTrendStats(): string[] {
  const out = [...SHOWN_TREND_STATS];
  for (const q of QUANTILE_GRID) {
    const name = `p(${q})`;
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

function allChecks(g: K6Group | undefined): K6Check[] {
  if (!g) return [];
  return [...g.checks, ...g.groups.flatMap(allChecks)];
}

/** The figure a threshold expression such as `p(95)<100` or `rate<0.05` reads. */
export function statOf(expression: string): string | undefined {
  return /^\s*([a-z]+(\(\d+(\.\d+)?\))?)/i.exec(expression)?.[1];
}

function actualFor(m: K6Metric | undefined, expression: string): number | undefined {
  if (!m) return undefined;
  const stat = statOf(expression);
  return stat ? m.values[stat] : undefined;
}

/** metric{tag:value} -> [metric, tag, value] */
export function splitSubmetric(name: string): [string, string | undefined, string | undefined] {
  const m = /^([^{]+)\{([^:]+):([^}]*)\}$/.exec(name);
  return m ? [m[1], m[2], m[3]] : [name, undefined, undefined];
}

function shownStats(values: Record<string, number> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (!values) return out;
  for (const k of Object.keys(values)) {
    // The quantile grid is for merging, not for reading: keep the usual stats, and any a user asked for.
    if (/^p\(/.test(k) && !SHOWN_TREND_STATS.includes(k) && QUANTILE_GRID.includes(Number(k.slice(2, -1)))) continue;
    out[k] = values[k];
  }
  return out;
}

export interface SummarizeOptions {
  settings?: Record<string, string | number | boolean>;
  /** Threshold keys (`metric\u0000expression`) that come from the baseline comparison. */
  baselineThresholds?: ReadonlySet<string>;
  runner?: RunnerInfo;
  /** Thresholds evaluated on approximate (merged) percentiles. */
  approximate?: ReadonlySet<string>;
}

export function thresholdKey(metric: string, expression: string): string {
  return `${metric}\u0000${expression}`;
}

export function summarize(data: K6SummaryData, opts: SummarizeOptions = {}): LoadtestSummary {
  const m = data.metrics;
  const v = (name: string, stat: string): number | undefined => m[name]?.values[stat];
  const thresholds: ThresholdResult[] = [];
  for (const name of Object.keys(m).sort()) {
    const t = m[name].thresholds;
    if (!t) continue;
    for (const expression of Object.keys(t)) {
      const r: ThresholdResult = { metric: name, expression, ok: t[expression].ok, actual: actualFor(m[name], expression) };
      const key = thresholdKey(name, expression);
      if (opts.baselineThresholds?.has(key)) r.baseline = true;
      if (opts.approximate?.has(key)) r.approximate = true;
      thresholds.push(r);
    }
  }
  const per = new Map<string, DerivativeFigures>();
  const statuses: Record<string, number> = {};
  const sources: Record<string, number> = {};
  for (const name of Object.keys(m)) {
    const [base, tag, value] = splitSubmetric(name);
    if (tag === undefined || value === undefined) continue;
    const vals = m[name].values;
    if (tag === 'status' && base === 'http_reqs') {
      if (vals.count > 0) statuses[value] = vals.count;
      continue;
    }
    if (tag === TAG_DURATION_SOURCE && base === VIDEO_METRIC.sessions) {
      if (vals.count > 0) sources[value] = vals.count;
      continue;
    }
    if (tag !== 'derivative') continue;
    const f = per.get(value) ?? { derivative: value };
    // A derivative's submetric exists (thresholds declare it) even when this run drew none of its
    // records: k6 then reports p(95) 0 and rate 0, figures nothing measured. They stay unset, so a
    // baseline comparison says "not measured" instead of "0 ms" (no regression) or "0% hits".
    if (base === METRIC.ttfb) {
      f.requests = vals.count;
      if (vals.count !== 0) f.ttfbP95 = vals['p(95)'];
    } else if (base === 'http_req_duration') {
      if (vals.count !== 0) {
        f.durationP95 = vals['p(95)'];
        f.duration = { med: vals.med, 'p(90)': vals['p(90)'], 'p(95)': vals['p(95)'], 'p(99)': vals['p(99)'] };
      }
    } else if (base === METRIC.cacheHit) {
      if (vals.passes !== 0 || vals.fails !== 0) f.cacheHitRate = vals.rate;
    }
    else if (base === METRIC.bytes) f.bytes = vals.count;
    else if (base === VIDEO_METRIC.startup) {
      if (vals.count > 0) {
        f.startupP95 = vals['p(95)'];
        f.startupMed = vals.med;
      }
    } else if (base === VIDEO_METRIC.rebufferRatio) {
      if (vals.count > 0) f.rebufferRatio = vals.avg;
    } else if (base === VIDEO_METRIC.stalls) f.stalls = vals.count;
    per.set(value, f);
  }
  // Requests whose status has no submetric of its own.
  const total = v('http_reqs', 'count') ?? 0;
  const known = Object.values(statuses).reduce((a, b) => a + b, 0);
  if (total > known && Object.keys(statuses).length > 0) statuses.other = total - known;
  const checks = allChecks(data.root_group);
  const trend = (name: string) => shownStats(m[name]?.values);
  const sessions = v(VIDEO_METRIC.sessions, 'count') ?? 0;
  const out: LoadtestSummary = {
    tool: 'media-toolkit loadtest',
    passed: thresholds.every((t) => t.ok),
    durationSeconds: (data.state?.testRunDurationMs ?? 0) / 1000,
    iterations: v('iterations', 'count') ?? 0,
    vusMax: v('vus_max', 'max') ?? v('vus_max', 'value') ?? 0,
    requests: total,
    requestRate: v('http_reqs', 'rate') ?? 0,
    failedRate: v('http_req_failed', 'rate') ?? 0,
    durationMs: trend('http_req_duration'),
    ttfbMs: trend(METRIC.ttfb),
    cacheHitRate: v(METRIC.cacheHit, 'rate') ?? null,
    rangeCorrectRate: v(METRIC.rangeOk, 'rate') ?? null,
    bytes: v(METRIC.bytes, 'count') ?? 0,
    statuses,
    checks: { passes: checks.reduce((a, c) => a + c.passes, 0), fails: checks.reduce((a, c) => a + c.fails, 0), list: checks },
    thresholds,
    byDerivative: [...per.values()].sort((a, b) => a.derivative.localeCompare(b.derivative)),
    settings: opts.settings ?? {},
  };
  if (sessions > 0) {
    out.video = {
      sessions,
      durationSources: sources,
      startupMs: trend(VIDEO_METRIC.startup),
      stalls: v(VIDEO_METRIC.stalls, 'count') ?? 0,
      stallTimeMs: trend(VIDEO_METRIC.stallTime),
      rebufferRatio: trend(VIDEO_METRIC.rebufferRatio),
      downloadRatio: trend(VIDEO_METRIC.downloadRatio),
      abandonedRate: v(VIDEO_METRIC.abandoned, 'rate') ?? null,
      moovAtEndRate: v(VIDEO_METRIC.moovAtEnd, 'rate') ?? null,
    };
    if (m[VIDEO_METRIC.selectedBitrate]) {
      const dir = (d: string) => v(`${VIDEO_METRIC.bitrateSwitches}{${TAG_SWITCH_DIRECTION}:${d}}`, 'count') ?? 0;
      out.video.bitrateSwitches = { total: v(VIDEO_METRIC.bitrateSwitches, 'count') ?? 0, down: dir('down'), up: dir('up') };
      out.video.selectedBitrate = trend(VIDEO_METRIC.selectedBitrate);
    }
  }
  if (opts.runner) out.runner = opts.runner;
  return out;
}

/** The k6 metrics as the summary JSON keeps them: the shown stats, and the quantile grid apart. */
export function splitQuantiles(metrics: Record<string, K6Metric>): { metrics: Record<string, K6Metric>; quantiles: Record<string, number[]> } {
  const outMetrics: Record<string, K6Metric> = {};
  const quantiles: Record<string, number[]> = {};
  for (const name of Object.keys(metrics)) {
    const src = metrics[name];
    if (src.type === 'trend' && src.values[`p(${QUANTILE_GRID[0]})`] !== undefined) {
      quantiles[name] = QUANTILE_GRID.map((q) => src.values[`p(${q})`]);
      outMetrics[name] = { ...src, values: shownStats(src.values) };
    } else outMetrics[name] = src;
  }
  return { metrics: outMetrics, quantiles };
}

/** The instance of a distributed run, from k6's execution segment and sequence ("1/4:1/2", "0,1/4,1/2,3/4,1"). */
export function runnerOf(segment: string | null | undefined, sequence: string | null | undefined): RunnerInfo | undefined {
  if (!segment) return undefined;
  const frac = (t: string): number => {
    const s = t.trim();
    if (s.endsWith('%')) return Number(s.slice(0, -1)) / 100;
    const [a, b] = s.split('/');
    return b === undefined ? Number(a) : Number(a) / Number(b);
  };
  const [from, to] = segment.split(':').map(frac);
  if (!(to > from) || (from === 0 && to === 1)) return undefined;
  if (sequence) {
    const points = sequence.split(',').map(frac);
    const index = points.findIndex((p) => Math.abs(p - from) < 1e-9);
    if (index >= 0) return { segment, index: index + 1, count: points.length - 1 };
  }
  const count = Math.round(1 / (to - from));
  return { segment, index: Math.round(from * count) + 1, count };
}

/** reports/loadtest-summary.json -> reports/loadtest-summary.runner-2-of-4.json for instance 2 of 4. */
export function runnerFileName(path: string, r: RunnerInfo | undefined): string {
  if (!r) return path;
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  const tag = `.runner-${r.index}-of-${r.count}`;
  return dot > slash + 1 ? `${path.slice(0, dot)}${tag}${path.slice(dot)}` : `${path}${tag}`;
}
