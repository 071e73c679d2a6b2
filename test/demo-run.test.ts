// `media-toolkit demo --keep` at a tiny setting: every stage runs on the sample library
// and the local origin, the reports are where it says, and the origin stays up until Ctrl-C.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT } from './helpers/cli.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mt-demo-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('media-toolkit demo', () => {
  it('runs the whole workflow, prints where each report is, and --keep serves until SIGINT', async () => {
    const out = join(dir, 'demo-output');
    const child = spawn(
      process.execPath,
      [CLI, 'demo', '--output-dir', out, '--mode', 'synthetic', '--loadtest-users', '1', '--loadtest-duration', '4s', '--keep'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const kill = setTimeout(() => child.kill('SIGKILL'), 100_000);
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        const m = /origin still running at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (m) resolve(m[1]);
      });
      void exited.then((code) => reject(new Error(`demo exited ${code} before serving: ${stderr.slice(-2000)}`)));
    });
    try {
      // Every stage has its reports listed, and the files are there.
      expect(stdout).toMatch(/^  purge\s+skipped \(no previous listing to compare with/m);
      for (const stage of ['analysis', 'optimize', 'prewarm', 'verify', 'errors', 'loadtest']) expect(stdout).toMatch(new RegExp(`^  ${stage}\\s+\\S*${out.replace(/[/\\^$.*+?()[\]{}|-]/g, '\\$&')}`, 'm'));
      // The streaming step: one video warmed as HLS, every request ok, and played by one k6 HLS session.
      expect(stdout).toMatch(/^  streaming +\S*hls-prewarm\.json, \S*loadtest-summary\.json$/m);
      const warmed = /warmed (\d+) of (\d+) requests ok \(1 master, (\d+) playlist, (\d+) init, (\d+) segment\); played 1 HLS session/.exec(stdout);
      expect(warmed, stdout.slice(-1500)).not.toBeNull();
      expect(warmed?.[1]).toBe(warmed?.[2]);
      expect(Number(warmed?.[5])).toBeGreaterThanOrEqual(4);
      const index = join(out, 'reports', 'index.html');
      expect(stdout).toContain(`index: ${index}`);
      expect(existsSync(index)).toBe(true);
      const md = await readFile(join(out, 'reports', 'index.md'), 'utf8');
      expect(md).toMatch(/\| Optimization \| saved/);
      expect(md).toMatch(/\| Load test \(k6\) \| thresholds passed/);
      expect(md).toMatch(/\| Coverage after warming \| \d+\.\d% HIT/);
      // The origin is still up and serves the sample library.
      const res = await fetch(`${url}/videos/clips/plain-360p.mp4?imwidth=854`);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    clearTimeout(kill);
  });
});
