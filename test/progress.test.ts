// The progress display as a person sees it: a tiny terminal replays what was written.
import { describe, expect, it } from 'vitest';
import { createMultiProgress, createProgress } from '../lib/progress.js';

/** Applies \r, \n, ESC[2K (clear line) and ESC[nA (cursor up) to a screen of lines. */
function terminal() {
  const screen: string[] = [''];
  let row = 0;
  const stream = {
    isTTY: true,
    write(s: string) {
      for (let i = 0; i < s.length; ) {
        const esc = /^\x1b\[(\d*)([AK])/.exec(s.slice(i));
        if (esc) {
          if (esc[2] === 'A') row = Math.max(0, row - Number(esc[1] || 1));
          else screen[row] = '';
          i += esc[0].length;
          continue;
        }
        const ch = s[i++];
        if (ch === '\r') continue;
        if (ch === '\n') {
          row++;
          if (screen.length <= row) screen.push('');
          continue;
        }
        screen[row] = (screen[row] ?? '') + ch;
      }
      return true;
    },
  };
  return { stream: stream as unknown as NodeJS.WriteStream, lines: () => screen.filter((l) => l !== '') };
}

describe('progress', () => {
  it('draws a total bar with one bar per file under it, logs above, redrawn in place', async () => {
    const t = terminal();
    const p = createMultiProgress({ label: 'optimize', unit: 'files', stream: t.stream });
    p.update({ done: 0, total: 2 });
    p.item('a.mp4', { done: 3, total: 10, note: '48 fps 1.90x' });
    p.item('b.mov', { done: 1, total: 20, note: '30 fps 1.10x' });
    await new Promise((r) => setTimeout(r, 120));
    p.item('a.mp4', { done: 5, total: 10, note: '50 fps 2.00x' });
    let screen = t.lines();
    expect(screen).toHaveLength(3);
    expect(screen[0]).toMatch(/^optimize\s+\[\.+\]\s+0\/2 \(0\.0%\)/);
    expect(screen[1]).toMatch(/^ {2}a\.mp4\s+\[#+\.+\]\s+5\/10 \(50\.0%\).*ETA .*50 fps 2\.00x$/);
    expect(screen[2]).toMatch(/^ {2}b\.mov\s.*1\/20 \(5\.0%\).*30 fps 1\.10x$/);

    p.remove('a.mp4');
    p.log('optimized a.mp4  3.10 MiB -> 0.15 MiB');
    p.update({ done: 1, total: 2 });
    await new Promise((r) => setTimeout(r, 120));
    p.update({ done: 1, total: 2 });
    screen = t.lines();
    expect(screen).toHaveLength(3);
    expect(screen[0]).toBe('optimized a.mp4  3.10 MiB -> 0.15 MiB');
    expect(screen[1]).toMatch(/^optimize\s.*\s1\/2 \(50\.0%\)/);
    expect(screen[2]).toMatch(/b\.mov/);

    p.finish({ done: 2, total: 2 });
    screen = t.lines();
    expect(screen).toHaveLength(2);
    expect(screen[1]).toMatch(/^optimize\s+\[#+\]\s+2\/2 \(100\.0%\)/);
  });

  it('prints plain lines, never redraws, when the stream is not a terminal', () => {
    const written: string[] = [];
    const stream = { isTTY: false, write: (s: string) => (written.push(s), true) } as unknown as NodeJS.WriteStream;
    const p = createProgress({ label: 'prewarm', unit: 'req', stream, plainEveryMs: 0 });
    p.update({ done: 5, total: 10, errors: 1 });
    p.finish({ done: 10, total: 10, errors: 1 });
    expect(written.join('')).not.toMatch(/\x1b|\r/);
    expect(written[written.length - 1]).toMatch(/^prewarm {2}10\/10 \(100\.0%\) .* errors 1/);
  });
});
