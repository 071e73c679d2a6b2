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

/** Boxes of an MP4/MOV between start and end: [offset, size, type, header size]. */
function* boxes(buf: Buffer, start: number, end: number): Generator<{ p: number; size: number; type: string; hdr: number }> {
  let p = start;
  while (p + 8 <= end) {
    let size = buf.readUInt32BE(p);
    const type = buf.toString('latin1', p + 4, p + 8);
    let hdr = 8;
    if (size === 1) {
      size = Number(buf.readBigUInt64BE(p + 8));
      hdr = 16;
    }
    if (size === 0) size = end - p;
    if (size < hdr) return;
    yield { p, size, type, hdr };
    p += size;
  }
}

/**
 * Writes a phone-style display matrix into the video track header (tkhd) of an MP4/MOV, as a phone
 * filmed sideways does: the picture is stored landscape, and players turn it `degrees` clockwise.
 * (ffmpeg 5.1 no longer writes one from `-metadata:s:v rotate=`.)
 */
export async function setRotation(path: string, degrees: 0 | 90 | 180 | 270): Promise<string> {
  const buf = await readFile(path);
  const F = 0x10000;
  const m = { 0: [F, 0, 0, F], 90: [0, F, -F, 0], 180: [-F, 0, 0, -F], 270: [0, -F, F, 0] }[degrees];
  let patched = 0;
  for (const moov of boxes(buf, 0, buf.length)) {
    if (moov.type !== 'moov') continue;
    for (const trak of boxes(buf, moov.p + moov.hdr, moov.p + moov.size)) {
      if (trak.type !== 'trak') continue;
      let tkhd: { p: number } | undefined;
      let video = false;
      for (const c of boxes(buf, trak.p + 8, trak.p + trak.size)) {
        if (c.type === 'tkhd') tkhd = c;
        if (c.type === 'mdia') for (const d of boxes(buf, c.p + 8, c.p + c.size)) if (d.type === 'hdlr' && buf.toString('latin1', d.p + 16, d.p + 20) === 'vide') video = true;
      }
      if (!video || !tkhd) continue;
      // version(1) flags(3), times and ids (20 or 32 bytes), reserved(8), layer, group, volume, reserved (8), then the matrix
      const at = tkhd.p + 8 + 4 + (buf[tkhd.p + 8] === 1 ? 32 : 20) + 8 + 8;
      buf.writeInt32BE(m[0], at);
      buf.writeInt32BE(m[1], at + 4);
      buf.writeInt32BE(m[2], at + 12);
      buf.writeInt32BE(m[3], at + 16);
      patched++;
    }
  }
  if (patched === 0) throw new Error(`${path}: no video track header to turn`);
  await writeFile(path, buf);
  return path;
}
