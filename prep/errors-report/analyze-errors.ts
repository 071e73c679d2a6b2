// The error report: where a pre-warming run failed, what the failures have in
// common, and what to do about them. Fed one record at a time; memory grows only
// with the number of failed files (for the exclusion list and the worst files).
import type { ResultsRecord } from '../../common/results-record.js';
import { encodeKey } from '../../common/url.js';
import { extensionOf } from '../../common/media-type.js';
import { MIB } from '../../common/byte-size.js';
import { createRunningStats } from '../stats/welford.js';
import { createPercentileTracker, round3 } from '../stats/percentiles.js';
import type { TimingSummary } from '../stats/run-stats.js';

export interface RateRow {
  name: string;
  total: number;
  failed: number;
  /** failed / total. */
  failureRate: number;
}

export interface CountRow {
  name: string;
  count: number;
  /** count / all records. */
  share: number;
}

export interface ProblemFile {
  key: string;
  sourceSize: number;
  sizeCategory: string;
  failed: number;
  total: number;
  errorClasses: string[];
  statuses: number[];
}

export interface ErrorReport {
  generatedAt: string;
  resultsFile: string;
  totals: { records: number; ok: number; failed: number; errorRate: number; files: number; failedFiles: number; retried: number };
  byErrorClass: CountRow[];
  byStatus: CountRow[];
  bySizeCategory: RateRow[];
  byDerivative: RateRow[];
  byExtension: RateRow[];
  /** By the PoP that answered (empty when no record named one) and by edge address (when several). */
  byPop: RateRow[];
  byEdge: RateRow[];
  /** Source sizes, MiB. */
  sizes: { failed: TimingSummary; successful: TimingSummary };
  /** Total time of the final attempt, ms. */
  timings: { failed: TimingSummary; successful: TimingSummary };
  topMessages: { message: string; count: number }[];
  urlPatterns: { pattern: string; count: number }[];
  firstErrorAt: string | null;
  lastErrorAt: string | null;
  problemFiles: ProblemFile[];
  recommendations: string[];
  /** Keys of files with at least one failed derivative: the exclusion list. */
  excludedKeys: string[];
}

const MAX_DISTINCT = 5000;

function summaryStats() {
  const s = createRunningStats();
  const p = createPercentileTracker();
  return {
    add(v: number) {
      s.add(v);
      p.add(v);
    },
    out(): TimingSummary {
      const snap = s.snapshot();
      return { count: snap.count, mean: round3(snap.mean), stdDev: round3(snap.stdDev), min: round3(snap.min), max: round3(snap.max), ...p.snapshot() };
    },
  };
}

/** Numbers and hex ids out, so "timeout after 30012 ms" and "... 30007 ms" count as one message. */
export function messageShape(m: string): string {
  return m
    .replace(/https?:\/\/\S+/g, '<url>')
    .replace(/\b[0-9a-f]{12,}\b/gi, '<id>')
    .replace(/\d+(\.\d+)?/g, 'N')
    .slice(0, 200);
}

/** The URL with its host kept and the key replaced by {key}: `http://cdn/{key}?imwidth=N`. */
export function urlPattern(url: string, key: string): string {
  const enc = encodeKey(key.replace(/^\/+/, ''));
  const at = url.indexOf(enc);
  const shaped = at >= 0 ? `${url.slice(0, at)}{key}${url.slice(at + enc.length)}` : url;
  return shaped.replace(/=\d+/g, '=N');
}

interface Tally {
  total: number;
  failed: number;
}

function bump(m: Map<string, Tally>, name: string, failed: boolean) {
  let t = m.get(name);
  if (!t) m.set(name, (t = { total: 0, failed: 0 }));
  t.total++;
  if (failed) t.failed++;
}

function countInto(m: Map<string, number>, name: string) {
  if (!m.has(name) && m.size >= MAX_DISTINCT) name = '(other)';
  m.set(name, (m.get(name) ?? 0) + 1);
}

export interface ErrorAnalyzer {
  add(r: ResultsRecord): void;
  report(resultsFile: string): ErrorReport;
}

export function createErrorAnalyzer(): ErrorAnalyzer {
  let records = 0;
  let ok = 0;
  let retried = 0;
  // Derivatives seen per file, for "failed 2 of 3" in the worst files.
  const files = new Map<string, number>();
  const byClass = new Map<string, number>();
  const byStatus = new Map<string, number>();
  const bySize = new Map<string, Tally>();
  const byDerivative = new Map<string, Tally>();
  const byExt = new Map<string, Tally>();
  const byPop = new Map<string, Tally>();
  const byEdge = new Map<string, Tally>();
  let popsSeen = false;
  const sizeFailed = summaryStats();
  const sizeOk = summaryStats();
  const timeFailed = summaryStats();
  const timeOk = summaryStats();
  const messages = new Map<string, number>();
  const patterns = new Map<string, number>();
  let first: string | null = null;
  let last: string | null = null;
  const failedFiles = new Map<string, ProblemFile>();
  const timeoutsBySize = new Map<string, number>();

  return {
    add(r) {
      records++;
      files.set(r.key, (files.get(r.key) ?? 0) + 1);
      const failed = !r.ok;
      if (r.attempts > 1) retried++;
      bump(bySize, r.sizeCategory, failed);
      bump(byDerivative, r.derivative || '(none)', failed);
      bump(byExt, extensionOf(r.key) || '(none)', failed);
      if (r.pop) popsSeen = true;
      bump(byPop, r.pop ?? '(none)', failed);
      if (r.edge) bump(byEdge, r.edge, failed);
      if (!failed) {
        ok++;
        sizeOk.add(r.sourceSize / MIB);
        timeOk.add(r.totalMs);
        return;
      }
      countInto(byClass, r.errorClass ?? 'unknown_error');
      countInto(byStatus, String(r.status));
      sizeFailed.add(r.sourceSize / MIB);
      timeFailed.add(r.totalMs);
      if (r.errorMessage) countInto(messages, messageShape(r.errorMessage));
      if (r.url) countInto(patterns, urlPattern(r.url, r.key));
      if (r.startedAt) {
        if (first === null || r.startedAt < first) first = r.startedAt;
        if (last === null || r.startedAt > last) last = r.startedAt;
      }
      if (r.errorClass === 'timeout') timeoutsBySize.set(r.sizeCategory, (timeoutsBySize.get(r.sizeCategory) ?? 0) + 1);
      let f = failedFiles.get(r.key);
      if (!f) failedFiles.set(r.key, (f = { key: r.key, sourceSize: r.sourceSize, sizeCategory: r.sizeCategory, failed: 0, total: 0, errorClasses: [], statuses: [] }));
      f.failed++;
      const cls = r.errorClass ?? 'unknown_error';
      if (!f.errorClasses.includes(cls)) f.errorClasses.push(cls);
      if (!f.statuses.includes(r.status)) f.statuses.push(r.status);
    },
    report(resultsFile) {
      const failed = records - ok;
      const rows = (m: Map<string, Tally>): RateRow[] =>
        [...m.entries()]
          .map(([name, t]) => ({ name, total: t.total, failed: t.failed, failureRate: t.total ? t.failed / t.total : 0 }))
          .sort((a, b) => b.failed - a.failed || a.name.localeCompare(b.name));
      const counts = (m: Map<string, number>): CountRow[] =>
        [...m.entries()].map(([name, count]) => ({ name, count, share: records ? count / records : 0 })).sort((a, b) => b.count - a.count);
      const top = (m: Map<string, number>, n: number) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
      const problemFiles = [...failedFiles.values()].sort((a, b) => b.failed - a.failed || b.sourceSize - a.sourceSize).slice(0, 25);
      const report: ErrorReport = {
        generatedAt: new Date().toISOString(),
        resultsFile,
        totals: { records, ok, failed, errorRate: records ? failed / records : 0, files: files.size, failedFiles: failedFiles.size, retried },
        byErrorClass: counts(byClass),
        byStatus: counts(byStatus),
        bySizeCategory: rows(bySize),
        byDerivative: rows(byDerivative),
        byExtension: rows(byExt),
        byPop: popsSeen ? rows(byPop) : [],
        byEdge: byEdge.size > 1 ? rows(byEdge) : [],
        sizes: { failed: sizeFailed.out(), successful: sizeOk.out() },
        timings: { failed: timeFailed.out(), successful: timeOk.out() },
        topMessages: top(messages, 10).map(([message, count]) => ({ message, count })),
        urlPatterns: top(patterns, 10).map(([pattern, count]) => ({ pattern, count })),
        firstErrorAt: first,
        lastErrorAt: last,
        problemFiles,
        recommendations: [],
        excludedKeys: [...failedFiles.keys()].sort(),
      };
      for (const f of report.problemFiles) f.total = files.get(f.key) ?? f.failed;
      report.recommendations = recommend(report, timeoutsBySize);
      return report;
    },
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** Advice that follows from the numbers, most important first. */
export function recommend(r: ErrorReport, timeoutsBySize: Map<string, number>): string[] {
  const out: string[] = [];
  const { records, failed } = r.totals;
  if (records === 0) return ['The results file has no records: check the listing (bucket, --directory, --extensions, --media-type).'];
  if (failed === 0) return ['No failures: every derivative was warmed. Nothing to exclude from the load test.'];
  const cls = (name: string) => r.byErrorClass.find((c) => c.name === name)?.count ?? 0;
  const timeouts = cls('timeout');
  if (timeouts > 0) {
    const large = timeoutsBySize.get('large') ?? 0;
    const medium = timeoutsBySize.get('medium') ?? 0;
    if ((large + medium) / timeouts >= 0.5) {
      out.push(
        `${pct((large + medium) / timeouts)} of the ${timeouts} timeouts are on medium or large files: raise --timeout for them ` +
          '(e.g. a separate run with --timeout 600 on those files) and use --optimize-by-size with fewer --large-file-workers, so they get bandwidth without starving small files.',
      );
    } else {
      out.push(`${timeouts} timeouts, mostly on small files: the CDN or origin is overloaded rather than slow to transfer; lower --workers or set --rate.`);
    }
  }
  const server = cls('server_error');
  if (server / records > 0.02) {
    const s503 = r.byStatus.find((s) => s.name === '503')?.count ?? 0;
    out.push(
      `${pct(server / records)} of requests ended in 5xx after retries${s503 ? ` (${s503} were 503)` : ''}: the transformer is overloaded; ` +
        'lower --workers or set --rate, raise --retry, and warm in shards (--shard i/n) at quieter hours.',
    );
  }
  const conn = cls('connection_error');
  if (conn > 0) {
    out.push(
      `${conn} connection errors: check DNS and firewalls, lower --workers, and keep --connection-close-delay below the server's keep-alive timeout so idle connections are not reused after the server closed them.`,
    );
  }
  if (cls('incomplete_body') > 0) out.push(`${cls('incomplete_body')} bodies ended early: the origin or CDN cut transfers; look for a response size or time limit on the transforming edge.`);
  const s404 = r.byStatus.find((s) => s.name === '404')?.count ?? 0;
  if (s404 > 0) out.push(`${s404} answers were 404: check --base-url (and its path prefix) and --url-format against what the CDN expects; objects may also have been deleted since the listing.`);
  const s403 = (r.byStatus.find((s) => s.name === '403')?.count ?? 0) + (r.byStatus.find((s) => s.name === '401')?.count ?? 0);
  if (s403 > 0) out.push(`${s403} answers were 401/403: the CDN wants a token or signed URL; pass it with --header or sign the base URL.`);
  const s413 = (r.byStatus.find((s) => s.name === '413')?.count ?? 0) + (r.byStatus.find((s) => s.name === '415')?.count ?? 0);
  if (s413 > 0) out.push(`${s413} answers were 413/415: the transformer rejects these sources (too large or unsupported); see \`optimize\` to re-encode them.`);
  const overall = failed / records;
  for (const d of r.byDerivative) {
    if (d.total >= 5 && d.failureRate > 2 * overall && d.failureRate > 0.1) out.push(`Derivative or variant "${d.name}" fails ${pct(d.failureRate)} of the time against ${pct(overall)} overall: check its transformation settings.`);
  }
  for (const e of r.byExtension) {
    if (e.total >= 5 && e.failureRate > 2 * overall && e.failureRate > 0.1) out.push(`Files with extension ${e.name} fail ${pct(e.failureRate)} of the time: the transformer may not support them; exclude them with --extensions.`);
  }
  if (r.sizes.failed.count >= 3 && r.sizes.successful.count >= 3 && r.sizes.failed.p50 > 2 * r.sizes.successful.p50) {
    out.push(
      `Failed files are larger (median ${r.sizes.failed.p50.toFixed(1)} MiB against ${r.sizes.successful.p50.toFixed(1)} MiB for successful ones): the transformer may have a size limit; consider \`optimize\` for the largest sources.`,
    );
  }
  out.push(`Use the exclusion list (${r.excludedKeys.length} file(s)) with \`loadtest --use-error-report --error-report-file\` so the load test does not replay known failures.`);
  return out;
}
