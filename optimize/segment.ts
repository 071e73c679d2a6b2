// --segment-parallel: split a long source at keyframes (stream copy), encode
// the segments in parallel, then join them with the concat demuxer and mux the
// other streams back in (audio encoded once, whole, alongside the segments;
// subtitles, cover, data, chapters and metadata from the source at the join).
// The split loses the display matrix (Matroska segments do not carry it), so
// every segment is turned upright explicitly from the source's probe.
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { commandLine, ffmpegArgv, runFfmpeg, type FfmpegProgress } from '../media/ffmpeg.js';
import { MUXER } from './profiles.js';
import { containerArgs, otherStreamArgs, outputGeometry, planEncode, type EncodeSettings } from './plan.js';
import type { OutputGeometry } from './dimensions.js';
import type { ProbeInfo } from '../media/probe.js';
import { runPool } from './pool.js';
import { timecodeArgs, withIndex, type StreamPlan } from './streams.js';

export interface SegmentOptions {
  segmentSec: number;
  /** Segments encoded at once. */
  workers: number;
  workDir: string;
  streams: StreamPlan;
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
  const v = probe.video!;
  const commands: string[] = [];
  const run = async (args: string[], onProgress?: (p: FfmpegProgress) => void) => {
    commands.push(commandLine(ffmpegArgv(ffmpeg, args, Boolean(onProgress))));
    return runFfmpeg(ffmpeg, args, { signal: o.signal, onProgress });
  };
  // 1. Split at keyframes without re-encoding: each segment starts on a keyframe after each multiple of segmentSec.
  const splitArgs = ['-i', source, '-map', `0:${v.index}`, '-c', 'copy', '-f', 'segment', '-segment_time', String(o.segmentSec),
    '-reset_timestamps', '1', '-segment_format', 'matroska', join(o.workDir, 'src-%05d.mkv')];
  await run(splitArgs);
  const parts = (await readdir(o.workDir)).filter((f) => /^src-\d{5}\.mkv$/.test(f)).sort();
  // 2. Encode the segments in parallel (video only, turned upright explicitly), and 3. the audio tracks
  // once from the whole source (no seams) alongside them: light work that would otherwise add its time at the end.
  const done = new Array<number>(parts.length).fill(0);
  const frames = new Array<number>(parts.length).fill(0);
  const audio = o.streams.mapped.filter((d) => d.role === 'audio');
  // In the output's own container, so the encoder delay and padding are recorded as a whole-file encode
  // records them (AAC in Matroska loses them, and the joined audio came out 48 ms long).
  const audioOut = join(o.workDir, `audio.${s.container}`);
  const audioJob = audio.length
    ? run(['-i', source, ...audio.flatMap((d, i) => ['-map', `0:${d.stream.index}`, ...withIndex(d.options, i)]), '-vn', '-f', MUXER[s.container], audioOut])
    : Promise.resolve(undefined);
  audioJob.catch(() => undefined);
  const encoded = await runPool(parts, o.workers, async (name, i) => {
    const out = join(o.workDir, `enc-${String(i).padStart(5, '0')}.mkv`);
    const plan = planEncode(join(o.workDir, name), out, probe, { ...s, container: 'mkv' }, { videoOnly: true, inputHasMatrix: false });
    await run(plan.args, (p) => {
      done[i] = p.outTimeSec;
      frames[i] = p.frame;
      o.onProgress?.(done.reduce((a, b) => a + b, 0), frames.reduce((a, b) => a + b, 0));
    });
    return out;
  });
  await audioJob;
  // 4. Join (stream copy) into the final container: video from the segments, audio from audio.mka,
  // everything else (subtitles, cover, data), chapters and metadata from the source.
  await writeFile(join(o.workDir, 'list.txt'), `${encoded.map(concatLine).join('\n')}\n`);
  const inputs = ['-f', 'concat', '-safe', '0', '-i', join(o.workDir, 'list.txt')];
  if (audio.length) inputs.push('-i', audioOut);
  const src = audio.length ? 2 : 1;
  inputs.push('-i', source);
  let a = 0;
  const from = o.streams.mapped.map((d) => (d.role === 'audio' ? `1:${a++}` : `${src}:${d.stream.index}`));
  // Audio is already encoded: copied at the join.
  const maps = otherStreamArgs(o.streams, (d) => from[o.streams.mapped.indexOf(d)], (d) => (d.role === 'audio' ? ['-c', 'copy'] : d.options));
  // Naming any stream's metadata source turns off ffmpeg's automatic per-stream copy: name them all.
  const streamMeta = from.flatMap((f, i) => ['-map_metadata:s:' + i, i === 0 ? `${src}:s:${v.index}` : f.replace(':', ':s:')]);
  await run([...inputs, '-map', '0:v:0', '-c:0', 'copy', ...maps, '-map_metadata', String(src), ...streamMeta, '-map_chapters', String(src), ...timecodeArgs(o.streams),
    ...(s.codec === 'h265' ? ['-tag:0', 'hvc1'] : []), ...containerArgs(s.container), output]);
  return { geometry: outputGeometry(v, s), segments: parts.length, commands };
}
