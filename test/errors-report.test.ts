import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createErrorAnalyzer, messageShape, urlPattern } from '../prep/errors-report/analyze-errors.js';
import { errorReportMarkdown } from '../prep/errors-report/render.js';
import { runCli } from './helpers/cli.js';
import type { ResultsRecord } from '../common/results-record.js';

import { MIB } from '../common/byte-size.js';
const rec = (over: Partial<ResultsRecord>): ResultsRecord => ({
  key: 'a.mp4', derivative: 'desktop', kind: 'derivative', url: 'http://cdn/a.mp4?imwidth=1920', status: 200, ok: true, attempts: 1, ttfbMs: 5, totalMs: 50,
  bytesReceived: 10, contentLength: 10, contentType: null, cacheStatus: 'miss', errorClass: null, errorMessage: null, sourceSize: MIB, sizeCategory: 'small',
  startedAt: '2026-01-01T00:00:00.000Z', ...over,
});

function sampleRecords(): ResultsRecord[] {
  const out: ResultsRecord[] = [];
  for (let i = 0; i < 40; i++) out.push(rec({ key: `ok/${i}.mp4`, url: `http://cdn/ok/${i}.mp4?imwidth=1920`, sourceSize: (1 + i / 10) * MIB }));
  // Timeouts on large files.
  for (let i = 0; i < 6; i++) {
    out.push(rec({
      key: `big/${i}.mp4`, url: `http://cdn/big/${i}.mp4?imwidth=1920`, ok: false, status: 0, errorClass: 'timeout', attempts: 3, totalMs: 30000 + i,
      errorMessage: `no complete response within 30 s (reading body) after ${1000 + i} bytes`, sourceSize: 400 * MIB, sizeCategory: 'large',
      startedAt: `2026-01-01T00:0${i}:00.000Z`,
    }));
  }
  out.push(rec({ key: 'gone.mov', url: 'http://cdn/gone.mov?imwidth=854', derivative: 'mobile', ok: false, status: 404, errorClass: 'client_error', errorMessage: 'HTTP 404', startedAt: '2025-12-31T23:00:00.000Z' }));
  out.push(rec({ key: 'gone.mov', url: 'http://cdn/gone.mov?imwidth=1920', ok: false, status: 404, errorClass: 'client_error', errorMessage: 'HTTP 404', startedAt: '2026-01-02T00:00:00.000Z' }));
  return out;
}

describe('error analysis', () => {
  it('counts failures by class, status, size, derivative and extension, and advises from the data', () => {
    const a = createErrorAnalyzer();
    sampleRecords().forEach((r) => a.add(r));
    const r = a.report('r.json');
    expect(r.totals).toMatchObject({ records: 48, ok: 40, failed: 8, files: 47, failedFiles: 7, retried: 6 });
    expect(r.byErrorClass).toEqual([
      { name: 'timeout', count: 6, share: 6 / 48 },
      { name: 'client_error', count: 2, share: 2 / 48 },
    ]);
    expect(r.byStatus.map((s) => [s.name, s.count])).toEqual([['0', 6], ['404', 2]]);
    expect(r.bySizeCategory.find((s) => s.name === 'large')).toMatchObject({ total: 6, failed: 6, failureRate: 1 });
    expect(r.byExtension.find((s) => s.name === '.mov')).toMatchObject({ total: 2, failed: 2 });
    expect(r.byDerivative.find((s) => s.name === 'mobile')).toMatchObject({ total: 1, failed: 1 });
    expect(r.sizes.failed.max).toBeCloseTo(400, 6);
    expect(r.sizes.successful.max).toBeCloseTo(4.9, 6);
    expect(r.timings.failed.min).toBe(50);
    expect(r.topMessages[0]).toEqual({ message: 'no complete response within N s (reading body) after N bytes', count: 6 });
    expect(r.urlPatterns[0]).toEqual({ pattern: 'http://cdn/{key}?imwidth=N', count: 8 });
    expect(r.firstErrorAt).toBe('2025-12-31T23:00:00.000Z');
    expect(r.lastErrorAt).toBe('2026-01-02T00:00:00.000Z');
    expect(r.problemFiles[0]).toMatchObject({ key: 'gone.mov', failed: 2, total: 2, statuses: [404] });
    expect(r.excludedKeys).toEqual(['big/0.mp4', 'big/1.mp4', 'big/2.mp4', 'big/3.mp4', 'big/4.mp4', 'big/5.mp4', 'gone.mov']);
    expect(r.recommendations.some((x) => /timeouts are on medium or large files: raise --timeout/.test(x))).toBe(true);
    expect(r.recommendations.some((x) => /404/.test(x))).toBe(true);
    expect(r.recommendations.some((x) => /Failed files are larger/.test(x))).toBe(true);
    const md = errorReportMarkdown(r);
    expect(md).toContain('| timeout | 6 | 12.5% |');
    expect(md).toContain('## Most problematic files');
  });

  it('says so when nothing failed, and shapes messages and URLs', () => {
    const a = createErrorAnalyzer();
    a.add(rec({}));
    expect(a.report('x').recommendations).toEqual(['No failures: every derivative was warmed. Nothing to exclude from the load test.']);
    expect(messageShape('HTTP 503 after 12.5 s at https://h/a?x=1 id deadbeefdeadbeef')).toBe('HTTP N after N s at <url> id <id>');
    expect(urlPattern('http://h/a%20b.mp4/desktop/', 'a b.mp4')).toBe('http://h/{key}/desktop/');
  });
});

describe('errors CLI', () => {
  it('writes the Markdown report and the exclusion list; old flag names give JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mt-errors-'));
    const results = join(dir, 'r.json');
    writeFileSync(results, JSON.stringify({ version: 1, generatedAt: '', baseUrl: 'http://cdn', urlFormat: 'imwidth', records: sampleRecords() }, null, 2));
    const res = await runCli(['errors', '--results-file', results, '--output', join(dir, 'e.md'), '--exclusion-list', join(dir, 'x.json')]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/8 of 48 request\(s\) failed/);
    expect(readFileSync(join(dir, 'e.md'), 'utf8')).toMatch(/# Pre-warming error report/);
    const excl = JSON.parse(readFileSync(join(dir, 'x.json'), 'utf8'));
    expect(excl.version).toBe(1);
    expect(typeof excl.generatedAt).toBe('string');
    expect(excl.keys).toHaveLength(7);
    const old = await runCli(['errors', '--results-file', results, '--error-report-output', join(dir, 'e.json'), '--format', 'json']);
    expect(old.code, old.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'e.json'), 'utf8')).totals.failed).toBe(8);
  });

  it('names the file and line of a missing or malformed results file (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mt-errors-'));
    const missing = await runCli(['errors', '--results-file', join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(`media-toolkit: ${join(dir, 'nope.json')}: results file not found`);
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, `${JSON.stringify(rec({}))}\n{"key": "b", oops}\n${JSON.stringify(rec({}))}\n`);
    const res = await runCli(['errors', '--results-file', bad]);
    expect(res.code).toBe(2);
    expect(res.stderr.trim()).toBe(`media-toolkit: ${bad}:2: invalid JSON line`);
  });
});
