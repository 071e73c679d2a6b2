// --segment-parallel: split a long source at keyframes (stream copy), encode
// the segments in parallel, then join them with the concat demuxer and mux the
// audio (encoded once, whole) back in. The result is verified like any output.
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { commandLine, ffmpegArgv, runFfmpeg, type FfmpegProgress } from '../media/ffmpeg.js';
import { audioArgs, containerArgs, planEncode, type EncodeSettings } from './plan.js';
import type { OutputGeometry } from './dimensions.js';
import type { ProbeInfo } from '../media/probe.js';
import { runPool } from './pool.js';

export interface SegmentOptions {
  segmentSec: number;
  /** Segments encoded at once. */
  workers: number;
  workDir: string;
  signal?: AbortSignal;
  /** Progress: source seconds and frames encoded so far, all segments together. */
  onProgress?: (doneSec: number, frames: number) => void;
}

export interface SegmentResult {
  geometry: OutputGeometry;
  segments: number;
  /** Every ffmpeg command run, in order, for the report. */
  commands: string[];
}

/** Quotes a path for a concat demuxer list file. */
export function concatLine(path: string): string {
  return `file '${path.replace(/'/g, `'\\''`)}'`;
}

export async function encodeSegmented(ffmpeg: string, source: string, output: string, probe: ProbeInfo, s: EncodeSettings, o: SegmentOptions): Promise<SegmentResult> {
  const commands: string[] = [];
  const run = async (args: string[], onProgress?: (p: FfmpegProgress) => void) => {
    commands.push(commandLine(ffmpegArgv(ffmpeg, args, Boolean(onProgress))));
    return runFfmpeg(ffmpeg, args, { signal: o.signal, onProgress });
  };
  // 1. Split at keyframes without re-encoding: each segment starts on a keyframe after each multiple of segmentSec.
  const splitArgs = ['-i', source, '-map', '0:v:0', '-c', 'copy', '-f', 'segment', '-segment_time', String(o.segmentSec),
    '-reset_timestamps', '1', '-segment_format', 'matroska', join(o.workDir, 'src-%05d.mkv')];
  await run(splitArgs);
  const parts = (await readdir(o.workDir)).filter((f) => /^src-\d{5}\.mkv$/.test(f)).sort();
  // 2. Encode the segments in parallel (video only), and 3. the audio once from the whole source
  // (no seams) alongside them: it is light and would otherwise add its time at the end.
  const done = new Array<number>(parts.length).fill(0);
  const frames = new Array<number>(parts.length).fill(0);
  let geometry: OutputGeometry | undefined;
  const audioOut = join(o.workDir, 'audio.mka');
  const audioJob = probe.audio
    ? run(['-i', source, '-vn', '-map', '0:a?', ...audioArgs(probe.audio, s.audioProfile, s.container).args, '-f', 'matroska', audioOut])
    : Promise.resolve(undefined);
  audioJob.catch(() => undefined);
  const encoded = await runPool(parts, o.workers, async (name, i) => {
    const out = join(o.workDir, `enc-${String(i).padStart(5, '0')}.mkv`);
    const plan = planEncode(join(o.workDir, name), out, probe, { ...s, container: 'mkv' }, { videoOnly: true });
    geometry = plan.geometry;
    await run(plan.args, (p) => {
      done[i] = p.outTimeSec;
      frames[i] = p.frame;
      o.onProgress?.(done.reduce((a, b) => a + b, 0), frames.reduce((a, b) => a + b, 0));
    });
    return out;
  });
  await audioJob;
  const inputs = ['-f', 'concat', '-safe', '0', '-i', join(o.workDir, 'list.txt')];
  await writeFile(join(o.workDir, 'list.txt'), `${encoded.map(concatLine).join('\n')}\n`);
  const maps = ['-map', '0:v:0'];
  if (probe.audio) {
    inputs.push('-i', audioOut);
    maps.push('-map', '1:a?');
  }
  // 4. Join (stream copy) into the final container.
  await run([...inputs, ...maps, '-c', 'copy', ...(s.codec === 'h265' ? ['-tag:v', 'hvc1'] : []), ...containerArgs(s.container), output]);
  return { geometry: geometry ?? planEncode(source, output, probe, s).geometry, segments: parts.length, commands };
}
