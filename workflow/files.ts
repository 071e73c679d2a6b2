// Where each stage writes inside --output-dir. The index page and `--resume` rely on these names.
import { join } from 'node:path';
import { resultsPaths } from '../results/paths.js';

const PREWARM = resultsPaths('prewarm-results.json');

export const FILES = {
  state: 'workflow-state.json',
  indexMd: 'index.md',
  indexHtml: 'index.html',
  logs: 'logs',
  listing: 'listing.jsonl',
  // The listing an earlier run left, moved aside when this run lists again: what the CDN was warmed with.
  listingPrevious: 'listing.previous.jsonl',
  // `diff` of the previous listing and this run's (analysis stage).
  listingChanges: 'listing-changes.jsonl',
  // Those changes plus the sources optimize replaced in place: what purge and --changed-only take.
  changes: 'changes.jsonl',
  purgeReport: 'purge-report.json',
  purgeFailed: 'purge-failed.txt',
  verifyReport: 'verify-report.md',
  verifyJson: 'verify-report.json',
  verifyHtml: 'verify-report.html',
  results: PREWARM.json,
  // prewarm names these after its --output (the flag contract), so they follow from it.
  resultsJsonl: PREWARM.jsonl,
  resultsSummary: PREWARM.summary,
  errorsReport: 'errors.md',
  exclusionList: 'exclusion-list.json',
  comparison: 'comparison.md',
  loadtestSummary: 'loadtest-summary.json',
  loadtestReports: 'loadtest',
  // Written by the k6 scenario's handleSummary into --reports-dir (loadtest/).
  loadtestHtml: 'loadtest/loadtest-summary.html',
  optimizeReport: 'optimize-report.md',
  optimizeJson: 'optimize-report.json',
  optimizedDir: 'optimized',
  optimizeManifest: 'optimize-manifest.json',
} as const;

const FORMAT_EXTENSIONS: Record<string, string> = { markdown: 'md', json: 'json', csv: 'csv', html: 'html' };

/** analysis.md, analysis.json... for --analysis-format. */
export function analysisFile(format: string): string {
  return `analysis.${FORMAT_EXTENSIONS[format] ?? format}`;
}

export function inOutput(outputDir: string, name: string): string {
  return join(outputDir, name);
}
