// Results file in, error report (and exclusion list) out.
import { writeFileAtomic } from '../../lib/atomic-write.js';
import { warn } from '../../lib/log.js';
import { openResults } from '../../results/read-results.js';
import { createErrorAnalyzer, type ErrorReport } from './analyze-errors.js';
import { errorReportJson, errorReportMarkdown, exclusionListJson } from './render.js';

export interface ErrorReportOptions {
  resultsFile: string;
  output?: string;
  format: 'markdown' | 'json';
  exclusionList?: string;
}

export async function runErrorReport(opts: ErrorReportOptions): Promise<{ report: ErrorReport; text: string }> {
  const reader = await openResults(opts.resultsFile, warn);
  const analyzer = createErrorAnalyzer();
  for await (const r of reader.records) analyzer.add(r);
  const report = analyzer.report(opts.resultsFile);
  const text = opts.format === 'json' ? errorReportJson(report) : errorReportMarkdown(report);
  if (opts.output) await writeFileAtomic(opts.output, text);
  if (opts.exclusionList) await writeFileAtomic(opts.exclusionList, exclusionListJson(report));
  return { report, text };
}
