// What prewarm prints at the end: the run line, the statistics tables, rate limiting,
// where the results are, and a last line with the verdict (how many URLs failed, by class).
import { formatRunStats } from '../stats/run-stats.js';
import type { PrewarmSummary } from './prewarm-job.js';
import type { ResultsPaths } from '../../results/paths.js';

export interface FailureVerdict {
  failed: number;
  total: number;
  /** failed / total, 0 for an empty run. */
  rate: number;
  /** The rate is above --max-failure-rate. */
  exceeded: boolean;
  /** `server_error 2, timeout 1`, most first. */
  byClass: string;
}

/** The share of URLs (all records of the results file, resumed ones included) whose final answer failed. */
export function failureVerdict(summary: PrewarmSummary, maxFailureRate: number): FailureVerdict {
  const total = summary.stats.overall.requests;
  const failed = summary.stats.overall.failed;
  const rate = total > 0 ? failed / total : 0;
  const byClass = Object.entries(summary.stats.byErrorClass).map(([k, v]) => `${k} ${v}`).join(', ');
  return { failed, total, rate, exceeded: rate > maxFailureRate, byClass };
}

const pct = (x: number) => `${(x * 100).toFixed(x > 0 && x < 0.001 ? 3 : 1)}%`;

export function formatPrewarmReport(s: PrewarmSummary, failed: number, interrupted: boolean, paths: ResultsPaths): string {
  const lines = [
    `prewarm: ${s.requests} request(s) for ${s.files} file(s) in ${s.durationSeconds.toFixed(1)} s (${s.requestsPerSecond} req/s), ` +
      `${failed} failed${s.resumedRecords ? `, ${s.resumedRecords} done earlier` : ''}${interrupted ? ', INTERRUPTED' : ''}`,
  ];
  if (s.edges.length > 0) lines.push(`edges: ${s.edges.join(', ')} (each URL warmed once per edge)`);
  if (s.cacheVariants.length > 0) lines.push(`cache-key variants: ${s.cacheVariants.length} set(s), each URL warmed once per set`);
  let text = `${lines.join('\n')}\n${formatRunStats(s.stats)}`;
  const c = s.concurrency;
  if (s.answers.status429 > 0 || s.answers.status503 > 0 || c.cuts > 0) {
    text +=
      `rate limiting: ${s.answers.status429} answer(s) 429 and ${s.answers.status503} answer(s) 503 of ${s.answers.total}; ` +
      (c.adaptive ? `concurrency cut ${c.cuts} time(s), lowest ${c.lowest} of ${c.max} (timeline in the summary)\n` : 'adaptive concurrency off (--no-adaptive)\n');
  }
  text += `results: ${paths.json} (log ${paths.jsonl}), summary: ${paths.summary}\n`;
  return text;
}

/** The last line: the verdict against --max-failure-rate. */
export function verdictLine(v: FailureVerdict, maxFailureRate: number): string {
  if (v.failed === 0) return `prewarm: OK: all ${v.total} URL(s) answered 2xx\n`;
  const why = v.byClass ? `: ${v.byClass}` : '';
  if (!v.exceeded) return `prewarm: OK: ${v.failed} of ${v.total} URL(s) failed (${pct(v.rate)}, within --max-failure-rate ${pct(maxFailureRate)})${why}\n`;
  return `prewarm: FAILED: ${v.failed} of ${v.total} URL(s) failed (${pct(v.rate)}, above --max-failure-rate ${pct(maxFailureRate)})${why}\n`;
}
