// Progress of an optimize run on stderr. On a terminal: a total bar with one
// bar per file being encoded under it, redrawn in place. In logs and CI: the
// total line, and a line per file every few seconds (seconds of video encoded,
// fps, speed, ETA). fps and speed are measured here, from the frames and
// seconds of video done since the encode started (all segments of a file
// together), not taken from ffmpeg's own fps field, which stays 0 for the
// first second of every process and describes one segment only.
import { createMultiProgress, createProgress, formatDuration, type MultiProgress } from '../lib/progress.js';

/** Where one file's encode is: everything its ffmpeg processes did together. */
export interface EncodeProgress {
  /** Source seconds encoded so far. */
  doneSec: number;
  /** Frames encoded so far. */
  frames: number;
  /** When this encode started (Date.now()). */
  startedMs: number;
  /** What is being encoded, when not the main output (e.g. "webm"). */
  phase?: string;
}

export interface OptimizeProgress {
  /** A file's encode moved on. */
  file(key: string, durationSec: number, p: EncodeProgress): void;
  /** A file is settled: print its verdict line and drop its bar. */
  settled(key: string, line: string, failed: boolean): void;
  /** The final total line. */
  finish(): void;
}

export interface ProgressSettings {
  /** Progress wanted at all (--no-progress turns it off; verdict lines are printed either way). */
  enabled: boolean;
  total: number;
  stream?: NodeJS.WriteStream;
  /** Verdict lines go here when there are no bars (default: stderr through lib/log). */
  print: (line: string) => void;
  /** Period of per-file lines in logs, ms. */
  plainEveryMs?: number;
}

/** fps, speed and the file's ETA from an encode's counters. */
export function encodeRates(p: EncodeProgress, durationSec: number, now = Date.now()): { fps: number; speed: number; etaSec?: number; fraction: number } {
  const elapsed = Math.max(0.001, (now - p.startedMs) / 1000);
  const fraction = durationSec > 0 ? Math.min(1, p.doneSec / durationSec) : 0;
  const speed = p.doneSec / elapsed;
  const fps = p.frames / elapsed;
  const etaSec = speed > 0 && fraction < 1 ? (durationSec - p.doneSec) / speed : undefined;
  return { fps, speed, etaSec, fraction };
}

/** "63 fps 2.51x ETA 0:04" */
export function rateNote(r: ReturnType<typeof encodeRates>, phase?: string): string {
  return `${phase ? `${phase} ` : ''}${r.fps.toFixed(0)} fps ${r.speed.toFixed(2)}x${r.etaSec !== undefined ? ` ETA ${formatDuration(r.etaSec)}` : ''}`;
}

export function createOptimizeProgress(s: ProgressSettings): OptimizeProgress {
  const stream = s.stream ?? process.stderr;
  const tty = s.enabled && Boolean(stream.isTTY);
  const bars: MultiProgress | undefined = tty ? createMultiProgress({ label: 'optimize', unit: 'files', stream }) : undefined;
  const plain = s.enabled && !tty;
  const total = createProgress({ label: 'optimize', unit: 'files', enabled: plain, stream });
  const notes = new Map<string, string>();
  const fileBars = new Map<string, ReturnType<typeof createProgress>>();
  let finished = 0;
  let failed = 0;
  const counters = () => ({ done: finished, total: s.total, errors: failed });

  return {
    file(key, durationSec, p) {
      const r = encodeRates(p, durationSec);
      // The first second says nothing about the rate (process start-up, the first frames): no line before it.
      if (Date.now() - p.startedMs < 1000 && r.fraction < 1) return;
      const note = rateNote(r, p.phase);
      // The bars show seconds of video per second (the speed) and the ETA themselves; the note adds fps.
      const fpsNote = `${r.fps.toFixed(0)} fps${p.phase ? ` (${p.phase})` : ''}`;
      notes.set(key, `${key} ${(r.fraction * 100).toFixed(0)}% ${note}`);
      if (bars) {
        bars.item(key, { done: Math.round(r.fraction * durationSec), total: Math.max(1, Math.round(durationSec)), note: fpsNote }, p.startedMs);
        bars.update(counters());
        return;
      }
      if (!plain) return;
      total.update({ ...counters(), note: [...notes.values()].join(' | ') });
      let bar = fileBars.get(key);
      if (!bar) fileBars.set(key, (bar = createProgress({ label: `  ${key}`, unit: 's', plainEveryMs: s.plainEveryMs ?? 10_000, stream, startedMs: p.startedMs })));
      bar.update({ done: Math.round(r.fraction * durationSec), total: Math.round(durationSec), note: fpsNote });
    },
    settled(key, line, isFailure) {
      notes.delete(key);
      bars?.remove(key);
      fileBars.get(key)?.finish();
      fileBars.delete(key);
      finished++;
      if (isFailure) failed++;
      if (bars) bars.log(line);
      else s.print(line);
      total.update(counters());
      bars?.update(counters());
    },
    finish() {
      if (bars) bars.finish(counters());
      else total.finish(counters());
    },
  };
}
