// A small typed wrapper over child_process.spawn for ffmpeg and ffprobe:
// no shell, progress from `-progress pipe:1`, the last stderr lines kept for
// error messages, and the child killed when the caller aborts.
import { spawn } from 'node:child_process';
import { RuntimeError } from '../lib/errors.js';

/** One `-progress` block from ffmpeg. */
export interface FfmpegProgress {
  /** Output time reached, seconds. */
  outTimeSec: number;
  frame: number;
  fps: number;
  /** Encoding speed relative to real time (2.0 = twice real time). */
  speed: number;
  done: boolean;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (p: FfmpegProgress) => void;
  /** How many stderr lines to keep (default 30). */
  stderrLines?: number;
  /** Collect stdout (ffprobe JSON); otherwise stdout is parsed as progress. */
  captureStdout?: boolean;
  /** Kill the child after this many ms. */
  timeoutMs?: number;
}

export interface RunResult {
  code: number;
  /** Signal that ended the child, if any. */
  signal: NodeJS.Signals | null;
  stdout: string;
  /** The last stderr lines, joined with newlines. */
  stderrTail: string;
  wallMs: number;
}

/** Quotes one argument the way a POSIX shell reads it (for reports, never executed). */
export function shellQuote(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_\-+=.,/:@%]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** An argv as one readable command line. */
export function commandLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/** Parses `key=value` lines of `-progress` output; returns the blocks completed so far. */
export function createProgressParser(onBlock: (p: FfmpegProgress) => void): (chunk: string) => void {
  let buffer = '';
  let cur: Record<string, string> = {};
  return (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      const eq = line.indexOf('=');
      if (eq < 0) continue;
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1).trim();
      cur[key] = value;
      if (key === 'progress') {
        const us = Number(cur.out_time_us ?? cur.out_time_ms);
        onBlock({
          outTimeSec: Number.isFinite(us) && us > 0 ? us / 1e6 : 0,
          frame: Number(cur.frame) || 0,
          fps: Number(cur.fps) || 0,
          speed: Number.parseFloat(cur.speed ?? '') || 0,
          done: value === 'end',
        });
        cur = {};
      }
    }
  };
}

/** Runs a tool (ffmpeg or ffprobe) with an argv, never through a shell. Resolves with the exit code. */
export function runTool(bin: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const keep = opts.stderrLines ?? 30;
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new RuntimeError('aborted before start'));
    const child = spawn(bin, args as string[], { stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    let stdout = '';
    const tail: string[] = [];
    let partial = '';
    const parse = opts.onProgress && !opts.captureStdout ? createProgressParser(opts.onProgress) : undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      if (opts.captureStdout) stdout += d;
      else parse?.(d);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      const lines = (partial + d).split(/\r?\n|\r/);
      partial = lines.pop() ?? '';
      for (const l of lines) {
        if (!l.trim()) continue;
        tail.push(l);
        if (tail.length > keep) tail.shift();
      }
    });
    const kill = () => child.kill('SIGKILL');
    opts.signal?.addEventListener('abort', kill, { once: true });
    const timer = opts.timeoutMs ? setTimeout(kill, opts.timeoutMs) : undefined;
    child.on('error', (err) => {
      opts.signal?.removeEventListener('abort', kill);
      if (timer) clearTimeout(timer);
      reject(new RuntimeError(`cannot run ${bin}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      opts.signal?.removeEventListener('abort', kill);
      if (timer) clearTimeout(timer);
      if (partial.trim()) tail.push(partial);
      while (tail.length > keep) tail.shift();
      resolve({ code: code ?? -1, signal, stdout, stderrTail: tail.join('\n'), wallMs: Date.now() - started });
    });
  });
}

/** The distinct error lines of a short stderr, without ffmpeg's "[demuxer @ 0x...]" prefixes, joined in one line. */
export function errorSummary(stderrTail: string, max = 3): string {
  const lines = stderrTail.split('\n').map((l) => l.replace(/^\[[^\]]+ @ 0x[0-9a-f]+\]\s*/, '').trim()).filter(Boolean);
  const unique = [...new Set(lines)];
  return unique.slice(-max).join('; ') || 'no output';
}

/** The last meaningful stderr line, for one-line error messages. */
export function lastErrorLine(stderrTail: string): string {
  const lines = stderrTail.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.at(-1) ?? 'no output';
}

/**
 * Runs ffmpeg with progress on stdout; throws a RuntimeError naming the last
 * stderr line when it fails or was aborted.
 */
export async function runFfmpeg(ffmpeg: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const full = ['-hide_banner', '-nostdin', '-y', ...(opts.onProgress ? ['-progress', 'pipe:1', '-nostats'] : []), ...args];
  const res = await runTool(ffmpeg, full, opts);
  if (opts.signal?.aborted) throw new RuntimeError('ffmpeg aborted');
  if (res.code !== 0) {
    throw new RuntimeError(`ffmpeg failed (exit ${res.code}${res.signal ? `, ${res.signal}` : ''}): ${lastErrorLine(res.stderrTail)}`);
  }
  return res;
}

/** The argv runFfmpeg really executes, for reports. */
export function ffmpegArgv(ffmpeg: string, args: readonly string[], withProgress = true): string[] {
  return [ffmpeg, '-hide_banner', '-nostdin', '-y', ...(withProgress ? ['-progress', 'pipe:1', '-nostats'] : []), ...args];
}
