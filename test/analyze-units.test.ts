import { describe, expect, it } from 'vitest';
import { createQuantileSketch } from '../prep/analyze/quantiles.js';
import { createTopN } from '../prep/analyze/top-n.js';
import { createSizeAnalysis } from '../prep/analyze/size-report.js';
import { renderReport } from '../prep/analyze/index.js';

// Deterministic pseudo-random sizes spread over many orders of magnitude.
function sizes(n: number, seed = 42): number[] {
  let x = seed;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const u = x / 2 ** 31;
    out.push(i % 97 === 0 ? 0 : Math.floor(Math.exp(u * 22)));
  }
  return out;
}
const nearestRank = (sorted: number[], q: number) => sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1];

describe('quantile sketch', () => {
  it('is exact up to its limit', () => {
    const s = createQuantileSketch({ exactUpTo: 1000 });
    const v = sizes(1000);
    v.forEach((x) => s.add(x));
    const sorted = [...v].sort((a, b) => a - b);
    expect(s.method).toBe('exact');
    for (const q of [0, 0.5, 0.9, 0.99, 1]) expect(s.quantile(q)).toBe(nearestRank(sorted, q));
  });
  it('past it, every quantile is within the stated relative error', () => {
    const s = createQuantileSketch({ exactUpTo: 500, relativeError: 0.01 });
    const v = sizes(50_000, 7);
    v.forEach((x) => s.add(x));
    const sorted = [...v].sort((a, b) => a - b);
    expect(s.method).toBe('sketch');
    expect(s.relativeError).toBe(0.01);
    for (const q of [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1]) {
      const truth = nearestRank(sorted, q);
      const est = s.quantile(q);
      expect(Math.abs(est - truth), `q=${q} truth=${truth} est=${est}`).toBeLessThanOrEqual(truth * 0.01 + 0.5);
      expect(Number.isInteger(est)).toBe(true);
    }
  });
  it('empty gives NaN', () => {
    expect(createQuantileSketch().quantile(0.5)).toBeNaN();
  });
});

describe('top N', () => {
  it('keeps the N largest, ties by key', () => {
    const t = createTopN(3);
    for (const [key, size] of [['a', 5], ['b', 9], ['c', 1], ['d', 9], ['e', 7], ['f', 2]] as const) t.add({ key, size, lastModified: '', etag: '' });
    expect(t.result().map((o) => o.key)).toEqual(['b', 'd', 'e']);
    expect(createTopN(0).result()).toEqual([]);
  });
});

describe('size analysis', () => {
  it('says when quantiles are estimated, and folds extensions past the cap into (other)', () => {
    const a = createSizeAnalysis({ sketch: { exactUpTo: 10 }, maxExtensions: 3, sizeThresholdMiB: 0, now: new Date(0) });
    const v = sizes(200);
    v.forEach((size, i) => a.add({ key: `f${i}.e${i % 5}`, size, lastModified: '', etag: '' }));
    const r = a.report();
    expect(r.generatedAt).toBe('1970-01-01T00:00:00.000Z');
    expect(r.count).toBe(200);
    expect(r.totalBytes).toBe(v.reduce((s, x) => s + x, 0));
    expect(r.quantiles.method).toBe('sketch');
    expect(r.quantiles.definition).toMatch(/within ±1\.0%/);
    expect(r.extensions.map((e) => e.extension).sort()).toEqual(['(other)', '.e0', '.e1', '.e2']);
    expect(r.extensions.reduce((s, e) => s + e.count, 0)).toBe(200);
    expect(r.histogram.reduce((s, h) => s + h.count, 0)).toBe(200);
    expect(r.categories.reduce((s, c) => s + c.count, 0)).toBe(200);
    expect(renderReport(r, 'markdown')).toContain('estimated from a log-bucketed histogram, each within ±1.0%');
  });
  it('markdown keeps keys with | and newlines inside their table cell', () => {
    const a = createSizeAnalysis({ sizeThresholdMiB: 0 });
    a.add({ key: 'a|b\nc.mp4', size: 5, lastModified: '', etag: '' });
    const md = renderReport(a.report(), 'markdown');
    expect(md).toContain('| 1 | a\\|b c.mp4 |');
    const html = renderReport(a.report(), 'html');
    expect(html).toContain('a|b\nc.mp4');
    a.add({ key: '<script>x</script>.mp4', size: 1, lastModified: '', etag: '' });
    expect(renderReport(a.report(), 'html')).not.toContain('<script>x');
  });
});
