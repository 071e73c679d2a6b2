// Small real media files made by ffmpeg for the player tests: MP4 with and
// without faststart (moov before or after mdat), and WebM. A steady bitrate
// (-b:v with -maxrate) so the file's mean bitrate is what the test expects.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { requireTool } from '../lib/tools.js';
import type { ResultsRecord } from '../common/results-record.js';
import { errorSummary, runTool } from '../media/ffmpeg.js';

export interface ClipOptions {
  seconds: number;
  /** MP4 only: moov before mdat. */
  faststart?: boolean;
  /** Video bitrate, bits/s (default 400k). */
  bitrate?: number;
}

export async function makeClip(path: string, o: ClipOptions): Promise<string> {
  const ffmpeg = requireTool('ffmpeg');
  const rate = String(o.bitrate ?? 400_000);
  const input = ['-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=25:duration=${o.seconds}`];
  const codec = path.endsWith('.webm')
    ? ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', rate]
    : ['-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', rate, '-maxrate', rate, '-bufsize', rate, '-pix_fmt', 'yuv420p', ...(o.faststart ? ['-movflags', '+faststart'] : [])];
  const res = await runTool(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...input, ...codec, path], { timeoutMs: 120_000 });
  if (res.code !== 0) throw new Error(`ffmpeg failed: ${errorSummary(res.stderrTail, 2)}`);
  return path;
}

/** Results records (a pre-warm of the files themselves) for keys under bucket. */
export async function clipRecords(bucket: string, keys: string[]): Promise<ResultsRecord[]> {
  const out: ResultsRecord[] = [];
  for (const key of keys) {
    const size = (await stat(join(bucket, key))).size;
    out.push({
      key, derivative: 'original', kind: 'derivative', url: '', status: 200, ok: true, attempts: 1, ttfbMs: 1, totalMs: 1, bytesReceived: size, contentLength: size,
      contentType: 'video/mp4', cacheStatus: 'hit', errorClass: null, errorMessage: null, sourceSize: size, sizeCategory: 'small', startedAt: new Date().toISOString(),
    });
  }
  return out;
}

