// Progress for long work: a redrawn bar on a TTY, a plain line every few
// seconds otherwise (CI logs, Kubernetes), and nothing when disabled.

export interface ProgressCounters {
  done: number;
  total?: number;
  errors?: number;
  /** Free text after the counters, e.g. "fps 48 speed 1.9x". */
  note?: string;
}

export interface Progress {
  update(c: ProgressCounters): void;
  /** Final line (always printed unless disabled). */
  finish(c?: ProgressCounters): void;
}

export interface ProgressOptions {
  label: string;
  stream?: NodeJS.WriteStream;
  /** Plain-line period when not a TTY, ms (default 10000). */
  plainEveryMs?: number;
  enabled?: boolean;
  /** Unit for rates, e.g. "req" gives "req/s". */
  unit?: string;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const enabled = opts.enabled ?? true;
  const tty = Boolean(stream.isTTY);
  const unit = opts.unit ?? 'items';
  const started = Date.now();
  let lastDraw = 0;
  let last: ProgressCounters = { done: 0 };

  const render = (c: ProgressCounters): string => {
    const elapsed = (Date.now() - started) / 1000;
    const rate = elapsed > 0 ? c.done / elapsed : 0;
    const parts = [opts.label];
    if (c.total && c.total > 0) {
      const frac = Math.min(1, c.done / c.total);
      if (tty) {
        const width = 24;
        const filled = Math.round(frac * width);
        parts.push(`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`);
      }
      parts.push(`${c.done}/${c.total} (${(frac * 100).toFixed(1)}%)`);
    } else {
      parts.push(`${c.done}`);
    }
    parts.push(`${rate.toFixed(1)} ${unit}/s`);
    if (c.errors !== undefined) parts.push(`errors ${c.errors}`);
    if (c.total && rate > 0) parts.push(`ETA ${formatDuration((c.total - c.done) / rate)}`);
    else parts.push(`elapsed ${formatDuration(elapsed)}`);
    if (c.note) parts.push(c.note);
    return parts.join('  ');
  };

  return {
    update(c) {
      last = c;
      if (!enabled) return;
      const now = Date.now();
      const every = tty ? 100 : (opts.plainEveryMs ?? 10_000);
      if (now - lastDraw < every) return;
      lastDraw = now;
      if (tty) stream.write(`\r\x1b[2K${render(c)}`);
      else stream.write(`${render(c)}\n`);
    },
    finish(c) {
      if (c) last = c;
      if (!enabled) return;
      stream.write(tty ? `\r\x1b[2K${render(last)}\n` : `${render(last)}\n`);
    },
  };
}
