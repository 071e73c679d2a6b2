// merge: sharded pre-warming runs joined equal one unsharded run; duplicates resolved
// (successful beats failed, latest wins); folders and JSON Lines accepted; files written whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOrigin } from '../origin/index.js';
import type { RunningOrigin } from '../origin/types.js';
import type { ResultsFile, ResultsRecord } from '../common/results-record.js';
import { runCli } from './helpers/cli.js';

let dir: string;
let library: string;
let origin: RunningOrigin;

async function readResults(path: string): Promise<ResultsFile> {
  return JSON.parse(await readFile(path, 'utf8')) as ResultsFile;
}

/** What must match between runs: everything but timings and times. */
function comparable(records: ResultsRecord[]): string[] {
  return records
    .map((r) => JSON.stringify([r.key, r.derivative, r.kind, r.url, r.status, r.ok, r.bytesReceived, r.contentLength, r.sourceSize, r.sizeCategory]))
    .sort();
}

function record(key: string, derivative: string, ok: boolean, startedAt: string, extra: Partial<ResultsRecord> = {}): ResultsRecord {
  return {
    key, derivative, kind: 'derivative', url: `http://127.0.0.1/${key}?d=${derivative}`, status: ok ? 200 : 503, ok, attempts: 1,
    ttfbMs: 5, totalMs: 9, bytesReceived: ok ? 100 : 0, contentLength: ok ? 100 : null, contentType: 'video/mp4',
    cacheStatus: ok ? 'hit' : 'unknown', errorClass: ok ? null : 'server_error', errorMessage: ok ? null : 'HTTP 503',
    sourceSize: 1000, sizeCategory: 'small', startedAt, ...extra,
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mt-merge-'));
  library = join(dir, 'library');
  // Small stand-in files: the synthetic origin renders derivatives without decoding them.
  const keys = ['a.mp4', 'b.mp4', 'clips/c d.mp4', 'clips/é.mov', 'e.mp4', 'f.webm', 'img/g.jpg', 'img/h.png'];
  for (const [i, k] of keys.entries()) {
    await mkdir(join(library, k, '..'), { recursive: true });
    await writeFile(join(library, k), Buffer.alloc(1000 + i * 10, i));
  }
  origin = await startOrigin({ root: library, host: '127.0.0.1', port: 0, mode: 'synthetic', syntheticBytesPerWidth: 8 });
});

afterAll(async () => {
  await origin?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('media-toolkit merge', () => {
  it('joins prewarm --shard 0/2 and 1/2 into the records of one unsharded run', async () => {
    const common = ['--remote', 'local', '--bucket', library, '--base-url', origin.url, '--workers', '4', '--retry', '0', '--progress', 'false'];
    const whole = await runCli(['prewarm', ...common, '--output', join(dir, 'whole.json')]);
    expect(whole.code, whole.stderr).toBe(0);
    await mkdir(join(dir, 'shards'));
    for (const shard of ['0/2', '1/2']) {
      const r = await runCli(['prewarm', ...common, '--shard', shard, '--output', join(dir, 'shards', `shard-${shard[0]}.json`)]);
      expect(r.code, r.stderr).toBe(0);
    }
    const s1 = await readResults(join(dir, 'shards', 'shard-0.json'));
    const s2 = await readResults(join(dir, 'shards', 'shard-1.json'));
    // Each shard did part of the work, and no key was in both.
    expect(s1.records.length).toBeGreaterThan(0);
    expect(s2.records.length).toBeGreaterThan(0);
    const keys1 = new Set(s1.records.map((r) => r.key));
    expect(s2.records.some((r) => keys1.has(r.key))).toBe(false);

    const merged = await runCli(['merge', join(dir, 'shards'), '--output', join(dir, 'merged.json')]);
    expect(merged.code, merged.stderr).toBe(0);
    const m = await readResults(join(dir, 'merged.json'));
    const w = await readResults(join(dir, 'whole.json'));
    expect(m.records.length).toBe(w.records.length);
    expect(comparable(m.records)).toEqual(comparable(w.records));
    expect(m.baseUrl).toBe(w.baseUrl);
    // The merged file is a results file loadtest and errors can read: JSONL and summary beside it.
    const jsonl = (await readFile(join(dir, 'merged.jsonl'), 'utf8')).trim().split('\n');
    expect(jsonl).toHaveLength(w.records.length);
    const summary = JSON.parse(await readFile(join(dir, 'merged.summary.json'), 'utf8'));
    expect(summary.records).toBe(w.records.length);
    expect(summary.duplicatesDropped).toBe(0);
    expect(summary.stats.overall.ok).toBe(w.records.filter((r) => r.ok).length);
  });

  it('keeps one record per key and derivative: successful over failed, then the latest', async () => {
    const sub = join(dir, 'dupes');
    await mkdir(sub);
    const first: ResultsFile = {
      version: 1, generatedAt: '2026-01-01T00:00:00Z', baseUrl: 'http://127.0.0.1', urlFormat: 'imwidth',
      records: [
        record('x.mp4', 'desktop', true, '2026-01-01T00:00:01Z', { ttfbMs: 1 }),
        record('x.mp4', 'mobile', false, '2026-01-01T00:00:01Z'),
        record('y.mp4', 'desktop', false, '2026-01-01T00:00:05Z'),
      ],
    };
    await writeFile(join(sub, 'shard-1.json'), JSON.stringify(first));
    // A JSON Lines log from a retried shard: a later success, a later failure, a later success.
    const lines = [
      record('x.mp4', 'desktop', true, '2026-01-01T00:00:09Z', { ttfbMs: 2 }),
      record('x.mp4', 'mobile', true, '2026-01-01T00:00:02Z'),
      record('y.mp4', 'desktop', false, '2026-01-01T00:00:09Z', { status: 502 }),
      record('z.mp4', 'tablet', true, '2026-01-01T00:00:03Z'),
    ];
    await writeFile(join(sub, 'retry.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    // Files a folder also holds that are not results: ignored.
    await writeFile(join(sub, 'shard-1.summary.json'), '{"records": 3}');
    await writeFile(join(sub, 'exclusion-list.json'), '{"version":1,"keys":["y.mp4"]}');
    // The log of an earlier run that prewarm kept aside: not part of this run's results.
    await writeFile(join(sub, 'retry.previous.jsonl'), `${JSON.stringify(record('old.mp4', 'desktop', true, '2026-01-01T00:00:01Z'))}\n`);

    const r = await runCli(['merge', join(sub, 'shard-1.json'), sub, '--output', join(dir, 'dedup.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('7 records in, 4 kept (3 duplicates dropped)');
    const out = await readResults(join(dir, 'dedup.json'));
    const by = (k: string, d: string) => out.records.find((x) => x.key === k && x.derivative === d);
    expect(out.records).toHaveLength(4);
    expect(by('x.mp4', 'desktop')?.ttfbMs).toBe(2); // latest success
    expect(by('x.mp4', 'mobile')?.ok).toBe(true); // success beats a failure, even an older one
    expect(by('y.mp4', 'desktop')?.status).toBe(502); // all failed: the latest
    expect(by('z.mp4', 'tablet')?.ok).toBe(true);
    // Atomic writes: no temp files left beside the outputs.
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('names the file and line of a malformed input and exits 2', async () => {
    const bad = join(dir, 'bad.jsonl');
    await writeFile(bad, `${JSON.stringify(record('a', 'desktop', true, 't'))}\n{"key": "b", "status": "oops"}\n${JSON.stringify(record('c', 'desktop', true, 't'))}\n`);
    const r = await runCli(['merge', bad, '--output', join(dir, 'never.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.jsonl:2');
    const names = await readdir(dir);
    expect(names).not.toContain('never.json');
  });
});
