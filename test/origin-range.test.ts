// Range header parsing, case by case (the HTTP behaviour is in origin-http.test.ts).
import { describe, expect, it } from 'vitest';
import { parseRange } from '../origin/range.js';

describe('parseRange', () => {
  const size = 1000;
  it('reads first bytes, middle, last, suffix and open-ended ranges', () => {
    expect(parseRange('bytes=0-0', size)).toEqual({ kind: 'partial', start: 0, end: 0 });
    expect(parseRange('bytes=100-199', size)).toEqual({ kind: 'partial', start: 100, end: 199 });
    expect(parseRange('bytes=990-999', size)).toEqual({ kind: 'partial', start: 990, end: 999 });
    expect(parseRange('bytes=-10', size)).toEqual({ kind: 'partial', start: 990, end: 999 });
    expect(parseRange('bytes=-5000', size)).toEqual({ kind: 'partial', start: 0, end: 999 });
    expect(parseRange('bytes=500-', size)).toEqual({ kind: 'partial', start: 500, end: 999 });
    expect(parseRange('bytes=500-5000', size)).toEqual({ kind: 'partial', start: 500, end: 999 });
    expect(parseRange('Bytes = 1-2', size)).toEqual({ kind: 'partial', start: 1, end: 2 });
  });

  it('answers several ranges with the first satisfiable one', () => {
    expect(parseRange('bytes=5-9, 20-29', size)).toEqual({ kind: 'partial', start: 5, end: 9 });
    expect(parseRange('bytes=2000-3000, 20-29', size)).toEqual({ kind: 'partial', start: 20, end: 29 });
  });

  it('says unsatisfiable past the end, for -0 and for an empty body', () => {
    expect(parseRange('bytes=1000-', size)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=1000-2000', size)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-0', size)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=2000-3000, 4000-', size)).toEqual({ kind: 'unsatisfiable' });
  });

  it('ignores headers that are not a valid bytes range', () => {
    for (const h of [undefined, '', 'items=0-1', 'bytes=', 'bytes=-', 'bytes=a-b', 'bytes=9-3', 'bytes=0-1, x']) {
      expect(parseRange(h, size), String(h)).toEqual({ kind: 'full' });
    }
  });
});
