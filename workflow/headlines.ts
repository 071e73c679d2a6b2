// The figures the index page leads with, read from what the stages wrote.
// Each is optional: a stage that did not run leaves its figure out.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { CacheStatus, ResultsFile } from '../common/results-record.js';
import { FILES } from './files.js';
import type { ChangeSummary } from './changes.js';

export interface Headlines {
  /** Figures read from files a stage left in an earlier run (it did not run this time). */
  earlier?: Partial<Record<'objects' | 'prewarm' | 'errors' | 'loadtest' | 'optimize' | 'purge' | 'verify', boolean>>;
  objects?: { count: number; bytes: number };
  /** What changed since the previous listing, and what optimize replaced (this run). */
  changes?: ChangeSummary | null;
  /** The listing this run compared with, if any. */
  baseline?: string;
  purge?: { provider: string; itemLabel?: string; keys: number; urls: number; items: number; purged: number; failed: number; notCached?: number; wildcards?: number; calls: number; dryRun?: boolean };
  /** After re-warming: the share of what was warmed that the CDN now answers from cache. */
  coverage?: { hits: number; total: number; hitRatio: number };
  prewarm?: { requests: number; ok: number; successRate: number; cacheStatus: Partial<Record<CacheStatus, number>> };
  errors?: { failedRequests: number; failedKeys: number; excludedKeys?: number };
  loadtest?: { verdict: 'passed' | 'breached' | 'unknown'; p95Ms?: number; requests?: number; failedThresholds: string[]; cacheHitRate?: number };
  optimize?: { candidates?: number; optimized?: number; bytesBefore?: number; bytesAfter?: number; savedBytes?: number; savedPercent?: number };
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Object count and bytes from the listing (JSON Lines of StoredObject). */
async function objects(outputDir: string): Promise<Headlines['objects']> {
  const path = join(outputDir, FILES.listing);
  try {
    let count = 0;
    let bytes = 0;
    const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line.trim()) continue;
      const o = JSON.parse(line) as { size?: number };
      count++;
      bytes += typeof o.size === 'number' ? o.size : 0;
    }
    return { count, bytes };
  } catch {
    return undefined;
  }
}

function fromResults(results: unknown): Pick<Headlines, 'prewarm' | 'errors'> {
  if (!isObj(results) || !Array.isArray((results as unknown as ResultsFile).records)) return {};
  const records = (results as unknown as ResultsFile).records;
  const cacheStatus: Partial<Record<CacheStatus, number>> = {};
  let ok = 0;
  const failedKeys = new Set<string>();
  for (const r of records) {
    if (r.ok) ok++;
    else failedKeys.add(r.key);
    cacheStatus[r.cacheStatus] = (cacheStatus[r.cacheStatus] ?? 0) + 1;
  }
  return {
    prewarm: { requests: records.length, ok, successRate: records.length ? ok / records.length : 0, cacheStatus },
    errors: { failedRequests: records.length - ok, failedKeys: failedKeys.size },
  };
}

/** p95 of http_req_duration and threshold results, from k6's summary in either of its JSON shapes. */
export function fromK6Summary(summary: unknown, exitCode: number | undefined): Headlines['loadtest'] {
  const failedThresholds: string[] = [];
  let p95: number | undefined;
  let requests: number | undefined;
  const metrics = isObj(summary) && isObj(summary.metrics) ? summary.metrics : undefined;
  if (metrics) {
    for (const [metric, m] of Object.entries(metrics)) {
      if (!isObj(m)) continue;
      const values = isObj(m.values) ? m.values : m;
      if (metric === 'http_req_duration') p95 = num(values['p(95)']);
      if (metric === 'http_reqs') requests = num(values.count);
      if (isObj(m.thresholds)) {
        for (const [expr, t] of Object.entries(m.thresholds)) {
          // handleSummary data: { ok: boolean }; --summary-export: true means the threshold failed.
          const failed = isObj(t) ? t.ok === false : t === true;
          if (failed) failedThresholds.push(`${metric}: ${expr}`);
        }
      }
    }
  }
  // The loadtest command's own summary: { passed, requests, durationMs: {'p(95)'}, thresholds: [{metric, expression, ok}] }.
  const own = isObj(summary) && typeof summary.passed === 'boolean' ? summary.passed : undefined;
  if (isObj(summary)) {
    if (p95 === undefined && isObj(summary.durationMs)) p95 = num(summary.durationMs['p(95)']);
    if (requests === undefined) requests = num(summary.requests);
    if (Array.isArray(summary.thresholds)) {
      for (const t of summary.thresholds) if (isObj(t) && t.ok === false) failedThresholds.push(`${String(t.metric)}: ${String(t.expression)}`);
    }
  }
  let verdict: 'passed' | 'breached' | 'unknown' = 'unknown';
  if (exitCode === 99 || own === false || failedThresholds.length > 0) verdict = 'breached';
  else if (exitCode === 0 || own === true) verdict = 'passed';
  if (!metrics && own === undefined && exitCode === undefined) return undefined;
  if (isObj(summary) && num(summary.cacheHitRate) !== undefined) return { verdict, p95Ms: p95, requests, failedThresholds, cacheHitRate: num(summary.cacheHitRate) };
  return { verdict, p95Ms: p95, requests, failedThresholds };
}

/** Savings from the optimizer's JSON report, whatever names its totals use. */
export function fromOptimizeReport(report: unknown): Headlines['optimize'] {
  if (!isObj(report)) return undefined;
  const totals = isObj(report.totals) ? report.totals : isObj(report.summary) ? report.summary : report;
  const pick = (...names: string[]) => {
    for (const n of names) {
      const v = num(totals[n]) ?? num(report[n]);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  const bytesBefore = pick('bytesBefore', 'originalBytes', 'totalOriginalBytes', 'sourceBytes', 'inputBytes');
  const bytesAfter = pick('bytesAfter', 'optimizedBytes', 'totalOptimizedBytes', 'outputBytes');
  let savedBytes = pick('savedBytes', 'bytesSaved', 'totalSavedBytes', 'savings');
  if (savedBytes === undefined && bytesBefore !== undefined && bytesAfter !== undefined) savedBytes = bytesBefore - bytesAfter;
  const files = Array.isArray(report.files) ? report.files : Array.isArray(report.results) ? report.results : undefined;
  return {
    candidates: pick('candidates', 'candidateCount') ?? files?.length,
    optimized: pick('optimized', 'optimizedCount', 'replaced', 'succeeded'),
    bytesBefore,
    bytesAfter,
    savedBytes,
    savedPercent: pick('savedPercent', 'savingsPercent') ?? (savedBytes !== undefined && bytesBefore ? (savedBytes / bytesBefore) * 100 : undefined),
  };
}

/** The purge command's --report JSON. */
export function fromPurgeReport(report: unknown): Headlines['purge'] {
  if (!isObj(report) || typeof report.provider !== 'string') return undefined;
  const n = (k: string) => num(report[k]) ?? 0;
  return {
    provider: report.provider,
    itemLabel: typeof report.itemLabel === 'string' ? report.itemLabel : undefined,
    keys: n('keys'),
    urls: n('urls'),
    items: n('items'),
    purged: n('purged'),
    failed: n('failed'),
    notCached: num(report.notCached),
    wildcards: num(report.wildcards),
    calls: n('calls'),
    dryRun: report.dryRun === true,
  };
}

/** Hit share from verify's JSON report: `coverage.overall` {total, hits, ratio}. */
export function fromVerifyReport(report: unknown): Headlines['coverage'] {
  if (!isObj(report)) return undefined;
  const coverage = isObj(report.coverage) ? report.coverage : undefined;
  const scopes = [coverage?.overall, report.overall, report].filter(isObj);
  for (const sc of scopes) {
    const total = num(sc.total);
    const hits = num(sc.hits);
    const ratio = num(sc.ratio) ?? num(sc.hitRatio) ?? (hits !== undefined && total ? hits / total : undefined);
    if (ratio !== undefined && total !== undefined) return { hits: hits ?? Math.round(ratio * total), total, hitRatio: ratio };
  }
  return undefined;
}

export async function readHeadlines(outputDir: string, loadtestExit: number | undefined): Promise<Headlines> {
  const h: Headlines = {};
  h.objects = await objects(outputDir);
  Object.assign(h, fromResults(await readJson(join(outputDir, FILES.results))));
  const exclusion = await readJson(join(outputDir, FILES.exclusionList));
  const keys = isObj(exclusion) && Array.isArray(exclusion.keys) ? exclusion.keys.length : Array.isArray(exclusion) ? exclusion.length : undefined;
  if (keys !== undefined && h.errors) h.errors.excludedKeys = keys;
  const summary = await readJson(join(outputDir, FILES.loadtestSummary));
  h.loadtest = summary !== undefined || loadtestExit !== undefined ? fromK6Summary(summary, loadtestExit) : undefined;
  h.optimize = fromOptimizeReport(await readJson(join(outputDir, FILES.optimizeJson)));
  h.purge = fromPurgeReport(await readJson(join(outputDir, FILES.purgeReport)));
  h.coverage = fromVerifyReport(await readJson(join(outputDir, FILES.verifyJson)));
  return h;
}
