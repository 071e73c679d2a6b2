import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openResultsLog } from '../results/results-log.js';
import { openResults } from '../results/read-results.js';
import { writeResultsFileFromLog } from '../results/write-results-file.js';
import { resultsPaths } from '../results/paths.js';
import { jsonErrorOffset, lineAt } from '../results/json-error-line.js';
import { readDoneSet } from '../prep/prewarm/resume.js';
import { pairHash } from '../prep/prewarm/shard.js';
import type { ResultsRecord, ResultsFile } from '../common/results-record.js';

const rec = (key: string, derivative = 'desktop'): ResultsRecord => ({
  key, derivative, kind: 'derivative', url: `http://h/${key}`, status: 200, ok: true, attempts: 1, ttfbMs: 1, totalMs: 2, bytesReceived: 3,
  contentLength: 3, contentType: 'video/mp4', cacheStatus: 'miss', errorClass: null, errorMessage: null, sourceSize: 10, sizeCategory: 'small', startedAt: '2026-01-01T00:00:00.000Z',
});

async function all(path: string, warnings: string[] = []): Promise<ResultsRecord[]> {
  const r = await openResults(path, (w) => warnings.push(w));
  const out: ResultsRecord[] = [];
  for await (const x of r.records) out.push(x);
  return out;
}

describe('results files', () => {
  it('names the files per the flag contract', () => {
    expect(resultsPaths('out/r.json')).toEqual({ json: 'out/r.json', jsonl: 'out/r.jsonl', summary: 'out/r.summary.json' });
    expect(resultsPaths('r.jsonl').json).toBe('r.json');
  });

  it('appends JSON Lines, cuts a torn last line on resume, and streams them into the results JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mt-results-'));
    const p = resultsPaths(join(dir, 'r.json'));
    const log = openResultsLog(p.jsonl, false);
    log.append(rec('a.mp4'));
    log.append(rec('b.mp4'));
    log.close();
    appendFileSync(p.jsonl, '{"key":"c.mp4","deriv'); // a crash mid-write
    const warnings: string[] = [];
    expect((await all(p.jsonl, warnings)).map((r) => r.key)).toEqual(['a.mp4', 'b.mp4']);
    expect(warnings[0]).toMatch(/r\.jsonl:3: skipped an incomplete last line/);
    const done = await readDoneSet(p.jsonl);
    expect(done.size).toBe(2);
    expect(done.has(pairHash('a.mp4', 'desktop'))).toBe(true);
    const again = openResultsLog(p.jsonl, true);
    again.append(rec('c.mp4'));
    again.close();
    expect(readFileSync(p.jsonl, 'utf8').split('\n').filter(Boolean)).toHaveLength(3);
    const seen: string[] = [];
    const n = await writeResultsFileFromLog(p.jsonl, p.json, { baseUrl: 'http://h', urlFormat: 'imwidth' }, (r) => seen.push(r.key));
    expect(n).toBe(3);
    expect(seen).toEqual(['a.mp4', 'b.mp4', 'c.mp4']);
    const file = JSON.parse(readFileSync(p.json, 'utf8')) as ResultsFile;
    expect(file).toMatchObject({ version: 1, baseUrl: 'http://h', urlFormat: 'imwidth' });
    expect(file.records.map((r) => r.key)).toEqual(['a.mp4', 'b.mp4', 'c.mp4']);
    expect((await all(p.json)).length).toBe(3);
  });

  it('a run started without --resume keeps the earlier log aside instead of truncating it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mt-results-'));
    const p = resultsPaths(join(dir, 'r.json'));
    const first = openResultsLog(p.jsonl, false);
    expect(first.previous).toBeUndefined();
    first.append(rec('a.mp4'));
    first.close();
    const second = openResultsLog(p.jsonl, false);
    expect(second.previous).toBe(join(dir, 'r.previous.jsonl'));
    second.append(rec('b.mp4'));
    second.close();
    expect(readFileSync(join(dir, 'r.previous.jsonl'), 'utf8')).toContain('"key":"a.mp4"');
    expect(readFileSync(p.jsonl, 'utf8')).not.toContain('"key":"a.mp4"');
    expect(readFileSync(p.jsonl, 'utf8')).toContain('"key":"b.mp4"');
  });

  it('reports a malformed file as FILE:LINE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mt-results-'));
    const jsonl = join(dir, 'bad.jsonl');
    writeFileSync(jsonl, `${JSON.stringify(rec('a'))}\n${JSON.stringify(rec('b'))}\nnot json\n${JSON.stringify(rec('d'))}\n`);
    await expect(all(jsonl)).rejects.toThrow(`${jsonl}:3: invalid JSON line`);
    const noKey = join(dir, 'nokey.jsonl');
    writeFileSync(noKey, `${JSON.stringify(rec('a'))}\n{"status":200}\n`);
    await expect(all(noKey)).rejects.toThrow(`${noKey}:2: missing "key"`);
    const json = join(dir, 'bad.json');
    writeFileSync(json, '{\n  "version": 1,\n  "records": [\n    {"key": "a"},\n    {"key": "b",}\n  ]\n}\n');
    await expect(all(json)).rejects.toThrow(`${json}:5: invalid JSON`);
    const wrongRecord = join(dir, 'wrong.json');
    writeFileSync(wrongRecord, '{"records": [\n{"key": "a"},\n{"key": "b"},\n{"nokey": 1}\n]}');
    await expect(all(wrongRecord)).rejects.toThrow(`${wrongRecord}:4: record 3: missing "key"`);
    await expect(all(join(dir, 'missing.json'))).rejects.toThrow(/missing\.json: results file not found/);
  });

  it('finds the line of a JSON syntax error', () => {
    const text = '{\n "a": 1,\n "b": [1, 2,, 3]\n}';
    expect(lineAt(text, jsonErrorOffset(text))).toBe(3);
    expect(jsonErrorOffset('{"ok": [1, {"x": null}]}')).toBe(-1);
  });
});

describe('results JSON written by prewarm', () => {
  it('is read line by line, and a cut-short or damaged one names the line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mt-results-'));
    const p = resultsPaths(join(dir, 'r.json'));
    const log = openResultsLog(p.jsonl, false);
    for (const k of ['a', 'b', 'c']) log.append(rec(`${k}.mp4`));
    log.close();
    await writeResultsFileFromLog(p.jsonl, p.json, { baseUrl: 'http://h', urlFormat: 'query' }, () => {});
    const reader = await openResults(p.json);
    expect(reader.meta).toMatchObject({ baseUrl: 'http://h', urlFormat: 'query' });
    const keys: string[] = [];
    for await (const r of reader.records) keys.push(r.key);
    expect(keys).toEqual(['a.mp4', 'b.mp4', 'c.mp4']);
    const text = readFileSync(p.json, 'utf8').split('\n');
    writeFileSync(join(dir, 'cut.json'), text.slice(0, 3).join('\n'));
    await expect(all(join(dir, 'cut.json'))).rejects.toThrow(`${join(dir, 'cut.json')}:3: the results file ends before its closing`);
    const damaged = [...text];
    damaged[2] = '{"key": "b.mp4", oops},';
    writeFileSync(join(dir, 'damaged.json'), damaged.join('\n'));
    await expect(all(join(dir, 'damaged.json'))).rejects.toThrow(`${join(dir, 'damaged.json')}:3: invalid JSON`);
  });
});
