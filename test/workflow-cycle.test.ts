// The workflow's change-aware cycle against a real cache (nginx proxy_cache with Debian's
// cache purge module) in front of the origin, as a user runs it again and again in one
// --output-dir: run 1 warms everything; the library changes; run 2 sees what changed,
// optimizes in place, purges the stale derivatives, warms only the changes and verifies
// they are HITs; run 3 has nothing to do and says so. Then --resume after a failed purge.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { runCli } from './helpers/cli.js';
import { makeClip } from './optimize-clips.js';
import { startOrigin } from '../origin/index.js';
import type { RunningOrigin } from '../origin/types.js';
import { startNginxCache, type RunningCache } from './fixtures/caches.js';
import type { WorkflowState } from '../workflow/state.js';
import type { ResultsFile } from '../common/results-record.js';

let dir: string;
let lib: string;
let seed: string;
let origin: RunningOrigin;
let nginx: RunningCache;
const CLIP = 'videos/clip.mp4';
const clipDerivatives = ['1920', '1280', '854'].map((w) => `/videos/clip.mp4?imwidth=${w}`);

async function get(base: string, path: string): Promise<{ etag: string; cache: string }> {
  const r = await request(`${base}${path}`);
  await r.body.dump();
  return { etag: String(r.headers.etag), cache: String(r.headers['x-cache-status']) };
}

const state = (out: string) => JSON.parse(readFileSync(join(out, 'workflow-state.json'), 'utf8')) as WorkflowState;
const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

function args(out: string, more: string[] = []): string[] {
  return [
    'workflow', '--remote', 'local', '--bucket', lib, '--base-url', nginx.url, '--output-dir', out, '--workers', '4', '--retry', '0',
    '--skip-loadtest', '--purge-provider', 'http', '--purge-path-prefix', '/purge',
    '--optimize-quality', 'efficient', '--optimize-resolution', '360p', '--optimize-preset', 'ultrafast', '--optimize-workers', '1',
    ...more,
  ];
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mt-workflow-cycle-'));
  seed = join(dir, 'seed');
  // A high-quality 640x360 clip: the 360p re-encode is much smaller, so optimize replaces it.
  await makeClip(join(seed, CLIP), { width: 640, height: 360, seconds: 1 });
  await makeClip(join(seed, 'videos/small.mp4'), { width: 160, height: 90, seconds: 0.2, audio: false });
  mkdirSync(join(seed, 'images'), { recursive: true });
  writeFileSync(join(seed, 'images/pic.jpg'), Buffer.alloc(3000, 5));
  lib = join(dir, 'library');
  cpSync(seed, lib, { recursive: true });
  origin = await startOrigin({ root: lib, host: '127.0.0.1', port: 0, mode: 'synthetic', syntheticBytesPerWidth: 16 });
  nginx = await startNginxCache(origin.port);
});

afterAll(async () => {
  await nginx?.stop();
  await origin?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('workflow: the change-aware cycle', () => {
  const out = () => join(dir, 'run');

  it('run 1: no previous listing, so nothing to purge; everything is warmed and verified as HITs', async () => {
    const r = await runCli(args(out(), ['--optimize-threshold', '1000']), { timeoutMs: 110_000 });
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    const s = state(out());
    expect(Object.keys(s.stages)).toEqual(['analysis', 'optimize', 'purge', 'prewarm', 'verify', 'errors', 'loadtest']);
    expect(s.stages.purge).toMatchObject({ status: 'skipped', message: 'no previous listing to compare with (the first run in this folder), and optimize replaced nothing' });
    for (const name of ['analysis', 'optimize', 'prewarm', 'verify', 'errors'] as const) expect(s.stages[name].status, `${name}: ${s.stages[name].message}`).toBe('done');
    const verify = json(join(out(), 'verify-report.json'));
    expect(verify.coverage.overall).toMatchObject({ total: 3 + 3 + 5, hits: 11, ratio: 1 });
    const md = readFileSync(join(out(), 'index.md'), 'utf8');
    expect(md).toContain('| Coverage after warming | 100.0% HIT (11 of 11 re-requested) |');
    expect(md).toContain('| Changes | no previous listing to compare with (the first run in this folder); optimize replaced nothing |');
    expect(r.stdout).toMatch(/purge\s+skipped \(no previous listing/);
  });

  it('run 2: the new, changed and replaced keys are purged, warmed again and verified; nginx serves the new derivatives', async () => {
    const old = await Promise.all(clipDerivatives.map((p) => get(nginx.url, p)));
    expect(old.map((x) => x.cache)).toEqual(['HIT', 'HIT', 'HIT']);
    // The library changes: an image comes, a video goes; optimize will replace the clip in place.
    writeFileSync(join(lib, 'images/new.jpg'), Buffer.alloc(1000, 9));
    rmSync(join(lib, 'videos/small.mp4'));
    const before = origin.stats().requests;
    const r = await runCli(args(out(), ['--optimize-threshold', '0.05', '--optimize-in-place', '--changed-only']), { timeoutMs: 110_000 });
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    const s = state(out());
    for (const name of ['analysis', 'optimize', 'purge', 'prewarm', 'verify', 'errors'] as const) expect(s.stages[name].status, `${name}: ${s.stages[name].message}`).toBe('done');
    expect(s.changes).toMatchObject({ new: 1, changed: 0, deleted: 1, replaced: 1, toPurge: 2, toWarm: 2 });
    expect(s.stages.analysis.commands?.join('\n')).toContain(`diff --before ${join(out(), 'listing.previous.jsonl')} --after ${join(out(), 'listing.jsonl')}`);
    expect(s.stages.prewarm.commands?.[0]).toContain(`--only-keys ${join(out(), 'changes.jsonl')}`);
    // Purged: the deleted video's and the replaced clip's source and derivatives (4 URLs each), and whatever
    // the last run's results recorded for them (here the same URLs).
    expect(s.stages.purge.commands?.[0]).toContain(`--results-file ${join(out(), 'prewarm-results.json')}`);
    const purge = json(join(out(), 'purge-report.json'));
    expect(purge).toMatchObject({ provider: 'http', keys: 2, urls: 8, failed: 0 });
    // Warmed again: the replaced clip and the new image only; nginx had to fetch each from the origin.
    const results = json(join(out(), 'prewarm-results.json')) as ResultsFile;
    expect([...new Set(results.records.map((x) => x.key))].sort()).toEqual(['images/new.jpg', CLIP]);
    expect(results.records.every((x) => x.ok && x.cacheStatus === 'miss')).toBe(true);
    expect(origin.stats().requests - before).toBeGreaterThanOrEqual(results.records.length);
    const verify = json(join(out(), 'verify-report.json'));
    expect(verify.coverage.overall).toMatchObject({ total: 3 + 5, hits: 8, ratio: 1 });
    // The derivatives served now are the new clip's, from the cache.
    const fresh = await Promise.all(clipDerivatives.map((p) => get(origin.url, p)));
    const now = await Promise.all(clipDerivatives.map((p) => get(nginx.url, p)));
    expect(now.map((x) => x.cache)).toEqual(['HIT', 'HIT', 'HIT']);
    expect(now.map((x) => x.etag)).toEqual(fresh.map((x) => x.etag));
    expect(now.map((x) => x.etag)).not.toEqual(old.map((x) => x.etag));
    const md = readFileSync(join(out(), 'index.md'), 'utf8');
    expect(md).toContain('| Changes | 1 new key, 0 changed, 1 deleted since the previous listing; 1 source replaced by optimize; 2 to purge, 2 to warm again |');
    expect(md).toMatch(/\| Purge \| 8 URL\(s\) for 2 keys via http in \d+ calls: \d+ purged(, \d+ not cached)?, 0 failed \|/);
    expect(md).toContain('| Coverage after warming | 100.0% HIT (8 of 8 re-requested) |');
    expect(md).toContain('[Purge report (JSON)](purge-report.json)');
    const html = readFileSync(join(out(), 'index.html'), 'utf8');
    expect(html).toContain('Coverage after warming');
  });

  it('run 3: nothing changed: purge and prewarm are skipped with the reason', async () => {
    const r = await runCli(args(out(), ['--optimize-threshold', '0.05', '--optimize-in-place', '--changed-only']), { timeoutMs: 110_000 });
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    const s = state(out());
    expect(s.stages.purge).toMatchObject({ status: 'skipped', message: 'nothing changed since the previous listing, and optimize replaced nothing' });
    expect(s.stages.prewarm).toMatchObject({ status: 'skipped', message: 'nothing changed since the previous listing (--changed-only)' });
    // The results are run 2's: nothing new to verify (their keys may have been deleted and purged since).
    expect(s.stages.verify).toMatchObject({ status: 'skipped', message: 'nothing was warmed in this run (nothing changed since the previous listing (--changed-only))' });
    expect(readFileSync(join(out(), 'index.md'), 'utf8')).toContain('| Changes | nothing changed since the previous listing; optimize replaced nothing |');
  });

  it('--resume after a failed purge: analysis is kept (the previous listing is not replaced), the purge runs again', async () => {
    const o = join(dir, 'resume');
    expect((await runCli(args(o, ['--optimize-threshold', '1000', '--skip-verify', '--skip-errors']))).code).toBe(0);
    writeFileSync(join(lib, 'images/pic.jpg'), Buffer.alloc(3500, 6));
    // The purge goes to an address nobody listens on: it fails (no retries: `retry: 0` from a config file), and the run stops there.
    const cfg = join(dir, 'no-retry.yaml');
    writeFileSync(cfg, 'retry: 0\n');
    const bad = await runCli(['--config', cfg, ...args(o, ['--optimize-threshold', '1000', '--skip-verify', '--skip-errors', '--purge-edge', '127.0.0.1:9', '--changed-only'])]);
    expect(bad.code).toBe(1);
    const s1 = state(o);
    expect(s1.stages.purge).toMatchObject({ status: 'failed', message: expect.stringContaining('not purged') });
    expect(readFileSync(join(o, 'purge-failed.txt'), 'utf8').trim().split('\n')).toHaveLength(6);
    expect(s1.stages.prewarm.status).toBe('pending');
    const previous = statSync(join(o, 'listing.previous.jsonl')).mtimeMs;
    const good = await runCli([...args(o, ['--optimize-threshold', '1000', '--skip-verify', '--skip-errors', '--changed-only']), '--resume']);
    expect(good.code, good.stderr.slice(-2000)).toBe(0);
    const s2 = state(o);
    expect(s2.stages.analysis).toMatchObject({ status: 'done', startedAt: s1.stages.analysis.startedAt });
    expect(s2.stages.purge.status).toBe('done');
    expect(s2.changes).toMatchObject({ changed: 1, toPurge: 1, toWarm: 1 });
    expect(statSync(join(o, 'listing.previous.jsonl')).mtimeMs).toBe(previous);
    expect(json(join(o, 'purge-report.json'))).toMatchObject({ keys: 1, failed: 0 });
    expect([...new Set((json(join(o, 'prewarm-results.json')) as ResultsFile).records.map((x) => x.key))]).toEqual(['images/pic.jpg']);
  });

  it('a fresh run after a failed purge still purges and warms that run\'s changes (its listing does not become the baseline)', async () => {
    const o = join(dir, 'fresh-after-failure');
    const more = ['--optimize-threshold', '1000', '--skip-verify', '--skip-errors', '--changed-only'];
    expect((await runCli(args(o, more))).code).toBe(0);
    const baseline = readFileSync(join(o, 'listing.jsonl'), 'utf8');
    writeFileSync(join(lib, 'images/pic.jpg'), Buffer.alloc(4200, 4));
    const cfg = join(dir, 'no-retry-2.yaml');
    writeFileSync(cfg, 'retry: 0\n');
    const bad = await runCli(['--config', cfg, ...args(o, [...more, '--purge-edge', '127.0.0.1:9'])]);
    expect(bad.code).toBe(1);
    expect(state(o).stages.purge.status).toBe('failed');
    // Run again from scratch (no --resume): the change of the failed run is still to purge and to warm.
    const again = await runCli(args(o, more));
    expect(again.code, again.stderr.slice(-2000)).toBe(0);
    expect(again.stderr).toContain("the last run's purge stage failed");
    const s = state(o);
    expect(s.changes).toMatchObject({ changed: 1, toPurge: 1, toWarm: 1 });
    expect(s.stages.purge.status).toBe('done');
    expect(json(join(o, 'purge-report.json'))).toMatchObject({ keys: 1, failed: 0 });
    expect([...new Set((json(join(o, 'prewarm-results.json')) as ResultsFile).records.map((x) => x.key))]).toEqual(['images/pic.jpg']);
    // Compared with the listing of the last run that got through, which stays the previous one.
    expect(readFileSync(join(o, 'listing.previous.jsonl'), 'utf8')).toBe(baseline);
    // That run got through: the next one compares with its listing and finds nothing to do.
    const quiet = await runCli(args(o, more));
    expect(quiet.code).toBe(0);
    expect(state(o).stages.purge).toMatchObject({ status: 'skipped', message: 'nothing changed since the previous listing, and optimize replaced nothing' });
  });
});
