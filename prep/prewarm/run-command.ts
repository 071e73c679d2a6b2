// The prewarm command's run, as a person or CI sees it: progress bar, Ctrl-C handling,
// the report lines, then verify and compare when asked, and the exit code.
import { rm } from 'node:fs/promises';
import { setFlagsFromString } from 'node:v8';
import { RuntimeError, UsageError, oneLine } from '../../lib/errors.js';
import { createProgress } from '../../lib/progress.js';
import { info } from '../../lib/log.js';
import { runPrewarmJob, type PrewarmJobOptions } from './prewarm-job.js';
import type { PrewarmRun } from './engine.js';
import { handleShutdownSignals, signalExitCode } from './shutdown-signals.js';
import { failureVerdict, formatPrewarmReport, verdictLine } from './prewarm-report.js';
import { runComparison } from '../compare/run-comparison.js';

export interface CompareAfter {
  kvFile: string;
  output: string;
  format: 'markdown' | 'json';
  tolerancePercent: number;
}

export interface PrewarmCommandOptions {
  job: PrewarmJobOptions;
  progress: boolean;
  shutdownGraceSeconds: number;
  /** Exit 1 when the share of failed URLs is above this (0: any failure). */
  maxFailureRate: number;
  /** Runs right after a completed run (prewarm --verify); returns its exit code. */
  verifyAfter?: (resultsFile: string) => Promise<number>;
  compare?: CompareAfter;
}

/** Runs prewarm and prints its report; resolves to the exit code. */
export async function runPrewarmCommand(o: PrewarmCommandOptions): Promise<number> {
  // A million short-lived request objects grow V8's young generation to 2 x 16 MB and let the old
  // generation swell between full collections: ~20 MB more RSS, and measured no faster (bench/prewarm.mjs).
  // (--heap-growing-percent=10 would also hold the old generation ~20 MB lower, but it halves the
  // throughput of large bodies: their 64 KB chunks count as external memory and trigger full GCs.)
  // Not with --http2: 1,000 streams in flight outlive a small young generation, and collecting it
  // that often cost ~25% more CPU per request (157 -> 203 µs, 30,000 requests over 16 connections).
  if (!o.job.http2) setFlagsFromString('--semi-space-growth-factor=1');
  const progress = createProgress({ label: 'prewarm', unit: 'req', enabled: o.progress, plainEveryMs: 10_000 });
  let run: PrewarmRun | undefined;
  const signals = handleShutdownSignals(o.shutdownGraceSeconds);
  const ticker = setInterval(() => {
    if (!run) return;
    const c = run.counters();
    progress.update({ done: c.done, total: c.listingDone ? c.produced : undefined, errors: c.failed, note: `in flight ${c.inFlight}${c.listingDone ? '' : ', listing...'}` });
  }, 250);
  ticker.unref();
  let result;
  try {
    result = await runPrewarmJob(o.job, (r) => {
      run = r;
      signals.attach(r);
    });
  } finally {
    clearInterval(ticker);
    signals.dispose();
  }
  const { outcome, summary, paths } = result;
  progress.finish({ done: outcome.done, total: outcome.produced, errors: outcome.failed });
  // A listing that failed before yielding anything (missing folder, wrong bucket): nothing was
  // warmed, so the empty results this run wrote are removed rather than left beside the user's files.
  if (outcome.listingError && outcome.produced === 0 && !o.job.resume) {
    await Promise.all([paths.json, paths.jsonl, paths.summary].map((f) => rm(f, { force: true })));
    const e = outcome.listingError;
    throw e instanceof UsageError || e instanceof RuntimeError ? e : new RuntimeError(oneLine(e));
  }
  process.stdout.write(formatPrewarmReport(summary, outcome.failed, outcome.interrupted, paths));
  if (outcome.listingError) {
    const e = outcome.listingError;
    if (e instanceof UsageError && outcome.produced === 0) throw e;
    throw new RuntimeError(`listing failed after ${outcome.produced} item(s): ${oneLine(e)} (finished work is in ${paths.jsonl}; run again with --resume)`);
  }
  if (outcome.interrupted) {
    info(`interrupted: run the same command with --resume to continue`);
    return signalExitCode(signals.signal);
  }
  let code = 0;
  if (o.verifyAfter) code = Math.max(code, await o.verifyAfter(paths.json));
  if (o.compare) {
    const c = await runComparison({ resultsFile: paths.json, ...o.compare });
    process.stdout.write(`${c.oneLine}\ncomparison: ${o.compare.output}\n`);
  }
  const verdict = failureVerdict(summary, o.maxFailureRate);
  process.stdout.write(verdictLine(verdict, o.maxFailureRate));
  return verdict.exceeded ? 1 : code;
}
