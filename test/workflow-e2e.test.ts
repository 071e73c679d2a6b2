// The workflow end to end on the sample library and the local origin: every stage
// runs as its real subcommand; then resume after a failed stage, a dry run that runs
// nothing, and --interactive without a terminal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOrigin } from '../origin/index.js';
import type { RunningOrigin } from '../origin/types.js';
import { makeSampleLibrary } from '../demo/sample-library.js';
import type { WorkflowState } from '../workflow/state.js';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CLI, runCli } from './helpers/cli.js';

let dir: string;
let library: string;
let origin: RunningOrigin;

const STAGES = ['analysis', 'optimize', 'purge', 'prewarm', 'verify', 'errors', 'loadtest'];

async function state(out: string): Promise<WorkflowState> {
  return JSON.parse(await readFile(join(out, 'workflow-state.json'), 'utf8')) as WorkflowState;
}

/** Small and quick: a 2-VU k6 run of a few seconds, the largest video re-encoded to 360p. */
function quick(out: string): string[] {
  return [
    '--remote', 'local', '--bucket', library, '--base-url', origin.url, '--output-dir', out,
    '--workers', '4', '--retry', '0',
    '--stage1-users', '2', '--stage1-duration', '3s', '--stage2-users', '0', '--stage2-duration', '1s',
    '--optimize-threshold', '1', '--optimize-quality', 'efficient', '--optimize-resolution', '360p', '--optimize-preset', 'ultrafast', '--optimize-workers', '1',
  ];
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mt-workflow-'));
  // Reused between runs through its manifest: only the first run pays for ffmpeg.
  library = join(tmpdir(), 'media-toolkit-test-sample-library', 'library');
  await makeSampleLibrary(library);
  origin = await startOrigin({ root: library, host: '127.0.0.1', port: 0, mode: 'synthetic', syntheticBytesPerWidth: 64 });
});

afterAll(async () => {
  await origin?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('media-toolkit workflow', () => {
  it('runs every stage on the origin and ends with an index of every report', async () => {
    const out = join(dir, 'full');
    // Some options from a configuration file, as a person would keep them.
    const cfg = join(dir, 'workflow.yaml');
    await writeFile(cfg, 'thresholds:\n  size_threshold: 0.2\nanalysis_format: markdown\nload_test:\n  request_timeout: 20s\n');
    const before = origin.stats().requests;
    // MEDIA_TOOLKIT_WORKERS means pre-warming workers to the workflow (overridden by --workers here); it must
    // not reach optimize's process as its worker count (at most 256 there), so --optimize-workers is left out.
    const args = quick(out);
    args.splice(args.indexOf('--optimize-workers'), 2);
    const r = await runCli(['--config', cfg, 'workflow', ...args], { timeoutMs: 170_000, env: { MEDIA_TOOLKIT_WORKERS: '300' } });
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    const s = await state(out);
    for (const name of STAGES.filter((x) => x !== 'purge')) expect(s.stages[name as keyof WorkflowState['stages']].status, `${name}: ${s.stages[name as keyof WorkflowState['stages']].message}`).toBe('done');
    // The first run in a folder has nothing to compare with, and no purge provider is set.
    expect(s.stages.purge).toMatchObject({ status: 'skipped', message: expect.stringContaining('no previous listing to compare with') });
    // Every stage ran the real subcommand, with flags from the contract and the config file.
    expect(s.stages.analysis.commands?.join('\n')).toContain('analyze --listing-file');
    expect(s.stages.analysis.commands?.join('\n')).toContain('--size-threshold 0.2');
    expect(s.stages.loadtest.commands?.[0]).toContain('--request-timeout 20s');
    expect(s.stages.prewarm.commands?.[0]).toContain('--workers 4');
    expect(origin.stats().requests - before).toBeGreaterThan(20);

    for (const f of ['listing.jsonl', 'analysis.md', 'prewarm-results.json', 'verify-report.md', 'verify-report.json', 'verify-report.html', 'errors.md', 'exclusion-list.json', 'loadtest-summary.json', 'optimize-report.md', 'optimize-report.json']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const md = await readFile(join(out, 'index.md'), 'utf8');
    const results = JSON.parse(await readFile(join(out, 'prewarm-results.json'), 'utf8'));
    const listing = (await readFile(join(out, 'listing.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    // Headline figures, read from the stage outputs.
    expect(md).toContain(`| Objects | ${listing.length} objects`);
    expect(md).toContain(`of ${results.records.length} requests succeeded`);
    expect(md).toMatch(/\| Cache status \| (miss|hit) \d+/);
    expect(md).toMatch(/\| Errors \| \d+ failed requests? on \d+ keys?/);
    expect(md).toMatch(/\| Load test \(k6\) \| thresholds passed, p95 [\d.]+ ms/);
    expect(md).toMatch(/\| Optimization \| saved [\d.]+ (KiB|MiB) \(\d+\.\d%\)/);
    expect(md).toMatch(/\| Coverage after warming \| \d+\.\d% HIT \(\d+ of \d+ re-requested\) \|/);
    // Every link points at a file that exists; the HTML needs nothing from outside the folder.
    const links = [...md.matchAll(/\]\(([^)]+)\)/g)].map((m) => decodeURI(m[1]));
    expect(links.length).toBeGreaterThanOrEqual(10);
    for (const l of links) expect(existsSync(join(out, l)), l).toBe(true);
    // The index links the load test's HTML report.
    expect(md).toContain('[k6 report (HTML)](loadtest/loadtest-summary.html)');
    const html = await readFile(join(out, 'index.html'), 'utf8');
    expect(html).toContain('<a href="loadtest/loadtest-summary.html">k6 report (HTML)</a>');
    expect(html).not.toMatch(/<(script|link|img)\b/i);
    expect(html).not.toMatch(/(src|href)="https?:/i);
    expect(html).toContain('thresholds passed');
    expect(r.stdout).toContain(join(out, 'index.html'));
  });

  it('continues after a failed stage with --resume without redoing finished ones', async () => {
    const out = join(dir, 'resume');
    const skipTail = ['--skip-loadtest', '--skip-optimize'];
    // The errors stage fails: its comparison input does not exist.
    const first = await runCli(['workflow', ...quick(out), ...skipTail, '--compare-file', join(dir, 'missing-kv.json')]);
    expect(first.code).toBe(1);
    const s1 = await state(out);
    expect(s1.stages.prewarm.status).toBe('done');
    expect(s1.stages.errors.status).toBe('failed');
    expect(first.stdout).toMatch(/errors\s+failed/);
    const resultsMtime = (await stat(join(out, 'prewarm-results.json'))).mtimeMs;

    const requestsBefore = origin.stats().requests;
    const second = await runCli(['workflow', ...quick(out), ...skipTail, '--resume']);
    expect(second.code, second.stderr.slice(-2000)).toBe(0);
    const s2 = await state(out);
    expect(s2.stages.analysis).toMatchObject({ status: 'done', startedAt: s1.stages.analysis.startedAt });
    expect(s2.stages.prewarm).toMatchObject({ status: 'done', startedAt: s1.stages.prewarm.startedAt });
    expect(s2.stages.errors.status).toBe('done');
    expect(s2.stages.errors.startedAt).not.toBe(s1.stages.errors.startedAt);
    // Pre-warming was not redone: no request reached the origin, the results file is untouched.
    expect(origin.stats().requests).toBe(requestsBefore);
    expect((await stat(join(out, 'prewarm-results.json'))).mtimeMs).toBe(resultsMtime);
    expect(second.stdout).toMatch(/prewarm\s+done \(kept from the saved run\)/);
    expect(existsSync(join(out, 'errors.md'))).toBe(true);
  });

  it('stops at a failed stage, or with --continue-on-error runs the rest (skipping what lacks its input)', async () => {
    const missing = join(dir, 'no-such-bucket');
    const base = ['workflow', '--remote', 'local', '--bucket', missing, '--base-url', origin.url, '--skip-prewarm', '--skip-loadtest'];
    const stop = await runCli([...base, '--output-dir', join(dir, 'stop')]);
    expect(stop.code).toBe(1);
    const s1 = await state(join(dir, 'stop'));
    expect(s1.stages.analysis.status).toBe('failed');
    expect(s1.stages.errors).toMatchObject({ status: 'pending', message: expect.stringContaining('analysis failed') });
    expect(s1.stages.optimize.status).toBe('pending');

    const go = await runCli([...base, '--output-dir', join(dir, 'go-on'), '--continue-on-error']);
    expect(go.code).toBe(1);
    const s2 = await state(join(dir, 'go-on'));
    expect(s2.stages.analysis.status).toBe('failed');
    expect(s2.stages.errors).toMatchObject({ status: 'skipped', message: expect.stringContaining('needs the pre-warming results') });
    expect(s2.stages.optimize.status).toBe('failed'); // it ran, on the same missing bucket
    expect(s2.stages.optimize.commands?.[0]).toContain('media-toolkit optimize');
    expect(go.stdout).toMatch(/errors\s+skipped \(needs the pre-warming results/);
  });

  it('after a failed pre-warming, the errors stage still explains it, and the later stages wait', async () => {
    const out = join(dir, 'prewarm-fails');
    // Nothing listens there: every request fails, prewarm exits 1 (its default --max-failure-rate is 0).
    const r = await runCli(['workflow', '--remote', 'local', '--bucket', library, '--base-url', 'http://127.0.0.1:9', '--output-dir', out, '--retry', '0', '--timeout', '2', '--skip-optimize']);
    expect(r.code).toBe(1);
    const s = await state(out);
    expect(s.stages.prewarm.status).toBe('failed');
    expect(s.stages.verify).toMatchObject({ status: 'pending', message: expect.stringContaining('prewarm failed') });
    expect(s.stages.errors.status).toBe('done');
    expect(s.stages.loadtest.status).toBe('pending');
    expect(await readFile(join(out, 'errors.md'), 'utf8')).toMatch(/connection|refused/i);
  });

  it('verify gates on --min-hit-ratio: a CDN that never caches fails the stage, the errors stage still runs, the load test waits', async () => {
    const out = join(dir, 'never-cached');
    // Every answer is a 200 MISS: pre-warming "succeeds", but nothing is warm.
    const cdn = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': '4', 'x-cache': 'MISS' });
      res.end(req.method === 'HEAD' ? undefined : 'data');
    });
    await new Promise<void>((resolve) => cdn.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;
      const r = await runCli(['workflow', '--remote', 'local', '--bucket', library, '--base-url', base, '--output-dir', out, '--retry', '0', '--skip-optimize', '--derivatives', 'mobile', '--image-variants', 'thumbnail', '--min-hit-ratio', '0.9']);
      expect(r.code).toBe(1);
      const s = await state(out);
      expect(s.stages.prewarm.status).toBe('done');
      expect(s.stages.verify).toMatchObject({ status: 'failed', exitCode: 1 });
      expect(s.stages.verify.commands?.[0]).toContain('--min-hit-ratio 0.9');
      expect(s.stages.errors.status).toBe('done');
      expect(s.stages.loadtest).toMatchObject({ status: 'pending', message: expect.stringContaining('verify failed') });
      expect(JSON.parse(await readFile(join(out, 'verify-report.json'), 'utf8')).coverage.overall).toMatchObject({ hits: 0, ratio: 0 });
      expect(await readFile(join(out, 'index.md'), 'utf8')).toMatch(/\| Coverage after warming \| 0\.0% HIT \(0 of \d+ re-requested\) \|/);
    } finally {
      cdn.closeAllConnections();
      await new Promise((resolve) => cdn.close(resolve));
    }
  });

  it('--dry-run prints every stage\'s command and inputs, writes nothing and sends no request', async () => {
    const out = join(dir, 'dry');
    const before = origin.stats().requests;
    const r = await runCli(['workflow', ...quick(out), '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    for (const cmd of ['list', 'analyze', 'errors', 'optimize']) expect(r.stdout).toContain(`$ media-toolkit ${cmd} `);
    // The base URL goes to the stages in their environment, never on a command line.
    for (const cmd of ['prewarm', 'verify', 'loadtest']) expect(r.stdout).toContain(`$ MEDIA_TOOLKIT_BASE_URL=${origin.url} media-toolkit ${cmd} `);
    expect(r.stdout).not.toContain('--base-url');
    expect(r.stdout).toMatch(/3\. purge: [^\n]*\n\s+would be skipped: no --purge-provider/);
    expect(r.stdout).toContain(`reads: local:${library}`);
    expect(r.stdout).toContain(join(out, 'prewarm-results.json'));
    expect(existsSync(out)).toBe(false);
    expect(origin.stats().requests).toBe(before);

    // On the finished run's folder: the later stages would read its results; nothing there changes.
    const full = join(dir, 'full');
    const snapshot = async () => Promise.all((await readdir(full)).sort().map(async (n) => `${n} ${(await stat(join(full, n))).mtimeMs}`));
    const was = await snapshot();
    const from = await runCli(['workflow', ...quick(full), '--dry-run', '--resume-from', 'loadtest']);
    expect(from.code).toBe(0);
    expect(from.stdout).toMatch(/1\. analysis[^\n]*\n\s+not run: before --resume-from loadtest/);
    expect(from.stdout).toContain(`--results-file ${join(full, 'prewarm-results.json')}`);
    expect(from.stdout).toContain(`--error-report-file ${join(full, 'exclusion-list.json')}`);
    expect(await snapshot()).toEqual(was);
    expect(origin.stats().requests).toBe(before);
  });

  it('hands the base URL to its stages through the environment (never a command line) and keeps its token out of every file', async () => {
    const out = join(dir, 'secret');
    const token = 'SEKRET-token-7f3a91';
    const base = `${origin.url}/?token=${token}`;
    // Every command line of this run's processes (stages, k6), read from /proc while it runs, as `ps` would show it.
    const seen = new Set<string>();
    const poll = setInterval(() => {
      for (const pid of readdirSync('/proc')) {
        if (!/^\d+$/.test(pid)) continue;
        try {
          const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
          if (cmd.includes(out)) seen.add(cmd);
        } catch {
          /* gone */
        }
      }
    }, 15);
    // The purge stage runs too: a previous listing in which one key had another size, and a cache that takes
    // PURGE for every URL but refuses (403) the 1920 derivative, so purge-failed.txt and the failure messages are written.
    const previous = join(dir, 'secret-previous.jsonl');
    expect((await runCli(['list', '--remote', 'local', '--bucket', library, '--format', 'jsonl', '--output', previous])).code).toBe(0);
    const entries = (await readFile(previous, 'utf8')).trim().split('\n');
    const at = entries.findIndex((l) => (JSON.parse(l) as { key: string }).key.endsWith('.mp4'));
    const changed = JSON.parse(entries[at]) as { key: string; size: number };
    entries[at] = JSON.stringify({ ...changed, size: changed.size + 1 });
    await writeFile(previous, `${entries.join('\n')}\n`);
    const purged: string[] = [];
    const cache = createServer((req, res) => {
      purged.push(`${req.method} ${req.url}`);
      res.statusCode = req.url?.includes('imwidth=1920') ? 403 : 200;
      res.end(res.statusCode === 403 ? `refused ${req.url}` : 'purged');
    });
    await new Promise<void>((resolve) => cache.listen(0, '127.0.0.1', resolve));
    const purgeEdge = `127.0.0.1:${(cache.address() as AddressInfo).port}`;
    let r;
    try {
      // The user keeps it off their own command line too (MEDIA_TOOLKIT_BASE_URL), so any process seen holding it is the workflow's doing.
      const args = quick(out);
      args.splice(args.indexOf('--base-url'), 2);
      r = await runCli(
        ['workflow', ...args, '--optimize-threshold', '1000', '--previous-listing', previous, '--purge-provider', 'http', '--purge-edge', purgeEdge, '--continue-on-error'],
        { timeoutMs: 170_000, env: { MEDIA_TOOLKIT_BASE_URL: base } },
      );
    } finally {
      clearInterval(poll);
      await new Promise((resolve) => cache.close(resolve));
    }
    // Only the purge failed (the refused URL); every other stage ran.
    expect(r.code, r.stderr.slice(-3000)).toBe(1);
    const s = await state(out);
    for (const name of ['analysis', 'optimize', 'prewarm', 'verify', 'errors', 'loadtest'] as const) expect(s.stages[name].status, `${name}: ${s.stages[name].message}`).toBe('done');
    expect(s.stages.purge.status).toBe('failed');
    // The purge requests carried the token (the real URLs of the changed key) to the cache.
    expect(purged.length).toBeGreaterThan(1);
    expect(purged.every((p) => p.startsWith('PURGE ') && p.includes(`token=${token}`) && p.includes(encodeURI(changed.key).split('/').pop()!))).toBe(true);
    expect(await readFile(join(out, 'purge-failed.txt'), 'utf8')).toMatch(/^http:\/\/\S+token=REDACTED\S*imwidth=1920\n$/);
    // The stages that need the base URL did get it: every request carried the token to the origin.
    const results = JSON.parse(await readFile(join(out, 'prewarm-results.json'), 'utf8'));
    expect(results.records.length).toBeGreaterThan(10);
    expect(results.records.every((x: { ok: boolean; url: string }) => x.ok && x.url.includes('token=REDACTED'))).toBe(true);
    // ps: the stages' command lines were seen, and none held the token.
    const lines = [...seen];
    for (const stage of ['workflow', 'purge', 'prewarm', 'verify', 'loadtest']) expect(lines.some((l) => l.includes(`media-toolkit.js ${stage} `)), `${stage} seen`).toBe(true);
    expect(lines.filter((l) => l.includes(token))).toEqual([]);
    // Nothing printed, and no file written (results, logs, summaries, verify and k6 reports, state, index) holds it.
    expect(`${r.stdout}${r.stderr}`).not.toContain(token);
    const files = (await readdir(out, { recursive: true })).map(String);
    for (const f of ['prewarm-results.json', 'prewarm-results.jsonl', 'prewarm-results.summary.json', 'verify-report.json', 'verify-report.html', 'loadtest-summary.json', 'index.html', 'workflow-state.json', 'logs/prewarm.log', 'logs/purge.log', 'purge-report.json', 'purge-failed.txt', 'changes.jsonl', 'listing-changes.jsonl']) expect(files, f).toContain(f);
    expect(files.some((f) => f.startsWith('loadtest/'))).toBe(true);
    for (const f of files) {
      const p = join(out, f);
      if ((await stat(p)).isFile()) expect(await readFile(p, 'utf8'), f).not.toContain(token);
    }
    expect((await state(out)).target.baseUrl).toBe(`${origin.url}/?token=REDACTED`);
  });

  it('--no-save-progress leaves no state file, and --resume then has nothing to continue', async () => {
    const out = join(dir, 'nosave');
    const skips = STAGES.map((s) => `--skip-${s}`);
    const r = await runCli(['workflow', '--remote', 'local', '--bucket', library, '--output-dir', out, '--no-save-progress', ...skips]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(out, 'index.md'))).toBe(true);
    expect(existsSync(join(out, 'workflow-state.json'))).toBe(false);
    const again = await runCli(['workflow', '--remote', 'local', '--bucket', library, '--output-dir', out, '--resume']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('no saved progress');
  });

  it('--interactive asks before each stage on a terminal, and is a usage error without one', async () => {
    const r = await runCli(['workflow', ...quick(join(dir, 'tty')), '--interactive']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('needs a terminal');
    expect(existsSync(join(dir, 'tty'))).toBe(false);

    // On a pseudo-terminal (util-linux `script`): yes to analysis, no to optimize, quit at the next question
    // (prewarm: purge has nothing to do on a first run and is skipped without asking).
    const out = join(dir, 'pty');
    const command = [process.execPath, CLI, 'workflow', ...quick(out), '--interactive'].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const before = origin.stats().requests;
    const pty = spawnSync('script', ['-qec', command, '/dev/null'], { input: 'y\nn\nq\n', encoding: 'utf8', timeout: 60_000 });
    expect(pty.status, pty.stdout.slice(-2000)).toBe(0);
    expect(pty.stdout).toContain('Run stage "analysis"? [Y]es / [n]o, skip it / [q]uit:');
    const s = await state(out);
    expect(s.stages.analysis.status).toBe('done');
    expect(s.stages.optimize).toMatchObject({ status: 'skipped', message: 'declined at the prompt' });
    expect(s.stages.purge.status).toBe('skipped');
    expect(s.stages.prewarm).toMatchObject({ status: 'pending', message: 'stopped at the prompt' });
    expect(s.stages.loadtest.message).toBe('stopped at the prompt');
    expect(origin.stats().requests).toBe(before);
  });
});
