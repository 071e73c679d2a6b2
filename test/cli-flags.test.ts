// Flags that agree: --exclude takes a comma list and may repeat in every command that has
// it, --remote has one default (local), --force-path-style one form; repeatable flags from
// the command line replace (not add to) what a --config file or MEDIA_TOOLKIT_* gave.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command, Option } from 'commander';
import { buildProgram } from '../cli/main.js';
import { splitGlobList } from '../cli/storage-options.js';
import { startOrigin, type RunningOrigin } from '../origin/index.js';
import { runCli } from './helpers/cli.js';
import type { ResultsFile } from '../common/results-record.js';

let dir: string;
let bucket: string;
let origin: RunningOrigin;
const CLEAN = Object.fromEntries(Object.keys(process.env).filter((k) => k.startsWith('MEDIA_TOOLKIT_')).map((k) => [k, undefined]));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mt-flags-'));
  bucket = join(dir, 'media');
  for (const f of ['a.mp4', 'b.mov', 'c.webm', 'tmp/x.mp4', 'img/keep.jpg', 'img/skip.png']) {
    mkdirSync(join(bucket, f, '..'), { recursive: true });
    writeFileSync(join(bucket, f), Buffer.alloc(100 + f.length));
  }
  origin = await startOrigin({ root: bucket, syntheticBytesPerWidth: 1 });
});

afterAll(async () => {
  await origin?.close();
  rmSync(dir, { recursive: true, force: true });
});

const program = buildProgram();
const withOption = (long: string) =>
  program.commands.flatMap((c: Command) => (c.options as Option[]).filter((o) => o.long === long).map((o) => ({ command: c.name(), o })));

// Both forms at once: a comma list, and a second use that adds to it (braces keep their commas).
const EXCLUDE = ['--exclude', 'tmp/**,*.webm', '--exclude', '*.{mov,png}'];
const KEPT = ['a.mp4', 'img/keep.jpg'];

describe('--exclude: a comma list that may repeat, in every command that has it', () => {
  it('splits at commas outside {..} and [..]', () => {
    expect(splitGlobList('tmp/**, *.webm')).toEqual(['tmp/**', '*.webm']);
    expect(splitGlobList('*.{mov,png},[a,b]*.mp4')).toEqual(['*.{mov,png}', '[a,b]*.mp4']);
    expect(splitGlobList(',,')).toEqual([]);
  });

  it('is declared the same way by list, analyze and prewarm', () => {
    const found = withOption('--exclude');
    expect(found.map((f) => f.command).sort()).toEqual(['analyze', 'diff', 'list', 'prewarm']);
    for (const { o } of found) expect(o.flags).toBe('--exclude <globs>');
  });

  it('list (default --remote: a local folder)', async () => {
    const r = await runCli(['list', '--bucket', bucket, '--format', 'jsonl', ...EXCLUDE], { env: CLEAN });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l).key)).toEqual(KEPT);
  });

  it('analyze, live and from a listing file', async () => {
    const live = await runCli(['analyze', '--bucket', bucket, '--format', 'json', ...EXCLUDE], { env: CLEAN });
    expect(live.code, live.stderr).toBe(0);
    expect(JSON.parse(live.stdout).count).toBe(2);
    const all = await runCli(['list', '--bucket', bucket, '--format', 'jsonl'], { env: CLEAN });
    const file = join(dir, 'listing.jsonl');
    writeFileSync(file, all.stdout);
    const fromFile = await runCli(['analyze', '--listing-file', file, '--format', 'json', ...EXCLUDE], { env: CLEAN });
    expect(JSON.parse(fromFile.stdout).count).toBe(2);
  });

  it('prewarm requests only what is left', async () => {
    const out = join(dir, 'warm', 'r.json');
    const r = await runCli(['prewarm', '--bucket', bucket, '--base-url', origin.url, '--progress', 'false', '--output', out, '--image-variants', 'thumbnail', ...EXCLUDE], { env: CLEAN });
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(readFileSync(out, 'utf8')) as ResultsFile;
    expect([...new Set(res.records.map((x) => x.key))].sort()).toEqual(KEPT);
  });

  it('flags replace a list from the --config file or MEDIA_TOOLKIT_EXCLUDE; uses on the command line add up', async () => {
    const cfg = join(dir, 'c.yaml');
    writeFileSync(cfg, 'exclude: ["*.mov", "*.{png,jpg}"]\n');
    const show = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
      const r = await runCli(['--config', cfg, 'config', '--json', 'list', ...args], { env: { ...CLEAN, ...env } });
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout).options as Array<{ attribute: string; value: unknown; source: string }>).find((o) => o.attribute === 'exclude');
    };
    expect(await show([])).toMatchObject({ value: ['*.mov', '*.{png,jpg}'], source: 'config' });
    expect(await show([], { MEDIA_TOOLKIT_EXCLUDE: 'tmp/**,*.webm' })).toMatchObject({ value: ['tmp/**', '*.webm'], source: 'env' });
    expect(await show(['--exclude', 'a', '--exclude', 'b,c'], { MEDIA_TOOLKIT_EXCLUDE: 'tmp/**' })).toMatchObject({ value: ['a', 'b', 'c'], source: 'cli' });
  });
});

describe('--remote has one default, --force-path-style one form', () => {
  it('every command that takes --remote defaults it to local', async () => {
    const found = withOption('--remote');
    expect(found.length).toBeGreaterThanOrEqual(7);
    for (const { command, o } of found) expect([command, o.defaultValue]).toEqual([command, 'local']);
    // As a user sees it: `config` of each command shows the default.
    for (const command of ['list', 'analyze', 'prewarm', 'optimize', 'validate']) {
      const r = await runCli(['config', '--json', command], { env: CLEAN });
      const remote = (JSON.parse(r.stdout).options as Array<{ attribute: string; value: unknown; source: string }>).find((x) => x.attribute === 'remote');
      expect([command, remote]).toEqual([command, expect.objectContaining({ value: 'local', source: 'default' })]);
    }
  });

  it('a bare name as a local folder says how to reach a bucket instead', async () => {
    const r = await runCli(['list', '--bucket', 'no-such-bucket-name'], { env: CLEAN, cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('media-toolkit: error: local bucket folder "no-such-bucket-name" does not exist (--remote is local unless given; for a bucket add --remote s3 or an rclone remote name)');
  });

  it('--force-path-style is "--force-path-style [bool]" in every command, and takes yes/no, true/false or nothing', async () => {
    const found = withOption('--force-path-style');
    expect(found.map((f) => f.command).sort()).toEqual(['analyze', 'diff', 'list', 'optimize', 'origin', 'prewarm', 'validate', 'workflow']);
    for (const { o } of found) expect(o.flags).toBe('--force-path-style [bool]');
    const value = async (args: string[]) => {
      const r = await runCli(['config', '--json', 'prewarm', ...args], { env: CLEAN });
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout).options as Array<{ attribute: string; value: unknown }>).find((x) => x.attribute === 'forcePathStyle')?.value;
    };
    expect(await value(['--force-path-style'])).toBe(true);
    expect(await value(['--force-path-style', 'no'])).toBe(false);
    expect(await value(['--force-path-style', 'true'])).toBe(true);
    const bad = await runCli(['list', '--bucket', bucket, '--force-path-style', 'maybe'], { env: CLEAN });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});
