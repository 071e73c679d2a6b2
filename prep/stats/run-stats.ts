// Statistics of a pre-warming run, fed one results record at a time: bounded
// memory whatever the number of records (a few histograms per group).
import type { ResultsRecord } from '../../common/results-record.js';
import { createRunningStats, type RunningStats, type RunningStatsSnapshot } from './welford.js';
import { createPercentileTracker, round3, type PercentileSnapshot, type PercentileTracker } from './percentiles.js';
import { createCorrelationTracker, type SizeTimeCorrelation } from './correlation.js';

export type TimingSummary = RunningStatsSnapshot & PercentileSnapshot;

export interface GroupSummary {
  requests: number;
  ok: number;
  failed: number;
  /** Timings of successful requests, ms. */
  ttfbMs: TimingSummary;
  totalMs: TimingSummary;
  bytesReceived: number;
}

export interface RunStatsSummary {
  overall: GroupSummary;
  byDerivative: Record<string, GroupSummary>;
  bySizeCategory: Record<string, GroupSummary>;
  byCacheStatus: Record<string, GroupSummary>;
  /** By the PoP that answered (records without one: `(none)`); empty when no record named one. */
  byPop: Record<string, GroupSummary>;
  /** By --edge address (only when the run warmed edges or several addresses answered). */
  byEdge: Record<string, GroupSummary>;
  /** By cache-key variant set (--variant-header), when there were sets. */
  byCacheVariant: Record<string, GroupSummary>;
  byErrorClass: Record<string, number>;
  byStatus: Record<string, number>;
  /** Records that needed more than one attempt. */
  retried: number;
  sizeVsTime: SizeTimeCorrelation;
}

interface Group {
  requests: number;
  ok: number;
  bytes: number;
  ttfb: RunningStats;
  ttfbP: PercentileTracker;
  total: RunningStats;
  totalP: PercentileTracker;
}

function newGroup(): Group {
  return {
    requests: 0,
    ok: 0,
    bytes: 0,
    ttfb: createRunningStats(),
    ttfbP: createPercentileTracker(),
    total: createRunningStats(),
    totalP: createPercentileTracker(),
  };
}

function addTo(g: Group, r: ResultsRecord): void {
  g.requests++;
  g.bytes += r.bytesReceived || 0;
  if (!r.ok) return;
  g.ok++;
  g.ttfb.add(r.ttfbMs);
  g.ttfbP.add(r.ttfbMs);
  g.total.add(r.totalMs);
  g.totalP.add(r.totalMs);
}

function timing(s: RunningStats, p: PercentileTracker): TimingSummary {
  const snap = s.snapshot();
  return {
    count: snap.count,
    mean: round3(snap.mean),
    stdDev: round3(snap.stdDev),
    min: round3(snap.min),
    max: round3(snap.max),
    ...p.snapshot(),
  };
}

function summarise(g: Group): GroupSummary {
  return {
    requests: g.requests,
    ok: g.ok,
    failed: g.requests - g.ok,
    ttfbMs: timing(g.ttfb, g.ttfbP),
    totalMs: timing(g.total, g.totalP),
    bytesReceived: g.bytes,
  };
}

export interface RunStats {
  add(r: ResultsRecord): void;
  readonly count: number;
  summary(): RunStatsSummary;
}

export function createRunStats(): RunStats {
  const overall = newGroup();
  const byDerivative = new Map<string, Group>();
  const bySize = new Map<string, Group>();
  const byCache = new Map<string, Group>();
  const byPop = new Map<string, Group>();
  const byEdge = new Map<string, Group>();
  const byVariant = new Map<string, Group>();
  let popsSeen = false;
  const byError = new Map<string, number>();
  const byStatus = new Map<string, number>();
  const corr = createCorrelationTracker();
  let retried = 0;
  const groupOf = (m: Map<string, Group>, name: string) => {
    let g = m.get(name);
    if (!g) m.set(name, (g = newGroup()));
    return g;
  };
  const mapOut = (m: Map<string, Group>) => Object.fromEntries([...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, g]) => [k, summarise(g)]));
  return {
    add(r) {
      addTo(overall, r);
      // HLS/DASH records group by rendition: one row per rendition, not per segment.
      addTo(groupOf(byDerivative, r.rendition ?? r.derivative), r);
      addTo(groupOf(bySize, r.sizeCategory), r);
      addTo(groupOf(byCache, r.cacheStatus), r);
      if (r.pop) popsSeen = true;
      addTo(groupOf(byPop, r.pop ?? '(none)'), r);
      if (r.edge) addTo(groupOf(byEdge, r.edge), r);
      if (r.cacheVariant) addTo(groupOf(byVariant, r.cacheVariant), r);
      if (r.errorClass) byError.set(r.errorClass, (byError.get(r.errorClass) ?? 0) + 1);
      const st = String(r.status);
      byStatus.set(st, (byStatus.get(st) ?? 0) + 1);
      if (r.attempts > 1) retried++;
      if (r.ok) corr.add(r.sourceSize, r.totalMs);
    },
    get count() {
      return overall.requests;
    },
    summary() {
      return {
        overall: summarise(overall),
        byDerivative: mapOut(byDerivative),
        bySizeCategory: mapOut(bySize),
        byCacheStatus: mapOut(byCache),
        byPop: popsSeen ? mapOut(byPop) : {},
        byEdge: byEdge.size > 1 ? mapOut(byEdge) : {},
        byCacheVariant: mapOut(byVariant),
        byErrorClass: Object.fromEntries([...byError.entries()].sort((a, b) => b[1] - a[1])),
        byStatus: Object.fromEntries([...byStatus.entries()].sort(([a], [b]) => Number(a) - Number(b))),
        retried,
        sizeVsTime: corr.snapshot(),
      };
    },
  };
}

function fmtGroupRow(name: string, g: GroupSummary): string {
  return `| ${name} | ${g.requests} | ${g.ok} | ${g.failed} | ${g.ttfbMs.mean.toFixed(1)} | ${g.totalMs.mean.toFixed(1)} | ${g.totalMs.p50.toFixed(1)} | ${g.totalMs.p95.toFixed(1)} | ${g.totalMs.p99.toFixed(1)} |`;
}

/** Plain-text tables for the end of a run (stdout). */
export function formatRunStats(s: RunStatsSummary): string {
  const head = '| group | requests | ok | failed | ttfb mean ms | total mean ms | p50 | p95 | p99 |\n|---|---|---|---|---|---|---|---|---|';
  const lines: string[] = [head, fmtGroupRow('all', s.overall)];
  for (const [k, g] of Object.entries(s.byDerivative)) lines.push(fmtGroupRow(`derivative ${k}`, g));
  for (const [k, g] of Object.entries(s.bySizeCategory)) lines.push(fmtGroupRow(`size ${k}`, g));
  for (const [k, g] of Object.entries(s.byCacheStatus)) lines.push(fmtGroupRow(`cache ${k}`, g));
  for (const [k, g] of Object.entries(s.byPop ?? {})) lines.push(fmtGroupRow(`pop ${k}`, g));
  for (const [k, g] of Object.entries(s.byEdge ?? {})) lines.push(fmtGroupRow(`edge ${k}`, g));
  for (const [k, g] of Object.entries(s.byCacheVariant ?? {})) lines.push(fmtGroupRow(`variant ${k.length > 40 ? `${k.slice(0, 39)}…` : k}`, g));
  const c = s.sizeVsTime;
  const corr =
    c.pearson === null
      ? 'size vs time: not enough spread in sizes or times to correlate'
      : `size vs time: pearson r ${c.pearson.toFixed(3)}, slope ${c.slopeMsPerMiB!.toFixed(3)} ms/MiB, ` +
        (c.estimatedMsFor100MB === null ? 'sizes span under 1 MiB: no estimate for a 100 MB file' : `estimated ${(c.estimatedMsFor100MB / 1000).toFixed(2)} s for a 100 MB file`);
  const errs = Object.entries(s.byErrorClass).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  return `${lines.join('\n')}\nerrors: ${errs}; retried: ${s.retried}\n${corr}\n`;
}
