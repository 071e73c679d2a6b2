// The size report as one CSV table (papaparse): section, label, count, bytes, share, value.
import { lazyRequire } from '../../lib/lazy-require.js';

const papa = lazyRequire<typeof import('papaparse')>('papaparse');
import type { SizeReport } from './size-report.js';
import { histogramLabel } from './render-text.js';

export const REPORT_CSV_COLUMNS = ['section', 'label', 'count', 'bytes', 'share', 'value'];

export function renderCsv(r: SizeReport): string {
  const rows: Array<Array<string | number>> = [];
  const row = (section: string, label: string, count: number | '', bytes: number | '', share: number | '', value: string | number = '') =>
    rows.push([section, label, count, bytes, share, value]);
  row('summary', 'files', r.count, r.totalBytes, r.count > 0 ? 1 : 0);
  if (r.stats) for (const k of ['min', 'max', 'mean', 'median', 'p90', 'p99'] as const) row('stat', k, '', r.stats[k], '');
  row('quantiles', r.quantiles.method, '', '', '', r.quantiles.relativeError);
  for (const c of r.categories) row('category', c.category, c.count, c.bytes, c.bytesShare, c.range);
  for (const h of r.histogram) row('histogram', histogramLabel(h), h.count, h.bytes, '', h.fromBytes);
  for (const e of r.extensions) row('extension', e.extension, e.count, e.bytes, e.bytesShare);
  for (const f of r.largest) row('largest', f.key, 1, f.size, f.share, f.lastModified);
  row('above-threshold', `> ${r.thresholds.sizeThresholdMiB} MiB`, r.aboveThreshold.count, r.aboveThreshold.bytes, r.aboveThreshold.bytesShare, r.aboveThreshold.thresholdBytes);
  for (const f of r.aboveThreshold.files) row('above-threshold-file', f.key, 1, f.size, f.share);
  for (const e of r.savings.estimates) row('savings', e.codec, r.aboveThreshold.videoCount, e.estimatedSavingsBytes, '', e.assumedRelativeSize);
  return `${papa().unparse({ fields: REPORT_CSV_COLUMNS, data: rows }, { newline: '\n' })}\n`;
}
