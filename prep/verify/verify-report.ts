// The verify report's data (REPORT.json), rendered to Markdown and HTML beside it.
import type { Coverage } from './coverage.js';

export interface VerifyReport {
  version: 1;
  generatedAt: string;
  /** The results file verified. */
  resultsFile: string;
  /** Base URL with secrets redacted. */
  baseUrl: string;
  method: 'head' | 'range';
  minHitRatio: number;
  passed: boolean;
  /** URLs re-requested (the successful records). */
  requested: number;
  /** Records prewarm could not warm: counted as not HIT, not re-requested. */
  notWarmed: number;
  durationSeconds: number;
  interrupted: boolean;
  /** The JSON Lines log of verify's own answers. */
  logFile: string;
  coverage: Coverage;
}

export interface VerifyReportPaths {
  markdown: string;
  json: string;
  html: string;
  jsonl: string;
}

/** REPORT.md -> REPORT.md, .json, .html and .jsonl beside it (any extension given is replaced). */
export function verifyReportPaths(output: string): VerifyReportPaths {
  const stem = output.replace(/\.(md|markdown|json|html?|jsonl)$/i, '');
  return { markdown: `${stem}.md`, json: `${stem}.json`, html: `${stem}.html`, jsonl: `${stem}.jsonl` };
}
