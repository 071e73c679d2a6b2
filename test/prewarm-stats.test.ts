import { describe, expect, it } from 'vitest';
import { createRunningStats } from '../prep/stats/welford.js';
import { createPercentileTracker } from '../prep/stats/percentiles.js';
import { createCorrelationTracker } from '../prep/stats/correlation.js';
import { createRunStats, formatRunStats } from '../prep/stats/run-stats.js';
import type { ResultsRecord } from '../common/results-record.js';
import { MIB } from '../common/byte-size.js';

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('streaming statistics', () => {
  it('Welford matches the two-pass mean and sample standard deviation, min and max exactly', () => {
    const rnd = lcg(7);
    const values = Array.from({ length: 10_000 }, () => 1e6 + rnd() * 1000);
    const s = createRunningStats();
    values.forEach((v) => s.add(v));
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
    const snap = s.snapshot();
    expect(snap.count).toBe(10_000);
    expect(snap.mean).toBeCloseTo(mean, 6);
    expect(snap.stdDev).toBeCloseTo(sd, 6);
    expect(snap.min).toBe(Math.min(...values));
    expect(snap.max).toBe(Math.max(...values));
    expect(createRunningStats().snapshot()).toEqual({ count: 0, mean: 0, stdDev: 0, min: 0, max: 0 });
  });

  it('percentiles from the HDR histogram are within 0.1% of the exact ones', () => {
    const rnd = lcg(3);
    const values = Array.from({ length: 50_000 }, () => Math.exp(rnd() * 8)); // 1 ms .. 3 s, skewed
    const p = createPercentileTracker();
    values.forEach((v) => p.add(v));
    const sorted = [...values].sort((a, b) => a - b);
    const exact = (q: number) => sorted[Math.ceil((q / 100) * sorted.length) - 1];
    const snap = p.snapshot();
    for (const [q, got] of [[50, snap.p50], [90, snap.p90], [95, snap.p95], [99, snap.p99]] as const) {
      expect(Math.abs(got - exact(q)) / exact(q)).toBeLessThan(0.002);
    }
  });

  it('correlation and slope are exact for a linear relation, and the 100 MB estimate follows it', () => {
    const c = createCorrelationTracker();
    // 10 ms fixed + 2 ms per MiB.
    for (let mib = 1; mib <= 50; mib++) c.add(mib * MIB, 10 + 2 * mib);
    const s = c.snapshot();
    expect(s.pearson).toBeCloseTo(1, 9);
    expect(s.slopeMsPerMiB).toBeCloseTo(2, 9);
    expect(s.interceptMs).toBeCloseTo(10, 6);
    expect(s.estimatedMsFor100MB).toBeCloseTo(10 + 2 * (1e8 / MIB), 6);
    const flat = createCorrelationTracker();
    flat.add(5, 1);
    flat.add(5, 2);
    expect(flat.snapshot().pearson).toBeNull();
    expect(flat.snapshot().slopeMsPerMiB).toBeNull();
  });

  it('groups a run by derivative, size category and cache status, timing only successes', () => {
    const rec = (over: Partial<ResultsRecord>): ResultsRecord => ({
      key: 'k', derivative: 'desktop', kind: 'derivative', url: 'u', status: 200, ok: true, attempts: 1, ttfbMs: 10, totalMs: 20, bytesReceived: 100,
      contentLength: 100, contentType: null, cacheStatus: 'miss', errorClass: null, errorMessage: null, sourceSize: 1000, sizeCategory: 'small', startedAt: '', ...over,
    });
    const s = createRunStats();
    s.add(rec({}));
    s.add(rec({ derivative: 'mobile', cacheStatus: 'hit', totalMs: 40 }));
    s.add(rec({ ok: false, status: 503, errorClass: 'server_error', attempts: 3, totalMs: 9999, sizeCategory: 'large' }));
    const sum = s.summary();
    expect(sum.overall).toMatchObject({ requests: 3, ok: 2, failed: 1 });
    expect(sum.overall.totalMs.mean).toBe(30);
    expect(sum.overall.totalMs.max).toBe(40);
    expect(sum.byDerivative.desktop.requests).toBe(2);
    expect(sum.byCacheStatus.hit.ok).toBe(1);
    expect(sum.bySizeCategory.large.failed).toBe(1);
    expect(sum.byErrorClass).toEqual({ server_error: 1 });
    expect(sum.byStatus).toEqual({ '200': 2, '503': 1 });
    expect(sum.retried).toBe(1);
    expect(formatRunStats(sum)).toMatch(/derivative mobile \| 1 \| 1 \| 0/);
  });
});
