// The optimize report: one row per file (sizes, ratio, codec, resolution,
// time, fps, SSIM, verification, the exact ffmpeg command) and the totals,
// as Markdown and as JSON beside it.
import { writeFileAtomic } from '../lib/atomic-write.js';
import { formatBytes } from '../common/byte-size.js';
import { redactText } from '../common/redact.js';
import { describeScore, type PictureScore } from './picture-check.js';
import type { Check } from './verify.js';

export type FileStatus = 'optimized' | 'replaced' | 'rejected' | 'skipped' | 'failed' | 'planned';

export interface FileReport {
  key: string;
  status: FileStatus;
  reason?: string;
  sizeBefore: number;
  sizeAfter?: number;
  /** sizeAfter / sizeBefore. */
  ratio?: number;
  /** Predicted size (dry run). */
  predictedSize?: number;
  codec?: string;
  encoder?: string;
  crf?: number;
  sourceResolution?: string;
  resolution?: string;
  timeSec?: number;
  fps?: number;
  /** The picture check's score: the lowest window's SSIM (see picture). */
  ssim?: number;
  vmaf?: number;
  /** The picture check: method (whole file or sampled windows), each window's score, its wall time. */
  picture?: PictureScore;
  /** Why the output's name differs from the plain one (another source maps to it). */
  note?: string;
  /** Streams dropped by a --drop-* flag, named. */
  dropped?: string;
  verification?: { ok: boolean; checks: Check[] };
  /** Where the new file went (path, s3:// URL, or the key itself when in place). */
  output?: string;
  command?: string;
  /** The --create-webm companion; ok: it passed verification and the picture check (ssim: its score). */
  webm?: { output: string; size: number; command: string; ok: boolean; ssim?: number };
  segments?: number;
  /** --target-ssim: CRF tried -> mean SSIM of the sample encodes. */
  crfSearch?: { crf: number; ssim: number }[];
}

export interface OptimizeTotals {
  files: number;
  optimized: number;
  rejected: number;
  skipped: number;
  failed: number;
  planned: number;
  bytesBefore: number;
  bytesAfter: number;
  savedBytes: number;
  savedPercent: number;
}

export interface OptimizeReport {
  version: 1;
  generatedAt: string;
  dryRun: boolean;
  settings: Record<string, unknown>;
  totals: OptimizeTotals;
  files: FileReport[];
}

/** Totals over the files that were optimized (or, on a dry run, planned with a prediction). */
export function computeTotals(files: FileReport[]): OptimizeTotals {
  const t: OptimizeTotals = { files: files.length, optimized: 0, rejected: 0, skipped: 0, failed: 0, planned: 0, bytesBefore: 0, bytesAfter: 0, savedBytes: 0, savedPercent: 0 };
  for (const f of files) {
    if (f.status === 'optimized' || f.status === 'replaced') {
      t.optimized++;
      t.bytesBefore += f.sizeBefore;
      t.bytesAfter += f.sizeAfter ?? f.sizeBefore;
    } else if (f.status === 'planned') {
      t.planned++;
      t.bytesBefore += f.sizeBefore;
      t.bytesAfter += f.predictedSize ?? f.sizeBefore;
    } else t[f.status]++;
  }
  t.savedBytes = t.bytesBefore - t.bytesAfter;
  t.savedPercent = t.bytesBefore > 0 ? (t.savedBytes / t.bytesBefore) * 100 : 0;
  return t;
}

const cell = (s: string | number | undefined) => (s === undefined || s === '' ? '-' : String(s).replace(/\|/g, '\\|').replace(/\n/g, ' '));

export function renderMarkdown(r: OptimizeReport): string {
  const t = r.totals;
  const lines = [
    `# Optimize report${r.dryRun ? ' (dry run: nothing changed)' : ''}`,
    '',
    `Generated ${r.generatedAt}.`,
    '',
    '| files | optimized | planned | rejected | skipped | failed | before | after | saved |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${t.files} | ${t.optimized} | ${t.planned} | ${t.rejected} | ${t.skipped} | ${t.failed} | ${formatBytes(t.bytesBefore)} | ${formatBytes(t.bytesAfter)} | ${formatBytes(t.savedBytes)} (${t.savedPercent.toFixed(1)}%) |`,
    '',
    `Settings: ${Object.entries(r.settings).map(([k, v]) => `${k}=${String(v)}`).join(', ')}`,
    '',
    '## Files',
    '',
  ];
  const vmaf = r.files.some((f) => f.vmaf !== undefined);
  lines.push(
    `| file | status | before | after | ratio | codec | resolution | time | fps | SSIM |${vmaf ? ' VMAF |' : ''} verification |`,
    `|---|---|---:|---:|---:|---|---|---:|---:|---:|${vmaf ? '---:|' : ''}---|`,
  );
  for (const f of r.files) {
    const after = f.sizeAfter ?? f.predictedSize;
    const ratio = f.ratio ?? (f.predictedSize !== undefined && f.sizeBefore ? f.predictedSize / f.sizeBefore : undefined);
    lines.push(
      `| ${cell(f.key)} | ${f.status}${f.status === 'planned' ? ' (predicted)' : ''} | ${formatBytes(f.sizeBefore)} | ${after !== undefined ? formatBytes(after) : '-'} | ${ratio !== undefined ? ratio.toFixed(3) : '-'} | ${cell(f.codec ? `${f.codec}${f.encoder ? ` (${f.encoder})` : ''}` : undefined)} | ${cell(f.resolution ? `${f.sourceResolution ?? '?'} → ${f.resolution}` : f.sourceResolution)} | ${f.timeSec !== undefined ? `${f.timeSec.toFixed(1)} s` : '-'} | ${f.fps !== undefined ? f.fps.toFixed(1) : '-'} | ${f.ssim !== undefined ? f.ssim.toFixed(4) : '-'} |${vmaf ? ` ${f.vmaf !== undefined ? f.vmaf.toFixed(2) : '-'} |` : ''} ${cell(f.status === 'rejected' ? f.reason : f.verification ? (f.verification.ok ? 'passed' : `failed: ${f.verification.checks.filter((c) => !c.ok).map((c) => c.name).join(', ')}`) : f.reason)} |`,
    );
  }
  const detailed = r.files.filter((f) => f.command || f.reason || f.verification);
  if (detailed.length) {
    lines.push('', '## Details', '');
    for (const f of detailed) {
      lines.push(`### ${f.key}`, '');
      if (f.reason) lines.push(`${f.status}: ${f.reason}`, '');
      if (f.output) lines.push(`Output: \`${f.output}\``, '');
      if (f.verification) {
        for (const c of f.verification.checks) lines.push(`- ${c.ok ? 'ok' : 'FAILED'} ${c.name}: ${c.detail}`);
        if (f.picture) lines.push(`- picture: ${describeScore(f.picture)}, checked in ${f.picture.sec.toFixed(1)} s`);
        lines.push('');
      }
      if (f.dropped) lines.push(`Streams ${f.dropped}`, '');
      if (f.note) lines.push(`Note: ${f.note}`, '');
      if (f.command) lines.push('```sh', f.command, '```', '');
      if (f.webm) lines.push(`WebM companion: \`${f.webm.output}\` (${formatBytes(f.webm.size)}, ${f.webm.ok ? 'verified' : 'NOT verified'}${f.webm.ssim !== undefined ? `, SSIM ${f.webm.ssim.toFixed(4)}` : ''})`, '', '```sh', f.webm.command, '```', '');
    }
  }
  return redactText(`${lines.join('\n')}\n`);
}

/** Writes FILE.md and FILE.json beside it (or FILE.json alone when FILE ends in .json). */
export async function writeOptimizeReport(path: string, r: OptimizeReport): Promise<{ markdown?: string; json: string }> {
  const json = `${redactText(JSON.stringify(r, null, 2))}\n`;
  if (path.toLowerCase().endsWith('.json')) {
    await writeFileAtomic(path, json);
    return { json: path };
  }
  const jsonPath = path.replace(/\.(md|markdown)$/i, '') + '.json';
  await writeFileAtomic(path, renderMarkdown(r));
  await writeFileAtomic(jsonPath, json);
  return { markdown: path, json: jsonPath };
}
