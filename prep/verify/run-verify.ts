// `verify`: re-request every successful (key, derivative[, edge][, cache-key variant])
// of a results file with HEAD (or a one-byte range), through the pre-warming engine,
// and report which are cache HITs now. Exit 1 below --min-hit-ratio.
import { readFile } from 'node:fs/promises';
import { openResults } from '../../results/read-results.js';
import { openResultsLog } from '../../results/results-log.js';
import { writeFileAtomic } from '../../lib/atomic-write.js';
import { createProgress } from '../../lib/progress.js';
import { info, warn } from '../../lib/log.js';
import { redactUrl } from '../../common/redact.js';
import type { ResultsRecord } from '../../common/results-record.js';
import { createWorkerConnections } from '../prewarm/worker-connections.js';
import { startPrewarm, type PrewarmRun } from '../prewarm/engine.js';
import type { WorkItem } from '../prewarm/work-list.js';
import type { HeaderSet } from '../prewarm/header-sets.js';
import { handleShutdownSignals, signalExitCode } from '../prewarm/shutdown-signals.js';
import { createCoverage } from './coverage.js';
import { verifyItem } from './verify-items.js';
import { verifyReportPaths, type VerifyReport, type VerifyReportPaths } from './verify-report.js';
import { renderVerifyMarkdown } from './render-markdown.js';
import { renderVerifyHtml } from './render-html.js';

export { verifyReportPaths };

export interface VerifyOptions {
  resultsFile: string;
  /** The real base URL, for secrets the results redacted. */
  baseUrl?: string;
  /** The real cache-key variant sets (--variant-header), for sets the results show masked. */
  variantSets?: readonly HeaderSet[];
  report: VerifyReportPaths;
  minHitRatio: number;
  method: 'head' | 'range';
  workers: number;
  timeoutMs: number;
  retries: number;
  headers?: Record<string, string>;
  popHeader?: string;
  /** Resolve host names again instead of each record's edge address. */
  dns?: boolean;
  http2?: boolean;
  caFile?: string;
  insecure?: boolean;
  progress: boolean;
  shutdownGraceSeconds: number;
}

export interface VerifyOutcome {
  report: VerifyReport;
  exitCode: number;
}

export async function runVerify(o: VerifyOptions, onStart?: (run: PrewarmRun) => void): Promise<VerifyOutcome> {
  const started = Date.now();
  const reader = await openResults(o.resultsFile, (m) => warn(m));
  const coverage = createCoverage();
  let requested = 0;
  let notWarmed = 0;
  // Records prewarm could not warm are counted as they stream past; the successful ones become requests.
  const items = (async function* (): AsyncGenerator<WorkItem> {
    for await (const r of reader.records) {
      if (!r.ok) {
        notWarmed++;
        coverage.add(r, false);
        continue;
      }
      requested++;
      yield verifyItem(r, o);
    }
  })();
  const connections = createWorkerConnections({
    keepAliveMs: 15_000,
    connectTimeoutMs: o.timeoutMs,
    http2: o.http2,
    ca: o.caFile ? await readFile(o.caFile) : undefined,
    insecure: o.insecure,
  });
  const log = openResultsLog(o.report.jsonl, false);
  const run = startPrewarm({
    items,
    poolWorkers: [o.workers],
    connectionFor: () => connections.forWorker(),
    fetch: {
      timeoutMs: o.timeoutMs,
      retries: o.retries,
      useHead: o.method === 'head',
      rangeProbe: o.method === 'range',
      backoffBaseMs: 250,
      backoffMaxMs: 10_000,
      maxRetryAfterMs: 60_000,
      headers: o.headers,
      popHeader: o.popHeader,
    },
    onRecord: (r: ResultsRecord) => {
      coverage.add(r, true);
      log.append(r);
    },
  });
  onStart?.(run);
  let outcome;
  try {
    outcome = await run.done;
  } finally {
    log.close();
    if (run.counters().inFlight > 0) await connections.destroy();
    else await connections.close();
  }
  if (outcome.listingError) throw outcome.listingError;
  const c = coverage.summary();
  // A request that got no answer, or an error, proves nothing about the cache: with any, verify
  // cannot say the URLs are warm, whatever --min-hit-ratio allows (a dead CDN is not a pass).
  const failed = c.overall.statuses.failed ?? 0;
  const passed = !outcome.interrupted && failed === 0 && c.overall.ratio >= o.minHitRatio && c.overall.total > 0;
  const report: VerifyReport = {
    version: 1,
    generatedAt: new Date().toISOString(),
    resultsFile: o.resultsFile,
    baseUrl: redactUrl(o.baseUrl ?? reader.meta.baseUrl ?? ''),
    method: o.method,
    minHitRatio: o.minHitRatio,
    passed,
    requested,
    notWarmed,
    durationSeconds: (Date.now() - started) / 1000,
    interrupted: outcome.interrupted,
    logFile: o.report.jsonl,
    coverage: c,
  };
  await writeFileAtomic(o.report.json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomic(o.report.markdown, renderVerifyMarkdown(report));
  await writeFileAtomic(o.report.html, renderVerifyHtml(report));
  return { report, exitCode: passed ? 0 : 1 };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** verify as the command (and prewarm --verify) runs it: progress, signals, the last line, the exit code. */
export async function runVerifyCommand(o: VerifyOptions): Promise<number> {
  const progress = createProgress({ label: 'verify', unit: 'req', enabled: o.progress, plainEveryMs: 10_000 });
  const signals = handleShutdownSignals(o.shutdownGraceSeconds);
  let run: PrewarmRun | undefined;
  const ticker = setInterval(() => {
    if (!run) return;
    const c = run.counters();
    progress.update({ done: c.done, total: c.listingDone ? c.produced : undefined, errors: c.failed, note: `in flight ${c.inFlight}` });
  }, 250);
  ticker.unref();
  let out: VerifyOutcome;
  try {
    out = await runVerify(o, (r) => {
      run = r;
      signals.attach(r);
    });
  } finally {
    clearInterval(ticker);
    signals.dispose();
  }
  const c = out.report.coverage;
  progress.finish({ done: out.report.requested, total: out.report.requested, errors: c.overall.statuses.failed ?? 0 });
  const pops = Object.entries(c.byPop).filter(([k]) => k !== '(none)');
  const lines = [
    `verify: report ${o.report.markdown} (also ${o.report.json}, ${o.report.html}; answers in ${o.report.jsonl})`,
  ];
  if (pops.length > 0) lines.push(`by PoP: ${pops.map(([k, h]) => `${k} ${pct(h.ratio)} (${h.hits}/${h.total})`).join(', ')}`);
  lines.push(
    `verify: ${c.overall.hits} of ${c.overall.total} URL(s) HIT (${pct(c.overall.ratio)})` +
      `${out.report.notWarmed ? `, ${out.report.notWarmed} not warmed` : ''}${c.overall.statuses.failed ? `, ${c.overall.statuses.failed} failed (an error or no answer)` : ''}, ${c.keysNotHit} key(s) with a URL not HIT; ` +
      `${out.report.passed ? 'PASSED' : out.report.interrupted ? 'INTERRUPTED' : 'FAILED'} (--min-hit-ratio ${pct(o.minHitRatio)})`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  if (out.report.interrupted) {
    info('interrupted: the report covers what was verified before the signal');
    return signalExitCode(signals.signal);
  }
  return out.exitCode;
}
