import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareResults } from '../prep/compare/run-comparison.js';
import { parseKvKey, readKvExport } from '../prep/compare/kv-export.js';
import { runCli } from './helpers/cli.js';
import type { ResultsRecord } from '../common/results-record.js';

const rec = (key: string, derivative: string, size: number, ok = true): ResultsRecord => ({
  key, derivative, kind: 'derivative', url: '', status: ok ? 200 : 503, ok, attempts: 1, ttfbMs: 10, totalMs: 100, bytesReceived: size, contentLength: size,
  contentType: null, cacheStatus: 'miss', errorClass: ok ? null : 'server_error', errorMessage: null, sourceSize: 1, sizeCategory: 'small', startedAt: '',
});

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'mt-compare-'));
  const results = join(dir, 'r.jsonl');
  const records = [rec('a.mp4', 'desktop', 1000), rec('a.mp4', 'mobile', 500), rec('b.mp4', 'desktop', 2000), rec('c.mp4', 'desktop', 300)];
  writeFileSync(results, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return { dir, results };
}

describe('KV export shapes', () => {
  it('parses worker-style keys into path and derivative', () => {
    expect(parseKvKey('video:a/b.mp4:derivative=desktop')).toEqual({ path: 'a/b.mp4', derivative: 'desktop' });
    expect(parseKvKey('a/b.mp4:mobile', new Set(['mobile']))).toEqual({ path: 'a/b.mp4', derivative: 'mobile' });
    expect(parseKvKey('a/b.mp4', new Set(['mobile']))).toEqual({ path: 'a/b.mp4', derivative: null });
    expect(parseKvKey('video:/x.mp4:derivative=tablet:width=1280')).toEqual({ path: 'x.mp4', derivative: 'tablet' });
  });

  it('reads a map, an array of {name, metadata}, and an API envelope', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mt-kv-'));
    const map = join(dir, 'map.json');
    writeFileSync(map, JSON.stringify({ 'video:a.mp4:derivative=desktop': { contentLength: 1000, ttfb: 12 }, 'b.mp4': 2000 }));
    expect(await readKvExport(map)).toEqual([
      { rawKey: 'video:a.mp4:derivative=desktop', path: 'a.mp4', derivative: 'desktop', size: 1000, ttfbMs: 12, totalMs: null },
      { rawKey: 'b.mp4', path: 'b.mp4', derivative: null, size: 2000, ttfbMs: null, totalMs: null },
    ]);
    const arr = join(dir, 'arr.json');
    writeFileSync(arr, JSON.stringify({ result: [{ name: 'video:a.mp4:derivative=mobile', metadata: { size: '510', duration: 90 } }] }));
    expect(await readKvExport(arr)).toEqual([{ rawKey: 'video:a.mp4:derivative=mobile', path: 'a.mp4', derivative: 'mobile', size: 510, ttfbMs: null, totalMs: 90 }]);
  });
});

describe('comparison', () => {
  it('computes match rates, size discrepancies beyond the tolerance and one-sided keys', async () => {
    const { dir, results } = setup();
    const kv = join(dir, 'kv.json');
    writeFileSync(
      kv,
      JSON.stringify([
        { name: 'video:a.mp4:derivative=desktop', metadata: { size: 1020, ttfbMs: 30 } }, // 2% off: within 5%
        { name: 'video:a.mp4:derivative=mobile', metadata: { size: 800, ttfbMs: 50 } }, // 37.5% off
        { name: 'video:b.mp4:derivative=desktop', metadata: { size: 2000 } },
        { name: 'video:z.mp4:derivative=desktop', metadata: { size: 1 } },
      ]),
    );
    const c = await compareResults({ resultsFile: results, kvFile: kv, format: 'json', tolerancePercent: 5 });
    expect(c).toMatchObject({ resultsRecords: 4, kvEntries: 4, matched: 3, matchRateKv: 0.75, matchRateResults: 0.75, sizeCompared: 3, sizeWithinTolerance: 2 });
    expect(c.sizeDiscrepancies.count).toBe(1);
    expect(c.sizeDiscrepancies.worst[0]).toMatchObject({ key: 'a.mp4', derivative: 'mobile', resultsSize: 500, kvSize: 800, differencePercent: 37.5 });
    expect(c.onlyInKv).toEqual({ count: 1, sample: ['video:z.mp4:derivative=desktop'] });
    expect(c.onlyInResults).toEqual({ count: 1, sample: ['c.mp4 (desktop)'] });
    expect(c.timing.kv.ttfbMs).toMatchObject({ count: 2, mean: 40 });
    expect(c.timing.results.totalMs).toMatchObject({ count: 4, mean: 100 });
    const strict = await compareResults({ resultsFile: results, kvFile: kv, format: 'json', tolerancePercent: 1 });
    expect(strict.sizeDiscrepancies.count).toBe(2);
  });

  it('CLI: Markdown report, --only-compare from prewarm, and FILE:LINE for a malformed export (exit 2)', async () => {
    const { dir, results } = setup();
    const kv = join(dir, 'kv.json');
    writeFileSync(kv, JSON.stringify({ 'a.mp4': { size: 1000 }, 'b.mp4': { size: 2000 } }, null, 2));
    const res = await runCli(['compare', '--results-file', results, '--compare', kv, '--output', join(dir, 'c.md')]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/compare: 2\/2 KV entries matched/);
    const md = readFileSync(join(dir, 'c.md'), 'utf8');
    expect(md).toMatch(/# Results against the KV export/);
    // A bare key matches every derivative of that file: a.mp4 mobile (500) is off from 1000.
    expect(md).toMatch(/\| a\.mp4 \| mobile \| 500 \| 1000 \| 50% \|/);
    const only = await runCli(['prewarm', '--output', results.replace(/\.jsonl$/, '.json'), '--compare', kv, '--only-compare', '--comparison-format', 'json', '--comparison-output', join(dir, 'c.json')]);
    expect(only.code, only.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8')).matched).toBe(2);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{\n  "a.mp4": {"size": 1},\n  "b.mp4": {"size": }\n}\n');
    const r2 = await runCli(['compare', '--results-file', results, '--compare', bad]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3: invalid JSON`));
    expect(r2.stderr.trim().split('\n')).toHaveLength(1);
  });
});
