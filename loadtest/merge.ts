// `loadtest merge`: joins the JSON summaries of a distributed run's runners
// (k6-operator, --execution-segment) into one summary, as if one k6 had run
// the whole load, and evaluates the thresholds on the whole. Counts, rates
// and checks are exact sums; averages are count-weighted; min and max exact;
// percentiles come from merging each runner's quantile grid (within one
// percentile rank of exact), or, for a summary without the grid, a
// count-weighted mean of the runners' percentiles, reported as approximate.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../lib/errors.js';
import { mergedPercentile, type TrendSketch } from '../common/loadtest-report/quantiles.js';
import { evaluateThreshold } from '../common/loadtest-report/threshold-eval.js';
import {
  QUANTILE_GRID,
  statOf,
  summarize,
  thresholdKey,
  type K6Check,
  type K6Metric,
  type K6SummaryData,
  type LoadtestSummary,
} from '../common/loadtest-report/summary.js';

/** A runner's summary JSON as handleSummary writes it. */
export interface RunnerSummary extends LoadtestSummary {
  k6: Record<string, K6Metric>;
  quantiles?: Record<string, number[]>;
}

/** Reads a summary JSON written by the scenario; one clear line when it is not one. */
export async function readSummary(path: string): Promise<RunnerSummary> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let s: RunnerSummary;
  try {
    s = JSON.parse(text) as RunnerSummary;
  } catch (err) {
    throw new UsageError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  if (!s || s.tool !== 'media-toolkit loadtest') throw new UsageError(`${path}: not a media-toolkit loadtest summary (no "tool": "media-toolkit loadtest")`);
  return s;
}

/** Files and folders -> summary files (a folder: its *.json that are loadtest summaries, merged ones left out). */
export async function summaryFiles(inputs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    const st = await stat(input).catch(() => undefined);
    if (!st) throw new UsageError(`${input}: not found`);
    if (!st.isDirectory()) {
      out.push(input);
      continue;
    }
    for (const name of (await readdir(input)).sort()) {
      if (!name.endsWith('.json')) continue;
      const path = join(input, name);
      const text = await readFile(path, 'utf8').catch(() => '');
      if (/"tool":\s*"media-toolkit loadtest"/.test(text.slice(0, 200)) && !/"merged":/.test(text)) out.push(path);
    }
  }
  return out;
}

const PERCENTILE = /^p\((\d+(?:\.\d+)?)\)$/;

function mergeMetric(name: string, parts: Array<{ m: K6Metric; q?: number[] }>, durationSec: number, approximate: Set<string>): K6Metric {
  const type = parts[0].m.type;
  const vals = parts.map((p) => p.m.values);
  const sum = (k: string) => vals.reduce((a, v) => a + (v[k] ?? 0), 0);
  const values: Record<string, number> = {};
  if (type === 'counter') {
    values.count = sum('count');
    values.rate = durationSec > 0 ? values.count / durationSec : 0;
  } else if (type === 'rate') {
    values.passes = sum('passes');
    values.fails = sum('fails');
    const n = values.passes + values.fails;
    values.rate = n > 0 ? values.passes / n : 0;
  } else if (type === 'gauge') {
    // Runners run at the same time: their VUs add up.
    for (const k of ['value', 'min', 'max']) if (vals.some((v) => v[k] !== undefined)) values[k] = sum(k);
  } else {
    const counts = vals.map((v) => v.count ?? 0);
    const total = counts.reduce((a, b) => a + b, 0);
    values.count = total;
    const live = vals.filter((_, i) => counts[i] > 0);
    if (total > 0) {
      values.avg = vals.reduce((a, v, i) => a + (v.avg ?? 0) * counts[i], 0) / total;
      values.min = Math.min(...live.map((v) => v.min));
      values.max = Math.max(...live.map((v) => v.max));
    }
    const sketches: TrendSketch[] = parts.map((p, i) => ({ count: counts[i], min: p.m.values.min, max: p.m.values.max, q: p.q ?? [] }));
    const haveGrid = parts.every((p, i) => counts[i] === 0 || (p.q && p.q.length === QUANTILE_GRID.length));
    const stats = new Set<string>();
    for (const v of vals) for (const k of Object.keys(v)) if (k === 'med' || PERCENTILE.test(k)) stats.add(k);
    for (const k of stats) {
      const p = k === 'med' ? 50 : Number(PERCENTILE.exec(k)![1]);
      if (total === 0) continue;
      if (haveGrid) values[k] = mergedPercentile(sketches, p) as number;
      else {
        // No grid from some runner: the count-weighted mean of the runners' own figures.
        values[k] = vals.reduce((a, v, i) => a + (v[k] ?? 0) * counts[i], 0) / total;
      }
      approximate.add(`${name}\u0000${k}`);
    }
  }
  return { type, contains: parts[0].m.contains, values };
}

/** Merges runner summaries and evaluates every threshold on the merged figures. */
export function mergeSummaries(runners: readonly RunnerSummary[], files: readonly string[]): LoadtestSummary {
  const durationSec = Math.max(...runners.map((r) => r.durationSeconds ?? 0));
  const names = new Set<string>();
  for (const r of runners) for (const n of Object.keys(r.k6 ?? {})) names.add(n);
  const approxStats = new Set<string>();
  const metrics: Record<string, K6Metric> = {};
  for (const name of [...names].sort()) {
    const parts = runners.filter((r) => r.k6?.[name]).map((r) => ({ m: r.k6[name], q: r.quantiles?.[name] }));
    const merged = mergeMetric(name, parts, durationSec, approxStats);
    // Thresholds: every expression any runner had, evaluated on the whole.
    const exprs = new Set<string>();
    for (const p of parts) for (const e of Object.keys(p.m.thresholds ?? {})) exprs.add(e);
    if (exprs.size > 0) {
      merged.thresholds = {};
      for (const e of exprs) merged.thresholds[e] = { ok: evaluateThreshold(e, merged.values) };
    }
    metrics[name] = merged;
  }
  const checks = new Map<string, K6Check>();
  for (const r of runners) {
    for (const c of r.checks?.list ?? []) {
      const m = checks.get(c.name) ?? { name: c.name, passes: 0, fails: 0 };
      m.passes += c.passes;
      m.fails += c.fails;
      checks.set(c.name, m);
    }
  }
  const data: K6SummaryData = { metrics, root_group: { name: '', groups: [], checks: [...checks.values()] }, state: { testRunDurationMs: durationSec * 1000 } };
  const baselineKeys = new Set<string>();
  const approximate = new Set<string>();
  for (const r of runners) for (const t of r.thresholds ?? []) if (t.baseline) baselineKeys.add(thresholdKey(t.metric, t.expression));
  for (const name of Object.keys(metrics)) {
    for (const e of Object.keys(metrics[name].thresholds ?? {})) {
      const stat = statOf(e);
      if (stat && approxStats.has(`${name}\u0000${stat}`)) approximate.add(thresholdKey(name, e));
    }
  }
  const s = summarize(data, { settings: { ...(runners[0].settings ?? {}), runners: runners.length }, baselineThresholds: baselineKeys, approximate });
  const segments = runners.map((r) => r.runner?.segment).filter(Boolean);
  const haveGrid = runners.every((r) => r.quantiles && Object.keys(r.quantiles).length > 0);
  s.merged = {
    runners: runners.length,
    files: [...files],
    note:
      `Counts, rates, checks, min and max are exact sums and extremes of the runners'; averages are weighted by count; ` +
      (haveGrid
        ? "percentiles are merged from each runner's 1% quantile grid and are within one percentile rank of exact (the merged p(95) lies between the exact p(94) and p(96))."
        : "some runner summaries carry no quantile grid, so percentiles are count-weighted means of the runners' own and only approximate.") +
      (segments.length ? ` Segments: ${segments.join(', ')}.` : ''),
  };
  return s;
}
