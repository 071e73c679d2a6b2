// Shared by the loadtest/scenarios tests: a folder of tiny source videos served
// by the real origin (synthetic derivatives, size = width x bytesPerWidth), the
// ResultsFile a pre-warm of it would write, and a runner for the real k6 binary.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll } from 'vitest';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startOrigin } from '../origin/index.js';
import type { OriginFaults, RunningOrigin } from '../origin/types.js';
import type { ResultsFile, ResultsRecord } from '../common/results-record.js';
import { derivativeUrl } from '../common/url.js';
import { DEFAULT_DERIVATIVES } from '../common/derivatives.js';
import { requireTool } from '../lib/tools.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BUNDLE = join(ROOT, 'dist', 'loadtest.js');
export const BYTES_PER_WIDTH = 256;
const DERIVATIVES = DEFAULT_DERIVATIVES.filter((d) => d.name === 'desktop' || d.name === 'mobile');

export interface Library {
  dir: string;
  keys: string[];
  records: ResultsRecord[];
  resultsFile: string;
}

/** Writes `count` tiny source files (nested, with a space in the name) and their results file. */
export async function makeLibrary(count: number): Promise<Library> {
  const dir = await mkdtemp(join(tmpdir(), 'mt-loadtest-'));
  const keys = Array.from({ length: count }, (_, i) => (i % 2 === 0 ? `videos/clip ${i}.mp4` : `videos/deep/clip-${i}.mp4`));
  for (const key of keys) {
    await mkdir(dirname(join(dir, 'bucket', key)), { recursive: true });
    await writeFile(join(dir, 'bucket', key), Buffer.alloc(2048, 1));
  }
  const records: ResultsRecord[] = [];
  for (const key of keys) {
    for (const d of DERIVATIVES) {
      const size = d.width * BYTES_PER_WIDTH;
      records.push({
        key, derivative: d.name, kind: 'derivative', url: derivativeUrl('http://prewarm.invalid', key, d), status: 200, ok: true, attempts: 1,
        ttfbMs: 1, totalMs: 2, bytesReceived: size, contentLength: size, contentType: 'video/mp4', cacheStatus: 'miss', errorClass: null,
        errorMessage: null, sourceSize: 2048, sizeCategory: 'small', width: d.width, height: d.height, startedAt: new Date().toISOString(),
      });
    }
  }
  const resultsFile = join(dir, 'results.json');
  await writeResults(resultsFile, records);
  return { dir, keys, records, resultsFile };
}

export async function writeResults(path: string, records: ResultsRecord[]): Promise<void> {
  const file: ResultsFile = { version: 1, generatedAt: new Date().toISOString(), baseUrl: 'http://prewarm.invalid', urlFormat: 'imwidth', records };
  await writeFile(path, JSON.stringify(file));
}

export function serve(lib: Library, faults: OriginFaults = {}): Promise<RunningOrigin> {
  return startOrigin({ root: join(lib.dir, 'bucket'), mode: 'synthetic', syntheticBytesPerWidth: BYTES_PER_WIDTH, seed: 7, faults });
}

/** A library of `count` videos served by the origin for the whole test file (made in beforeAll, removed in afterAll). */
export function servedLibrary(count: number, faults: OriginFaults = {}): { lib: Library; origin: RunningOrigin } {
  const served = {} as { lib: Library; origin: RunningOrigin };
  beforeAll(async () => {
    served.lib = await makeLibrary(count);
    served.origin = await serve(served.lib, faults);
  });
  afterAll(async () => {
    await served.origin?.close();
    if (served.lib) await rm(served.lib.dir, { recursive: true, force: true });
  });
  return served;
}

export interface K6Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real k6 with `-e` settings; bounded by a timeout. */
export function k6(args: string[], env: Record<string, string | number | boolean> = {}, opts: { cwd?: string; timeoutMs?: number } = {}): Promise<K6Result> {
  const bin = requireTool('k6');
  const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const [cmd, ...rest] = args;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [cmd, '--no-usage-report', ...envArgs, ...rest].filter((a) => !(cmd !== 'run' && a === '--no-usage-report')), {
      cwd: opts.cwd ?? ROOT,
      // A clean environment: k6 passes system variables to __ENV, and vitest sets MODE=test.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), K6_NO_COLOR: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
