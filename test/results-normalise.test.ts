// A results record read back from disk keeps every field a reader acts on: verify asks again
// for the byte range a record warmed, statistics group streaming records by rendition.
import { describe, expect, it } from 'vitest';
import { normaliseRecord } from '../results/normalise-record.js';
import type { ResultsRecord } from '../common/results-record.js';

describe('normaliseRecord', () => {
  it('keeps the streaming fields (rendition, sequence, byteRange)', () => {
    const r = normaliseRecord({ key: 'v/a.mp4', derivative: 'hls 320x180 #3', kind: 'segment', url: 'http://h/v/a.mp4/hls/byterange/v2/media.mp4', status: 206, rendition: 'hls 320x180', sequence: 3, byteRange: '1372-13603' }) as ResultsRecord;
    expect(r).toMatchObject({ kind: 'segment', rendition: 'hls 320x180', sequence: 3, byteRange: '1372-13603', ok: true });
  });

  it('drops a byteRange that is not start-end', () => {
    const r = normaliseRecord({ key: 'k', url: 'http://h/k', status: 206, byteRange: 'bytes=0-1' }) as ResultsRecord;
    expect(r.byteRange).toBeUndefined();
  });
});
