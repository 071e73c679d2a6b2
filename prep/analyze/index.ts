// Public entry of the analysis: a size report from any stream of objects.
import { renderCsv } from './render-csv.js';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown.js';
import type { SizeReport } from './size-report.js';

export { analyzeListing, createSizeAnalysis, type SizeReport, type SizeReportOptions } from './size-report.js';
export { CODEC_ASSUMPTIONS, SAVINGS_ASSUMPTION_NOTE } from './savings.js';

export type ReportFormat = 'markdown' | 'json' | 'csv' | 'html';
export const REPORT_FORMATS: readonly ReportFormat[] = ['markdown', 'json', 'csv', 'html'];

export function renderReport(report: SizeReport, format: ReportFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'csv':
      return renderCsv(report);
    case 'html':
      return renderHtml(report);
    default:
      return renderMarkdown(report);
  }
}
