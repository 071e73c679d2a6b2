import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, runCli } from './helpers/cli.js';

const SUBCOMMANDS = ['list', 'analyze', 'prewarm', 'errors', 'compare', 'validate', 'loadtest', 'optimize', 'workflow', 'origin'];

describe('media-toolkit CLI', () => {
  it('lists every subcommand in --help', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const name of SUBCOMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
  });

  it('has --help on every subcommand', async () => {
    for (const name of SUBCOMMANDS) {
      const r = await runCli([name, '--help']);
      expect(r.code, name).toBe(0);
      expect(r.stdout, name).toContain(`Usage: media-toolkit ${name}`);
    }
  });

  it('exits 2 with one line on an unknown option', async () => {
    const r = await runCli(['doctor', '--no-such-flag']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--no-such-flag');
  });

  it('exits 2 on an unknown subcommand and suggests the closest one', async () => {
    const r = await runCli(['prewarn']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('prewarm');
  });

  it('ends quietly with exit 0 when its reader stops early (| head -1)', () => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" loadtest --help | head -1; exit \${PIPESTATUS[0]}`], { encoding: 'utf8' });
    expect(r.stdout).toMatch(/^Usage: media-toolkit loadtest/);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('prewarm of a missing folder fails in one line and leaves no results files behind', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'mt-cli-'));
    const r = await runCli(['prewarm', '--remote', 'local', '--bucket', join(cwd, 'no-such-folder'), '--base-url', 'http://127.0.0.1:9'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('media-toolkit:'))).toEqual([expect.stringMatching(/no-such-folder.*does not exist/)]);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('doctor reports ffmpeg and its encoders', async () => {
    const r = await runCli(['doctor']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ffmpeg\s+ffmpeg version/m);
    expect(r.stdout).toMatch(/encoders\s+listed by ffmpeg: .*libx264/);
  });
});
