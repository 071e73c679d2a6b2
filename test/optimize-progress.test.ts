// The optimize progress line: fps and speed measured from frames and seconds
// encoded since the encode started (ffmpeg's own fps field is 0 for the first
// second of every process), per-file lines in logs, verdict lines.
import { describe, expect, it, vi, afterEach } from 'vitest';
import { createOptimizeProgress, encodeRates } from '../optimize/progress.js';

function fakeStream(tty: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  let out = '';
  const stream = { isTTY: tty, columns: 120, write: (s: string) => ((out += s), true) } as unknown as NodeJS.WriteStream;
  return { stream, text: () => out };
}

afterEach(() => vi.useRealTimers());

describe('optimize progress', () => {
  it('measures fps and speed from the encode\'s own counters', () => {
    const r = encodeRates({ doneSec: 10, frames: 250, startedMs: 0 }, 40, 5000);
    expect(r.fps).toBe(50);
    expect(r.speed).toBe(2);
    expect(r.fraction).toBe(0.25);
    expect(r.etaSec).toBe(15);
    expect(encodeRates({ doneSec: 40, frames: 1000, startedMs: 0 }, 40, 8000).etaSec).toBeUndefined();
  });

  it('prints per-file lines in logs with the real fps, never a 0 fps line from the first second', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const { stream, text } = fakeStream(false);
    const lines: string[] = [];
    const p = createOptimizeProgress({ enabled: true, total: 1, stream, print: (l) => lines.push(l), plainEveryMs: 1000 });
    const startedMs = Date.now();
    // ffmpeg's first -progress block comes within the first second, with fps=0: no line from it
    p.file('a.mp4', 20, { doneSec: 0.04, frames: 1, startedMs });
    expect(text()).toBe('');
    vi.advanceTimersByTime(2000);
    p.file('a.mp4', 20, { doneSec: 4, frames: 100, startedMs });
    vi.advanceTimersByTime(2000);
    p.file('a.mp4', 20, { doneSec: 8, frames: 200, startedMs });
    p.settled('a.mp4', 'optimized a.mp4', false);
    p.finish();
    const out = text();
    expect(out).toMatch(/ {2}a\.mp4 {2}4\/20 \(20\.0%\) {2}2\.0 s\/s {2}ETA 0:08 {2}50 fps/);
    expect(out).toMatch(/ {2}a\.mp4 {2}8\/20 \(40\.0%\) {2}2\.0 s\/s {2}ETA 0:06 {2}50 fps/);
    expect(out).toMatch(/optimize {2}0\/1 .* a\.mp4 20% 50 fps 2\.00x ETA 0:08/);
    expect(out).not.toMatch(/\b0 fps/);
    expect(out).toMatch(/optimize {2}1\/1 \(100\.0%\)/);
    expect(lines).toEqual(['optimized a.mp4']);
  });

  it('adds the frames of parallel segments together', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const { stream, text } = fakeStream(true);
    const p = createOptimizeProgress({ enabled: true, total: 2, stream, print: () => undefined });
    const startedMs = Date.now();
    vi.advanceTimersByTime(4000);
    // two segments of 100 frames each in 4 s: 50 fps for the file
    p.file('b.mp4', 16, { doneSec: 8, frames: 200, startedMs });
    vi.advanceTimersByTime(200);
    p.file('b.mp4', 16, { doneSec: 8, frames: 200, startedMs });
    expect(text()).toMatch(/b\.mp4 {2}\[#+\.+\] {2}8\/16 \(50\.0%\) {2}2\.0 s\/s {2}ETA 0:04 {2}50 fps/);
    expect(text()).toMatch(/b\.mp4 .* 1\.9 s\/s {2}ETA 0:04 {2}48 fps/);
    p.finish();
  });

  it('prints nothing but the verdict lines with --no-progress', () => {
    const { stream, text } = fakeStream(false);
    const lines: string[] = [];
    const p = createOptimizeProgress({ enabled: false, total: 1, stream, print: (l) => lines.push(l) });
    p.file('a.mp4', 20, { doneSec: 20, frames: 500, startedMs: Date.now() - 5000 });
    p.settled('a.mp4', 'failed a.mp4', true);
    p.finish();
    expect(text()).toBe('');
    expect(lines).toEqual(['failed a.mp4']);
  });
});
