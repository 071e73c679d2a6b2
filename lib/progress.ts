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
  /** When the work started, if before the bar was made (Date.now() value); rates count from it. */
  startedMs?: number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** One progress line: label, bar (terminals only), counters, rate, errors, ETA or elapsed, note. */
function renderLine(label: string, unit: string, started: number, c: ProgressCounters, bar: boolean): string {
  const elapsed = (Date.now() - started) / 1000;
  const rate = elapsed > 0 ? c.done / elapsed : 0;
  const parts = [label];
  if (c.total && c.total > 0) {
    const frac = Math.min(1, c.done / c.total);
    if (bar) {
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
}

export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const enabled = opts.enabled ?? true;
  const tty = Boolean(stream.isTTY);
  const unit = opts.unit ?? 'items';
  const started = opts.startedMs ?? Date.now();
  let lastDraw = 0;
  let last: ProgressCounters = { done: 0 };
  const render = (c: ProgressCounters) => renderLine(opts.label, unit, started, c, tty);

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

export interface MultiProgress {
  /** Counters of the total line. */
  update(total: ProgressCounters): void;
  /** Adds or updates the bar of one item (a file being encoded); startedMs: when its work started, if before this call. */
  item(id: string, c: ProgressCounters, startedMs?: number): void;
  /** Removes an item's bar (the item finished). */
  remove(id: string): void;
  /** Prints a line above the bars (a file's verdict), without breaking them. */
  log(line: string): void;
  finish(total?: ProgressCounters): void;
}

/**
 * A total bar with one bar per item under it, redrawn in place on a TTY (cursor
 * up, clear, draw). Lines logged through log() go above the bars. Only for TTYs:
 * elsewhere use createProgress per item, whose plain lines never overwrite.
 */
export function createMultiProgress(opts: ProgressOptions & { itemUnit?: string }): MultiProgress {
  const stream = opts.stream ?? process.stderr;
  const enabled = opts.enabled ?? true;
  const started = Date.now();
  const items = new Map<string, { started: number; line: string }>();
  let totalLine = '';
  let drawn = 0;
  let lastDraw = 0;
  const setTotal = (c: ProgressCounters) => (totalLine = renderLine(opts.label, opts.unit ?? 'items', started, c, true));

  const draw = (force = false) => {
    if (!enabled) return;
    const now = Date.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    const lines = [totalLine, ...[...items.values()].map((i) => i.line)];
    let out = drawn > 0 ? `\x1b[${drawn}A` : '';
    for (const l of lines) out += `\r\x1b[2K${l}\n`;
    // Lines left over from a longer frame are cleared.
    for (let i = lines.length; i < drawn; i++) out += '\r\x1b[2K\n';
    if (drawn > lines.length) out += `\x1b[${drawn - lines.length}A`;
    stream.write(out);
    drawn = lines.length;
  };

  return {
    update(c) {
      setTotal(c);
      draw();
    },
    item(id, c, startedMs) {
      // Updating an existing key keeps its place in the Map, so bars keep their order.
      const started = startedMs ?? items.get(id)?.started ?? Date.now();
      items.set(id, { started, line: renderLine(`  ${id}`, opts.itemUnit ?? 's', started, c, true) });
      draw();
    },
    remove(id) {
      items.delete(id);
      draw(true);
    },
    log(line) {
      if (!enabled) {
        stream.write(`${line}\n`);
        return;
      }
      // Clear the bars, print the line where they were, draw them again below it.
      let out = drawn > 0 ? `\x1b[${drawn}A` : '';
      for (let i = 0; i < drawn; i++) out += '\r\x1b[2K\n';
      if (drawn > 0) out += `\x1b[${drawn}A`;
      stream.write(`${out}\r\x1b[2K${line}\n`);
      drawn = 0;
      draw(true);
    },
    finish(c) {
      if (c) setTotal(c);
      items.clear();
      draw(true);
    },
  };
}
