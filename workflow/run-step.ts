// Runs one subcommand as a child process, exactly as a person would:
// `node bin/media-toolkit.js <stage> ...`. Its stderr is shown (prefixed) and kept for the stage log.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../lib/project-root.js';
import { redactText } from '../common/redact.js';

export interface StepResult {
  code: number;
  /** stdout and stderr, redacted, the last 256 KiB. */
  output: string;
  /** Last non-empty stderr line, for the one-line stage message. */
  lastError: string;
}

const KEEP_BYTES = 256 * 1024;

export function cliPath(): string {
  return join(projectRoot(), 'bin', 'media-toolkit.js');
}

/** Shell-like rendering of a command for logs, reports and --dry-run (secrets redacted), its variables first. */
export function displayCommand(args: string[], env?: Record<string, string>): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  const vars = Object.entries(env ?? {}).map(([k, v]) => `${k}=${quote(v)}`);
  return redactText([...vars, 'media-toolkit', ...args.map(quote)].join(' '));
}

/** One short line from a tool's last error line (k6 logfmt lines carry stack traces after msg="). */
export function shortError(line: string): string {
  let s = line.replace(/^media-toolkit:\s*/, '');
  const msg = /\bmsg="((?:[^"\\]|\\.)*)"/.exec(s);
  if (msg) s = msg[1];
  s = s.split('\\n')[0].trim();
  return s.length > 240 ? `${s.slice(0, 237)}...` : s;
}

/**
 * The environment for the stages: without the MEDIA_TOOLKIT_* variables the caller has
 * already resolved into flags (MEDIA_TOOLKIT_WORKERS means pre-warming workers to the
 * workflow, and must not become optimize's ffmpeg worker count in its child).
 */
export function stageEnv(resolved: Iterable<string>, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const drop = new Set(resolved);
  return Object.fromEntries(Object.entries(env).filter(([name]) => !drop.has(name)));
}

export function runStep(args: string[], opts: { prefix: string; echo: boolean; signal?: AbortSignal; env?: NodeJS.ProcessEnv }): Promise<StepResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath(), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
    let output = '';
    let stderrTail = '';
    const keep = (s: string) => {
      output += s;
      if (output.length > KEEP_BYTES * 2) output = output.slice(-KEEP_BYTES);
    };
    let pending = '';
    child.stderr.setEncoding('utf8');
    child.stdout.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      keep(d);
      stderrTail = (stderrTail + d).slice(-4096);
      if (!opts.echo) return;
      pending += d;
      const lines = pending.split(/\r?\n|\r/);
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) process.stderr.write(`${opts.prefix}${redactText(line)}\n`);
    });
    child.stdout.on('data', (d: string) => keep(d));
    const onAbort = () => child.kill('SIGINT');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (opts.echo && pending.trim()) process.stderr.write(`${opts.prefix}${redactText(pending)}\n`);
      const lastError = stderrTail.split(/\r?\n|\r/).map((l) => l.trim()).filter(Boolean).pop() ?? '';
      const exit = code ?? (signal ? 128 + 2 : 1);
      resolve({
        code: exit,
        output: redactText(output.slice(-KEEP_BYTES)),
        lastError: redactText(shortError(lastError)),
      });
    });
  });
}
