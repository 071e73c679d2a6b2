// `validate`: is every video whole? ffprobe must read it and find a video
// stream, and a full decode (-xerror) must run without an error and reach the
// frame count the container announces. A truncated or corrupt file is named
// with the reason; nothing is ever modified.
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { writeFileAtomic } from '../lib/atomic-write.js';
import { UsageError } from '../lib/errors.js';
import { redactText } from '../common/redact.js';
import { openResults } from '../results/read-results.js';
import { listObjects, type ListOptions } from '../storage/index.js';
import { createS3Client } from '../storage/s3.js';
import { threadsPerWorker } from './options.js';
import { globMatcher } from '../common/glob.js';
import { safeBaseName, safeJoin, workDirFor } from './paths.js';
import { runPool } from './pool.js';
import { probeFile } from '../media/probe.js';
import { downloadObject } from './s3-objects.js';
import { decodeCheck, expectedFrames } from './verify.js';

export const DEFAULT_VIDEO_PATTERN = '*.{mp4,mov,webm,mkv}';

export interface ValidationResult {
  /** Path relative to the folder, or the key. */
  file: string;
  status: 'ok' | 'corrupt';
  reason?: string;
  size: number;
  codec?: string;
  resolution?: string;
  durationSec?: number;
  frames?: number;
}

export interface ValidationReport {
  version: 1;
  generatedAt: string;
  source: string;
  totals: { files: number; ok: number; corrupt: number };
  files: ValidationResult[];
}

async function walk(root: string): Promise<string[]> {
  const out: string[] = [];
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop()!;
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, e.name);
      if (e.isDirectory()) stack.push(full);
      else if (e.isFile()) out.push(full);
    }
  }
  return out.sort();
}

/** Checks one local file. Never throws: every problem is a reason. */
export async function validateFile(tools: { ffmpeg: string; ffprobe: string }, path: string, name: string, threads = 0): Promise<ValidationResult> {
  let size = 0;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    return { file: name, status: 'corrupt', reason: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, size };
  }
  if (size === 0) return { file: name, status: 'corrupt', reason: 'empty file', size };
  let probe;
  try {
    probe = await probeFile(tools.ffprobe, path);
  } catch (err) {
    return { file: name, status: 'corrupt', reason: (err as Error).message, size };
  }
  const v = probe.video;
  if (!v) return { file: name, status: 'corrupt', reason: 'no video stream', size };
  const base: ValidationResult = { file: name, status: 'ok', size, codec: v.codec, resolution: `${v.width}x${v.height}`, durationSec: probe.durationSec };
  if (!(probe.durationSec > 0)) return { ...base, status: 'corrupt', reason: 'no duration' };
  const decode = await decodeCheck(tools.ffmpeg, path, undefined, threads);
  base.frames = decode.frames;
  if (!decode.ok) return { ...base, status: 'corrupt', reason: `decode error: ${decode.error}` };
  if (decode.frames === 0) return { ...base, status: 'corrupt', reason: 'no frame decodes' };
  const exp = expectedFrames(probe);
  if (exp.exact && decode.frames < exp.frames) return { ...base, status: 'corrupt', reason: `truncated: ${decode.frames} of ${exp.frames} frames decode` };
  return base;
}

export interface ValidateOptions {
  directory?: string;
  videoPattern: string;
  resultsFile?: string;
  location?: ListOptions;
  workers: number;
  ffmpeg: string;
  ffprobe: string;
  tempDir?: string;
  onFileDone?: (r: ValidationResult, done: number, total: number) => void;
}

/** Keys of a prewarm results file (JSON or JSON Lines, read by results/), unique, in order. */
export async function keysFromResults(path: string): Promise<string[]> {
  const keys = new Set<string>();
  for await (const r of (await openResults(path)).records) keys.add(r.key);
  return [...keys];
}

export async function runValidation(o: ValidateOptions): Promise<ValidationReport> {
  const matches = globMatcher(o.videoPattern, { ignoreCase: true });
  const tools = { ffmpeg: o.ffmpeg, ffprobe: o.ffprobe };
  let jobs: { name: string; size?: number; check: () => Promise<ValidationResult> }[] = [];
  let source: string;
  const tempRoot = await mkdtemp(join(o.tempDir ?? tmpdir(), 'media-toolkit-validate-'));
  const threads = threadsPerWorker(o.workers);
  try {
    if (o.directory) {
      const root = o.directory;
      source = root;
      try {
        await stat(root);
      } catch {
        throw new UsageError(`--validate-directory ${root}: no such folder`);
      }
      const files = (await walk(root)).map((f) => relative(root, f).split(sep).join('/')).filter(matches);
      jobs = files.map((name) => ({ name, check: () => validateFile(tools, join(root, name), name, threads) }));
    } else {
      if (!o.location) throw new UsageError('give --validate-directory, --validate-results with --remote/--bucket, or --remote/--bucket');
      const loc = o.location;
      source = `${loc.remote}:${loc.bucket}${loc.directory ? `/${loc.directory}` : ''}`;
      let keys: string[];
      if (o.resultsFile) keys = (await keysFromResults(o.resultsFile)).filter(matches);
      else {
        keys = [];
        for await (const obj of listObjects(loc)) if (matches(obj.key)) keys.push(obj.key);
      }
      if (loc.remote === 'local') {
        jobs = keys.map((key) => ({
          name: key,
          check: async () => {
            try {
              return await validateFile(tools, safeJoin(loc.bucket, key), key, threads);
            } catch (err) {
              return { file: key, status: 'corrupt' as const, reason: (err as Error).message, size: 0 };
            }
          },
        }));
      } else if (loc.remote === 's3') {
        const client = await createS3Client(loc);
        jobs = keys.map((key) => ({
          name: key,
          check: async () => {
            const dir = workDirFor(tempRoot, key);
            const path = join(dir, safeBaseName(key));
            try {
              await downloadObject(client, loc.bucket, key, path);
              return await validateFile(tools, path, key, threads);
            } catch (err) {
              return { file: key, status: 'corrupt' as const, reason: (err as Error).message, size: 0 };
            } finally {
              await rm(dir, { recursive: true, force: true });
            }
          },
        }));
      } else throw new UsageError(`validate reads local folders and S3 buckets; remote "${loc.remote}" is not supported`);
    }
    let done = 0;
    const files = await runPool(jobs, o.workers, async (j) => {
      const r = await j.check();
      done++;
      o.onFileDone?.(r, done, jobs.length);
      return r;
    });
    const corrupt = files.filter((f) => f.status === 'corrupt').length;
    return { version: 1, generatedAt: new Date().toISOString(), source, totals: { files: files.length, ok: files.length - corrupt, corrupt }, files };
  } finally {
    await rm(tempRoot, { recursive: true, force: true });
  }
}

export type ValidationFormat = 'text' | 'markdown' | 'json';

export function renderValidation(r: ValidationReport, format: ValidationFormat): string {
  if (format === 'json') return `${JSON.stringify(r, null, 2)}\n`;
  const t = r.totals;
  const bad = r.files.filter((f) => f.status === 'corrupt');
  if (format === 'text') {
    const lines = [`validated ${t.files} file(s) in ${r.source}: ${t.ok} ok, ${t.corrupt} corrupt`];
    for (const f of r.files) lines.push(`${f.status === 'ok' ? 'OK     ' : 'CORRUPT'} ${f.file}${f.reason ? `: ${f.reason}` : ''}`);
    return `${lines.join('\n')}\n`;
  }
  const cell = (s: string | number | undefined) => (s === undefined ? '-' : String(s).replace(/\|/g, '\\|'));
  const lines = [
    '# Validation report', '', `Source: \`${r.source}\`, generated ${r.generatedAt}.`, '',
    '| files | ok | corrupt |', '|---:|---:|---:|', `| ${t.files} | ${t.ok} | ${t.corrupt} |`, '',
  ];
  if (bad.length) {
    lines.push('## Corrupt or truncated', '', '| file | reason |', '|---|---|');
    for (const f of bad) lines.push(`| ${cell(f.file)} | ${cell(f.reason)} |`);
    lines.push('');
  }
  lines.push('## All files', '', '| file | status | size | codec | resolution | duration | frames |', '|---|---|---:|---|---|---:|---:|');
  for (const f of r.files) lines.push(`| ${cell(f.file)} | ${f.status} | ${f.size} | ${cell(f.codec)} | ${cell(f.resolution)} | ${f.durationSec !== undefined ? f.durationSec.toFixed(2) : '-'} | ${cell(f.frames)} |`);
  return `${lines.join('\n')}\n`;
}

export async function writeValidation(path: string, r: ValidationReport, format: ValidationFormat): Promise<void> {
  await writeFileAtomic(path, redactText(renderValidation(r, format)));
}
