// The size report as Markdown (the default).
import { formatBytes } from '../../common/byte-size.js';
import type { SizeReport } from './size-report.js';
import { histogramLabel, num, pct, sizeWithBytes } from './render-text.js';

// Keys may hold | and backticks; keep tables intact.
const cell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export function renderMarkdown(r: SizeReport): string {
  const out: string[] = [];
  out.push('# File size report', '');
  if (r.source) out.push(`Source: \`${r.source.replace(/`/g, "'")}\`  `);
  out.push(`Generated: ${r.generatedAt}`, '');
  out.push('## Summary', '', '| Measure | Value |', '|---|---|');
  out.push(`| Files | ${num(r.count)} |`, `| Total size | ${sizeWithBytes(r.totalBytes)} |`);
  if (r.stats) {
    out.push(
      `| Smallest | ${sizeWithBytes(r.stats.min)} |`,
      `| Largest | ${sizeWithBytes(r.stats.max)} |`,
      `| Mean | ${sizeWithBytes(r.stats.mean)} |`,
      `| Median | ${sizeWithBytes(r.stats.median)} |`,
      `| p90 | ${sizeWithBytes(r.stats.p90)} |`,
      `| p99 | ${sizeWithBytes(r.stats.p99)} |`,
    );
  }
  out.push('', r.count === 0 ? 'The listing is empty: no files matched.' : `Quantiles: ${r.quantiles.definition}.`, '');

  out.push('## Size categories', '', '| Category | Range | Files | Share of files | Size | Share of bytes |', '|---|---|---:|---:|---:|---:|');
  for (const c of r.categories) out.push(`| ${c.category} | ${c.range} | ${num(c.count)} | ${pct(c.countShare)} | ${formatBytes(c.bytes)} | ${pct(c.bytesShare)} |`);
  out.push('');

  out.push('## Size histogram (power-of-two buckets)', '');
  if (r.histogram.length === 0) out.push('No files.', '');
  else {
    const most = Math.max(...r.histogram.map((h) => h.count));
    out.push('| Size | Files | Size total | |', '|---|---:|---:|---|');
    for (const h of r.histogram) out.push(`| ${histogramLabel(h)} | ${num(h.count)} | ${formatBytes(h.bytes)} | ${'█'.repeat(most > 0 ? Math.round((h.count / most) * 30) : 0)} |`);
    out.push('');
  }

  out.push('## By extension', '');
  if (r.extensions.length === 0) out.push('No files.', '');
  else {
    out.push('| Extension | Files | Size | Share of bytes |', '|---|---:|---:|---:|');
    for (const e of r.extensions) out.push(`| ${cell(e.extension || '(none)')} | ${num(e.count)} | ${formatBytes(e.bytes)} | ${pct(e.bytesShare)} |`);
    out.push('');
  }

  out.push(`## ${r.largest.length} largest files`, '');
  if (r.largest.length === 0) out.push('No files.', '');
  else {
    out.push('| # | Key | Size | Share of bytes | Last modified |', '|---:|---|---:|---:|---|');
    r.largest.forEach((f, i) => out.push(`| ${i + 1} | ${cell(f.key)} | ${sizeWithBytes(f.size)} | ${pct(f.share)} | ${f.lastModified || '-'} |`));
    out.push('');
  }

  const a = r.aboveThreshold;
  out.push(`## Files above ${r.thresholds.sizeThresholdMiB} MiB`, '');
  out.push(`${num(a.count)} file(s) above ${sizeWithBytes(a.thresholdBytes)} hold ${sizeWithBytes(a.bytes)}, ${pct(a.bytesShare)} of all bytes.`, '');
  if (a.files.length > 0) {
    if (a.files.length < a.count) out.push(`The ${a.files.length} largest of them:`, '');
    out.push('| Key | Size | Share of bytes |', '|---|---:|---:|');
    for (const f of a.files) out.push(`| ${cell(f.key)} | ${sizeWithBytes(f.size)} | ${pct(f.share)} |`);
    out.push('');
  }

  out.push('## Estimated savings if re-encoded', '');
  out.push(`Basis: ${r.savings.basis}, ${sizeWithBytes(r.savings.bytes)}.`, '');
  out.push('| Codec | Assumed size vs H.264 (range) | Estimated size after | Estimated savings (range) |', '|---|---|---:|---|');
  for (const e of r.savings.estimates) {
    const range = e.relativeSizeLow === e.relativeSizeHigh ? pct(e.assumedRelativeSize) : `${pct(e.assumedRelativeSize)} (${pct(e.relativeSizeLow)} to ${pct(e.relativeSizeHigh)})`;
    out.push(`| ${e.label} | ${range} | ${formatBytes(e.estimatedSizeAfterBytes)} | ${formatBytes(e.estimatedSavingsBytes)} (${formatBytes(e.savingsLowBytes)} to ${formatBytes(e.savingsHighBytes)}) |`);
  }
  out.push('', `Assumptions: ${r.savings.note}`, '');
  return out.join('\n');
}
