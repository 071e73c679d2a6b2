// Results files: --resume --retry-failed asks again for what failed; a damaged log line
// (other than a torn last line) stops the reader with FILE:LINE; a fresh run keeps every
// earlier log generation (numbered), which merge still leaves out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openResultsLog } from '../results/results-log.js';
import { isPreviousLog, previousLogPath } from '../results/paths.js';
import { writeResultsFileFromLog } from '../results/write-results-file.js';
import { startOrigin, type RunningOrigin } from '../origin/index.js';
import { runCli } from './helpers/cli.js';
import type { ResultsFile, ResultsRecord } from '../common/results-record.js';

const CLEAN = Object.fromEntries(Object.keys(process.env).filter((k) => k.startsWith('MEDIA_TOOLKIT_')).map((k) => [k, undefined]));
let dir: string;
let bucket: string;
let origin: RunningOrigin;

const record = (key: string, ok = true, startedAt = '2026-01-01T00:00:00.000Z'): ResultsRecord => ({
  key, derivative: 'mobile', kind: 'derivative', url: `http://127.0.0.1/${key}`, status: ok ? 200 : 503, ok, attempts: 1, ttfbMs: 1, totalMs: 2, bytesReceived: 3,
  contentLength: 3, contentType: 'video/mp4', cacheStatus: 'hit', errorClass: ok ? null : 'server_error', errorMessage: ok ? null : 'HTTP 503', sourceSize: 10, sizeCategory: 'small', startedAt,
});
const line = (r: ResultsRecord) => `${JSON.stringify(r)}\n`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mt-results-'));
  bucket = join(dir, 'media');
  mkdirSync(bucket);
  for (let i = 0; i < 12; i++) writeFileSync(join(bucket, `v${String(i).padStart(2, '0')}.mp4`), Buffer.alloc(100 + i));
  origin = await startOrigin({ root: bucket, syntheticBytesPerWidth: 1, seed: 3 });
});

afterAll(async () => {
  await origin?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('prewarm --resume --retry-failed', () => {
  const args = (out: string) => ['prewarm', '--bucket', bucket, '--base-url', origin.url, '--retry', '0', '--workers', '4', '--progress', 'false', '--output', out];
  const read = (out: string) => JSON.parse(readFileSync(out, 'utf8')) as ResultsFile;

  it('asks again for the records whose final answer failed; FILE.json keeps one record per pair, the new answer', async () => {
    const out = join(dir, 'retry', 'r.json');
    origin.setFaults({ errorRate: 0.4, errorStatuses: [503] });
    // Failures make prewarm exit 1 (--max-failure-rate 0): the results are written all the same.
    const first = await runCli(args(out), { env: CLEAN });
    expect(first.code, first.stderr).toBe(1);
    const failedBefore = read(out).records.filter((r) => !r.ok);
    expect(failedBefore.length).toBeGreaterThan(0);
    expect(failedBefore.length).toBeLessThan(36);
    origin.setFaults({});

    // --resume alone: the failed answers are final, nothing is asked.
    const plain = await runCli([...args(out), '--resume'], { env: CLEAN });
    expect(plain.code, plain.stderr).toBe(1);
    expect(plain.stdout).toMatch(/^prewarm: 0 request\(s\)/);

    const before = origin.stats().requests;
    const retry = await runCli([...args(out), '--resume', '--retry-failed'], { env: CLEAN });
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.stdout).toMatch(new RegExp(`^prewarm: ${failedBefore.length} request\\(s\\) .* 0 failed, ${36 - failedBefore.length} done earlier`));
    // Exactly the failed pairs were requested again.
    expect(origin.stats().requests - before).toBe(failedBefore.length);
    const after = read(out).records;
    expect(after).toHaveLength(36);
    expect(after.every((r) => r.ok)).toBe(true);
    expect(new Set(after.map((r) => `${r.key}|${r.derivative}`)).size).toBe(36);
    // The log keeps the history: the old failed answers and the new ones.
    const log = readFileSync(join(dir, 'retry', 'r.jsonl'), 'utf8').trim().split('\n');
    expect(log).toHaveLength(36 + failedBefore.length);
    expect(JSON.parse(readFileSync(join(dir, 'retry', 'r.summary.json'), 'utf8'))).toMatchObject({ totalRecords: 36, resumedRecords: 36 - failedBefore.length });
  });

  it('--retry-failed without --resume is a usage error', async () => {
    const r = await runCli([...args(join(dir, 'x.json')), '--retry-failed'], { env: CLEAN });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('media-toolkit: --retry-failed goes with --resume (it asks again for the failed records of the run being continued)');
  });
});

describe('a damaged results log stops the reader with FILE:LINE', () => {
  it('prewarm --resume: a bad line in the middle is one line and exit 2; a torn last line is dropped and redone', async () => {
    const out = join(dir, 'damaged', 'r.json');
    mkdirSync(join(dir, 'damaged'));
    const jsonl = join(dir, 'damaged', 'r.jsonl');
    writeFileSync(jsonl, `${line(record('v00.mp4'))}{"key":"v01.mp4","deriv\n${line(record('v02.mp4'))}`);
    const r = await runCli(['prewarm', '--bucket', bucket, '--base-url', origin.url, '--progress', 'false', '--output', out, '--resume'], { env: CLEAN });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`media-toolkit: ${jsonl}:2: invalid JSON line`);
    // The log is left as it was.
    expect(readFileSync(jsonl, 'utf8').split('\n')).toHaveLength(4);

    writeFileSync(jsonl, `${line(record('v00.mp4'))}{"key":"v01.mp4","deriv`);
    const torn = await runCli(['prewarm', '--bucket', bucket, '--base-url', origin.url, '--progress', 'false', '--output', out, '--resume', '--derivatives', 'mobile'], { env: CLEAN });
    expect(torn.code, torn.stderr).toBe(0);
    expect(torn.stdout).toMatch(/^prewarm: 11 request\(s\) .* 1 done earlier/);
  });

  it('the results JSON at the end of a run: a bad line in the middle throws FILE:LINE, a torn last line is skipped', async () => {
    const jsonl = join(dir, 'writer.jsonl');
    writeFileSync(jsonl, `${line(record('a.mp4'))}not json\n${line(record('b.mp4'))}`);
    await expect(writeResultsFileFromLog(jsonl, join(dir, 'writer.json'), { baseUrl: 'x', urlFormat: 'imwidth' }, () => undefined)).rejects.toThrow(`${jsonl}:2: invalid JSON line`);
    expect(existsSync(join(dir, 'writer.json'))).toBe(false);
    writeFileSync(jsonl, `${line(record('a.mp4'))}${line(record('b.mp4'))}{"key":`);
    expect(await writeResultsFileFromLog(jsonl, join(dir, 'writer.json'), { baseUrl: 'x', urlFormat: 'imwidth' }, () => undefined)).toBe(2);
  });
});

describe('every earlier log generation is kept', () => {
  it('fresh runs move the log aside to FILE.previous.jsonl, FILE.previous.2.jsonl, ... never over another', () => {
    const path = join(dir, 'gen', 'r.jsonl');
    const moved: Array<string | undefined> = [];
    for (let i = 0; i < 4; i++) {
      const log = openResultsLog(path, false);
      moved.push(log.previous);
      log.append(record(`run${i}.mp4`));
      log.close();
    }
    expect(moved).toEqual([undefined, previousLogPath(path), previousLogPath(path, 2), previousLogPath(path, 3)]);
    expect(moved.slice(1).map((p) => readFileSync(p!, 'utf8').includes(`run${moved.indexOf(p)! - 1}.mp4`))).toEqual([true, true, true]);
    expect(readFileSync(path, 'utf8')).toContain('run3.mp4');
    // An empty log is not worth a generation.
    openResultsLog(join(dir, 'gen', 'empty.jsonl'), false).close();
    expect(openResultsLog(join(dir, 'gen', 'empty.jsonl'), false).previous).toBeUndefined();
    expect([previousLogPath(path), previousLogPath(path, 12), 'a.jsonl', 'previous.json'].map((p) => isPreviousLog(p))).toEqual([true, true, false, false]);
  });

  it('merge of a folder leaves every kept generation out', async () => {
    const shards = join(dir, 'shards');
    mkdirSync(shards);
    writeFileSync(join(shards, 'r.jsonl'), line(record('now.mp4')));
    writeFileSync(join(shards, 'r.previous.jsonl'), line(record('old1.mp4')));
    writeFileSync(join(shards, 'r.previous.2.jsonl'), line(record('old2.mp4')));
    appendFileSync(join(shards, 'r.previous.10.jsonl'), line(record('old10.mp4')));
    const out = join(dir, 'merged.json');
    const r = await runCli(['merge', shards, '--output', out], { env: CLEAN });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(readFileSync(out, 'utf8')) as ResultsFile).records.map((x) => x.key)).toEqual(['now.mp4']);
  });
});
