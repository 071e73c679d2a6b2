// A results file against a Cloudflare KV export: how many entries match, where
// sizes disagree beyond a tolerance, which keys only one side has, and the
// timings of both.
import { writeFileAtomic } from '../../lib/atomic-write.js';
import { openResults } from '../../results/read-results.js';
import { createRunningStats } from '../stats/welford.js';
import { createPercentileTracker, round3 } from '../stats/percentiles.js';
import type { TimingSummary } from '../stats/run-stats.js';
import { readKvExport } from './kv-export.js';
import { warn } from '../../lib/log.js';

export interface ComparisonOptions {
  resultsFile: string;
  kvFile: string;
  output?: string;
  format: 'markdown' | 'json';
  /** Percent of the larger size two sizes may differ by. */
  tolerancePercent: number;
  /** Rows listed in each table at most. */
  maxRows?: number;
}

export interface SizeDiscrepancy {
  key: string;
  derivative: string;
  resultsSize: number;
  kvSize: number;
  differencePercent: number;
}

export interface ComparisonReport {
  generatedAt: string;
  resultsFile: string;
  kvFile: string;
  tolerancePercent: number;
  resultsRecords: number;
  kvEntries: number;
  matched: number;
  /** matched / KV entries. */
  matchRateKv: number;
  /** Results records matched by some KV entry / results records. */
  matchRateResults: number;
  sizeCompared: number;
  sizeWithinTolerance: number;
  sizeDiscrepancies: { count: number; worst: SizeDiscrepancy[] };
  onlyInResults: { count: number; sample: string[] };
  onlyInKv: { count: number; sample: string[] };
  timing: {
    results: { ttfbMs: TimingSummary; totalMs: TimingSummary };
    kv: { ttfbMs: TimingSummary | null; totalMs: TimingSummary | null };
  };
}

function tracker() {
  const s = createRunningStats();
  const p = createPercentileTracker();
  return {
    add(v: number | null) {
      if (v === null || !Number.isFinite(v)) return;
      s.add(v);
      p.add(v);
    },
    get count() {
      return s.count;
    },
    out(): TimingSummary {
      const snap = s.snapshot();
      return { count: snap.count, mean: round3(snap.mean), stdDev: round3(snap.stdDev), min: round3(snap.min), max: round3(snap.max), ...p.snapshot() };
    },
  };
}

interface ResultSide {
  size: number | null;
  matched: boolean;
}

export async function compareResults(opts: ComparisonOptions): Promise<ComparisonReport> {
  const maxRows = opts.maxRows ?? 50;
  const reader = await openResults(opts.resultsFile, warn);
  const byPair = new Map<string, ResultSide>();
  const byKey = new Map<string, string[]>();
  const derivatives = new Set<string>();
  const rTtfb = tracker();
  const rTotal = tracker();
  let resultsRecords = 0;
  for await (const r of reader.records) {
    resultsRecords++;
    derivatives.add(r.derivative);
    const pair = `${r.key}\u0000${r.derivative}`;
    byPair.set(pair, { size: r.ok ? (r.contentLength ?? r.bytesReceived) : null, matched: false });
    const list = byKey.get(r.key);
    if (list) list.push(pair);
    else byKey.set(r.key, [pair]);
    if (r.ok) {
      rTtfb.add(r.ttfbMs);
      rTotal.add(r.totalMs);
    }
  }
  const kv = await readKvExport(opts.kvFile, derivatives);
  const kTtfb = tracker();
  const kTotal = tracker();
  let matched = 0;
  let sizeCompared = 0;
  let within = 0;
  const discrepancies: SizeDiscrepancy[] = [];
  let discrepancyCount = 0;
  const onlyKv: string[] = [];
  let onlyKvCount = 0;
  for (const e of kv) {
    kTtfb.add(e.ttfbMs);
    kTotal.add(e.totalMs);
    const pairs = e.derivative !== null ? (byPair.has(`${e.path}\u0000${e.derivative}`) ? [`${e.path}\u0000${e.derivative}`] : []) : (byKey.get(e.path) ?? []);
    if (pairs.length === 0) {
      onlyKvCount++;
      if (onlyKv.length < maxRows) onlyKv.push(e.rawKey);
      continue;
    }
    matched++;
    for (const pair of pairs) {
      const side = byPair.get(pair)!;
      side.matched = true;
      if (side.size === null || e.size === null) continue;
      sizeCompared++;
      const big = Math.max(side.size, e.size);
      const diff = big === 0 ? 0 : (Math.abs(side.size - e.size) / big) * 100;
      if (diff <= opts.tolerancePercent) within++;
      else {
        discrepancyCount++;
        const [key, derivative] = pair.split('\u0000');
        discrepancies.push({ key, derivative, resultsSize: side.size, kvSize: e.size, differencePercent: Math.round(diff * 100) / 100 });
        if (discrepancies.length > maxRows * 4) {
          discrepancies.sort((a, b) => b.differencePercent - a.differencePercent);
          discrepancies.length = maxRows;
        }
      }
    }
  }
  discrepancies.sort((a, b) => b.differencePercent - a.differencePercent);
  const onlyResults: string[] = [];
  let onlyResultsCount = 0;
  let matchedResults = 0;
  for (const [pair, side] of byPair) {
    if (side.matched) {
      matchedResults++;
      continue;
    }
    onlyResultsCount++;
    if (onlyResults.length < maxRows) {
      const [key, derivative] = pair.split('\u0000');
      onlyResults.push(`${key} (${derivative})`);
    }
  }
  return {
    generatedAt: new Date().toISOString(),
    resultsFile: opts.resultsFile,
    kvFile: opts.kvFile,
    tolerancePercent: opts.tolerancePercent,
    resultsRecords,
    kvEntries: kv.length,
    matched,
    matchRateKv: kv.length ? matched / kv.length : 0,
    matchRateResults: byPair.size ? matchedResults / byPair.size : 0,
    sizeCompared,
    sizeWithinTolerance: within,
    sizeDiscrepancies: { count: discrepancyCount, worst: discrepancies.slice(0, maxRows) },
    onlyInResults: { count: onlyResultsCount, sample: onlyResults },
    onlyInKv: { count: onlyKvCount, sample: onlyKv },
    timing: {
      results: { ttfbMs: rTtfb.out(), totalMs: rTotal.out() },
      kv: { ttfbMs: kTtfb.count ? kTtfb.out() : null, totalMs: kTotal.count ? kTotal.out() : null },
    },
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function timingRow(name: string, t: TimingSummary | null): string {
  if (!t) return `| ${name} | - | - | - | - | - | - |`;
  return `| ${name} | ${t.count} | ${t.mean.toFixed(1)} | ${t.stdDev.toFixed(1)} | ${t.p50.toFixed(1)} | ${t.p95.toFixed(1)} | ${t.max.toFixed(1)} |`;
}

export function comparisonMarkdown(c: ComparisonReport): string {
  const lines = [
    '# Results against the KV export',
    '',
    `Results file \`${c.resultsFile}\` (${c.resultsRecords} records) against KV export \`${c.kvFile}\` (${c.kvEntries} entries), generated ${c.generatedAt}.`,
    '',
    '| measure | value |',
    '|---|---|',
    `| KV entries matched | ${c.matched} of ${c.kvEntries} (${pct(c.matchRateKv)}) |`,
    `| results records matched | ${pct(c.matchRateResults)} |`,
    `| sizes compared | ${c.sizeCompared} |`,
    `| sizes within ${c.tolerancePercent}% | ${c.sizeWithinTolerance} |`,
    `| size discrepancies | ${c.sizeDiscrepancies.count} |`,
    `| only in results | ${c.onlyInResults.count} |`,
    `| only in KV | ${c.onlyInKv.count} |`,
    '',
    '## Timing (ms)',
    '',
    '| side | count | mean | std dev | p50 | p95 | max |',
    '|---|---|---|---|---|---|---|',
    timingRow('results TTFB', c.timing.results.ttfbMs),
    timingRow('results total', c.timing.results.totalMs),
    timingRow('KV TTFB', c.timing.kv.ttfbMs),
    timingRow('KV total', c.timing.kv.totalMs),
    '',
    `## Size discrepancies beyond ${c.tolerancePercent}%`,
    '',
  ];
  if (c.sizeDiscrepancies.worst.length === 0) lines.push('None.');
  else {
    lines.push('| key | derivative | results bytes | KV bytes | difference |', '|---|---|---|---|---|');
    for (const d of c.sizeDiscrepancies.worst) lines.push(`| ${d.key} | ${d.derivative} | ${d.resultsSize} | ${d.kvSize} | ${d.differencePercent}% |`);
  }
  lines.push('', `## Only in results (${c.onlyInResults.count})`, '');
  lines.push(c.onlyInResults.sample.length ? c.onlyInResults.sample.map((k) => `- ${k}`).join('\n') : 'None.');
  lines.push('', `## Only in KV (${c.onlyInKv.count})`, '');
  lines.push(c.onlyInKv.sample.length ? c.onlyInKv.sample.map((k) => `- ${k}`).join('\n') : 'None.');
  return `${lines.join('\n')}\n`;
}

export async function runComparison(opts: ComparisonOptions): Promise<{ report: ComparisonReport; text: string; oneLine: string }> {
  const report = await compareResults(opts);
  const text = opts.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : comparisonMarkdown(report);
  if (opts.output) await writeFileAtomic(opts.output, text);
  const oneLine =
    `compare: ${report.matched}/${report.kvEntries} KV entries matched (${pct(report.matchRateKv)}), ` +
    `${report.sizeDiscrepancies.count} size discrepancies beyond ${report.tolerancePercent}%, ` +
    `${report.onlyInResults.count} only in results, ${report.onlyInKv.count} only in KV`;
  return { report, text, oneLine };
}
