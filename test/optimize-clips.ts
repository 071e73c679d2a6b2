// Tiny test clips made with ffmpeg's lavfi sources (testsrc2 picture, sine tone).
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { requireTool } from '../lib/tools.js';

const run = promisify(execFile);

export interface ClipOptions {
  width: number;
  height: number;
  seconds: number;
  fps?: number;
  audio?: boolean;
  /** Video encoder args (default: x264 ultrafast at high quality, so outputs come out smaller). */
  video?: string[];
  /** Keyframe every N frames. */
  gop?: number;
}

export async function makeClip(path: string, o: ClipOptions): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  const fps = o.fps ?? 25;
  // testsrc2 only draws even sizes, and 4:2:0 cannot hold odd ones: an odd size is drawn even,
  // scaled in 4:4:4 to the odd size, and stored as 4:4:4 H.264 (really 1001x563 in the file).
  const odd = o.width % 2 === 1 || o.height % 2 === 1;
  const src = odd
    ? `testsrc2=s=${o.width + (o.width % 2)}x${o.height + (o.height % 2)}:r=${fps}:d=${o.seconds},format=yuv444p,scale=${o.width}:${o.height}`
    : `testsrc2=s=${o.width}x${o.height}:r=${fps}:d=${o.seconds}`;
  const args = ['-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', src];
  if (o.audio !== false) args.push('-f', 'lavfi', '-i', `sine=f=440:sample_rate=48000:d=${o.seconds}`);
  args.push(...(o.video ?? ['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '12', '-pix_fmt', odd ? 'yuv444p' : 'yuv420p']));
  if (o.gop) args.push('-g', String(o.gop), '-keyint_min', String(o.gop));
  if (o.audio !== false) args.push('-c:a', 'aac', '-b:a', '192k', '-shortest');
  args.push(path);
  await run(requireTool('ffmpeg'), args);
  return path;
}

/** A copy of a file cut to a fraction of its bytes (a truncated upload). */
export async function truncatedCopy(from: string, to: string, fraction: number): Promise<string> {
  const data = await readFile(from);
  await writeFile(to, data.subarray(0, Math.floor(data.length * fraction)));
  return to;
}

export async function probeJson(path: string): Promise<{ streams: { codec_type: string; codec_name: string; width?: number; height?: number }[]; format: { duration: string } }> {
  const { stdout } = await run(requireTool('ffprobe'), ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path]);
  return JSON.parse(stdout);
}
