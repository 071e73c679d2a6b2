// The typed ffmpeg wrapper: argv without a shell, progress parsing, stderr tail, abort kills the child.
import { describe, expect, it } from 'vitest';
import { commandLine, createProgressParser, runFfmpeg, runTool, shellQuote, type FfmpegProgress } from '../media/ffmpeg.js';
import { requireTool } from '../lib/tools.js';

const ffmpeg = requireTool('ffmpeg');

describe('ffmpeg wrapper', () => {
  it('quotes arguments for reading like a POSIX shell would', () => {
    expect(shellQuote('plain-arg_1.mp4')).toBe('plain-arg_1.mp4');
    expect(shellQuote('with space')).toBe("'with space'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('$(rm -rf /)')).toBe("'$(rm -rf /)'");
    expect(commandLine(['ffmpeg', '-vf', 'scale=2:2,setsar=1', 'a b.mp4'])).toBe("ffmpeg -vf scale=2:2,setsar=1 'a b.mp4'");
  });

  it('parses -progress blocks split across chunks', () => {
    const seen: FfmpegProgress[] = [];
    const feed = createProgressParser((p) => seen.push(p));
    feed('frame=10\nfps=20.5\nout_time_us=400000\nspe');
    feed('ed=1.5x\nprogress=continue\nframe=25\nfps=0.00\nout_time_us=1000000\nspeed=N/A\nprogress=end\n');
    expect(seen).toEqual([
      { frame: 10, fps: 20.5, outTimeSec: 0.4, speed: 1.5, done: false },
      { frame: 25, fps: 0, outTimeSec: 1, speed: 0, done: true },
    ]);
  });

  it('runs ffmpeg without a shell and reports progress', async () => {
    const seen: FfmpegProgress[] = [];
    // A file name with shell metacharacters reaches ffmpeg as one literal argument.
    const res = await runFfmpeg(ffmpeg, ['-f', 'lavfi', '-i', 'testsrc2=s=64x64:r=25:d=0.4', '-f', 'null', '-'], { onProgress: (p) => seen.push(p) });
    expect(res.code).toBe(0);
    expect(seen.at(-1)?.done).toBe(true);
    expect(seen.at(-1)?.frame).toBe(10);
  });

  it('fails with the last stderr line', async () => {
    await expect(runFfmpeg(ffmpeg, ['-i', '/nonexistent/$HOME;x.mp4', '-f', 'null', '-'])).rejects.toThrow(/nonexistent\/\$HOME;x\.mp4: No such file/);
  });

  it('kills the child on abort', async () => {
    const ac = new AbortController();
    let frames = 0;
    const p = runFfmpeg(ffmpeg, ['-re', '-f', 'lavfi', '-i', 'testsrc2=s=64x64:r=25:d=600', '-f', 'null', '-'], {
      signal: ac.signal,
      onProgress: (pr) => {
        frames = pr.frame;
        ac.abort();
      },
    });
    await expect(p).rejects.toThrow(/aborted/);
    expect(frames).toBeLessThan(15000);
  });

  it('keeps only the last stderr lines', async () => {
    const res = await runTool(ffmpeg, ['-hide_banner', '-v', 'info', '-f', 'lavfi', '-i', 'testsrc2=s=64x64:d=0.2', '-f', 'null', '-'], { stderrLines: 3 });
    expect(res.stderrTail.split('\n').length).toBeLessThanOrEqual(3);
  });
});
