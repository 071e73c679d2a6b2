// One line, never a stack trace: a results log on a full disk (/dev/full), standard output
// on a full disk, and a server error after the origin started listening each end with one
// line and exit 1, and what was already measured is kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openResultsLog } from '../results/results-log.js';
import { startOrigin, type RunningOrigin } from '../origin/index.js';
import { CLI, ROOT, runCli, type CliResult } from './helpers/cli.js';
import type { ResultsFile, ResultsRecord } from '../common/results-record.js';

const CLEAN = Object.fromEntries(Object.keys(process.env).filter((k) => k.startsWith('MEDIA_TOOLKIT_')).map((k) => [k, undefined]));
const FULL = '/dev/full';
let dir: string;
let bucket: string;
let origin: RunningOrigin;

const record = (key: string): ResultsRecord => ({
  key, derivative: 'mobile', kind: 'derivative', url: `http://127.0.0.1/${key}`, status: 200, ok: true, attempts: 1, ttfbMs: 1, totalMs: 2, bytesReceived: 3,
  contentLength: 3, contentType: 'video/mp4', cacheStatus: 'hit', errorClass: null, errorMessage: null, sourceSize: 10, sizeCategory: 'small', startedAt: '2026-01-01T00:00:00.000Z',
});

/** Runs the CLI with standard output on a file (e.g. /dev/full). */
function runWithStdout(args: string[], stdoutPath: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const fd = openSync(stdoutPath, 'w');
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...CLEAN }, stdio: ['ignore', fd, 'pipe'] });
    closeSync(fd);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout: '', stderr });
    });
  });
}

const oneErrorLine = (r: CliResult) => {
  const lines = r.stderr.trim().split('\n');
  expect(r.stderr, 'no stack trace').not.toMatch(/^\s+at /m);
  expect(lines, r.stderr).toHaveLength(1);
  return lines[0];
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mt-fail-'));
  bucket = join(dir, 'media');
  mkdirSync(bucket);
  for (let i = 0; i < 40; i++) writeFileSync(join(bucket, `v${String(i).padStart(2, '0')}.mp4`), Buffer.alloc(100 + i));
  origin = await startOrigin({ root: bucket, syntheticBytesPerWidth: 1, faults: { latencyMs: 5 } });
});

afterAll(async () => {
  await origin?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a results log on a full disk', () => {
  it('the log stops writing, keeps the records in memory and tells the run once; nothing is thrown', async () => {
    const path = join(dir, 'unit.jsonl');
    symlinkSync(FULL, path);
    const failures: NodeJS.ErrnoException[] = [];
    const log = openResultsLog(path, false, (e) => failures.push(e));
    log.append(record('a.mp4'));
    log.append(record('b.mp4'));
    // The write runs at the end of the event-loop turn (setImmediate): it must not become an uncaught exception.
    await new Promise((r) => setImmediate(r));
    log.append(record('c.mp4'));
    log.close();
    expect(failures.map((e) => e.code)).toEqual(['ENOSPC']);
    expect(log.failure?.code).toBe('ENOSPC');
    expect(log.committedBytes).toBe(0);
    expect(log.unwritten.join('').trim().split('\n').map((l) => JSON.parse(l).key)).toEqual(['a.mp4', 'b.mp4', 'c.mp4']);
  });

  it('prewarm: one line, exit 1, the run stops, and every record measured is in the results JSON', async () => {
    const out = join(dir, 'full', 'r.json');
    mkdirSync(join(dir, 'full'));
    symlinkSync(FULL, join(dir, 'full', 'r.jsonl'));
    const r = await runCli(['prewarm', '--bucket', bucket, '--base-url', origin.url, '--workers', '2', '--progress', 'false', '--output', out], { env: CLEAN });
    expect(r.code).toBe(1);
    const line = oneErrorLine(r);
    expect(line).toMatch(new RegExp(`^media-toolkit: error: cannot write the results log ${join(dir, 'full', 'r.jsonl')}: ENOSPC: no space left on device, write; the run stopped after (\\d+) request\\(s\\); all \\1 record\\(s\\) are in ${out} `));
    const done = Number(/stopped after (\d+)/.exec(line)![1]);
    const results = JSON.parse(readFileSync(out, 'utf8')) as ResultsFile;
    expect(results.records).toHaveLength(done);
    expect(done).toBeGreaterThan(0);
    // It stopped: far fewer than the 120 requests of the whole bucket.
    expect(done).toBeLessThan(120);
    expect(results.records.every((x) => x.ok)).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'full', 'r.summary.json'), 'utf8')).totalRecords).toBe(done);
  });
});

describe('standard output on a full disk', () => {
  it('list: one line and exit 1', async () => {
    const r = await runWithStdout(['list', '--bucket', bucket, '--format', 'jsonl'], FULL);
    expect(r.code).toBe(1);
    expect(oneErrorLine(r)).toBe('media-toolkit: error: cannot write to standard output: ENOSPC: no space left on device, write');
  });

  it('prewarm: one line and exit 1, with the results files already written', async () => {
    const out = join(dir, 'stdout-full', 'r.json');
    const r = await runWithStdout(['prewarm', '--bucket', bucket, '--base-url', origin.url, '--progress', 'false', '--output', out, '--limit', '2'], FULL);
    expect(r.code).toBe(1);
    expect(oneErrorLine(r)).toBe('media-toolkit: error: cannot write to standard output: ENOSPC: no space left on device, write');
    expect((JSON.parse(readFileSync(out, 'utf8')) as ResultsFile).records).toHaveLength(6);
  });
});

describe('a server error after listen', () => {
  // The kernel will not fail accept() on demand here (libuv absorbs EMFILE), so a preloaded module
  // emits the error a failing accept() gives, on the origin's own server, after its first request.
  it('origin: one line with the counters so far, exit 1', async () => {
    const preload = join(dir, 'accept-fails.mjs');
    writeFileSync(
      preload,
      `import http from 'node:http';
const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function (...args) {
  this.once('request', (req, res) => res.once('finish', () => setTimeout(() => {
    this.emit('error', Object.assign(new Error('accept ENFILE'), { code: 'ENFILE', errno: -23, syscall: 'accept' }));
  }, 20)));
  return listen.apply(this, args);
};
`,
    );
    const child = spawn(process.execPath, ['--import', preload, CLI, 'origin', '--root', bucket], { cwd: ROOT, env: { ...process.env, ...CLEAN }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const url = await new Promise<string>((resolve) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        const m = /origin listening on (\S+)/.exec(stdout);
        if (m) resolve(m[1]);
      });
    });
    const res = await fetch(`${url}/v00.mp4?imwidth=100`);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const code = await new Promise<number | null>((resolve) => {
      const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('close', (c) => {
        clearTimeout(t);
        resolve(c);
      });
    });
    expect(code).toBe(1);
    expect(stderr).not.toMatch(/^\s+at /m);
    const lines = stderr.trim().split('\n');
    expect(lines.at(-1)).toBe('media-toolkit: error: origin server failed: accept ENFILE (after 1 requests, 0 hits, 1 misses, 0 errors injected, 0 resets)');
    // Only the start-up line came before it.
    expect(lines.slice(0, -1)).toEqual([expect.stringMatching(/^serving /)]);
  });
});
