// The JSON Lines log encodes records into one reused buffer: what lands on disk must be exactly
// one JSON.stringify line per record, in order, whatever the characters and sizes.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openResultsLog } from '../results/results-log.js';
import type { ResultsRecord } from '../common/results-record.js';

const rec = (key: string, url = `https://cdn.example.com/${key}`): ResultsRecord => ({
  key, derivative: 'desktop', kind: 'derivative', url, status: 200, ok: true, attempts: 1, ttfbMs: 1.5, totalMs: 2.25, bytesReceived: 10,
  contentLength: 10, contentType: 'video/mp4', cacheStatus: 'hit', errorClass: null, errorMessage: null, sourceSize: 10, sizeCategory: 'small',
  startedAt: '2026-01-01T00:00:00.000Z',
});

describe('the results log', () => {
  it('writes one JSON line per record, in order: multibyte keys, records larger than its buffer, many turns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mt-log-'));
    const path = join(dir, 'r.jsonl');
    const log = openResultsLog(path, false);
    const records: ResultsRecord[] = [];
    for (let i = 0; i < 3000; i++) {
      // Enough 3-byte characters to fill the 256 KiB buffer several times; a huge URL now and then.
      const r = i % 997 === 5 ? rec(`big-${i}.mp4`, `https://cdn.example.com/${'ü€'.repeat(200_000)}`) : rec(`ünï cødé € ${i} ${'語'.repeat(i % 50)}.mp4`);
      records.push(r);
      log.append(r);
      if (i % 700 === 0) await new Promise((res) => setImmediate(res));
    }
    log.close();
    expect(log.failure).toBeUndefined();
    const expected = records.map((r) => `${JSON.stringify(r)}\n`).join('');
    expect(readFileSync(path, 'utf8')).toBe(expected);
    expect(log.committedBytes).toBe(Buffer.byteLength(expected));
  });
});
