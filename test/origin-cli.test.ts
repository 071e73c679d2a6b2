// The `origin` subcommand as a user runs it: first stdout line, clean stop, usage errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, runCli } from './helpers/cli.js';

/** Starts the CLI, resolves with the first stdout line and the child. */
function startCli(args: string[]): Promise<{ line: string; child: ReturnType<typeof spawn>; exited: Promise<{ code: number | null; stderr: string }> }> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no URL line within 15 s; stderr: ${stderr}`));
    }, 15_000);
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve({ line: out.slice(0, nl), child, exited });
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before printing its URL: ${stderr}`));
    });
  });
}

describe('media-toolkit origin', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'origin-cli-'));
    await writeFile(join(root, 'clip.mp4'), Buffer.alloc(4096, 3));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('prints its URL first, serves the folder with the fault flags, exits 0 on SIGTERM', async () => {
    const { line, child, exited } = await startCli(['origin', '--root', root, '--port', '0', '--synthetic-bytes-per-width', '10', '--error-rate', '1', '--error-statuses', '503', '--retry-after', '4']);
    const m = /^origin listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
    expect(m, line).not.toBeNull();
    const r = await fetch(`${m![1]}/clip.mp4?imwidth=100`);
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('4');
    await r.arrayBuffer();
    child.kill('SIGTERM');
    const { code, stderr } = await exited;
    expect(code).toBe(0);
    expect(stderr).toContain('origin stopped: 1 requests');
  });

  it('exits 0 on SIGINT too, with a base path and a Range answered', async () => {
    const { line, child, exited } = await startCli(['origin', '--root', root, '--base-path', '/media', '--synthetic-bytes-per-width', '10']);
    const base = line.replace('origin listening on ', '');
    expect(base).toMatch(/\/media$/);
    const r = await fetch(`${base}/clip.mp4?imwidth=100`, { headers: { Range: 'bytes=-10' } });
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe('bytes 990-999/1000');
    await r.arrayBuffer();
    child.kill('SIGINT');
    expect((await exited).code).toBe(0);
  });

  it('exits 2 with one line when --root is missing, absent or not a folder', async () => {
    // Sequential: the machine is shared, parallel CLI starts only compete for the same two cores.
    for (const args of [['origin'], ['origin', '--root', join(root, 'nope')], ['origin', '--root', join(root, 'clip.mp4')]]) {
      const r = await runCli(args, { timeoutMs: 60_000 });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });

  it('documents its flags in --help', async () => {
    const r = await runCli(['origin', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--root', '--host', '--port', '--base-path', '--mode', '--cache-dir', '--synthetic-bytes-per-width', '--latency-ms', '--error-rate', '--error-statuses', '--retry-after', '--reset-rate', '--ignore-range', '--seed']) {
      expect(r.stdout).toContain(flag);
    }
  });
});
